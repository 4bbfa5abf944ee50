package review

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/subject"
)

// Networks as what a list is by: the values of a subject counted per
// autonomous system, owner or country of their networks (Annotations.Nets:
// a DNS name's answers', an HTTP client's or logon source's own). They are
// not stored subjects: a network is known only once a table is imported,
// and looked up at query time, so they are grouped here from the loaded
// list rather than kept by the ingest. A DNS name whose answers are in
// two networks counts in both.

// NetKey is what networks are grouped by.
type NetKey uint8

// The groupings.
const (
	ByASN NetKey = iota
	ByOwner
	ByCountry
)

var netKeyNames = [...]string{"asn", "owner", "country"}

func (k NetKey) String() string { return netKeyNames[k] }

// ParseNetKey reads "asn", "owner" or "country".
func ParseNetKey(s string) (NetKey, bool) {
	i := slices.Index(netKeyNames[:], s)
	return NetKey(max(i, 0)), i >= 0
}

// NetworkRow is one network (an AS, an owner, a country) and what of the
// subject it holds.
type NetworkRow struct {
	Key     string   // "AS15169", "GOOGLE", "US"
	ASNs    []uint32 // the autonomous systems in it, sorted
	Name    string   // by ASN: the AS name
	Country string   // by ASN: its country
	Values  int64    // the subject's values in it (DNS names, addresses)
	Events  int64    // their events
	Clients int64    // distinct clients: who asked its names; its addresses
	Top     []string // its busiest values, up to maxTop
}

const maxTop = 3

// ByNetwork groups the values of l (its Annotations.Nets) by key, the
// busiest network first; nil when no network of them is known.
func ByNetwork(ctx context.Context, d *db.DB, l Loaded, key NetKey) ([]NetworkRow, error) {
	return byNetwork(ctx, d, l, key, nil)
}

// ByNetworkShown is ByNetwork over the values a Result of l shows: its
// rows, or when rolled up the values of its groups (a registered domain's
// names), so that the review screen's tally counts what its filters left.
func ByNetworkShown(ctx context.Context, d *db.DB, l Loaded, res Result, key NetKey) ([]NetworkRow, error) {
	data := l.Data
	shown := make([]bool, len(data.Names.Rows))
	for _, ln := range res.Lines {
		switch {
		case ln.Child: // its group counts it
		case res.Domains:
			for _, i := range data.Children[data.Domains.Rows[ln.Idx].ID] {
				shown[i] = true
			}
		default:
			shown[ln.Idx] = true
		}
	}
	return byNetwork(ctx, d, l, key, shown)
}

// byNetwork is ByNetwork over the values shown holds (nil: all).
func byNetwork(ctx context.Context, d *db.DB, l Loaded, key NetKey, shown []bool) ([]NetworkRow, error) {
	nets := l.Annotations.Nets[0]
	if nets == nil {
		return nil, nil
	}
	data := l.Data
	by := map[string]*NetworkRow{}
	ids := map[string][]uint32{}
	var seen []string // the groups of one name
	for _, i := range data.Names.Order(SortCount) {
		if shown != nil && !shown[i] {
			continue
		}
		r := &data.Names.Rows[i]
		seen = seen[:0]
		for _, n := range nets[i] {
			k := netKey(n.Network, key)
			g := by[k]
			if g == nil {
				g = &NetworkRow{Key: k}
				if key == ByASN {
					g.Name, g.Country = n.Name, n.Country
				}
				by[k] = g
			}
			if _, ok := slices.BinarySearch(g.ASNs, n.ASN); !ok {
				g.ASNs = append(g.ASNs, n.ASN)
				slices.Sort(g.ASNs)
			}
			if slices.Contains(seen, k) {
				continue // a name in two ASes of one owner counts once
			}
			seen = append(seen, k)
			g.Values++
			g.Events += r.Count
			if len(g.Top) < maxTop {
				g.Top = append(g.Top, r.Name)
			}
			ids[k] = append(ids[k], r.ID)
		}
	}
	out := make([]NetworkRow, 0, len(by))
	for k, g := range by {
		g.Clients = g.Values // an address is its own client
		if data.Subject.Code == subject.DNSName {
			var err error
			if g.Clients, err = d.ClientsOfNames(ctx, ids[k]); err != nil {
				return nil, err
			}
		}
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b NetworkRow) int {
		if c := cmp.Compare(b.Events, a.Events); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out, nil
}

// netKey is the group of a network under key.
func netKey(n networks.Network, key NetKey) string {
	switch key {
	case ByOwner:
		return networks.Owner(n)
	case ByCountry:
		if n.Country == "" {
			return "?"
		}
		return n.Country
	}
	return "AS" + strconv.FormatUint(uint64(n.ASN), 10)
}
