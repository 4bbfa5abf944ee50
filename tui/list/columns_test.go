package list

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// An undated event (a BIND continuation line without a date, stored at 0)
// reads "undated" in its row, and does not stretch the activity column
// back to 1970, which squashed every other row's sparkline into its last
// cell.
func TestUndatedEventKeepsTheTimeColumnsMeaningful(t *testing.T) {
	log := filepath.Join(t.TempDir(), "named.log")
	if err := os.WriteFile(log, []byte("client @0x7f8ac00071e8 ::1#62524 (axfr.example): zone transfer 'axfr.example/AXFR/IN' denied\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(tuitest.Workspace(t, 3000, 7, log), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(120, 30)
	tuitest.Settle(m, m.Init())
	tuitest.Settle(m, m.fetchSparks())
	top, _ := m.rowAt(0)
	if spark := m.sparks[sparkKey{false, top.ID}]; len(strings.Fields(spark)) < 2 {
		t.Errorf("the busiest row's activity is one run of cells: %q", spark)
	}
	press(m, "/", "a", "x", "f", "r", "enter")
	got := ansi.Strip(m.View())
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, "axfr.example") && strings.Count(l, common.Undated) != 2 {
			t.Errorf("the undated row is not said undated: %q", l)
		}
	}
	if strings.Contains(got, "1970") {
		t.Errorf("a time reads 1970:\n%s", got)
	}
}

// A log without client addresses (an OpenDNS export) lists its names with
// "-" clients, not 0 beside their counts.
func TestNoClientsReadsAsADash(t *testing.T) {
	log := filepath.Join(t.TempDir(), "opendns.csv")
	text := "03/04/2024 00:00:08,www.korba.co.uk,AAAA,246,2a02:5d96:1552::96c1\n03/04/2024 00:00:39,www.korba.co.uk,A,60,140.68.168.110\n"
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(t.TempDir(), "ws.db")
	if err := testws.Ingest(ws, log); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(100, 10)
	tuitest.Settle(m, m.Init())
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if f := strings.Fields(lines[2]); len(f) < 3 || f[0] != "2" || f[2] != "-" {
		t.Errorf("the row of www.korba.co.uk: %q\n%s", lines[2], strings.Join(lines, "\n"))
	}
}
