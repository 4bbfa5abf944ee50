package db

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// manyNames is a load of n names under n/10 domains from n/5 clients.
func manyNames(n int, at int64) []rawEvent {
	var evs []rawEvent
	for i := range n {
		dom := fmt.Sprintf("d%d.test", i%(n/10))
		evs = append(evs, rawEvent{at + int64(i), fmt.Sprintf("n%d.%s", i, dom), dom, fmt.Sprintf("10.0.%d.%d", i%(n/5)/250, i%(n/5)%250)})
	}
	return evs
}

// A follow's reads, each a small load of a loader that takes the last
// one's dictionaries (KeepWarm) and keeps the indexes through its updates,
// end with the aggregates and totals of the workspace counted afresh;
// another handle (another process) loading in between is noticed, and its
// names are not given the ids of new ones.
func TestWarmLoadersAddUpToTheWorkspaceCountedAgain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.KeepWarm()
	load(t, d, "base", manyNames(400, 0))
	reads := [][]rawEvent{
		{{500, "n1.d1.test", "d1.test", "10.0.0.1"}, {501, "new.d1.test", "d1.test", "10.9.9.9"}},
		{{600, "fresh.example", "fresh.example", "10.0.0.2"}, {-50, "n2.d2.test", "d2.test", "10.0.0.2"}},
		{{700, "new.d1.test", "d1.test", "10.0.0.3"}, {9999, "late.example", "late.example", "10.8.8.8"}},
	}
	for i, r := range reads {
		load(t, d, fmt.Sprintf("read%d", i), r)
		if i == 1 {
			other, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			load(t, other, "other", []rawEvent{{800, "other.example", "other.example", "10.7.7.7"}, {801, "n3.d3.test", "d3.test", "10.7.7.7"}})
			other.Close()
		}
	}
	for _, name := range []string{"new.d1.test", "fresh.example", "other.example", "late.example"} {
		if n, err := d.NameByText(ctx, 1, name); err != nil || n.Count == 0 {
			t.Errorf("%s: %+v %v", name, n, err)
		}
	}
	before, totals := snapshot(t, d), storedTotals(t, d)
	if err := d.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, d); after != before {
		t.Errorf("the reads' aggregates are not those counted again:\nreads   %s\ncounted %s", before, after)
	}
	var want Stats
	if err := d.sql.QueryRowContext(ctx, totalsQuery).Scan(&want.Events, &want.Names, &want.Domains, &want.Clients, &want.First, &want.Last); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(totals) != fmt.Sprint(want) {
		t.Errorf("totals kept by the reads %+v, counted %+v", totals, want)
	}
}

// storedTotals are the totals the last ingest kept.
func storedTotals(t *testing.T, d *DB) Stats {
	t.Helper()
	st, err := d.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.Sources = nil
	return st
}

// A loader that committed a batch and stopped without its aggregates (a
// read that failed, another process killed) leaves the workspace dirty; the
// next loader, warm or not, counts it again at its end: no committed event
// is missing from the totals.
func TestALoaderAfterOneThatDidNotFinishCountsAgain(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	d.KeepWarm()
	load(t, d, "base", manyNames(400, 0))
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, err := l.StartSource(ctx, Source{Path: "cut", Format: "test", Fingerprint: "cut"})
	if err != nil {
		t.Fatal(err)
	}
	b := &Batch{Source: src.ID, Lines: 1}
	name := l.Interner.Name(1, []byte("cut.example"), func(string) string { return "cut.example" })
	b.Events = append(b.Events, Event{Time: 5000, Name: name, Source: src.ID, Line: 1})
	l.Interner.Flush(b)
	if err := l.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	l.Close() // no Finish
	load(t, d, "next", []rawEvent{{6000, "n1.d1.test", "d1.test", "10.0.0.1"}})
	kept, totals := snapshot(t, d), storedTotals(t, d)
	if err := d.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	if counted := snapshot(t, d); counted != kept || fmt.Sprint(storedTotals(t, d)) != fmt.Sprint(totals) {
		t.Errorf("the cut batch is missing: totals kept %+v, counted %+v", totals, storedTotals(t, d))
	}
}
