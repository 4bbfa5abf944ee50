package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
)

// An ingest into a workspace another longtail is ingesting into waits for
// it, then reads its files: two cron jobs that overlap both land.
func TestAnIngestWaitsForTheOneBeforeIt(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv")
	writeLog(t, log, "www.pirate.sea*3")
	ltOK(t, ws, "ingest", "--no-score", log)
	other, err := db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	l, err := other.NewLoader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(dir, "b.csv")
	writeLog(t, b, "mail.pirate.sea")
	errOut := &syncBuffer{mu: make(chan struct{}, 1)}
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"--db", ws, "ingest", "--no-score", b}, io.Discard, errOut)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errOut.String(), "waiting for it to finish") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("the ingest did not wait: %v\n%s", err, errOut.String())
	default:
	}
	l.Close()
	if err := <-done; err != nil || !strings.Contains(errOut.String(), "b.csv: ingested") {
		t.Fatalf("after the other ingest: %v\n%s", err, errOut.String())
	}
	if out := ltOK(t, ws, "top", "--format", "csv"); !strings.Contains(out, "mail.pirate.sea") {
		t.Errorf("the waiting ingest's name is not in the workspace:\n%s", out)
	}
}
