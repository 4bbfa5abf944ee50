package common

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/longtail/longtail/engine/textsafe"
)

// Writes follows the workspace writes the views make for the user (marks,
// undos, rule edits, list imports) from the key that asked for one until it
// is committed or has failed. A write runs in a command and may wait in a
// view's queue first, so the key returns before the write is in the
// workspace; when the program ends, on a quit or a crash, the app waits for
// the writes running and says which never reached the workspace.
type Writes struct {
	mu      sync.Mutex
	next    int
	open    map[int]string // id → what it is, from Begin until it ends
	running int            // of the open ones, those in Run
	failed  []string
	change  chan struct{} // closed and replaced whenever a write ends
}

// NewWrites returns an empty record.
func NewWrites() *Writes {
	return &Writes{open: map[int]string{}, change: make(chan struct{})}
}

// Begin records a write the user asked for, described by what (sanitised
// for a terminal: "marked bad: x.example.com"). It stays open until Run
// has run it: a write queued behind another that never runs stays open.
func (w *Writes) Begin(what string) *Write {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := w.next
	w.next++
	w.open[id] = what
	return &Write{w: w, id: id, what: what}
}

// Write is one write recorded by Writes.
type Write struct {
	w    *Writes
	id   int
	what string
}

// Run makes the write (f, in a command) and records its outcome; a panic
// in f is recorded as a failure and goes on.
func (wr *Write) Run(f func() error) (err error) {
	wr.w.mu.Lock()
	wr.w.running++
	wr.w.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			wr.end(fmt.Errorf("stopped by an internal error: %v", r))
			panic(r)
		}
		wr.end(err)
	}()
	return f()
}

func (wr *Write) end(err error) {
	w := wr.w
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.open, wr.id)
	w.running--
	if err != nil {
		w.failed = append(w.failed, wr.what+" (failed: "+textsafe.String(err.Error())+")")
	}
	close(w.change)
	w.change = make(chan struct{})
}

// Wait waits up to d for the writes running to end (those still queued
// will not start: the views have stopped), and returns what is not in the
// workspace: the writes still open and those that failed, oldest first.
func (w *Writes) Wait(d time.Duration) (open, failed []string) {
	timeout := time.After(d)
wait:
	for {
		w.mu.Lock()
		n, change := w.running, w.change
		w.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-change:
		case <-timeout:
			break wait
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := slices.Sorted(maps.Keys(w.open))
	for _, id := range ids {
		open = append(open, w.open[id])
	}
	return open, slices.Clone(w.failed)
}

// Running is the number of writes being made.
func (w *Writes) Running() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.running
}
