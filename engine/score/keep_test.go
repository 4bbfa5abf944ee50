package score

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
)

// A Keeper rescores the workspace once it changed: a tunnel that starts
// while a follow runs gets its score without anyone asking, and the
// workspace takes writes meanwhile.
func TestKeeperScoresWhatArrives(t *testing.T) {
	ctx := context.Background()
	d := testws.Counts(t, testws.Count{Name: "www.example.com", N: 50}, testws.Count{Name: "mail.example.com", N: 20})
	if _, err := Run(ctx, d); err != nil {
		t.Fatal(err)
	}
	k := Keep(ctx, d)
	defer k.Stop()
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, "03/20/2024 10:%02d:%02d,%x%x.t.tunnel-c2.net,TXT,0,\n", i/60%60, i%60, i*7919, i*104729+12345678)
	}
	log := filepath.Join(t.TempDir(), "more.csv")
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, d, []string{log}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second) // a loaded machine is slow, never wrong
	for {
		if top, err := d.TopScoredDomains(ctx, subject.DNSName, 1); err == nil && len(top) == 1 && top[0].Name == "tunnel-c2.net" {
			break
		}
		if time.Now().After(deadline) {
			at, sum, err, n := k.Last()
			t.Fatalf("the tunnel was not scored: %d rescores, last at %v (%v, %v)", n, at, sum, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, _, err, n := k.Last(); n < 1 || err != nil {
		t.Errorf("Last: %d rescores, %v", n, err)
	}
}

// Runs in one process take turns: one started while another holds the
// turn waits for it (the screen's rescore and a Keeper's would otherwise
// share out the workspace's pool of connections between them).
func TestRunsTakeTurns(t *testing.T) {
	d := testws.Counts(t, testws.Count{Name: "www.example.com", N: 5})
	running <- struct{}{} // a run under way
	done := make(chan error, 1)
	go func() { _, err := Run(context.Background(), d); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("a second run did not wait for the first: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	<-running
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
