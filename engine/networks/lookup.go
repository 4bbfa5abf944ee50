package networks

import (
	"context"
	"net/netip"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
)

// Network is an address's autonomous system, its owner and country.
type Network = db.Network

// Short is a network as a list shows it: "AS15169 GOOGLE US", the owner
// cut to its handle (the first word of the AS name); "" when unknown.
func Short(n Network) string {
	if n.ASN == 0 {
		return ""
	}
	s := "AS" + strconv.FormatUint(uint64(n.ASN), 10)
	if owner, _, _ := strings.Cut(strings.TrimSpace(n.Name), " "); owner != "" {
		s += " " + strings.TrimSuffix(owner, ",")
	}
	if n.Country != "" {
		s += " " + n.Country
	}
	return s
}

// Addressed says whether the values of a subject are addresses a network
// can be found for: an HTTP client, a logon's source.
func Addressed(c subject.Code) bool {
	return c == subject.HTTPClient || c == subject.LogonSource
}

// Import reads the table at path and stores it in the workspace under the
// file's base name, replacing an earlier import of that name.
func Import(ctx context.Context, d *db.DB, path string, now time.Time) (db.NetSource, error) {
	t, err := readPath(path)
	if err != nil {
		return db.NetSource{}, err
	}
	ranges := Flatten(t.Ranges)
	src := db.NetSource{Origin: filepath.Base(path), Format: string(t.Format), Dated: t.Dated, Imported: now, Skipped: int64(t.Skipped)}
	return d.PutNetworks(ctx, src, func(fill db.NetFill) error {
		for _, r := range ranges {
			fill.Range(r.First, r.Last, r.ASN, r.Country)
		}
		for _, n := range t.Names {
			fill.Name(n.ASN, n.Name, n.Country)
		}
		return nil
	})
}

// Table holds every imported range in memory, sorted, to answer many
// lookups by binary search (see ManyAt for what it costs).
type Table struct {
	sources []sourceRanges // the latest import first
	names   map[uint32]Network
}

type sourceRanges struct {
	v4 []span4
	v6 []Range
}

// span4 is an IPv4 range, compact: the tables hold hundreds of thousands.
type span4 struct {
	first, last uint32
	asn         uint32
	country     [2]byte
}

// Load reads the workspace's ranges and AS names into a Table.
func Load(ctx context.Context, d *db.DB) (*Table, error) {
	srcs, err := d.NetSources(ctx)
	if err != nil {
		return nil, err
	}
	t := &Table{sources: make([]sourceRanges, len(srcs))}
	index := map[int64]int{}
	for i, s := range srcs {
		index[s.ID] = i
	}
	err = d.NetRanges(ctx, func(source int64, first, last netip.Addr, asn uint32, country string) {
		i, ok := index[source]
		if !ok {
			return
		}
		sr := &t.sources[i]
		if first.Is4() {
			s := span4{first: v4(first), last: v4(last), asn: asn}
			copy(s.country[:], country)
			sr.v4 = append(sr.v4, s)
			return
		}
		sr.v6 = append(sr.v6, Range{First: first, Last: last, ASN: asn, Country: country})
	})
	if err != nil {
		return nil, err
	}
	t.names, err = d.ASNames(ctx)
	return t, err
}

func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// Of returns the network of an address; the zero Network when no range
// holds it. The latest import that holds it answers.
func (t *Table) Of(a netip.Addr) Network {
	a = a.Unmap()
	if !a.IsValid() {
		return Network{}
	}
	for _, s := range t.sources {
		if n, ok := s.of(a); ok {
			return t.named(n)
		}
	}
	return Network{}
}

func (s sourceRanges) of(a netip.Addr) (Network, bool) {
	if a.Is4() {
		x := v4(a)
		i := sort.Search(len(s.v4), func(i int) bool { return s.v4[i].first > x }) - 1
		if i < 0 || s.v4[i].last < x {
			return Network{}, false
		}
		return Network{ASN: s.v4[i].asn, Country: strings.TrimRight(string(s.v4[i].country[:]), "\x00")}, true
	}
	i := sort.Search(len(s.v6), func(i int) bool { return a.Less(s.v6[i].First) }) - 1
	if i < 0 || s.v6[i].Last.Less(a) {
		return Network{}, false
	}
	return Network{ASN: s.v6[i].ASN, Country: s.v6[i].Country}, true
}

// named adds the AS name, and its country when the range gave none.
func (t *Table) named(n Network) Network {
	if nm, ok := t.names[n.ASN]; ok {
		n.Name = nm.Name
		if n.Country == "" {
			n.Country = nm.Country
		}
	}
	return n
}

// ManyAt is how many distinct addresses make loading the whole table
// cheaper than a range query per address. Measured on the 2015 routeviews
// dump (250k ranges) and its 77k AS names (BenchmarkLookupSQL,
// BenchmarkLoadTable, BenchmarkLookupTable): about 90µs an address by SQL
// (a range query per source and one for the name), against 0.9s to load
// the table and then under a microsecond an address.
const ManyAt = 10_000

// Of returns the networks of the addresses among values (a list's client
// or source column: a value that is not an address is left out, as is an
// address no imported range holds). Few addresses are looked up with a
// range query each; many with the table loaded in memory once.
func Of(ctx context.Context, d *db.DB, values []string) (map[string]Network, error) {
	var (
		addrs []netip.Addr
		texts []string
	)
	for _, v := range values {
		if a, err := netip.ParseAddr(v); err == nil {
			addrs, texts = append(addrs, a), append(texts, v)
		}
	}
	out := make(map[string]Network, len(addrs))
	if len(addrs) == 0 {
		return out, nil
	}
	var found []Network
	if len(addrs) < ManyAt {
		var err error
		if found, err = d.NetworksOf(ctx, addrs); err != nil {
			return nil, err
		}
	} else {
		t, err := Load(ctx, d)
		if err != nil {
			return nil, err
		}
		found = make([]Network, len(addrs))
		for i, a := range addrs {
			found[i] = t.Of(a)
		}
	}
	for i, n := range found {
		if n.ASN != 0 {
			out[texts[i]] = n
		}
	}
	return out, nil
}
