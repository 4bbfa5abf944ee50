package score

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/longtail/longtail/db"
)

// Keeping the scores up while a workspace grows (a follow, a capture): a
// pass runs in the background whenever the workspace changed, one at a
// time, and never holds the workspace's write lock but for the moment its
// scores are swapped in (db.ScoreWriter), so the reads and the packets go
// on meanwhile. A pass is incremental (incremental.go): the domains whose
// names got events are scored again against the model of the last whole
// scoring, in milliseconds. A whole rescore comes when the workspace grew
// by keepGrowth since the last, or that one is older than keepAge: the
// scores rank names against each other (the n-gram model, the rarity of
// clients, the beacons' shares), and what was learnt from a workspace a
// quarter smaller, or ten minutes ago, is then refreshed.

// KeepLook is how often a Keeper looks whether the workspace changed: one
// read of the stored totals.
const KeepLook = time.Second

// keepShare is the most of its time a Keeper spends rescoring: after a
// pass of T it waits at least keepShare·T before the next, so a large
// workspace's rescores leave the cores to the ingest.
const keepShare = 4

// A whole rescore comes when the events grew by keepGrowth (a share)
// since the last, or it is older than keepAge.
const (
	keepGrowth = 0.25
	keepAge    = 10 * time.Minute
)

// Keeper rescores a workspace when it changes, until stopped.
type Keeper struct {
	d    *db.DB
	stop context.CancelFunc
	done chan struct{}

	mu          sync.Mutex
	last        time.Time // when the last pass ended
	sum         Summary
	err         error
	count       int
	whole, incs int // of count, the whole rescores and the incremental passes
}

// Keep starts keeping d's scores up; the scores stored when it starts are
// taken as those of the workspace as it is.
func Keep(ctx context.Context, d *db.DB) *Keeper {
	ctx, cancel := context.WithCancel(ctx)
	k := &Keeper{d: d, stop: cancel, done: make(chan struct{})}
	go k.run(ctx)
	return k
}

// Stop ends the keeping and waits for a rescore under way to give up.
func (k *Keeper) Stop() {
	k.stop()
	<-k.done
}

// Last says when the last pass ended, what it did and how it failed,
// and how many there were; zero before the first.
func (k *Keeper) Last() (at time.Time, sum Summary, err error, count int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.last, k.sum, k.err, k.count
}

// Passes says how many whole rescores and incremental passes succeeded.
func (k *Keeper) Passes() (whole, incremental int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.whole, k.incs
}

func (k *Keeper) run(ctx context.Context) {
	defer close(k.done)
	scored, _ := k.d.Stats(ctx)
	var base *Base
	next := time.Now()
	tick := time.NewTicker(KeepLook)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now, err := k.d.Stats(ctx)
		if err != nil || sameTotals(now, scored) || time.Now().Before(next) {
			continue
		}
		start := time.Now()
		var sum Summary
		if whole(base, now) {
			sum, base, err = runWhole(ctx, k.d, k.d.NewScoreWriter)
		} else if sum, base, err = increment(ctx, k.d, base); errors.Is(err, errWhole) {
			sum, base, err = runWhole(ctx, k.d, k.d.NewScoreWriter)
		}
		if ctx.Err() != nil {
			return
		}
		took := time.Since(start)
		if err == nil {
			scored = now
		}
		next = time.Now().Add(keepShare * took)
		k.mu.Lock()
		k.last, k.sum, k.err = time.Now(), sum, err
		k.count++
		switch {
		case err != nil:
		case sum.Incremental:
			k.incs++
		default:
			k.whole++
		}
		k.mu.Unlock()
	}
}

// whole says whether the next pass rescores the whole workspace: there
// is no base yet (the scores stored before are taken as they are until
// the workspace changes), it grew by keepGrowth since, or the base is
// older than keepAge.
func whole(base *Base, now db.Stats) bool {
	return base == nil || float64(now.Events-base.events) >= keepGrowth*float64(base.events) || time.Since(base.at) >= keepAge
}

// sameTotals says whether two reads of the totals are of the same events.
func sameTotals(a, b db.Stats) bool {
	return a.Events == b.Events && a.Names == b.Names && a.Clients == b.Clients && a.First == b.First && a.Last == b.Last
}
