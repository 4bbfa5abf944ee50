package list

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// listOn opens a w×h list of the names by count on a workspace of a
// generated Zeek log of 2000 events and the logs given.
func listOn(t *testing.T, w, h int, logs ...string) *Model {
	t.Helper()
	d, err := db.Open(tuitest.Workspace(t, 2000, 7, logs...), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(w, h)
	tuitest.Settle(m, m.Init())
	if !m.Loaded() {
		t.Fatalf("not loaded: %v", m.loadErr)
	}
	return m
}

// listWith is listOn with a log of text, written to a file called name.
func listWith(t *testing.T, w, h int, name, text string) *Model {
	t.Helper()
	log := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return listOn(t, w, h, log)
}

// rowOf is the line of the list's view that shows name.
func rowOf(m *Model, name string) string {
	for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
		if strings.Contains(l, name) {
			return l
		}
	}
	return ""
}

// An undated event (a BIND continuation line without a date, stored at 0)
// reads "undated" in its row, and does not stretch the activity column
// back to 1970, which squashed every other row's sparkline into its last
// cell.
func TestUndatedEventKeepsTheTimeColumnsMeaningful(t *testing.T) {
	m := listWith(t, 120, 30, "named.log", "client @0x7f8ac00071e8 ::1#62524 (axfr.example): zone transfer 'axfr.example/AXFR/IN' denied\n")
	tuitest.Settle(m, m.fetchSparks())
	top, _ := m.rowAt(0)
	if spark := m.sparks[sparkKey{false, top.ID}]; len(strings.Fields(spark)) < 2 {
		t.Errorf("the busiest row's activity is one run of cells: %q", spark)
	}
	press(m, "/", "a", "x", "f", "r", "enter")
	if l := rowOf(m, "axfr.example"); strings.Count(l, common.Undated) != 2 {
		t.Errorf("the undated row is not said undated: %q", l)
	}
	if got := ansi.Strip(m.View()); strings.Contains(got, "1970") {
		t.Errorf("a time reads 1970:\n%s", got)
	}
}

// A log without client addresses (an OpenDNS export) lists its names with
// "-" clients, not 0 beside their counts.
func TestNoClientsReadsAsADash(t *testing.T) {
	m := listWith(t, 100, 10, "opendns.csv", "03/04/2024 00:00:08,noclient.example,AAAA,246,2a02:5d96:1552::96c1\n"+
		"03/04/2024 00:00:39,noclient.example,A,60,140.68.168.110\n")
	press(m, "/", "n", "o", "c", "l", "i", "e", "n", "t", "enter")
	if f := strings.Fields(rowOf(m, "noclient.example")); len(f) < 3 || f[0] != "2" || f[2] != "-" {
		t.Errorf("the row of noclient.example: %q", f)
	}
}

// At 80 columns the columns a narrow screen drops (first seen first) stay
// when they are the sort's: the header marks every sort with its arrow,
// and sorting by first seen shows the first seen times in order. A sort
// without a column (by score, nothing scored) is said in the info line.
func TestTheSortColumnIsShownAtEveryWidth(t *testing.T) {
	for _, w := range []int{80, 60} {
		m := listOn(t, w, 24)
		for range review.NumSortKeys {
			press(m, "o")
			lines := strings.Split(ansi.Strip(m.View()), "\n")
			header := lines[1]
			if !strings.ContainsAny(header, "↓↑") && !strings.Contains(lines[0], "sorted by "+m.res.Sort.String()) {
				t.Errorf("%d columns, sorted by %v: no arrow in the header %q", w, m.res.Sort, header)
			}
			if m.res.Sort == review.SortFirst && !strings.Contains(header, "first↓") {
				t.Errorf("%d columns, sorted by first seen: header %q", w, header)
			}
		}
	}
}
