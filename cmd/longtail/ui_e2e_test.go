package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// In a terminal, without colour: what longtail FILE... reported before the
// screen opened (a file it could not read) is the first status line and is
// in the messages (!) whole; Y shows the value it copied for the mouse; in
// a domain's requests G reaches the oldest of them, past the first page.
func TestTUIShowsTheIngestsErrorsAndReachesEveryRequest(t *testing.T) {
	tm := newTmux(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	log, bad := filepath.Join(dir, "dns.log"), filepath.Join(dir, "bad.bin")
	out, errOut, err := runBin(t, bin, "gen", "dns", "--lines", "20000", "--seed", "7", "--format", "zeek")
	if err != nil {
		t.Fatalf("gen: %v %s", err, errOut)
	}
	if os.WriteFile(log, []byte(out), 0o644) != nil || os.WriteFile(bad, []byte("\x00\x01\x02 not a log\n"), 0o644) != nil {
		t.Fatal("writing the logs")
	}
	ws := filepath.Join(dir, "ws.db")
	tm.start(80, 24, bin, "--db", ws, log, bad)
	tm.waitFor("the ingest's problem in the status line", func(s string) bool {
		return strings.Contains(s, "a file gave nothing usable")
	})
	tm.keys("!")
	tm.waitFor("the ingest's report in the messages", func(s string) bool {
		squash := func(s string) string { return strings.Join(strings.Fields(s), "") } // wrapped anywhere
		return strings.HasPrefix(s, "messages") && strings.Contains(squash(s), squash("the ingest before the screen: ")) && strings.Contains(squash(s), squash(bad+": failed: unknown format"))
	})
	// Y reads the whole list's cursor: the first rows come before it.
	tm.keys("Escape")
	tm.waitFor("the whole list", func(s string) bool { return strings.Contains(s, "sorted by") && !strings.Contains(s, "  loading ") })
	tm.keys("Y")
	tm.waitFor("the copied value shown", func(s string) bool { return strings.Contains(s, "select it with the mouse") })

	// The busiest domain, by count: its requests are more than a page.
	tm.keys("o")
	tm.waitFor("the domains by count", func(s string) bool { return strings.Contains(s, "count↓") })
	tm.keys("g", "Enter")
	tm.waitFor("the requests", func(s string) bool { return strings.Contains(s, "row 1 of ") })
	tm.keys("G")
	tm.waitFor("the oldest request", func(s string) bool {
		first := strings.SplitN(s, "\n", 2)[0]
		i := strings.Index(first, "row ")
		if i < 0 {
			return false
		}
		f := strings.Fields(first[i:]) // row N of N, newest first
		return len(f) >= 4 && f[1] == strings.TrimSuffix(f[3], ",") && f[1] != "1"
	})
	tm.keys("Q")
	tm.waitGone()
}
