package app_test

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/tui"
	"github.com/longtail/longtail/tui/app"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// openApp is the review screen on a fresh small workspace, 80×24, loaded.
func openApp(t *testing.T) (*app.Model, *db.DB, string) {
	t.Helper()
	path := tuitest.Copy(t, 3000)
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	m := tui.New(context.Background(), d, tui.Options{Author: "tester", ByCount: true}) // on the names: c opens a name's clients
	tuitest.Run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	tuitest.Run(m, m.Init()())
	return m, d, path
}

// whyOpen reports whether the screen shows the why panel.
func whyOpen(m *app.Model) bool {
	for _, l := range strings.Split(ansi.Strip(m.Render()), "\n") {
		if strings.HasPrefix(l, "why ") {
			return true
		}
	}
	return false
}

// Two esc in one read close the clients screen, then the why panel under
// it; q on the list closes the why panel before it quits.
func TestEscAndQCloseTheWhyPanel(t *testing.T) {
	m, _, _ := openApp(t)
	keys := func(ks ...string) (quit bool) {
		for _, k := range ks {
			quit = tuitest.Run(m, tuitest.Key(k)) || quit
		}
		return quit
	}
	keys("y")
	if !whyOpen(m) {
		t.Fatalf("y did not open the why panel:\n%s", ansi.Strip(m.Render()))
	}
	keys("c")
	if !strings.HasPrefix(m.String(), "names > clients of ") {
		t.Fatalf("c did not open the clients: %s", m)
	}
	tuitest.Run(m, tea.KeyPressMsg{Code: tea.KeyEscape, Mod: tea.ModAlt}) // "\x1b\x1b"
	if m.String() != "names" || whyOpen(m) {
		t.Fatalf("two esc together: stack %s, why panel open %v; want the list without the panel", m, whyOpen(m))
	}
	keys("y")
	if keys("q") || whyOpen(m) {
		t.Fatal("q with the why panel open did not close it, or quit")
	}
	if !keys("q") {
		t.Fatal("q on the list did not quit")
	}
}
