package db

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
)

// A follow or a capture ingests in many short reads, each a loader of its
// own. Loading the workspace's dictionaries for each cost seconds on a large
// workspace (1.9 s at 137k names), more than the read itself: with
// KeepWarm, a loader that finished leaves its dictionaries and the counts
// it wrote to the next loader of the same handle, as long as nothing else
// changed the workspace in between. The workspace's generation, bumped by
// every loader and by every rebuild of the aggregates, in this process or
// another, tells.

// warmDicts is what a finished loader leaves for the next one.
type warmDicts struct {
	in      *Interner
	names   []nameInfo
	domains idStats
	gen     int64 // the workspace's generation the loader finished at
}

// warmth is a handle's store of warm dictionaries.
type warmth struct {
	mu   sync.Mutex
	on   bool
	last *warmDicts
}

// KeepWarm makes each loader of this handle that finishes keep its
// dictionaries in memory for the next one. It is for readers that ingest
// again and again (follow, capture): the memory stays taken between reads.
func (d *DB) KeepWarm() {
	d.warm.mu.Lock()
	d.warm.on = true
	d.warm.mu.Unlock()
}

// takeWarm returns the warm dictionaries when they are those of the
// workspace at generation gen, nil otherwise; either way none are left.
func (d *DB) takeWarm(gen int64) *warmDicts {
	d.warm.mu.Lock()
	defer d.warm.mu.Unlock()
	w := d.warm.last
	d.warm.last = nil
	if w == nil || w.gen != gen {
		return nil
	}
	return w
}

// leaveWarm keeps what a loader that finished at generation gen knows,
// its counts brought up to what it wrote, when the handle keeps them.
func (l *Loader) leaveWarm(gen int64) {
	d := l.d
	d.warm.mu.Lock()
	defer d.warm.mu.Unlock()
	if !d.warm.on || l.Interner.pending.len() > 0 {
		return
	}
	for id, s := range l.agg.names.all() {
		l.names[id].prior += s.count
	}
	for id, s := range l.agg.domains.all() {
		l.domainCounts.add(id, s.count, 0, 0)
	}
	d.warm.last = &warmDicts{in: l.Interner, names: l.names, domains: l.domainCounts, gen: gen}
}

// nextGeneration bumps the workspace's generation and returns it: any
// change to its dictionaries or aggregates that a warm loader would not
// know of.
func nextGeneration(ctx context.Context, x interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (int64, error) {
	var v string
	err := x.QueryRowContext(ctx, `INSERT INTO meta(key, value) VALUES('generation', '1')
		ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`).Scan(&v)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// generation is the workspace's generation now (0 before any change).
func (d *DB) generation(ctx context.Context) (int64, error) {
	v, err := d.metaGet(ctx, "generation")
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errors.New("workspace: generation is not a number: " + v)
	}
	return n, nil
}

func (d dict) len() int { return len(d.names) + len(d.domains) + len(d.clients) + len(d.answers) }
