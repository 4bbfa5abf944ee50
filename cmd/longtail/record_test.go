package main

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

// The recorder keeps the report's lines, passes everything on, and keeps
// no progress line.
func TestRecorderKeepsTheReportNotTheProgress(t *testing.T) {
	var out bytes.Buffer
	r := &recorder{w: &out}
	fmt.Fprint(r, "\r\x1b[Kdns.log  3 MB / 9 MB")
	fmt.Fprint(r, "\r\x1b[K")
	fmt.Fprintln(r, "bad.bin: unknown format (tried 12 formats)")
	fmt.Fprintln(r, "  skipped line 3 (byte 80): no time")
	want := []string{"bad.bin: unknown format (tried 12 formats)", "  skipped line 3 (byte 80): no time"}
	if !slices.Equal(r.lines, want) {
		t.Errorf("lines %q, want %q", r.lines, want)
	}
	if !bytes.Contains(out.Bytes(), []byte("3 MB / 9 MB")) {
		t.Error("the progress did not reach the terminal")
	}
	if r.problem(false) == "" || r.problem(true) == r.problem(false) {
		t.Errorf("problems: %q, %q", r.problem(false), r.problem(true))
	}
}
