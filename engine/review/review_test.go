package review

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
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
	if a.Hid[HideVerdict] != (Hidden{Rows: 31, Events: 601}) || a.Shown != 5 {
		t.Errorf("hid %+v, shown %d", a.Hid[HideVerdict], a.Shown)
	}
	q = Query{Unreviewed: true}
	if got := listed(run(t, d, q, 0)); !slices.Equal(got, []string{"www.bad.example 3 none", "free.example 2 none", "rare.example 1 none"}) {
		t.Errorf("unreviewed = %q", got)
	}
	// The talk's "seen fewer than 3 times", sorted by name.
	q = Query{Rare: true, RareK: 2, Sort: SortName}
	a = run(t, d, q, 0)
	if got := listed(a); !slices.Equal(got, []string{"a.sus.example 2 suspicious", "free.example 2 none", "rare.example 1 none", "www.free.example 1 good"}) {
		t.Errorf("rare = %q", got)
	}
	var hidden int64
	for _, h := range a.Hid {
		hidden += h.Rows
	}
	if hidden+int64(a.Shown) != 36 {
		t.Errorf("hidden %d + shown %d != 36 names", hidden, a.Shown)
	}
	q = Query{HideTop: true, TopN: 32, Reverse: true}
	if got := listed(run(t, d, q, 0)); !slices.Equal(got, []string{"www.free.example 1 good", "rare.example 1 none", "free.example 2 none", "a.sus.example 2 suspicious"}) {
		t.Errorf("all but the 32 most visited, least first = %q", got)
	}
	// A domain's verdict is the rule covering the bare domain: free.example
	// has none though www.free.example is good.
	q = Query{Domains: true}
	q.Hide[rules.Good] = true
	if got := listed(run(t, d, q, 0)); !slices.Equal(got, []string{"bad.example 7 bad", "free.example 3 none", "sus.example 2 suspicious", "rare.example 1 none"}) {
		t.Errorf("domains hiding good = %q", got)
	}
}
