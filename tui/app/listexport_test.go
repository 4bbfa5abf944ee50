package app_test

import (
	"encoding/csv"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// On the list, Y copies the row's name and E writes every row the filters
// leave, in the list's order.
func TestListCopiesAndExportsItsRows(t *testing.T) {
	m, _, _ := openApp(t)
	screen := func() string { return ansi.Strip(m.Render()) }
	first := strings.Fields(strings.Split(screen(), "\n")[2]) // the cursor's row
	tuitest.Run(m, tuitest.Key("Y"))
	if !strings.Contains(screen(), "select it with the mouse") {
		t.Fatalf("Y shows no copied value:\n%s", screen())
	}
	tuitest.Run(m, tuitest.Key("E"))
	path := regexp.MustCompile(`(/\S+\.csv): `).FindStringSubmatch(screen())
	if path == nil {
		t.Fatalf("E names no file:\n%s", screen())
	}
	defer os.Remove(path[1])
	f, err := os.Open(path[1])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 3 || rows[0][0] != "value" {
		t.Fatalf("CSV: %v %q", err, rows[:min(len(rows), 3)])
	}
	if !slices.Contains(first, rows[1][0]) {
		t.Errorf("the first row %q is not the list's first %q", rows[1], first)
	}
}
