package db

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	sqlite3 "modernc.org/sqlite/lib"
)

// expiring is a context that ends after its Err has been asked n times:
// a cancel that comes in the middle of a batch.
type expiring struct {
	context.Context
	n atomic.Int32
}

func (c *expiring) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// A batch cancelled after its transaction began is rolled back, and the
// loader refuses the batches after it: its names and aggregates took the
// batch in before the rollback.
func TestACancelledBatchIsRolledBackAndEndsTheLoad(t *testing.T) {
	d := openTemp(t)
	l := writeOne(t, d, "a.example")
	defer l.Close()
	batch := func(name string) *Batch {
		b := &Batch{Source: 1, Lines: 2}
		b.Events = append(b.Events, Event{Time: 2, Name: l.Interner.Name(1, []byte(name), func(s string) string { return s }), Source: 1, Line: 2})
		l.Interner.Flush(b)
		return b
	}
	ctx := &expiring{Context: context.Background()}
	ctx.n.Store(3) // BEGIN IMMEDIATE runs; the batch's first insert does not
	if err := l.Write(ctx, batch("b.example")); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled batch: %v", err)
	}
	if sqlite3.Xsqlite3_get_autocommit(l.conn.tls, l.conn.db) == 0 {
		t.Error("the cancelled batch's transaction is still open")
	}
	if err := l.Write(context.Background(), batch("c.example")); !errors.Is(err, context.Canceled) {
		t.Errorf("the batch after it: %v, want the cancelled batch's error", err)
	}
	var names int
	if err := d.sql.QueryRow("SELECT count(*) FROM names").Scan(&names); err != nil || names != 1 {
		t.Errorf("%d names stored (%v), want a.example's alone", names, err)
	}
}
