package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
)

// jsonKeys is the keys of the first object of a JSON array, in the order
// they are written.
func jsonKeys(t *testing.T, out string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	for _, want := range []json.Delim{'[', '{'} {
		if tok, err := dec.Token(); err != nil || tok != want {
			t.Fatalf("want %v, got %v %v in %s", want, tok, err, out)
		}
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// csvHeader is the first line of a CSV answer.
func csvHeader(t *testing.T, out string) []string {
	t.Helper()
	head, err := csv.NewReader(strings.NewReader(out)).Read()
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// stats --format json is one object with typed fields and the sources as
// objects, not a list of {what, value} pairs to search by label.
func TestStatsJSONIsOneTypedObject(t *testing.T) {
	ws, logPath, _ := genWorkspace(t)
	var stats struct {
		Events, Names, Domains, Clients *int64
		FirstSeen                       string `json:"first_seen"`
		LastSeen                        string `json:"last_seen"`
		Sources                         []struct {
			Path, Format    string
			Events, Skipped *int64
		}
	}
	out := ltOK(t, ws, "stats", "--format", "json")
	if err := json.Unmarshal([]byte(out), &stats); err != nil {
		t.Fatalf("stats is not one object: %v\n%s", err, out)
	}
	if stats.Events == nil || *stats.Events != 3000 || stats.Names == nil || *stats.Names == 0 || stats.FirstSeen == "" || stats.LastSeen == "" {
		t.Errorf("stats fields: %s", out)
	}
	if len(stats.Sources) != 1 || stats.Sources[0].Path != logPath || stats.Sources[0].Format != "opendns-csv" ||
		stats.Sources[0].Events == nil || *stats.Sources[0].Events != 3000 || stats.Sources[0].Skipped == nil {
		t.Errorf("stats sources: %s", out)
	}
	csvOut := ltOK(t, ws, "stats", "--format", "csv")
	if h := csvHeader(t, csvOut); !slices.Contains(h, "events") || strings.Count(strings.TrimSpace(csvOut), "\n") != 1 {
		t.Errorf("stats csv is one header and one row: %q", csvOut)
	}
	if table := ltOK(t, ws, "stats"); !strings.Contains(table, "events") || !strings.Contains(table, logPath) {
		t.Errorf("stats table:\n%s", table)
	}
}

// events --format json gives the answers as an array, and every JSON
// answer writes its keys in the order of the CSV columns.
func TestJSONAnswersAndKeyOrder(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv")
	writeLog(t, log, "www.pirate.sea*3", "mail.pirate.sea")
	ltOK(t, ws, "ingest", log)
	ltOK(t, ws, "baseline", "snapshot", "s0")
	writeLog(t, filepath.Join(dir, "b.csv"), "new.pirate.sea")
	ltOK(t, ws, "ingest", filepath.Join(dir, "b.csv"))
	ltOK(t, ws, "rules", "add", "pirate.sea", "--scope", "domain", "--verdict", "suspicious")

	type event struct {
		Answers []string `json:"answers"`
	}
	evs := jsonRows[event](t, ltOK(t, ws, "events", "www.pirate.sea", "--format", "json"))
	if len(evs) != 3 || !slices.Equal(evs[0].Answers, []string{"192.0.2.1"}) {
		t.Errorf("events answers: %+v", evs)
	}
	for _, cmd := range [][]string{
		{"events", "www.pirate.sea"}, {"top"}, {"top", "--by", "domain"}, {"new", "--since", "s0"},
		{"score", "--stored"}, {"score", "--stored", "--by", "fqdn"}, {"sources"}, {"rules", "list"},
	} {
		js := jsonKeys(t, ltOK(t, ws, append(cmd, "--format", "json")...))
		head := csvHeader(t, ltOK(t, ws, append(cmd, "--format", "csv")...))
		if !slices.Equal(js, head) {
			t.Errorf("%v: json keys %v, csv columns %v", cmd, js, head)
		}
	}
	// top, new and score print the columns they share in the same order.
	top := csvHeader(t, ltOK(t, ws, "top", "--format", "csv"))
	for _, cmd := range [][]string{{"new", "--since", "s0"}, {"score", "--stored", "--by", "fqdn"}, {"top", "--by", "domain"}, {"score", "--stored"}} {
		other := csvHeader(t, ltOK(t, ws, append(cmd, "--format", "csv")...))
		var shared []string
		for _, c := range top {
			if slices.Contains(other, c) {
				shared = append(shared, c)
			}
		}
		var inOther []string
		for _, c := range other {
			if slices.Contains(shared, c) {
				inOther = append(inOther, c)
			}
		}
		if !slices.Equal(shared, inOther) {
			t.Errorf("%v orders the columns it shares with top as %v, top as %v", cmd, inOther, shared)
		}
	}
}

// scoredAt is when the workspace's scores were stored.
func scoredAt(t *testing.T, ws string) time.Time {
	t.Helper()
	d, err := db.Open(ws, db.Options{Access: db.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	at, err := d.ScoredAt(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// score prints the stored scores while they are up to date, scores again
// when a file was read since (or --rescore asks), and never for nothing.
func TestScoreRescoresOnlyWhenTheWorkspaceChanged(t *testing.T) {
	dir := t.TempDir()
	ws, a, b := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	writeLog(t, a, "www.pirate.sea*3")
	ltOK(t, ws, "ingest", a)
	first := scoredAt(t, ws)
	if out := ltOK(t, ws, "score", "--by", "fqdn"); !strings.Contains(out, "www.pirate.sea") {
		t.Fatalf("score:\n%s", out)
	}
	if got := scoredAt(t, ws); !got.Equal(first) {
		t.Errorf("score rescored an unchanged workspace (%v, then %v)", first, got)
	}
	writeLog(t, b, "mail.pirate.sea")
	ltOK(t, ws, "ingest", "--no-score", b)
	if out := ltOK(t, ws, "score", "--by", "fqdn"); !strings.Contains(out, "mail.pirate.sea") {
		t.Errorf("score after an ingest left the new name out:\n%s", out)
	}
	second := scoredAt(t, ws)
	if !second.After(first) {
		t.Errorf("score did not rescore after an ingest")
	}
	ltOK(t, ws, "score", "--rescore")
	third := scoredAt(t, ws)
	if !third.After(second) {
		t.Errorf("score --rescore did not rescore")
	}
	// A rule removed or a rank list imported changes what is normal here:
	// the scores are stale (known-good names are not scored at all).
	ltOK(t, ws, "rules", "add", "pirate.sea", "--verdict", "good", "--scope", "domain")
	ltOK(t, ws, "score")
	fourth := scoredAt(t, ws)
	ltOK(t, ws, "rules", "rm", "pirate.sea", "--scope", "domain")
	if out := ltOK(t, ws, "score", "--by", "fqdn"); !strings.Contains(out, "www.pirate.sea") || !scoredAt(t, ws).After(fourth) {
		t.Errorf("score after a rule was removed kept the scores of %v:\n%s", fourth, out)
	}
	fifth := scoredAt(t, ws)
	ranks := filepath.Join(dir, "top.csv")
	if err := os.WriteFile(ranks, []byte("1,pirate.sea\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ltOK(t, ws, "import-list", "--ranks", ranks)
	ltOK(t, ws, "score")
	sixth := scoredAt(t, ws)
	if !sixth.After(fifth) {
		t.Errorf("score after a rank list import kept the scores of %v", fifth)
	}
	asn := filepath.Join(dir, "ip2asn.tsv")
	if err := os.WriteFile(asn, []byte("192.0.2.0\t192.0.2.255\t64500\tZZ\tEXAMPLE-AS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ltOK(t, ws, "import-asn", asn)
	ltOK(t, ws, "score")
	if !scoredAt(t, ws).After(sixth) {
		t.Errorf("score after an AS table import kept the scores of %v", sixth)
	}
}

// help CMD and CMD --help print that command's usage with an example on
// stdout and succeed; a wrong option is one line with the hint, said once.
func TestHelpAndFlagErrors(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws.db")
	for name := range commands {
		if !strings.Contains(helps[name], "Example:") {
			t.Errorf("%s has no help with an example", name)
		}
	}
	for _, args := range [][]string{{"help", "ingest"}, {"ingest", "--help"}, {"ingest", "-h"}} {
		out, errOut, err := lt(t, ws, args...)
		if err != nil || !strings.HasPrefix(out, "longtail ingest") || !strings.Contains(out, "Example:") || errOut != "" {
			t.Errorf("%v: err %v, stdout %q, stderr %q", args, err, out, errOut)
		}
		if args[0] != "help" && !strings.Contains(out, "-no-score") {
			t.Errorf("%v lists no options: %q", args, out)
		}
	}
	for _, args := range [][]string{{"top", "--bogus"}, {"--bogus"}, {"top", "--limit", "x"}} {
		out, errOut, err := lt(t, ws, args...)
		if err == nil || out != "" || errOut != "" {
			t.Errorf("%v: err %v, stdout %q, stderr %q", args, err, out, errOut)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "--help") || strings.Count(msg, "bogus") > 1 {
			t.Errorf("%v: %q is not one line with the hint", args, msg)
		}
	}
}

// rules add says how much the new rule covers, and suggests --scope domain
// when a name rule covers nothing but names below it exist.
func TestRulesAddSaysWhatItCovers(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv")
	writeLog(t, log, "www.pirate.sea*3", "mail.pirate.sea", "calm.sea")
	ltOK(t, ws, "ingest", "--no-score", log)
	out := ltOK(t, ws, "rules", "add", "pirate.sea", "--verdict", "bad")
	if !strings.Contains(out, "covers 0 names, 0 events") || !strings.Contains(out, "2 names (4 events) are below it") ||
		!strings.Contains(out, "--scope domain") {
		t.Errorf("rules add of a bare domain:\n%s", out)
	}
	out = ltOK(t, ws, "rules", "add", "*.pirate.sea", "--verdict", "bad")
	if !strings.Contains(out, "covers 2 names, 4 events") || strings.Contains(out, "below it") {
		t.Errorf("rules add of a domain rule:\n%s", out)
	}
	out = ltOK(t, ws, "rules", "add", "nothing.example", "--verdict", "good")
	if !strings.Contains(out, "covers 0 names") || strings.Contains(out, "--scope domain") {
		t.Errorf("rules add of an unseen name:\n%s", out)
	}
}

// A log no format reads is named for what it looks like; standard input
// is said to be never deduplicated.
func TestIngestNamesOtherLogsAndSaysStdinIsNotDeduplicated(t *testing.T) {
	dir := t.TempDir()
	ws, auth, dns := filepath.Join(dir, "ws.db"), filepath.Join(dir, "auth.log"), filepath.Join(dir, "dns.csv")
	line := "Sep 30 12:11:33 ip-172-31-43-28 sudo[22789]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls\n"
	if err := os.WriteFile(auth, []byte(strings.Repeat(line, 3)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := lt(t, ws, "ingest", "--no-score", auth)
	if err == nil || !strings.Contains(errOut, "looks like an auth log (sudo via syslog)") || !strings.Contains(errOut, "not this kind of log yet") ||
		strings.Contains(errOut, "tried") {
		t.Errorf("ingest of an auth log: %v\n%s", err, errOut)
	}

	writeLog(t, dns, "www.pirate.sea*2")
	f, err := os.Open(dns)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	if _, errOut, err := lt(t, ws, "ingest", "--no-score", "-"); err != nil || !strings.Contains(errOut, "never recognised as read before") {
		t.Errorf("ingest of stdin: %v\n%s", err, errOut)
	}
	if _, errOut, err := lt(t, ws, "ingest", "--no-score", dns); err != nil || strings.Contains(errOut, "never recognised") {
		t.Errorf("ingest of a file: %v\n%s", err, errOut)
	}
}

// A first ingest of a directory with no file in it makes no workspace,
// as one of a mistyped path does. (A stream is known to give nothing only
// once the workspace is open, which another ingest may be waiting on: it
// is left, never removed under it.)
func TestAnEmptyDirectoryMakesNoWorkspace(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "nothing-yet")
	os.Mkdir(empty, 0o755)
	ingestLeavesNoWorkspace(t, filepath.Join(dir, "new.db"), empty)
}

// --year takes a year of four digits: --year 19 dated events in the year 19.
func TestYearIsAYear(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws.db")
	for _, y := range []string{"19", "1969", "twenty"} {
		if _, errOut, err := lt(t, ws, "ingest", "--year", y, "x.log"); err == nil || !strings.Contains(errOut+err.Error(), "a year of four digits") {
			t.Errorf("--year %s: %v %s", y, err, errOut)
		}
	}
}
