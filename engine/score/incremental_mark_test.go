package score

import (
	"context"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
)

// A follow's read commits its batches (blocks) before its Finish writes
// the names' counts. A Keeper pass that runs in between must not move its
// mark past the blocks whose values have no row yet (BlocksMark stops at
// the last block counted): the pass after the Finish scores the new
// scanner with all its requests, as a whole rescore does.
func TestPassBetweenAReadsWriteAndFinishKeepsItsNewValues(t *testing.T) {
	ctx := context.Background()
	d := webWorld(t).done()
	_, base, err := runWhole(ctx, d, d.NewScoreWriter)
	if err != nil {
		t.Fatal(err)
	}
	// The read: its batch committed, its Finish not yet run.
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, err := l.StartSource(ctx, db.Source{Path: "more.log", Format: "test", Fingerprint: "more.log"})
	if err != nil {
		t.Fatal(err)
	}
	w := &webWorkspace{t: t, d: d, l: l, batch: &db.Batch{Source: src.ID, Held: -1}}
	scan2(0, 30)(w)
	w.flush()
	// The Keeper's pass meanwhile (the totals of the read before changed).
	if _, base, err = increment(ctx, d, base); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	// The pass after the read's Finish (the totals changed).
	sum, base, err := increment(ctx, d, base)
	if err != nil {
		t.Fatal(err)
	}
	client := valueID(t, d, subject.HTTPClient, scanner2)
	if _, err := d.ScoreOf(ctx, db.ScoreName, client.ID); err != nil {
		t.Errorf("the new scanner after its 30 probes and two passes: no score (%v)", err)
	}
	// More of it: scored now, but without its first 30 requests.
	appendWeb(t, d, "more2.log", scan2(30, 300))
	if sum, _, err = increment(ctx, d, base); err != nil {
		t.Fatal(err)
	}
	asWhole(t, d, sum, passed(t, d, valueID(t, d, subject.HTTPClient, scanner2))...)
}
