package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// events --by domain lists the events of every name of a registered
// domain, newest first, naming each one's name, with --limit as for a
// name; series --by domain counts the same events. The screen reads them
// from the same db query.
func TestEventsAndSeriesOfADomain(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv")
	writeLog(t, log, "www.pirate.sea*3", "mail.pirate.sea", "www.other.test*2", "pirate.sea")
	ltOK(t, ws, "ingest", log)

	type event struct {
		Time string `json:"time"`
		Name string `json:"name"`
	}
	evs := jsonRows[event](t, ltOK(t, ws, "events", "pirate.sea", "--by", "domain", "--format", "json"))
	var names []string
	for i, e := range evs {
		names = append(names, e.Name)
		if i > 0 && e.Time > evs[i-1].Time {
			t.Errorf("event %d (%s) is newer than event %d (%s)", i, e.Time, i-1, evs[i-1].Time)
		}
	}
	if want := []string{"pirate.sea", "mail.pirate.sea", "www.pirate.sea", "www.pirate.sea", "www.pirate.sea"}; !slices.Equal(names, want) {
		t.Errorf("the domain's events name %v, want %v (newest first, no other domain's)", names, want)
	}
	csv := ltOK(t, ws, "events", "pirate.sea", "--by", "domain", "--format", "csv", "--limit", "2")
	if head := csvHeader(t, csv); head[len(head)-1] != "name" || !slices.Equal(head, jsonKeys(t, ltOK(t, ws, "events", "pirate.sea", "--by", "domain", "--format", "json"))) {
		t.Errorf("events --by domain columns: %v", head)
	}
	if lines := strings.Count(csv, "\n"); lines != 3 {
		t.Errorf("--limit 2 printed %d lines:\n%s", lines, csv)
	}
	if _, errOut, err := lt(t, ws, "events", "pirate.sea", "--by", "domain", "--limit", "2"); err != nil || !strings.Contains(errOut, "2 of 5 events shown") {
		t.Errorf("the table does not say how many are left out: %v %s", err, errOut)
	}
	type point struct {
		Count int64 `json:"count"`
	}
	var sum int64
	for _, p := range jsonRows[point](t, ltOK(t, ws, "series", "pirate.sea", "--by", "domain", "--format", "json")) {
		sum += p.Count
	}
	if sum != int64(len(evs)) {
		t.Errorf("series --by domain counts %d events, events --by domain lists %d", sum, len(evs))
	}
}

// Any subject's groups: a user agent family's requests, the last column
// naming each one's user agent.
func TestEventsOfAnHTTPGroup(t *testing.T) {
	ws, truth := webWorkspace(t, 3000)
	csv := ltOK(t, ws, "events", "--kind", "http", "--by", "ua:group", "zgrab", "--format", "csv", "--limit", "0")
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if !strings.HasSuffix(lines[0], ",value") || len(lines)-1 != truth.ScannerPaths ||
		!strings.HasSuffix(lines[1], ","+truth.ScannerAgent) && !strings.HasSuffix(lines[1], `,"`+truth.ScannerAgent+`"`) {
		t.Errorf("the zgrab family's requests (want %d by %s):\n%s", truth.ScannerPaths, truth.ScannerAgent, strings.Join(lines[:min(3, len(lines))], "\n"))
	}
}
