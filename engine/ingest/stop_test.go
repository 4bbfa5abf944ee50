package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/internal/testfs"
)

// runAsync runs an ingest of paths and returns what it gives on a channel.
func runAsync(ctx context.Context, d *db.DB, paths []string, opt Options) <-chan runResult {
	done := make(chan runResult, 1)
	go func() {
		reps, err := Run(ctx, d, paths, opt)
		done <- runResult{reps, err}
	}()
	return done
}

type runResult struct {
	reps []Report
	err  error
}

// waitRun waits for the ingest; a hang fails the test instead of the run.
func waitRun(t *testing.T, done <-chan runResult) runResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("the cancelled ingest still waits 20 s later")
	}
	return runResult{}
}

// A FIFO nobody writes to holds the ingest in open(2), and standard input
// with nothing on it in read(2): cancelling ends both, the report says the
// file was interrupted, and the ingest lock is free for the next ingest.
func TestCancelEndsAWaitForData(t *testing.T) {
	for _, c := range []struct {
		name string
		path func(t *testing.T) string
	}{
		{"fifo without a writer", func(t *testing.T) string {
			fifo := filepath.Join(t.TempDir(), "fifo")
			testfs.Mkfifo(t, fifo)
			return fifo
		}},
		{"stdin without data", func(t *testing.T) string {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			old := os.Stdin
			os.Stdin = r
			t.Cleanup(func() { os.Stdin = old; w.Close(); r.Close() })
			return "-"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := openWS(t)
			path := c.path(t)
			ctx, cancel := context.WithCancel(context.Background())
			done := runAsync(ctx, d, []string{path}, Options{})
			time.Sleep(50 * time.Millisecond) // into the wait
			cancel()
			res := waitRun(t, done)
			if !errors.Is(res.err, context.Canceled) {
				t.Errorf("err = %v, want the cancellation", res.err)
			}
			if len(res.reps) != 1 || res.reps[0].Status != Interrupted || !strings.Contains(res.reps[0].Describe(), "interrupted before any data came") {
				t.Fatalf("reports %+v", res.reps)
			}
			l, err := d.NewLoader(context.Background())
			if err != nil {
				t.Fatalf("the next ingest: %v", err)
			}
			l.Close()
		})
	}
}

// Cancelled while it reads, an ingest stores every event it read, writes
// the totals (no recovery needed) and reports exactly what it stored.
func TestCancelStoresWhatWasRead(t *testing.T) {
	d := openWS(t)
	const lines = 5 * 1024 // the ingest checks for a cancel every 1024 lines
	log := genLog(t, "csv", lines)
	fifo := filepath.Join(t.TempDir(), "fifo")
	testfs.Mkfifo(t, fifo)
	ctx, cancel := context.WithCancel(context.Background())
	progress := &Counters{}
	done := runAsync(ctx, d, []string{fifo}, Options{BatchSize: 1000, Progress: progress})
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close() // open: the ingest waits for more
	if _, err := w.Write(log); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); progress.Events.Load() < lines; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of the %d lines written were read in 20 s", progress.Events.Load(), lines)
		}
	}
	cancel()
	res := waitRun(t, done)
	if len(res.reps) != 1 {
		t.Fatalf("reports %+v, err %v", res.reps, res.err)
	}
	r := res.reps[0]
	if r.Status != Interrupted || r.Events != lines || r.Err != nil {
		t.Fatalf("report %+v (%s); want interrupted with %d events", r, r.Describe(), lines)
	}
	if got := totalEvents(t, d); got != lines {
		t.Errorf("the workspace counts %d events, want the %d read", got, lines)
	}
	srcs, err := d.Sources(context.Background())
	if err != nil || len(srcs) != 1 || srcs[0].Events != lines {
		t.Errorf("sources %+v, %v", srcs, err)
	}
}

// A quiet stream (tail -f of a log written to now and then) is read from
// the lines it gave once it pauses, not once 64 KiB have come; stopped
// before that pause, it stores the lines that came.
func TestAQuietStreamIsReadFromItsFirstLines(t *testing.T) {
	log := genLog(t, "csv", 50)
	if len(log) >= 64<<10 {
		t.Fatalf("the log is %d bytes: no quiet stream", len(log))
	}
	for _, waitForRead := range []bool{true, false} {
		d := openWS(t)
		fifo := filepath.Join(t.TempDir(), "fifo")
		testfs.Mkfifo(t, fifo)
		ctx, cancel := context.WithCancel(context.Background())
		done := runAsync(ctx, d, []string{fifo}, Options{})
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(log); err != nil {
			t.Fatal(err)
		}
		// Read once the stream paused for headWait (its progress shows
		// every 1024 events: nothing to wait on), or stopped before.
		if waitForRead {
			time.Sleep(3 * headWait)
		} else {
			time.Sleep(headWait / 5)
		}
		cancel()
		res := waitRun(t, done)
		w.Close()
		if len(res.reps) != 1 || res.reps[0].Events != 50 {
			t.Fatalf("waiting for the read %v: reports %+v, err %v", waitForRead, res.reps, res.err)
		}
		if got := totalEvents(t, d); got != 50 {
			t.Errorf("waiting for the read %v: the workspace counts %d events, want 50", waitForRead, got)
		}
		cancel()
	}
}

// An ingest that fails on a full disk reports the events the workspace
// holds, not those it read.
func TestFullDiskReportsWhatWasStored(t *testing.T) {
	mnt := testfs.Tmpfs(t, "3m")
	d, err := db.Open(filepath.Join(mnt, "ws.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	path := filepath.Join(t.TempDir(), "dns.csv")
	if err := os.WriteFile(path, genLog(t, "csv", 100000), 0o644); err != nil {
		t.Fatal(err)
	}
	reps, err := Run(context.Background(), d, []string{path}, Options{BatchSize: 5000})
	if err == nil || !strings.Contains(err.Error(), "full") {
		t.Fatalf("err = %v; the test needs the disk to fill up", err)
	}
	srcs, serr := d.Sources(context.Background())
	if serr != nil || len(srcs) != 1 {
		t.Fatalf("sources %+v, %v", srcs, serr)
	}
	r := reps[0]
	if r.Status != Failed || r.Events != srcs[0].Events || r.Skipped != srcs[0].Skipped {
		t.Errorf("report %+v (%s); the workspace holds %d events", r, r.Describe(), srcs[0].Events)
	}
	if r.Events >= 100000 {
		t.Errorf("every event stored on a full disk: %+v", r)
	}
}

// A regular file whose ingest is cancelled after Run's per-file check but
// before its head is read (while w.sync waits on the previous file's
// batch) reads nothing, and the next run reads it whole: reading only its
// head, as a stopped stream's, stored its first 64 KiB cut mid-line and
// lost the cut line for good (found in review).
func TestAFileCancelledBeforeItsReadReadsNothing(t *testing.T) {
	for _, format := range []string{"csv", "zeek"} {
		log := genLog(t, format, 5000)
		path := filepath.Join(t.TempDir(), "day.log")
		os.WriteFile(path, log, 0o644)
		old := time.Now().Add(-time.Hour)
		os.Chtimes(path, old, old)

		full := openWS(t)
		ingestOne(t, full, path, Options{})
		want := totalEvents(t, full)

		d := openWS(t)
		rep := cancelledRead(t, d, path)
		ingestOne(t, d, path, Options{})
		if got := totalEvents(t, d); got != want || rep.Events != 0 {
			t.Errorf("%s: cancelled then resumed holds %d events, a whole read %d; the cancelled read stored %d", format, got, want, rep.Events)
		}
	}
}

// A grown file whose read is cancelled before it began stores nothing:
// it was read to its end with a context that could not be cancelled
// (found in review).
func TestAGrownFileCancelledBeforeItsReadReadsNothing(t *testing.T) {
	log := genLog(t, "csv", 50000)
	lines := bytes.SplitAfter(log, []byte("\n"))
	path := filepath.Join(t.TempDir(), "live.csv")
	os.WriteFile(path, bytes.Join(lines[:1000], nil), 0o644)
	d := openWS(t)
	ingestOne(t, d, path, Options{})
	os.WriteFile(path, log, 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(path, old, old)

	if rep := cancelledRead(t, d, path); rep.Events > 0 {
		t.Errorf("a read cancelled before it began stored %d events", rep.Events)
	}
}

// cancelledRead reads the file at path into d as a run does, its context
// cancelled after Run's check between files and before the file's read
// (while the previous file's last batch is committed).
func cancelledRead(t *testing.T, d *db.DB, path string) Report {
	t.Helper()
	l, err := d.NewLoader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	w := startWriter(context.Background(), l, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := ingestFile(ctx, d, l, w, path, false, Options{BatchSize: 1000, Progress: &Counters{}})
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rep
}
