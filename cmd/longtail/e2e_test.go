package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the real longtail once per test run.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "longtail")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func runBin(t testing.TB, bin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// stat is one figure of the binary's stats.
func stat(t *testing.T, bin, ws, what string) float64 {
	t.Helper()
	out, errOut, err := runBin(t, bin, "--db", ws, "stats", "--format", "json")
	if err != nil {
		t.Fatalf("stats: %v %s", err, errOut)
	}
	return statIn(t, out, what)
}

// statValue is one figure of stats, run in-process.
func statValue(t *testing.T, ws, what string) float64 {
	t.Helper()
	return statIn(t, ltOK(t, ws, "stats", "--format", "json"), what)
}

// statIn picks one figure out of stats --format json.
func statIn(t *testing.T, out, what string) float64 {
	t.Helper()
	var stats map[string]any
	if err := json.Unmarshal([]byte(out), &stats); err != nil {
		t.Fatalf("stats: %v in %s", err, out)
	}
	v, ok := stats[what].(float64)
	if !ok {
		t.Fatalf("no %s in stats %s", what, out)
	}
	return v
}

// Killing the real binary mid-ingest leaves a workspace that opens with
// whole batches only, and the next ingest completes it without adding
// anything twice or losing anything: also for a log whose queries wait for
// their response on a later line when the kill comes.
func TestKilledIngestResumesWithoutDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, c := range []struct{ format, lead string }{
		{"csv", ""},
		// A leading line that is not DNS puts every 1024th line, where
		// a batch may end, between a query and its response.
		{"tcpdump", "2024-03-04 00:00:00.000000 ARP, Request who-has 10.0.0.1 tell 10.0.0.6, length 28\n"},
	} {
		t.Run(c.format, func(t *testing.T) { killAndResume(t, bin, c.format, c.lead) })
	}
}

func killAndResume(t *testing.T, bin, format, lead string) {
	dir := t.TempDir()
	log := filepath.Join(dir, "dns.log")
	out, errOut, err := runBin(t, bin, "gen", "dns", "--lines", "600000", "--seed", "5", "--format", format)
	if err != nil {
		t.Fatalf("gen: %v %s", err, errOut)
	}
	os.WriteFile(log, []byte(lead+out), 0o644)
	// Old enough that its last line counts as complete.
	old := time.Now().Add(-time.Minute)
	os.Chtimes(log, old, old)

	oneRead := filepath.Join(dir, "one.db")
	if _, errOut, err := runBin(t, bin, "--db", oneRead, "ingest", "--no-score", log); err != nil {
		t.Fatalf("one read: %v %s", err, errOut)
	}
	all := stat(t, bin, oneRead, "events")

	ws := filepath.Join(dir, "ws.db")
	cmd := exec.Command(bin, "--db", ws, "ingest", "--batch", "20000", log)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		src, _, err := runBin(t, bin, "--db", ws, "sources", "--format", "csv")
		if err == nil && strings.Count(src, "\n") > 1 && !strings.Contains(src, ",0,0,0,0,") {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("no batch was committed within a minute")
	}

	events := stat(t, bin, ws, "events")
	out, _, _ = runBin(t, bin, "--db", ws, "sources", "--format", "json")
	var srcs []struct{ Lines, Events float64 }
	json.Unmarshal([]byte(out), &srcs)
	if len(srcs) != 1 || events == 0 || events >= all || events != srcs[0].Events {
		t.Fatalf("after the kill the workspace holds %v events of %v, its source %+v; want whole batches, fewer than all", events, all, srcs)
	}
	if format == "csv" && events != srcs[0].Lines {
		t.Fatalf("after the kill: %v events from %v lines of one event each", events, srcs[0].Lines)
	}
	if _, errOut, err := runBin(t, bin, "--db", ws, "top", "--limit", "5"); err != nil {
		t.Fatalf("top after kill: %v %s", err, errOut)
	}

	_, errOut, err = runBin(t, bin, "--db", ws, "ingest", log)
	if err != nil || !strings.Contains(errOut, "resumed") {
		t.Fatalf("resume: %v %s", err, errOut)
	}
	if got := stat(t, bin, ws, "events"); got != all {
		t.Fatalf("after resuming: %v events, one read gives %v", got, all)
	}
	_, errOut, err = runBin(t, bin, "--db", ws, "ingest", log)
	if err != nil || !strings.Contains(errOut, "unchanged") {
		t.Fatalf("third read: %v %s", err, errOut)
	}
	if got := stat(t, bin, ws, "events"); got != all {
		t.Fatalf("after a third read: %v events", got)
	}
	if !reflect.DeepEqual(topRows(t, bin, ws), topRows(t, bin, oneRead)) {
		t.Fatal("the names, counts, clients and times differ from one read's")
	}

	// The same answer from the domain roll-up: the aggregates are consistent.
	out, _, _ = runBin(t, bin, "--db", ws, "top", "--by", "domain", "--limit", "1000000", "--format", "json")
	var doms []struct{ Count float64 }
	json.Unmarshal([]byte(out), &doms)
	sum := 0.0
	for _, d := range doms {
		sum += d.Count
	}
	if sum != all {
		t.Fatalf("domains sum to %v events, want %v", sum, all)
	}
}

// topRows is every name of a workspace with every column but the score
// (a read compared with it may not be scored).
func topRows(t *testing.T, bin, ws string) []map[string]any {
	t.Helper()
	out, _, _ := runBin(t, bin, "--db", ws, "top", "--limit", "1000000", "--format", "json")
	rows := jsonRows[map[string]any](t, out)
	for _, r := range rows {
		delete(r, "score")
	}
	return rows
}
