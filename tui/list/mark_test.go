package list

import (
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/rules"
)

// A mark's message cuts long names for the status line, and names them
// whole on its second line, for the messages screen: two names cut alike
// are told apart there.
func TestAMarksMessageNamesItsValuesWhole(t *testing.T) {
	rs := []rules.Rule{{Pattern: "advertising-marketing-adtech-prod.aws.oath.cloud", Scope: rules.Name},
		{Pattern: "analytics-marketing-adtech-prod.aws.oath.cloud", Scope: rules.Name}}
	text := "marked bad: " + describe(rs)
	got := withWhole(text, "marked bad: ", rs)
	first, second, ok := strings.Cut(got, "\n")
	if !ok || first != text || second != "marked bad: advertising-marketing-adtech-prod.aws.oath.cloud, analytics-marketing-adtech-prod.aws.oath.cloud" {
		t.Errorf("message %q", got)
	}
	short := []rules.Rule{{Pattern: "oath.cloud", Scope: rules.Domain}}
	if text := "marked bad: " + describe(short); withWhole(text, "marked bad: ", short) != text {
		t.Errorf("a message with nothing cut has one line: %q", withWhole(text, "marked bad: ", short))
	}
}
