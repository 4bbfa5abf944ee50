package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

// NameRow is one name with its aggregates.
type NameRow struct {
	ID       uint32
	Kind     uint8
	Name     string
	DomainID uint32
	Domain   string
	Count    int64
	Clients  int64
	First    int64 // unix µs
	Last     int64 // unix µs
}

// DomainRow is one registered domain (or the group another subject rolls
// up to) with its aggregates.
type DomainRow struct {
	ID      uint32
	Kind    uint8 // the subject.Code of its names
	Name    string
	Count   int64
	Clients int64
	Names   int64 // distinct names under it, the bare name included
	First   int64 // unix µs
	Last    int64 // unix µs
}

// ErrNotFound is returned when a name, domain or client is not in the workspace.
var ErrNotFound = errors.New("not found")

const nameCols = "n.id, n.kind, n.name, n.domain, d.name, n.count, n.clients, n.first, n.last"
const nameFrom = " FROM names n JOIN domains d ON d.id = n.domain "

func scanNames(rows *sql.Rows, err error) ([]NameRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NameRow
	for rows.Next() {
		var r NameRow
		if err := rows.Scan(&r.ID, &r.Kind, &r.Name, &r.DomainID, &r.Domain, &r.Count, &r.Clients, &r.First, &r.Last); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanDomains(rows *sql.Rows, err error) ([]DomainRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DomainRow
	for rows.Next() {
		var r DomainRow
		if err := rows.Scan(&r.ID, &r.Kind, &r.Name, &r.Count, &r.Clients, &r.Names, &r.First, &r.Last); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TopNames returns the names of a subject by count, most seen first (ties
// by name).
func (d *DB) TopNames(ctx context.Context, kind subject.Code, limit, offset int) ([]NameRow, error) {
	return scanNames(d.sql.QueryContext(ctx, "SELECT "+nameCols+nameFrom+
		"WHERE n.kind = ? AND n.count > 0 ORDER BY n.count DESC, n.name LIMIT ? OFFSET ?", kind, limit, offset))
}

// AllNames returns every name of a subject that has events, in id order:
// what a screen that filters and sorts in memory loads once.
func (d *DB) AllNames(ctx context.Context, kind subject.Code) ([]NameRow, error) {
	// On a connection of SQLite's C API (cConn): through database/sql,
	// the 362K names of the bench workspace took 1.0-1.1 s, 0.7-0.9 s
	// here.
	var out []NameRow
	err := d.readC(ctx, "SELECT "+nameCols+nameFrom+"WHERE n.kind = ? AND n.count > 0 ORDER BY n.id", []int64{int64(kind)},
		func(r cRow) error {
			out = append(out, nameRow(r))
			return nil
		})
	return out, err
}

// nameRow is the NameRow of a row of nameCols (or of scoreNameCols).
func nameRow(r cRow) NameRow {
	return NameRow{ID: uint32(r.int(0)), Kind: uint8(r.int(1)), Name: r.text(2), DomainID: uint32(r.int(3)),
		Domain: r.text(4), Count: r.int(5), Clients: r.int(6), First: r.int(7), Last: r.int(8)}
}

// NamesOfDomain returns the names under a registered domain by count.
func (d *DB) NamesOfDomain(ctx context.Context, domain uint32) ([]NameRow, error) {
	return scanNames(d.sql.QueryContext(ctx, "SELECT "+nameCols+nameFrom+
		"WHERE n.domain = ? AND n.count > 0 ORDER BY n.count DESC, n.name", domain))
}

// NameByText finds a name (normalised) of a subject.
func (d *DB) NameByText(ctx context.Context, kind subject.Code, name string) (NameRow, error) {
	rows, err := scanNames(d.sql.QueryContext(ctx, "SELECT "+nameCols+nameFrom+"WHERE n.kind = ? AND n.name = ?", kind, name))
	if err != nil {
		return NameRow{}, err
	}
	if len(rows) == 0 {
		return NameRow{}, fmt.Errorf("name %q: %w", name, ErrNotFound)
	}
	return rows[0], nil
}

const domainCols = "id, kind, name, count, clients, names, first, last"

// TopDomains returns the groups of a subject (registered domains of names)
// by count.
func (d *DB) TopDomains(ctx context.Context, kind subject.Code, limit, offset int) ([]DomainRow, error) {
	return scanDomains(d.sql.QueryContext(ctx, "SELECT "+domainCols+
		" FROM domains WHERE kind = ? AND count > 0 ORDER BY count DESC, name LIMIT ? OFFSET ?", kind, limit, offset))
}

// AllDomains returns every group of a subject that has events, in id order.
func (d *DB) AllDomains(ctx context.Context, kind subject.Code) ([]DomainRow, error) {
	return readRows(ctx, d, "domains", "SELECT "+domainCols+" FROM domains WHERE kind = ? AND count > 0 ORDER BY id", []int64{int64(kind)},
		func(r cRow) DomainRow {
			return DomainRow{ID: uint32(r.int(0)), Kind: uint8(r.int(1)), Name: r.text(2), Count: r.int(3),
				Clients: r.int(4), Names: r.int(5), First: r.int(6), Last: r.int(7)}
		})
}

// DomainByText finds a group of a subject (a registered domain).
func (d *DB) DomainByText(ctx context.Context, kind subject.Code, name string) (DomainRow, error) {
	rows, err := scanDomains(d.sql.QueryContext(ctx, "SELECT "+domainCols+" FROM domains WHERE kind = ? AND name = ?", kind, name))
	if err != nil {
		return DomainRow{}, err
	}
	if len(rows) == 0 {
		return DomainRow{}, fmt.Errorf("domain %q: %w", name, ErrNotFound)
	}
	return rows[0], nil
}

// Stats is the workspace at a glance.
type Stats struct {
	Events, Names, Domains, Clients int64
	First, Last                     int64 // unix µs; 0 when empty
	Sources                         []Source
}

// Stats returns the workspace totals and its sources. The totals are those
// stored by the last ingest; a workspace that has none counts them.
func (d *DB) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	stored, err := d.metaGet(ctx, "totals")
	if err != nil {
		return s, err
	}
	if _, err := fmt.Sscan(stored, &s.Events, &s.Names, &s.Domains, &s.Clients, &s.First, &s.Last); err != nil {
		err = d.sql.QueryRowContext(ctx, totalsQuery).Scan(&s.Events, &s.Names, &s.Domains, &s.Clients, &s.First, &s.Last)
		if err != nil {
			return s, err
		}
	}
	s.Sources, err = d.Sources(ctx)
	return s, err
}

// LargestIDs returns the largest name and group (domain) ids: every value
// or group the workspace gets later has a larger one.
func (d *DB) LargestIDs(ctx context.Context) (name, domain uint32, err error) {
	err = d.sql.QueryRowContext(ctx, "SELECT (SELECT coalesce(max(id), 0) FROM names), (SELECT coalesce(max(id), 0) FROM domains)").
		Scan(&name, &domain)
	return name, domain, err
}

// SeriesMany returns the series of several names or domains at once (the
// sparklines of the rows on screen): one read of the stored hourly buckets
// for the popular ones and one of the blocks for the rest, instead of a
// round of queries per row.
func (d *DB) SeriesMany(ctx context.Context, kind SubjectKind, ids []uint32, size time.Duration, from, to int64) (map[uint32][]Point, error) {
	table, hourly, blocks := "names", "SELECT name, hour, n FROM name_hour WHERE name IN (%s) AND hour >= ? AND hour < ?",
		"SELECT name, n, tmin, tmax, data FROM blocks WHERE name IN (%s)"
	if kind == SubjectDomain {
		table, hourly, blocks = "domains", "SELECT domain, hour, n FROM domain_hour WHERE domain IN (%s) AND hour >= ? AND hour < ?",
			"SELECT n.domain, b.n, b.tmin, b.tmax, b.data FROM blocks b JOIN names n ON b.name = n.id WHERE n.domain IN (%s)"
	} else if kind != SubjectName {
		return nil, fmt.Errorf("SeriesMany: names or domains only")
	}
	step := max(size.Microseconds(), int64(microsPerMinute))
	counts := make(map[uint32]map[int64]int64, len(ids))
	if len(ids) == 0 {
		return map[uint32][]Point{}, nil
	}
	in, args := placeholders(ids)
	// table is one of two constants above.
	rows, err := d.sql.QueryContext(ctx, "SELECT id, count FROM "+table+" WHERE id IN ("+in+")", args...)
	if err != nil {
		return nil, err
	}
	var popular, rare []uint32
	for rows.Next() {
		var id uint32
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		counts[id] = make(map[int64]int64)
		if n >= SeriesMin && step%microsPerHour == 0 {
			popular = append(popular, id)
		} else {
			rare = append(rare, id)
		}
	}
	rows.Close()
	if len(popular) > 0 {
		in, args := placeholders(popular)
		hi := int64(1 << 62)
		if to > 0 {
			hi = (to + microsPerHour - 1) / microsPerHour
		}
		rows, err := d.sql.QueryContext(ctx, fmt.Sprintf(hourly, in), append(args, from/microsPerHour, hi)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id uint32
			var h, n int64
			if err := rows.Scan(&id, &h, &n); err != nil {
				rows.Close()
				return nil, err
			}
			counts[id][bucket(h*microsPerHour, step)] += n
		}
		rows.Close()
	}
	if len(rare) > 0 {
		in, args := placeholders(rare)
		rows, err := d.sql.QueryContext(ctx, fmt.Sprintf(blocks, in), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id uint32
			var n int
			var tmin, tmax int64
			var data []byte
			if err := rows.Scan(&id, &n, &tmin, &tmax, &data); err != nil {
				rows.Close()
				return nil, err
			}
			if tmax < from || (to > 0 && tmin >= to) {
				continue
			}
			if err := bucketTimes(counts[id], data, n, tmin, step, from, to); err != nil {
				rows.Close()
				return nil, err
			}
		}
		rows.Close()
	}
	out := make(map[uint32][]Point, len(counts))
	for id, c := range counts {
		out[id] = points(c, step)
	}
	return out, nil
}

// bucketTimes adds a block's events between from and to (to <= 0: no end)
// to counts by bucket, reading only their times. A busy name's per-minute
// series reads a million events; consecutive ones mostly share a bucket, so
// runs are counted before the map is touched.
func bucketTimes(counts map[int64]int64, data []byte, n int, tmin, step, from, to int64) error {
	cur, run := int64(-1), int64(0)
	err := blockTimes(data, n, tmin, func(t int64) {
		if t < from || (to > 0 && t >= to) {
			return
		}
		if b := bucket(t, step); b != cur {
			if run > 0 {
				counts[cur] += run
			}
			cur, run = b, 0
		}
		run++
	})
	if run > 0 {
		counts[cur] += run
	}
	return err
}

// placeholders returns "?,?,?" and the ids as arguments.
func placeholders(ids []uint32) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// EventRow is one event with its strings resolved, for display.
type EventRow struct {
	Kind   record.Kind
	Time   int64  // unix µs
	Name   string // the value it was read for: a group's events are of several
	NameID uint32
	Client string
	// DNS
	QType   uint16
	RCode   int16 // -1: no response seen
	TTL     int32 // -1: unknown
	Answers string
	// HTTP
	Request subject.HTTPDetail
	Status  int16 // 0: no response seen
	Bytes   int64 // -1: unknown
	// Logon (its event id in Logon.EventID)
	Logon subject.LogonDetail

	Source string // the file's path
	Line   int64
	Offset int64
}

// Events returns the newest limit events of a name, newest first, and how
// many it has in all. Only the blocks that can hold those events are read.
func (d *DB) Events(ctx context.Context, name uint32, limit int) ([]EventRow, int64, error) {
	return d.eventsOf(ctx, "names", name, "SELECT id, name, source, n, tmin, tmax FROM blocks WHERE name = ? ORDER BY tmax DESC, id DESC", limit)
}

// DomainEvents returns the newest limit events of a group (a registered
// domain, or what another subject rolls up to), newest first, and how many
// it has in all: the events of its values merged by time, each naming its
// value (EventRow.Name). As for a name, only the blocks that can hold those
// events are read: a domain of 20,000 one-query names reads about limit of
// them, not all.
func (d *DB) DomainEvents(ctx context.Context, domain uint32, limit int) ([]EventRow, int64, error) {
	return d.eventsOf(ctx, "domains", domain, `SELECT b.id, b.name, b.source, b.n, b.tmin, b.tmax FROM blocks b
		JOIN names n ON n.id = b.name WHERE n.domain = ? ORDER BY b.tmax DESC, b.id DESC`, limit)
}

// blockRef is a block's row without its data: the read sorts these, then
// fetches the data of the blocks it needs.
type blockRef struct {
	id           int64
	name, source uint32
	n            int
	tmin, tmax   int64
}

// eventsOf reads the newest limit events of the subject id of table
// (names or domains, never data) from the blocks refs lists, newest block
// first. refs must return the blocks by tmax descending.
func (d *DB) eventsOf(ctx context.Context, table string, id uint32, refs string, limit int) ([]EventRow, int64, error) {
	var total int64
	var code subject.Code
	if err := d.sql.QueryRowContext(ctx, "SELECT count, kind FROM "+table+" WHERE id = ?", id).Scan(&total, &code); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, 0, ErrNotFound
		}
		return nil, 0, err
	}
	blocks, err := d.blockRefs(ctx, refs, id)
	if err != nil {
		return nil, 0, err
	}
	evs, err := d.newest(ctx, blocks, limit)
	if err != nil {
		return nil, 0, err
	}
	out, err := d.resolve(ctx, evs, kindOf(code))
	return out, total, err
}

func (d *DB) blockRefs(ctx context.Context, query string, id uint32) ([]blockRef, error) {
	rows, err := d.sql.QueryContext(ctx, query, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []blockRef
	for rows.Next() {
		var r blockRef
		if err := rows.Scan(&r.id, &r.name, &r.source, &r.n, &r.tmin, &r.tmax); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// newest decodes the blocks (by tmax descending) until no later one can
// hold one of the newest limit events (0: all), and returns those, newest
// first. What is kept is trimmed to limit only when it has doubled, so
// that thousands of one-event blocks cost a sort per limit of them, not
// one each.
func (d *DB) newest(ctx context.Context, blocks []blockRef, limit int) ([]Event, error) {
	st, err := d.sql.PrepareContext(ctx, "SELECT data FROM blocks WHERE id = ?")
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var evs []Event
	floor, trimmed := int64(0), false // the limit-th newest time once trimmed
	for _, b := range blocks {
		if limit > 0 && len(evs) >= limit && (!trimmed || len(evs) >= 2*limit) {
			sortNewestFirst(evs)
			evs, floor, trimmed = evs[:limit], evs[limit-1].Time, true
		}
		if trimmed && b.tmax < floor {
			break // every later block is older than what we have
		}
		var data []byte
		if err := st.QueryRowContext(ctx, b.id).Scan(&data); err != nil {
			return nil, err
		}
		if evs, err = decodeBlock(evs, data, b.n, b.tmin, b.name, b.source); err != nil {
			return nil, err
		}
	}
	sortNewestFirst(evs)
	if limit > 0 && len(evs) > limit {
		evs = evs[:limit]
	}
	return evs, nil
}

// kindOf is the kind of event a subject's events are.
func kindOf(code subject.Code) record.Kind {
	if s, ok := subject.ByCode(code); ok {
		return s.Kind
	}
	return record.KindDNS
}

func sortNewestFirst(evs []Event) {
	slices.SortStableFunc(evs, func(a, b Event) int { return cmp.Compare(b.Time, a.Time) })
}

// resolve turns dictionary ids back into strings.
func (d *DB) resolve(ctx context.Context, evs []Event, kind record.Kind) ([]EventRow, error) {
	names, clients, answers, sources := map[uint32]string{}, map[uint32]string{}, map[uint32]string{}, map[uint32]string{}
	for _, e := range evs {
		names[e.Name], clients[e.Client], answers[e.Answer], sources[e.Source] = "", "", "", ""
	}
	for _, t := range []struct {
		query string
		m     map[uint32]string
	}{
		{"SELECT name FROM names WHERE id = ?", names},
		{"SELECT addr FROM clients WHERE id = ?", clients},
		{"SELECT text FROM answers WHERE id = ?", answers},
		{"SELECT path FROM sources WHERE id = ?", sources},
	} {
		st, err := d.sql.PrepareContext(ctx, t.query)
		if err != nil {
			return nil, err
		}
		for id := range t.m {
			if id == 0 {
				continue
			}
			var s string
			if err := st.QueryRowContext(ctx, id).Scan(&s); err != nil && !errors.Is(err, sql.ErrNoRows) {
				st.Close()
				return nil, err
			}
			t.m[id] = s
		}
		st.Close()
	}
	out := make([]EventRow, len(evs))
	for i, e := range evs {
		r := EventRow{Kind: kind, Time: e.Time, Name: names[e.Name], NameID: e.Name, Client: clients[e.Client], Source: sources[e.Source], Line: e.Line, Offset: e.Offset}
		switch kind {
		case record.KindHTTP:
			r.Request, r.Status, r.Bytes = subject.ParseHTTPDetail(answers[e.Answer]), e.RCode, int64(e.TTL)
		case record.KindLogon:
			r.Logon = subject.ParseLogonDetail(answers[e.Answer])
			r.Logon.EventID = e.QType
		default:
			r.QType, r.RCode, r.TTL, r.Answers = e.QType, e.RCode, e.TTL, answers[e.Answer]
		}
		out[i] = r
	}
	return out, nil
}

// Point is one bucket of a time series.
type Point struct {
	Start int64 // unix µs, the bucket's start
	N     int64
}

// Subject says whose series to compute.
type Subject struct {
	Kind SubjectKind
	ID   uint32
}

// SubjectKind is what a series is about.
type SubjectKind uint8

const (
	SubjectAll SubjectKind = iota
	SubjectName
	SubjectDomain
	SubjectClient
)

// Series returns the subject's event counts in buckets of size (a whole
// number of minutes) between from and to (unix µs, to exclusive), empty
// buckets omitted. Stored buckets are used where they exist at that
// resolution; otherwise the subject's events are bucketed.
func (d *DB) Series(ctx context.Context, s Subject, size time.Duration, from, to int64) ([]Point, error) {
	step := size.Microseconds()
	if step < microsPerMinute {
		step = microsPerMinute
	}
	hourly := step%microsPerHour == 0
	var counts map[int64]int64
	var err error
	switch {
	case s.Kind == SubjectAll:
		counts, err = d.storedSeries(ctx, "SELECT minute, n FROM total_minute WHERE minute >= ? AND minute < ?", 0, microsPerMinute, step, from, to, false)
	case s.Kind == SubjectClient && hourly:
		counts, err = d.storedSeries(ctx, "SELECT hour, n FROM client_hour WHERE client = ? AND hour >= ? AND hour < ?", s.ID, microsPerHour, step, from, to, true)
	case s.Kind == SubjectName || s.Kind == SubjectDomain:
		many, err := d.SeriesMany(ctx, s.Kind, []uint32{s.ID}, size, from, to)
		return many[s.ID], err
	case s.Kind == SubjectClient:
		return nil, fmt.Errorf("a client's series is kept by the hour: ask for whole hours")
	}
	if err != nil {
		return nil, err
	}
	return points(counts, step), nil
}

// points turns counts by bucket number into a time-ordered series.
func points(counts map[int64]int64, step int64) []Point {
	out := make([]Point, 0, len(counts))
	for _, k := range sortedKeys(counts) {
		out = append(out, Point{Start: k * step, N: counts[k]})
	}
	return out
}

// storedSeries re-buckets a stored series of resolution unit (µs) into step.
func (d *DB) storedSeries(ctx context.Context, query string, id uint32, unit, step, from, to int64, withID bool) (map[int64]int64, error) {
	if unit == 0 {
		unit = microsPerMinute
	}
	lo, hi := from/unit, (to+unit-1)/unit
	if to <= 0 {
		hi = 1 << 62
	}
	args := []any{lo, hi}
	if withID {
		args = append([]any{id}, args...)
	}
	rows, err := d.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := make(map[int64]int64)
	for rows.Next() {
		var b, n int64
		if err := rows.Scan(&b, &n); err != nil {
			return nil, err
		}
		counts[bucket(b*unit, step)] += n
	}
	return counts, rows.Err()
}

// ClientCount is a client of a name, or a name of a client, with counts.
type ClientCount struct {
	ID          uint32
	Kind        subject.Code // a name's subject; 0 for a client
	Text        string       // the client's address, or the name
	Domain      string       // a name's group (NamesOf only)
	Total       int64        // a name's events from every client (NamesOf only)
	Count       int64
	First, Last int64 // unix µs
}

// ClientsOf returns the clients that asked for a name, busiest first, at
// most limit of them (0: all).
func (d *DB) ClientsOf(ctx context.Context, name uint32, limit int) ([]ClientCount, error) {
	return scanCounts(d.sql.QueryContext(ctx, `SELECT c.id, 0, c.addr, nc.count, nc.first, nc.last, '', 0 FROM name_client nc
		JOIN clients c ON c.id = nc.client WHERE nc.name = ? ORDER BY nc.count DESC, c.addr LIMIT ?`, name, sqlLimit(limit)))
}

// DomainClients returns the clients of a group's values (a registered
// domain's names), busiest first, each with its events over all of them,
// at most limit of them (0: all).
func (d *DB) DomainClients(ctx context.Context, domain uint32, limit int) ([]ClientCount, error) {
	return scanCounts(d.sql.QueryContext(ctx, `SELECT c.id, 0, c.addr, t.count, t.first, t.last, '', 0 FROM
		(SELECT nc.client, sum(nc.count) AS count, coalesce(min(nullif(nc.first, 0)), 0) AS first, max(nc.last) AS last FROM name_client nc
		JOIN names n ON n.id = nc.name WHERE n.domain = ? GROUP BY nc.client) t
		JOIN clients c ON c.id = t.client ORDER BY t.count DESC, c.addr LIMIT ?`, domain, sqlLimit(limit)))
}

// NamesOf returns what a client asked for, most asked first, at most limit
// names (0: all): the pivot from one suspicious name to everything else
// that client did. A busy client asks for tens of thousands of names; the
// limit keeps the pivot instant.
//
// kinds selects the subjects (none: every subject): across kinds, the DNS
// names a client resolved beside the hosts it fetched from.
func (d *DB) NamesOf(ctx context.Context, client uint32, kinds []subject.Code, limit int) ([]ClientCount, error) {
	filter := ""
	if len(kinds) > 0 {
		ids := make([]uint32, len(kinds))
		for i, k := range kinds {
			ids[i] = uint32(k)
		}
		// Codes are the program's own numbers, never data.
		filter = " AND n.kind IN (" + joinInts(ids) + ")"
	}
	return scanCounts(d.sql.QueryContext(ctx, `SELECT n.id, n.kind, n.name, nc.count, nc.first, nc.last, coalesce(g.name, ''), n.count FROM name_client nc
		JOIN names n ON n.id = nc.name LEFT JOIN domains g ON g.id = n.domain WHERE nc.client = ?`+filter+` ORDER BY nc.count DESC, nc.name LIMIT ?`, client, sqlLimit(limit)))
}

func joinInts(ids []uint32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(int(id))
	}
	return strings.Join(parts, ",")
}

func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1 // SQLite: no limit
	}
	return limit
}

// ClientRow is one client with its aggregates.
type ClientRow struct {
	ID          uint32
	Addr        string
	Count       int64
	Names       int64 // distinct names asked
	First, Last int64 // unix µs
}

// ClientByText finds a client by its address.
func (d *DB) ClientByText(ctx context.Context, addr string) (ClientRow, error) {
	var c ClientRow
	err := d.sql.QueryRowContext(ctx, "SELECT id, addr, count, names, first, last FROM clients WHERE addr = ?", addr).
		Scan(&c.ID, &c.Addr, &c.Count, &c.Names, &c.First, &c.Last)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("client %q: %w", addr, ErrNotFound)
	}
	return c, err
}

// SpanOf returns when a subject was first and last seen (unix µs; 0, 0
// when it has no events): the range the time screens open on.
func (d *DB) SpanOf(ctx context.Context, s Subject) (first, last int64, err error) {
	table := map[SubjectKind]string{SubjectName: "names", SubjectDomain: "domains", SubjectClient: "clients"}[s.Kind]
	if table == "" {
		st, err := d.Stats(ctx)
		return st.First, st.Last, err
	}
	// table is one of three names chosen above, never data.
	err = d.sql.QueryRowContext(ctx, "SELECT first, last FROM "+table+" WHERE id = ? AND count > 0", s.ID).Scan(&first, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return first, last, err
}

func scanCounts(rows *sql.Rows, err error) ([]ClientCount, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ClientCount
	for rows.Next() {
		var c ClientCount
		if err := rows.Scan(&c.ID, &c.Kind, &c.Text, &c.Count, &c.First, &c.Last, &c.Domain, &c.Total); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SubjectCount is what the workspace holds of one subject.
type SubjectCount struct {
	Code           subject.Code
	Values, Groups int64 // distinct values and the groups they roll up to
	Events         int64 // of the subject (an event without it is not counted)
}

// SubjectCounts counts the values, groups and events of every subject that
// has events, in code order: what stats shows per kind.
func (d *DB) SubjectCounts(ctx context.Context) ([]SubjectCount, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT n.kind, n.values_, coalesce(g.groups, 0), n.events FROM
		(SELECT kind, count(*) AS values_, sum(count) AS events FROM names WHERE count > 0 GROUP BY kind) n
		LEFT JOIN (SELECT kind, count(*) AS groups FROM domains WHERE count > 0 GROUP BY kind) g ON g.kind = n.kind
		ORDER BY n.kind`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SubjectCount
	for rows.Next() {
		var c SubjectCount
		if err := rows.Scan(&c.Code, &c.Values, &c.Groups, &c.Events); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
