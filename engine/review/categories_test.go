package review

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/categories"
	"github.com/longtail/longtail/internal/testws"
)

// importCategory gives the names of text the category cat.
func importCategory(t *testing.T, d *db.DB, cat, text string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), cat+".txt")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := categories.Import(ctx, d, p, categories.Options{Categories: []string{cat}, Origin: cat, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

func catWorkspace(t *testing.T) *db.DB {
	d := workspace(t, []count{
		{Name: "www.casino.example", N: 9}, {Name: "casino.example", N: 1}, {Name: "ads.tracker.example", N: 6},
		{Name: "cdn.tracker.example", N: 5}, {Name: "plain.example", N: 4}, {Name: "x.both.example", N: 2},
	}, "good *.plain.example")
	importCategory(t, d, "gambling", "casino.example\nboth.example\n")
	importCategory(t, d, "ads", "tracker.example\nboth.example\n")
	return d
}

// The category filter hides the rows of the categories named, or keeps
// only those of one of them, as a filter of its own with what it hides;
// the headless answer carries each row's categories, paged or not.
func TestCategoryFilter(t *testing.T) {
	d := catWorkspace(t)
	l, err := LoadAll(ctx, d, db.Stats{}, new(Query).Listing())
	if err != nil {
		t.Fatal(err)
	}
	cat := l.Annotations.Categories
	if cat == nil {
		t.Fatal("no categories loaded")
	}
	set := func(text string) categories.Set {
		s, unknown := cat.Catalog.Parse(text)
		if len(unknown) > 0 {
			t.Fatal(unknown)
		}
		return s
	}
	names := func(res Result, domains bool) []string {
		var out []string
		for _, ln := range res.Lines {
			r, _ := l.Data.Row(domains, ln)
			out = append(out, r.Name)
		}
		return out
	}
	for _, tc := range []struct {
		q      Query
		want   []string
		hidden Hidden
	}{
		{Query{Category: CategoryFilter{Hide: set("ads")}},
			[]string{"www.casino.example", "plain.example", "casino.example"}, Hidden{3, 13}},
		{Query{Category: CategoryFilter{Only: set("gambling")}},
			[]string{"www.casino.example", "x.both.example", "casino.example"}, Hidden{3, 15}},
		{Query{Category: CategoryFilter{Hide: set("ads"), Only: set("gambling")}},
			[]string{"www.casino.example", "casino.example"}, Hidden{4, 17}},
		// The verdict filter first: what it hid is not counted again.
		{Query{Category: CategoryFilter{Hide: set("ads,gambling")}, Hide: [4]bool{false, true}},
			nil, Hidden{5, 23}},
		{Query{Domains: true, Category: CategoryFilter{Only: set("ads")}},
			[]string{"tracker.example", "both.example"}, Hidden{2, 14}},
	} {
		res := Compute(l.Data, l.Verdicts, l.Scores, l.Annotations, tc.q)
		if got := names(res, tc.q.Domains); !slices.Equal(got, tc.want) || res.Hid[Category] != tc.hidden {
			t.Errorf("%+v: %v hiding %+v, want %v hiding %+v", tc.q.Category, got, res.Hid[Category], tc.want, tc.hidden)
		}
	}
	// An expanded domain's names are filtered as well.
	q := Query{Domains: true, Expanded: map[uint32]bool{}, Category: CategoryFilter{Hide: set("ads")}}
	for _, r := range l.Data.Domains.Rows {
		q.Expanded[r.ID] = true
	}
	if got := names(Compute(l.Data, l.Verdicts, l.Scores, l.Annotations, q), true); slices.Contains(got, "x.both.example") || !slices.Contains(got, "www.casino.example") {
		t.Errorf("expanded: %v", got)
	}
	// Headless: the paged answer (no category filter) and the whole one
	// give the rows their categories alike.
	for _, q := range []Query{{}, {Category: CategoryFilter{Hide: set("gambling")}}} {
		var got []string
		for _, it := range run(t, d, q, 10).Items {
			got = append(got, fmt.Sprintf("%s %v", it.Name, it.Categories))
		}
		want := []string{"www.casino.example [gambling]", "ads.tracker.example [ads]", "cdn.tracker.example [ads]", "plain.example []",
			"x.both.example [ads gambling]", "casino.example [gambling]"}
		if q.Category.On() {
			want = []string{want[1], want[2], want[3]}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%+v: %q", q.Category, got)
		}
	}
}

// The tally by category counts the rows the filters leave and their
// events, a row of two categories in each, the uncategorised last.
func TestByCategory(t *testing.T) {
	d := catWorkspace(t)
	counts, err := RunByCategory(ctx, d, Query{})
	if err != nil {
		t.Fatal(err)
	}
	want := []CategoryCount{{"ads", 3, 13, 0}, {"gambling", 3, 12, 0}, {Uncategorised, 1, 4, 0}}
	if !slices.Equal(counts, want) {
		t.Errorf("got %v, want %v", counts, want)
	}
	var q Query
	q.Hide[1] = true // known-good: plain.example
	q.Domains = true
	if counts, err = RunByCategory(ctx, d, q); err != nil || !slices.Equal(counts, []CategoryCount{{"ads", 2, 13, 0}, {"gambling", 2, 12, 0}}) {
		t.Errorf("domains, good hidden: %v %v", counts, err)
	}
}

// The clients of a category are the distinct clients of its rows' names,
// a client asking for two of them counted once; rolled up, those of the
// names of its domains.
func TestCategoryClients(t *testing.T) {
	var b strings.Builder
	for _, q := range []struct{ name, client string }{
		{"www.casino.example", "10.0.0.1"}, {"www.casino.example", "10.0.0.2"}, {"casino.example", "10.0.0.2"},
		{"ads.tracker.example", "10.0.0.3"}, {"x.both.example", "10.0.0.4"}, {"plain.example", "10.0.0.5"},
	} {
		fmt.Fprintf(&b, "Mar 20 00:00:00 dnsmasq[1]: query[A] %s from %s\n", q.name, q.client)
	}
	d := testws.Text(t, b.String())
	importCategory(t, d, "gambling", "casino.example\nboth.example\n")
	importCategory(t, d, "ads", "tracker.example\nboth.example\n")
	l, err := LoadAll(ctx, d, db.Stats{}, new(Query).Listing())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"gambling": 3, "ads": 2, Uncategorised: 1}
	for _, domains := range []bool{false, true} {
		res := Compute(l.Data, l.Verdicts, l.Scores, l.Annotations, Query{Domains: domains})
		got, err := CategoryClients(ctx, d, l.Data, l.Annotations.Categories, res)
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("domains %v: %v %v, want %v", domains, got, err, want)
		}
	}
}
