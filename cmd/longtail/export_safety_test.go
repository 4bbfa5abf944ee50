package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/hostile"
)

const hostileDir = "../../testdata/hostile"

// hostileWorkspace ingests the hostile capture and Zeek log and marks every
// name bad the way the review screen does: a Name rule for the name exactly
// as it is stored.
func hostileWorkspace(t *testing.T) (ws string, marked int) {
	t.Helper()
	ws = filepath.Join(t.TempDir(), "ws.db")
	ltOK(t, ws, "ingest", filepath.Join(hostileDir, "zeek-dns.json"), filepath.Join(hostileDir, "dns.pcap"))
	ctx := context.Background()
	d, err := db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	names, err := d.AllNames(ctx, subject.DNSName)
	if err != nil {
		t.Fatal(err)
	}
	var rs []rules.Rule
	for _, n := range names {
		rs = append(rs, rules.Rule{Pattern: n.Name, Verdict: rules.Bad, Origin: "tui"})
	}
	if _, _, err := d.PutRules(ctx, rs); err != nil {
		t.Fatalf("marking the names bad: %v", err)
	}
	return ws, len(rs)
}

// The attack: names from a packet or a log, marked bad, must not
// add a record of their own to any export, nor come back as a clean rule
// when the export is imported elsewhere; every one left out is reported.
func TestMarkedHostileNamesCannotRewriteAnExport(t *testing.T) {
	ws, marked := hostileWorkspace(t)
	if marked < len(hostile.Names) {
		t.Fatalf("only %d of %d hostile names were ingested", marked, len(hostile.Names))
	}
	if got := len(listRules(t, ws)); got != marked {
		t.Fatalf("%d rules kept of %d marks: every verdict must be kept", got, marked)
	}
	comment := map[string]string{"plain": "#", "hosts": "#", "adblock": "!", "zeek-intel": "#", "suricata-rules": "#", "rpz": ";", "suricata-dataset": "\x00"}
	for format, prefix := range comment {
		t.Run(format, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "export")
			_, errOut, err := lt(t, ws, "export", "--verdict", "bad", "--format", format, "-o", file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(errOut, "rules left out:") || strings.ContainsRune(errOut, 0x1b) {
				t.Errorf("stderr does not report the left-out rules safely:\n%q", errOut)
			}
			b, _ := os.ReadFile(file)
			for _, l := range strings.Split(string(b), "\n") {
				if !strings.HasPrefix(l, prefix) && (strings.Contains(l, "c2-attacker") || strings.Contains(l, "google")) {
					t.Errorf("injected record %q", l)
				}
			}
			if format == "rpz" {
				checkZone(t, file)
			}
			if format == "suricata-rules" || format == "suricata-dataset" {
				return
			}
			other := filepath.Join(t.TempDir(), "other.db")
			ltOK(t, other, "import-list", "--verdict", "bad", file)
			for k := range listRules(t, other) {
				if strings.Contains(k, "c2-attacker") || strings.Contains(k, "google") {
					t.Errorf("re-import made the rule %q", k)
				}
			}
		})
	}
}

func checkZone(t *testing.T, file string) {
	t.Helper()
	checkzone, err := exec.LookPath("named-checkzone")
	if err != nil {
		t.Log("named-checkzone not installed (bind9-utils): zone not checked")
		return
	}
	if out, err := exec.Command(checkzone, "rpz.longtail", file).CombinedOutput(); err != nil {
		t.Errorf("named-checkzone: %v\n%s", err, out)
	}
}

// An export printed on a terminal is sanitised: a hostile name marked bad
// cannot retitle the terminal, clear it or write its clipboard. Checked on
// the real binary in tmux, where the title would change.
func TestExportToATerminalIsSanitised(t *testing.T) {
	tm := newTmux(t)
	ws, _ := hostileWorkspace(t)
	bin := buildBinary(t)
	tm.start(200, 50, "sh", "-c", bin+" --db "+ws+" rules export; "+bin+" --db "+ws+" export --format json; echo DONE; sleep 30")
	tm.waitFor("the exports", func(s string) bool { return strings.Contains(s, "DONE") })
	// Both exports, scrolled off the screen or not.
	screen := tm.run("capture-pane", "-p", "-J", "-S", "-", "-t", tmuxSession)
	if !strings.Contains(screen, `\x1b]0;pwned`) || !strings.Contains(screen, `"pattern"`) {
		t.Fatalf("the exports are not on the terminal as escaped text:\n%s", screen)
	}
	if title := strings.TrimSpace(tm.run("display-message", "-p", "-t", tmuxSession, "#{pane_title}")); title == "pwned" {
		t.Errorf("the export retitled the terminal")
	}
	if !strings.Contains(screen, `\u202e`) && !strings.Contains(screen, `\\u202e`) {
		t.Errorf("bidi override not shown escaped:\n%s", screen)
	}
}
