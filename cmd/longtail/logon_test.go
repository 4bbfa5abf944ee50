package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	out := ltOK(t, ws, "events", "--kind", "logon", "hadoop", "--format", "json")
	for _, want := range []string{`"client": "103.100.210.198"`, `"result": "invalid-user"`, `"reason_words": "no such user"`, `"target": "ip-172-31-43-28"`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in %s", want, out)
		}
	}
	if strings.Contains(out, "qtype") {
		t.Errorf("DNS columns for logons: %s", out)
	}
}
