package review

import (
	"context"
	"errors"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/parallel"
)

// Item is one row of a headless answer with what the screen shows beside
// it.
type Item struct {
	Row
	Verdict rules.Verdict // rules.None: no rule decides it
	Score   float32       // NoScore: not scored
	Rank    int32         // popularity rank, 0 unranked
	Fresh   bool          // new since the latest baseline snapshot
	// RareValues: with the rare filter on and rolled up, how many of the
	// group's values were seen at most K times (Result.RareValues).
	RareValues int32
	// Nets: a DNS name's (or domain's) answer networks, an address's own
	// (Annotations.Nets); empty when no imported table knows them.
	Nets       networks.Set
	Categories []string // of a host name, from the imported category lists
}

// Answer is what the review screen would show under a query, for the
// headless commands.
type Answer struct {
	Items []Item
	Since string // the snapshot Fresh is measured from; "" when none
}

// maxPaged is the largest limit Run answers a page at a time: past it,
// looking up each row's score and rank costs more than loading them all.
const maxPaged = 1000

// Run answers q the way the review screen does, at most limit rows (0:
// all); the children of expanded domains are not rows of their own. It
// loads the workspace as the screen does (the same dataset, verdicts,
// scores, ranks and Compute), except for the most common question: the
// busiest rows with some verdicts hidden (Query.Simple) and a limit, which
// it reads a page at a time from the workspace's own count order, in
// milliseconds instead of seconds on a large workspace, with the same
// answer (TestPagedAnswersAsTheScreen).
func Run(ctx context.Context, d *db.DB, q Query, limit int) (Answer, error) {
	if q.Simple() && limit > 0 && limit <= maxPaged {
		return runPaged(ctx, d, q, limit)
	}
	return runAll(ctx, d, q, limit)
}

// Loaded is a whole review read at once: the dataset, the verdicts the
// rules give its rows, their scores and their ranks and newness.
type Loaded struct {
	Data        *Dataset
	Verdicts    *Verdicts
	Scores      *Scores
	Annotations *Annotations
}

// LoadAll reads everything the list shows, the scores and annotations side
// by side once the dataset is in.
func LoadAll(ctx context.Context, d *db.DB, stats db.Stats, sub subject.Subject) (Loaded, error) {
	data, rs, err := Load(ctx, d, stats, sub)
	if err != nil {
		return Loaded{}, err
	}
	l := Loaded{Data: data, Verdicts: NewVerdicts(data, rs)}
	var errs [2]error
	parallel.Run(
		func() { l.Scores, errs[0] = LoadScores(ctx, d, data) },
		func() { l.Annotations, errs[1] = LoadAnnotations(ctx, d, data) })
	return l, errors.Join(errs[:]...)
}

func runAll(ctx context.Context, d *db.DB, q Query, limit int) (Answer, error) {
	l, err := LoadAll(ctx, d, db.Stats{}, q.Listing()) // the totals are the screen's, not the answer's
	if err != nil {
		return Answer{}, err
	}
	data, v, sc, an := l.Data, l.Verdicts, l.Scores, l.Annotations
	q.Expanded = nil
	res := Compute(data, v, sc, an, q)
	a := Answer{Since: an.Since}
	verd, scores := v.Of(q.Domains), sc.Of(q.Domains)
	rank, fresh := an.Of(q.Domains)
	k := boolIndex(q.Domains)
	for _, l := range res.Lines {
		if limit > 0 && len(a.Items) == limit {
			break
		}
		it := Item{Row: data.Table(q.Domains).Rows[l.Idx], Verdict: verd[l.Idx], Score: scores[l.Idx], Rank: rank[l.Idx]}
		if fresh != nil {
			it.Fresh = fresh[l.Idx]
		}
		if res.RareValues != nil {
			it.RareValues = res.RareValues[l.Idx]
		}
		if sets := an.Nets[k]; sets != nil {
			it.Nets = sets[l.Idx]
		}
		if c := an.Categories; c != nil {
			it.Categories = c.Catalog.Names(c.Of(q.Domains)[l.Idx])
		}
		a.Items = append(a.Items, it)
	}
	return a, nil
}
