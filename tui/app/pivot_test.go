package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// The pivot hides what the list hides (known-good, on by default) and
// marks with the list's keys: the list writes the mark, the pivot's rows
// follow, and u undoes it like a mark made in the list.
func TestPivotHonoursTheListsFiltersAndMarks(t *testing.T) {
	m, d, _ := openApp(t)
	_, truth := testws.Ensure(t, 3000)
	ctx := context.Background()
	client, err := d.ClientByText(ctx, truth.BeaconClient)
	if err != nil {
		t.Fatal(err)
	}
	tuitest.Run(m, common.OpenMsg{Screen: common.ScreenPivot, Target: common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: client.ID}, Label: client.Addr}})
	screen := func() string { return ansi.Strip(m.Render()) }
	keys := func(ks ...string) {
		for _, k := range ks {
			tuitest.Run(m, tuitest.Key(k))
		}
	}
	row := func() string { return strings.Split(screen(), "\n")[2] } // the cursor's, at the top
	if !strings.Contains(row(), truth.BeaconName) || strings.Contains(screen(), "hidden") {
		t.Fatalf("the pivot does not open on the beacon, or hides names with no rule:\n%s", screen())
	}
	verdictOf := func(name string) (rules.Verdict, bool) {
		rs, err := d.Rules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Pattern == name {
				return r.Verdict, true
			}
		}
		return rules.None, false
	}

	keys("a", "n")
	if v, ok := verdictOf(truth.BeaconName); !ok || v != rules.Good {
		t.Fatalf("a n on the pivot did not mark %s known-good: %v %v", truth.BeaconName, v, ok)
	}
	if s := screen(); strings.Contains(row(), truth.BeaconName) || !strings.Contains(s, "1 name hidden") || !strings.Contains(s, "marked good") {
		t.Errorf("the known-good name is not hidden as the list hides it, or not said:\n%s", s)
	}
	keys("u")
	if _, ok := verdictOf(truth.BeaconName); ok {
		t.Errorf("u did not undo the mark made on the pivot")
	}
	if !strings.Contains(row(), truth.BeaconName) {
		t.Errorf("after the undo the name is not back:\n%s", screen())
	}
	keys("g", "b") // the cursor stayed on its row, below the name come back
	if v, _ := verdictOf(truth.BeaconName); v != rules.Bad || !strings.Contains(row(), "BAD") {
		t.Errorf("b: verdict %v, row %q\n%s", v, row(), screen())
	}
	keys("x")
	if _, ok := verdictOf(truth.BeaconName); ok || strings.Contains(row(), "BAD") {
		t.Errorf("x did not clear the verdict: row %q", row())
	}
	if !strings.HasSuffix(m.String(), "names asked by "+truth.BeaconClient) {
		t.Errorf("a mark key opened or closed a screen: %s", m)
	}
}

// With the list's rare filter on, the pivot keeps the names seen at most
// K times from all clients.
func TestPivotHonoursTheRareFilter(t *testing.T) {
	m, d, _ := openApp(t)
	_, truth := testws.Ensure(t, 3000)
	client, err := d.ClientByText(context.Background(), truth.BeaconClient)
	if err != nil {
		t.Fatal(err)
	}
	tuitest.Run(m, tuitest.Key("r"))
	tuitest.Run(m, common.OpenMsg{Screen: common.ScreenPivot, Target: common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: client.ID}, Label: client.Addr}})
	s := ansi.Strip(m.Render())
	if strings.Contains(s, truth.BeaconName) || !strings.Contains(s, "hidden as in the list (good, seen >2)") {
		t.Errorf("the rare filter is not honoured:\n%s", s)
	}
	all, err := d.NamesOf(context.Background(), client.ID, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range all {
		if n.Total > 2 && strings.Contains(s, " "+n.Text+"\n") {
			t.Errorf("%s, seen %d times, is shown", n.Text, n.Total)
		}
	}
}

// After a, the pivot asks for the scope in the list's words.
func TestPivotAsksTheScopeAsTheListDoes(t *testing.T) {
	m, d, _ := openApp(t)
	_, truth := testws.Ensure(t, 3000)
	prompt := func() string {
		for _, l := range strings.Split(ansi.Strip(m.Render()), "\n") {
			if strings.Contains(l, "known-good") {
				return strings.TrimSpace(l)
			}
		}
		return ""
	}
	tuitest.Run(m, tuitest.Key("a"))
	list := prompt()
	tuitest.Run(m, tuitest.Key("esc"))
	client, err := d.ClientByText(context.Background(), truth.BeaconClient)
	if err != nil {
		t.Fatal(err)
	}
	tuitest.Run(m, common.OpenMsg{Screen: common.ScreenPivot, Target: common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: client.ID}, Label: client.Addr}})
	tuitest.Run(m, tuitest.Key("a"))
	if pivot := prompt(); list == "" || pivot != list {
		t.Errorf("the pivot asks %q, the list %q", pivot, list)
	}
}
