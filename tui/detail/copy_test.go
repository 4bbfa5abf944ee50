package detail

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/longtail/longtail/tui/internal/tuitest"
)

// An NXDOMAIN has no answers: its row's value is empty, and the row names
// it, so that Y copies nothing and says why (app.Blanker).
func TestANameWithoutAnswersHasNothingToCopy(t *testing.T) {
	dir := t.TempDir()
	dns := filepath.Join(dir, "dns.log")
	write(t, dns, tuitest.ZeekHeader+strings.Join([]string{"1709632800.000001", "Cx", "10.1.1.7", "5353", "10.0.0.53", "53", "udp", "1",
		"0.001", "nope.example.org", "1", "C_INTERNET", "1", "A", "3", "NXDOMAIN", "F", "F", "T", "T", "0", "-", "-", "F"}, "\t")+"\n")
	c := ingested(t, dir, dns)
	v := tuitest.Open(NewEvents, c, nameTarget(t, c, "nope.example.org"), 100, 12).(*Events)
	if got, ok := v.CursorValue(); got != "" || !ok {
		t.Fatalf("the NXDOMAIN's value %q (%v), want an empty one", got, ok)
	}
	if got := v.CursorBlank(); got != "answers" {
		t.Errorf("the value is called %q", got)
	}
}
