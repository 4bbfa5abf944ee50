package review

import (
	"context"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
)

// A span is counted back from the subject's last event: in a workspace
// with none of the kind, it says so instead of "since 1969-12-31".
func TestNewSinceASpanOfAKindWithoutEvents(t *testing.T) {
	d := testws.Text(t, "www.example.com\nmail.example.com\n")
	_, err := NewSince(context.Background(), d, subject.Default(subject.Must(subject.LogonAccount).Kind), "1d", 0, false, false)
	if err == nil || !strings.Contains(err.Error(), "the workspace has no dated logon") {
		t.Errorf("a span of logons in a DNS workspace: %v", err)
	}
}
