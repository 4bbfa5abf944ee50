package list

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
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
