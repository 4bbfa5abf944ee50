package score

import (
	"context"
	"sync"
	"time"

	"github.com/longtail/longtail/db"
)

// Keeping the scores up while a workspace grows (a follow, a capture): a
// rescore runs in the background whenever the workspace changed, one at a
// time, and never holds the workspace's write lock but for the moment its
// scores are swapped in (db.ScoreWriter), so the reads and the packets go
// on meanwhile. Each name's score is that of a whole rescore, seconds after
// its events came: the scores rank names against each other (the n-gram
// model, the rarity of clients, the beacons' shares), so a name scored
// alone against an older model would not be comparable to the rest.

// KeepLook is how often a Keeper looks whether the workspace changed: one
// read of the stored totals.
const KeepLook = time.Second

// keepShare is the most of its time a Keeper spends rescoring: after a
// rescore of T it waits at least keepShare⁻¹·T before the next, so a large
// workspace's rescores leave the cores to the ingest.
const keepShare = 4

// Keeper rescores a workspace when it changes, until stopped.
type Keeper struct {
	d    *db.DB
	stop context.CancelFunc
	done chan struct{}

	mu    sync.Mutex
	last  time.Time // when the last rescore ended
	sum   Summary
	err   error
	count int
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

// Last says when the last rescore ended, what it did and how it failed,
// and how many there were; zero before the first.
func (k *Keeper) Last() (at time.Time, sum Summary, err error, count int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.last, k.sum, k.err, k.count
}

func (k *Keeper) run(ctx context.Context) {
	defer close(k.done)
	scored, _ := k.d.Stats(ctx)
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
		sum, err := Run(ctx, k.d)
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
		k.mu.Unlock()
	}
}

// sameTotals says whether two reads of the totals are of the same events.
func sameTotals(a, b db.Stats) bool {
	return a.Events == b.Events && a.Names == b.Names && a.Clients == b.Clients && a.First == b.First && a.Last == b.Last
}
