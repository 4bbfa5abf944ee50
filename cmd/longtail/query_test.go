package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// logonWorkspace ingests a generated Windows Security log (accounts such
// as administrator@corp, stored in lower case) into a new workspace.
func logonWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "logon.json")
	if err := os.WriteFile(log, []byte(ltOK(t, ws, "gen", "logon", "--lines", "3000")), 0o644); err != nil {
		t.Fatal(err)
	}
	ltOK(t, ws, "ingest", "--no-score", log)
	return ws
}

// Logon accounts and sources are stored in lower case: typed as Windows
// writes them, they are found, and a rule on them covers them; a pair is
// found typed with <- too, and one not found says how a pair is typed.
func TestLogonValuesAreFoundAsTyped(t *testing.T) {
	ws := logonWorkspace(t)
	if out := ltOK(t, ws, "events", "Administrator@CORP", "--kind", "logon", "--by", "account", "--limit", "1", "--format", "csv"); !strings.Contains(out, "203.0.113.50") {
		t.Errorf("events Administrator@CORP:\n%s", out)
	}
	if out := ltOK(t, ws, "series", "Administrator@CORP", "--kind", "logon", "--by", "account", "--bucket", "1d", "--format", "csv"); strings.Count(out, "\n") < 2 {
		t.Errorf("series Administrator@CORP:\n%s", out)
	}
	if out := ltOK(t, ws, "events", "Administrator@corp.example.com <- 203.0.113.50", "--kind", "logon", "--by", "pair", "--limit", "1", "--format", "csv"); !strings.Contains(out, "203.0.113.50") {
		t.Errorf("events of a pair typed with <-:\n%s", out)
	}
	_, _, err := lt(t, ws, "events", "administrator@corp", "--kind", "logon", "--by", "pair")
	if err == nil || !strings.Contains(err.Error(), `"account ← source"`) {
		t.Errorf("a pair not found: %v", err)
	}
	if out := ltOK(t, ws, "rules", "add", "--kind", "logon", "--by", "account", "Administrator@CORP", "--verdict", "bad"); !strings.Contains(out, "bad administrator@corp") ||
		!strings.Contains(out, "covers 1 account, 401 events") {
		t.Errorf("rules add Administrator@CORP:\n%s", out)
	}
	// rules rm takes the value as rules add did: it is no host name.
	if out := ltOK(t, ws, "rules", "rm", "Administrator@CORP"); !strings.Contains(out, "removed rule") {
		t.Errorf("rules rm Administrator@CORP:\n%s", out)
	}
	if out := ltOK(t, ws, "rules", "list", "--format", "csv"); strings.Contains(out, "administrator@corp") {
		t.Errorf("the account's rule is still there:\n%s", out)
	}
}

// No subject lists two columns of one key (a logon result rolls up to its
// result: JSON held "result" twice, the CSV header result,result).
func TestNoColumnKeyTwice(t *testing.T) {
	ws := logonWorkspace(t)
	for _, cmd := range [][]string{{"top"}, {"new", "--since", "1d"}, {"score"}} {
		args := append(cmd, "--kind", "logon", "--by", "result", "--format", "csv")
		head := csvHeader(t, ltOK(t, ws, args...))
		seen := map[string]bool{}
		for _, k := range head {
			if seen[k] {
				t.Errorf("%s: %s twice in %q", cmd[0], k, head)
			}
			seen[k] = true
		}
	}
}

// score --limit 0 lists every scored value, as top --limit 0 does.
func TestScoreLimitZeroIsAll(t *testing.T) {
	ws, _, _ := genWorkspace(t)
	all := jsonRows[map[string]any](t, ltOK(t, ws, "score", "--by", "fqdn", "--limit", "0", "--format", "json"))
	some := jsonRows[map[string]any](t, ltOK(t, ws, "score", "--by", "fqdn", "--limit", "60", "--format", "json"))
	if len(some) != 60 || len(all) <= len(some) {
		t.Errorf("score --limit 0: %d rows, --limit 60: %d", len(all), len(some))
	}
}

// A command of options only refuses an argument rather than ignore it.
func TestStrayArgumentsAreRefused(t *testing.T) {
	ws, _, _ := genWorkspace(t)
	for _, args := range [][]string{{"top", "example.com", "--limit", "2"}, {"score", "x"}, {"new", "x"}, {"stats", "x"},
		{"rules", "list", "x"}, {"ranks", "list", "x"}, {"export", "--format", "csv", "x"}, {"logons", "x"}} {
		_, _, err := lt(t, ws, args...)
		if err == nil || !strings.Contains(err.Error(), "unexpected argument") || !strings.Contains(err.Error(), "--help") {
			t.Errorf("%q: %v", args, err)
		}
	}
}

// A mistyped file is said to be missing, not an unknown command.
func TestAMissingFileIsNoUnknownCommand(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws.db")
	for arg, want := range map[string]string{"/var/log/nothere.log": "/var/log/nothere.log: no such file", "nothere.log": "nothere.log: no such file",
		"nothere": `unknown command "nothere"`} {
		if _, _, err := lt(t, ws, arg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("longtail %s: %v", arg, err)
		}
	}
}

// An empty answer says why: statuses are not scored (the kind's scored
// subjects are named), and no rank list is there for --hide-ranked.
func TestEmptyAnswersSayWhy(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "http.log")
	if err := os.WriteFile(log, []byte(ltOK(t, ws, "gen", "http", "--lines", "2000")), 0o644); err != nil {
		t.Fatal(err)
	}
	ltOK(t, ws, "ingest", log)
	_, errOut, err := lt(t, ws, "score", "--kind", "http", "--by", "status")
	if err != nil || !strings.Contains(errOut, "HTTP statuses are not scored") || !strings.Contains(errOut, "--by host|path|ua|client") {
		t.Errorf("score --by status: %v %s", err, errOut)
	}
	if _, errOut, _ := lt(t, ws, "score", "--kind", "http", "--by", "path"); strings.Contains(errOut, "no score") {
		t.Errorf("score --by path: %s", errOut)
	}
	_, errOut, err = lt(t, ws, "top", "--kind", "http", "--hide-ranked", "10", "--limit", "1")
	if err != nil || !strings.Contains(errOut, "no rank list is imported") {
		t.Errorf("top --hide-ranked without ranks: %v %s", err, errOut)
	}
}

// new --by domain lists the groups new since: a domain none of whose
// names was seen before, not a new name under a known domain.
func TestNewGroupsSince(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv")
	writeLog(t, log, "www.old.example*2")
	ltOK(t, ws, "ingest", "--no-score", log)
	ltOK(t, ws, "baseline", "snapshot", "day1")
	writeLog(t, log, "mail.old.example", "www.fresh.example*2", "mail.fresh.example")
	ltOK(t, ws, "ingest", "--no-score", log)
	rows := jsonRows[map[string]any](t, ltOK(t, ws, "new", "--by", "domain", "--format", "json"))
	if len(rows) != 1 || rows[0]["domain"] != "fresh.example" || rows[0]["count"] != 3.0 || rows[0]["name"] != nil {
		t.Errorf("new --by domain = %v", rows)
	}
	if _, errOut, _ := lt(t, ws, "new", "--by", "domain"); !strings.Contains(errOut, "1 registered domain new since snapshot day1") {
		t.Errorf("new --by domain says: %s", errOut)
	}
	if rows := jsonRows[map[string]any](t, ltOK(t, ws, "new", "--format", "json")); len(rows) != 3 {
		t.Errorf("new = %v", rows)
	}
}

// An empty answer of a subject the workspace holds no value of says where
// its events are: an Apache log without virtual hosts has no HTTP hosts,
// and an HTTP-only workspace no DNS names. Negative counts are refused.
func TestTopSaysWhereTheDataIs(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "access.log")
	line := `10.0.0.5 - - [05/Mar/2024:10:00:00 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0"` + "\n"
	if err := os.WriteFile(log, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	ltOK(t, ws, "ingest", "--no-score", log)
	for args, want := range map[string]string{
		"top --kind http": "no HTTP hosts in this workspace: its http events are listed --by path|ua|client|status",
		"top":             "no dns events in this workspace: it holds --kind http",
	} {
		if _, errOut, err := lt(t, ws, strings.Fields(args)...); err != nil || !strings.Contains(errOut, want) {
			t.Errorf("%s: %v %q", args, err, errOut)
		}
	}
	if _, errOut, _ := lt(t, ws, "top", "--kind", "http", "--by", "path"); strings.Contains(errOut, "note") {
		t.Errorf("top --by path has rows, and a note: %s", errOut)
	}
	if _, _, err := lt(t, ws, "top", "--limit", "-1"); err == nil {
		t.Error("top --limit -1 was accepted")
	}
}
