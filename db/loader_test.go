package db

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
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

// A batch cancelled after its transaction began is rolled back, so the
// loader's next batch can begin its own.
func TestACancelledBatchLeavesNoTransactionOpen(t *testing.T) {
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
	if err := l.Write(context.Background(), batch("c.example")); err != nil {
		t.Fatalf("the batch after it: %v", err)
	}
}
