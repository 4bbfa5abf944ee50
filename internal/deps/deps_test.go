// Package deps holds the test that keeps go.mod on approved releases: the
// module proxy serves newer versions of some dependencies that are not
// approved, and a plain `go get -u` or `go mod tidy` would take them.
package deps

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// approved is the newest approved release of each dependency that has a
// newer, unapproved one served.
var approved = map[string]string{
	"charm.land/bubbles/v2":                   "v2.1.1",
	"charm.land/bubbletea/v2":                 "v2.1.1",
	"charm.land/lipgloss/v2":                  "v2.1.1",
	"github.com/NimbleMarkets/ntcharts/v2":    "v2.0.0",
	"www.velocidex.com/golang/evtx":           "v0.2.0",
	"modernc.org/sqlite":                      "v1.62.0",
	"github.com/fsnotify/fsnotify":            "v1.10.1",
	"github.com/oschwald/maxminddb-golang/v2": "v2.9.1",
}

func TestGoModNamesOnlyApprovedReleases(t *testing.T) {
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) < 2 {
			continue
		}
		if ok, listed := approved[f[0]]; listed && newer(f[1], ok) {
			t.Errorf("go.mod names %s %s, newer than its approved release %s", f[0], f[1], ok)
		}
	}
}

// newer reports whether release a (vX.Y.Z, no pre-release) is after b.
func newer(a, b string) bool {
	pa, pb := strings.Split(strings.TrimPrefix(a, "v"), "."), strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x > y
		}
	}
	return len(pa) > len(pb)
}
