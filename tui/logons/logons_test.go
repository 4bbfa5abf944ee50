package logons

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	englogons "github.com/longtail/longtail/engine/logons"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// securityLog is a Security log as JSON lines: a spray (eight accounts
// failing once each from 203.0.113.50), a brute force that succeeds
// (administrator, 30 wrong passwords then a logon from 198.51.100.23),
// a locked-out account, and the office's ordinary logons. Its timestamps
// carry their year, so the screens do not change with the clock.
func securityLog() string {
	var b strings.Builder
	ev := func(at, id, user, typ, ip, host, status string) {
		fmt.Fprintf(&b, `{"@timestamp":"%s","EventID":%s,"Channel":"Security","Hostname":"%s","TargetUserName":"%s","TargetDomainName":"CORP","LogonType":"%s","IpAddress":"%s","Status":"%s"}`+"\n",
			at, id, host, user, typ, ip, status)
	}
	for i, u := range []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"} {
		ev(fmt.Sprintf("2024-03-07T01:%02d:00Z", i), "4625", u, "3", "203.0.113.50", "dc01.corp.example.com", "0xc000006a")
	}
	for i := range 30 {
		ev(fmt.Sprintf("2024-03-07T02:%02d:00Z", i), "4625", "administrator", "10", "198.51.100.23", "rds01.corp.example.com", "0xc000006a")
	}
	ev("2024-03-07T02:31:00Z", "4624", "administrator", "10", "198.51.100.23", "rds01.corp.example.com", "0x0")
	ev("2024-03-06T09:00:00Z", "4625", "mallory", "3", "10.10.2.77", "fs01.corp.example.com", "0xc0000234")
	for day := 4; day <= 8; day++ {
		for _, u := range []string{"alice", "bob"} {
			ev(fmt.Sprintf("2024-03-%02dT08:30:00Z", day), "4624", u, "3", "10.10.2.10", "fs01.corp.example.com", "0x0")
		}
	}
	return b.String()
}

// workspace ingests the Security log and a honeypot's login.
func workspace(t *testing.T) common.Common {
	t.Helper()
	return ingested(t, "security.json", securityLog(),
		"cowrie.json", `{"eventid": "cowrie.login.failed", "username": "root", "password": "123456", "timestamp": "2024-03-05T00:05:01Z", "src_ip": "192.0.2.7", "sensor": "pot1"}`+"\n")
}

// ingested is a workspace of the logs given as pairs of file name and
// text, ingested in that order.
func ingested(t *testing.T, logs ...string) common.Common {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := 0; i+1 < len(logs); i += 2 {
		path := filepath.Join(dir, logs[i])
		if err := os.WriteFile(path, []byte(logs[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	ws := filepath.Join(dir, "ws.db")
	if err := testws.Ingest(ws, paths...); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return common.New(context.Background(), d)
}

func open(t *testing.T, c common.Common, w, h int) *Model {
	t.Helper()
	return tuitest.Open(New, c, common.Target{}, w, h).(*Model)
}

// The summary at 80×24 keeps the columns that fit whole (the first seen
// and the reason go to the line under the table) and at 120×40 shows them
// all; the brute force is on top, the spray's accounts each once below.
func TestGoldens(t *testing.T) {
	c := workspace(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		v := open(t, c, size[0], size[1])
		tuitest.CheckSize(t, v, size[0], size[1])
		golden.Assert(t, fmt.Sprintf("summary_%dx%d", size[0], size[1]), v.View())
	}
	narrow := ansi.Strip(open(t, c, 80, 24).View())
	header := strings.Fields(strings.Split(narrow, "\n")[1])
	if strings.Join(header, " ") != "account source target type ok failed last" {
		t.Errorf("80 columns: header %q", header)
	}
	if !strings.Contains(narrow, "2024-03-07 02:00 – 2024-03-07 02:31 · wrong password") {
		t.Errorf("80 columns: the cursor's row in full is not under the table:\n%s", narrow)
	}
}

// j, k, pgdown and G move the cursor; o cycles the orders, each putting
// its own row first.
func TestMoveAndSort(t *testing.T) {
	v := open(t, workspace(t), 120, 12)
	first := func() string { return v.rows[0].Account + " " + v.rows[0].Source }
	if first() != "administrator@corp 198.51.100.23" {
		t.Errorf("by failures: %s first", first())
	}
	tuitest.Press(v, "j", "j")
	if v.cursor != 2 {
		t.Errorf("j j: cursor %d", v.cursor)
	}
	tuitest.Press(v, "k")
	tuitest.Press(v, "pgdown")
	if v.cursor != 1+v.rowsHeight() || v.offset == 0 {
		t.Errorf("pgdown: cursor %d, offset %d", v.cursor, v.offset)
	}
	tuitest.Press(v, "G")
	if v.cursor != len(v.rows)-1 {
		t.Errorf("G: cursor %d of %d", v.cursor, len(v.rows))
	}
	for _, want := range []struct{ sort, first string }{
		{"successes", "alice@corp 10.10.2.10"}, // 5, as bob's: the account decides
		{"last", "alice@corp 10.10.2.10"},      // 03-08 08:30, as bob's
		{"account", "administrator@corp 198.51.100.23"},
		{"failures", "administrator@corp 198.51.100.23"},
	} {
		msgs := tuitest.Press(v, "o")
		if v.sort.String() != want.sort || v.cursor != 0 || first() != want.first {
			t.Errorf("o: sorted by %s, cursor %d, %s first; want by %s, %s first", v.sort, v.cursor, first(), want.sort, want.first)
		}
		if len(msgs) != 1 || msgs[0] != (common.StatusMsg{Text: "sorted by " + want.sort}) {
			t.Errorf("o says %v", msgs)
		}
	}
}

// / narrows the rows as the text is typed, esc in the input drops it,
// enter keeps it, and esc then clears it (without leaving the view).
func TestFilter(t *testing.T) {
	v := open(t, workspace(t), 120, 20)
	all := len(v.rows)
	tuitest.Press(v, "/", "2", "0", "3", ".")
	if !v.Capturing() || len(v.rows) != 8 {
		t.Errorf("typing 203.: capturing %v, %d rows, want the spray's 8", v.Capturing(), len(v.rows))
	}
	tuitest.Press(v, "esc")
	if v.Capturing() || len(v.rows) != all {
		t.Errorf("esc in the input: capturing %v, %d rows of %d", v.Capturing(), len(v.rows), all)
	}
	tuitest.Press(v, "/", "L", "O", "C", "K", "enter")
	if v.Capturing() || len(v.rows) != 1 || v.rows[0].Account != "mallory@corp" {
		t.Errorf("LOCK (any case, the reason): %+v", v.rows)
	}
	if got := ansi.Strip(v.View()); !strings.Contains(got, "1 of 13 rows") || !strings.Contains(got, "holding LOCK") {
		t.Errorf("the title does not say the filter:\n%s", got)
	}
	if msgs := tuitest.Press(v, "esc"); len(msgs) != 1 || msgs[0] != (common.HandledMsg{}) || len(v.rows) != all {
		t.Errorf("esc with a filter: %v, %d rows of %d", msgs, len(v.rows), all)
	}
	if msgs := tuitest.Press(v, "esc"); len(msgs) != 0 {
		t.Errorf("esc without a filter is the app's (back), not the view's: %v", msgs)
	}
}

// enter opens the events of the row's pair.
func TestEnterOpensThePair(t *testing.T) {
	v := open(t, workspace(t), 120, 20)
	msgs := tuitest.Press(v, "enter")
	o, ok := firstOpen(msgs)
	if !ok || o.Screen != common.ScreenEvents || o.Target.Name == nil || o.Target.Label != "administrator@corp ← 198.51.100.23" ||
		subject.Code(o.Target.Name.Kind) != subject.LogonPair || o.Target.Subject != (db.Subject{Kind: db.SubjectName, ID: o.Target.Name.ID}) {
		t.Errorf("enter opened %+v", msgs)
	}
}

// A honeypot's source that tried a password without a user name: its row
// (account "-") opens the source's logons the row counted, not the client
// version it sent too; a row of neither account nor source says so.
func TestEnterOnARowWithoutAnAccountOpensItsLogons(t *testing.T) {
	c := ingested(t, "cowrie.json", `{"eventid": "cowrie.client.version", "version": "SSH-2.0-OpenSSH_7.3", "timestamp": "2018-06-16T00:54:46Z", "src_ip": "146.0.77.173", "sensor": "pot1"}`+"\n"+
		`{"eventid": "cowrie.login.failed", "username": "", "password": "root", "timestamp": "2018-06-16T00:54:47Z", "src_ip": "146.0.77.173", "sensor": "pot1"}`+"\n")
	v := open(t, c, 120, 20)
	if len(v.rows) != 1 || v.rows[0].Account != subject.None || v.rows[0].Failures != 1 {
		t.Fatalf("rows %+v", v.rows)
	}
	var events common.View
	for _, m := range tuitest.Press(v, "enter") {
		if p, ok := m.(common.PushMsg); ok {
			events = p.View
		}
	}
	if events == nil {
		t.Fatal("enter opened no events")
	}
	events.SetSize(120, 20)
	tuitest.Settle(events, events.Init())
	got := ansi.Strip(events.View())
	if !strings.Contains(got, "logons of 146.0.77.173") || !strings.Contains(got, "row 1 of 1 matching") || strings.Contains(got, "OpenSSH_7.3") {
		t.Errorf("the row's one logon is not what opened:\n%s", got)
	}
	v.rows = []englogons.Row{{Account: subject.None, Source: subject.None}}
	if msgs := tuitest.Press(v, "enter"); len(msgs) != 1 || !strings.Contains(fmt.Sprint(msgs[0]), "neither an account nor a source") {
		t.Errorf("enter on a row of no account and no source: %v", msgs)
	}
}

// E and Y, which the help lists, work on the summary's rows: the rows the
// filter keeps, in the columns of longtail logons, and the row's account.
func TestExportsTheRowsShown(t *testing.T) {
	v := open(t, workspace(t), 120, 20)
	tuitest.Press(v, "/", "2", "0", "3", ".", "enter")
	ex, ok := common.View(v).(common.Exporter)
	if !ok {
		t.Fatal("the summary has no rows to export")
	}
	header, rows := ex.Rows()
	if len(header) != 9 || header[0] != "account" || len(rows) != 8 || rows[0][1] != "203.0.113.50" || rows[0][6] != "2024-03-07T01:00:00.000000Z" {
		t.Errorf("rows %v %v", header, rows)
	}
	if val, ok := ex.CursorValue(); !ok || val != v.rows[0].Account {
		t.Errorf("cursor value %q %v", val, ok)
	}
	// A row of neither account nor source is a row with nothing to copy,
	// not "no row under the cursor".
	v.rows = []englogons.Row{{Account: subject.None, Source: subject.None}}
	if val, ok := ex.CursorValue(); !ok || val != "" || v.CursorBlank() != "account or source" {
		t.Errorf("a row of no account and no source: %q %v", val, ok)
	}
}

func firstOpen(msgs []tea.Msg) (common.OpenMsg, bool) {
	for _, m := range msgs {
		if o, ok := m.(common.OpenMsg); ok {
			return o, true
		}
	}
	return common.OpenMsg{}, false
}

// An answer to an older read (ctrl+r pressed twice, say) is dropped.
func TestStaleAnswerDropped(t *testing.T) {
	v := open(t, workspace(t), 120, 20)
	n := len(v.all)
	v.load() // a newer request, whose answer has not come
	v.Update(loadedMsg{seq: v.seq - 1, rows: nil})
	if len(v.all) != n {
		t.Errorf("a stale answer replaced %d rows with %d", n, len(v.all))
	}
	v.Update(loadedMsg{seq: v.seq, rows: v.all[:1]})
	if len(v.all) != 1 {
		t.Errorf("the latest answer was not taken: %d rows", len(v.all))
	}
}

// Another process's ingest, seen by the list's poll (WorkspaceChangedMsg),
// shows in the summary without a key, and the cursor stays on its row
// though the new logons come before it in the order.
func TestWorkspaceChangeReadsTheSummaryAgain(t *testing.T) {
	c := workspace(t)
	m := open(t, c, 120, 40)
	tuitest.Settle(m, m.key(tuitest.Key("j")))
	before, _ := m.current()
	more := filepath.Join(t.TempDir(), "more.json")
	var b strings.Builder
	for i := range 50 {
		fmt.Fprintf(&b, `{"@timestamp":"2024-03-09T03:%02d:00Z","EventID":4625,"Channel":"Security","Hostname":"dc01.corp.example.com","TargetUserName":"root","TargetDomainName":"CORP","LogonType":"3","IpAddress":"192.0.2.99","Status":"0xc000006a"}`+"\n", i)
	}
	if err := os.WriteFile(more, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := testws.Ingest(c.DB.Path(), more); err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(m, cmd)
	if top := m.rows[0]; top.Source != "192.0.2.99" || top.Failures != 50 {
		t.Errorf("top row after the change: %+v", top)
	}
	if now, _ := m.current(); now.Account != before.Account || now.Source != before.Source || now.Target != before.Target {
		t.Errorf("cursor on %+v, was on %+v", now, before)
	}
}

// Rows of different years (a honeypot's old log beside this week's) show
// the year in first and last seen: "06-01" alone would not say which June.
func TestRowsOfSeveralYearsShowTheYear(t *testing.T) {
	c := ingested(t, "cowrie.json", `{"eventid": "cowrie.login.failed", "username": "root", "password": "123456", "timestamp": "2018-06-01T23:26:01Z", "src_ip": "192.0.2.7", "sensor": "pot1"}`+"\n"+
		`{"eventid": "cowrie.login.failed", "username": "admin", "password": "admin", "timestamp": "2024-03-05T00:05:01Z", "src_ip": "192.0.2.8", "sensor": "pot1"}`+"\n")
	got := ansi.Strip(open(t, c, 80, 24).View())
	for _, want := range []string{"root", "2018-06-01", "admin", "2024-03-05"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q:\n%s", want, got)
		}
	}
}

// The heading counts exactly: a brute force of 1,001 failures reads so,
// not "1.0k", which a few more would leave as it was.
func TestTheHeadingCountsExactly(t *testing.T) {
	var b strings.Builder
	for i := range 1001 {
		fmt.Fprintf(&b, `{"eventid": "cowrie.login.failed", "username": "root", "password": "p%d", "timestamp": "2024-03-05T00:%02d:%02dZ", "src_ip": "192.0.2.7", "sensor": "pot1"}`+"\n", i, i/60%60, i%60)
	}
	got := ansi.Strip(open(t, ingested(t, "cowrie.json", b.String()), 80, 24).View())
	if !strings.Contains(strings.Split(got, "\n")[0], "· 1 row · 0 ok, 1,001 failed") {
		t.Errorf("heading: %q", strings.Split(got, "\n")[0])
	}
}

// A heading too wide for 80 columns gives up the screen's name, which the
// status line says too, and then cuts its end with a mark: "by failures ·
// holding r" was cut unmarked, a word or the filter lost unseen.
func TestAWideHeadingIsCutMarked(t *testing.T) {
	v := open(t, workspace(t), 80, 24)
	heading := func() string { return strings.TrimRight(strings.Split(ansi.Strip(v.View()), "\n")[0], " ") }
	filter := func(text string) {
		tuitest.Press(v, "/")
		tuitest.Press(v, strings.Split(text, "")...)
		tuitest.Press(v, "enter")
	}
	filter("nobody" + strings.Repeat("x", 12))
	if got := heading(); !strings.HasPrefix(got, "0 of 13 rows · ") || !strings.HasSuffix(got, "· by failures · holding nobodyxxxxxxxxxxxx") {
		t.Errorf("the heading does not keep its order and filter whole: %q", got)
	}
	filter("nobody" + strings.Repeat("x", 24))
	if got := heading(); ansi.StringWidth(got) != 80 || !strings.HasSuffix(got, "xx…") {
		t.Errorf("the heading is not cut at its end, marked: %q", got)
	}
}
