package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// topVerdicts is what top --format json lists: value (or group) and verdict.
func topVerdicts(t *testing.T, ws string, args ...string) []string {
	t.Helper()
	var out []string
	for _, r := range jsonRows[map[string]any](t, ltOK(t, ws, append([]string{"top", "--format", "json"}, args...)...)) {
		key := r["name"]
		if key == nil {
			key = r["domain"]
		}
		out = append(out, fmt.Sprintf("%v %v", key, r["verdict"]))
	}
	return out
}

// A name rule on a bare registered domain covers that name only (rules add
// says "covers 0 names"): the domain row and its names stay undecided.
func TestANameRuleOnADomainDecidesNeitherTheDomainNorItsNames(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv")
	writeLog(t, log, "www.pirate.sea*3", "mail.pirate.sea*2")
	ltOK(t, ws, "ingest", "--no-score", log)
	ltOK(t, ws, "rules", "add", "pirate.sea", "--verdict", "good")
	if got := topVerdicts(t, ws, "--by", "domain"); !slices.Equal(got, []string{"pirate.sea <nil>"}) {
		t.Errorf("top --by domain = %q", got)
	}
	if got := topVerdicts(t, ws, "--hide", "good"); !slices.Equal(got, []string{"www.pirate.sea <nil>", "mail.pirate.sea <nil>"}) {
		t.Errorf("top --hide good = %q", got)
	}
	// Nor does the scorer take the domain for known-good and leave it out.
	if out := ltOK(t, ws, "score", "--by", "domain", "--rescore"); !strings.Contains(out, "pirate.sea") {
		t.Errorf("score --by domain left out the domain a name rule does not decide:\n%s", out)
	}
	ltOK(t, ws, "rules", "add", "*.pirate.sea", "--verdict", "good")
	if got := topVerdicts(t, ws, "--by", "domain"); !slices.Equal(got, []string{"pirate.sea good"}) {
		t.Errorf("top --by domain after a domain rule = %q", got)
	}
}

// A name is found as the screen shows it: in Unicode, for the punycode the
// log holds.
func TestAUnicodeNameIsTheLogsPunycode(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv")
	writeLog(t, log, "www.xn--mnchen-3ya.de*2")
	ltOK(t, ws, "ingest", "--no-score", log)
	if out := ltOK(t, ws, "events", "www.München.de", "--format", "csv"); strings.Count(out, "\n") != 3 {
		t.Errorf("events www.München.de:\n%s", out)
	}
	if out := ltOK(t, ws, "rules", "add", "*.münchen.de", "--verdict", "good"); !strings.Contains(out, "good *.xn--mnchen-3ya.de") ||
		!strings.Contains(out, "covers 1 name, 2 events") {
		t.Errorf("rules add *.münchen.de:\n%s", out)
	}
}

// A name a log wrote in Unicode (dnsmasq does) is found as shown, not
// taken for its punycode twin: the exact form is looked up first.
func TestAUnicodeNameOfTheLogIsFoundAsShown(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv")
	writeLog(t, log, "www.bücher.de*3", "www.xn--bcher-kva.de")
	ltOK(t, ws, "ingest", "--no-score", log)
	if out := ltOK(t, ws, "events", "www.bücher.de", "--format", "csv"); strings.Count(out, "\n") != 4 {
		t.Errorf("events www.bücher.de found its punycode twin:\n%s", out)
	}
	if out := ltOK(t, ws, "series", "www.bücher.de", "--format", "csv"); !strings.Contains(out, ",3\n") {
		t.Errorf("series www.bücher.de:\n%s", out)
	}
}

// Notes imported by mistake make no rule: nine sentences and foo.com are
// no list of names.
func TestImportListRefusesNotes(t *testing.T) {
	dir := t.TempDir()
	ws, log, notes := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv"), filepath.Join(dir, "notes.txt")
	writeLog(t, log, "foo.com")
	ltOK(t, ws, "ingest", "--no-score", log)
	if err := os.WriteFile(notes, []byte(strings.Repeat("We saw a lot of traffic to a strange domain.\n", 9)+"foo.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := lt(t, ws, "import-list", notes, "--verdict", "bad"); err == nil || !strings.Contains(err.Error(), "9 of its 10 lines are not names") {
		t.Errorf("import-list of notes: %v", err)
	}
	if rs := listRules(t, ws); len(rs) != 0 {
		t.Errorf("rules made from notes: %v", rs)
	}
}

// One of a thing is said in the singular: "1 rank removed".
func TestClearSaysOneInTheSingular(t *testing.T) {
	dir := t.TempDir()
	ws, top := filepath.Join(dir, "ws.db"), filepath.Join(dir, "top.txt")
	if err := os.WriteFile(top, []byte("www.first.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ltOK(t, ws, "import-list", top, "--ranks")
	if out := ltOK(t, ws, "ranks", "clear"); out != "1 rank removed\n" {
		t.Errorf("ranks clear: %q", out)
	}
}
