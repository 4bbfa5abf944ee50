package db

import (
	"context"
	"maps"
	"testing"
	"time"
)

// An update replaces the scores of its scope only: a scoped id without a
// new score loses its old one, the others keep theirs, and the time of
// the last whole scoring stays.
func TestScoreUpdaterReplacesItsScopeOnly(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	if err := d.PutScores(ctx, []Score{{ID: 1, Score: 10}, {ID: 2, Score: 20}, {ID: 3, Score: 30}}, []Score{{ID: 7, Score: 70}, {ID: 8, Score: 80}}); err != nil {
		t.Fatal(err)
	}
	at, err := d.ScoredAt(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	w, err := d.NewScoreUpdater(ctx, []uint32{2, 3, 4}, []uint32{8})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(ScoreName, []Score{{ID: 2, Score: 21}, {ID: 4, Score: 41}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(ScoreDomain, []Score{{ID: 8, Score: 81}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	names, err := d.Scores(ctx, ScoreName)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[uint32]float64{1: 10, 2: 21, 4: 41}; !maps.Equal(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	domains, err := d.Scores(ctx, ScoreDomain)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[uint32]float64{7: 70, 8: 81}; !maps.Equal(domains, want) {
		t.Errorf("domains %v, want %v", domains, want)
	}
	if now, err := d.ScoredAt(ctx); err != nil || !now.Equal(at) {
		t.Errorf("scored at %v, then %v (%v)", at, now, err)
	}
}
