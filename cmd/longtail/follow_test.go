package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/tui"
)

// syncBuffer is a bytes.Buffer the command writes from its goroutine.
type syncBuffer struct {
	mu chan struct{}
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.String()
}

// longtail follow reads a log on as it grows until it is stopped, then
// ends cleanly (status 0) with the workspace scored.
func TestFollowCommandReadsOnUntilStopped(t *testing.T) {
	dir := t.TempDir()
	ws, live := filepath.Join(dir, "ws.db"), filepath.Join(dir, "live.csv")
	var log bytes.Buffer
	if _, err := gen.Write(&log, gen.Options{Lines: 2000, Seed: 7, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(log.Bytes(), []byte("\n"))
	half := bytes.Join(lines[:len(lines)/2], nil)
	if err := os.WriteFile(live, half, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &syncBuffer{mu: make(chan struct{}, 1)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--db", ws, "follow", live}, &bytes.Buffer{}, stderr) }()
	waitEvents := func(n float64) {
		t.Helper()
		for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if _, err := os.Stat(ws); err == nil && statValue(t, ws, "events") == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the workspace never had %v events", n)
			}
		}
	}
	waitEvents(float64(len(lines) / 2))
	f, err := os.OpenFile(live, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(bytes.Join(lines[len(lines)/2:], nil))
	f.Close()
	waitEvents(float64(2000))
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("stopped follow: %v\n%s", err, stderr.b.String())
	}
	out := stderr.b.String()
	if !strings.Contains(out, "followed for") || !strings.Contains(out, "scored") {
		t.Errorf("what follow said:\n%s", out)
	}
}

// The review screen's follow, stopped when the screen closes, says what
// it read behind the screen: the terminal would otherwise show only what
// was read before the screen opened.
func TestFollowBehindTheScreenSaysWhatItRead(t *testing.T) {
	dir := t.TempDir()
	ws, live := filepath.Join(dir, "ws.db"), filepath.Join(dir, "live.csv")
	var log bytes.Buffer
	if _, err := gen.Write(&log, gen.Options{Lines: 300, Seed: 7, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(live, log.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	e := &env{dbPath: ws, follow: true, stdout: io.Discard, stderr: &stderr}
	d, err := e.open(false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stop := followBehind(context.Background(), e, d, []string{live}, &tui.Options{})
	for deadline := time.Now().Add(60 * time.Second); statValue(t, ws, "events") != 300; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the follow never read the log")
		}
	}
	stop()
	if got := stderr.String(); !strings.Contains(got, "followed for") || !strings.Contains(got, ": 300 events read") {
		t.Errorf("what the follow said when the screen closed: %q", got)
	}
}

// The real binary killed while it follows a log being written leaves whole
// batches, and started again it reads on to exactly one read's names,
// counts, clients and times, then stops cleanly on SIGTERM.
func TestKilledFollowReadsOnWithoutDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	out, errOut, err := runBin(t, bin, "gen", "dns", "--lines", "200000", "--seed", "5", "--format", "tcpdump")
	if err != nil {
		t.Fatalf("gen: %v %s", err, errOut)
	}
	lines := strings.SplitAfter(out, "\n")
	live, ws := filepath.Join(dir, "live.log"), filepath.Join(dir, "ws.db")
	f, err := os.OpenFile(live, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	write := func(n int) { // the next n lines
		end := min(next+n, len(lines))
		f.WriteString(strings.Join(lines[next:end], ""))
		next = end
	}
	follow := func() *exec.Cmd {
		cmd := exec.Command(bin, "--db", ws, "follow", "--no-score", live)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	cmd := follow()
	killed := false
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline) && next < len(lines)/2; {
		write(2000)
		time.Sleep(20 * time.Millisecond)
		src, _, err := runBin(t, bin, "--db", ws, "sources", "--format", "csv")
		if err == nil && strings.Count(src, "\n") > 1 && !strings.Contains(src, ",0,0,0,0,") && next > len(lines)/4 {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("no batch was committed while a quarter to half of the log was written")
	}
	cmd = follow()
	for next < len(lines) {
		write(2000)
		time.Sleep(10 * time.Millisecond)
	}
	f.Close()
	old := time.Now().Add(-time.Minute) // settled: its last queries are complete
	os.Chtimes(live, old, old)

	oneRead := filepath.Join(dir, "one.db")
	if _, errOut, err := runBin(t, bin, "--db", oneRead, "ingest", "--no-score", live); err != nil {
		t.Fatalf("one read: %v %s", err, errOut)
	}
	all := stat(t, bin, oneRead, "events")
	for deadline := time.Now().Add(90 * time.Second); stat(t, bin, ws, "events") != all; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the follow started again holds %v events, one read %v", stat(t, bin, ws, "events"), all)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("follow stopped by SIGTERM: %v", err)
	}
	if !reflect.DeepEqual(topRows(t, bin, ws), topRows(t, bin, oneRead)) {
		t.Fatal("the names, counts, clients and times differ from one read's")
	}
}

// A follow of what it can never read stops at once, saying why, before
// it makes a workspace or says it is following: it used to follow notes
// until Ctrl-C, and a directory was "following 1 file" before its error.
func TestFollowRefusesWhatItCannotReadAtOnce(t *testing.T) {
	dir := t.TempDir()
	ws, notes := filepath.Join(dir, "ws.db"), filepath.Join(dir, "notes.log")
	os.WriteFile(notes, []byte("hello world\nthis is not a log\n"), 0o644)
	hourAgo := time.Now().Add(-time.Hour) // not a log being written
	os.Chtimes(notes, hourAgo, hourAgo)
	for _, arg := range []string{notes, dir} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var errOut bytes.Buffer
		err := run(ctx, []string{"--db", ws, "follow", arg}, io.Discard, &errOut)
		cancel()
		if err == nil || strings.Contains(errOut.String(), "following") {
			t.Errorf("follow %s: %v\n%s", arg, err, errOut.String())
		}
		if _, serr := os.Stat(ws); serr == nil {
			t.Fatalf("follow %s made a workspace", arg)
		}
	}
}
