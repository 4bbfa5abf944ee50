package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFloorCountIsAwks: the floor counts every name of a generated CSV as
// awk does, whatever the number of parts the file is split into (a part
// boundary falls inside a line but for 1 worker), and a last line without
// its newline and a line without a comma are counted too.
func TestFloorCountIsAwks(t *testing.T) {
	if _, err := exec.LookPath("awk"); err != nil {
		t.Skip("awk not installed")
	}
	path := filepath.Join(t.TempDir(), "dns.csv")
	if err := generate(path, 20_000); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("no comma here\n08/25/2016 17:20:00,last.example.com,A,60,192.0.2.1")
	f.Close()
	out, err := exec.Command("awk", "-F,", `{ c[$2]++ } END { for (k in c) print c[k] "\t" k }`, path).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		n, name, _ := strings.Cut(l, "\t")
		want[name], _ = strconv.ParseInt(n, 10, 64)
	}
	if len(want) < 1000 || want["last.example.com"] != 1 || want[""] != 1 {
		t.Fatalf("awk counted %d names (last.example.com %d, no name %d): the test file is not what it should be", len(want), want["last.example.com"], want[""])
	}
	for _, workers := range []int{1, 2, 3, 7} {
		got, err := floorCount(path, workers)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%d workers: %d names, awk %d", workers, len(got), len(want))
		}
		for name, n := range want {
			if got[name] != n {
				t.Errorf("%d workers: %q counted %d times, awk %d", workers, name, got[name], n)
			}
		}
	}
}

// TestFloorPartsOnLineStarts: a part that starts exactly on a line counts
// that line, and the part before it does not.
func TestFloorPartsOnLineStarts(t *testing.T) {
	var b strings.Builder
	for i := range 10 {
		b.WriteString("t,name" + strconv.Itoa(i) + "\n") // 9 bytes: 2 parts split at line 5
	}
	path := filepath.Join(t.TempDir(), "fixed.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{2, 5, 10} {
		got, err := floorCount(path, workers)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			if n := got["name"+strconv.Itoa(i)]; n != 1 {
				t.Errorf("%d workers: name%d counted %d times", workers, i, n)
			}
		}
	}
}
