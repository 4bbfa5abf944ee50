// Package review is the review model: the subjects of a workspace as the
// analyst reviews them, their sorts, the verdict each rule gives, the
// filters that remove what is normal (known-good, the N most visited, the
// rare-K threshold, unreviewed, ranked, new since the baseline) with what
// each hides, and search. The review screen (tui/list) and the headless
// commands (longtail top, new) both answer from it, so what the screen
// shows can be had headless by construction.
//
// It sits above db (it reads the workspace through db's queries) and below
// the screen: no terminal, no Bubble Tea. A Dataset is loaded once and never
// changed, so Compute may run in a background command while the screen
// reads the previous Result.
package review

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/parallel"
)

// Row is one subject of the list: a name, or a registered domain when
// rolled up. Domain rows have Domain == Name and Names > 0.
type Row struct {
	ID, DomainID   uint32
	Name, Domain   string
	Count, Clients int64
	First, Last    int64 // unix µs
	Names          int64 // domain rows: distinct names under it
}

// Table is one level of the list (names or domains).
type Table struct {
	Rows []Row
	// Count[i] is Rows[i].Count, kept apart because the filter pass reads
	// it for every row in sort order: a dense array keeps that pass within
	// the cache instead of touching a whole Row per name.
	Count []int64
	Rank  []int32 // Rank[i]: 0 for the most visited row
	// orders holds, per sort key, the rows' indices in ascending order,
	// computed the first time a key is asked for.
	once   [numSortKeys]sync.Once
	orders [numSortKeys][]int32
}

// Dataset is the whole workspace as a review of one subject needs it.
type Dataset struct {
	Subject        subject.Subject // what the rows are: DNS names, HTTP user agents...
	Names, Domains *Table
	Children       map[uint32][]int32 // domain id → name indices, by count desc
	Stats          db.Stats
	Events         int64  // of the subject: its values' counts summed
	MaxCount       int64  // the largest count, for the count column's width
	maxGroupID     uint32 // the largest group id, for slices by group id
	// groupRow is the row in Domains of each group id (-1: none); values
	// the number of values of each group row: Children's lengths, for the
	// passes over every row that a map lookup a row would slow.
	groupRow, values []int32
	// First and Last bound the subject's dated events (unix µs, 0 when
	// none is): an undated event is stored at 0, and the workspace's span
	// (Stats) would then reach back to 1970 and squash every time axis.
	// A group first seen at 0 beside dated events (a workspace written
	// before first seen skipped undated events, db's minKnown) counts
	// from its last seen.
	First, Last int64
}

// NewTable builds a table over rows.
func NewTable(rows []Row) *Table {
	t := &Table{Rows: rows, Count: make([]int64, len(rows)), Rank: make([]int32, len(rows))}
	for i := range rows {
		t.Count[i] = rows[i].Count
	}
	for r, i := range t.Order(SortCount) {
		t.Rank[i] = int32(r)
	}
	return t
}

// Order returns the row indices in the key's natural order: counts and
// times descending (most, latest first), names ascending; ties by name, so
// the order is the same from one run to the next. Computed once per key.
func (t *Table) Order(k SortKey) []int32 {
	t.once[k].Do(func() {
		idx := make([]int32, len(t.Rows))
		for i := range idx {
			idx[i] = int32(i)
		}
		rows := t.Rows
		var by func(a, b *Row) int
		switch k {
		case SortName:
			by = func(a, b *Row) int { return 0 }
		case SortClients:
			by = func(a, b *Row) int { return cmp.Compare(b.Clients, a.Clients) }
		case SortFirst:
			by = func(a, b *Row) int { return cmp.Compare(b.First, a.First) }
		case SortLast:
			by = func(a, b *Row) int { return cmp.Compare(b.Last, a.Last) }
		default:
			by = func(a, b *Row) int { return cmp.Compare(b.Count, a.Count) }
		}
		slices.SortFunc(idx, func(a, b int32) int {
			ra, rb := &rows[a], &rows[b]
			if c := by(ra, rb); c != 0 {
				return c
			}
			return strings.Compare(ra.Name, rb.Name)
		})
		t.orders[k] = idx
	})
	return t.orders[k]
}

// Load reads the workspace's values of a subject (names) and their groups
// (domains) and the rules, the three queries side by side. stats are the
// totals, read before for a loading frame.
func Load(ctx context.Context, d *db.DB, stats db.Stats, sub subject.Subject) (*Dataset, []rules.Rule, error) {
	var (
		ns   []db.NameRow
		ds   []db.DomainRow
		rs   []rules.Rule
		errs [3]error
	)
	parallel.Run(
		func() { ns, errs[0] = d.AllNames(ctx, sub.Code) },
		func() { ds, errs[1] = d.AllDomains(ctx, sub.Code) },
		func() { rs, errs[2] = d.Rules(ctx) })
	if err := errors.Join(errs[:]...); err != nil {
		return nil, nil, err
	}
	return NewDataset(stats, sub, ns, ds), rs, nil
}

// NewDataset builds a dataset from the workspace's values of a subject and
// their groups.
func NewDataset(stats db.Stats, sub subject.Subject, ns []db.NameRow, ds []db.DomainRow) *Dataset {
	nrows, drows := rowsOf(ns, nameRow), rowsOf(ds, domainRow)
	data := &Dataset{Subject: sub, Stats: stats, Children: make(map[uint32][]int32, len(drows))}
	parallel.Run(
		func() { data.Names = NewTable(nrows) },
		func() { data.Domains = NewTable(drows) })
	for _, d := range drows {
		data.MaxCount = max(data.MaxCount, d.Count)
		data.Events += d.Count
		data.maxGroupID = max(data.maxGroupID, d.ID)
		if d.Last > 0 {
			first := cmp.Or(d.First, d.Last)
			if data.First == 0 || first < data.First {
				data.First = first
			}
			data.Last = max(data.Last, d.Last)
		}
	}
	for _, n := range nrows {
		data.maxGroupID = max(data.maxGroupID, n.DomainID)
	}
	for _, i := range data.Names.Order(SortCount) {
		data.Children[nrows[i].DomainID] = append(data.Children[nrows[i].DomainID], i)
	}
	data.groupRow, data.values = make([]int32, data.maxGroupID+1), make([]int32, len(drows))
	for id := range data.groupRow {
		data.groupRow[id] = -1
	}
	for i, d := range drows {
		data.groupRow[d.ID] = int32(i)
		data.values[i] = int32(len(data.Children[d.ID]))
	}
	return data
}

func nameRow(n db.NameRow) Row {
	return Row{ID: n.ID, DomainID: n.DomainID, Name: n.Name, Domain: n.Domain,
		Count: n.Count, Clients: n.Clients, First: n.First, Last: n.Last}
}

func domainRow(d db.DomainRow) Row {
	return Row{ID: d.ID, DomainID: d.ID, Name: d.Name, Domain: d.Name,
		Count: d.Count, Clients: d.Clients, First: d.First, Last: d.Last, Names: max(1, d.Names)}
}

func rowsOf[T any](in []T, row func(T) Row) []Row {
	out := make([]Row, len(in))
	for i, r := range in {
		out[i] = row(r)
	}
	return out
}

// Table returns the names, or the domains when rolled up.
func (d *Dataset) Table(domains bool) *Table {
	if domains {
		return d.Domains
	}
	return d.Names
}

// Row resolves a line of a list (rolled up to domains or not) to its row
// and whether that is a domain row. Every read of a line goes through
// here: a child line's index is into the names, which outnumber the
// domains, so reading it as a domain's is out of range or the wrong row.
func (d *Dataset) Row(domains bool, l Line) (*Row, bool) {
	if l.IsDomain(domains) {
		return &d.Domains.Rows[l.Idx], true
	}
	return &d.Names.Rows[l.Idx], false
}

// Verdicts is the verdict of every row, computed from the rules with a
// Matcher: never stored per name, so a rule acts at once on all of them.
type Verdicts struct {
	Rules   []rules.Rule
	Matcher *rules.Matcher
	Names   []rules.Verdict
	Domains []rules.Verdict
}

// NewVerdicts matches every row of data against the rules of rs for its
// subject.
func NewVerdicts(data *Dataset, rs []rules.Rule) *Verdicts {
	m := rules.NewMatcher(rs, data.Subject.Code)
	v := &Verdicts{Rules: rs, Matcher: m}
	match := func(rows []Row, groups bool) []rules.Verdict {
		out := make([]rules.Verdict, len(rows))
		if m.Len() == 0 {
			return out
		}
		for i := range rows {
			if r, ok := m.MatchRow(rows[i].Name, rows[i].Domain, groups); ok {
				out[i] = r.Verdict
			}
		}
		return out
	}
	parallel.Run(
		func() { v.Domains = match(data.Domains.Rows, true) },
		func() { v.Names = match(data.Names.Rows, false) })
	return v
}

// Of returns the verdicts of the names, or of the domains.
func (v *Verdicts) Of(domains bool) []rules.Verdict {
	if domains {
		return v.Domains
	}
	return v.Names
}
