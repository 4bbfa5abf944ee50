package detail

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// mixed is a workspace where one client resolved a name and then fetched
// from a web server: a DNS log and an access log of the same morning.
func mixed(t *testing.T) common.Common {
	t.Helper()
	dir := t.TempDir()
	dns := filepath.Join(dir, "dns.log")
	web := filepath.Join(dir, "access.log")
	row := func(ts, client, name string) string {
		return strings.Join([]string{ts, "Cx", client, "5353", "10.0.0.53", "53", "udp", "1", "0.001", name, "1",
			"C_INTERNET", "1", "A", "0", "NOERROR", "F", "F", "T", "T", "0", "203.0.113.80", "60", "F"}, "\t") + "\n"
	}
	write(t, dns, tuitest.ZeekHeader+row("1709632800.000001", "10.1.1.7", "updates.evil.example")+
		row("1709632801.000001", "10.1.1.8", "www.google.com"))
	write(t, web, `updates.evil.example:80 10.1.1.7 - - [05/Mar/2024:10:00:02 +0000] "GET /stage2.bin?id=42 HTTP/1.1" 200 48213 "-" "Go-http-client/1.1"`+"\n"+
		`updates.evil.example:80 10.1.1.7 - - [05/Mar/2024:10:05:02 +0000] "POST /beacon HTTP/1.1" 204 - "-" "Go-http-client/1.1"`+"\n")
	return ingested(t, dir, dns, web)
}

// pivotShows opens the pivot of the client at addr, h lines high, and
// checks that it shows each of want; it returns the view and its text.
func pivotShows(t *testing.T, c common.Common, addr string, h int, want ...string) (common.View, string) {
	t.Helper()
	cl, err := c.DB.ClientByText(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	v := tuitest.Open(NewPivot, c, common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: cl.ID}, Label: cl.Addr}, 100, h)
	got := ansi.Strip(v.View())
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("the pivot lacks %q:\n%s", w, got)
		}
	}
	return v, got
}

// ingested opens a workspace in dir made of the logs.
func ingested(t *testing.T, dir string, logs ...string) common.Common {
	t.Helper()
	ws := filepath.Join(dir, "ws.db")
	if err := testws.Ingest(ws, logs...); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return common.New(context.Background(), d)
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// From a client, the pivot lists everything it did across kinds: the name
// it resolved and the host and paths it then fetched, so "who resolved
// this and then fetched what from it" is one screen.
func TestPivotAcrossKinds(t *testing.T) {
	v, got := pivotShows(t, mixed(t), "10.1.1.7", 12,
		"updates.evil.example", "http host updates.evil.example", "http path /stage2.bin", "http path /beacon")
	if strings.Contains(got, "www.google.com") || strings.Contains(got, "Go-http-client") {
		t.Errorf("the pivot shows another client's name, or a user agent as if it were asked for:\n%s", got)
	}
	golden.Assert(t, "pivot_kinds", scrub(v.View(), "", ""))
}

// The requests of an HTTP subject have HTTP's columns, and the user agent
// and referer of the cursor's row under them.
func TestHTTPRequests(t *testing.T) {
	c := mixed(t)
	v := tuitest.Open(NewEvents, c, valueTarget(t, c, engsubject.HTTPHost, "updates.evil.example"), 100, 14)
	got := ansi.Strip(v.View())
	for _, want := range []string{"method", "status", "POST", "204", "/stage2.bin?id=42", "48k", "host updates.evil.example:80  agent Go-http-client/1.1"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q:\n%s", want, got)
		}
	}
}

// A honeypot's tunnel (direct-tcpip, stored as tcp://host:port) is named a
// tunnel in its logon's line, not a download.
func TestHoneypotURLLabels(t *testing.T) {
	if got := urlLabel("tcp://outlook.live.com:443"); got != "tunnel " {
		t.Errorf("tunnel labelled %q", got)
	}
	if got := urlLabel("http://198.51.100.7/x.sh"); got != "download " {
		t.Errorf("download labelled %q", got)
	}
}

// bindUndated is a BIND log whose continuation lines carry no date (as
// crowdsec's sample has): their events are stored at 0.
const bindUndated = `19-Oct-2022 05:34:02.600 client 192.168.1.1#53212 (axfr.example): query: axfr.example IN ANY -E (10.0.0.1)
client @0x7f8ac00071e8 ::1#62524 (axfr.example): zone transfer 'axfr.example/AXFR/IN' denied
`

// An undated event reads "undated" in the drill-down and in the clients'
// first seen, never as a moment of 1970.
func TestUndatedEventsSayUndated(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "named.log")
	write(t, log, bindUndated)
	c := ingested(t, dir, log)
	name := nameTarget(t, c, "axfr.example")
	events := ansi.Strip(tuitest.Open(NewEvents, c, name, 100, 12).View())
	clients := ansi.Strip(tuitest.Open(NewClients, c, name, 100, 12).View())
	for what, got := range map[string]string{"events": events, "clients": clients} {
		if strings.Contains(got, "Jan 01 00:00") || !strings.Contains(got, common.Undated) {
			t.Errorf("%s: the undated event is not said undated:\n%s", what, got)
		}
	}
}

// In a pivot at 80 columns a long path keeps its start and what it is
// ("http path /scripts/…"); a long host name keeps its registered domain
// and its label too: the value is cut, not "http host" ("…t host
// a1b2…" lost what the row is).
func TestPivotCutsEachKindAtItsOwnEnd(t *testing.T) {
	dir := t.TempDir()
	web := filepath.Join(dir, "access.log")
	path := "/scripts/" + strings.Repeat("%22$%7BWEBLOC%7D/", 6) + "view.php"
	host := strings.Repeat("a1b2c3d4e5", 6) + ".tunnel.example"
	write(t, web, host+`:80 10.1.1.9 - - [05/Mar/2024:10:00:02 +0000] "GET `+path+` HTTP/1.1" 404 313 "-" "curl/8"`+"\n")
	_, got := pivotShows(t, ingested(t, dir, web), "10.1.1.9", 12)
	for _, want := range []string{"http path /scripts/%22", "http host …", ".tunnel.example"} {
		if !strings.Contains(got, want) {
			t.Errorf("the pivot lacks %q:\n%s", want, got)
		}
	}
}

// Across kinds a DNS row is labelled like the others ("dns name …"), and
// / looks in the labels: /dns keeps the DNS rows, as /http the HTTP ones.
func TestPivotLabelsAndSearchesDNSRows(t *testing.T) {
	v, _ := pivotShows(t, mixed(t), "10.1.1.7", 12, "dns name updates.evil.example")
	tuitest.Press(v, "/", "d", "n", "s", "enter")
	got := ansi.Strip(v.View())
	if !strings.Contains(got, "1 of 4 values shown") || !strings.Contains(got, "dns name updates.evil.example") {
		t.Errorf("/dns does not keep the DNS row alone:\n%s", got)
	}
}
