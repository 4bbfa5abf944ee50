// Package golden compares rendered screens with files under testdata/,
// rewriting them when a test runs with -update. Screens are stored as the
// terminal would show them, colour stripped, so a diff reads like the UI.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Assert compares got, with ANSI sequences removed, to testdata/name.golden.
func Assert(t testing.TB, name, got string) {
	t.Helper()
	got = ansi.Strip(got)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run with -update to accept):\n--- got ---\n%s\n--- want ---\n%s", name, path, frame(got), frame(string(want)))
	}
}

// frame marks line ends so that trailing spaces show in a failure.
func frame(s string) string {
	return strings.ReplaceAll(s, "\n", "|\n") + "|"
}
