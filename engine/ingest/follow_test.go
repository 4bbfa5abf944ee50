package ingest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/internal/testfs"
)

// liveLog writes a log the way a resolver does while Follow reads it: in
// chunks, a line at times cut in two writes, to a file opened for
// appending, rotated part-way by rotate.
type liveLog struct {
	t     *testing.T
	path  string
	f     *os.File
	lines [][]byte
	next  int // the first line not written yet
}

func newLiveLog(t *testing.T, path string, log []byte) *liveLog {
	l := &liveLog{t: t, path: path, lines: bytes.SplitAfter(log, []byte("\n"))}
	l.open()
	return l
}

func (l *liveLog) open() {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		l.t.Fatal(err)
	}
	l.f = f
}

// write writes the next n lines (fewer at the end), the last of them in
// two writes a moment apart.
func (l *liveLog) write(n int) {
	end := min(l.next+n, len(l.lines))
	chunk := bytes.Join(l.lines[l.next:end], nil)
	l.next = end
	cut := len(chunk) - len(l.lines[end-1])/2
	for _, part := range [][]byte{chunk[:cut], chunk[cut:]} {
		if _, err := l.f.Write(part); err != nil {
			l.t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (l *liveLog) done() bool { return l.next >= len(l.lines) }

// renamed rotates the log as logrotate's default does: renamed, written
// to a little more (the writer has not reopened it yet), then a new file.
func (l *liveLog) renamed() {
	if err := os.Rename(l.path, l.path+".1"); err != nil {
		l.t.Fatal(err)
	}
	l.write(7)
	l.write(7)
	l.f.Close()
	l.open()
}

// copyTruncated rotates the log as logrotate's copytruncate does: copied,
// and the original emptied while the writer keeps it open.
func (l *liveLog) copyTruncated() {
	data, err := os.ReadFile(l.path)
	if err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(l.path+".1", data, 0o644); err != nil {
		l.t.Fatal(err)
	}
	if err := l.f.Truncate(0); err != nil {
		l.t.Fatal(err)
	}
}

// settle ages the files: a reader then takes their last lines and the
// queries still waiting at their end as complete.
func settle(t *testing.T, paths ...string) {
	at := time.Now().Add(-time.Hour)
	for _, p := range paths {
		if err := os.Chtimes(p, at, at); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

// oneRead is the workspace of one ingest of the final files.
func oneRead(t *testing.T, paths ...string) string {
	d := openWS(t)
	var there []string
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			there = append(there, p)
		}
	}
	if _, err := Run(context.Background(), d, there, Options{}); err != nil {
		t.Fatal(err)
	}
	return everything(t, d)
}

// following runs Follow in the background; the returned function stops it
// and fails the test when Follow failed.
func following(t *testing.T, d *db.DB, paths []string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, d, paths, FollowOptions{Poll: 50 * time.Millisecond}) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Follow: %v", err)
		}
	}
}

// patience is how long a test waits for what Follow should do in a second
// or two: a loaded machine is slow, never wrong.
const patience = 90 * time.Second

// eventually waits until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not after %s: %s", patience, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// becomes waits until the workspace's events are want's, and says how they
// differ when they never are.
func becomes(t *testing.T, d *db.DB, want string) {
	t.Helper()
	var got string
	deadline := time.Now().Add(patience)
	for got = everything(t, d); got != want; got = everything(t, d) {
		if time.Now().After(deadline) {
			srcs, _ := d.Sources(context.Background())
			t.Fatalf("still not one read's events after %s:\n%s\nsources: %+v", patience, firstLineDiff(got, want), srcs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A log followed while it is written and rotated (renamed and recreated,
// or copied and truncated) ends as one ingest of the files it left: every
// event once, each answer paired with its query across the reads. So does
// one rotated while nothing followed it (the follow stopped, the log
// written on, rotated, written on), followed again: the unread lines of
// its rotated part were skipped without a word, the old source left half
// read.
func TestFollowThroughRotationGivesTheEventsOfOneRead(t *testing.T) {
	log := delayedResponses(genLog(t, "tcpdump", 3000))
	for name, rotate := range map[string]func(*liveLog){"rename": (*liveLog).renamed, "copytruncate": (*liveLog).copyTruncated} {
		for _, stopped := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s stopped=%v", name, stopped), func(t *testing.T) {
				dir := t.TempDir()
				live := filepath.Join(dir, "live.log")
				w := newLiveLog(t, live, log)
				defer w.f.Close()
				d := openWS(t)
				stop := following(t, d, []string{live})
				for w.next < len(w.lines)/3 {
					w.write(40)
				}
				// Rotated once Follow has read some of it.
				eventually(t, "Follow stored the first lines", func() bool { return totalEvents(t, d) > 0 })
				if stopped {
					stop()
					w.write(100) // unread when the log is rotated
				}
				rotate(w)
				for !w.done() {
					w.write(40)
					time.Sleep(5 * time.Millisecond)
				}
				settle(t, live, live+".1")
				if stopped {
					stop = following(t, d, []string{live})
				}
				defer stop()
				becomes(t, d, oneRead(t, live+".1", live))
			})
		}
	}
}

// A Follow stopped mid-stream (what a kill leaves: the committed batches)
// holds no event twice and none that one read would not, and a Follow
// started again carries on to exactly one read's events.
func TestFollowStoppedAndStartedAgainLosesAndRepeatsNothing(t *testing.T) {
	log := delayedResponses(genLog(t, "tcpdump", 3000))
	dir := t.TempDir()
	live := filepath.Join(dir, "live.log")
	w := newLiveLog(t, live, log)
	defer w.f.Close()
	ws := filepath.Join(dir, "ws.db")
	d, err := db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := following(t, d, []string{live})
	for w.next < len(w.lines)/2 {
		w.write(40)
		time.Sleep(5 * time.Millisecond)
	}
	eventually(t, "Follow stored some lines", func() bool { return totalEvents(t, d) > 0 })
	stop()
	d.Close()

	for !w.done() { // written while nothing follows it
		w.write(40)
	}
	settle(t, live)
	want := oneRead(t, live)
	d, err = db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if extra := notIn(everything(t, d), want); extra != "" {
		t.Fatalf("stopped: an event one read does not have (or has once): %s", extra)
	}
	stop = following(t, d, []string{live})
	defer stop()
	becomes(t, d, want)
}

// A log replaced by a new file is not read on in another log of its folder
// that starts as it did (a longer copy of it under another name): that is
// not its rotation, and its events would have come from a file never
// named.
func TestFollowTakesNoOtherLogForItsRotation(t *testing.T) {
	log := genLog(t, "tcpdump", 600)
	dir := t.TempDir()
	live, other := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	lines := bytes.SplitAfter(log, []byte("\n"))
	writeFile(t, live, bytes.Join(lines[:200], nil))
	writeFile(t, other, log)
	settle(t, live, other)
	d := openWS(t)
	stop := following(t, d, []string{live})
	defer stop()
	eventually(t, "Follow read a.log", func() bool { return totalEvents(t, d) > 0 })
	want := totalEvents(t, d)
	if err := os.Remove(live); err != nil {
		t.Fatal(err)
	}
	writeFile(t, live, bytes.Join(lines[400:], nil)) // other lines
	settle(t, live)
	eventually(t, "Follow read the new a.log", func() bool { return totalEvents(t, d) > want })
	time.Sleep(200 * time.Millisecond) // a few more looks
	srcs, err := d.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.Path == other {
			t.Fatalf("b.log was read as a.log's rotation: %+v", s)
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// notIn returns a line of got that want lacks, counting repeats; "" when
// none.
func notIn(got, want string) string {
	left := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		left[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		if l == "" {
			continue
		}
		if left[l] == 0 {
			return l
		}
		left[l]--
	}
	return ""
}

// With FlushEvery, what was read is committed while the read goes on, the
// batch not full: a kill of a follow that reads a long backlog, or a slow
// stream, loses at most that much.
func TestFlushEveryCommitsABatchThatIsNotFull(t *testing.T) {
	d := openWS(t)
	const lines = 3 * 1024 // a batch can be sent every 1024 lines
	fifo := filepath.Join(t.TempDir(), "fifo")
	testfs.Mkfifo(t, fifo)
	ctx, cancel := context.WithCancel(context.Background())
	done := runAsync(ctx, d, []string{fifo}, Options{FlushEvery: 10 * time.Millisecond})
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close() // open: the read goes on
	log := bytes.SplitAfter(genLog(t, "csv", lines), []byte("\n"))
	for i := 0; i < len(log); i += 512 {
		if _, err := w.Write(bytes.Join(log[i:min(i+512, len(log))], nil)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // the batch grows old
	}
	eventually(t, "a batch committed while the read goes on", func() bool {
		srcs, err := d.Sources(context.Background())
		return err == nil && len(srcs) == 1 && srcs[0].Lines > 0
	})
	cancel()
	waitRun(t, done)
}

// While another process ingests into the workspace, a follow waits for it
// and then reads on: nothing lost, nothing read twice.
func TestFollowWaitsForAnotherIngest(t *testing.T) {
	log := genLog(t, "csv", 2000)
	dir := t.TempDir()
	live := filepath.Join(dir, "live.log")
	writeAged(t, live, log, time.Hour)
	ws := filepath.Join(dir, "ws.db")
	d, err := db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	other, err := db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	l, err := other.NewLoader(context.Background()) // the other ingest
	if err != nil {
		t.Fatal(err)
	}
	stop := following(t, d, []string{live})
	defer stop()
	time.Sleep(200 * time.Millisecond) // a few looks at the file meanwhile
	if err := l.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	becomes(t, d, oneRead(t, live))
}

// A stop is a clean end whenever it comes: also while Follow looks at the
// files (a query of the workspace cut short by it), where it returned
// "context canceled" (seen on a loaded CI machine).
func TestFollowStoppedWhileLookingEndsCleanly(t *testing.T) {
	live := filepath.Join(t.TempDir(), "live.log")
	writeAged(t, live, genLog(t, "csv", 10), time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Follow(ctx, openWS(t), []string{live}, FollowOptions{}); err != nil {
		t.Errorf("Follow stopped before its first look: %v", err)
	}
}

// A live log whose first line is half written yet is followed, not
// refused: only a file that holds what no format reads and is not being
// written is.
func TestCheckFollowWaitsForAHalfWrittenFirstLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "security.json")
	os.WriteFile(path, []byte(`{"@timestamp":"2020-10-22T08:29:53Z","EventID":46`), 0o644)
	if err := CheckFollow([]string{path}); err != nil {
		t.Errorf("a log being written: %v", err)
	}
	hourAgo := time.Now().Add(-time.Hour)
	os.Chtimes(path, hourAgo, hourAgo)
	if err := CheckFollow([]string{path}); err == nil {
		t.Error("a file no format reads, an hour old, was taken")
	}
}

func TestRotationNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"access.log.1", true},
		{"access.log-20261207", true},
		{"access-20261207.log", true}, // logrotate's "extension .log"
		{"access.log.2.gz", true},
		{"access.log", false},
		{"access.log.", false},
		{"accesses.log", false},
		{"b.log", false},
	} {
		if got := rotationOf("access.log", tc.name); got != tc.want {
			t.Errorf("rotationOf(access.log, %s) = %v", tc.name, got)
		}
	}
	if rotationOf("a.log", "another.log") {
		t.Error("another.log taken for a rotation of a.log")
	}
}
