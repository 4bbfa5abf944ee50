package detail

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// shared is a workspace where two clients fetched the same path and
// resolved the same name: 10.1.1.7 twice each (a 200 and a 404), 10.1.1.8
// three times each.
func shared(t *testing.T) common.Common {
	t.Helper()
	dir := t.TempDir()
	dns := filepath.Join(dir, "dns.log")
	web := filepath.Join(dir, "access.log")
	var queries, requests strings.Builder
	queries.WriteString(tuitest.ZeekHeader)
	for i, q := range []struct {
		client string
		status int
	}{{"10.1.1.7", 200}, {"10.1.1.8", 200}, {"10.1.1.7", 404}, {"10.1.1.8", 500}, {"10.1.1.8", 200}} {
		queries.WriteString(strings.Join([]string{fmt.Sprintf("1709632800.%06d", i+1), "Cx", q.client, "5353", "10.0.0.53", "53", "udp", "1", "0.001",
			"updates.evil.example", "1", "C_INTERNET", "1", "A", "0", "NOERROR", "F", "F", "T", "T", "0", "203.0.113.80", "60", "F"}, "\t") + "\n")
		fmt.Fprintf(&requests, "updates.evil.example:80 %s - - [05/Mar/2024:10:00:%02d +0000] \"GET / HTTP/1.1\" %d 10 \"-\" \"curl/8\"\n", q.client, i, q.status)
	}
	write(t, dns, queries.String())
	write(t, web, requests.String())
	return ingested(t, dir, dns, web)
}

// filterBy types text into the f prompt of v and returns what it said to
// the app (an error, when refused).
func filterBy(v *Events, text string) string {
	tuitest.Press(v, "f", "ctrl+u")
	tuitest.Press(v, strings.Split(text, "")...)
	return fmt.Sprint(tuitest.Press(v, "enter"))
}

// The f filter reads each kind's own keys: a logon's result, an HTTP
// status class; a key of another kind is refused, naming this kind's.
func TestFilterKeysOfEachKind(t *testing.T) {
	c := logons(t)
	v := tuitest.Open(NewEvents, c, valueTarget(t, c, engsubject.LogonAccount, "root"), 100, 14).(*Events)
	if out := filterBy(v, "result=success"); out != "[]" || v.matching != 2 || v.total != 3 {
		t.Errorf("result=success: %s; %d of %d match, want 2 of 3", out, v.matching, v.total)
	}
	for _, r := range v.rows {
		if r.rcode != "success" {
			t.Errorf("result=success kept a %s", r.rcode)
		}
	}
	if filterBy(v, "result=failure"); v.matching != 1 {
		t.Errorf("result=failure: %d match, want root's wrong password", v.matching)
	}
	if out := filterBy(v, "status=200"); !strings.Contains(out, `"status": filter logons by source, result, id (a Windows event's number) or type`) {
		t.Errorf("status on logons: %s", out)
	}
	// sshd's two logons of root are of type ssh, a remote logon (the
	// honeypot's logs none); none is a Windows remote interactive one.
	for text, want := range map[string]int64{"type=ssh": 2, "type=remote": 2, "type=SSH": 2, "type=10": 0} {
		if filterBy(v, text); v.matching != want {
			t.Errorf("%s: %d match, want %d", text, v.matching, want)
		}
	}

	c = shared(t)
	v = tuitest.Open(NewEvents, c, valueTarget(t, c, engsubject.HTTPPath, "/"), 100, 14).(*Events)
	if out := filterBy(v, "status=4xx"); out != "[]" || v.matching != 1 || v.rows[0].rcode != "404" {
		t.Errorf("status=4xx: %s; %d match", out, v.matching)
	}
	if filterBy(v, "status=5XX method=get"); v.matching != 1 || v.rows[0].rcode != "500" {
		t.Errorf("status=5XX method=get: %d match", v.matching)
	}
	if out := filterBy(v, "rcode=NXDOMAIN"); !strings.Contains(out, `"rcode": filter HTTP requests by client, method or status`) {
		t.Errorf("rcode on requests: %s", out)
	}
	if out := filterBy(v, "status=4x"); !strings.Contains(out, "a class (4xx)") {
		t.Errorf("status=4x: %s", out)
	}

	v = tuitest.Open(NewEvents, c, nameTarget(t, c, "updates.evil.example"), 100, 14).(*Events)
	for _, text := range []string{"status=404", "method=GET", "result=success"} {
		if out := filterBy(v, text); !strings.Contains(out, "filter DNS queries by client, type or rcode") {
			t.Errorf("%s on queries: %s", text, out)
		}
	}
	if filterBy(v, "rcode=NOERROR client=10.1.1.7"); v.matching != 2 {
		t.Errorf("rcode=NOERROR client=10.1.1.7: %d match, want 2", v.matching)
	}
}

// The help of f lists the keys of the screen's kind.
func TestFilterHelpOfEachKind(t *testing.T) {
	c := shared(t)
	for want, target := range map[string]common.Target{"status=404, 4xx": valueTarget(t, c, engsubject.HTTPPath, "/"), "rcode=NXDOMAIN": nameTarget(t, c, "updates.evil.example")} {
		v := tuitest.Open(NewEvents, c, target, 100, 14).(*Events)
		var help []string
		for _, s := range v.KeyHelp() {
			for _, k := range s.Keys {
				help = append(help, k.Help().Desc)
			}
		}
		if got := strings.Join(help, "\n"); !strings.Contains(got, want) {
			t.Errorf("the help does not say %q:\n%s", want, ansi.Strip(got))
		}
	}
}

// A refused f filter keeps its prompt open on the text typed, as a / regex
// that does not compile does: the typo is mended, not typed again.
func TestRefusedPromptStaysOpen(t *testing.T) {
	c := shared(t)
	v := tuitest.Open(NewEvents, c, valueTarget(t, c, engsubject.HTTPPath, "/"), 100, 14).(*Events)
	if out := filterBy(v, "foo"); !strings.Contains(out, `"foo": write key=value`) {
		t.Errorf("foo: %s", out)
	}
	if !v.Capturing() || v.prompt.input.Value() != "foo" {
		t.Fatalf("the refused filter closed its prompt (open %v, text %q)", v.Capturing(), v.prompt.input.Value())
	}
	tuitest.Press(v, "backspace", "backspace", "backspace")
	tuitest.Press(v, strings.Split("status=404", "")...)
	if out := fmt.Sprint(tuitest.Press(v, "enter")); out != "[]" || v.Capturing() || v.matching != 1 {
		t.Errorf("the mended filter: %s; open %v, %d match", out, v.Capturing(), v.matching)
	}
}
