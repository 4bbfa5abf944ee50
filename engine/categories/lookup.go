// Package categories gives names the categories of open lists (UT1's
// adult, gambling, malware...; any plain, hosts or adblock list given a
// category): it reads the lists (Read), stores them in the workspace
// (Import) and looks up the categories of the names a list shows (Of),
// once per distinct name, when the list is loaded: never on the ingest
// path. A name takes the categories of itself and of its parent domains:
// www.x.y.com those of x.y.com and y.com, as UT1 means its entries.
//
// Categories are context, like popularity ranks: they are shown and
// filtered on, and become verdict rules only when the analyst asks
// (import-list --verdict with --category).
package categories

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/longtail/longtail/db"
)

// Set is a set of category ids (1..255), a bit each.
type Set [4]uint64

// Add puts id in the set.
func (s *Set) Add(id byte) { s[id>>6] |= 1 << (id & 63) }

// Has says whether id is in the set.
func (s Set) Has(id byte) bool { return s[id>>6]&(1<<(id&63)) != 0 }

// Empty says whether the set has no category.
func (s Set) Empty() bool { return s == Set{} }

// Meets says whether the sets share a category.
func (s Set) Meets(o Set) bool {
	return s[0]&o[0] != 0 || s[1]&o[1] != 0 || s[2]&o[2] != 0 || s[3]&o[3] != 0
}

// Union is the categories of both.
func (s Set) Union(o Set) Set {
	return Set{s[0] | o[0], s[1] | o[1], s[2] | o[2], s[3] | o[3]}
}

// IDs lists the set's ids in increasing order.
func (s Set) IDs() []byte {
	var out []byte
	for id := 1; id <= db.MaxCategories; id++ {
		if s.Has(byte(id)) {
			out = append(out, byte(id))
		}
	}
	return out
}

// Catalog names the workspace's categories by id.
type Catalog struct {
	names []string // by id; "" unused
}

// NewCatalog wraps the names by id (index 0 unused), as
// db.CategoryNames returns them.
func NewCatalog(byID []string) *Catalog { return &Catalog{names: byID} }

// LoadCatalog reads the workspace's categories.
func LoadCatalog(ctx context.Context, d *db.DB) (*Catalog, error) {
	n, err := d.CategoryNames(ctx)
	return NewCatalog(n), err
}

// Len is how many categories there are.
func (c *Catalog) Len() int {
	n := 0
	for _, s := range c.names {
		if s != "" {
			n++
		}
	}
	return n
}

// All returns every category's name, sorted.
func (c *Catalog) All() []string {
	var out []string
	for _, s := range c.names {
		if s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Names returns the names of the set's categories, sorted.
func (c *Catalog) Names(s Set) []string {
	var out []string
	for _, id := range s.IDs() {
		if int(id) < len(c.names) && c.names[id] != "" {
			out = append(out, c.names[id])
		}
	}
	slices.Sort(out)
	return out
}

// Parse reads category names separated by commas or spaces into a set; it
// returns the names no category has, for the analyst to be told.
func (c *Catalog) Parse(text string) (Set, []string) {
	var s Set
	var unknown []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' }) {
		w = strings.ToLower(w)
		id := slices.Index(c.names, w)
		if id <= 0 {
			unknown = append(unknown, w)
			continue
		}
		s.Add(byte(id))
	}
	return s, unknown
}

// ShortLen is how many characters of a category's name a list shows.
const ShortLen = 9

// Short is a set as a list's narrow column shows it: the first category's
// name cut to ShortLen, and how many others there are ("publicite+1");
// the drill-down shows them all (Catalog.Names).
func (c *Catalog) Short(s Set) string {
	ns := c.Names(s)
	if len(ns) == 0 {
		return ""
	}
	first := ns[0]
	if r := []rune(first); len(r) > ShortLen {
		first = string(r[:ShortLen])
	}
	if len(ns) > 1 {
		return first + "+" + strconv.Itoa(len(ns)-1)
	}
	return first
}

// Parents returns name and the parent domains whose categories it takes,
// the name first: www.x.y.com, x.y.com, y.com. A single label (a TLD) is
// no parent: lists do not mean a whole TLD. An address is only itself, and
// no name's parent (7.192.0.2.7 is not below 192.0.2.7).
func Parents(name string) []string {
	var out []string
	eachParent(name, func(p string) { out = append(out, p) })
	return out
}

// eachParent calls fn with name and each of its parents (Parents), without
// allocating: a list looks up every name it shows.
func eachParent(name string, fn func(string)) {
	fn(name)
	if looksLikeAddress(name) {
		return
	}
	for {
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return
		}
		name = name[i+1:]
		if strings.IndexByte(name, '.') < 0 || looksLikeAddress(name) {
			return
		}
		fn(name)
	}
}

// looksLikeAddress says whether s is an IP address; the cheap test first,
// since nearly every name is not.
func looksLikeAddress(s string) bool {
	if s == "" || (s[0] < '0' || s[0] > '9') && !strings.Contains(s, ":") {
		return false
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// Lookup costs, measured by BenchmarkLookupKey and BenchmarkLookupScan on
// the UT1 lists here (369k names; bench_test.go): a primary-key query per
// distinct name or parent (13.5µs) against one pass over every stored name
// (0.6µs a name: 0.22s). Of picks the cheaper: past about one key for 22
// stored names (16k keys, some 5k names of a list, here; 200k keys against
// UT1's full 4.6M adult names), the pass.
const (
	costQueryNs = 13_500 // one name looked up by its key
	costRowNs   = 600    // one stored name read in the pass
)

// Of returns the categories of each of names (a name the lists do not
// categorise, nor any of its parents, is absent). Each distinct name and
// parent is asked for once: by a key lookup each when they are few
// against the stored names, else in one pass over the table with the
// wanted names in a set in memory.
func Of(ctx context.Context, d *db.DB, names []string) (map[string]Set, error) {
	stored, err := d.CategorisedNames(ctx)
	if err != nil || stored == 0 || len(names) == 0 {
		return map[string]Set{}, err
	}
	want := wanted(names)
	if int64(len(want))*costQueryNs < stored*costRowNs {
		err = byKey(ctx, d, want)
	} else {
		err = byScan(ctx, d, want)
	}
	if err != nil {
		return nil, err
	}
	return inherit(names, want), nil
}

// wanted is every distinct name and parent of names, to be filled in.
func wanted(names []string) map[string]Set {
	want := make(map[string]Set, 2*len(names))
	for _, n := range names {
		eachParent(n, func(p string) { want[p] = Set{} })
	}
	return want
}

// byKey fills want with a key lookup per name.
func byKey(ctx context.Context, d *db.DB, want map[string]Set) error {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	cats, err := d.CategoriesOfNames(ctx, keys)
	if err != nil {
		return err
	}
	for i, k := range keys {
		want[k] = setOf(cats[i])
	}
	return nil
}

// byScan fills want in one pass over every stored name.
func byScan(ctx context.Context, d *db.DB, want map[string]Set) error {
	return d.EachCategorised(ctx, func(name string, cats []byte) {
		if s, ok := want[name]; ok {
			want[name] = s.Union(setOf(cats))
		}
	})
}

// inherit gives each name the union of its own and its parents'
// categories.
func inherit(names []string, found map[string]Set) map[string]Set {
	out := map[string]Set{}
	for _, n := range names {
		var s Set
		eachParent(n, func(p string) { s = s.Union(found[p]) })
		if !s.Empty() {
			out[n] = s
		}
	}
	return out
}

func setOf(ids []byte) Set {
	var s Set
	for _, id := range ids {
		s.Add(id)
	}
	return s
}
