package score

import (
	"context"
	"maps"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/internal/testws"
)

// RunAlone stores what Run stores, every score replaced (a name scored
// before and not now keeps none); that it writes them in place is
// db.TestScoreReplacerWritesInPlaceUnlessAnotherProcessIngests's.
func TestRunAloneStoresWhatRunStores(t *testing.T) {
	ctx := context.Background()
	d := testws.Counts(t, testws.Count{Name: "www.example.com", N: 50}, testws.Count{Name: "x7kq9zv2.example.net", N: 3},
		testws.Count{Name: "mail.example.org", N: 20})
	stored := func() (names, domains map[uint32]float64) {
		t.Helper()
		var err error
		if names, err = d.Scores(ctx, db.ScoreName); err != nil {
			t.Fatal(err)
		}
		if domains, err = d.Scores(ctx, db.ScoreDomain); err != nil {
			t.Fatal(err)
		}
		return names, domains
	}
	if _, err := Run(ctx, d); err != nil {
		t.Fatal(err)
	}
	names, domains := stored()
	if len(names) != 3 || len(domains) != 3 {
		t.Fatalf("Run stored %d names and %d domains, want 3 of each", len(names), len(domains))
	}
	if err := d.PutScores(ctx, []db.Score{{ID: 999, Score: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := RunAlone(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n, dm := stored(); !maps.Equal(n, names) || !maps.Equal(dm, domains) {
		t.Errorf("RunAlone stored %v and %v, Run %v and %v", n, dm, names, domains)
	}
}
