package list

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// noPoll settles a command without starting the next poll: the test
// delivers the ticks itself.
func noPoll(m *Model, cmd tea.Cmd) []tea.Msg {
	return tuitest.SettleOnly(m, cmd, func(msg tea.Msg) bool { _, tick := msg.(pollTickMsg); return !tick })
}

// ingestElsewhere ingests a log asking n times for each of names into the
// workspace at path through a connection of its own, as another process
// would.
func ingestElsewhere(t *testing.T, path string, n int, names ...string) {
	t.Helper()
	tuitest.Grow(t, path, n, time.Unix(1710086560, 0), names...)
}

// The list sees what another process ingested: at the poll's tick when it
// runs, at once on ctrl+r. New names appear, the filters and the sort are
// kept, and the cursor stays on its name.
func TestReloadShowsWhatAnotherProcessIngested(t *testing.T) {
	path, c := tuitest.Growing(t)
	m := New(c, Options{Author: "tester", NoRescore: true, Poll: time.Millisecond, ByCount: true})
	m.SetSize(80, 24)
	noPoll(m, m.Init())
	press(m, "o", "O", "j", "j", "j") // names, by name backwards: new names land above the cursor
	before, sortBefore := cur(m).Name, m.q
	has := func(name string) bool {
		for p := range m.res.Lines {
			if r, _ := m.rowAt(p); r.Name == name {
				return true
			}
		}
		return false
	}

	ingestElsewhere(t, path, 1, "zzz-first-new.example.org")
	_, cmd := m.Update(pollTickMsg{})
	msgs := noPoll(m, cmd)
	if !has("zzz-first-new.example.org") {
		t.Fatalf("the poll did not reload: %s", statusOf(msgs))
	}
	if cur(m).Name != before || m.q.Sort != sortBefore.Sort || !m.q.Reverse || !m.q.Hide[rules.Good] {
		t.Errorf("after the reload: cursor on %s (was %s), sort %v reverse %v hide good %v", cur(m).Name, before,
			m.q.Sort, m.q.Reverse, m.q.Hide[rules.Good])
	}
	if !strings.Contains(statusOf(msgs), "1 new") {
		t.Errorf("status %q", statusOf(msgs))
	}
	// The screens opened over the list are told to read it again too.
	if !slices.ContainsFunc(msgs, func(msg tea.Msg) bool { _, ok := msg.(common.WorkspaceChangedMsg); return ok }) {
		t.Error("the poll's reload did not tell the other screens")
	}
	// The tally, what the list shows now (the new name in it).
	if i := slices.IndexFunc(msgs, func(msg tea.Msg) bool { _, ok := msg.(common.ShownMsg); return ok }); i < 0 {
		t.Error("the poll's reload did not tell the tally what the list shows")
	} else if s := msgs[i].(common.ShownMsg).Shown; len(s.Result.Lines) != len(m.res.Lines) || s.Loaded.Data != m.data {
		t.Errorf("the tally was told of %d rows of an older list, the list shows %d", len(s.Result.Lines), len(m.res.Lines))
	}
	// Nothing changed: the poll reads the totals and waits for the next tick.
	_, cmd = m.Update(pollTickMsg{})
	if msgs := noPoll(m, cmd); statusOf(msgs) != "" || m.reloading {
		t.Errorf("a poll of an unchanged workspace reloaded: %s", statusOf(msgs))
	}

	// Scored elsewhere (an ingest scores once its data is in): the poll
	// reads the new scores.
	other, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := score.Run(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	other.Close()
	scBefore := m.sc
	_, cmd = m.Update(pollTickMsg{})
	if noPoll(m, cmd); m.sc == scBefore {
		t.Error("the poll did not read the scores stored elsewhere")
	}

	count := cur(m).Count
	ingestElsewhere(t, path, 2, "zzz-second-new.example.org", before)
	m.opts.Poll = 0 // only the key now
	press(m, "ctrl+r")
	if !has("zzz-second-new.example.org") || cur(m).Name != before || cur(m).Count != count+2 {
		t.Errorf("ctrl+r: new name shown %v, cursor on %s (was %s), count %d (was %d, 2 more ingested)",
			has("zzz-second-new.example.org"), cur(m).Name, before, cur(m).Count, count)
	}
}

// What arrives while the screen is open (a follow, another process) is
// marked + in the list, and + shows only that, with what it holds; it is
// not the place the list stores: a new session has had nothing arrive.
func TestWhatArrivesWhileOpenIsMarkedAndShownAlone(t *testing.T) {
	path, c := tuitest.Growing(t)
	m := New(c, Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(100, 30)
	tuitest.Settle(m, m.Init())
	before := len(m.res.Lines)
	press(m, "+")
	if m.q.Arrived || len(m.res.Lines) != before {
		t.Errorf("+ before anything arrived turned the filter on: %d rows of %d", len(m.res.Lines), before)
	}

	ingestElsewhere(t, path, 3, "arrived-one.example.org", "arrived-two.example.net")
	press(m, "ctrl+r")
	if !strings.Contains(m.View(), "+ arrived 2") {
		t.Errorf("the status line does not offer what arrived:\n%s", ansi.Strip(m.View()))
	}
	press(m, "+")
	var got []string
	for p := range m.res.Lines {
		r, _ := m.rowAt(p)
		got = append(got, r.Name)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"arrived-one.example.org", "arrived-two.example.net"}) {
		t.Errorf("+ shows %v, want the two names that arrived (of %d before)", got, before)
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "+: 2 arrived while open") {
		t.Errorf("the status line does not say what + shows:\n%s", view)
	}
	for _, line := range strings.Split(view, "\n") {
		if strings.Contains(line, "arrived-one.example.org") && !strings.HasPrefix(strings.TrimLeft(line, " "), "+") {
			t.Errorf("an arrived row is not marked +: %q", line)
		}
	}
	press(m, "d") // registered domains: both are new groups too
	if m.res.Rows != 2 {
		t.Errorf("+ on domains shows %d rows, want the 2 new domains", m.res.Rows)
	}
	if err := m.SaveState(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := c.DB.ListState(context.Background())
	if strings.Contains(st, "rrived") || strings.Contains(st, "Session") {
		t.Errorf("the session's filter was stored with the place: %s", st)
	}
}

// A mark made while values arrive applies to what arrives next: a domain
// marked known-good keeps its new names out of the list that hides
// known-good, and out of what the + filter shows.
func TestAMarkAppliesToWhatArrivesAfterIt(t *testing.T) {
	path, c := tuitest.Growing(t)
	m := New(c, Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(100, 30)
	tuitest.Settle(m, m.Init())
	domain := cur(m).Domain
	press(m, "a", "D") // known-good: the whole registered domain
	tuitest.Grow(t, path, 2, time.Unix(1710086560, 0), "just-arrived."+domain, "other-arrival.example.net")
	press(m, "ctrl+r")
	for p := range m.res.Lines {
		if r, _ := m.rowAt(p); strings.HasSuffix(r.Name, domain) {
			t.Fatalf("%s is listed after its domain was marked known-good", r.Name)
		}
	}
	press(m, "+")
	if m.res.Rows != 1 {
		t.Errorf("+ shows %d rows, want only other-arrival.example.net", m.res.Rows)
	}
}

// A few events more (a follow's read) change the header's count: it is
// exact where the bar has room, where "1.0k" stayed "1.0k".
func TestTheHeaderCountsEveryNewEvent(t *testing.T) {
	path, c := tuitest.Growing(t)
	m := New(c, Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(80, 24)
	tuitest.Settle(m, m.Init())
	header := func() string { return strings.Split(ansi.Strip(m.View()), "\n")[0] }
	before := header()
	ingestElsewhere(t, path, 3, cur(m).Name)
	press(m, "ctrl+r")
	want := "events " + words.Int(m.data.Events)
	if after := header(); after == before || !strings.Contains(after, want+" ") {
		t.Errorf("3 events more: header %q, was %q; want %q", after, before, want)
	}
}

// The status after a switch of subject counts in words ("1 host", not "1
// hosts") and names the key to the kind's next subject: an access log
// without virtual hosts lists no HTTP host, and v is where its requests
// are.
func TestSwitchedSubjectSaysWhatIsNext(t *testing.T) {
	for _, c := range []struct {
		code      subject.Code
		n, groups int
		want      string
	}{
		{subject.HTTPHost, 1, 1, "1 host in 1 registered domain · v: paths"},
		{subject.HTTPPath, 1369, 27, "1,369 paths in 27 sections · v: user agents"},
		{subject.DNSName, 2, 1, "2 names in 1 registered domain"},
	} {
		if got := switchedText(subject.Must(c.code), c.n, c.groups); got != c.want {
			t.Errorf("%d: %q, want %q", c.code, got, c.want)
		}
	}
}

// Events of names listed already, ingested elsewhere, make no row "+" can
// show: the status says they came ("no new names; 5 new requests"),
// where it said only that the workspace changed.
func TestNewEventsOfListedRowsAreSaid(t *testing.T) {
	path, c := tuitest.Growing(t)
	m := New(c, Options{Author: "tester", NoRescore: true, Poll: time.Millisecond, ByCount: true})
	m.SetSize(80, 24)
	noPoll(m, m.Init())
	ingestElsewhere(t, path, 5, cur(m).Name)
	_, cmd := m.Update(pollTickMsg{})
	if got := statusOf(noPoll(m, cmd)); !strings.Contains(got, "the workspace changed: no new names; 5 new requests") {
		t.Errorf("status %q", got)
	}
	// + then shows nothing, and says why.
	if got := statusOf(press(m, "+")); got != "no new names arrived while open (+ shows new rows, not new events of listed ones)" ||
		m.q.Arrived || len(m.res.Lines) == 0 {
		t.Errorf("+ said %q, filter on %v, %d rows", got, m.q.Arrived, len(m.res.Lines))
	}
}

// A change that brings the subject listed nothing says how many it lists
// in all: "no new names: 1,234" read as a count of something new.
func TestAChangeOfAnotherKindSaysHowManyThereAreInAll(t *testing.T) {
	path, c := tuitest.Growing(t)
	m := New(c, Options{Author: "tester", NoRescore: true, Poll: time.Millisecond, ByCount: true})
	m.SetSize(80, 24)
	noPoll(m, m.Init())
	web := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(web, []byte(hostileRequest), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ingestFiles(t, d, web)
	d.Close()
	_, cmd := m.Update(pollTickMsg{})
	want := "the workspace changed, no new names (" + words.Int(int64(len(m.data.Names.Rows))) + " in all)"
	if got := statusOf(noPoll(m, cmd)); !strings.Contains(got, want) {
		t.Errorf("status %q, want %q", got, want)
	}
}
