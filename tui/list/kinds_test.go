package list

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// hostileRequest is an access-log line whose user agent would paint the
// terminal and reverse the line if it reached it unescaped.
const hostileRequest = `www.example-shop.com:443 192.0.2.99 - - [05/Mar/2024:10:00:00 +0000] "GET /x HTTP/1.1" 200 10 "-" "evil\x1b[31mred \u202eagent"` + "\n"

// webList opens a list on a workspace with generated DNS and web traffic.
func webList(t *testing.T, w, h int) (*Model, *db.DB, gen.HTTPTruth) {
	t.Helper()
	dir := t.TempDir()
	web := filepath.Join(dir, "access.log")
	f, err := os.Create(web)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := gen.WriteHTTP(f, gen.Options{Lines: 20_000, Seed: 5})
	f.WriteString(hostileRequest)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	m := listOn(t, w, h, web)
	return m, m.c.DB, truth
}

// K switches the kind, v cycles its subjects; each is listed with its own
// column, counts and groups, and the filters stay as they were.
func TestSwitchKindAndSubject(t *testing.T) {
	m, _, truth := webList(t, 100, 30)
	if m.data.Subject.Code != subject.DNSName {
		t.Fatalf("a new workspace opens on %s, want DNS names", m.data.Subject.Title)
	}
	press(m, "r") // the rare filter is kept across kinds
	for _, step := range []struct {
		key   string
		want  subject.Code
		title string
	}{
		{"K", subject.HTTPHost, "http hosts"}, {"v", subject.HTTPPath, "http paths"},
		{"v", subject.HTTPAgent, "http user agents"}, {"K", subject.LogonSource, "logon sources"}, {"K", subject.DNSName, "names"},
	} {
		press(m, step.key)
		if m.data.Subject.Code != step.want || !strings.HasPrefix(ansi.Strip(m.View()), step.title+" ") || !m.q.Rare {
			t.Fatalf("after %s: listing %s, rare %v:\n%s", step.key, m.data.Subject.Title, m.q.Rare, m.View())
		}
	}
	if st := statusOf(press(m, "v")); !strings.Contains(st, "DNS names are listed by name only") {
		t.Errorf("v on DNS: %q", st)
	}
	press(m, "K", "0") // back to the user agents, HTTP's last listed
	screen := ansi.Strip(m.View())
	if !strings.Contains(screen, "user agent") || !strings.Contains(screen, truth.ScannerAgent) {
		t.Errorf("the user agents do not show the scanner's:\n%s", screen)
	}
	if strings.ContainsAny(screen, "\x1b\u202e") && !strings.Contains(screen, `\x1b`) {
		t.Errorf("a user agent reached the screen unescaped:\n%q", screen)
	}
}

// K back to a subject puts the cursor on the row it was on there.
func TestSwitchingBackKeepsTheCursorsRow(t *testing.T) {
	m, _, _ := webList(t, 80, 24)
	press(m, "j", "j", "j", "j", "j")
	name := cur(m).Name
	press(m, "K", "j", "j", "j")
	host := cur(m).Name
	press(m, "K", "K")
	if m.data.Subject.Code != subject.DNSName || cur(m).Name != name {
		t.Errorf("K back to the names: cursor on %s, want %s", cur(m).Name, name)
	}
	press(m, "K")
	if m.data.Subject.Code != subject.HTTPHost || cur(m).Name != host {
		t.Errorf("K back to the hosts: cursor on %s, want %s", cur(m).Name, host)
	}
}

// K back to a kind lists the subject it was last listed by, not the
// kind's first: K K K from the paths came back to the hosts.
func TestKindComesBackToItsSubject(t *testing.T) {
	m, _, _ := webList(t, 80, 24)
	press(m, "K", "v", "j", "j")
	path := cur(m).Name
	press(m, "K", "K", "K")
	if m.data.Subject.Code != subject.HTTPPath || cur(m).Name != path {
		t.Errorf("K K K from the paths: listing %s, cursor on %s, want paths on %s", m.data.Subject.Title, cur(m).Name, path)
	}
}

// y on a subject the scorer leaves out says so, as S does.
func TestWhyOnAnUnscoredSubjectSaysSo(t *testing.T) {
	m, _, _ := webList(t, 80, 24)
	press(m, "K", "v", "v", "v", "v", "v")
	if m.data.Subject.Code != subject.HTTPStatus {
		t.Fatalf("listing %s, want HTTP statuses", m.data.Subject.Title)
	}
	if st := statusOf(press(m, "y")); st != "http statuses are not scored" || !m.why.open {
		t.Errorf("y: %q, panel open %v", st, m.why.open)
	}
	if st := statusOf(press(m, "y")); st != "" {
		t.Errorf("y closing the panel: %q", st)
	}
}

// On an empty list the keys say what is true: there are no rows (not
// that nothing is scored, or that p needs a source), and no hint offers
// to take the normal out of nothing.
func TestAnEmptyListSaysItHasNoRows(t *testing.T) {
	m, _, _ := webList(t, 80, 24)
	press(m, "K", "K")
	if m.data.Subject.Code != subject.LogonSource || len(m.res.Lines) != 0 {
		t.Fatalf("listing %s, %d rows: want no logon sources", m.data.Subject.Title, len(m.res.Lines))
	}
	if st := statusOf(press(m, "S")); st != "sort by score: no logon sources in this workspace" {
		t.Errorf("S: %q", st)
	}
	if st := statusOf(press(m, "p")); st != noRow {
		t.Errorf("p: %q", st)
	}
	press(m, "y")
	screen := ansi.Strip(m.View())
	if strings.Contains(screen, "take out the normal") || !strings.Contains(screen, noRow) || strings.Contains(screen, "reading") {
		t.Errorf("the empty list's screen:\n%s", screen)
	}
}

// A mark on a user agent is a rule for user agents: it hides that agent,
// and no DNS name or HTTP host of the same text.
func TestMarkAUserAgent(t *testing.T) {
	m, d, truth := webList(t, 100, 30)
	press(m, "K", "v", "v", "0")
	p := -1
	for i := range m.res.Lines {
		if r, _ := m.rowAt(i); r.Name == truth.ScannerAgent {
			p = i
		}
	}
	if p < 0 {
		t.Fatalf("no row for %q", truth.ScannerAgent)
	}
	m.moveTo(p)
	press(m, "a", "n")
	rs, err := d.Rules(context.Background())
	if err != nil || len(rs) != 1 || rs[0].Subject() != subject.HTTPAgent || rs[0].Pattern != truth.ScannerAgent ||
		rs[0].Verdict != rules.Good {
		t.Fatalf("rules after the mark: %+v %v", rs, err)
	}
	press(m, "H")
	if strings.Contains(ansi.Strip(m.View()), truth.ScannerAgent) {
		t.Errorf("the known-good agent is still listed with hide-good on:\n%s", m.View())
	}
	// Its family rolls up without it being decided: the rule is for the
	// agent only.
	press(m, "d")
	if !strings.Contains(ansi.Strip(m.View()), "family") {
		t.Errorf("no families:\n%s", m.View())
	}
}

// Known-good on a family's row is for the family: a family is no user
// agent, and "this user agent only" made a rule that matched nothing.
func TestKnownGoodOnAFamilyIsTheFamily(t *testing.T) {
	m, d, _ := webList(t, 100, 30)
	press(m, "K", "v", "v", "0", "d")
	r, isGroup := m.current()
	if r == nil || !isGroup {
		t.Fatalf("not on a family's row: %+v", r)
	}
	family := r.Domain
	press(m, "a")
	if m.scopePrompt {
		t.Fatalf("asked for a scope on a family's row:\n%s", m.View())
	}
	rs, err := d.Rules(context.Background())
	if err != nil || len(rs) != 1 || rs[0].Subject() != subject.HTTPAgent || rs[0].Pattern != family || rs[0].Scope != rules.Domain {
		t.Fatalf("rules after the mark: %+v %v", rs, err)
	}
}

func TestGoldenHTTP(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m, _, _ := webList(t, sz[0], sz[1])
		press(m, "K", "v", "v", "0")
		tuitest.Settle(m, m.fetchSparks())
		suffix := "_" + itoa(sz[0]) + "x" + itoa(sz[1])
		golden.Assert(t, "http_agents"+suffix, m.View())
		press(m, "d")
		tuitest.Settle(m, m.fetchSparks())
		golden.Assert(t, "http_families"+suffix, m.View())
	}
}

// p on an HTTP client opens the pivot of that client; elsewhere it says
// where it works.
func TestPivotFromAClient(t *testing.T) {
	m, _, truth := webList(t, 100, 30)
	press(m, "K", "v", "v", "v", "0")
	for i := range m.res.Lines {
		if r, _ := m.rowAt(i); r.Name == truth.ScannerClient {
			m.moveTo(i)
		}
	}
	msgs := press(m, "p")
	var open *common.OpenMsg
	for _, msg := range msgs {
		if o, ok := msg.(common.OpenMsg); ok {
			open = &o
		}
	}
	if open == nil || open.Screen != common.ScreenPivot || open.Target.Subject.Kind != db.SubjectClient || open.Target.Label != truth.ScannerClient {
		t.Fatalf("p on %s: %+v", truth.ScannerClient, msgs)
	}
	press(m, "v")
	if st := statusOf(press(m, "p")); !strings.Contains(st, "needs a client") {
		t.Errorf("p on a referer: %q", st)
	}
}

// Keys that switch subjects while one is being read are not lost: the
// list ends on the subject asked for last.
func TestSwitchesWhileReading(t *testing.T) {
	m, _, _ := webList(t, 100, 30)
	_, read := m.Update(tuitest.Key("K")) // starts reading the hosts
	m.Update(tuitest.Key("v"))            // paths, then user agents, asked
	m.Update(tuitest.Key("v"))            // while the hosts are read
	if !m.reloading || m.q.Subject != subject.HTTPAgent {
		t.Fatalf("reloading %v, asked for %d", m.reloading, m.q.Subject)
	}
	tuitest.Settle(m, read)
	if m.data.Subject.Code != subject.HTTPAgent {
		t.Errorf("listing %s, want user agents", m.data.Subject.Title)
	}
}

// G pressed while another subject is read goes to the end of that
// subject's list: it went to the end of the list on screen, and the new,
// shorter one was drawn from that offset (a crash: "makeslice: cap out of
// range" in View, for a fast typist's v G).
func TestMoveWhileSwitchingIsMeantInTheNewList(t *testing.T) {
	m, _, _ := webList(t, 100, 30)
	_, read := m.Update(tuitest.Key("K")) // the hosts: fewer than the names
	m.Update(tuitest.Key("G"))
	m.View()
	tuitest.Settle(m, read)
	if n := len(m.res.Lines); n == 0 || m.cursor != n-1 {
		t.Fatalf("G while switching: cursor on row %d of %d", m.cursor, n)
	}
	if !strings.Contains(ansi.Strip(m.View()), "http hosts") {
		t.Errorf("not on the hosts:\n%s", ansi.Strip(m.View()))
	}
}

// A move typed while switching back to a subject listed before is made
// from the row kept for it: the kept row was found after the move, and
// took the cursor back (the review found v G on the paths lost).
func TestMoveWhileSwitchingBackIsMadeFromTheKeptRow(t *testing.T) {
	m, _, _ := webList(t, 100, 30)
	press(m, "K", "v") // the paths, listed once: their place is kept
	press(m, "v", "v", "v", "v", "v")
	if m.data.Subject.Code != subject.HTTPHost {
		t.Fatalf("on %s, want the hosts", m.data.Subject.Title)
	}
	_, read := m.Update(tuitest.Key("v"))
	m.Update(tuitest.Key("G"))
	tuitest.Settle(m, read)
	if n := len(m.res.Lines); m.data.Subject.Code != subject.HTTPPath || m.cursor != n-1 {
		t.Errorf("v G: on %s, row %d of %d", m.data.Subject.Title, m.cursor, n)
	}
}

// K on a kind whose first subject has no values (an access log without
// virtual hosts has no HTTP hosts) lists the first of its subjects that
// has some, instead of an empty list.
func TestKindSwitchLandsOnValues(t *testing.T) {
	m := listWith(t, 100, 30, "access.log", `192.0.2.1 - - [05/Mar/2024:10:00:00 +0000] "GET /a HTTP/1.1" 200 10 "-" "curl/8.0"`+"\n"+
		`192.0.2.2 - - [05/Mar/2024:10:00:01 +0000] "GET /b HTTP/1.1" 404 10 "-" "curl/8.0"`+"\n")
	press(m, "K")
	if m.data.Subject.Code != subject.HTTPPath || m.q.Subject != subject.HTTPPath || !strings.Contains(ansi.Strip(m.View()), "/a") {
		t.Fatalf("K listed %s:\n%s", m.data.Subject.Title, ansi.Strip(m.View()))
	}
	press(m, "v") // and v goes on from there
	if m.data.Subject.Code != subject.HTTPAgent {
		t.Errorf("v after the paths listed %s", m.data.Subject.Title)
	}
}

// User agents whose brief ("Firefox 3 · Linux · Mozilla/5…") is all that
// fits at 80 columns are told apart: the cut keeps the brief's family
// and the end of the agent (five rows read the same).
func TestAgentsOfOneFamilyAreToldApart(t *testing.T) {
	var b strings.Builder
	for i, tail := range []string{"Ubuntu/8.04 (hardy) Firefox/3.0.1", "Ubuntu/8.10 (intrepid) Firefox/3.0.3",
		"Fedora/3.0.5-1.fc10 Firefox/3.0.5", "Firefox/3.0.6 (Debian-3.0.6-1)", "SUSE/3.0.7-1.1 Firefox/3.0.7"} {
		fmt.Fprintf(&b, `10.0.0.%d - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 23 "-" "Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.0.%d) Gecko/2008 %s"`+"\n", i+1, i+1, tail)
	}
	m := listWith(t, 80, 24, "access.log", b.String())
	press(m, "K", "0")
	for i := 0; i < 8 && !strings.Contains(screenLines(m)[1], "user agent"); i++ {
		press(m, "v")
	}
	seen := map[string]bool{}
	for _, l := range screenLines(m) {
		if i := strings.Index(l, "Firefox 3"); i >= 0 {
			seen[l[i:]] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("%d different rows of the 5 agents:\n%s", len(seen), ansi.Strip(m.View()))
	}
}

// A list's label names its kind once: "logon types" was "logon logon
// types".
func TestLabelsNameTheKindOnce(t *testing.T) {
	for code, want := range map[subject.Code]string{subject.LogonType: "logon types", subject.LogonAccount: "logon accounts",
		subject.HTTPAgent: "http user agents", subject.DNSName: "names"} {
		if got := ofKind(subject.Must(code), subject.Must(code).Plural); got != want {
			t.Errorf("%s: %q, want %q", subject.Must(code).Title, got, want)
		}
	}
}
