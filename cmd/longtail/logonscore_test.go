package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// score --kind logon lists the accounts (not their domains, "(local)" for
// every sshd account) with the reasons, and --by source the sources.
func TestLogonScoreHeadless(t *testing.T) {
	dir := t.TempDir()
	ws, auth := filepath.Join(dir, "ws.db"), filepath.Join(dir, "auth.log")
	var b strings.Builder
	for i := range 8 {
		fmt.Fprintf(&b, "Sep 30 12:11:%02d web1 sshd[%d]: Failed password for root from 203.0.113.9 port %d ssh2\n", 30+i, 100+i, 50000+i)
	}
	b.WriteString("Sep 30 12:12:00 web1 sshd[200]: Accepted password for root from 203.0.113.9 port 50100 ssh2\n")
	if err := os.WriteFile(auth, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ltOK(t, ws, "ingest", auth)
	out := ltOK(t, ws, "score", "--kind", "logon", "--format", "json")
	for _, want := range []string{`"source": "203.0.113.9"`, `"signal": "breakin"`, "root succeeded from 203.0.113.9 after 8 failures on 1 account within 30 s"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in %s", want, out)
		}
	}
	if out := ltOK(t, ws, "score", "--kind", "logon", "--by", "source"); !strings.Contains(out, "203.0.113.9") || !strings.Contains(out, "breakin") {
		t.Errorf("sources: %s", out)
	}
}
