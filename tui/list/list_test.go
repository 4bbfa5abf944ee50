package list

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/verdicts"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
	"github.com/longtail/longtail/tui/rulesview"
)

// crafted are names no resolver should ever see; they must reach the screen
// escaped: an ESC sequence that would paint the terminal red, and a bidi
// override that would make the name read backwards.
var crafted = []string{"evil\x1b[31mred.example.com", "\u202emoc.elgoog.example.net"}

// workspace builds a private, writable workspace: a generated Zeek log and a
// hand-made one holding the crafted names, both ingested.
func workspace(t testing.TB, lines int64) *db.DB {
	t.Helper()
	var b strings.Builder
	b.WriteString(tuitest.ZeekHeader)
	for i, n := range crafted {
		b.WriteString(strings.Join([]string{"1710086550.0" + string(rune('1'+i)), "Cx" + string(rune('a'+i)), "10.0.9.9", "5353",
			"10.0.0.53", "53", "udp", "1", "0.001", n, "1", "C_INTERNET", "1", "A", "0", "NOERROR", "F", "F", "T", "T",
			"0", "-", "-", "F"}, "\t") + "\n")
	}
	craftedPath := filepath.Join(t.TempDir(), "crafted.log")
	if err := os.WriteFile(craftedPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(tuitest.Workspace(t, lines, 7, craftedPath), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// openList returns a loaded list of w×h on a fresh copy of a workspace,
// not rescored after marks (extras_test.go tests the scores). It opens on
// the names by count (Options.ByCount), the view the tests of the keys
// start from; first_test.go tests the first screen of a new workspace.
func openList(t *testing.T, w, h int, opts Options) (*Model, *db.DB) {
	t.Helper()
	d := workspace(t, 3000)
	if opts.Author == "" {
		opts.Author = "tester"
	}
	opts.NoRescore, opts.ByCount = true, true
	m := New(common.New(context.Background(), d), opts)
	m.SetSize(w, h)
	tuitest.Settle(m, m.Init())
	if !m.Loaded() {
		t.Fatalf("not loaded: %v", m.loadErr)
	}
	return m, d
}

func press(m *Model, keys ...string) []tea.Msg { return tuitest.Press(m, keys...) }

func cur(m *Model) *review.Row { r, _ := m.current(); return r }

func statusOf(msgs []tea.Msg) string {
	var out []string
	for _, msg := range msgs {
		switch msg := msg.(type) {
		case common.StatusMsg:
			out = append(out, msg.Text)
		case common.ErrMsg:
			out = append(out, "error: "+msg.Err.Error())
		}
	}
	return strings.Join(out, "; ")
}

func TestListIsSortedByCountAndMatchesTheWorkspace(t *testing.T) {
	m, d := openList(t, 80, 24, Options{})
	top, err := d.TopNames(context.Background(), subject.DNSName, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range top {
		r, _ := m.rowAt(i)
		if r.Name != want.Name || r.Count != want.Count {
			t.Errorf("row %d = %s %d, want %s %d", i, r.Name, r.Count, want.Name, want.Count)
		}
	}
	st, _ := d.Stats(context.Background())
	if int64(len(m.res.Lines)) != st.Names || m.res.ShownEvents != st.Events {
		t.Errorf("shows %d names / %d events, workspace has %d / %d", len(m.res.Lines), m.res.ShownEvents, st.Names, st.Events)
	}
}

func TestNavigationKeys(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	n, h := len(m.res.Lines), m.rowsHeight()
	steps := []struct {
		key  string
		want int
	}{
		{"j", 1}, {"down", 2}, {"k", 1}, {"up", 0}, {"up", 0},
		{"pgdown", h}, {"ctrl+f", 2 * h}, {"pgup", h}, {"ctrl+b", 0},
		{"ctrl+d", h / 2}, {"ctrl+u", 0},
		{"G", n - 1}, {"g", 0}, {"end", n - 1}, {"home", 0},
	}
	for _, s := range steps {
		press(m, s.key)
		if m.cursor != s.want {
			t.Errorf("after %q cursor = %d, want %d", s.key, m.cursor, s.want)
		}
		if m.cursor < m.offset || m.cursor >= m.offset+h {
			t.Errorf("after %q cursor %d is off screen (offset %d)", s.key, m.cursor, m.offset)
		}
	}
}

func TestRollUpExpandCollapse(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	press(m, "d")
	if !m.res.Domains || m.Title() != "domains" {
		t.Fatal("d did not roll up")
	}
	// Find a domain with several names and expand it in place.
	p := slices.IndexFunc(m.res.Lines, func(l review.Line) bool { return m.data.Domains.Rows[l.Idx].Names > 2 })
	if p < 0 {
		t.Fatal("no domain with several names")
	}
	m.moveTo(p)
	dom := *cur(m)
	before := len(m.res.Lines)
	press(m, "right")
	kids := len(m.res.Lines) - before
	if int64(kids) != dom.Names {
		t.Fatalf("expanded %s shows %d names, want %d", dom.Name, kids, dom.Names)
	}
	var sum int64
	for _, l := range m.res.Lines[p+1 : p+1+kids] {
		if !l.Child {
			t.Fatal("children are not right below their domain")
		}
		r := m.data.Names.Rows[l.Idx]
		if r.DomainID != dom.ID {
			t.Errorf("%s is not under %s", r.Name, dom.Name)
		}
		sum += r.Count
	}
	if sum != dom.Count {
		t.Errorf("children count %d, domain %d", sum, dom.Count)
	}
	if !strings.Contains(ansi.Strip(m.View()), "▾ ") {
		t.Error("no expanded marker on screen")
	}
	// left on a child closes its domain and moves to it.
	press(m, "j", "left")
	if len(m.res.Lines) != before || cur(m).ID != dom.ID {
		t.Errorf("left on a child: %d lines (want %d), cursor on %s", len(m.res.Lines), before, cur(m).Name)
	}
	press(m, "e")
	if len(m.res.Lines) != before+kids {
		t.Error("e did not expand")
	}
	press(m, "e")
	if len(m.res.Lines) != before {
		t.Error("e did not collapse")
	}
	press(m, "right") // → expands too (enter opens the domain's requests)
	if len(m.res.Lines) != before+kids {
		t.Error("→ on a domain did not expand")
	}
	press(m, "h")
	press(m, "d")
	if m.res.Domains {
		t.Error("d did not go back to names")
	}
}

func TestFiltersAndWhatTheyHide(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	total := len(m.res.Lines)
	press(m, "T")
	if got := len(m.res.Lines); got != total-defaultTopN || m.res.Hid[review.HideTop].Rows != defaultTopN {
		t.Errorf("T: %d rows, hid %d; want %d, %d", got, m.res.Hid[review.HideTop].Rows, total-defaultTopN, defaultTopN)
	}
	if r, _ := m.rowAt(0); m.data.Names.Rank[m.res.Lines[0].Idx] != defaultTopN {
		t.Errorf("first row after hiding the top %d is %s", defaultTopN, r.Name)
	}
	if bar := ansi.Strip(m.bottomBar(200)); !strings.Contains(bar, "T: 100 busiest hidden") {
		t.Errorf("T on: the filter bar says %q", bar)
	}
	press(m, "]")
	if m.q.TopN != 200 || m.res.Hid[review.HideTop].Rows != 200 {
		t.Errorf("] → N=%d hid %d", m.q.TopN, m.res.Hid[review.HideTop].Rows)
	}
	press(m, "[", "[")
	if m.q.TopN != 50 {
		t.Errorf("[[ → N=%d, want 50", m.q.TopN)
	}
	press(m, "T", "r")
	for p := range m.res.Lines {
		if r, _ := m.rowAt(p); r.Count > defaultRareK {
			t.Fatalf("r: %s seen %d times shown", r.Name, r.Count)
		}
	}
	rare2 := len(m.res.Lines)
	press(m, ">")
	if m.q.RareK != 3 || len(m.res.Lines) < rare2 {
		t.Errorf("> → K=%d, %d rows (was %d)", m.q.RareK, len(m.res.Lines), rare2)
	}
	press(m, "<", "<", "<")
	if m.q.RareK != 1 {
		t.Errorf("K went below 1: %d", m.q.RareK)
	}
	bar := ansi.Strip(m.View())
	if !strings.Contains(bar, "r: ") || !strings.Contains(bar, " >1 hidden") {
		t.Errorf("status line does not say what r hides:\n%s", bar)
	}
	press(m, "0")
	if len(m.res.Lines) != total {
		t.Errorf("0 left %d of %d rows", len(m.res.Lines), total)
	}
	// Hidden events add up with what is shown.
	press(m, "T", "r")
	var hid int64
	for _, h := range m.res.Hid {
		hid += h.Events
	}
	if hid+m.res.ShownEvents != m.data.Stats.Events {
		t.Errorf("hidden %d + shown %d != %d events", hid, m.res.ShownEvents, m.data.Stats.Events)
	}
}

func ruleSet(t *testing.T, d *db.DB) map[string]rules.Rule {
	t.Helper()
	rs, err := d.Rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]rules.Rule{}
	for _, r := range rs {
		out[r.Scope.String()+" "+r.Pattern] = r
	}
	return out
}

func TestMarkGoodAsksScopeHidesAndUndoes(t *testing.T) {
	m, d := openList(t, 80, 24, Options{})
	if !m.q.Hide[rules.Good] {
		t.Fatal("known-good is not hidden by default")
	}
	name := *cur(m)
	press(m, "a")
	if !m.Capturing() || !strings.Contains(ansi.Strip(m.View()), "known-good for") {
		t.Fatal("a did not ask for the scope")
	}
	msgs := press(m, "n")
	if m.Capturing() {
		t.Fatal("still asking after n")
	}
	r, ok := ruleSet(t, d)["name "+name.Name]
	if !ok || r.Verdict != rules.Good || r.Author != "tester" || r.Origin != "tui" {
		t.Fatalf("rule for %s: %+v %v", name.Name, r, ok)
	}
	if !strings.Contains(statusOf(msgs), "marked good") {
		t.Errorf("status %q", statusOf(msgs))
	}
	if cur(m).ID == name.ID || m.res.Hid[review.HideVerdict].Rows != 1 {
		t.Errorf("known-good %s still shown with H on (hid %d)", name.Name, m.res.Hid[review.HideVerdict].Rows)
	}
	// The whole registered domain: bare name and every subdomain.
	dom := cur(m).Domain
	press(m, "a", "D")
	if r := ruleSet(t, d)["domain "+dom]; r.Verdict != rules.Good {
		t.Fatalf("no domain rule for %s", dom)
	}
	for p := range m.res.Lines {
		if r, _ := m.rowAt(p); r.Domain == dom {
			t.Fatalf("%s shown after its domain was marked good", r.Name)
		}
	}
	press(m, "u")
	if _, ok := ruleSet(t, d)["domain "+dom]; ok {
		t.Error("undo left the domain rule")
	}
	press(m, "u")
	if len(ruleSet(t, d)) != 0 {
		t.Error("second undo left rules")
	}
	if m.res.Hid[review.HideVerdict].Rows != 0 {
		t.Error("undone names still hidden")
	}
	if s := statusOf(press(m, "u")); !strings.Contains(s, "nothing to undo") {
		t.Errorf("third undo said %q", s)
	}
	// esc cancels the scope prompt.
	press(m, "a", "esc")
	if m.Capturing() || len(ruleSet(t, d)) != 0 {
		t.Error("esc did not cancel the mark")
	}
}

func TestMarkSuspiciousBadClearSelectionAndNote(t *testing.T) {
	m, d := openList(t, 80, 24, Options{})
	press(m, "G")
	last := cur(m).Name
	// The mark is pending until the workspace has it: quitting would ask.
	_, cmd := m.Update(tuitest.Key("s"))
	if !strings.Contains(m.Pending(), "1 mark still being written") {
		t.Errorf("pending: %q", m.Pending())
	}
	// A mark queued behind it, then an undo: each is named for what it
	// is (an import or an undo running was "1 mark").
	m.Update(tuitest.Key("k"))
	_, mark2 := m.Update(tuitest.Key("b"))
	_, undo := m.Update(tuitest.Key("u"))
	if got := m.Pending(); got != "2 marks and 1 undo still being written" {
		t.Errorf("pending: %q", got)
	}
	tuitest.Settle(m, tea.Batch(cmd, mark2, undo))
	if m.Pending() != "" {
		t.Errorf("still pending after the write: %q", m.Pending())
	}
	press(m, "j")
	if ruleSet(t, d)["name "+last].Verdict != rules.Suspicious {
		t.Fatal("s did not mark suspicious")
	}
	if !strings.Contains(ansi.Strip(m.View()), "susp") {
		t.Error("no susp mark on screen")
	}
	press(m, "b")
	if ruleSet(t, d)["name "+last].Verdict != rules.Bad {
		t.Fatal("b did not replace with bad")
	}
	press(m, "u")
	if ruleSet(t, d)["name "+last].Verdict != rules.Suspicious {
		t.Fatal("undo of a replacement did not restore suspicious")
	}
	press(m, "x")
	if len(ruleSet(t, d)) != 0 {
		t.Fatal("x did not clear")
	}
	press(m, "u")
	if ruleSet(t, d)["name "+last].Verdict != rules.Suspicious {
		t.Fatal("undo of a clear did not restore")
	}
	press(m, "x")

	// space selects and moves on; three rows marked together.
	press(m, "g")
	var want []string
	for range 3 {
		want = append(want, cur(m).Name)
		press(m, "space")
	}
	if !strings.Contains(ansi.Strip(m.View()), "3 selected") {
		t.Error("selection not shown")
	}
	press(m, "b")
	rs := ruleSet(t, d)
	for _, n := range want {
		if rs["name "+n].Verdict != rules.Bad {
			t.Errorf("%s not marked bad with the selection", n)
		}
	}
	if len(m.selected) != 0 {
		t.Error("selection kept after marking")
	}
	// A visual range, with a note.
	press(m, "g", "j", "j", "j", "V", "j", "j", "m", "s")
	if !m.Capturing() || m.inputKind != inputNote {
		t.Fatal("m then s did not ask for a note")
	}
	press(m, "c", "2", "space", "b", "e", "a", "c", "o", "n", "enter")
	n := 0
	for _, r := range ruleSet(t, d) {
		if r.Verdict == rules.Suspicious {
			n++
			if r.Note != "c2 beacon" {
				t.Errorf("note %q", r.Note)
			}
		}
	}
	if n != 3 {
		t.Errorf("visual range of 3 marked %d", n)
	}
	// esc clears a selection first, then does nothing (the app goes back).
	press(m, "space")
	_, cmd = m.Update(tuitest.Key("esc"))
	if cmd == nil || len(m.selected) != 0 {
		t.Error("esc did not clear the selection")
	}
	if _, cmd := m.Update(tuitest.Key("esc")); cmd != nil {
		t.Error("esc with nothing to clear should leave it to the app")
	}
	// Unreviewed only hides the marked ones.
	press(m, "U")
	if got, want := m.res.Hid[review.Unreviewed].Rows, int64(len(ruleSet(t, d))); got != want {
		t.Errorf("U hid %d, want %d", got, want)
	}
}

func TestSearchAndSort(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	press(m, "/")
	if !m.Capturing() {
		t.Fatal("/ did not open the search")
	}
	press(m, "g", "o", "o", "enter")
	if !strings.Contains(cur(m).Name, "goo") {
		t.Fatalf("search went to %s", cur(m).Name)
	}
	first := m.cursor
	press(m, "n")
	if m.cursor <= first || !strings.Contains(cur(m).Name, "goo") {
		t.Errorf("n went to %d %s", m.cursor, cur(m).Name)
	}
	press(m, "N")
	if m.cursor != first {
		t.Errorf("N went to %d, want %d", m.cursor, first)
	}
	press(m, "N") // wraps to the last match
	if m.cursor != m.matches[len(m.matches)-1] {
		t.Error("N did not wrap")
	}
	press(m, "/", "ctrl+u", "~", "^", "w", "w", "w", "\\", ".", "enter")
	if !strings.HasPrefix(cur(m).Name, "www.") {
		t.Errorf("regex search went to %s", cur(m).Name)
	}
	if s := statusOf(press(m, "/", "ctrl+u", "r", "e", ":", "(", "enter")); !strings.Contains(s, "error: search") {
		t.Errorf("bad regex said %q", s)
	}
	// The prompt stays open on it, and the search before it stays the
	// list's: its error is said once, not again at each change of the list.
	if !m.Capturing() || m.searchText != `~^www\.` {
		t.Errorf("after a bad regex: prompt open %v, search %q", m.Capturing(), m.searchText)
	}
	if s := statusOf(press(m, "esc", "<", "[")); s != "" {
		t.Errorf("keys after a bad regex said %q", s)
	}
	press(m, "r", "T") // the filters < and [ turned on, off
	press(m, "esc")    // clears the search
	if m.searchText != "" {
		t.Error("esc kept the search")
	}

	press(m, "o")
	if m.q.Sort != review.SortName {
		t.Fatal("o did not sort by name")
	}
	for p := 1; p < 50; p++ {
		a, _ := m.rowAt(p - 1)
		b, _ := m.rowAt(p)
		if a.Name > b.Name {
			t.Fatalf("not by name: %s before %s", a.Name, b.Name)
		}
	}
	press(m, "O")
	a, _ := m.rowAt(0)
	b, _ := m.rowAt(1)
	if a.Name < b.Name {
		t.Error("O did not reverse")
	}
	for _, k := range []review.SortKey{review.SortClients, review.SortFirst, review.SortLast, review.SortScore} {
		press(m, "o")
		if m.q.Sort != k {
			t.Fatalf("o cycled to %v, want %v", m.q.Sort, k)
		}
	}
	press(m, "O", "o")
	if m.q.Sort != review.SortCount || m.q.Reverse {
		t.Fatal("o did not come back to count")
	}
	header := ansi.Strip(strings.Split(m.View(), "\n")[1])
	if !strings.Contains(header, "count↓") {
		t.Errorf("header %q does not show the sort", header)
	}
}

func TestDrillDownKeysOpenScreens(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	id := cur(m).ID
	for key, screen := range map[string]common.Screen{"enter": common.ScreenEvents, "c": common.ScreenClients,
		"t": common.ScreenTimeline, "w": common.ScreenHeatmap} {
		msgs := press(m, key)
		if len(msgs) != 1 {
			t.Fatalf("%s: %v", key, msgs)
		}
		o := msgs[0].(common.OpenMsg)
		if o.Screen != screen || o.Target.Subject != (db.Subject{Kind: db.SubjectName, ID: id}) || o.Target.Name == nil {
			t.Errorf("%s opened %+v", key, o)
		}
	}
	for key, screen := range map[string]common.Screen{"z": common.ScreenTimeline, "Z": common.ScreenHeatmap} {
		o := press(m, key)[0].(common.OpenMsg)
		if o.Screen != screen || o.Target.Subject.Kind != db.SubjectAll {
			t.Errorf("%s opened %+v", key, o)
		}
	}
	// On a registered domain the same keys open the domain's screens (the
	// union over its names), knowing its row: the titles say how many.
	press(m, "d")
	dom := cur(m)
	for key, screen := range map[string]common.Screen{"enter": common.ScreenEvents, "c": common.ScreenClients,
		"t": common.ScreenTimeline, "w": common.ScreenHeatmap} {
		msgs := press(m, key)
		if len(msgs) != 1 {
			t.Fatalf("%s on a domain: %v", key, msgs)
		}
		o, _ := msgs[0].(common.OpenMsg)
		if g := o.Target.Group; o.Screen != screen || o.Target.Subject != (db.Subject{Kind: db.SubjectDomain, ID: dom.ID}) ||
			g == nil || g.Names != dom.Names || g.Kind != uint8(subject.DNSName) {
			t.Errorf("%s on a domain opened %+v", key, msgs[0])
		}
	}
}

func TestRulesAndImportKeys(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	if s := statusOf(press(m, "R")); !strings.Contains(s, "not available") {
		t.Errorf("R without a rules view said %q", s)
	}
	if s := statusOf(press(m, "I")); !strings.Contains(s, "not available") {
		t.Errorf("I without an import hook said %q", s)
	}
	var gotPath string
	opened := 0
	m2, d := openList(t, 80, 24, Options{
		Import: func(ctx context.Context, d *db.DB, path string) (string, error) {
			gotPath = path
			_, _, err := d.PutRules(ctx, []rules.Rule{{Pattern: "google.com", Scope: rules.Domain, Verdict: rules.Good}})
			return "imported 1 rule", err
		},
		OpenRules: func(c common.Common, names rulesview.Names) common.View {
			opened += len(names.Rows)
			return nil
		},
	})
	msgs := press(m2, "R")
	if _, ok := msgs[0].(common.PushMsg); !ok || opened != len(m2.data.Names.Rows) {
		t.Errorf("R: %v, walked %d names", msgs, opened)
	}
	press(m2, "I")
	if !m2.Capturing() {
		t.Fatal("I did not ask for a path")
	}
	list := filepath.Join(t.TempDir(), "x")
	os.WriteFile(list, []byte("google.com\n"), 0o644)
	press(m2, strings.Split(list+" bad", "")...)
	// A large list takes seconds: the info bar says it runs, where
	// nothing did, until it is in; it names the file, not the verdict.
	_, run := m2.Update(tuitest.Key("enter"))
	if bar := screenLines(m2)[0]; !strings.Contains(bar, "importing x…") {
		t.Errorf("while importing, the info bar reads %q", bar)
	}
	msgs = tuitest.Settle(m2, run)
	if gotPath != list+" bad" || !strings.Contains(statusOf(msgs), "imported 1 rule") {
		t.Errorf("import got %q, said %q", gotPath, statusOf(msgs))
	}
	if bar := screenLines(m2)[0]; strings.Contains(bar, "importing") {
		t.Errorf("after the import, the info bar reads %q", bar)
	}
	if len(ruleSet(t, d)) != 1 || m2.res.Hid[review.HideVerdict].Rows == 0 {
		t.Error("imported rule does not act on the list")
	}
}

// A path that is not there, or a word after it that is no verdict, is
// said at once and makes no write: it was queued, failed, and the quit
// listed it among the changes to make again.
func TestAMistypedImportIsNoWrite(t *testing.T) {
	imported := false
	m, _ := openList(t, 80, 24, Options{Import: func(context.Context, *db.DB, string) (string, error) {
		imported = true
		return "", nil
	}})
	list := filepath.Join(t.TempDir(), "list.txt")
	os.WriteFile(list, []byte("google.com\n"), 0o644)
	for typed, want := range map[string]string{list + " bogus": `"bogus" is not a verdict`, list + ".gone": "no such file"} {
		press(m, "I")
		press(m, strings.Split(typed, "")...)
		if s := statusOf(press(m, "enter")); !strings.Contains(s, want) || imported || m.c.Writes.Running() != 0 {
			t.Errorf("I %s: said %q, imported %v", typed, s, imported)
		}
	}
}

func TestRulesChangedElsewhereActAtOnce(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	name := cur(m).Name
	_, cmd := m.Update(common.RulesChangedMsg{Rules: []rules.Rule{{ID: 1, Pattern: name, Verdict: rules.Bad}}})
	tuitest.Settle(m, cmd)
	if m.verd.Names[m.res.Lines[0].Idx] != rules.Bad {
		t.Error("a rule changed in the rules view did not reach the list")
	}
}

func TestCraftedNamesAreEscaped(t *testing.T) {
	m, _ := openList(t, 120, 40, Options{})
	press(m, "/", "e", "v", "i", "l", "enter")
	raw := m.View()
	if strings.Contains(raw, "\x1b[31mred") || strings.Contains(raw, "\u202e") {
		t.Fatal("a crafted name reached the terminal unescaped")
	}
	plain := ansi.Strip(raw)
	if !strings.Contains(plain, `evil\x1b[31mred.example.com`) {
		t.Errorf("escaped name not shown:\n%s", plain)
	}
	press(m, "/", "ctrl+u", "e", "l", "g", "o", "o", "g", "enter")
	if !strings.Contains(ansi.Strip(m.View()), `\u202emoc.elgoog.example.net`) {
		t.Error("bidi override not shown escaped")
	}
}

// TestResizeKeepsEveryLineInTheBox, with the why panel closed and open:
// the panel gives way on a screen too small for it.
func TestResizeKeepsEveryLineInTheBox(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	for _, why := range []bool{false, true} {
		if why {
			press(m, "y")
		}
		for _, sz := range [][2]int{{80, 24}, {40, 10}, {200, 60}, {100, 5}, {30, 4}, {30, 3}, {10, 2}, {5, 1}} {
			m.SetSize(sz[0], sz[1])
			lines := strings.Split(m.View(), "\n")
			if len(lines) != sz[1] {
				t.Errorf("why %v, %dx%d: %d lines", why, sz[0], sz[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != sz[0] {
					t.Errorf("why %v, %dx%d: line %d is %d wide", why, sz[0], sz[1], i, w)
				}
			}
		}
	}
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m, _ := openList(t, sz[0], sz[1], Options{})
		// sparklines are fetched after a pause: settle them.
		tuitest.Settle(m, m.fetchSparks())
		suffix := "_" + itoa(sz[0]) + "x" + itoa(sz[1])
		golden.Assert(t, "names"+suffix, m.View())
		press(m, "d")
		tuitest.Settle(m, m.fetchSparks())
		p := slices.IndexFunc(m.res.Lines, func(l review.Line) bool { return m.data.Domains.Rows[l.Idx].Names > 2 })
		m.moveTo(p)
		press(m, "right", "space", "j", "s")
		tuitest.Settle(m, m.fetchSparks())
		golden.Assert(t, "domains_expanded"+suffix, m.View())
		press(m, "d", "T", "r", "a")
		tuitest.Settle(m, m.fetchSparks())
		golden.Assert(t, "filtered_prompt"+suffix, m.View())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestEveryHelpedKeyMeansOneThing: in one view no key is bound twice, so
// the help cannot promise what the key does not do.
func TestEveryHelpedKeyMeansOneThing(t *testing.T) {
	m := New(common.New(context.Background(), nil), Options{Author: "x"})
	seen := map[string]string{}
	for _, s := range m.KeyHelp() {
		for _, b := range s.Keys {
			for _, k := range b.Keys() {
				if prev, ok := seen[k]; ok && prev != b.Help().Desc {
					t.Errorf("%q is both %q and %q", k, prev, b.Help().Desc)
				}
				seen[k] = b.Help().Desc
			}
		}
	}
}

// TestExpandKeysOnASubdomainRow: the expand keys on a name shown under its
// domain act on that domain. The names table is longer than the domains
// table, so a child row's index is often past the domains' end: the rare
// subdomains (a tunnel's) are such rows, and reading them as domains
// crashed the screen.
func TestExpandKeysOnASubdomainRow(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	press(m, "0", "d") // no filter: every domain is listed
	nDomains := len(m.data.Domains.Rows)
	// The name with the highest index whose domain has other names too.
	child := int32(-1)
	for i := len(m.data.Names.Rows) - 1; i >= nDomains && child < 0; i-- {
		if len(m.data.Children[m.data.Names.Rows[i].DomainID]) > 1 {
			child = int32(i)
		}
	}
	if child < 0 {
		t.Fatal("no subdomain past the end of the domains table: the workspace does not exercise the bug")
	}
	name := m.data.Names.Rows[child]
	dom := slices.IndexFunc(m.res.Lines, func(l review.Line) bool { return m.data.Domains.Rows[l.Idx].ID == name.DomainID })
	onChild := func() {
		t.Helper()
		m.moveTo(dom)
		press(m, "right")
		p := slices.Index(m.res.Lines, review.Line{Idx: child, Child: true})
		if p < 0 {
			t.Fatalf("%s is not shown under its domain", name.Name)
		}
		m.moveTo(p)
	}
	collapsed := len(m.res.Lines)
	for _, k := range []string{"l", "right"} {
		onChild()
		expanded := len(m.res.Lines)
		press(m, k)
		if r, domain := m.current(); domain || r.ID != name.ID || len(m.res.Lines) != expanded {
			t.Errorf("%s on a subdomain: cursor on %s (domain %v), %d lines; want it to stay on %s, %d lines",
				k, r.Name, domain, len(m.res.Lines), name.Name, expanded)
		}
	}
	for _, k := range []string{"e", "h", "left"} {
		onChild()
		press(m, k)
		if r, domain := m.current(); !domain || r.ID != name.DomainID || len(m.res.Lines) != collapsed {
			t.Errorf("%s on a subdomain: cursor on %s (domain %v), %d lines; want its domain, collapsed (%d lines)",
				k, r.Name, domain, len(m.res.Lines), collapsed)
		}
	}
	onChild()
	if msgs := press(m, "enter"); len(msgs) != 1 || msgs[0].(common.OpenMsg).Target.Subject.ID != name.ID {
		t.Errorf("enter on a subdomain: %v, want the requests of %s", msgs, name.Name)
	}
}

// Keys typed while the workspace loads act once it is shown, in order,
// each on the list the keys before it made.
func TestKeysTypedWhileLoadingAreKept(t *testing.T) {
	m := New(common.New(context.Background(), workspace(t, 1000)), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(80, 24)
	init := m.Init()
	for _, k := range []string{"d", "j", "j", "/", "g", "o", "o", "enter"} {
		if _, cmd := m.Update(tuitest.Key(k)); cmd != nil {
			t.Fatalf("%s while loading returned a command", k)
		}
	}
	tuitest.Settle(m, init)
	if !m.q.Domains || m.searchText != "goo" || m.Capturing() {
		t.Fatalf("after loading: domains %v, search %q, input open %v; want d and the search typed then",
			m.q.Domains, m.searchText, m.Capturing())
	}
	if r := cur(m); r == nil || !strings.Contains(r.Name, "goo") {
		t.Errorf("the search did not move the cursor to a match: %v", r)
	}
}

// The list's place — filters, sort, expanded domains, the cursor's name —
// is stored in the workspace and the next list on it opens there.
func TestPlaceSurvivesARestart(t *testing.T) {
	open := reopener(t, Options{ByCount: true})
	m := open()
	press(m, "d", "o", "O", "T", "]", "j", "j", "e", "j")
	want, wantQ := cur(m).Name, m.q
	if err := m.SaveState(context.Background()); err != nil {
		t.Fatal(err)
	}
	m2 := open()
	if cur(m2).Name != want || !m2.q.Domains || m2.q.Sort != wantQ.Sort || !m2.q.Reverse || !m2.q.HideTop ||
		m2.q.TopN != wantQ.TopN || !m2.q.Hide[rules.Good] || len(m2.q.Expanded) != 1 {
		t.Errorf("reopened on %s with %+v; want %s with %+v", cur(m2).Name, m2.q, want, wantQ)
	}
	// By score, the row is found in the scores' order: near the top, the
	// rows above it in view.
	press(m2, "0", "S", "j", "j", "j")
	want = cur(m2).Name
	if err := m2.SaveState(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m3 := open(); cur(m3).Name != want || m3.cursor != 3 || m3.offset != 0 {
		t.Errorf("reopened by score on %s at row %d, offset %d; want %s at row 3, offset 0", cur(m3).Name, m3.cursor, m3.offset, want)
	}
	// A place this build cannot read is ignored: the list opens as new.
	if _, ok := decodeState(`{"query":{"Sort":99}}`); ok {
		t.Error("a sort key out of range was accepted")
	}
}

// Moves made while a new order is computed are made in it: after S, j j
// is the third row of the score order, not lost when it starts at its top.
func TestMovesWhileSortingAreMadeInTheNewOrder(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	_, sort := m.Update(tuitest.Key("S"))
	for range 2 {
		m.Update(tuitest.Key("j"))
	}
	tuitest.Settle(m, sort)
	if m.q.Sort != review.SortScore || m.cursor != 2 {
		t.Errorf("after S j j with the sort in flight: sort %v, cursor %d; want score, 2", m.q.Sort, m.cursor)
	}
}

// Undo is the workspace's: after a restart u still takes back, newest
// first, an import made at the I prompt and then a mark of the session
// before.
func TestUndoSurvivesARestartAndTakesBackAnImport(t *testing.T) {
	imp := func(ctx context.Context, d *db.DB, s string) (string, error) {
		return verdicts.ImportTyped(ctx, d, s, "tester")
	}
	m, d := openList(t, 80, 24, Options{Import: imp})
	press(m, "s")
	marked := len(ruleSet(t, d))
	list := filepath.Join(t.TempDir(), "blocked.txt")
	if err := os.WriteFile(list, []byte("one.example\ntwo.example\nthree.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	keys := []string{"I"}
	for _, r := range list + " bad" {
		keys = append(keys, string(r))
		if r == ' ' {
			keys[len(keys)-1] = "space"
		}
	}
	press(m, append(keys, "enter")...)
	if n := len(ruleSet(t, d)); n != marked+3 {
		t.Fatalf("%d rules after the import, want %d", n, marked+3)
	}
	// A new session on the same workspace.
	m = New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true, Import: imp})
	m.SetSize(80, 24)
	tuitest.Settle(m, m.Init())
	if s := statusOf(press(m, "u")); !strings.Contains(s, "1 step left to undo; undid the import of blocked.txt") {
		t.Errorf("the first undo said %q", s)
	}
	if n := len(ruleSet(t, d)); n != marked {
		t.Errorf("%d rules after undoing the import, want the %d of the mark", n, marked)
	}
	press(m, "u")
	if n := len(ruleSet(t, d)); n != 0 {
		t.Errorf("%d rules after undoing the mark of the session before", n)
	}
}

// Marking a tunnel's long name says so in words that fit an 80-column
// status line beside the screen's name and the help key, keeping the end
// of the name: its registered domain, which the start of it lacks.
func TestAMarkOfALongNameKeepsItsDomainInTheMessage(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	p := slices.IndexFunc(m.res.Lines, func(l review.Line) bool { return len(m.data.Names.Rows[l.Idx].Name) > 60 })
	if p < 0 {
		t.Fatal("no long name in the workspace")
	}
	m.moveTo(p)
	r := cur(m)
	msgs := press(m, "s")
	text := ""
	for _, msg := range msgs {
		if s, ok := msg.(common.StatusMsg); ok && strings.HasPrefix(s.Text, "marked") {
			text = s.Text
		}
	}
	// 80 columns less " names " and " ? help  q quit ": the status line
	// shows the first line; the messages screen the name whole after it.
	first, whole, _ := strings.Cut(text, "\n")
	if !strings.HasSuffix(first, "."+r.Domain) || ansi.StringWidth(first) > 80-7-16 || whole != "marked suspicious: "+r.Name {
		t.Errorf("marking %s: %q", r.Name, text)
	}
}

// d keeps the cursor's place: from a name to its domain's row, and back
// to that name; from another domain to its first name listed.
func TestRollUpKeepsTheCursorsPlace(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	p := slices.IndexFunc(m.res.Lines, func(l review.Line) bool {
		r := m.data.Names.Rows[l.Idx]
		return len(m.data.Children[r.DomainID]) > 2 && m.data.Children[r.DomainID][0] != l.Idx
	})
	if p < 0 {
		t.Fatal("no name that is not its domain's first")
	}
	m.moveTo(p)
	name := *cur(m)
	press(m, "d")
	if r, domain := m.current(); !domain || r.ID != name.DomainID {
		t.Fatalf("d from %s: cursor on %s (domain %v), want its domain", name.Name, r.Name, domain)
	}
	press(m, "d")
	if r, domain := m.current(); domain || r.Name != name.Name {
		t.Fatalf("d back: cursor on %s, want %s", r.Name, name.Name)
	}
	press(m, "d")
	q := slices.IndexFunc(m.res.Lines, func(l review.Line) bool {
		return m.data.Domains.Rows[l.Idx].ID != name.DomainID && m.data.Domains.Rows[l.Idx].Names > 1
	})
	m.moveTo(q)
	dom := *cur(m)
	press(m, "d")
	first := slices.IndexFunc(m.res.Lines, func(l review.Line) bool { return m.data.Names.Rows[l.Idx].DomainID == dom.ID })
	if m.cursor != first || first < 0 {
		t.Errorf("d from %s: cursor at %d, want its first name's row %d", dom.Name, m.cursor, first)
	}
}

// A prompt hides the hint line and uncovers a row: its sparkline is read
// as the others' were, not left empty until the list scrolls.
func TestRowsUncoveredByAPromptGetTheirSparklines(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	if m.hintHeight() != 1 {
		t.Fatal("the hint line is not shown")
	}
	h := m.rowsHeight()
	press(m, "/")
	if m.rowsHeight() != h+1 {
		t.Fatalf("the prompt leaves %d rows, want %d", m.rowsHeight(), h+1)
	}
	r, domain := m.rowAt(m.offset + h)
	if _, ok := m.sparks[sparkKey{domain, r.ID}]; !ok {
		t.Errorf("no sparkline read for %s, uncovered by the prompt", r.Name)
	}
}

// l (or e) on a domain whose one name is the domain itself, shown without
// a ▸, adds no row, which read as a copy of it, and says why.
func TestExpandingADomainWithNothingUnderIt(t *testing.T) {
	m := New(common.New(context.Background(), testws.Text(t, "03/20/2024 10:00:00,123rf.com,A,300,192.0.2.1\n"+
		"03/20/2024 10:00:01,www.example.com,A,300,192.0.2.2\n")), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(80, 24)
	tuitest.Settle(m, m.Init())
	press(m, "d", "/")
	press(m, strings.Split("123rf", "")...)
	press(m, "enter")
	if r, domain := m.current(); !domain || r.Name != "123rf.com" {
		t.Fatalf("not on the domain 123rf.com: %+v", r)
	}
	lines := len(m.res.Lines)
	for _, k := range []string{"l", "e"} {
		if st := statusOf(press(m, k)); st != "nothing to expand: 123rf.com has no name but itself" || len(m.res.Lines) != lines {
			t.Errorf("%s: %q, %d lines (%d before)", k, st, len(m.res.Lines), lines)
		}
	}
}
