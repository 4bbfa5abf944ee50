package detail

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// A pivot lists every name its client asked, the ones asked once above
// all: it listed the busiest 10,000, and a client of 46,782 names lost
// the 32,491 it asked once, its title counting only those shown.
func TestPivotListsEveryNameOfItsClient(t *testing.T) {
	const names = 10_050
	dir := t.TempDir()
	var log strings.Builder
	for i := range names {
		fmt.Fprintf(&log, "Mar  7 10:%02d:%02d dnsmasq[1]: query[A] n%d.example.com from 10.0.0.5\n", i/60%60, i%60, i)
	}
	fmt.Fprintf(&log, "Mar  7 11:00:00 dnsmasq[1]: query[A] n0.example.com from 10.0.0.5\n")
	logPath := filepath.Join(dir, "dnsmasq.log")
	write(t, logPath, log.String())
	c := ingested(t, dir, logPath)
	client := clientTarget(t, c, nameTarget(t, c, "n0.example.com"), "10.0.0.5")
	v := tuitest.Open(NewPivot, c, client, 100, 30).(*Counts)
	if len(v.rows) != names {
		t.Fatalf("the pivot lists %d names of the client's %d", len(v.rows), names)
	}
	if top := ansi.Strip(v.View()); !strings.Contains(top, "10,050 names, 10,051 requests") {
		t.Errorf("the title does not count them all:\n%s", top)
	}
}
