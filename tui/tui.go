// Package tui is longtail's review screen: it opens a workspace on the
// frequency list (tui/list) and wires the other screens into the app
// (tui/app), which keeps them on a stack.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/tui/app"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/detail"
	"github.com/longtail/longtail/tui/heatmap"
	"github.com/longtail/longtail/tui/list"
	"github.com/longtail/longtail/tui/logons"
	"github.com/longtail/longtail/tui/messages"
	"github.com/longtail/longtail/tui/rulesview"
	"github.com/longtail/longtail/tui/tally"
	"github.com/longtail/longtail/tui/timeline"
)

// Options tune the review screen.
type Options struct {
	// ImportList imports a list file (plain, hosts, adblock, popularity,
	// longtail's own export) into the workspace's rules and returns a
	// one-line summary; it runs in a background command. nil: the import
	// key says it is not available.
	ImportList func(ctx context.Context, d *db.DB, path string) (summary string, err error)
	// Author of the rules typed in the TUI; default: the OS user.
	Author string
	// Poll is how often the list looks whether another process changed
	// the workspace, and reloads it; Run's default: DefaultPoll; New's: never.
	Poll time.Duration
	// Live, when set, is shown at the right of the status line, read at
	// each redraw: what is being followed, and at what rate.
	Live func() string
	// ByCount opens a workspace the list has no stored place for on its
	// names by count (list.Options.ByCount), not on its domains by score.
	ByCount bool
	// Report is what the ingest before the screen said, a line each: the
	// messages screen (!) keeps it. Problem, when set, is the status line
	// the screen opens with (a file gave nothing, lines were skipped).
	Report  []string
	Problem string
}

// DefaultPoll is how often Run looks for changes to the workspace: one
// read of the stored totals, so often enough to feel live.
const DefaultPoll = 3 * time.Second

// How long Run waits, when the program has ended, for the writes still
// in flight to finish, then for them to give up once cancelled. (Variables
// for the tests.)
var (
	writesGrace = 10 * time.Second
	cancelGrace = 2 * time.Second
)

// crashLogName is the pattern of the file a crash is written to.
const crashLogName = "longtail-crash-*.txt"

// Run shows the review screen on d until the user quits or ctx ends. When
// it ends, the writes the user asked for that are still in flight are
// waited for. It returns a *Stopped when the screen stopped on an internal
// error or ended before every write was in the workspace.
func Run(ctx context.Context, d *db.DB, opt Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := common.New(ctx, d)
	if opt.Poll == 0 {
		opt.Poll = DefaultPoll
	}
	a := newApp(c, opt)
	if term.IsTerminal(os.Stdout.Fd()) {
		a.SetPager(os.Getenv("PAGER")) // E opens the rows in it; without one, names the file
	}
	return run(a, c.Writes, cancel, tea.WithContext(ctx))
}

// run runs the program on m and accounts for how it ended. writes is where
// m's views record their writes; cancel ends their queries.
func run(m *app.Model, writes *common.Writes, cancel func(), opts ...tea.ProgramOption) error {
	p := tea.NewProgram(m, opts...)
	ended := make(chan struct{})
	go func() {
		select {
		case <-m.Crashed():
			p.Quit()
		case <-ended:
		}
	}()
	_, err := p.Run()
	close(ended)
	open, failed := writes.Wait(writesGrace)
	if writes.Running() > 0 {
		cancel()
		open, failed = writes.Wait(cancelGrace)
	}
	// After the marks (SQLite has one writer), and past a cancel: a
	// signal that ended the screen must not cost the place.
	saveErr := savePlace(context.Background(), m)
	st := &Stopped{Crash: m.Crash(), Failed: failed}
	for _, w := range open {
		st.Failed = append(st.Failed, w+" (not written: the screen stopped first)")
	}
	if saveErr != nil {
		st.Failed = append(st.Failed, "the list's place (filters, sort, cursor), for next time: "+saveErr.Error())
	}
	if errors.Is(err, tea.ErrProgramPanic) {
		st.Lib = err // Bubble Tea caught a panic of its own and printed it
	}
	if st.Crash == nil && st.Lib == nil && len(st.Failed) == 0 {
		return err
	}
	if st.Crash != nil {
		st.Log = writeCrashLog(st.Crash)
	}
	return st
}

// savePlace stores where the list was left (see list.SaveState), unless
// the screen stopped on a panic: its state is then not to be trusted.
func savePlace(ctx context.Context, m *app.Model) error {
	s, ok := m.Root().(interface{ SaveState(context.Context) error })
	if !ok || m.Crash() != nil {
		return nil
	}
	return s.SaveState(ctx)
}

// Stopped says how the review screen ended when it did not end cleanly.
type Stopped struct {
	Crash *app.Crash // the panic it stopped on; nil when it was not one of ours
	Lib   error      // Bubble Tea stopped on a panic of its own (it printed it)
	// Log is the file holding the crash's stack and last keys; "" when it
	// could not be written (Report then prints the stack).
	Log string
	// Failed are the writes the user asked for that are not in the
	// workspace, each with why.
	Failed []string
}

func (s *Stopped) Error() string {
	switch {
	case s.Crash != nil:
		return "the review screen stopped on an internal error: " + textsafe.String(s.Crash.Value)
	case s.Lib != nil:
		return "the review screen stopped on an internal error: " + s.Lib.Error()
	}
	return fmt.Sprintf("the review screen ended before %d of the changes asked for were in the workspace", len(s.Failed))
}

// Report writes the account for the terminal, in plain text, once the
// screen is gone: what happened, and where the workspace stands.
func (s *Stopped) Report(w io.Writer, workspace string) {
	switch c := s.Crash; {
	case c != nil:
		fmt.Fprintf(w, "longtail: the review screen stopped on an internal error (a bug in longtail):\n  %s\n", textsafe.String(c.Value))
		if where := c.Where(); where != "" {
			fmt.Fprintf(w, "  at %s\n", where)
		}
		fmt.Fprintf(w, "  on the screen: %s\n", textsafe.String(c.Screens))
		if s.Log != "" {
			fmt.Fprintf(w, "  the stack trace and the last keys are in %s\n", s.Log)
		} else {
			fmt.Fprintf(w, "  stack trace:\n%s\n", safeLines(string(c.Stack)))
		}
	case s.Lib != nil:
		fmt.Fprintln(w, "longtail: the review screen stopped on an internal error of its terminal library (above).")
	}
	fmt.Fprintf(w, "The workspace %s is consistent: each change to it is one transaction.\n", textsafe.String(workspace))
	if len(s.Failed) == 0 {
		fmt.Fprintln(w, "Every mark and rule change you made is in it.")
		return
	}
	fmt.Fprintln(w, "Not in it (make these again):")
	for _, f := range s.Failed {
		fmt.Fprintf(w, "  %s\n", f)
	}
}

// writeCrashLog writes the crash to a new file in the temporary directory
// and returns its path, or "" when it cannot. Everything in it is
// sanitised: it is meant to be shown.
func writeCrashLog(c *app.Crash) string {
	f, err := os.CreateTemp("", crashLogName)
	if err != nil {
		return ""
	}
	keys := make([]string, len(c.Keys))
	for i, k := range c.Keys {
		keys[i] = textsafe.String(k)
	}
	_, err = fmt.Fprintf(f, "longtail crashed at %s\npanic: %s\nscreens: %s\nlast keys: %s\n\n%s",
		time.Now().Format(time.RFC3339), textsafe.String(c.Value), textsafe.String(c.Screens),
		strings.Join(keys, " "), safeLines(string(c.Stack)))
	if cerr := f.Close(); err != nil || cerr != nil {
		os.Remove(f.Name())
		return ""
	}
	return f.Name()
}

// safeLines sanitises text line by line, tabs kept as spaces.
func safeLines(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\t", "    "), "\n")
	for i, l := range lines {
		lines[i] = textsafe.String(l)
	}
	return strings.Join(lines, "\n")
}

// New builds the root model: the list at the bottom of the stack.
func New(ctx context.Context, d *db.DB, opt Options) *app.Model {
	return newApp(common.New(ctx, d), opt)
}

func newApp(c common.Common, opt Options) *app.Model {
	root := list.New(c, list.Options{
		Import:  opt.ImportList,
		Author:  opt.Author,
		Poll:    opt.Poll,
		ByCount: opt.ByCount,
		OpenRules: func(c common.Common, names rulesview.Names) common.View {
			return rulesview.New(c, names)
		},
	})
	if len(opt.Report) > 0 {
		c.Log.Add("the ingest before the screen:\n"+strings.Join(opt.Report, "\n"), false)
	}
	a := app.New(c, root, Openers())
	if opt.Problem != "" {
		a.Notify(opt.Problem, true)
	}
	if opt.Live != nil {
		a.SetLive(opt.Live)
	}
	return a
}

// Openers maps each screen to its constructor.
func Openers() map[common.Screen]common.Opener {
	return map[common.Screen]common.Opener{
		common.ScreenEvents:   detail.NewEvents,
		common.ScreenClients:  detail.NewClients,
		common.ScreenPivot:    detail.NewPivot,
		common.ScreenTimeline: timeline.New,
		common.ScreenHeatmap:  heatmap.New,
		common.ScreenLogons:   logons.New,
		common.ScreenMessages: messages.New,
		common.ScreenTally:    tally.New,
	}
}
