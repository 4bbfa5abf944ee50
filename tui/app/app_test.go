package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// fake is a view that records what reaches it. Its "query" answers with
// the view's name after a pause, so a test can cover it meanwhile.
type fake struct {
	c       common.Common
	name    string
	got     []string
	capture bool
	useEsc  bool // esc and q: it closes a level of its own
	pending string
	w, h    int
}

type answer struct{ from string }

func (f *fake) Init() tea.Cmd {
	name := f.name
	return func() tea.Msg { time.Sleep(10 * time.Millisecond); return answer{name} }
}
func (f *fake) Update(msg tea.Msg) (common.View, tea.Cmd) {
	switch msg := msg.(type) {
	case answer:
		f.got = append(f.got, "answer from "+msg.from)
	case common.RulesChangedMsg:
		f.got = append(f.got, "rules changed")
	case tea.KeyPressMsg:
		f.got = append(f.got, "key "+msg.String())
		if (msg.String() == "esc" || msg.String() == "q") && f.useEsc {
			return f, common.Handled()
		}
		if msg.String() == "o" {
			return f, common.Open(common.ScreenEvents, common.Target{Label: "x"})
		}
		if msg.String() == "b" {
			return f, common.Back()
		}
		if msg.String() == "s" {
			return f, tea.Batch(common.Status("hello"), common.Cmd(common.RulesChangedMsg{}))
		}
	}
	return f, nil
}
func (f *fake) View() string {
	return strings.TrimSuffix(strings.Repeat(common.PadRight(f.name, f.w)+"\n", f.h), "\n")
}
func (f *fake) SetSize(w, h int) { f.w, f.h = w, h }
func (f *fake) Title() string    { return f.name }
func (f *fake) KeyHelp() []common.HelpSection {
	k := f.c.Keys
	return []common.HelpSection{k.Navigation(), k.Searching(),
		{Title: "Fake", Keys: []key.Binding{k.Drill.Events, k.Drill.Clients}}, k.General()}
}
func (f *fake) Capturing() bool { return f.capture }
func (f *fake) Close()          { f.got = append(f.got, "closed") }
func (f *fake) Pending() string { return f.pending }

// run feeds msg to the app and every command that follows, the way the
// runtime would; it reports whether the app asked to quit.
func run(m *Model, msg tea.Msg) (quit bool) { return tuitest.Run(m, msg) }

func newApp(t *testing.T) (*Model, *fake, map[string]*fake) {
	c := common.New(context.Background(), nil)
	root := &fake{c: c, name: "root"}
	opened := map[string]*fake{}
	m := New(c, root, map[common.Screen]common.Opener{
		common.ScreenEvents: func(c common.Common, t common.Target) common.View {
			f := &fake{c: c, name: "events " + t.Label}
			opened[f.name] = f
			return f
		},
	})
	run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	return m, root, opened
}

func TestAnswersGoToTheViewThatAsked(t *testing.T) {
	m, root, opened := newApp(t)
	// The root's Init answers after a pause; open another view first.
	initCmd := m.Init()
	run(m, tuitest.Key("o"))
	ev := opened["events x"]
	if ev == nil || m.String() != "root > events x" {
		t.Fatalf("o did not open the screen: %s", m)
	}
	if root.h != 23 || ev.h != 23 {
		t.Errorf("views got heights %d, %d; want 23 (the status line takes one)", root.h, ev.h)
	}
	run(m, initCmd())
	if strings.Join(root.got, ",") != "key o,answer from root" {
		t.Errorf("root got %v", root.got)
	}
	if strings.Join(ev.got, ",") != "answer from events x" {
		t.Errorf("events got %v", ev.got)
	}
}

// A view taken off the screen is told (common.Closer), so that it stops
// what it has under way: esc, and its own back.
func TestAViewTakenOffTheScreenIsClosed(t *testing.T) {
	for _, key := range []string{"esc", "b"} {
		m, root, opened := newApp(t)
		run(m, tuitest.Key("o"))
		ev := opened["events x"]
		run(m, tuitest.Key(key))
		if m.String() != "root" || !slices.Contains(ev.got, "closed") || slices.Contains(root.got, "closed") {
			t.Errorf("%s: stack %s, the events got %v", key, m, ev.got)
		}
	}
}

func TestBroadcastStatusAndBack(t *testing.T) {
	m, root, opened := newApp(t)
	run(m, tuitest.Key("o"))
	run(m, tuitest.Key("s"))
	if !strings.Contains(m.Render(), "hello") {
		t.Error("status not shown")
	}
	ev := opened["events x"]
	if !strings.Contains(strings.Join(root.got, ","), "rules changed") || !strings.Contains(strings.Join(ev.got, ","), "rules changed") {
		t.Errorf("broadcast missed a view: root %v, events %v", root.got, ev.got)
	}
	run(m, tuitest.Key("j"))
	if strings.Contains(m.Render(), "hello") {
		t.Error("status kept after the next key")
	}
	run(m, tuitest.Key("b"))
	if m.String() != "root" {
		t.Errorf("Back left %s", m)
	}
}

func TestEscBacksOutUnlessTheViewUsesIt(t *testing.T) {
	m, _, opened := newApp(t)
	run(m, tuitest.Key("o"))
	opened["events x"].useEsc = true
	run(m, tuitest.Key("esc"))
	if m.String() != "root > events x" {
		t.Fatalf("esc used by the view still went back: %s", m)
	}
	opened["events x"].useEsc = false
	run(m, tuitest.Key("esc"))
	if m.String() != "root" {
		t.Fatalf("esc did not go back: %s", m)
	}
	run(m, tuitest.Key("esc"))
	if m.String() != "root" {
		t.Fatal("esc closed the root")
	}
}

func TestQuitHelpAndCapture(t *testing.T) {
	m, root, _ := newApp(t)
	root.capture = true
	if run(m, tuitest.Key("q")) || run(m, tuitest.Key("?")) || m.help {
		t.Fatal("q or ? taken from a view that captures input")
	}
	if !strings.HasSuffix(strings.Join(root.got, ","), "key q,key ?") {
		t.Errorf("captured keys did not reach the view: %v", root.got)
	}
	root.capture = false
	run(m, tuitest.Key("?"))
	if !m.help || !strings.Contains(ansi.Strip(m.Render()), "Keys: root") {
		t.Fatal("? did not open the help")
	}
	run(m, tuitest.Key("j"))
	run(m, tuitest.Key("k"))
	run(m, tuitest.Key("pgdown"))
	run(m, tuitest.Key("pgup"))
	run(m, tuitest.Key("g"))
	if !m.help {
		t.Fatal("scrolling closed the help")
	}
	run(m, tuitest.Key("esc"))
	if m.help {
		t.Fatal("esc did not close the help")
	}
	root.pending = "1 mark(s) still being written"
	if run(m, tuitest.Key("q")) {
		t.Fatal("quit with a pending write without asking")
	}
	if !strings.Contains(ansi.Strip(m.Render()), "quit anyway? y/n") {
		t.Fatal("no confirmation shown")
	}
	if run(m, tuitest.Key("n")) {
		t.Fatal("n quit")
	}
	run(m, tuitest.Key("q"))
	if !run(m, tuitest.Key("y")) {
		t.Fatal("y did not quit")
	}
	root.pending = ""
	if !run(m, tuitest.Key("q")) {
		t.Fatal("q did not quit")
	}
	if !run(m, tuitest.Key("ctrl+c")) {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestMissingScreenIsReported(t *testing.T) {
	c := common.New(context.Background(), nil)
	m := New(c, &fake{c: c, name: "root"}, nil)
	run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	run(m, tuitest.Key("o"))
	if m.String() != "root" || !strings.Contains(m.Render(), "not available") {
		t.Errorf("missing opener: %s\n%s", m, m.Render())
	}
}

func TestScreenIsAlwaysTheWindow(t *testing.T) {
	m, _, _ := newApp(t)
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {30, 5}, {200, 2}} {
		run(m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, help := range []bool{false, true} {
			m.help = help
			lines := strings.Split(m.Render(), "\n")
			if len(lines) != sz[1] {
				t.Errorf("%v help=%v: %d lines", sz, help, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != sz[0] {
					t.Errorf("%v help=%v: line %d is %d wide", sz, help, i, w)
				}
			}
		}
	}
}

func TestGoldenHelpAndStatus(t *testing.T) {
	m, _, _ := newApp(t)
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		run(m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		m.help = false
		run(m, tuitest.Key("o"))
		run(m, tuitest.Key("s"))
		suffix := "_" + itoa(sz[0]) + "x" + itoa(sz[1])
		golden.Assert(t, "stack_status"+suffix, m.Render())
		run(m, tuitest.Key("?"))
		golden.Assert(t, "help"+suffix, m.Render())
		run(m, tuitest.Key("esc"))
		run(m, tuitest.Key("esc"))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Deep in the drill-downs, q goes back one level as esc does, never out of
// the program; q on the bottom view quits, and Q quits from anywhere.
func TestQGoesBackOneLevelAndQQuitsFromAnywhere(t *testing.T) {
	m, _, opened := newApp(t)
	run(m, tuitest.Key("o"))
	run(m, tuitest.Key("o"))
	if m.String() != "root > events x > events x" {
		t.Fatalf("stack %s", m)
	}
	if !strings.Contains(ansi.Strip(m.Render()), "q back  Q quit") {
		t.Errorf("the status line does not say what q and Q do in a sub-view:\n%s", m.Render())
	}
	if run(m, tuitest.Key("q")) || m.String() != "root > events x" {
		t.Fatalf("q in a sub-view: stack %s, want one level back", m)
	}
	top := m.top().view.(*fake)
	top.useEsc = true // a view that uses q (to close a panel) keeps it
	if run(m, tuitest.Key("q")) || m.String() != "root > events x" {
		t.Fatalf("q used by the view still went back: %s", m)
	}
	top.useEsc = false
	run(m, tuitest.Key("?"))
	if run(m, tuitest.Key("q")) || m.help || m.String() != "root > events x" {
		t.Fatalf("q in the help: help %v, stack %s; want the help closed, nothing else", m.help, m)
	}
	if !run(m, tuitest.Key("Q")) {
		t.Fatal("Q in a sub-view did not quit")
	}
	run(m, tuitest.Key("?"))
	if !run(m, tuitest.Key("Q")) {
		t.Fatal("Q in the help did not quit")
	}
	run(m, tuitest.Key("q"))
	if !run(m, tuitest.Key("q")) {
		t.Fatal("q on the bottom view did not quit")
	}
	run(m, tuitest.Key("o"))
	opened["events x"].pending = "a rule change is being written"
	if run(m, tuitest.Key("Q")) || m.confirm == "" {
		t.Fatal("Q with a write in flight quit without asking")
	}
}

// A terminal sends alt+KEY as ESC KEY, and Bubble Tea reads an ESC and the
// key after it within 50 ms (two esc pressed quickly, or in one read) as one
// alt key. The review screen binds no alt key: both keys act.
func TestAltKeysAreTheEscAndTheKey(t *testing.T) {
	m, root, _ := newApp(t)
	for range 3 {
		run(m, tuitest.Key("o"))
	}
	// "\x1b\x1b" as Bubble Tea decodes it.
	run(m, tea.KeyPressMsg{Code: tea.KeyEscape, Mod: tea.ModAlt})
	if m.String() != "root > events x" {
		t.Fatalf("two esc in one read: stack %s, want two levels back", m)
	}
	// "\x1bo": esc, then o opens the screen again.
	run(m, tea.KeyPressMsg{Code: 'o', Mod: tea.ModAlt})
	if m.String() != "root > events x" {
		t.Fatalf("esc then o in one read: stack %s", m)
	}
	run(m, tuitest.Key("esc"))
	// "\x1bG": esc, then shift+g reaches the view as G.
	run(m, tea.KeyPressMsg{Code: 'g', ShiftedCode: 'G', Mod: tea.ModAlt | tea.ModShift})
	if got := root.got[len(root.got)-2:]; strings.Join(got, ",") != "key esc,key G" {
		t.Errorf("esc then G in one read reached the view as %v", got)
	}
}

// A follow's rate shows at the right of the status line, read again at
// each redraw, and the screen stays the window's size.
func TestLiveTextShowsInTheStatusLine(t *testing.T) {
	m, _, _ := newApp(t)
	rate := "following 1 file · 12 events/s"
	m.SetLive(func() string { return rate })
	run(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	lines := strings.Split(m.Render(), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, rate) || ansi.StringWidth(last) != 100 {
		t.Errorf("status line %q", last)
	}
	rate = "following 1 file · 40 events/s"
	if !strings.Contains(m.Render(), rate) {
		t.Errorf("the rate was not read again:\n%s", m.Render())
	}
}

// At 80 columns with a message shown, a follow's rate line stays on the
// status line: the help key gives way first, the message is cut.
func TestLiveTextKeepsItsPlaceBesideAMessage(t *testing.T) {
	m, _, _ := newApp(t)
	rate := "following 1 file · 1.2k events/s · scored 5s ago"
	m.SetLive(func() string { return rate })
	run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	run(m, common.StatusMsg{Text: "the workspace changed: reloaded: 12,324 names (16 new)"})
	lines := strings.Split(ansi.Strip(m.Render()), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, rate) || !strings.Contains(last, "the workspace changed") || ansi.StringWidth(last) != 80 {
		t.Errorf("status line %q", last)
	}
	if strings.Contains(last, "? help") {
		t.Errorf("the help key kept its place before the message: %q", last)
	}
}

// At 80 columns a message of a line's length is shown whole: the help key
// gives way to it until the next key, where it cut "the workspace changed,
// no…" after 24 cells.
func TestALongMessageTakesTheHelpKeysPlace(t *testing.T) {
	m, _, _ := newApp(t)
	run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	msg := "the workspace changed, no new http paths (2 in all); 16 new names"
	run(m, common.StatusMsg{Text: msg})
	lines := strings.Split(ansi.Strip(m.Render()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, msg) || ansi.StringWidth(last) != 80 {
		t.Errorf("status line %q", last)
	}
}

// The quit question follows what it waits on: while the writes go on it
// says what is left, and once the last is stored the quit asked for goes
// on. It stayed up, asking about a mark already in the rules.
func TestQuitQuestionFollowsThePendingWrites(t *testing.T) {
	m, root, _ := newApp(t)
	root.pending = "2 marks still being written"
	if run(m, tuitest.Key("Q")) || m.confirm == "" {
		t.Fatal("Q with marks in flight quit without asking")
	}
	root.pending = "1 mark still being written"
	if run(m, routed{id: 0, msg: answer{"the first mark's write"}}) {
		t.Fatal("quit with a mark still in flight")
	}
	if got := ansi.Strip(m.Render()); !strings.Contains(got, "1 mark still being written: quit anyway?") {
		t.Errorf("the question does not say what is left:\n%s", got)
	}
	root.pending = ""
	if !run(m, routed{id: 0, msg: answer{"the last mark's write"}}) {
		t.Errorf("the last mark stored, the quit asked for did not go on:\n%s", ansi.Strip(m.Render()))
	}
}
