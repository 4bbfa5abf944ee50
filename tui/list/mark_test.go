package list

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/internal/tuitest"
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

// A mark on a group names it by its word, and a group of pairs by the
// pairs: "pairs of account root", which read "account root", a mark on
// the account itself.
func TestAGroupMarkNamesItsGroup(t *testing.T) {
	for r, want := range map[rules.Rule]string{
		{Kind: subject.LogonPair, Pattern: "root", Scope: rules.Domain}:             "pairs of account root",
		{Kind: subject.LogonSource, Pattern: "10.23.123.0/24", Scope: rules.Domain}: "network 10.23.123.0/24",
		{Kind: subject.DNSName, Pattern: "offsec.com", Scope: rules.Domain}:         "*.offsec.com and offsec.com",
	} {
		if got := describe([]rules.Rule{r}); got != want {
			t.Errorf("%v: %q, want %q", r.Kind, got, want)
		}
	}
}

// The title counts the rows a range covers as they are marked on screen
// (`*`): V j j is three selected, and a row selected before inside it once.
func TestARangeIsCountedInTheTitle(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	title := func() string { return strings.Split(ansi.Strip(m.View()), "\n")[0] }
	press(m, "V", "j", "j")
	if !strings.Contains(title(), "3 selected +range") {
		t.Errorf("V j j: %q", title())
	}
	press(m, "esc", "j", "space", "k", "V", "j", "j")
	if !strings.Contains(title(), "3 selected +range") {
		t.Errorf("a selected row inside a range counted twice: %q", title())
	}
	press(m, "V")
	if !strings.Contains(title(), "3 selected") || strings.Contains(title(), "range") {
		t.Errorf("the range ended: %q", title())
	}
}

// A mark on a whole public suffix is refused as rules add refuses it: a
// domain rule on com made every .com name known-good. The reverse-lookup
// zones, groups of the list's own, can be marked.
func TestAMarkOnAPublicSuffixIsRefused(t *testing.T) {
	m, d := openList(t, 80, 24, Options{})
	for _, tg := range []target{{name: "com", domain: "com", isDomain: true}, {name: "www.example.co.uk", domain: "co.uk"}} {
		req := markReq{kind: subject.DNSName, targets: []target{tg}, verdict: rules.Good, scope: rules.Domain}
		if st := statusOf(tuitest.Settle(m, m.writeMark(req))); !strings.Contains(st, "is a public suffix") {
			t.Errorf("a mark on %s said %q", tg.domain, st)
		}
	}
	if rs := ruleSet(t, d); len(rs) != 0 {
		t.Errorf("rules made: %v", rs)
	}
	req := markReq{kind: subject.DNSName, targets: []target{{name: "in-addr.arpa", domain: "in-addr.arpa", isDomain: true}}, verdict: rules.Good}
	tuitest.Settle(m, m.writeMark(req))
	if rs := ruleSet(t, d); len(rs) != 1 {
		t.Errorf("the reverse-lookup zone's mark: %v", rs)
	}
}
