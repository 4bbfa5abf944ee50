package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/tui"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// The ingest's report before the screen, and every status message after,
// are in the messages screen (!), whole; a problem of the ingest is the
// status line the screen opens with.
func TestMessagesKeepTheIngestReportAndEveryStatus(t *testing.T) {
	path := tuitest.Copy(t, 3000)
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	report := "bad.bin: unknown format (tried 12 formats): it looks like a Windows event log export, which is not read yet"
	m := tui.New(context.Background(), d, tui.Options{Author: "tester", ByCount: true,
		Report: []string{report}, Problem: "a file gave nothing usable: ! shows the ingest's report"})
	tuitest.Run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	screen := func() string { return ansi.Strip(m.Render()) }
	tuitest.Run(m, m.Init()())
	if !strings.Contains(screen(), "a file gave nothing usable") {
		t.Errorf("the ingest's problem is not in the status line once the list is loaded:\n%s", screen())
	}
	long := "marked good: *.microsoft.com and microsoft.com and 1 more, and then some words to pass eighty columns"
	tuitest.Run(m, common.StatusMsg{Text: long})
	tuitest.Run(m, common.StatusMsg{Text: "the workspace changed: reloading…", Passing: true})
	tuitest.Run(m, tuitest.Key("!"))
	if !strings.HasSuffix(m.String(), "messages") {
		t.Fatalf("! did not open the messages: %s", m)
	}
	flat := strings.Join(strings.Fields(screen()), " ")
	if strings.Contains(flat, "reloading…") {
		t.Errorf("the messages keep work under way, which a follow repeats every few seconds:\n%s", screen())
	}
	for _, want := range []string{long, "the ingest before the screen: " + report} {
		if !strings.Contains(flat, want) {
			t.Errorf("the messages lack %q:\n%s", want, screen())
		}
	}
	tuitest.Run(m, tuitest.Key("esc"))
	if m.String() != "names" {
		t.Errorf("esc did not go back to the list: %s", m)
	}
}

// ! on the messages screen closes it rather than opening a second copy
// over the first, which q then seemed not to close.
func TestMessagesKeyClosesTheMessages(t *testing.T) {
	d, err := db.Open(tuitest.Copy(t, 1000), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := tui.New(context.Background(), d, tui.Options{Author: "tester", ByCount: true})
	tuitest.Run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	tuitest.Run(m, m.Init()())
	tuitest.Run(m, tuitest.Key("!"))
	if m.String() != "names > messages" {
		t.Fatalf("! did not open the messages: %s", m)
	}
	tuitest.Run(m, tuitest.Key("!"))
	if m.String() != "names" {
		t.Errorf("! on the messages: %s, want the list", m)
	}
}

// Beside a follow's rate line at 100 columns, a reload's message keeps
// what is new: the news comes first, the total after.
func TestAReloadSaysWhatIsNewBesideTheRateLine(t *testing.T) {
	path, c := tuitest.Growing(t)
	m := tui.New(context.Background(), c.DB, tui.Options{Author: "tester", ByCount: true,
		Live: func() string { return "following 1 file · 1.2k events/s · scored 5s ago" }})
	tuitest.Run(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	tuitest.Run(m, m.Init()())
	tuitest.Grow(t, path, 1, time.Unix(1710086560, 0), "zzz-first-new.example.org")
	tuitest.Run(m, tuitest.Key("ctrl+r"))
	lines := strings.Split(ansi.Strip(m.Render()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "1 new name") {
		t.Errorf("the status line lost the news: %q", last)
	}
}
