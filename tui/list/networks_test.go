package list

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// The logon sources show each address's network once a table that knows
// it is imported; at 80 columns the network makes room for the address.
func TestSourcesShowNetwork(t *testing.T) {
	dir := t.TempDir()
	auth, routes := filepath.Join(dir, "auth.log"), filepath.Join(dir, "routes.dat")
	text := "Mar 27 13:07:01 web1 sshd[1301]: Invalid user oracle from 203.0.113.9 port 50691\n" +
		"Mar 27 13:09:00 web1 sshd[1303]: Accepted publickey for deploy from 198.51.100.5 port 50693 ssh2\n"
	if err := os.WriteFile(auth, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(routes, []byte("203.0.113.0/24\t64500\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(tuitest.Workspace(t, 2000, 7, auth), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := networks.Import(context.Background(), d, routes, time.Now()); err != nil {
		t.Fatal(err)
	}
	m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(120, 30)
	tuitest.Settle(m, m.Init())
	// K to the logons (past DNS names and HTTP hosts), then v to their
	// sources wherever K lands among the logons' subjects.
	for range 2 {
		press(m, "K")
	}
	for range 20 {
		if m.data.Subject.Code == subject.LogonSource {
			break
		}
		press(m, "v")
	}
	if m.data.Subject.Code != subject.LogonSource {
		t.Fatalf("listing %s", m.data.Subject.Title)
	}
	screen := ansi.Strip(m.View())
	lines := strings.Split(screen, "\n")
	if !strings.Contains(lines[1], "network") {
		t.Fatalf("no network column:\n%s", screen)
	}
	for _, l := range lines {
		if strings.Contains(l, "203.0.113.9") && !strings.Contains(l, "AS64500") {
			t.Errorf("203.0.113.9 without its network: %q", l)
		}
		if strings.Contains(l, "198.51.100.5") && strings.Contains(l, "AS") {
			t.Errorf("an unknown network shown: %q", l)
		}
	}
	// Narrow, the network gives way to the source (the times of one day
	// take 5 cells each, so 80 columns still hold it).
	m.SetSize(60, 24)
	if screen := ansi.Strip(m.View()); strings.Contains(strings.Split(screen, "\n")[1], "network") || !strings.Contains(screen, "203.0.113.9") {
		t.Errorf("at 60 columns:\n%s", screen)
	}
}
