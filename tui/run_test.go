package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/parallel"
	"github.com/longtail/longtail/tui/app"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// bomb is a root view that panics where a key tells it to, and makes
// writes the way the list does (recorded in common.Writes, run in a
// command).
type bomb struct {
	c         common.Common
	viewPanic bool
	release   chan struct{} // the slow write waits for it, or for the end
}

func (b *bomb) Init() tea.Cmd { return nil }

func (b *bomb) Update(msg tea.Msg) (common.View, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return b, nil
	}
	switch km.String() {
	case "u":
		panic("boom in Update")
	case "v":
		b.viewPanic = true
	case "c":
		return b, func() tea.Msg { panic("boom in a command") }
	case "g":
		return b, func() tea.Msg {
			parallel.Run(func() {}, func() { panic("boom in a goroutine of a command") })
			return nil
		}
	case "w": // a write that is made at once
		return b, b.write("marked bad: quick.example.com", func() {})
	case "s": // a write still running when the screen stops
		return b, b.write("marked bad: slow.example.com", func() {
			select {
			case <-b.release:
			case <-b.c.Ctx.Done():
			}
		})
	case "n": // a write queued behind another, never started
		b.c.Writes.Begin("marked suspicious: queued.example.com")
	}
	return b, nil
}

// write records a write and makes it in a command: f, then an error when
// the context ended meanwhile (the write was given up).
func (b *bomb) write(what string, f func()) tea.Cmd {
	rec, ctx := b.c.Writes.Begin(what), b.c.Ctx
	return func() tea.Msg {
		rec.Run(func() error { f(); return ctx.Err() })
		return nil
	}
}

func (b *bomb) View() string {
	if b.viewPanic {
		panic("boom in View")
	}
	return strings.TrimSuffix(strings.Repeat(common.PadRight("bomb", b.c.Width)+"\n", b.c.Height), "\n")
}
func (b *bomb) SetSize(w, h int)              { b.c.SetSize(w, h) }
func (b *bomb) Title() string                 { return "bomb" }
func (b *bomb) KeyHelp() []common.HelpSection { return []common.HelpSection{{Keys: []key.Binding{}}} }
func (b *bomb) Capturing() bool               { return false }

// screen is a terminal for the program: keys in, what it writes out.
type screen struct {
	in  *io.PipeWriter
	mu  sync.Mutex
	out bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// runProgram runs m in a real Bubble Tea program on a fake terminal of
// 80×24, and returns what run returned once keys, typed after it starts,
// have ended it.
func runProgram(t *testing.T, m *app.Model, c common.Common, cancel func(), keys func(s *screen)) (error, *screen) {
	t.Helper()
	pr, pw := io.Pipe()
	s := &screen{in: pw}
	done := make(chan error, 1)
	go func() {
		done <- run(m, c.Writes, cancel, tea.WithContext(c.Ctx), tea.WithInput(pr), tea.WithOutput(s), tea.WithWindowSize(80, 24),
			tea.WithoutSignalHandler(), tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	}()
	keys(s)
	select {
	case err := <-done:
		pw.Close()
		return err, s
	case <-time.After(30 * time.Second):
		t.Fatalf("the program did not end; the screen:\n%q", s.String())
	}
	return nil, s
}

func (s *screen) typeKeys(keys string) {
	for _, k := range keys {
		io.WriteString(s.in, string(k))
		time.Sleep(20 * time.Millisecond)
	}
}

// stopped checks that run returned a *Stopped for a crash and returns it
// with its report.
func stopped(t *testing.T, err error) (*Stopped, string) {
	t.Helper()
	var st *Stopped
	if !errors.As(err, &st) || st.Crash == nil || st.Lib != nil {
		t.Fatalf("run returned %v, want a crash that the app caught", err)
	}
	if st.Log != "" {
		t.Cleanup(func() { os.Remove(st.Log) })
	}
	var b strings.Builder
	st.Report(&b, "ws.db")
	return st, b.String()
}

// TestAPanicStopsTheProgramAndSaysWhereTheWorkspaceStands runs the real
// program loop with a view that panics in each of the places code runs
// from: Update, View, a command, a goroutine a command starts. Each time
// the program ends (the test process goes on), the terminal is given back
// (the alternate screen left, the cursor shown), and the report says what
// happened, where, and that the write made before is in the workspace.
func TestAPanicStopsTheProgramAndSaysWhereTheWorkspaceStands(t *testing.T) {
	for key, want := range map[string]string{"u": "boom in Update", "v": "boom in View", "c": "boom in a command",
		"g": "boom in a goroutine of a command"} {
		t.Run(want, func(t *testing.T) {
			c := common.New(context.Background(), nil)
			b := &bomb{c: c}
			m := app.New(c, b, nil)
			err, s := runProgram(t, m, c, func() {}, func(s *screen) { s.typeKeys("jw" + key) })
			st, report := stopped(t, err)
			if st.Crash.Value != want {
				t.Errorf("crash %q, want %q", st.Crash.Value, want)
			}
			// Where points into the bomb (the view's code), not at the
			// app that caught the panic.
			if !strings.Contains(st.Crash.Where(), "tui.(*bomb)") && !strings.Contains(st.Crash.Where(), "tui.TestAPanic") {
				t.Errorf("Where = %q, want the bomb's code", st.Crash.Where())
			}
			for _, line := range []string{"stopped on an internal error", want, "at " + st.Crash.Where(),
				"the stack trace and the last keys are in " + st.Log, "The workspace ws.db is consistent",
				"Every mark and rule change you made is in it."} {
				if !strings.Contains(report, line) {
					t.Errorf("the report does not say %q:\n%s", line, report)
				}
			}
			raw, err := os.ReadFile(st.Log)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(raw), want) || !strings.Contains(string(raw), "last keys: j w "+key) ||
				!strings.Contains(string(raw), "goroutine ") {
				t.Errorf("the crash log lacks the panic, the keys or the stack:\n%s", raw)
			}
			out := s.String()
			enter, leave := strings.LastIndex(out, "\x1b[?1049h"), strings.LastIndex(out, "\x1b[?1049l")
			if enter < 0 || leave < enter || !strings.Contains(out[leave:], "\x1b[?25h") {
				t.Errorf("the terminal was not given back (alternate screen left, cursor shown): %q", out[max(0, len(out)-200):])
			}
		})
	}
}

// TestACrashWaitsForTheWritesInFlight: a write running when the screen
// stops is waited for and is in the workspace; one that cannot finish is
// cancelled and, like one queued that never started, named as not written.
func TestACrashWaitsForTheWritesInFlight(t *testing.T) {
	defer func(w time.Duration) { writesGrace = w }(writesGrace)

	// Finished during the grace period: in the workspace.
	c := common.New(context.Background(), nil)
	b := &bomb{c: c, release: make(chan struct{})}
	m := app.New(c, b, nil)
	go func() { <-m.Crashed(); time.Sleep(50 * time.Millisecond); close(b.release) }()
	err, _ := runProgram(t, m, c, func() {}, func(s *screen) { s.typeKeys("su") })
	st, report := stopped(t, err)
	if len(st.Failed) != 0 || !strings.Contains(report, "Every mark and rule change you made is in it.") {
		t.Errorf("a write finished after the crash is reported lost:\n%s", report)
	}

	// Never finishing, and never started: named, with why.
	writesGrace = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c = common.New(ctx, nil)
	b = &bomb{c: c, release: make(chan struct{})}
	m = app.New(c, b, nil)
	err, _ = runProgram(t, m, c, cancel, func(s *screen) { s.typeKeys("wsnc") })
	st, report = stopped(t, err)
	for _, want := range []string{"Not in it (make these again):",
		"marked bad: slow.example.com (failed: context canceled)",
		"marked suspicious: queued.example.com (not written: the screen stopped first)"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not say %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "quick.example.com") {
		t.Errorf("a write that was made is reported lost:\n%s", report)
	}
}

// TestTheListSurvivesAPanicInAnImport runs the real list in the real
// program loop on a workspace: a mark is made, then the import command
// panics. The mark is in the workspace, the report names the import as not
// made, and the program returned instead of killing the process.
func TestTheListSurvivesAPanicInAnImport(t *testing.T) {
	c, d, cancel := onWorkspace(t, tuitest.Workspace(t, 2000, 3))
	ctx := c.Ctx
	list := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(list, []byte("example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newApp(c, Options{Author: "tester", ImportList: func(context.Context, *db.DB, string) (string, error) {
		panic("boom in an import")
	}})
	err, _ := runProgram(t, m, c, cancel, func(s *screen) {
		waitFor(t, s, "the list", func() bool { return strings.Contains(s.String(), "0 rules") })
		s.typeKeys("b")
		waitFor(t, s, "the mark in the workspace", func() bool {
			rs, err := d.Rules(ctx)
			return err == nil && len(rs) == 1
		})
		s.typeKeys("I" + list + "\r")
	})
	st, report := stopped(t, err)
	if st.Crash.Value != "boom in an import" {
		t.Errorf("crash %q", st.Crash.Value)
	}
	rs, err := d.Rules(context.Background())
	if err != nil || len(rs) != 1 || rs[0].Verdict != rules.Bad {
		t.Fatalf("the mark made before the crash: %v %v", rs, err)
	}
	want := "import of " + list + " (failed: stopped by an internal error: boom in an import)"
	if !strings.Contains(report, want) || strings.Contains(report, rs[0].Pattern) {
		t.Errorf("the report should name the import only:\n%s", report)
	}
}

// onWorkspace opens the workspace at path for a program: the Common of its
// views, on a context the test ends, the workspace, and the context's
// cancel for run.
func onWorkspace(t *testing.T, path string) (common.Common, *db.DB, context.CancelFunc) {
	t.Helper()
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return common.New(ctx, d), d, cancel
}

func waitFor(t *testing.T, s *screen, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s; the program wrote:\n%q", what, s.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Quitting stores the list's place in the workspace; the next screen on it
// opens there (on the names), not on the first screen of a new workspace
// (the domains).
func TestQuittingKeepsTheListsPlace(t *testing.T) {
	c, d, cancel := onWorkspace(t, tuitest.Copy(t, 1000))
	ctx := c.Ctx
	err, _ := runProgram(t, newApp(c, Options{Author: "tester"}), c, cancel, func(s *screen) {
		waitFor(t, s, "the list", func() bool { return strings.Contains(s.String(), "0 rules") })
		waitFor(t, s, "the domains", func() bool { return strings.Contains(s.String(), "domains") })
		s.typeKeys("d")
		waitFor(t, s, "the names", func() bool { return strings.Contains(s.String(), "names") })
		s.typeKeys("q")
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := d.ListState(ctx); err != nil || !strings.Contains(st, `"Domains":false`) {
		t.Fatalf("stored place %q, %v", st, err)
	}
	m := newApp(c, Options{Author: "tester"})
	tuitest.Run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	tuitest.Run(m, m.Init()())
	if m.Root().Title() != "names" {
		t.Errorf("reopened on %s", m.Root().Title())
	}
}

// A screen ended by a signal (its context cancelled) keeps the list's place
// too, and does not report it as lost.
func TestASignalKeepsTheListsPlace(t *testing.T) {
	c, d, cancel := onWorkspace(t, tuitest.Copy(t, 1000))
	err, _ := runProgram(t, newApp(c, Options{Author: "tester"}), c, cancel, func(s *screen) {
		waitFor(t, s, "the list", func() bool { return strings.Contains(s.String(), "0 rules") })
		waitFor(t, s, "the domains", func() bool { return strings.Contains(s.String(), "domains") })
		s.typeKeys("d")
		waitFor(t, s, "the names", func() bool { return strings.Contains(s.String(), "names") })
		cancel()
	})
	if st := (*Stopped)(nil); errors.As(err, &st) && strings.Contains(fmt.Sprint(st.Failed), "place") {
		t.Errorf("the place was reported lost: %v", st.Failed)
	}
	if st, err := d.ListState(context.Background()); err != nil || !strings.Contains(st, `"Domains":false`) {
		t.Fatalf("stored place %q, %v", st, err)
	}
}
