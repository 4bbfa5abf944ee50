package common

import (
	"strings"
	"testing"
)

// p's help, as the list shows it on every kind, speaks of a logon's
// source too: a source pivots to what it did, it asked for nothing.
func TestPivotHelpFitsLogonSources(t *testing.T) {
	if desc := DefaultKeyMap().Drill.Pivot.Help().Desc; !strings.Contains(desc, "source") || strings.Contains(desc, "asked") {
		t.Errorf("p: %q", desc)
	}
}
