package list

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// openFirst opens a list of w×h on d as a new user would: no options but
// the author.
func openFirst(t *testing.T, d *db.DB, w, h int, opts Options) *Model {
	t.Helper()
	opts.Author, opts.NoRescore = "tester", true
	m := New(common.New(context.Background(), d), opts)
	m.SetSize(w, h)
	tuitest.Settle(m, m.Init())
	if !m.Loaded() {
		t.Fatalf("not loaded: %v", m.loadErr)
	}
	return m
}

// reopener returns a function that opens a list of 80×24 on one scored
// workspace, each time anew, as a restart of the program would.
func reopener(t *testing.T, opts Options) func() *Model {
	path := tuitest.Copy(t, 1000)
	if d, err := db.Open(path, db.Options{}); err != nil {
		t.Fatal(err)
	} else {
		scoreIt(t)(d)
		d.Close()
	}
	return func() *Model {
		d, err := db.Open(path, db.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return openFirst(t, d, 80, 24, opts)
	}
}

const hintStart = "take out the normal:"

// A workspace opened for the first time opens on what needs review: the
// registered domains, known-good hidden, the worst score first, saying it
// is sorted by score and the key back to counts, with the hint of the keys
// that take out the normal until one of them is used.
func TestFirstScreenIsWhereTheWorkIs(t *testing.T) {
	d := workspace(t, 3000)
	scoreIt(t)(d)
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := openFirst(t, d, sz[0], sz[1], Options{})
		if !m.q.Domains || m.q.Sort != review.SortScore || !m.q.Hide[rules.Good] || m.cursor != 0 {
			t.Fatalf("first screen: domains %v, sort %v, hide good %v, cursor %d", m.q.Domains, m.q.Sort, m.q.Hide[rules.Good], m.cursor)
		}
		worst := m.data.Domains.Rows[m.sc.Order(m.data, true)[0]]
		if r := cur(m); r.Name != worst.Name || r.Name != "redmicro.info" {
			t.Errorf("the first row is %s; want the worst scored domain %s, the tunnel", r.Name, worst.Name)
		}
		lines := screenLines(m)
		if !strings.Contains(lines[0], "sorted by score (o: by count)") || !strings.HasPrefix(lines[sz[1]-2], hintStart) {
			t.Errorf("no sort or hint line:\n%s", strings.Join(lines, "\n"))
		}
		golden.Assert(t, "first_"+itoa(sz[0])+"x"+itoa(sz[1]), m.View())
	}
	m := openFirst(t, d, 80, 24, Options{})
	press(m, "j", "o")
	if m.q.Sort != review.SortCount || strings.Contains(screenLines(m)[0], "sorted by score") {
		t.Errorf("o from the first screen: sort %v, %q", m.q.Sort, screenLines(m)[0])
	}
	if r := cur(m); m.cursor != 0 || r.Count != m.data.MaxCount {
		t.Errorf("by count the busiest domain is first: %s %d at %d", r.Name, r.Count, m.cursor)
	}
	// Any filter key, here one that takes out more, ends the hint.
	press(m, "r")
	if lines := screenLines(m); strings.Contains(strings.Join(lines, "\n"), hintStart) || m.rowsHeight() != 21 {
		t.Errorf("the hint stays after r (%d rows):\n%s", m.rowsHeight(), strings.Join(lines, "\n"))
	}
}

// Without scores the first screen is by count, and does not say it is by
// score; Options.ByCount (open --sort count) keeps the view the list
// opened on before: the names by count.
func TestFirstScreenWithoutScoresAndByCount(t *testing.T) {
	d := workspace(t, 1000)
	m := openFirst(t, d, 80, 24, Options{})
	if !m.q.Domains || m.q.Sort != review.SortCount || strings.Contains(screenLines(m)[0], "score") {
		t.Errorf("unscored: domains %v, sort %v, %q", m.q.Domains, m.q.Sort, screenLines(m)[0])
	}
	if r := cur(m); r.Count != m.data.MaxCount {
		t.Errorf("unscored: first %s %d, want the busiest domain", r.Name, r.Count)
	}
	m = openFirst(t, d, 80, 24, Options{ByCount: true})
	if m.q.Domains || m.q.Sort != review.SortCount || !strings.HasPrefix(screenLines(m)[0], "names ") {
		t.Errorf("by count: domains %v, sort %v, %q", m.q.Domains, m.q.Sort, screenLines(m)[0])
	}
	if !strings.HasPrefix(screenLines(m)[22], hintStart) {
		t.Errorf("by count: no hint:\n%s", m.View())
	}
}

// The stored place wins over the first screen, and the hint, once a
// filter key was used, does not come back on the next open.
func TestStoredPlaceWinsOverTheFirstScreen(t *testing.T) {
	open := reopener(t, Options{})
	m := open()
	press(m, "d", "o")
	if err := m.SaveState(context.Background()); err != nil {
		t.Fatal(err)
	}
	m = open()
	if m.q.Domains || m.q.Sort != review.SortCount || !m.hint {
		t.Fatalf("reopened: domains %v, sort %v, hint %v; want names by count, the hint still shown", m.q.Domains, m.q.Sort, m.hint)
	}
	press(m, "U")
	if err := m.SaveState(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m = open(); m.hint || strings.Contains(m.View(), hintStart) || !m.q.Unreviewed {
		t.Errorf("the hint came back after U was used:\n%s", m.View())
	}
}

// Rare at each level, on the screen: a rare domain says how many of its
// names are rare beside its total, the tunnel's among them though its
// total is far above K; in the names, the rare names of one domain come
// together, the first saying how many there are (in short: the long name
// takes the cell), the others indented under it.
func TestRareDomainsAndRareNamesByDomain(t *testing.T) {
	m, _ := openList(t, 120, 40, Options{})
	press(m, "d", "r")
	var tunnel string
	for _, l := range screenLines(m) {
		if strings.Contains(l, "redmicro.info") {
			tunnel = l
		}
	}
	if !strings.Contains(tunnel, " 36 ") || !strings.HasSuffix(strings.TrimSpace(tunnel), "redmicro.info (36/36 rare)") {
		t.Errorf("the tunnel's row with the rare filter on: %q", tunnel)
	}
	// The filter line says what it hides: domains most of whose names are
	// seen more than K times.
	if bar := screenLines(m)[39]; !strings.Contains(bar, " mostly >2 hidden") {
		t.Errorf("filter line: %q", bar)
	}
	press(m, "d")
	p := -1
	for i := range m.res.Lines {
		if r, _ := m.rowAt(i); r.Domain == "redmicro.info" {
			p = i
			break
		}
	}
	m.cursor, m.offset = p, p // the run at the top of the screen
	lines := screenLines(m)
	head := slices.IndexFunc(lines, func(l string) bool { return strings.HasSuffix(strings.TrimSpace(l), "(36 rare here)") })
	if head < 0 {
		t.Fatalf("no run of the tunnel's names:\n%s", strings.Join(lines, "\n"))
	}
	for _, l := range lines[head+1 : min(len(lines)-3, head+36)] {
		if !strings.HasSuffix(strings.TrimSpace(l), ".redmicro.info") {
			t.Errorf("not a name of the run: %q", l)
		}
	}
}

// An access log without virtual hosts has no HTTP host: a workspace of
// only that opens on its paths' sections, not on "no HTTP hosts".
func TestFirstScreenOfAnAccessLogWithoutHosts(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	var b strings.Builder
	for i, p := range []string{"/blog/a", "/blog/b", "/files/x.zip", "/blog/a"} {
		fmt.Fprintf(&b, "10.0.0.%d - - [17/May/2015:10:05:0%d +0000] \"GET %s HTTP/1.1\" 200 12 \"-\" \"curl/8\"\n", i+1, i, p)
	}
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(filepath.Join(dir, "ws.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ingestFiles(t, d, log)
	m := openFirst(t, d, 80, 24, Options{})
	if m.data.Subject.Code != subject.HTTPPath || !m.q.Domains || !strings.HasPrefix(screenLines(m)[0], "http sections 2 of 2 ") {
		t.Errorf("first screen of an access log: %s\n%s", m.data.Subject.Title, m.View())
	}
}

// A workspace of logons only opens on their sources (where a break-in or
// a spray shows), rolled up to networks, not on the accounts' one
// "(local)" domain.
func TestFirstScreenOfAnAuthLog(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "auth.log")
	text := "Mar 27 13:07:01 web1 sshd[1301]: Failed password for root from 203.0.113.9 port 50691 ssh2\n" +
		"Mar 27 13:07:02 web1 sshd[1302]: Accepted password for alice from 10.0.0.5 port 50692 ssh2\n"
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(filepath.Join(dir, "ws.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ingestFiles(t, d, log)
	m := openFirst(t, d, 80, 24, Options{})
	if m.data.Subject.Code != subject.LogonSource || !strings.HasPrefix(screenLines(m)[0], "logon networks 2 of 2 ") {
		t.Errorf("first screen of an auth log: %s\n%s", m.data.Subject.Title, m.View())
	}
}

// Keys typed while a new workspace loads are meant in the first screen
// the analyst sees, the one by score: they wait for the scores.
func TestKeysTypedWhileTheFirstScreenLoadsActOnTheScores(t *testing.T) {
	d := workspace(t, 1000)
	scoreIt(t)(d)
	m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true})
	m.SetSize(80, 24)
	init := m.Init()
	for _, k := range []string{"j", "j"} {
		m.Update(tuitest.Key(k))
	}
	tuitest.Settle(m, init)
	if want := m.data.Domains.Rows[m.sc.Order(m.data, true)[2]]; m.cursor != 2 || cur(m).Name != want.Name {
		t.Errorf("after j j typed while loading: row %d %s; want the third worst, %s", m.cursor, cur(m).Name, want.Name)
	}
}

// A list that closed by score opens by score again, and until the scores
// are in it shows its first rows, read in the stored score order, not the
// whole list by count: it showed the count order for a moment, the keys
// pressed meanwhile moved in it, and the scores' order then put other
// rows under the cursor (j j and G typed while it loaded were lost).
func TestAPlaceKeptByScoreWaitsForTheScores(t *testing.T) {
	d := workspace(t, 1000)
	scoreIt(t)(d)
	m := openFirst(t, d, 80, 24, Options{})
	tuitest.Press(m, "G")
	if err := m.SaveState(context.Background()); err != nil {
		t.Fatal(err)
	}
	m = New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true})
	m.SetSize(80, 24)
	tuitest.SettleOnly(m, m.Init(), func(msg tea.Msg) bool {
		switch msg.(type) {
		case extrasMsg, loadingTickMsg:
			return false // the scores are still being read
		}
		return true
	})
	if !strings.Contains(screenLines(m)[0], "the top by score") || !strings.Contains(screenLines(m)[0], "reading the scores") {
		t.Errorf("before the scores, the screen shows %q", screenLines(m)[0])
	}
	m.Update(tuitest.Key("g"))
	m.Update(tuitest.Key("j"))
	m.Update(tuitest.Key("j"))
	// The workspace grows meanwhile (a follow): the reload waits for the
	// scores, which it would drop as read for the list before it, and the
	// first rows would stand on (the review found it).
	grown := *m.stats
	grown.Events++
	m.Update(polledMsg{stats: grown})
	if m.reloading {
		t.Fatal("a reload began while the first scores were being read")
	}
	tuitest.Settle(m, m.loadExtras(true, false))
	if want := m.data.Domains.Rows[m.sc.Order(m.data, true)[2]]; m.cursor != 2 || cur(m).Name != want.Name {
		t.Errorf("after g j j typed while the scores loaded: row %d %s; want the third worst, %s", m.cursor, cur(m).Name, want.Name)
	}
}

// An empty workspace (the screen of a follow that has read nothing yet)
// opens on DNS names, the first kind's default, not on the last subject
// it looked for values of.
func TestEmptyWorkspaceOpensOnNames(t *testing.T) {
	d, err := db.Open(filepath.Join(t.TempDir(), "empty.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := openFirst(t, d, 80, 24, Options{})
	if m.data.Subject.Code != subject.DNSName {
		t.Errorf("an empty workspace opened on %s, want DNS names", m.data.Subject.Title)
	}
}

// While a large workspace loads, the screen shows the top of the list it
// will open on, read from the stored orders: the first screen's rows by
// score, the same rows the whole list then shows at the top.
func TestFirstRowsShowWhileTheListLoads(t *testing.T) {
	path := tuitest.Copy(t, 1000)
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	scoreIt(t)(d)
	m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true})
	m.SetSize(80, 24)
	var loaded tea.Msg
	tuitest.SettleOnly(m, m.Init(), func(msg tea.Msg) bool {
		switch msg.(type) {
		case loadedMsg:
			loaded = msg // held: the whole list is still being read
			return false
		case loadingTickMsg:
			return false
		}
		return true
	})
	if loaded == nil || m.first == nil {
		t.Fatalf("the whole list was not asked for after the first rows (%v), or no first rows (%v)", loaded != nil, m.first != nil)
	}
	lines := screenLines(m)
	if !strings.HasPrefix(lines[0], "domains: the top by score") || !strings.Contains(lines[0], "loading") {
		t.Errorf("first line %q", lines[0])
	}
	var early []string
	for _, it := range m.first.items[:20] {
		early = append(early, it.Name)
		if !slices.ContainsFunc(lines[2:22], func(l string) bool { return strings.Contains(l, "   "+it.Name) }) {
			t.Errorf("row %q not on the screen:\n%s", it.Name, strings.Join(lines, "\n"))
		}
	}
	tuitest.Settle(m, func() tea.Msg { return loaded })
	if m.first != nil || m.res.Sort != review.SortScore {
		t.Fatalf("after the list came: first rows kept %v, sort %v", m.first != nil, m.res.Sort)
	}
	var later []string
	for p := range 20 {
		r, _ := m.rowAt(p)
		later = append(later, r.Name)
	}
	if !slices.Equal(early, later) {
		t.Errorf("the first rows\n%q\nthe list's\n%q", early, later)
	}
}
