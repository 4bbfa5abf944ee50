package ingest

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// Streams (standard input, a pipe, a FIFO, a terminal) can keep a read
// waiting for ever: the writer may never come, or never write. The ingest
// must stop when its context ends all the same, so their opens and reads
// run where the caller can stop waiting for them.

// stdin is standard input, read so that ctx ends a read that waits.
// A regular file redirected to it is read as it is.
func stdin(ctx context.Context) io.Reader {
	if st, err := os.Stdin.Stat(); err == nil && st.Mode().IsRegular() {
		return os.Stdin
	}
	return newCancelReader(ctx, os.Stdin)
}

// openStream opens a file that is not a regular one. Opening a FIFO waits
// in open(2) until a writer opens it too; when ctx ends first, the wait is
// ended by opening the FIFO for writing for a moment (the open of a reader
// that would not wait), and ctx.Err() returned.
func openStream(ctx context.Context, path string, mode fs.FileMode) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		return o.f, o.err
	case <-ctx.Done():
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if mode&fs.ModeNamedPipe != 0 {
			// Fails (ENXIO) until the open above is waiting: try again.
			if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
		}
		select {
		case o := <-done:
			if o.f != nil {
				o.f.Close()
			}
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// cancelReader reads r in a goroutine of its own, so that a Read returns
// ctx.Err() as soon as ctx ends, even while r's read waits. The read it
// stops waiting for ends when r is closed (a FIFO) or the process exits
// (standard input); its data is dropped.
//
// While wait is set, a Read that waits longer returns errPaused and leaves
// the read going: the next Read takes its data. A stream's head is read
// so: a pipe that gives a few lines and pauses (tail -f of a quiet log)
// is read from those lines, where a wait for a full head held them back
// until 64 KiB had come.
type cancelReader struct {
	ctx      context.Context
	r        io.Reader
	buf      []byte
	done     chan readResult
	wait     time.Duration
	inflight bool   // a read of buf is going on
	pending  []byte // what a read gave that the last Read had no room for
	err      error  // the error of the read that gave pending
}

type readResult struct {
	n   int
	err error
}

// errPaused says that a stream gave nothing for the cancelReader's wait.
var errPaused = errors.New("the stream paused")

func newCancelReader(ctx context.Context, r io.Reader) *cancelReader {
	return &cancelReader{ctx: ctx, r: r, done: make(chan readResult, 1)}
}

func (c *cancelReader) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		if c.pending = c.pending[n:]; len(c.pending) == 0 {
			return n, c.err
		}
		return n, nil
	}
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if !c.inflight {
		if len(c.buf) < len(p) {
			c.buf = make([]byte, len(p))
		}
		buf := c.buf[:len(p)]
		c.inflight = true
		go func() {
			n, err := c.r.Read(buf)
			c.done <- readResult{n, err}
		}()
	}
	var paused <-chan time.Time
	if c.wait > 0 {
		t := time.NewTimer(c.wait)
		defer t.Stop()
		paused = t.C
	}
	select {
	case res := <-c.done:
		c.inflight = false
		n := copy(p, c.buf[:res.n])
		if c.pending, c.err = c.buf[n:res.n], res.err; len(c.pending) > 0 {
			return n, nil
		}
		return n, res.err
	case <-paused:
		return 0, errPaused
	case <-c.ctx.Done():
		c.buf = nil // the abandoned read may still write into it
		return 0, c.ctx.Err()
	}
}
