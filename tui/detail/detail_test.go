package detail

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

const smallWS = 60_000

func workspace(t testing.TB) (common.Common, gen.Truth) {
	d, truth := testws.Open(t, smallWS)
	return common.New(context.Background(), d), truth
}

func nameTarget(t testing.TB, c common.Common, name string) common.Target {
	t.Helper()
	return valueTarget(t, c, engsubject.DNSName, name)
}

// valueTarget is the target of a value of any subject (an HTTP host, a
// logon account).
func valueTarget(t testing.TB, c common.Common, sub engsubject.Code, value string) common.Target {
	t.Helper()
	row, err := c.DB.NameByText(context.Background(), sub, value)
	if err != nil {
		t.Fatal(err)
	}
	return common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: row.ID}, Label: row.Name, Name: &row}
}

func clientTarget(t testing.TB, c common.Common, name common.Target, addr string) common.Target {
	t.Helper()
	cs, err := c.DB.ClientsOf(context.Background(), name.Subject.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range cs {
		if cl.Text == addr {
			return common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: cl.ID}, Label: cl.Text}
		}
	}
	t.Fatalf("client %s not among the clients of %s", addr, name.Label)
	return common.Target{}
}

// screen is View() as the terminal shows it, the workspace's directory
// written as $WS so that goldens do not depend on TMPDIR.
func screen(v common.View) string { return scrub(v.View(), testws.Dir(smallWS), "$WS") }

// scrub strips colour, writes dir as name, and trims the line ends that the
// change of length moved (tuitest.CheckSize tests the widths).
func scrub(s, dir, name string) string {
	lines := strings.Split(strings.ReplaceAll(ansi.Strip(s), dir, name), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func only[T any](t *testing.T, msgs []tea.Msg) T {
	t.Helper()
	if len(msgs) != 1 {
		t.Fatalf("want one message to the app, got %#v", msgs)
	}
	m, ok := msgs[0].(T)
	if !ok {
		t.Fatalf("want a %T, got %#v", m, msgs[0])
	}
	return m
}

// opening is a screen opened on a target, named for the test.
type opening struct {
	name   string
	open   common.Opener
	target common.Target
}

func TestGoldens(t *testing.T) {
	c, truth := workspace(t)
	beacon := nameTarget(t, c, truth.BeaconName)
	client := clientTarget(t, c, beacon, truth.BeaconClient)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		for _, s := range []opening{
			{"events", NewEvents, beacon},
			{"clients", NewClients, beacon},
			{"pivot", NewPivot, client},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", s.name, w, h), func(t *testing.T) {
				v := tuitest.Open(s.open, c, s.target, w, h)
				tuitest.CheckSize(t, v, w, h)
				golden.Assert(t, fmt.Sprintf("%s_%dx%d", s.name, w, h), screen(v))
			})
		}
	}
}

func TestEventsNewestFirstWithCounts(t *testing.T) {
	c, truth := workspace(t)
	beacon := nameTarget(t, c, truth.BeaconName)
	v := tuitest.Open(NewEvents, c, beacon, 80, 24).(*Events)
	if v.total != beacon.Name.Count || int64(len(v.rows)) != min(beacon.Name.Count, int64(pageSize)) {
		t.Fatalf("loaded %d of %d, the name has %d", len(v.rows), v.total, beacon.Name.Count)
	}
	for i := 1; i < len(v.rows); i++ {
		if v.rows[i].time > v.rows[i-1].time { // "Mar 04 08:43:39": ordered within the month
			t.Fatalf("row %d (%s) is newer than row %d (%s)", i, v.rows[i].time, i-1, v.rows[i-1].time)
		}
	}
	want := fmt.Sprintf("row 1 of %d newest first", v.total) // commas taken out below
	if got := strings.ReplaceAll(screen(v), ",", ""); !strings.Contains(got, want) {
		t.Errorf("title does not say %q:\n%s", want, got)
	}
}

// TestNavigationKeys presses every movement key on a list longer than the
// screen and checks where the cursor lands.
func TestNavigationKeys(t *testing.T) {
	c, truth := workspace(t)
	v := tuitest.Open(NewEvents, c, nameTarget(t, c, truth.BeaconName), 80, 24).(*Events)
	page := v.tbl.height
	if n := len(v.tbl.shown); n < 3*page {
		t.Fatalf("want a list of several screens, got %d rows of %d", n, page)
	}
	for _, s := range []struct {
		key  string
		want int
	}{
		{"j", 1}, {"down", 2}, {"k", 1}, {"up", 0}, {"up", 0},
		{"pgdown", page}, {"ctrl+f", 2 * page}, {"pgup", page}, {"ctrl+b", 0},
		{"ctrl+d", page / 2}, {"ctrl+u", 0},
		{"G", -1}, {"g", 0}, {"end", -1}, {"home", 0},
	} {
		if s.want < 0 {
			s.want = len(v.tbl.shown) - 1 // the last row loaded; going there loads more
		}
		tuitest.Press(v, s.key)
		if v.tbl.cursor != s.want {
			t.Errorf("after %q the cursor is on %d, want %d", s.key, v.tbl.cursor, s.want)
		}
		if v.tbl.cursor < v.tbl.top || v.tbl.cursor >= v.tbl.top+page {
			t.Errorf("after %q the cursor (%d) is off screen (top %d)", s.key, v.tbl.cursor, v.tbl.top)
		}
	}
	// The cursor row is the one drawn in reverse video.
	tuitest.Press(v, "j", "j")
	lines := strings.Split(v.View(), "\n")
	if !strings.Contains(lines[2+2], "\x1b[7m") || strings.Contains(lines[2+1], "\x1b[7m") {
		t.Errorf("the third row should be reversed and only it:\n%q\n%q", lines[3], lines[4])
	}
}

// midName is a name with all its requests on the first page and several
// clients, so that a filter has something to choose from.
func midName(t *testing.T, c common.Common) common.Target {
	top, err := c.DB.TopNames(context.Background(), engsubject.DNSName, 200, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range top {
		if r.Count < int64(pageSize/2) && r.Count > 50 && r.Clients > 5 {
			return common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: r.ID}, Label: r.Name, Name: &r}
		}
	}
	t.Fatal("no name of a few hundred requests from several clients")
	return common.Target{}
}

func TestFilter(t *testing.T) {
	c, _ := workspace(t)
	v := tuitest.Open(NewEvents, c, midName(t, c), 80, 24).(*Events)
	all := len(v.tbl.shown)
	client := v.rows[len(v.rows)/2].client
	tuitest.Press(v, "/")
	if !v.Capturing() {
		t.Fatal("/ did not open the filter input")
	}
	// Every key goes to the input while it is open, q and esc included.
	tuitest.Press(v, strings.Split(client, "")...)
	if got := len(v.tbl.shown); got == 0 || got > all {
		t.Fatalf("filtering on a client shows %d of %d", got, all)
	}
	for _, i := range v.tbl.shown {
		if !strings.Contains(v.tbl.hay[i], client) {
			t.Fatalf("row %d does not match: %+v", i, v.rows[i])
		}
	}
	matched := len(v.tbl.shown)
	tuitest.Press(v, "enter")
	if v.Capturing() {
		t.Fatal("enter did not close the input")
	}
	if !strings.Contains(screen(v), "filter /"+client) {
		t.Errorf("the filter in force is not shown:\n%s", screen(v))
	}
	// Reopened, the filter is selected: what is typed replaces it.
	tuitest.Press(v, "/", "x")
	if v.tbl.input.Value() != "x" {
		t.Errorf("typing over the reopened filter gave %q", v.tbl.input.Value())
	}
	tuitest.Press(v, "esc")
	// Editing: backspace, ctrl+u; esc while typing restores the filter before.
	tuitest.Press(v, "/", "backspace", "ctrl+u", "x", "y", "z", "q")
	if len(v.tbl.shown) != 0 || !strings.Contains(screen(v), "nothing matches") {
		t.Errorf("filter xyzq should match nothing, shows %d", len(v.tbl.shown))
	}
	tuitest.Press(v, "esc")
	if v.Capturing() || len(v.tbl.shown) != matched {
		t.Errorf("esc in the input: capturing %v, %d shown, want the earlier %d", v.Capturing(), len(v.tbl.shown), matched)
	}
	// A regex.
	tuitest.Press(v, "/", "ctrl+u")
	tuitest.Press(v, strings.Split("re:^[a-z]{3} [0-9]{2} ", "")...)
	tuitest.Press(v, "enter")
	if len(v.tbl.shown) != all {
		t.Errorf("a regex every row matches shows %d of %d", len(v.tbl.shown), all)
	}
	tuitest.Press(v, "/", "ctrl+u", "~", "(")
	if v.tbl.queryErr == nil || !strings.Contains(screen(v), "not a valid regex") {
		t.Errorf("a broken regex is not reported")
	}
	tuitest.Press(v, "esc")
	// esc outside the input clears the filter and tells the app it was used.
	out := tuitest.Press(v, "esc")
	only[common.HandledMsg](t, out)
	if v.tbl.filtered() || len(v.tbl.shown) != all {
		t.Errorf("esc did not clear the filter: %d shown", len(v.tbl.shown))
	}
	// With no filter esc is left to the app (back).
	if out := tuitest.Press(v, "esc"); len(out) != 0 {
		t.Errorf("esc without a filter should go to the app, got %#v", out)
	}
}

func TestEventsKeysOpenScreens(t *testing.T) {
	c, truth := workspace(t)
	beacon := nameTarget(t, c, truth.BeaconName)
	v := tuitest.Open(NewEvents, c, beacon, 80, 24).(*Events)
	for key, screen := range map[string]common.Screen{"c": common.ScreenClients, "t": common.ScreenTimeline, "w": common.ScreenHeatmap} {
		m := only[common.OpenMsg](t, tuitest.Press(v, key))
		if m.Screen != screen || m.Target.Subject != beacon.Subject {
			t.Errorf("%q opened %+v", key, m)
		}
	}
	// p pivots on the client of the row under the cursor.
	tuitest.Press(v, "/")
	tuitest.Press(v, strings.Split(truth.BeaconClient, "")...)
	tuitest.Press(v, "enter")
	m := only[common.OpenMsg](t, tuitest.Press(v, "p"))
	want := clientTarget(t, c, beacon, truth.BeaconClient)
	if m.Screen != common.ScreenPivot || m.Target.Subject != want.Subject || m.Target.Label != truth.BeaconClient {
		t.Errorf("p opened %+v, want the pivot on %+v", m, want)
	}
}

func TestClientsAndPivotKeys(t *testing.T) {
	c, truth := workspace(t)
	beacon := nameTarget(t, c, truth.BeaconName)
	clients := tuitest.Open(NewClients, c, beacon, 80, 24).(*Counts)
	i := slicesIndex(clients.rows, func(r countCells) bool { return r.raw == truth.BeaconClient })
	if i < 0 {
		t.Fatalf("the beacon client is not among the clients: %+v", clients.rows)
	}
	tuitest.Press(clients, "g")
	for range i {
		tuitest.Press(clients, "j")
	}
	client := clientTarget(t, c, beacon, truth.BeaconClient)
	for key, screen := range map[string]common.Screen{"enter": common.ScreenPivot, "p": common.ScreenPivot, "t": common.ScreenTimeline, "w": common.ScreenHeatmap} {
		m := only[common.OpenMsg](t, tuitest.Press(clients, key))
		if m.Screen != screen || m.Target.Subject != client.Subject {
			t.Errorf("clients: %q opened %+v", key, m)
		}
	}
	pivot := tuitest.Open(NewPivot, c, client, 80, 24).(*Counts)
	j := slicesIndex(pivot.rows, func(r countCells) bool { return r.raw == truth.BeaconName })
	if j < 0 {
		t.Fatalf("the beacon client's names lack the beacon name")
	}
	var sum int64
	for _, r := range pivot.rows {
		sum += r.count
	}
	if total := pivot.totals[engsubject.DNSName]; sum != total {
		t.Errorf("total %d, rows sum to %d", total, sum)
	}
	tuitest.Press(pivot, "/")
	tuitest.Press(pivot, strings.Split(truth.BeaconName, "")...)
	tuitest.Press(pivot, "enter")
	// enter opens the name's requests by this client (see
	// TestPivotOpensTheClientsOwnRequests); the other keys, the name's.
	if ev, ok := only[common.PushMsg](t, tuitest.Press(pivot, "enter")).View.(*Events); !ok || ev.target.Subject != beacon.Subject || ev.clientID != client.Subject.ID {
		t.Errorf("pivot: enter opened %+v", ev)
	}
	for key, screen := range map[string]common.Screen{"c": common.ScreenClients, "t": common.ScreenTimeline, "w": common.ScreenHeatmap} {
		m := only[common.OpenMsg](t, tuitest.Press(pivot, key))
		if m.Screen != screen || m.Target.Subject != beacon.Subject || m.Target.Label != truth.BeaconName {
			t.Errorf("pivot: %q opened %+v", key, m)
		}
	}
}

func slicesIndex[T any](s []T, f func(T) bool) int {
	for i, v := range s {
		if f(v) {
			return i
		}
	}
	return -1
}

func TestStaleAnswersAreDropped(t *testing.T) {
	c, truth := workspace(t)
	v := NewEvents(c, nameTarget(t, c, truth.BeaconName)).(*Events)
	v.SetSize(80, 24)
	first := v.Init()
	second := v.Init() // the user asked again before the first answer
	v.Update(second())
	n := len(v.rows)
	v.rows = nil
	v.Update(first())
	if v.rows != nil {
		t.Errorf("an answer to an earlier request was taken (%d rows, then %d)", n, len(v.rows))
	}
}

func TestWrongSubjectIsExplained(t *testing.T) {
	c, _ := workspace(t)
	// Requests and clients are of a name or a group, the pivot of a client.
	client := common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: 1}, Label: "10.0.0.1"}
	domain := common.Target{Subject: db.Subject{Kind: db.SubjectDomain, ID: 1}, Label: "example.com"}
	for _, s := range []opening{{"events", NewEvents, client}, {"clients", NewClients, client}, {"pivot", NewPivot, domain}} {
		v := tuitest.Open(s.open, c, s.target, 80, 24)
		tuitest.CheckSize(t, v, 80, 24)
		if !strings.Contains(screen(v), "error") {
			t.Errorf("%s: no error shown:\n%s", v.Title(), screen(v))
		}
	}
}

func TestSmallAndResized(t *testing.T) {
	c, truth := workspace(t)
	beacon := nameTarget(t, c, truth.BeaconName)
	for _, open := range []common.Opener{NewEvents, NewClients} {
		v := tuitest.Open(open, c, beacon, 80, 24)
		for _, s := range [][2]int{{40, 8}, {200, 60}, {80, 24}, {20, 3}} {
			v.SetSize(s[0], s[1])
			tuitest.CheckSize(t, v, s[0], s[1])
		}
	}
}

// TestHostileTextIsShownEscaped ingests a log whose name, client and
// answers carry terminal escape sequences and a bidi override, and checks
// that every screen shows them escaped.
func TestHostileTextIsShownEscaped(t *testing.T) {
	dir := t.TempDir()
	const (
		name   = "evil\x1b[2J\u202egpj.exe.example.com"
		client = "10.9.9.9\x1b]52;c;aGk=\x07"
		answer = "1.2.3.4,\x1b[31mred\u202e"
	)
	log := "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n" +
		"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n" +
		"1709553600.000000\tCabc\t" + client + "\t5353\t10.0.0.1\t53\tudp\t1\t0.001\t" + name + "\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t" + answer + "\t60.0,60.0\tF\n"
	logPath := filepath.Join(dir, "hostile.log")
	write(t, logPath, log)
	c := ingested(t, dir, logPath)
	d := c.DB
	names, err := d.AllNames(context.Background(), engsubject.DNSName)
	if err != nil || len(names) != 1 {
		t.Fatalf("want the one crafted name, got %v %v", names, err)
	}
	target := common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: names[0].ID}, Label: names[0].Name}
	if !strings.Contains(target.Label, "\x1b") {
		t.Fatalf("the workspace lost the ESC of the name: %q", target.Label)
	}
	events := tuitest.Open(NewEvents, c, target, 120, 24)
	clients := tuitest.Open(NewClients, c, target, 120, 24)
	cl := clients.(*Counts).rows
	if len(cl) != 1 || !strings.Contains(cl[0].raw, "\x1b") {
		t.Fatalf("the workspace lost the ESC of the client: %+v", cl)
	}
	pivot := tuitest.Open(NewPivot, c, common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: cl[0].id}, Label: cl[0].raw}, 120, 24)
	for _, v := range []common.View{events, clients, pivot} {
		out := ansi.Strip(v.View()) + v.Title()
		if strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Errorf("%s: raw ESC, BEL or bidi override reached the screen:\n%q", v.Title(), out)
		}
		if !strings.Contains(out, `\x1b`) {
			t.Errorf("%s: the escape is not shown escaped:\n%s", v.Title(), out)
		}
	}
	for _, want := range []string{`evil\x1b[2j\u202egpj.exe.example.com`, `10.9.9.9\x1b]52;c;aGk=\x07`, `red\u202e`} {
		if all := ansi.Strip(events.View()); !strings.Contains(all, want) {
			t.Errorf("requests screen does not show %s:\n%s", want, all)
		}
	}
	golden.Assert(t, "hostile_events_120x24", scrub(events.View(), dir, "$DIR"))

	if title := strings.TrimRight(strings.Split(ansi.Strip(clients.View()), "\n")[0], " "); !strings.HasSuffix(title, "1 client, 1 request") {
		t.Errorf("one request is not said in the singular: %q", title)
	}
	// What leaves for another tool (CSV, the clipboard) is exact.
	header, rows := events.(common.Exporter).Rows()
	if len(rows) != 1 || len(rows[0]) != len(header) || rows[0][1] != client || rows[0][6] != target.Label || !strings.Contains(rows[0][5], "\x1b[31mred\u202e") {
		t.Errorf("the requests' CSV is not exact: %q %q", header, rows)
	}
	if v, ok := events.(common.Exporter).CursorValue(); !ok || !strings.Contains(v, "\x1b[31m") {
		t.Errorf("the value under the cursor: %q", v)
	}
	if _, rows := pivot.(common.Exporter).Rows(); len(rows) != 1 || rows[0][0] != target.Label || rows[0][1] != "dns.name" {
		t.Errorf("the pivot's CSV is not exact: %q", rows)
	}
}

// The list's keys these screens leave to it say where they work: a mark
// key on requests or clients (rows with no value to mark), R anywhere but
// the list. They did nothing, and read as broken.
func TestListKeysSayWhereTheyWork(t *testing.T) {
	c, truth := workspace(t)
	beacon := nameTarget(t, c, truth.BeaconName)
	events := tuitest.Open(NewEvents, c, beacon, 80, 24)
	clients := tuitest.Open(NewClients, c, beacon, 80, 24)
	pivot := tuitest.Open(NewPivot, c, clientTarget(t, c, beacon, truth.BeaconClient), 80, 24)
	for _, tc := range []struct {
		v    common.View
		key  string
		want string
	}{
		{events, "a", "a: marks are made on the list and the pivot"},
		{events, "s", "s: marks are made on the list and the pivot"},
		{events, "b", "b: marks are made on the list and the pivot"},
		{clients, "s", "s: marks are made on the list and the pivot"},
		{events, "R", "R: the rules open from the list"},
		{pivot, "R", "R: the rules open from the list"},
	} {
		m := only[common.StatusMsg](t, tuitest.Press(tc.v, tc.key))
		if !strings.HasPrefix(m.Text, tc.want) {
			t.Errorf("%s on %s: %q, want %q", tc.key, tc.v.Title(), m.Text, tc.want)
		}
	}
	// The pivot marks its own rows: s is a mark there, not a note.
	only[common.MarkMsg](t, tuitest.Press(pivot, "s"))
}
