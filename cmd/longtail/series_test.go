package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The timeline headless: the buckets of the beacon the generator plants
// (once a minute) hold all its events, and no day holds more than 1440.
func TestSeriesOfTheBeacon(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"gen", "dns", "--lines", "30000", "--seed", "4", "--format", "zeek", "--days", "2"}, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	log := filepath.Join(dir, "dns.log")
	os.WriteFile(log, out.Bytes(), 0o644)
	if err := run(ctx, []string{"--db", ws, "ingest", "--no-score", log}, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	out.Reset()
	if err := run(ctx, []string{"--db", ws, "top", "--limit", "3", "--format", "csv"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var beacon, count string
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Split(l, ","); len(f) > 4 && strings.HasPrefix(f[4], "sync.") {
			beacon, count = f[4], f[0]
		}
	}
	if beacon == "" {
		t.Fatalf("no beacon among the top names:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"--db", ws, "series", beacon, "--bucket", "24h", "--format", "csv"}, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	sum := 0
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
		n, _ := strconv.Atoi(l[strings.IndexByte(l, ',')+1:])
		if n > 1440 {
			t.Errorf("a day with %d beacon queries: %s", n, l)
		}
		sum += n
	}
	if strconv.Itoa(sum) != count {
		t.Errorf("beacon series sums to %d, top says %s:\n%s", sum, count, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"--db", ws, "series", "--bucket", "24h", "--format", "csv"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(out.String(), "\n"); lines != 3 {
		t.Errorf("workspace series over 2 days:\n%s", out.String())
	}
	// Days and weeks as the screen's timeline has them.
	days := out.String()
	out.Reset()
	if err := run(ctx, []string{"--db", ws, "series", "--bucket", "1d", "--format", "csv"}, &out, &errOut); err != nil || out.String() != days {
		t.Errorf("--bucket 1d: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"--db", ws, "series", "--bucket", "1w", "--format", "csv"}, &out, &errOut); err != nil || strings.Count(out.String(), "\n") > 3 {
		t.Errorf("--bucket 1w: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"--db", ws, "series", "--bucket", "99999999999w"}, &out, &errOut); err == nil {
		t.Error("a bucket of 99999999999 weeks was taken")
	}
	if err := run(ctx, []string{"--db", ws, "series", "nope.example"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), `no DNS name "nope.example" in this workspace`) {
		t.Errorf("unknown name: %v", err)
	}
}

// A kind without a value is refused: the workspace's series counts every
// kind's events, and served under --kind logon it read as the logons'.
func TestSeriesOfAKindNeedsAValue(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws.db")
	auth := filepath.Join(t.TempDir(), "auth.log")
	os.WriteFile(auth, []byte("Sep 30 12:11:34 web1 sshd[22790]: Failed password for root from 103.100.210.198 port 56763 ssh2\n"), 0o644)
	ltOK(t, ws, "ingest", "--no-score", auth)
	if _, errOut, err := lt(t, ws, "series", "--kind", "logon"); err == nil || !strings.Contains(errOut+err.Error(), "--kind and --by name the subject of a VALUE") {
		t.Errorf("series --kind logon: %v %s", err, errOut)
	}
	if out := ltOK(t, ws, "series", "--format", "csv"); !strings.Contains(out, ",1\n") {
		t.Errorf("series of the workspace: %s", out)
	}
}
