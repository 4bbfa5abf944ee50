package list

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// While a follow runs, its Keeper's incremental passes store the scores
// of what changed through a ScoreUpdater, which leaves the time of the
// last whole scoring (ScoredAt) as it was. A pass that ends after the
// reload its events caused (a single appended logon, a break-in) must
// still reach the list: the poll watches when scores were stored by
// either (ScoresStoredAt).
func TestThePollShowsAnIncrementalPassScores(t *testing.T) {
	path, c := tuitest.Growing(t)
	m := New(c, Options{Author: "tester", NoRescore: true, Poll: time.Millisecond, ByCount: true})
	m.SetSize(80, 24)
	noPoll(m, m.Init())
	ctx := context.Background()
	other, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := score.Run(ctx, other); err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(pollTickMsg{})
	noPoll(m, cmd)
	id := cur(m).ID
	// The pass: the row's score replaced, as a Keeper's pass does.
	w, err := other.NewScoreUpdater(ctx, []uint32{id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(db.ScoreName, []db.Score{{ID: id, Score: 97}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	scBefore := m.sc
	for range 3 {
		var cmd tea.Cmd
		_, cmd = m.Update(pollTickMsg{})
		noPoll(m, cmd)
	}
	if m.sc == scBefore {
		t.Error("the poll did not read the scores an incremental pass stored")
	}
}
