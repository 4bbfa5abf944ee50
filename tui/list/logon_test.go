package list

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// K goes from DNS names through HTTP to the logons' sources (where a
// break-in or a spray shows first), and v on to the account ← source
// pairs, on a workspace with an auth log beside the DNS traffic.
func TestKReachesLogonSources(t *testing.T) {
	m := logonList(t)
	// L opens the logon summary only while the list shows logons.
	openedLogons := func() bool {
		for _, msg := range press(m, "L") {
			if o, ok := msg.(common.OpenMsg); ok && o.Screen == common.ScreenLogons {
				return true
			}
		}
		return false
	}
	if openedLogons() {
		t.Error("L on DNS names opened the logon summary")
	}
	for _, step := range []struct {
		key   string
		want  subject.Code
		title string
		shows []string
	}{
		{"K", subject.HTTPHost, "http hosts", nil},
		{"K", subject.LogonSource, "logon sources", []string{"203.0.113.9", "10.0.0.5"}},
		{"v", subject.LogonPair, "logon pairs", []string{"oracle ← 203.0.113.9", "deploy ← 10.0.0.5"}},
	} {
		press(m, step.key)
		screen := ansi.Strip(m.View())
		if m.data.Subject.Code != step.want || !strings.HasPrefix(screen, step.title+" ") {
			t.Fatalf("after %s: listing %s:\n%s", step.key, m.data.Subject.Title, screen)
		}
		for _, s := range step.shows {
			if !strings.Contains(screen, s) {
				t.Errorf("after %s: no %q:\n%s", step.key, s, screen)
			}
		}
		// Accounts, sources and pairs are scored in the same run as the
		// DNS names: the score column shows for them.
		if step.want == subject.LogonSource {
			// p pivots from a source as from an HTTP client: what else
			// the address did, across kinds.
			r, _ := m.current()
			var pivot *common.OpenMsg
			for _, msg := range press(m, "p") {
				if o, ok := msg.(common.OpenMsg); ok && o.Screen == common.ScreenPivot {
					pivot = &o
				}
			}
			if pivot == nil || pivot.Target.Label != r.Name {
				t.Errorf("p on the source %s opened %+v", r.Name, pivot)
			}
		}
		if step.want != subject.HTTPHost && (m.sc == nil || !m.sc.Any || !strings.Contains(strings.Split(screen, "\n")[1], "score")) {
			t.Errorf("after %s: no score column for scored logons:\n%s", step.key, screen)
		}
	}
	// enter opens the events of the pair under the cursor as logons: the
	// target says which subject it is.
	var open *common.OpenMsg
	for _, msg := range press(m, "enter") {
		if o, ok := msg.(common.OpenMsg); ok {
			open = &o
		}
	}
	if open == nil || open.Target.Name == nil || subject.Code(open.Target.Name.Kind) != subject.LogonPair {
		t.Errorf("enter on a pair opened %+v", open)
	}
	if !openedLogons() {
		t.Error("L on the logon pairs did not open the logon summary")
	}
}

// logonList is a list, on the names by count, of a workspace of DNS
// traffic and an sshd log, scored.
func logonList(t *testing.T) *Model {
	t.Helper()
	auth := filepath.Join(t.TempDir(), "auth.log")
	text := "Mar 27 13:07:01 web1 sshd[1301]: Invalid user oracle from 203.0.113.9 port 50691\n" +
		"Mar 27 13:07:02 web1 sshd[1301]: Failed password for invalid user oracle from 203.0.113.9 port 50691 ssh2\n" +
		"Mar 27 13:07:03 web1 sshd[1302]: Failed password for root from 203.0.113.9 port 50692 ssh2\n" +
		"Mar 27 13:09:00 web1 sshd[1303]: Accepted publickey for deploy from 10.0.0.5 port 50693 ssh2\n"
	if err := os.WriteFile(auth, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(tuitest.Workspace(t, 2000, 7, auth), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := score.Run(context.Background(), d); err != nil { // the DNS names and the logons are scored
		t.Fatal(err)
	}
	// The names by count, as the keys' test is written for (not the
	// first screen's domains by score).
	m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(100, 30)
	tuitest.Settle(m, m.Init())
	if !m.Loaded() {
		t.Fatalf("not loaded: %v", m.loadErr)
	}
	return m
}

// A subject the scorer leaves out (a logon's target) is not "sorted by
// score" in a scored workspace: it is listed by count, S and y say it is
// not scored (not that the workspace is not), and the next scored subject
// is by score again.
func TestAnUnscoredSubjectIsByCountAndSaysSo(t *testing.T) {
	m := logonList(t)
	press(m, "K", "K", "S")
	for i := 0; m.data.Subject.Code != subject.LogonTarget && i < len(subject.All); i++ {
		press(m, "v")
	}
	screen := ansi.Strip(m.View())
	lines := strings.Split(screen, "\n")
	if m.data.Subject.Code != subject.LogonTarget || strings.Contains(lines[0], "sorted by score") ||
		!strings.Contains(lines[1], "count↓") {
		t.Fatalf("logon targets, asked by score:\n%s", screen)
	}
	if got := statusOf(press(m, "S")); got != "logon targets are not scored: sorted by count" {
		t.Errorf("S on the targets said %q", got)
	}
	press(m, "y")
	if screen := ansi.Strip(m.View()); !strings.Contains(screen, "logon targets are not scored") ||
		strings.Contains(screen, "a workspace is scored after") {
		t.Errorf("y on a target:\n%s", screen)
	}
	for i := 0; m.data.Subject.Code != subject.LogonSource && i < len(subject.All); i++ {
		press(m, "v")
	}
	if screen := ansi.Strip(m.View()); !strings.Contains(strings.Split(screen, "\n")[0], "sorted by score") {
		t.Errorf("the sources after the targets are not by score:\n%s", screen)
	}
}

// Known-good for a source's whole network, or an account's domain, says
// the group it is ("network 203.0.113.0/24"), as its undo does: the "*."
// of a DNS wildcard is for host names.
func TestAGroupsMarkIsWordedByItsGroup(t *testing.T) {
	m := logonList(t)
	press(m, "K", "K", "H") // the sources, known-good shown: the row stays
	for i := 0; cur(m).Name != "203.0.113.9" && i < 10; i++ {
		press(m, "j")
	}
	if got := statusOf(press(m, "a", "D")); got != "marked good: network 203.0.113.0/24" {
		t.Errorf("a D on a source said %q", got)
	}
	if got := statusOf(press(m, "u")); !strings.Contains(got, "the mark of network 203.0.113.0/24") || strings.Contains(got, "*.") {
		t.Errorf("its undo said %q", got)
	}
	for _, r := range []struct {
		rule rules.Rule
		want string
	}{
		{rules.Rule{Kind: subject.LogonAccount, Pattern: "offsec", Scope: rules.Domain}, "domain offsec"},
		{rules.Rule{Kind: subject.DNSName, Pattern: "offsec.com", Scope: rules.Domain}, "*.offsec.com and offsec.com"},
	} {
		if got := describe([]rules.Rule{r.rule}); got != r.want {
			t.Errorf("%+v described as %q", r.rule, got)
		}
	}
}

// I on a list other than the DNS names says that an imported list makes
// DNS name rules, and how to make the listed subject's, instead of
// quietly adding name rules that decide none of its rows.
func TestImportOnLogonsSaysItMakesNameRules(t *testing.T) {
	m := logonList(t)
	m.opts.Import = func(context.Context, *db.DB, string) (string, error) { return "", nil }
	press(m, "K", "K")
	got := statusOf(press(m, "I"))
	if m.Capturing() || got != "I imports DNS names (K); logon sources: rules add --kind logon --by source" {
		t.Errorf("I on logon sources: %q, prompt open %v", got, m.Capturing())
	}
	press(m, "K")
	if press(m, "I"); !m.Capturing() {
		t.Error("I on the DNS names opens no prompt")
	}
}

// A line cut at 80 columns says so: the message of an empty subject's
// list ends in "…", not in the middle of a word.
func TestAnEmptyListsMessageIsCutWithAnEllipsis(t *testing.T) {
	m := logonList(t)
	m.SetSize(80, 24)
	press(m, "K", "K")
	for i := 0; m.data.Subject.Code != subject.LogonHASSH && i < len(subject.All); i++ {
		press(m, "v")
	}
	screen := ansi.Strip(m.View())
	lines := strings.Split(screen, "\n")
	if msg := strings.TrimRight(lines[2], " "); !strings.HasPrefix(msg, "  no SSH client fingerprints") || !strings.HasSuffix(msg, "…") {
		t.Errorf("the empty list's message %q:\n%s", msg, screen)
	}
}

// The pairs grouped by account are titled so, not "logon accounts": that
// is the accounts' own list, whose counts differ.
func TestGroupedPairsAreTitledByWhatTheyAre(t *testing.T) {
	m := logonList(t)
	press(m, "K", "K")
	for i := 0; m.data.Subject.Code != subject.LogonPair && i < len(subject.All); i++ {
		press(m, "v")
	}
	press(m, "d")
	if title := strings.Split(ansi.Strip(m.View()), "\n")[0]; !strings.HasPrefix(title, "logon pairs by account 3 of 3 ") {
		t.Errorf("the pairs by account: %q", title)
	}
	if got := groupsLabel(subject.Default(record.KindDNS)); got != "domains" {
		t.Errorf("the DNS names' groups: %q", got)
	}
}

// The hint suggests hiding the 100 busiest only on a list clearly longer
// than that, and T on a shorter one says it hides every row.
func TestTheHintSuggestsTOnlyOnALongList(t *testing.T) {
	m := logonList(t)
	press(m, "K", "K")
	if screen := ansi.Strip(m.View()); !strings.Contains(screen, "take out the normal: ") || strings.Contains(screen, "busiest") {
		t.Errorf("the hint on 2 sources:\n%s", screen)
	}
	if got := statusOf(press(m, "T")); got != "T hides the 100 busiest: all the 2 logon sources listed ([: fewer)" {
		t.Errorf("T on 2 sources said %q", got)
	}
	long, _ := openList(t, 80, 24, Options{})
	if screen := ansi.Strip(long.View()); !strings.Contains(screen, "T 100 busiest") {
		t.Errorf("the hint on 1,805 names:\n%s", screen)
	}
}

// On logons the pivot's words are a source's: p on an account says it
// needs a source, and on the row of logons without one that there is none
// to pivot on (not "client \"-\": not found" as an error). A subject whose
// groups are its values says its count once ("8 packages", not "8
// packages in 8 packages").
func TestThePivotOnLogonsSpeaksOfSources(t *testing.T) {
	log := filepath.Join(t.TempDir(), "security.json")
	text := `{"@timestamp":"2020-10-22T08:29:53Z","EventID":4624,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"alice","TargetDomainName":"CORP","LogonType":"2","AuthenticationPackageName":"Negotiate","IpAddress":"-","WorkstationName":"-"}
{"@timestamp":"2020-10-22T08:29:55Z","EventID":4625,"Channel":"Security","Hostname":"WS5.corp.local","TargetUserName":"carol","TargetDomainName":"CORP","LogonType":"3","AuthenticationPackageName":"NTLM","IpAddress":"10.0.2.99","WorkstationName":"WS7","Status":"0xc0000234","SubStatus":"0x0"}
`
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(tuitest.Workspace(t, 200, 7, log), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(100, 30)
	tuitest.Settle(m, m.Init())
	press(m, "K", "K")
	for i := 0; m.data.Subject.Code != subject.LogonSource && i < len(subject.All); i++ {
		press(m, "v")
	}
	for i := 0; i < len(m.res.Lines); i++ {
		if r, _ := m.rowAt(i); r != nil && r.Name == subject.None {
			m.cursor = i
		}
	}
	if r, _ := m.current(); r == nil || r.Name != subject.None {
		t.Fatalf("no row of logons without a source:\n%s", ansi.Strip(m.View()))
	}
	if st := statusOf(press(m, "p")); !strings.Contains(st, "name no source: there is none to pivot on") {
		t.Errorf("p on the logons without a source: %q", st)
	}
	for i := 0; m.data.Subject.Code != subject.LogonAccount && i < len(subject.All); i++ {
		press(m, "v")
	}
	if st := statusOf(press(m, "p")); !strings.Contains(st, "needs a source") || !strings.Contains(st, "sources") {
		t.Errorf("p on an account: %q", st)
	}
	// A pair has one source: p pivots on it, where it said to list the
	// row's sources.
	for i := 0; m.data.Subject.Code != subject.LogonPair && i < len(subject.All); i++ {
		press(m, "v")
	}
	if m.q.Domains {
		press(m, "d")
	}
	for i, l := range m.res.Lines {
		if r, _ := m.data.Row(m.res.Domains, l); r != nil && strings.HasSuffix(r.Name, "10.0.2.99") {
			m.cursor = i
		}
	}
	if msgs := press(m, "p"); len(msgs) != 1 {
		t.Errorf("p on a pair: %v", msgs)
	} else if open, ok := msgs[0].(common.OpenMsg); !ok || open.Screen != common.ScreenPivot || open.Target.Label != "10.0.2.99" {
		t.Errorf("p on a pair: %+v", msgs[0])
	}
	auth, _ := subject.ByCode(subject.LogonAuth)
	if got := switchedText(auth, 8, 8); strings.Contains(got, " in ") {
		t.Errorf("a subject whose groups are its values: %q", got)
	}
}

// The groups of a subject that is its own group are titled by their word
// ("logon packages", not "logon packages by package"); those whose word
// another list of the kind goes by, by their group ("pairs by account").
func TestGroupsOfASubjectThatIsItsOwnGroup(t *testing.T) {
	m := logonList(t)
	press(m, "K", "K", "d")
	for _, c := range []struct {
		code  subject.Code
		title string
	}{
		{subject.LogonPair, "logon pairs by account"}, {subject.LogonAuth, "logon packages"},
		{subject.LogonResult, "logon results"},
	} {
		for i := 0; m.data.Subject.Code != c.code && i < len(subject.All); i++ {
			press(m, "v")
		}
		if m.data.Subject.Code != c.code || m.Title() != c.title {
			t.Errorf("the groups of %s are titled %q, want %q", m.data.Subject.Title, m.Title(), c.title)
		}
	}
}
