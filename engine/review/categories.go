package review

import (
	"cmp"
	"context"
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/categories"
)

// Categories are the categories of every row of a list of host names (DNS
// names, HTTP hosts), from the imported category lists: looked up once
// per distinct name and parent domain when the list is loaded
// (categories.Of), never at ingest.
type Categories struct {
	Catalog *categories.Catalog
	Sets    [2][]categories.Set // names, domains: by row index
}

// loadCategories reads the categories of the dataset's rows; nil when the
// values are not host names or no list was imported.
func loadCategories(ctx context.Context, d *db.DB, data *Dataset) (*Categories, error) {
	if !data.Subject.Hostname {
		return nil, nil
	}
	cat, err := categories.LoadCatalog(ctx, d)
	if err != nil || cat.Len() == 0 {
		return nil, err
	}
	names := make([]string, 0, len(data.Names.Rows)+len(data.Domains.Rows))
	for _, r := range data.Names.Rows {
		names = append(names, r.Name)
	}
	for _, r := range data.Domains.Rows {
		names = append(names, r.Name)
	}
	found, err := categories.Of(ctx, d, names)
	if err != nil {
		return nil, err
	}
	return NewCategories(data, cat, found), nil
}

// NewCategories lays the categories found by name out by row.
func NewCategories(data *Dataset, cat *categories.Catalog, found map[string]categories.Set) *Categories {
	c := &Categories{Catalog: cat}
	for k, t := range []*Table{data.Names, data.Domains} {
		c.Sets[k] = make([]categories.Set, len(t.Rows))
		for i, r := range t.Rows {
			c.Sets[k][i] = found[r.Name]
		}
	}
	return c
}

// Of returns the categories of the names, or of the domains.
func (c *Categories) Of(domains bool) []categories.Set {
	if domains {
		return c.Sets[1]
	}
	return c.Sets[0]
}

// CategoryFilter is the list's category filter: hide the rows in any of
// Hide ("hide cdn, update, ads"), show only those in one of Only.
type CategoryFilter struct {
	Hide, Only categories.Set
}

// On says whether the filter hides anything.
func (f CategoryFilter) On() bool { return !f.Hide.Empty() || !f.Only.Empty() }

// hides says whether the filter hides a row of the categories s.
func (f CategoryFilter) hides(s categories.Set) bool {
	return s.Meets(f.Hide) || (!f.Only.Empty() && !s.Meets(f.Only))
}

// Uncategorised names the tally of the rows no list categorises.
const Uncategorised = "(none)"

// CategoryCount is one category's share of a list: its rows and their
// events. A row of several categories counts in each.
type CategoryCount struct {
	Category string
	Rows     int64
	Events   int64
}

// ByCategory tallies the rows a Result shows (not the children of
// expanded domains) by category, the most events first, the uncategorised
// rows last: "how many queries went to adult, gambling, malware" under the
// list's filters. Category is not a subject of its own: a name has
// several, and its rows are the list's rows, so it is a tally over them
// rather than another stored roll-up.
func ByCategory(data *Dataset, c *Categories, res Result) []CategoryCount {
	t := data.Table(res.Domains)
	by := map[string]*CategoryCount{}
	eachCategory(data, c, res, func(name string, idx int32) {
		cc := by[name]
		if cc == nil {
			cc = &CategoryCount{Category: name}
			by[name] = cc
		}
		cc.Rows++
		cc.Events += t.Count[idx]
	})
	none, hasNone := by[Uncategorised]
	delete(by, Uncategorised)
	out := make([]CategoryCount, 0, len(by)+1)
	for _, cc := range by {
		out = append(out, *cc)
	}
	slices.SortFunc(out, func(a, b CategoryCount) int {
		if c := cmp.Compare(b.Events, a.Events); c != 0 {
			return c
		}
		return cmp.Compare(a.Category, b.Category)
	})
	if hasNone {
		out = append(out, *none)
	}
	return out
}

// eachCategory calls fn for each category of each row a Result shows (not
// the children of expanded domains), Uncategorised for a row of none.
func eachCategory(data *Dataset, c *Categories, res Result, fn func(category string, idx int32)) {
	var sets []categories.Set
	if c != nil {
		sets = c.Of(res.Domains)
	}
	for _, l := range res.Lines {
		if l.Child {
			continue
		}
		var names []string
		if sets != nil {
			names = c.Catalog.Names(sets[l.Idx])
		}
		if len(names) == 0 {
			fn(Uncategorised, l.Idx)
		}
		for _, name := range names {
			fn(name, l.Idx)
		}
	}
}

// CategoryClients counts the distinct clients of each category's rows in
// a Result, grouped as ByCategory groups them: who asked for gambling
// sites. It queries the workspace, so it is apart from ByCategory, which
// the category prompt needs at once.
func CategoryClients(ctx context.Context, d *db.DB, data *Dataset, c *Categories, res Result) (map[string]int64, error) {
	ids := map[string][]uint32{}
	eachCategory(data, c, res, func(name string, idx int32) {
		if !res.Domains {
			ids[name] = append(ids[name], data.Names.Rows[idx].ID)
			return
		}
		for _, i := range data.Children[data.Domains.Rows[idx].ID] {
			ids[name] = append(ids[name], data.Names.Rows[i].ID)
		}
	})
	out := make(map[string]int64, len(ids))
	for name, v := range ids {
		n, err := d.ClientsOfNames(ctx, v)
		if err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, nil
}

// RunByCategory answers q as a tally by category (ByCategory), for
// longtail top --by category.
func RunByCategory(ctx context.Context, d *db.DB, q Query) ([]CategoryCount, error) {
	l, err := LoadAll(ctx, d, db.Stats{}, q.Listing())
	if err != nil {
		return nil, err
	}
	q.Expanded = nil
	res := Compute(l.Data, l.Verdicts, l.Scores, l.Annotations, q)
	return ByCategory(l.Data, l.Annotations.Categories, res), nil
}

// itemCategories gives each item of a paged answer its categories, looked
// up for those rows only.
func itemCategories(ctx context.Context, d *db.DB, a *Answer) error {
	cat, err := categories.LoadCatalog(ctx, d)
	if err != nil || cat.Len() == 0 {
		return err
	}
	names := make([]string, len(a.Items))
	for i, it := range a.Items {
		names[i] = it.Name
	}
	found, err := categories.Of(ctx, d, names)
	if err != nil {
		return err
	}
	for i := range a.Items {
		a.Items[i].Categories = cat.Names(found[a.Items[i].Name])
	}
	return nil
}
