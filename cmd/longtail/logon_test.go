package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/gen"
)

// An sshd log is ingested as logons, and events of an account print a
// logon's fields, not a DNS query's.
func TestLogonEventsHeadless(t *testing.T) {
	dir := t.TempDir()
	ws, auth := filepath.Join(dir, "ws.db"), filepath.Join(dir, "auth.log")
	text := "Sep 30 12:11:33 ip-172-31-43-28 sshd[22789]: Invalid user hadoop from 103.100.210.198 port 56762\n" +
		"Sep 30 12:11:34 ip-172-31-43-28 sshd[22789]: Failed password for invalid user hadoop from 103.100.210.198 port 56762 ssh2\n"
	if err := os.WriteFile(auth, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := lt(t, ws, "ingest", "--no-score", auth); err != nil || !strings.Contains(errOut, "ingested sshd-syslog, 2 events") {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	out := ltOK(t, ws, "events", "--kind", "logon", "--by", "account", "hadoop", "--format", "json")
	for _, want := range []string{`"client": "103.100.210.198"`, `"result": "invalid-user"`, `"reason_words": "no such user"`, `"target": "ip-172-31-43-28"`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in %s", want, out)
		}
	}
	if strings.Contains(out, "qtype") {
		t.Errorf("DNS columns for logons: %s", out)
	}
	// Without --by, a logon value is looked up as a source: an account
	// is said to be one, with the flag that finds it.
	_, errOut, err := lt(t, ws, "events", "--kind", "logon", "hadoop")
	if err == nil || !strings.Contains(errOut+err.Error(), `no logon source "hadoop" in this workspace: it is a logon.account value (--by account)`) {
		t.Errorf("an account looked up as a source: %v %s", err, errOut)
	}
}

// events --where keeps what the drill-down's f keeps, in the kind's own
// keys, and says so when nothing matches; a key of another kind is
// refused.
func TestEventsWhere(t *testing.T) {
	dir := t.TempDir()
	ws, auth := filepath.Join(dir, "ws.db"), filepath.Join(dir, "auth.log")
	text := "Sep 30 12:11:33 web1 sshd[22789]: Failed password for root from 103.100.210.198 port 56762 ssh2\n" +
		"Sep 30 12:11:34 web1 sshd[22790]: Failed password for root from 103.100.210.198 port 56763 ssh2\n" +
		"Sep 30 12:11:40 web1 sshd[22791]: Accepted password for root from 10.0.0.5 port 50000 ssh2\n"
	if err := os.WriteFile(auth, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ltOK(t, ws, "ingest", "--no-score", auth)
	events := func(where string) []map[string]any {
		var rows []map[string]any
		out := ltOK(t, ws, "events", "--kind", "logon", "--by", "account", "root", "--where", where, "--format", "json")
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("--where %q: %v\n%s", where, err, out)
		}
		return rows
	}
	if rows := events("result=failure"); len(rows) != 2 || rows[0]["client"] != "103.100.210.198" {
		t.Errorf("result=failure: %v", rows)
	}
	if rows := events("source=10.0.0.5 type=remote"); len(rows) != 1 || rows[0]["result"] != "success" {
		t.Errorf("source=10.0.0.5 type=remote: %v", rows)
	}
	if _, errOut, err := lt(t, ws, "events", "--kind", "logon", "--by", "account", "root", "--where", "type=10"); err != nil || !strings.Contains(errOut, `no event matches --where "type=10"`) {
		t.Errorf("type=10: %v %s", err, errOut)
	}
	if _, errOut, err := lt(t, ws, "events", "--kind", "logon", "--by", "account", "root", "--where", "status=404"); err == nil || !strings.Contains(errOut+err.Error(), "filter logons by source, result") {
		t.Errorf("status= on logons: %v %s", err, errOut)
	}
}

// `gen logon` writes a Security log that ingests as windows-json without a
// skip, and what it planted is what an analyst listing pairs and drilling
// into a source finds: the spray's accounts once each from its source,
// the brute force's one pair, the admin's new pair.
func TestGenLogonHeadless(t *testing.T) {
	dir := t.TempDir()
	ws, logPath := filepath.Join(dir, "ws.db"), filepath.Join(dir, "security.json")
	var log bytes.Buffer
	if err := run(context.Background(), []string{"gen", "logon", "--lines", "20000", "--seed", "3"}, &log, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(logPath, log.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, _ := gen.WriteLogon(io.Discard, gen.Options{Lines: 20000, Seed: 3})
	if _, errOut, err := lt(t, ws, "ingest", "--no-score", logPath); err != nil || !strings.Contains(errOut, "ingested windows-json") || strings.Contains(errOut, "skipped") {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	var pairs []map[string]any
	if err := json.Unmarshal([]byte(ltOK(t, ws, "top", "--kind", "logon", "--by", "pair", "--limit", "0", "--format", "json")), &pairs); err != nil {
		t.Fatal(err)
	}
	count := map[string]int64{}
	sprayed := 0
	for _, p := range pairs {
		name, _ := p["account_source"].(string)
		n, _ := p["count"].(float64)
		count[name] = int64(n)
		if strings.HasSuffix(name, " ← "+tr.SprayClient) {
			sprayed++
		}
	}
	lower := strings.ToLower
	if sprayed != tr.SprayAccounts || count[lower(tr.SprayAccount+"@"+tr.Domain)+" ← "+tr.SprayClient] != 2 {
		t.Errorf("%d pairs from the spray's source, want %d; its success's pair %d times", sprayed, tr.SprayAccounts, count[lower(tr.SprayAccount+"@"+tr.Domain)+" ← "+tr.SprayClient])
	}
	if n := count[lower(tr.BruteAccount+"@"+tr.Domain)+" ← "+tr.BruteClient]; n != int64(tr.BruteFailures)+1 {
		t.Errorf("brute force pair: %d, want %d", n, tr.BruteFailures+1)
	}
	if n := count[lower(tr.AdminAccount+"@"+tr.Domain)+" ← "+tr.AdminNewClient]; n != 1 {
		t.Errorf("the admin's new pair: %d, want 1", n)
	}
	out := ltOK(t, ws, "events", "--kind", "logon", "--by", "source", tr.SprayClient, "--limit", "0", "--format", "json")
	if n := strings.Count(out, `"reason_words": "wrong password"`); n != tr.SprayAccounts {
		t.Errorf("%d wrong passwords from the spray's source, want %d", n, tr.SprayAccounts)
	}
}

// `logons` prints the summary sorted and cut as asked, and refuses a sort
// it does not know.
func TestLogonsHeadless(t *testing.T) {
	dir := t.TempDir()
	ws, auth := filepath.Join(dir, "ws.db"), filepath.Join(dir, "auth.log")
	text := "Sep 30 12:11:34 web sshd[1]: Failed password for root from 10.0.0.9 port 1 ssh2\n" +
		"Sep 30 12:11:35 web sshd[1]: Failed password for root from 10.0.0.9 port 1 ssh2\n" +
		"Sep 30 12:12:00 web sshd[2]: Accepted publickey for alice from 10.0.0.5 port 2 ssh2\n"
	if err := os.WriteFile(auth, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := lt(t, ws, "ingest", "--no-score", auth); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(ltOK(t, ws, "logons", "--format", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0]["account"] != "root" || rows[0]["failures"] != 2.0 || rows[0]["reason"] != "wrong password" ||
		rows[1]["account"] != "alice" || rows[1]["successes"] != 1.0 || rows[1]["source"] != "10.0.0.5" {
		t.Errorf("logons: %v", rows)
	}
	if out := ltOK(t, ws, "logons", "--sort", "last", "--limit", "1", "--format", "csv"); strings.Count(out, "\n") != 2 || !strings.Contains(out, "alice") {
		t.Errorf("newest one:\n%s", out)
	}
	if _, _, err := lt(t, ws, "logons", "--sort", "score"); err == nil {
		t.Error("--sort score is accepted")
	}
}
