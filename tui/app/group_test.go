package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// On a registered domain of the list, enter, c, t and w open the domain's
// requests, clients, timeline and heatmap (the union over its names), and
// from its requests c and t open its clients and timeline: the analyst
// need not expand a tunnel's domain and pick one of its hundreds of names.
func TestDomainRowOpensItsRequestsClientsAndTimeline(t *testing.T) {
	m, d, _ := openApp(t)
	_, truth := testws.Ensure(t, 3000)
	dom, err := d.DomainByText(context.Background(), subject.DNSName, truth.TunnelDomain)
	if err != nil {
		t.Fatal(err)
	}
	keys := func(ks ...string) {
		for _, k := range ks {
			tuitest.Run(m, tuitest.Key(k))
		}
	}
	screen := func() string { return ansi.Strip(m.Render()) }
	group := fmt.Sprintf("*.%s (%d names)", truth.TunnelDomain, dom.Names)
	keys("d", "/")
	keys(strings.Split(truth.TunnelDomain, "")...)
	keys("enter")
	if !strings.Contains(screen(), "▸ "+truth.TunnelDomain) {
		t.Fatalf("the search did not find %s:\n%s", truth.TunnelDomain, screen())
	}
	for _, step := range []struct {
		keys  []string
		stack string // the stack after the keys
		shows string // on screen
	}{
		{[]string{"enter"}, "domains > requests of " + group, "requests of " + group},
		{[]string{"c"}, "domains > requests of " + group + " > clients of " + group, fmt.Sprintf("%d requests", dom.Count)},
		{[]string{"esc", "t"}, "domains > requests of " + group + " > timeline of " + group, "timeline of " + group},
		{[]string{"esc", "esc", "c"}, "domains > clients of " + group, "clients of " + group},
		{[]string{"esc", "t"}, "domains > timeline of " + group, "timeline of " + group},
		{[]string{"esc", "w"}, "domains > day × hour of " + group, "day × hour of " + group},
	} {
		keys(step.keys...)
		if m.String() != step.stack {
			t.Fatalf("after %v: stack %q, want %q\n%s", step.keys, m.String(), step.stack, screen())
		}
		if s := screen(); !strings.Contains(s, step.shows) || strings.Contains(s, "error") || strings.Contains(s, "loading") {
			t.Fatalf("after %v the screen does not show %q, or an error:\n%s", step.keys, step.shows, s)
		}
	}
	// The requests name each row's name, one of the domain's.
	keys("esc", "enter")
	rows := strings.Split(screen(), "\n")
	if !strings.Contains(rows[1], " name") || !strings.Contains(rows[2], ".") {
		t.Errorf("the domain's requests do not name their names:\n%s", screen())
	}
}
