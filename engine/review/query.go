package review

import (
	"regexp"
	"slices"
	"strings"

	"github.com/longtail/longtail/engine/categories"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/parallel"
)

// SortKey is a column the list can be sorted by.
type SortKey uint8

// Sort keys, in the order the sort key cycles through them.
const (
	SortCount SortKey = iota
	SortName
	SortClients
	SortFirst
	SortLast
	SortScore // by the stored scores, not a column of the table: see Scores.Order
	numSortKeys
)

// NumSortKeys is how many sort keys there are.
const NumSortKeys = int(numSortKeys)

var sortNames = [numSortKeys]string{"count", "name", "clients", "first seen", "last seen", "score"}

func (k SortKey) String() string { return sortNames[k] }

// ParseSortKey reads a sort key by its name ("first seen" also as
// "first").
func ParseSortKey(s string) (SortKey, bool) {
	for k, n := range sortNames {
		if s == n || s == strings.Fields(n)[0] {
			return SortKey(k), true
		}
	}
	return SortCount, false
}

// Query is everything that decides which rows are shown and in which
// order.
type Query struct {
	// Subject is what is listed (zero: DNS names); Domains rolls its
	// values up to their groups (registered domains, families...).
	Subject  subject.Code
	Domains  bool // rolled up
	Expanded map[uint32]bool
	Sort     SortKey
	Reverse  bool // false: the key's natural order (see Table.Order)
	// Hide leaves out the rows a rule of a verdict decides, by verdict:
	// the screen's "hide known-good" is Hide[rules.Good].
	Hide       [rules.Bad + 1]bool
	HideTop    bool
	TopN       int
	Rare       bool
	RareK      int64
	Unreviewed bool
	HideRanked bool
	RankN      int
	Category   CategoryFilter // hide or show only categories of names
	Fresh      bool           // only what is new since the baseline snapshot
	// HideASN leaves out the rows whose networks (Annotations.Nets: a DNS
	// name's answers', an address's own) are all among these autonomous
	// systems (a whole CDN at once); OnlyASN keeps only those with a
	// network among its (the names and clients of a network). Sorted; nil:
	// off.
	HideASN, OnlyASN []uint32
	// Arrived shows only what arrived during the session: values and
	// groups the workspace did not have when Session was taken.
	Arrived bool    `json:"-"`
	Session Session `json:"-"`
}

// Session is what the workspace held when a review session began (the
// screen opened): the largest value and group ids. Ids only grow, so a
// row with a larger one arrived since, while a follow or a capture ran.
type Session struct {
	MaxName, MaxDomain uint32
	Known              bool // taken: until then nothing has arrived
}

// Counts is how many values and how many groups of a dataset arrived in
// the session: a pass over every row, for the command that loads it.
func (s Session) Counts(data *Dataset) [2]int64 {
	var n [2]int64
	for k, groups := range []bool{false, true} {
		t := data.Table(groups)
		for i := range t.Rows {
			if s.Arrived(&t.Rows[i], groups) {
				n[k]++
			}
		}
	}
	return n
}

// Arrived says whether a row (a group row when domain) arrived in the
// session.
func (s Session) Arrived(r *Row, domain bool) bool {
	if !s.Known {
		return false
	}
	if domain {
		return r.ID > s.MaxDomain
	}
	return r.ID > s.MaxName
}

// Listing is the subject the query lists, DNS names when none is set.
func (q *Query) Listing() subject.Subject {
	if q.Subject == 0 {
		return subject.Must(subject.DNSName)
	}
	return subject.Must(q.Subject)
}

// Line is one visible line: an index into the names (a child, or not
// rolled up) or the domains.
type Line struct {
	Idx   int32
	Child bool // a name shown under its expanded domain
}

// IsDomain says whether the line is a domain row of a list rolled up to
// domains (else its Idx is into the names).
func (l Line) IsDomain(domains bool) bool { return domains && !l.Child }

// Hidden counts what one filter removes (beyond the filters before it).
type Hidden struct{ Rows, Events int64 }

// Result is the visible list and what each filter hid.
type Result struct {
	// The query's shape it was computed for: its lines are read by it.
	Domains     bool
	Sort        SortKey
	Reverse     bool
	Lines       []Line
	Rows        int // lines that are not children of an expanded domain
	ShownEvents int64
	Hid         [NumFilters]Hidden
	// With the rare filter on: RareValues[i] is how many values of group
	// row i were seen at most K times (rolled up; nil else), and
	// RareShown[id] how many rare values of the group with that id the
	// name list shows, one after the other (not rolled up; nil else).
	RareValues []int32
	RareShown  []int32
}

// Filter names one of the list's filters, in the order they apply.
type Filter uint8

// The filters.
const (
	NoFilter Filter = iota
	HideVerdict
	Unreviewed
	HideTop
	Rare
	HideRanked
	HideNetwork // networks all in Query.HideASN, or none in OnlyASN
	Category
	Fresh   // what it leaves is what is new, and the others still apply
	Arrived // last: what arrived in the session (a follow, a capture)
	NumFilters
)

// Compute applies the filters in a fixed order (verdicts, unreviewed,
// top N, rare, ranked, networks, categories, new, arrived), so that each filter's Hidden counts only what
// the ones before it left, and the counts add up. sc and an may be nil
// (not read yet): the score sort then falls back to counts, and the
// filters that need them hide nothing.
func Compute(data *Dataset, v *Verdicts, sc *Scores, an *Annotations, q Query) Result {
	t := data.Table(q.Domains)
	var ord []int32
	switch {
	case q.Sort != SortScore:
		ord = t.Order(q.Sort)
	case sc != nil:
		ord = sc.Order(data, q.Domains)
	default:
		ord = t.Order(SortCount) // the scores are still loading
	}
	if an == nil {
		q.HideRanked, q.Fresh = false, false
	} else if an.Fresh[0] == nil {
		q.Fresh = false // no snapshot: nothing is new, nothing is hidden
	}
	if an == nil || an.Categories == nil {
		q.Category = CategoryFilter{} // not loaded, or nothing categorised
	}
	rows, kids := q.factSource(data, v, an, q.Domains, true), q.factSource(data, v, an, false, false)
	res := Result{Domains: q.Domains, Sort: q.Sort, Reverse: q.Reverse}
	if q.Rare && q.Domains {
		res.RareValues = data.RareValues(q.RareK)
	}
	q.Arrived = q.Arrived && q.Session.Known
	filtering := q.hidesVerdicts() || q.Unreviewed || q.HideTop || q.Rare || q.HideRanked || q.Category.On() || q.Fresh ||
		q.Arrived || rows.nets != nil
	rowFacts := func(i int32) facts {
		f := rows.of(i)
		if res.RareValues != nil {
			f.rare = isRareGroup(res.RareValues[i], int(data.values[i]))
		}
		return f
	}
	// The rows are judged in their own order, then listed in the sort's:
	// judged in the sort's, every row's facts were a cache miss of their
	// own, most of a key's time on a long list.
	var hid []Filter // by row: the filter that hides it
	if filtering {
		hid = q.judge(len(t.Rows), t.Count, rowFacts, &res)
	} else {
		for _, n := range t.Count {
			res.ShownEvents += n
		}
	}
	res.Lines = make([]Line, 0, len(ord)-int(sumRows(res.Hid)))
	expanding := q.Domains && len(q.Expanded) > 0
	visit := func(i int32) {
		if hid != nil && hid[i] != NoFilter {
			return
		}
		res.Lines = append(res.Lines, Line{Idx: i})
		res.Rows++
		if id := t.Rows[i].ID; expanding && q.Expanded[id] {
			for _, c := range data.Children[id] {
				f := kids.of(c)
				if q.hiddenBy(f) == NoFilter {
					res.Lines = append(res.Lines, Line{Idx: c, Child: true})
				}
			}
		}
	}
	if q.Reverse {
		for j := len(ord) - 1; j >= 0; j-- {
			visit(ord[j])
		}
	} else {
		for _, i := range ord {
			visit(i)
		}
	}
	if q.Rare && !q.Domains {
		res.Lines, res.RareShown = byGroup(data, res.Lines)
	}
	return res
}

// isRareGroup says whether a group whose values number all, rare of them
// seen at most K times, is rare: when most of its values are. A tunnel's
// domain is thousands of names each asked once, its total far above K, and
// it is the rarest thing in the log; a group of one value seen K times or
// less is rare as that value is. "Every value" would let one name asked
// often (the tunnel's own apex, a retry) hide the domain; "any value" would
// keep every CDN with one odd name.
func isRareGroup(rare int32, all int) bool { return 2*int(rare) > all }

// RareValues counts, per group row, its values seen at most k times: one
// pass over the values in their own order.
func (d *Dataset) RareValues(k int64) []int32 {
	out := make([]int32, len(d.Domains.Rows))
	for c, n := range d.Names.Count {
		if n > k {
			continue
		}
		if g := d.groupRow[d.Names.Rows[c].DomainID]; g >= 0 {
			out[g]++
		}
	}
	return out
}

// byGroup puts the rare values of one group one after the other, the
// groups in the order of their first value in lines and each group's
// values in their order: twenty subdomains of one tunnel read as one
// thing, not a screen of it. It returns how many values of each group it
// shows, by group id. (Slices by id, not maps: it runs on every key press
// over up to every name.)
func byGroup(data *Dataset, lines []Line) ([]Line, []int32) {
	t := data.Names
	shown := make([]int32, data.maxGroupID+1)
	var order []uint32
	for _, l := range lines {
		id := t.Rows[l.Idx].DomainID
		if shown[id] == 0 {
			order = append(order, id)
		}
		shown[id]++
	}
	next := make([]int32, len(shown))
	at := int32(0)
	for _, id := range order {
		next[id] = at
		at += shown[id]
	}
	out := make([]Line, len(lines))
	for _, l := range lines {
		id := t.Rows[l.Idx].DomainID
		out[next[id]] = l
		next[id]++
	}
	return out, shown
}

func (q *Query) hidesVerdicts() bool {
	return q.Hide[rules.Good] || q.Hide[rules.Suspicious] || q.Hide[rules.Bad]
}

// Simple reports whether q needs nothing but the rows by count and their
// verdicts, which the workspace answers a page at a time (Top).
func (q *Query) Simple() bool { return q.Sort == SortCount && q.paged() }

// paged reports whether q needs nothing but the rows in a stored order
// (by count, or by score: see FirstPage) and their verdicts.
func (q *Query) paged() bool {
	return (q.Sort == SortCount || q.Sort == SortScore) && !q.Reverse && !q.HideTop && !q.Rare && !q.HideRanked &&
		!q.Category.On() && !q.Fresh && !q.Arrived && len(q.Expanded) == 0 && len(q.HideASN)+len(q.OnlyASN) == 0
}

// facts are what the filters look at in a row.
type facts struct {
	verdict rules.Verdict
	// top is the row's place by count, 0 the most visited; -1 for the
	// children of an expanded domain: "the N most visited" is about the
	// rows of the list itself.
	top int32
	// rare: a value seen at most K times, a group most of whose values
	// were (isRareGroup).
	rare    bool
	pop     int32 // popularity rank, 0 unranked
	cats    categories.Set
	fresh   bool
	net     bool // hidden by its networks (Query.netHidden)
	arrived bool // in this session (Query.Session)
}

// factSource is where the facts of one level's rows come from: the list's
// own rows (names, or groups), or the names under an expanded group.
type factSource struct {
	q       *Query
	t       *Table
	domains bool // the rows are groups
	own     bool // the list's own rows: their place by count is a fact
	verd    []rules.Verdict
	pop     []int32
	fresh   []bool
	nets    []networks.Set // nil: the networks filter hides nothing
	cats    []categories.Set
}

// factSource gathers the facts of the rows of one level of data: groups
// when domains is set, names else.
func (q *Query) factSource(data *Dataset, v *Verdicts, an *Annotations, domains, own bool) *factSource {
	s := &factSource{q: q, t: data.Table(domains), domains: domains, own: own, verd: v.Of(domains)}
	if an == nil {
		return s
	}
	s.pop, s.fresh = an.Of(domains)
	if len(q.HideASN)+len(q.OnlyASN) > 0 {
		s.nets = an.Nets[boolIndex(domains)]
	}
	if an.Categories != nil {
		s.cats = an.Categories.Of(domains)
	}
	return s
}

// of returns the facts of row i.
func (s *factSource) of(i int32) facts {
	f := facts{verdict: s.verd[i], top: -1, rare: s.t.Count[i] <= s.q.RareK, arrived: s.q.Session.Arrived(&s.t.Rows[i], s.domains)}
	if s.own {
		f.top = s.t.Rank[i]
	}
	if s.pop != nil {
		f.pop = s.pop[i]
	}
	if s.fresh != nil {
		f.fresh = s.fresh[i]
	}
	if s.nets != nil {
		f.net = s.q.netHidden(s.nets[i])
	}
	if s.cats != nil {
		f.cats = s.cats[i]
	}
	return f
}

// judge says which filter hides each of n rows (of gives a row's facts),
// a long list in two halves side by side, and counts what each filter
// hid and the events of the rows it shows into res.
func (q *Query) judge(n int, count []int64, of func(int32) facts, res *Result) []Filter {
	hid := make([]Filter, n)
	var part [2]struct {
		hid   [NumFilters]Hidden
		shown int64
	}
	half := int32(n / 2)
	judgeRange := func(p int, from, to int32) {
		for i := from; i < to; i++ {
			f := q.hiddenBy(of(i))
			hid[i] = f
			if f == NoFilter {
				part[p].shown += count[i]
				continue
			}
			part[p].hid[f].Rows++
			part[p].hid[f].Events += count[i]
		}
	}
	if n < judgeAlone {
		judgeRange(0, 0, int32(n))
	} else {
		parallel.Run(func() { judgeRange(0, 0, half) }, func() { judgeRange(1, half, int32(n)) })
	}
	for _, p := range part {
		res.ShownEvents += p.shown
		for f := range res.Hid {
			res.Hid[f].Rows += p.hid[f].Rows
			res.Hid[f].Events += p.hid[f].Events
		}
	}
	return hid
}

// judgeAlone is the length of a list judged on one goroutine: starting a
// second costs more than it saves below it.
const judgeAlone = 1 << 14

// sumRows is the rows the filters hid.
func sumRows(hid [NumFilters]Hidden) int64 {
	var n int64
	for _, h := range hid {
		n += h.Rows
	}
	return n
}

// hiddenBy returns the first filter that hides a row, or NoFilter.
func (q *Query) hiddenBy(f facts) Filter {
	switch {
	case f.verdict != rules.None && q.Hide[f.verdict]:
		return HideVerdict
	case q.Unreviewed && f.verdict != rules.None:
		return Unreviewed
	case f.top >= 0 && q.HideTop && int(f.top) < q.TopN:
		return HideTop
	case q.Rare && !f.rare:
		return Rare
	case q.HideRanked && f.pop > 0 && int(f.pop) <= q.RankN:
		return HideRanked
	case f.net:
		return HideNetwork
	case q.Category.On() && q.Category.hides(f.cats):
		return Category
	case q.Fresh && !f.fresh:
		return Fresh
	case q.Arrived && !f.arrived:
		return Arrived
	}
	return NoFilter
}

// netHidden says whether the network filters hide a row of networks s:
// all of them hidden (a row without known networks is not), or none of
// them among the only ones shown.
func (q *Query) netHidden(s networks.Set) bool {
	in := func(asns []uint32) (all, any bool) {
		all = len(s) > 0
		for _, n := range s {
			_, ok := slices.BinarySearch(asns, n.ASN)
			all, any = all && ok, any || ok
		}
		return all, any
	}
	if all, _ := in(q.HideASN); all && len(q.HideASN) > 0 {
		return true
	}
	_, any := in(q.OnlyASN)
	return len(q.OnlyASN) > 0 && !any
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Matcher is a compiled search: a substring, or a regex after "re:" or "~".
type Matcher func(string) bool

// CompileSearch compiles what the analyst typed to search.
func CompileSearch(s string) (Matcher, error) {
	for _, p := range []string{"re:", "~"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			re, err := regexp.Compile(rest)
			if err != nil {
				return nil, err
			}
			return re.MatchString, nil
		}
	}
	// Case does not matter: user agents and paths have it. ToLower
	// returns a value without capitals (every DNS name) as it is.
	needle := strings.ToLower(s)
	return func(name string) bool { return strings.Contains(strings.ToLower(name), needle) }, nil
}

// Search returns the positions in lines whose name matches, as stored or
// as shown (decoded punycode, escaped bytes): the analyst searches for
// what is on the screen.
func Search(data *Dataset, domains bool, lines []Line, m Matcher) []int {
	var out []int
	for p, l := range lines {
		r, _ := data.Row(domains, l)
		if m(r.Name) || m(textsafe.String(names.Display(r.Name))) {
			out = append(out, p)
		}
	}
	return out
}
