package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// While a scoring runs, the soft memory limit follows the live heap up (a
// fifth above it), never past the most it was given: below what must stay
// live, the collector would run all the time.
func TestTheLimitFollowsTheLiveHeapUp(t *testing.T) {
	was := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(was)
	const base, most = 4 << 20, 1 << 40
	debug.SetMemoryLimit(base)
	live := make([]byte, 64<<20)
	for i := range live {
		live[i] = byte(i)
	}
	runtime.GC() // the live heap is what the last collection marked
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { keepLimitAbove(base, most, most, stop); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) < int64(len(live))*limitHeadroom/5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	<-done
	got := debug.SetMemoryLimit(-1)
	if got < int64(len(live))*limitHeadroom/5 || got > 2*int64(len(live)) {
		t.Errorf("limit %d MB with %d MB live (from %d MB)", got>>20, len(live)>>20, base>>20)
	}
	runtime.KeepAlive(live)
}

// An ingest's ceiling below what must stay live (a log with clients holds
// their pairs) bounds nothing: the limit goes past it, a tenth above the
// live heap, where the collector ran back to back at the ceiling. A limit
// the process was given (GOMEMLIMIT) is never passed.
func TestPastTheCeilingTheLimitStaysAboveTheLiveHeap(t *testing.T) {
	was := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(was)
	live := make([]byte, 64<<20)
	for i := range live {
		live[i] = byte(i)
	}
	runtime.GC()
	for _, c := range []struct {
		hard     int64
		min, max int64
	}{
		{1 << 40, int64(len(live)) * 11 / 10, 2 * int64(len(live))},
		{32 << 20, 32 << 20, 32 << 20},
	} {
		const base, ceiling = 4 << 20, 16 << 20
		debug.SetMemoryLimit(base)
		stop, done := make(chan struct{}), make(chan struct{})
		go func() { keepLimitAbove(base, ceiling, c.hard, stop); close(done) }()
		deadline := time.Now().Add(5 * time.Second)
		for debug.SetMemoryLimit(-1) < c.min && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(120 * time.Millisecond) // a tick or two more: it goes no further
		close(stop)
		<-done
		if got := debug.SetMemoryLimit(-1); got < c.min || got > c.max {
			t.Errorf("hard %d MB: limit %d MB with %d MB live (ceiling %d MB)", c.hard>>20, got>>20, len(live)>>20, ceiling>>20)
		}
	}
	runtime.KeepAlive(live)
}
