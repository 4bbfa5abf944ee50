package review

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
)

var ctx = context.Background()

type count = testws.Count

// workspace holds an OpenDNS CSV log with the given counts and the rules
// typed as "bad *.evil.example".
func workspace(t *testing.T, counts []count, typed ...string) *db.DB {
	t.Helper()
	d := testws.Counts(t, counts...)
	var rs []rules.Rule
	for _, s := range typed {
		var word, pattern string
		fmt.Sscan(s, &word, &pattern)
		v, _ := rules.ParseVerdict(word)
		p, scope, err := rules.ParsePattern(pattern)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, rules.Rule{Pattern: p, Scope: scope, Verdict: v, Created: time.Now()})
	}
	if _, _, err := d.PutRules(ctx, rs); err != nil {
		t.Fatal(err)
	}
	return d
}

func listed(a Answer) []string {
	var out []string
	for _, it := range a.Items {
		out = append(out, fmt.Sprintf("%s %d %s", it.Name, it.Count, it.Verdict))
	}
	return out
}

func run(t *testing.T, d *db.DB, q Query, limit int) Answer {
	t.Helper()
	a, err := Run(ctx, d, q, limit)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestRunAnswersLikeTheScreen: the filters the screen offers, headless,
// with what each hides adding up to the whole.
func TestRunAnswersLikeTheScreen(t *testing.T) {
	var counts []count
	for i := range 30 {
		counts = append(counts, count{Name: fmt.Sprintf("n%02d.good.example", i), N: 20})
	}
	counts = append(counts, count{Name: "bad.example", N: 4}, count{Name: "www.bad.example", N: 3}, count{Name: "a.sus.example", N: 2},
		count{Name: "free.example", N: 2}, count{Name: "www.free.example", N: 1}, count{Name: "rare.example", N: 1})
	d := workspace(t, counts, "good *.good.example", "bad bad.example", "suspicious *.sus.example", "good www.free.example")

	var q Query
	if got := listed(run(t, d, q, 2)); !slices.Equal(got, []string{"n00.good.example 20 good", "n01.good.example 20 good"}) {
		t.Errorf("top 2 = %q", got)
	}
	q.Hide[rules.Good] = true
	a := run(t, d, q, 3)
	if got := listed(a); !slices.Equal(got, []string{"bad.example 4 bad", "www.bad.example 3 none", "a.sus.example 2 suspicious"}) {
		t.Errorf("top 3 hiding good = %q", got)
	}
	if res := computed(t, d, q); res.Hid[HideVerdict] != (Hidden{Rows: 31, Events: 601}) || res.Rows != 5 {
		t.Errorf("hid %+v, shown %d", res.Hid[HideVerdict], res.Rows)
	}
	q = Query{Unreviewed: true}
	if got := listed(run(t, d, q, 0)); !slices.Equal(got, []string{"www.bad.example 3 none", "free.example 2 none", "rare.example 1 none"}) {
		t.Errorf("unreviewed = %q", got)
	}
	// The talk's "seen fewer than 3 times", sorted by name, the names of
	// one domain together.
	q = Query{Rare: true, RareK: 2, Sort: SortName}
	if got := listed(run(t, d, q, 0)); !slices.Equal(got, []string{"a.sus.example 2 suspicious", "free.example 2 none", "www.free.example 1 good", "rare.example 1 none"}) {
		t.Errorf("rare = %q", got)
	}
	q.Hide[rules.Good] = true
	res := computed(t, d, q)
	var hidden int64
	for _, h := range res.Hid {
		hidden += h.Rows
	}
	if hidden+int64(res.Rows) != 36 || res.Hid[HideVerdict].Rows != 31 || res.Hid[Rare].Rows != 2 {
		t.Errorf("hidden %+v + shown %d: want 31 known-good and 2 more than twice, 36 in all", res.Hid, res.Rows)
	}
	q = Query{HideTop: true, TopN: 32, Reverse: true}
	if got := listed(run(t, d, q, 0)); !slices.Equal(got, []string{"www.free.example 1 good", "rare.example 1 none", "free.example 2 none", "a.sus.example 2 suspicious"}) {
		t.Errorf("all but the 32 most visited, least first = %q", got)
	}
	// A domain's verdict is a Domain rule's, which covers all its names: a
	// Name rule on its bare name (bad.example) decides that name only, and
	// free.example has none though www.free.example is good.
	q = Query{Domains: true}
	q.Hide[rules.Good] = true
	if got := listed(run(t, d, q, 0)); !slices.Equal(got, []string{"bad.example 7 none", "free.example 3 none", "sus.example 2 suspicious", "rare.example 1 none"}) {
		t.Errorf("domains hiding good = %q", got)
	}
}

// TestRareMeansRareAtEachLevel: rolled up, a domain is rare when most of
// its names are, however many events they add up to (a tunnel: many names
// asked once, its apex asked often), and shows how many of them are; a
// domain with one odd name among busy ones is not. Not rolled up, the rare
// names of one domain come one after the other, in the order of the
// domain's first.
func TestRareMeansRareAtEachLevel(t *testing.T) {
	counts := []count{{Name: "t.example", N: 40}, {Name: "www.busy.example", N: 30}, {Name: "busy.example", N: 25},
		{Name: "odd.busy.example", N: 1}, {Name: "lone.example", N: 2}, {Name: "often.example", N: 9}}
	for i := range 20 {
		counts = append(counts, count{Name: fmt.Sprintf("x%02d.t.example", i), N: 1 + i%2})
	}
	d := workspace(t, counts)
	q := Query{Domains: true, Rare: true, RareK: 2}
	if got := listed(run(t, d, q, 0)); !slices.Equal(got, []string{"t.example 70 none", "lone.example 2 none"}) {
		t.Errorf("rare domains = %q", got)
	}
	res := computed(t, d, q)
	data, _, err := Load(ctx, d, db.Stats{}, subject.Must(subject.DNSName))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res.Lines {
		r, _ := data.Row(true, l)
		if want := map[string]int32{"t.example": 20, "lone.example": 1}[r.Name]; res.RareValues[l.Idx] != want {
			t.Errorf("%s: %d rare names, want %d", r.Name, res.RareValues[l.Idx], want)
		}
	}
	if res.Hid[Rare] != (Hidden{Rows: 2, Events: 65}) {
		t.Errorf("rare hid %+v, want busy.example and often.example", res.Hid[Rare])
	}
	q = Query{Rare: true, RareK: 1}
	got := listed(run(t, d, q, 0))
	want := []string{"odd.busy.example 1 none"}
	for i := range 10 {
		want = append(want, fmt.Sprintf("x%02d.t.example 1 none", 2*i))
	}
	if !slices.Equal(got, want) {
		t.Errorf("rare names = %q", got)
	}
	res = computed(t, d, q)
	busy, tunnel := data.Names.Rows[res.Lines[0].Idx].DomainID, data.Names.Rows[res.Lines[1].Idx].DomainID
	groups := 0
	for _, n := range res.RareShown {
		if n > 0 {
			groups++
		}
	}
	if groups != 2 || res.RareShown[busy] != 1 || res.RareShown[tunnel] != 10 {
		t.Errorf("rare shown by domain: %v", res.RareShown)
	}
}

// computed is the screen's Compute on the workspace, without scores or
// ranks.
func computed(t *testing.T, d *db.DB, q Query) Result {
	t.Helper()
	data, rs, err := Load(ctx, d, db.Stats{}, subject.Must(subject.DNSName))
	if err != nil {
		t.Fatal(err)
	}
	return Compute(data, NewVerdicts(data, rs), nil, nil, q)
}

// TestPagedAnswersAsTheScreen: the busiest rows read a page at a time give
// what loading the whole workspace gives, scores, ranks and newness
// included, whatever is hidden; by count or (the first screen's) by score.
func TestPagedAnswersAsTheScreen(t *testing.T) {
	var counts []count
	for i := range 1500 {
		counts = append(counts, count{Name: fmt.Sprintf("n%04d.good.example", i), N: 3 + i%5})
	}
	counts = append(counts, count{Name: "bad.example", N: 4}, count{Name: "www.bad.example", N: 3}, count{Name: "rare.example", N: 1})
	d := workspace(t, counts, "good *.good.example", "bad bad.example")
	if _, err := d.PutRanks(ctx, "test", func(add func(string, int)) error {
		add("good.example", 7)
		add("n0001.good.example", 3)
		add("bad.example", 900)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateSnapshot(ctx, "before"); err != nil {
		t.Fatal(err)
	}
	// New since the snapshot: a name of a known domain, and a new domain.
	later := filepath.Join(t.TempDir(), "later.csv")
	os.WriteFile(later, []byte("03/21/2024 10:00:00,new.bad.example,A,300,192.0.2.1\n03/21/2024 10:00:01,fresh.example,A,300,192.0.2.1\n"), 0o644)
	if _, err := ingest.Run(ctx, d, []string{later}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := score.Run(ctx, d); err != nil {
		t.Fatal(err)
	}
	var queries []Query
	for _, domains := range []bool{false, true} {
		q := Query{Domains: domains}
		queries = append(queries, q)
		q.Hide[rules.Good] = true
		queries = append(queries, q, Query{Domains: domains, Unreviewed: true})
		// The first screen's order: by score (the scored rows; the
		// screen's puts the unscored, known-good ones, after them).
		q.Sort = SortScore
		queries = append(queries, q, Query{Domains: domains, Sort: SortScore})
	}
	seen := map[string]bool{}
	for _, q := range queries {
		for _, limit := range []int{1, 3, 50, maxPaged} {
			paged, err := runPaged(ctx, d, q, limit)
			if err != nil {
				t.Fatal(err)
			}
			all, err := runAll(ctx, d, q, limit)
			if err != nil {
				t.Fatal(err)
			}
			if q.Sort == SortScore {
				all.Items = slices.DeleteFunc(all.Items, func(it Item) bool { return it.Score == NoScore })
			}
			if paged.Since == "" || !reflect.DeepEqual(paged, all) {
				t.Errorf("query %+v, limit %d: paged\n%+v\nloading all\n%+v", q, limit, paged, all)
			}
			for _, it := range paged.Items {
				seen["fresh"] = seen["fresh"] || it.Fresh
				seen["ranked"] = seen["ranked"] || it.Rank > 0
				seen["scored"] = seen["scored"] || it.Score != NoScore
			}
		}
	}
	if !seen["fresh"] || !seen["ranked"] || !seen["scored"] {
		t.Errorf("the answers compared lack a fresh, ranked or scored row: %v", seen)
	}
}

// A search ignores case: values other than DNS names have capitals.
func TestSearchIgnoresCase(t *testing.T) {
	m, err := CompileSearch("MSIE 4.0")
	if err != nil {
		t.Fatal(err)
	}
	if !m("Mozilla/3.0 (compatible; MSIE 4.0; Win32)") || !m("mozilla/3.0 (compatible; msie 4.0; win32)") || m("MSIE 6.0") {
		t.Error("substring search is not case-insensitive")
	}
}

// The session filter keeps the values and groups whose ids are above those
// the workspace had when the session began, after every other filter, and
// counts what it hid; before the session is taken it hides nothing.
func TestArrivedKeepsWhatCameAfterTheSessionBegan(t *testing.T) {
	d := workspace(t, []count{{Name: "old.example", N: 5}, {Name: "www.old.example", N: 3}, {Name: "good.example", N: 4}},
		"good *.good.example")
	name, dom, err := d.LargestIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "more.csv")
	more := "03/21/2024 10:00:00,new.old.example,A,300,192.0.2.1\n03/21/2024 10:00:01,new.old.example,A,300,192.0.2.1\n" +
		"03/21/2024 10:00:02,fresh.example,A,300,192.0.2.1\n03/21/2024 10:00:03,x.good.example,A,300,192.0.2.1\n" +
		"03/21/2024 10:00:04,old.example,A,300,192.0.2.1\n"
	if err := os.WriteFile(log, []byte(more), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, d, []string{log}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	q := Query{Arrived: true}
	q.Hide[rules.Good] = true
	if res := computed(t, d, q); res.Rows != 4 {
		t.Errorf("before the session is taken, arrived left %d of the 4 names not known-good", res.Rows)
	}
	q.Session = Session{MaxName: name, MaxDomain: dom, Known: true}
	var got []string
	for _, it := range run(t, d, q, 0).Items {
		got = append(got, it.Name)
	}
	slices.Sort(got)
	if want := []string{"fresh.example", "new.old.example"}; !slices.Equal(got, want) {
		t.Errorf("arrived names = %q, want %q (x.good.example is known-good)", got, want)
	}
	if res := computed(t, d, q); res.Hid[Arrived] != (Hidden{Rows: 2, Events: 9}) {
		t.Errorf("arrived hid %+v, want old.example and www.old.example (6+3 events)", res.Hid[Arrived])
	}
	q.Domains = true
	got = got[:0]
	for _, it := range run(t, d, q, 0).Items {
		got = append(got, it.Name)
	}
	if !slices.Equal(got, []string{"fresh.example"}) {
		t.Errorf("arrived domains = %q, want the one new registered domain", got)
	}
}
