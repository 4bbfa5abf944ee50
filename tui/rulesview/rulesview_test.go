package rulesview

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

var loaded = map[string]int64{
	"example.com": 10, "www.example.com": 5, "evil.example.com": 2, "x.evil.example.com": 1,
	"google.com": 100, "tunnel\x1b[2J.bad.org": 3,
}

// names is the loaded DNS names, as the list hands them over.
func names() Names {
	ns := Names{Subject: subject.DNSName}
	for n, c := range loaded {
		ns.Rows = append(ns.Rows, review.Row{Name: n, Count: c})
	}
	return ns
}

// open returns the view on a fresh workspace holding rs.
func open(t *testing.T, w, h int, rs []rules.Rule) (*Model, *db.DB) {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "ws.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, _, err := d.PutRules(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	m := New(common.New(context.Background(), d), names())
	m.SetSize(w, h)
	tuitest.Settle(m, m.Init())
	return m, d
}

var when = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func sample() []rules.Rule {
	return []rules.Rule{
		{Pattern: "example.com", Scope: rules.Domain, Verdict: rules.Good, Note: "ours", Author: "ann", Origin: "tui", Created: when},
		{Pattern: "evil.example.com", Scope: rules.Domain, Verdict: rules.Bad, Author: "bob", Origin: "/lists/bad-hosts.txt", Created: when.Add(time.Hour)},
		{Pattern: "tunnel\x1b[2J.bad.org", Scope: rules.Name, Verdict: rules.Suspicious, Note: "look\x1b]52;c;aGk=\a", Author: "ann", Origin: "tui", Created: when.Add(2 * time.Hour)},
	}
}

// settle delivers the view's answers and the broadcast it sends the app.
func settle(m *Model, msgs []tea.Msg) {
	for _, msg := range msgs {
		if rc, ok := msg.(common.RulesChangedMsg); ok {
			_, cmd := m.Update(rc)
			tuitest.Settle(m, cmd)
		}
	}
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		settle(m, tuitest.Press(m, k))
	}
}

func TestCoverageNewestFirst(t *testing.T) {
	m, _ := open(t, 120, 40, sample())
	if len(m.rules) != 3 || m.rules[0].Verdict != rules.Suspicious || m.rules[2].Pattern != "example.com" {
		t.Fatalf("rules not newest first: %+v", m.rules)
	}
	// The most specific rule decides: evil.example.com and below are bad,
	// the rest of example.com good.
	want := map[string]coverage{"example.com": {2, 15}, "evil.example.com": {2, 3}, "tunnel\x1b[2J.bad.org": {1, 3}}
	for _, r := range m.rules {
		if got := m.cover[r.ID]; got != want[r.Pattern] {
			t.Errorf("%q covers %+v, want %+v", r.Pattern, got, want[r.Pattern])
		}
	}
	raw := m.View()
	if strings.Contains(raw, "\x1b[2J") || strings.Contains(raw, "\x1b]52") {
		t.Fatal("a rule's pattern or note reached the terminal unescaped")
	}
}

func TestDeleteEditUndo(t *testing.T) {
	m, d := open(t, 80, 24, sample())
	count := func() int { rs, _ := d.Rules(context.Background()); return len(rs) }
	press(m, "j", "x")
	if count() != 2 || len(m.rules) != 2 {
		t.Fatalf("x: %d rules in the workspace, %d shown", count(), len(m.rules))
	}
	press(m, "u")
	if count() != 3 || len(m.rules) != 3 {
		t.Fatal("undo did not bring the rule back")
	}
	press(m, "G")
	if m.rules[m.cursor].Pattern != "example.com" {
		t.Fatal("G is not on the oldest rule")
	}
	press(m, "s")
	if r, _ := m.current(); r.Verdict != rules.Suspicious || r.Pattern != "example.com" {
		t.Fatalf("s made %+v", r)
	}
	press(m, "b", "a")
	if r, _ := m.current(); r.Verdict != rules.Good {
		t.Fatalf("a made %+v", r)
	}
	press(m, "e")
	if !m.Capturing() {
		t.Fatal("e did not open the note")
	}
	press(m, "ctrl+u", "m", "i", "n", "e", "enter")
	if r, _ := m.current(); r.Note != "mine" {
		t.Fatalf("note %q", r.Note)
	}
	press(m, "e", "x", "esc")
	if r, _ := m.current(); r.Note != "mine" || m.Capturing() {
		t.Fatal("esc did not cancel the edit")
	}
	press(m, "u")
	if r, _ := m.current(); r.Note != "ours" {
		t.Fatalf("undo of the note: %q", r.Note)
	}
	press(m, "k", "g", "pgdown", "pgup", "ctrl+d", "ctrl+u", "end", "home", "down", "up")
	if m.cursor != 0 {
		t.Errorf("cursor %d after moving back home", m.cursor)
	}
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m, _ := open(t, sz[0], sz[1], sample())
		golden.Assert(t, "rules_"+strconv.Itoa(sz[0])+"x"+strconv.Itoa(sz[1]), m.View())
		lines := strings.Split(m.View(), "\n")
		if len(lines) != sz[1] {
			t.Errorf("%d lines", len(lines))
		}
		for i, l := range lines {
			if ansi.StringWidth(l) != sz[0] {
				t.Errorf("line %d is %d wide", i, ansi.StringWidth(l))
			}
		}
	}
	m, _ := open(t, 80, 24, nil)
	golden.Assert(t, "rules_empty_80x24", m.View())
}

// A rule of another kind says what it is for, and its coverage is
// counted over its own kind's values whatever kind the list shows: a
// logon rule read "1 109" from the logons' list and "– –" after K.
func TestRulesOfOtherKinds(t *testing.T) {
	when := time.Date(2025, 11, 25, 10, 0, 0, 0, time.UTC)
	d := testws.Text(t, "Mar 27 13:07:01 web1 sshd[1301]: Invalid user oracle from 187.141.143.180 port 50691\n"+
		"Mar 27 13:07:02 web1 sshd[1301]: Failed password for invalid user oracle from 187.141.143.180 port 50691 ssh2\n"+
		"Mar 27 13:07:03 web1 sshd[1302]: Failed password for root from 187.141.143.180 port 50692 ssh2\n")
	rs := []rules.Rule{
		{Kind: subject.HTTPAgent, Pattern: "Mozilla/5.0 zgrab/0.x", Verdict: rules.Bad, Created: when},
		{Kind: subject.HTTPAgent, Pattern: "Googlebot", Scope: rules.Domain, Verdict: rules.Good, Created: when},
		{Kind: subject.HTTPHost, Pattern: "example.com", Scope: rules.Domain, Verdict: rules.Good, Created: when},
		{Kind: subject.LogonSource, Pattern: "187.141.143.180", Verdict: rules.Bad, Created: when},
		// The pairs of an account, not the account.
		{Kind: subject.LogonPair, Pattern: "root", Scope: rules.Domain, Verdict: rules.Bad, Created: when},
	}
	if _, _, err := d.PutRules(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	sources, err := d.AllNames(context.Background(), subject.LogonSource)
	if err != nil || len(sources) != 1 {
		t.Fatalf("sources %+v, %v", sources, err)
	}
	want := "logon source 187.141.143.180 1 " + strconv.FormatInt(sources[0].Count, 10)
	for _, ns := range []Names{names(), {Subject: subject.LogonSource, Rows: []review.Row{{Name: sources[0].Name, Count: sources[0].Count}}}} {
		m := New(common.New(context.Background(), d), ns)
		m.SetSize(100, 10)
		tuitest.Settle(m, m.Init())
		got := strings.Join(strings.Fields(ansi.Strip(m.View())), " ")
		for _, w := range []string{"http ua Mozilla/5.0 zgrab/0.x", "http family Googlebot", "http domain example.com", "logon pairs of account root", want} {
			if !strings.Contains(got, w) {
				t.Errorf("listing %v: no %q:\n%s", ns.Subject, w, got)
			}
		}
	}
}

// The rules screen's edits are steps of the workspace's one undo history:
// a later session (a new screen on the workspace) takes the newest back,
// and a mark made elsewhere (a step pushed by the list) is undone here
// in its turn.
func TestEditsAreUndoneAfterARestart(t *testing.T) {
	m, d := open(t, 80, 24, sample())
	ctx := context.Background()
	press(m, "x") // deletes the newest rule
	if rs, _ := d.Rules(ctx); len(rs) != 2 {
		t.Fatalf("x left %d rules", len(rs))
	}
	stored, replaced, err := d.PutRules(ctx, []rules.Rule{{Pattern: "marked.example", Scope: rules.Name, Verdict: rules.Bad, Origin: "tui"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.PushUndo(ctx, db.UndoStep{What: "the mark of marked.example", Stored: stored, Replaced: replaced}); err != nil {
		t.Fatal(err)
	}

	again := New(common.New(ctx, d), names())
	again.SetSize(80, 24)
	tuitest.Settle(again, again.Init())
	press(again, "u")
	rs, _ := d.Rules(ctx)
	if len(rs) != 2 || slices.ContainsFunc(rs, func(r rules.Rule) bool { return r.Pattern == "marked.example" }) {
		t.Fatalf("the first undo did not take the mark back: %+v", rs)
	}
	press(again, "u")
	if rs, _ := d.Rules(ctx); len(rs) != 3 {
		t.Fatalf("the second undo did not bring the deleted rule back: %d rules", len(rs))
	}
}

// The columns fit 80 columns from what they hold: a logon rule's "for"
// ("logon source") does not push its pattern right, the time is whole,
// and with no notes a long pattern is shown whole rather than cut
// beside an empty note column.
func TestColumnsFitTheirContent(t *testing.T) {
	when := time.Date(2025, 12, 7, 9, 54, 0, 0, time.UTC)
	m, _ := open(t, 80, 24, []rules.Rule{
		{Kind: subject.LogonSource, Pattern: "187.141.143.180", Verdict: rules.Bad, Origin: "tui", Created: when},
		{Pattern: "metrics.advertising.apple.com", Scope: rules.Name, Verdict: rules.Good, Origin: "tui", Created: when},
	})
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	slices.Sort(lines[1:3]) // the logon rule, then the name's
	at := strings.Index(lines[0], "pattern")
	for i, l := range lines[1:3] {
		if p := strings.Index(l, []string{"187.", "metrics."}[i]); p != at {
			t.Errorf("the pattern starts at %d, its title at %d: %q", p, at, l)
		}
		if !regexp.MustCompile(`12-07 09:54\s*$`).MatchString(l) {
			t.Errorf("the time is cut: %q", l)
		}
	}
	if !strings.Contains(lines[2], "metrics.advertising.apple.com") {
		t.Errorf("the pattern is cut: %q", lines[2])
	}
}

// The rules screen's rows leave it as the other screens' do: Y copies the
// pattern under the cursor, E writes every rule as longtail's CSV export.
// The help listed both, and both said this screen had nothing.
func TestRulesLeaveTheScreen(t *testing.T) {
	m, _ := open(t, 100, 20, sample())
	var ex common.Exporter = m
	press(m, "j")
	want := m.rules[1].Pattern
	if v, ok := ex.CursorValue(); !ok || v != want {
		t.Errorf("Y on the second rule copies %q, %v; want %q", v, ok, want)
	}
	header, rows := ex.Rows()
	if len(rows) != len(sample()) || header[1] != "pattern" {
		t.Fatalf("E: %v, %d rows of %d", header, len(rows), len(sample()))
	}
	for i, r := range m.rules { // (a pattern no name holds is written escaped, exact in pattern_hex)
		if rows[i][0] != strconv.FormatInt(r.ID, 10) {
			t.Errorf("row %d: %v, want rule %d %s", i, rows[i], r.ID, r.Pattern)
		}
	}
	if rows[1][1] != want {
		t.Errorf("row 1: %v, want %s", rows[1], want)
	}
}
