package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/longtail/longtail/tui"
	"github.com/longtail/longtail/tui/app"
)

// TestReportStop: how the review screen stopped is printed, in plain text,
// with the workspace's path, and ends the program with a status: 2 after a
// crash, 1 when only changes were lost, the error itself otherwise.
func TestReportStop(t *testing.T) {
	var stderr bytes.Buffer
	e := &env{dbPath: "ws.db", stderr: &stderr}
	crash := &tui.Stopped{Crash: &app.Crash{Value: "boom \x1b]0;x\x07", Screens: "domains"}, Log: "/tmp/crash.txt"}
	if err := reportStop(e, crash); err != exitError(2) {
		t.Errorf("after a crash: %v, want exit status 2", err)
	}
	out := stderr.String()
	for _, want := range []string{`boom \x1b]0;x\x07`, "/tmp/crash.txt", "The workspace ws.db is consistent",
		"Every mark and rule change you made is in it."} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("the report holds a raw ESC: %q", out)
	}

	stderr.Reset()
	lost := &tui.Stopped{Failed: []string{"marked bad: x.example.com (not written: the screen stopped first)"}}
	if err := reportStop(e, lost); err != exitError(1) {
		t.Errorf("after lost changes: %v, want exit status 1", err)
	}
	if !strings.Contains(stderr.String(), "Not in it (make these again):\n  marked bad: x.example.com") {
		t.Errorf("the lost change is not named:\n%s", stderr.String())
	}

	other := errors.New("cannot open the terminal")
	if err := reportStop(e, other); err != other {
		t.Errorf("another error came back as %v", err)
	}
	if err := reportStop(e, nil); err != nil {
		t.Errorf("a clean end came back as %v", err)
	}
}
