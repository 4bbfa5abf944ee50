package db

// Networks and owners of addresses: IP ranges with their autonomous system
// and country, and the names of autonomous systems, from open tables the
// analyst imports (engine/networks reads them). They are context shown
// beside a client, never a verdict.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Network is what the workspace knows of an address's network: its
// autonomous system (0 when no imported range holds the address), the
// system's name and the country the data gives.
type Network struct {
	ASN     uint32
	Name    string
	Country string
}

// NetSource is one imported network table.
type NetSource struct {
	ID       int64
	Origin   string // the file's base name: re-importing it replaces it
	Format   string
	Dated    string // the data's own date, when it says one
	Imported time.Time
	Ranges   int64
	Names    int64
	Skipped  int64
}

// NetFill receives what one source holds: its ranges (disjoint within a
// family) and the names of autonomous systems.
type NetFill struct {
	Range func(first, last netip.Addr, asn uint32, country string)
	Name  func(asn uint32, name, country string)
}

// PutNetworks stores the ranges and AS names of the source src in one
// transaction: fill calls the NetFill's functions once per entry. A source
// of the same origin imported before is dropped first, so importing a
// newer file of the same name replaces it. It returns the stored source
// with its counts; src.Skipped is kept as given.
func (d *DB) PutNetworks(ctx context.Context, src NetSource, fill func(NetFill) error) (NetSource, error) {
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return src, err
	}
	defer tx.Rollback()
	if err := deleteNetSource(ctx, tx, src.Origin); err != nil {
		return src, err
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO net_sources(origin, format, dated, imported) VALUES (?, ?, ?, ?)",
		src.Origin, src.Format, src.Dated, src.Imported.UnixMicro())
	if err != nil {
		return src, err
	}
	if src.ID, err = res.LastInsertId(); err != nil {
		return src, err
	}
	ranges := newBulk(ctx, tx, "INSERT INTO net_ranges(source, family, first, last, asn, country) VALUES", "", 6)
	names := newBulk(ctx, tx, "INSERT INTO as_names(asn, source, name, country) VALUES",
		"ON CONFLICT(asn, source) DO UPDATE SET name = excluded.name, country = excluded.country", 4)
	src.Ranges, src.Names = 0, 0
	err = fill(NetFill{
		Range: func(first, last netip.Addr, asn uint32, country string) {
			src.Ranges++
			f, l := addrBytes(first), addrBytes(last)
			ranges.add(src.ID, family(first), f, l, int64(asn), country)
		},
		Name: func(asn uint32, name, country string) {
			src.Names++
			names.add(int64(asn), src.ID, name, country)
		},
	})
	if err := errors.Join(err, ranges.flush(), names.flush()); err != nil {
		return src, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE net_sources SET ranges = ?, names = ?, skipped = ? WHERE id = ?",
		src.Ranges, src.Names, src.Skipped, src.ID); err != nil {
		return src, err
	}
	// The networks signal reads the AS tables.
	if err := scoringInputsChanged(ctx, tx); err != nil {
		return src, err
	}
	return src, tx.Commit()
}

func deleteNetSource(ctx context.Context, tx *sql.Tx, origin string) error {
	if err := scoringInputsChanged(ctx, tx); err != nil {
		return err
	}
	return deleteOrigin(ctx, tx, "net_sources", origin, "DELETE FROM net_ranges WHERE source = ?", "DELETE FROM as_names WHERE source = ?")
}

// ClearNetworks removes one imported source, or every one when origin is
// empty, and returns how many sources it removed.
func (d *DB) ClearNetworks(ctx context.Context, origin string) (int, error) {
	srcs, err := d.NetSources(ctx)
	if err != nil {
		return 0, err
	}
	origins := make([]string, len(srcs))
	for i, s := range srcs {
		origins[i] = s.Origin
	}
	return d.clearOrigins(ctx, origins, origin, deleteNetSource)
}

// NetSources returns the imported sources, the latest import first: the
// order in which they are asked about an address.
func (d *DB) NetSources(ctx context.Context) ([]NetSource, error) {
	rows, err := d.sql.QueryContext(ctx,
		"SELECT id, origin, format, dated, imported, ranges, names, skipped FROM net_sources ORDER BY imported DESC, id DESC")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NetSource
	for rows.Next() {
		var s NetSource
		var us int64
		if err := rows.Scan(&s.ID, &s.Origin, &s.Format, &s.Dated, &us, &s.Ranges, &s.Names, &s.Skipped); err != nil {
			return nil, err
		}
		s.Imported = time.UnixMicro(us).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// NetRanges calls fn with every stored range of every source, by source
// and then in address order within each family: what a lookup table held
// in memory is built from.
func (d *DB) NetRanges(ctx context.Context, fn func(source int64, first, last netip.Addr, asn uint32, country string)) error {
	rows, err := d.sql.QueryContext(ctx, "SELECT source, first, last, asn, country FROM net_ranges ORDER BY source, family, first")
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		source      int64
		first, last []byte
		asn         int64
		country     string
	)
	for rows.Next() {
		if err := rows.Scan(&source, &first, &last, &asn, &country); err != nil {
			return err
		}
		f, ok1 := netip.AddrFromSlice(first)
		l, ok2 := netip.AddrFromSlice(last)
		if !ok1 || !ok2 {
			return fmt.Errorf("net_ranges: a range of source %d is not a pair of addresses", source)
		}
		fn(source, f, l, uint32(asn), country)
	}
	return rows.Err()
}

// ASNames returns the name and country of every autonomous system an
// imported source names; where several do, the latest import's.
func (d *DB) ASNames(ctx context.Context) (map[uint32]Network, error) {
	rows, err := d.sql.QueryContext(ctx,
		"SELECT n.asn, n.name, n.country FROM as_names n JOIN net_sources s ON s.id = n.source ORDER BY s.imported, s.id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint32]Network{}
	for rows.Next() {
		var n Network
		if err := rows.Scan(&n.ASN, &n.Name, &n.Country); err != nil {
			return nil, err
		}
		out[n.ASN] = n
	}
	return out, rows.Err()
}

// NetworksOf looks each address up with one range query per source (the
// latest import first; the first source whose range holds the address
// answers) and one for its AS name. An address no range holds gets the
// zero Network. It suits a few addresses; for many, a table in memory
// (engine/networks) costs less.
func (d *DB) NetworksOf(ctx context.Context, addrs []netip.Addr) ([]Network, error) {
	srcs, err := d.NetSources(ctx)
	if err != nil || len(srcs) == 0 {
		return make([]Network, len(addrs)), err
	}
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rangeQ, err := conn.PrepareContext(ctx,
		"SELECT last, asn, country FROM net_ranges WHERE source = ? AND family = ? AND first <= ? ORDER BY first DESC LIMIT 1")
	if err != nil {
		return nil, err
	}
	defer rangeQ.Close()
	nameQ, err := conn.PrepareContext(ctx, `SELECT n.name, n.country FROM as_names n JOIN net_sources s ON s.id = n.source
		WHERE n.asn = ? ORDER BY s.imported DESC, s.id DESC LIMIT 1`)
	if err != nil {
		return nil, err
	}
	defer nameQ.Close()
	out := make([]Network, len(addrs))
	for i, a := range addrs {
		a = a.Unmap()
		if !a.IsValid() {
			continue
		}
		key := addrBytes(a)
		for _, s := range srcs {
			var (
				last    []byte
				asn     int64
				country string
			)
			err := rangeQ.QueryRowContext(ctx, s.ID, family(a), key).Scan(&last, &asn, &country)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if l, ok := netip.AddrFromSlice(last); !ok || l.Less(a) {
				continue
			}
			out[i] = Network{ASN: uint32(asn), Country: country}
			break
		}
		if out[i].ASN == 0 {
			continue
		}
		var name, country string
		err := nameQ.QueryRowContext(ctx, int64(out[i].ASN)).Scan(&name, &country)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i].Name = name
		if out[i].Country == "" {
			out[i].Country = country
		}
	}
	return out, nil
}

// addrBytes is an address as stored: 4 bytes for IPv4, 16 for IPv6, big
// endian, so that blob order is address order.
func addrBytes(a netip.Addr) []byte {
	if a.Is4() {
		b := a.As4()
		return b[:]
	}
	b := a.As16()
	return b[:]
}

func family(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

// ClientsOfNames counts the distinct clients that asked any of the names
// (ids): how many clients a network's names were asked by.
func (d *DB) ClientsOfNames(ctx context.Context, ids []uint32) (int64, error) {
	seen := map[int64]bool{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), answerChunk)]
		ids = ids[len(chunk):]
		in, args := placeholders(chunk)
		rows, err := d.sql.QueryContext(ctx, "SELECT DISTINCT client FROM name_client WHERE client != 0 AND name IN ("+in+")", args...)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var c int64
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return 0, err
			}
			seen[c] = true
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return 0, err
		}
	}
	return int64(len(seen)), nil
}
