package tally

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/categories"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

var ctx = context.Background()

// workspace is a Zeek DNS log whose names answer in three ASes, asked by
// a few clients each, with two category lists: example.com is ads,
// example.org ads and gambling.
func workspace(t *testing.T) *db.DB {
	t.Helper()
	var b strings.Builder
	for i, q := range []struct {
		name    string
		n       int
		answers []string
		clients int // asked by 10.0.0.1 up to this many
	}{
		{"www.example.com", 30, []string{"192.0.2.10"}, 3}, {"img.cdn.example.net", 24, []string{"198.51.100.1"}, 4},
		{"js.cdn.example.net", 20, []string{"198.51.100.3"}, 1}, {"mail.example.com", 12, []string{"192.0.2.11"}, 1},
		{"mixed.example.org", 10, []string{"192.0.2.20", "203.0.113.5"}, 2}, {"plain.example.net", 5, []string{"203.0.113.9"}, 1},
		{"nowhere.test", 3, []string{"100.64.0.1"}, 1},
	} {
		for j := range q.n {
			fmt.Fprintf(&b, `{"_path": "dns", "ts": %d, "uid": "C1", "id.orig_h": "10.0.0.%d", "query": %q, "qtype_name": "A", "rcode_name": "NOERROR", "answers": [%q]}`+"\n",
				1710892800+3600*i+j, 1+j%q.clients, q.name, q.answers[j%len(q.answers)])
		}
	}
	d := testws.Text(t, b.String())
	testws.ImportNetworks(t, d, map[string]string{
		"routes.dat":   "; IP-ASN32-DAT file\n192.0.2.0/24\t64500\n198.51.100.0/24\t64501\n203.0.113.0/24\t64502\n",
		"asnames.json": `{"64500": "EXAMPLENET - Example Networks, DE", "64501": "BIGCDN - Big CDN, US", "64502": "DROPLETS - Hosting, NL"}`,
	})
	ImportCategories(t, d, map[string]string{"ads": "example.com\nexample.org\n", "gambling": "example.org\n"})
	return d
}

// ImportCategories imports each text as the list of its category.
func ImportCategories(t testing.TB, d *db.DB, lists map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for cat, text := range lists {
		p := filepath.Join(dir, cat+".txt")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := categories.Import(ctx, d, p, categories.Options{Categories: []string{cat}, Origin: cat, Now: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
}

// shownBy is what the list would show under q.
func shownBy(t *testing.T, d *db.DB, q review.Query) *common.Shown {
	t.Helper()
	l, err := review.LoadAll(ctx, d, db.Stats{}, subject.Must(subject.DNSName))
	if err != nil {
		t.Fatal(err)
	}
	return &common.Shown{Loaded: l, Result: review.Compute(l.Data, l.Verdicts, l.Scores, l.Annotations, q)}
}

func open(t *testing.T, d *db.DB, q review.Query, w, h int) *Model {
	t.Helper()
	label := "names"
	if q.Domains {
		label = "domains"
	}
	return tuitest.Open(New, common.New(ctx, d), common.Target{Label: label, Shown: shownBy(t, d, q)}, w, h).(*Model)
}

// tallied is the rows as "key values events clients".
func tallied(m *Model) []string {
	var out []string
	for _, r := range m.rows {
		out = append(out, fmt.Sprintf("%s %d %d %d", r.key, r.values, r.events, r.clients))
	}
	return out
}

// By category, then by each network, at 80×24 (the owners' busiest names
// give way first) and 120×40.
func TestGoldens(t *testing.T) {
	d := workspace(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := open(t, d, review.Query{Sort: review.SortCount}, size[0], size[1])
		for _, g := range []string{"category", "asn", "owner"} {
			tuitest.CheckSize(t, m, size[0], size[1])
			golden.Assert(t, fmt.Sprintf("%s_%dx%d", g, size[0], size[1]), m.View())
			tuitest.Press(m, "v")
		}
	}
}

// v cycles the groupings the workspace has data for, and each tally is
// the engine's: by category what top --by category counts, by network
// what top --by asn|owner|country counts.
func TestCycleIsTheEngines(t *testing.T) {
	d := workspace(t)
	q := review.Query{Sort: review.SortCount}
	m := open(t, d, q, 120, 40)
	cats, err := review.RunByCategory(ctx, d, q)
	if err != nil {
		t.Fatal(err)
	}
	l, err := review.LoadAll(ctx, d, db.Stats{}, subject.Must(subject.DNSName))
	if err != nil {
		t.Fatal(err)
	}
	clients, err := review.CategoryClients(ctx, d, l.Data, l.Annotations.Categories, review.Compute(l.Data, l.Verdicts, l.Scores, l.Annotations, q))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range cats {
		want = append(want, fmt.Sprintf("%s %d %d %d", c.Category, c.Rows, c.Events, clients[c.Category]))
	}
	if got := tallied(m); !reflect.DeepEqual(got, want) || m.Title() != "tally by category" {
		t.Errorf("%s: %v, want %v", m.Title(), got, want)
	}
	for _, key := range []review.NetKey{review.ByASN, review.ByOwner, review.ByCountry} {
		tuitest.Press(m, "v")
		nets, err := review.ByNetwork(ctx, d, l, key)
		if err != nil {
			t.Fatal(err)
		}
		want = want[:0]
		for _, n := range nets {
			want = append(want, fmt.Sprintf("%s %d %d %d", n.Key, n.Values, n.Events, n.Clients))
		}
		if got := tallied(m); !reflect.DeepEqual(got, want) || m.Title() != "tally by "+key.String() {
			t.Errorf("%s: %v, want %v", m.Title(), got, want)
		}
	}
	tuitest.Press(m, "v")
	if m.Title() != "tally by category" {
		t.Errorf("v after country: %s", m.Title())
	}
}

// The list's filters apply: with AS64501 hidden there is no CDN row.
func TestFiltersApply(t *testing.T) {
	d := workspace(t)
	m := open(t, d, review.Query{Sort: review.SortCount, HideASN: []uint32{64501}}, 120, 40)
	tuitest.Press(m, "v")
	if got, want := tallied(m), []string{"AS64500 3 52 3", "AS64502 2 15 2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AS64501 hidden: %v, want %v", got, want)
	}
	if h := m.heading(120); !strings.HasPrefix(h, "tally of the 5 names shown (60 events)") {
		t.Errorf("heading %q", h)
	}
	// Narrow, the heading goes without "tally of the", then a cut is
	// marked: at 80 columns it read "sorted by even".
	full := m.heading(120)
	short := strings.TrimPrefix(full, "tally of the ")
	if h := m.heading(ansi.StringWidth(short)); h != short {
		t.Errorf("heading in %d columns %q, want %q", ansi.StringWidth(short), h, short)
	}
	if h := m.heading(30); ansi.StringWidth(h) != 30 || !strings.HasSuffix(h, "…") {
		t.Errorf("heading in 30 columns %q", h)
	}
}

// o cycles the orders; the uncategorised rows stay last.
func TestSort(t *testing.T) {
	m := open(t, workspace(t), review.Query{Sort: review.SortCount}, 120, 40)
	keys := func() string {
		var out []string
		for _, r := range m.rows {
			out = append(out, r.key)
		}
		return strings.Join(out, " ")
	}
	if keys() != "ads gambling (none)" {
		t.Errorf("by events: %s", keys())
	}
	for _, want := range []struct{ sort, keys string }{{"values", "ads gambling (none)"}, {"clients", "ads gambling (none)"},
		{"name", "ads gambling (none)"}, {"events", "ads gambling (none)"}} {
		if msgs := tuitest.Press(m, "o"); len(msgs) != 1 || msgs[0] != (common.StatusMsg{Text: "sorted by " + want.sort}) || keys() != want.keys {
			t.Errorf("o: %v, %s; want sorted by %s, %s", msgs, keys(), want.sort, want.keys)
		}
	}
	tuitest.Press(m, "v", "v") // by owner
	for _, want := range []struct{ sort, keys string }{{"values", "EXAMPLENET BIGCDN DROPLETS"}, {"clients", "BIGCDN EXAMPLENET DROPLETS"},
		{"name", "BIGCDN DROPLETS EXAMPLENET"}} {
		tuitest.Press(m, "o")
		if sortNames[m.sort] != want.sort || keys() != want.keys || m.cursor != 0 {
			t.Errorf("o: by %s %s; want by %s %s", sortNames[m.sort], keys(), want.sort, want.keys)
		}
	}
}

// enter asks the list for only the row's category or network, and closes
// the tally; on the uncategorised rows it says why it cannot.
func TestEnterPivots(t *testing.T) {
	m := open(t, workspace(t), review.Query{Sort: review.SortCount}, 120, 40)
	pivot := func() []tea.Msg { return tuitest.Press(m, "enter") }
	if got := pivot(); !reflect.DeepEqual(got, []tea.Msg{common.ListPivotMsg{Category: "ads", Label: "ads"}, common.PopMsg{}}) {
		t.Errorf("enter on ads: %v", got)
	}
	tuitest.Press(m, "G")
	if got := pivot(); len(got) != 1 || !strings.Contains(fmt.Sprint(got[0]), "uncategorised") {
		t.Errorf("enter on (none): %v", got)
	}
	tuitest.Press(m, "v", "v", "v", "g") // by country
	if got := pivot(); !reflect.DeepEqual(got, []tea.Msg{common.ListPivotMsg{ASNs: []uint32{64500}, Label: "DE"}, common.PopMsg{}}) {
		t.Errorf("enter on DE: %v", got)
	}
}

// Without categories or networks the screen says what to import; names
// from the data are sanitised.
func TestNothingToTallyAndSanitised(t *testing.T) {
	d := testws.Text(t, "03/20/2024 00:00:00,www.example.com,A,300,192.0.2.1\n")
	m := open(t, d, review.Query{Sort: review.SortCount}, 80, 24)
	if flat := strings.Join(strings.Fields(ansi.Strip(m.View())), " "); !strings.Contains(flat, "nothing to tally by: import categories (longtail import-list) or an AS table (longtail import-asn)") {
		t.Errorf("no data:\n%s", ansi.Strip(m.View()))
	}
	m.groups, m.loaded = []grouping{byOwner}, true
	m.rows = []row{{key: "EVIL\x1b[2J", about: "x\x07y", values: 1, events: 1}}
	if v := m.View(); strings.ContainsAny(ansi.Strip(v), "\x1b\x07") {
		t.Errorf("control characters reach the screen: %q", v)
	}
}

// The help is the keymap's, worded whole for this view, and the line under
// the table names the same keys; the README's keys table has the key that
// opens the view.
func TestHelp(t *testing.T) {
	m := open(t, workspace(t), review.Query{Sort: review.SortCount}, 80, 24)
	help := ansi.Strip(strings.Join(common.RenderHelp(m.c.Styles, m.KeyHelp(), 80), "\n"))
	for _, want := range []string{"v      by category/asn/owner/country", "o      sort: events/values/clients/az", "enter  list only this one (pivot)"} {
		if !strings.Contains(help, want) {
			t.Errorf("help has no %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "…") {
		t.Errorf("help cut short:\n%s", help)
	}
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "v by asn  o sort  enter list only this  esc back / cancel" {
		t.Errorf("keys line %q", last)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if k := m.c.Keys.List.Tally.Help().Key; !strings.Contains(string(readme), "\n| `"+k+"` | the tally of the rows the list shows") {
		t.Errorf("README's keys table has no row for %s", k)
	}
}

// An answer to a tally the analyst has moved on from (v pressed again)
// is dropped.
func TestStaleAnswersDropped(t *testing.T) {
	m := open(t, workspace(t), review.Query{Sort: review.SortCount}, 80, 24)
	before := tallied(m)
	m.Update(clientsMsg{seq: m.seq - 1, clients: map[string]int64{"ads": 99}})
	m.Update(talliedMsg{seq: m.seq - 1})
	if got := tallied(m); !reflect.DeepEqual(got, before) {
		t.Errorf("a stale answer was taken: %v, was %v", got, before)
	}
}

// While the list follows a growing workspace, the tally counts what it
// shows after each reload (the list's ShownMsg): same grouping, the
// cursor on the same row, the new events in.
func TestCountsAgainWhenTheListReloads(t *testing.T) {
	d := workspace(t)
	q := review.Query{Sort: review.SortCount}
	m := open(t, d, q, 120, 40)
	tuitest.Press(m, "v") // by ASN
	tuitest.Press(m, "j")
	key := m.rows[m.cursor].key
	before := m.events

	var more strings.Builder
	for j := range 40 {
		fmt.Fprintf(&more, `{"_path": "dns", "ts": %d, "uid": "C2", "id.orig_h": "10.0.0.9", "query": "plain.example.net", "qtype_name": "A", "rcode_name": "NOERROR", "answers": ["203.0.113.9"]}`+"\n",
			1710992800+j)
	}
	path := filepath.Join(t.TempDir(), "more.log")
	if err := os.WriteFile(path, []byte(more.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, d, []string{path}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(common.ShownMsg{Shown: shownBy(t, d, q)})
	tuitest.Settle(m, cmd)
	if m.Title() != "tally by asn" || m.rows[m.cursor].key != key || m.events != before+40 {
		t.Fatalf("after the reload: %s, cursor on %s (was %s), %d events (were %d)", m.Title(), m.rows[m.cursor].key, key, m.events, before)
	}
	i := slices.IndexFunc(m.rows, func(r row) bool { return r.key == "AS64502" })
	if i < 0 || !slices.Contains(m.rows[i].asns, 64502) {
		t.Fatalf("no AS64502 row: %v", tallied(m))
	}
	nets, err := review.ByNetworkShown(ctx, d, shownBy(t, d, q).Loaded, shownBy(t, d, q).Result, review.ByASN)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nets {
		if n.Key == "AS64502" && n.Events != m.rows[i].events {
			t.Errorf("AS64502: %d events on the tally, the engine counts %d", m.rows[i].events, n.Events)
		}
	}
}
