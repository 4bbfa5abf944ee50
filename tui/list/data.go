package list

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/parallel"
	"github.com/longtail/longtail/tui/common"
)

// Row is one line of the list: a name, or a registered domain when rolled
// up. Domain rows have Domain == Name and Names > 0.
type Row struct {
	ID, DomainID   uint32
	Name, Domain   string
	Count, Clients int64
	First, Last    int64 // unix µs
	Names          int64 // domain rows: distinct names under it
}

// table is one level of the list (names or domains), loaded once and never
// changed, so that background commands may read it while Update runs.
type table struct {
	rows []Row
	// count[i] is rows[i].Count, kept apart because the filter pass reads
	// it for every row in sort order: a dense array keeps that pass within
	// the cache instead of touching a whole Row per name.
	count []int64
	rank  []int32 // rank[i]: 0 for the most visited row
	// orders holds, per sort key, the rows' indices in ascending order,
	// computed the first time a key is asked for.
	once   [numSortKeys]sync.Once
	orders [numSortKeys][]int32
}

// dataset is the whole workspace as the list needs it.
type dataset struct {
	names, domains *table
	children       map[uint32][]int32 // domain id → name indices, by count desc
	stats          db.Stats
	maxCount       int64 // the largest count, for the count column's width
}

func newTable(rows []Row) *table {
	t := &table{rows: rows, count: make([]int64, len(rows)), rank: make([]int32, len(rows))}
	for i := range rows {
		t.count[i] = rows[i].Count
	}
	for r, i := range t.order(SortCount) {
		t.rank[i] = int32(r)
	}
	return t
}

// order returns the row indices in the key's natural order: counts and
// times descending (most, latest first), names ascending; ties by name, so
// the order is the same from one run to the next. Computed once per key.
func (t *table) order(k SortKey) []int32 {
	t.once[k].Do(func() {
		idx := make([]int32, len(t.rows))
		for i := range idx {
			idx[i] = int32(i)
		}
		rows := t.rows
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

// load reads the workspace: every name and domain and the rules, the
// three queries side by side. The totals (stats) are read first, on their
// own, for the loading frame.
func load(ctx context.Context, d *db.DB, stats db.Stats) (*dataset, []rules.Rule, error) {
	var (
		ns   []db.NameRow
		ds   []db.DomainRow
		rs   []rules.Rule
		errs [3]error
	)
	parallel.Run(
		func() { ns, errs[0] = d.AllNames(ctx) },
		func() { ds, errs[1] = d.AllDomains(ctx) },
		func() { rs, errs[2] = d.Rules(ctx) })
	if err := errors.Join(errs[:]...); err != nil {
		return nil, nil, err
	}
	return newDataset(stats, ns, ds), rs, nil
}

func newDataset(stats db.Stats, ns []db.NameRow, ds []db.DomainRow) *dataset {
	nrows := make([]Row, len(ns))
	for i, n := range ns {
		nrows[i] = Row{ID: n.ID, DomainID: n.DomainID, Name: n.Name, Domain: n.Domain,
			Count: n.Count, Clients: n.Clients, First: n.First, Last: n.Last}
	}
	drows := make([]Row, len(ds))
	for i, d := range ds {
		drows[i] = Row{ID: d.ID, DomainID: d.ID, Name: d.Name, Domain: d.Name,
			Count: d.Count, Clients: d.Clients, First: d.First, Last: d.Last, Names: max(1, d.Names)}
	}
	data := &dataset{stats: stats, children: make(map[uint32][]int32, len(drows))}
	parallel.Run(
		func() { data.names = newTable(nrows) },
		func() { data.domains = newTable(drows) })
	for _, d := range drows {
		data.maxCount = max(data.maxCount, d.Count)
	}
	for _, i := range data.names.order(SortCount) {
		data.children[nrows[i].DomainID] = append(data.children[nrows[i].DomainID], i)
	}
	return data
}

// verdicts is the verdict of every row, computed from the rules with a
// Matcher: never stored per name, so a rule acts at once on all of them.
type verdicts struct {
	rules   []rules.Rule
	matcher *rules.Matcher
	names   []rules.Verdict
	domains []rules.Verdict
}

func newVerdicts(data *dataset, rs []rules.Rule) *verdicts {
	m := rules.NewMatcher(rs)
	v := &verdicts{rules: rs, matcher: m}
	match := func(rows []Row) []rules.Verdict {
		out := make([]rules.Verdict, len(rows))
		if len(rs) == 0 {
			return out
		}
		for i := range rows {
			if r, ok := m.Match(rows[i].Name); ok {
				out[i] = r.Verdict
			}
		}
		return out
	}
	parallel.Run(
		func() { v.domains = match(data.domains.rows) },
		func() { v.names = match(data.names.rows) })
	return v
}

// SortKey is a column the list can be sorted by.
type SortKey uint8

// Sort keys, in the order the sort key cycles through them.
const (
	SortCount SortKey = iota
	SortName
	SortClients
	SortFirst
	SortLast
	SortScore // by the stored scores, not a column of the table: see scores.order
	numSortKeys
)

var sortNames = [numSortKeys]string{"count", "name", "clients", "first seen", "last seen", "score"}

func (k SortKey) String() string { return sortNames[k] }

// query is everything that decides which rows are shown and in which order.
type query struct {
	domains    bool // rolled up
	expanded   map[uint32]bool
	sort       SortKey
	reverse    bool // false: the key's natural order (see table.order)
	hideGood   bool
	hideTop    bool
	topN       int
	rare       bool
	rareK      int64
	unreviewed bool
	hideRanked bool
	rankN      int
	fresh      bool // only what is new since the baseline snapshot
}

// line is one visible line: an index into names (child or not rolled up)
// or domains.
type line struct {
	idx   int32
	child bool // a name shown under its expanded domain
}

// isDomain says whether the line is a domain row of a list rolled up to
// domains (else its idx is into the names).
func (l line) isDomain(domains bool) bool { return domains && !l.child }

// row resolves a visible line of a list (rolled up to domains or not) to
// its row and whether that is a domain row. Every read of a line goes
// through here: a child line's idx is into the names, which outnumber the
// domains, so reading it as a domain's is out of range or the wrong row.
func (d *dataset) row(domains bool, l line) (*Row, bool) {
	if l.isDomain(domains) {
		return &d.domains.rows[l.idx], true
	}
	return &d.names.rows[l.idx], false
}

// hidden counts what one filter removes (beyond the filters before it).
type hidden struct{ rows, events int64 }

// result is the visible list and what each filter hid.
type result struct {
	// The query's shape it was computed for: rows are read by it until the
	// next result arrives.
	domains     bool
	sort        SortKey
	reverse     bool
	lines       []line
	rows        int // lines that are not children of an expanded domain
	shownEvents int64
	hid         [numFilters]hidden
}

// filter names one of the list's filters, in the order they apply.
type filter uint8

const (
	noFilter filter = iota
	fGood
	fUnreviewed
	fTop
	fRare
	fRanked
	fFresh // last: what it leaves is what is new, and the others still apply
	numFilters
)

// compute applies the filters in a fixed order (known-good, unreviewed,
// top N, rare, ranked, new), so that each filter's "hides" counts only what
// the ones before it left, and the counts add up.
func compute(data *dataset, v *verdicts, sc *scores, an *annotations, q query) result {
	t, verd := data.names, v.names
	if q.domains {
		t, verd = data.domains, v.domains
	}
	var ord []int32
	switch {
	case q.sort != SortScore:
		ord = t.order(q.sort)
	case sc != nil:
		ord = sc.order(data, q.domains)
	default:
		ord = t.order(SortCount) // the scores are still loading
	}
	if an == nil {
		q.hideRanked, q.fresh = false, false
	} else if an.fresh[0] == nil {
		q.fresh = false // no snapshot: nothing is new, nothing is hidden
	}
	var pop, kidPop []int32
	var fresh, kidFresh []bool
	if an != nil {
		pop, fresh = an.of(q.domains)
		kidPop, kidFresh = an.of(false)
	}
	res := result{domains: q.domains, sort: q.sort, reverse: q.reverse}
	res.lines = make([]line, 0, len(ord))
	filtering := q.hideGood || q.unreviewed || q.hideTop || q.rare || q.hideRanked || q.fresh
	expanding := q.domains && len(q.expanded) > 0
	visit := func(i int32) {
		n := t.count[i]
		if filtering {
			f := facts{verdict: verd[i], top: t.rank[i], count: n}
			if pop != nil {
				f.pop = pop[i]
			}
			if fresh != nil {
				f.fresh = fresh[i]
			}
			if f := q.hiddenBy(f); f != noFilter {
				res.hid[f].rows++
				res.hid[f].events += n
				return
			}
		}
		res.lines = append(res.lines, line{idx: i})
		res.rows++
		res.shownEvents += n
		if id := t.rows[i].ID; expanding && q.expanded[id] {
			for _, c := range data.children[id] {
				f := facts{verdict: v.names[c], top: -1, count: data.names.count[c]}
				if kidPop != nil {
					f.pop = kidPop[c]
				}
				if kidFresh != nil {
					f.fresh = kidFresh[c]
				}
				if q.hiddenBy(f) == noFilter {
					res.lines = append(res.lines, line{idx: c, child: true})
				}
			}
		}
	}
	if q.reverse {
		for j := len(ord) - 1; j >= 0; j-- {
			visit(ord[j])
		}
	} else {
		for _, i := range ord {
			visit(i)
		}
	}
	return res
}

// facts are what the filters look at in a row.
type facts struct {
	verdict rules.Verdict
	// top is the row's place by count, 0 the most visited; -1 for the
	// children of an expanded domain: "the N most visited" is about the
	// rows of the list itself.
	top   int32
	count int64
	pop   int32 // popularity rank, 0 unranked
	fresh bool
}

// hiddenBy returns the first filter that hides a row, or noFilter.
func (q *query) hiddenBy(f facts) filter {
	switch {
	case q.hideGood && f.verdict == rules.Good:
		return fGood
	case q.unreviewed && f.verdict != rules.None:
		return fUnreviewed
	case f.top >= 0 && q.hideTop && int(f.top) < q.topN:
		return fTop
	case q.rare && f.count > q.rareK:
		return fRare
	case q.hideRanked && f.pop > 0 && int(f.pop) <= q.rankN:
		return fRanked
	case q.fresh && !f.fresh:
		return fFresh
	}
	return noFilter
}

// matcher is a compiled search: a substring, or a regex after "re:" or "~".
type matcher func(string) bool

func compileSearch(s string) (matcher, error) {
	for _, p := range []string{"re:", "~"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			re, err := regexp.Compile(rest)
			if err != nil {
				return nil, err
			}
			return re.MatchString, nil
		}
	}
	needle := strings.ToLower(s)
	return func(name string) bool { return strings.Contains(name, needle) }, nil
}

// search returns the positions in lines whose name matches, as stored or as
// shown (decoded punycode, escaped bytes): the analyst searches for what
// is on the screen.
func search(data *dataset, domains bool, lines []line, m matcher) []int {
	var out []int
	for p, l := range lines {
		r, _ := data.row(domains, l)
		if n := r.Name; m(n) || m(common.SafeName(n)) {
			out = append(out, p)
		}
	}
	return out
}
