package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/gen"
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
