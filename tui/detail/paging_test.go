package detail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// busiest is the workspace's busiest name: more events than a window holds
// once the pages are made small.
func busiest(t *testing.T, c common.Common) common.Target {
	page, window := pageSize, maxWindow
	pageSize, maxWindow = 200, 600
	t.Cleanup(func() { pageSize, maxWindow = page, window })
	name, top := topTarget(t, c)
	if top.Count <= int64(maxWindow) {
		t.Fatalf("want a name with more than %d events: %+v", maxWindow, top)
	}
	return name
}

func (v *Events) cursorKey(t *testing.T) db.EventKey {
	t.Helper()
	i, ok := v.tbl.current()
	if !ok {
		t.Fatal("no row under the cursor")
	}
	return v.keys[i]
}

// G reaches the oldest event, not the last one loaded; paging down from
// the top visits every event in order to it; g is the newest again.
func TestEventsReachEveryEvent(t *testing.T) {
	c, _ := workspace(t)
	name := busiest(t, c)
	ctx := context.Background()
	oldest, err := c.DB.PageNewer(ctx, name.Subject, nil, db.EventFilter{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	v := tuitest.Open(NewEvents, c, name, 80, 24).(*Events)
	total := name.Name.Count
	tuitest.Press(v, "G")
	if got := v.cursorKey(t); got != oldest.Keys[0] || v.position() != total {
		t.Fatalf("G: the cursor is on %+v, event %d; want the oldest %+v, event %d", got, v.position(), oldest.Keys[0], total)
	}
	if want := fmt.Sprintf("row %s of %s", commas(total), commas(total)); !strings.Contains(screen(v), want) {
		t.Errorf("G: the title does not say %q:\n%s", want, screen(v))
	}
	tuitest.Press(v, "g")
	if v.position() != 1 || v.start != 0 {
		t.Fatalf("g: event %d, window at %d", v.position(), v.start)
	}
	prev, seen := v.cursorKey(t), int64(1)
	for seen < total {
		tuitest.Press(v, "j")
		k := v.cursorKey(t)
		if db.KeyAt(0) == k || !(k.Time < prev.Time || k.Time == prev.Time && (k.Block < prev.Block || k.Block == prev.Block && k.Index < prev.Index)) {
			t.Fatalf("event %d (%+v) is not older than the one before (%+v)", seen+1, k, prev)
		}
		if len(v.rows) > maxWindow {
			t.Fatalf("the window holds %d rows", len(v.rows))
		}
		prev, seen = k, seen+1
		if v.position() != seen {
			t.Fatalf("after %d steps the cursor says it is on event %d", seen, v.position())
		}
	}
	if prev != oldest.Keys[0] {
		t.Errorf("stepping down ended on %+v, not the oldest", prev)
	}
	// And back up past the window's top edge.
	for range 3 * pageSize {
		tuitest.Press(v, "k")
	}
	if v.position() != total-int64(3*pageSize) {
		t.Errorf("%d up from the last: event %d, want %d", 3*pageSize, v.position(), total-int64(3*pageSize))
	}
}

func commas(n int64) string { return words.Int(n) }

// @ jumps to the events at and before a time; f keeps a client's events,
// paged and counted; esc clears the field filter, then goes back.
func TestEventsJumpAndFilter(t *testing.T) {
	c, _ := workspace(t)
	name := busiest(t, c)
	ctx := context.Background()
	all, err := c.DB.PageOlder(ctx, name.Subject, nil, db.EventFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	mid := all.Keys[len(all.Keys)*2/3]
	when := time.UnixMicro(mid.Time).UTC()
	v := tuitest.Open(NewEvents, c, name, 120, 40).(*Events)
	tuitest.Press(v, "@")
	if !v.Capturing() {
		t.Fatal("@ did not open the prompt")
	}
	tuitest.Press(v, strings.Split(when.Format("2006-01-02 15:04:05"), "")...)
	tuitest.Press(v, "enter")
	first := 0
	for first < len(all.Keys) && all.Keys[first].Time > when.Truncate(time.Second).Add(time.Second-time.Microsecond).UnixMicro() {
		first++
	}
	if got := v.cursorKey(t); got != all.Keys[first] || v.position() != int64(first+1) {
		t.Errorf("jump to %s: on %+v (event %d), want %+v (event %d)", when, got, v.position(), all.Keys[first], first+1)
	}
	tuitest.Press(v, "@")
	tuitest.Press(v, strings.Split("yesterday", "")...)
	if out := tuitest.Press(v, "enter"); len(out) != 1 || !strings.Contains(fmt.Sprint(out[0]), "a time like") {
		t.Errorf("a time it cannot read: %#v", out)
	}
	if !v.Capturing() {
		t.Error("a time it cannot read closed its prompt: it stays open to mend")
	}
	tuitest.Press(v, "esc")

	client := all.Rows[len(all.Rows)/2].Client
	var want int64
	for _, r := range all.Rows {
		if r.Client == client {
			want++
		}
	}
	tuitest.Press(v, "f")
	tuitest.Press(v, strings.Split("client="+client, "")...)
	tuitest.Press(v, "enter")
	if v.matching != want {
		t.Fatalf("client=%s: %d matching, want %d", client, v.matching, want)
	}
	tuitest.Press(v, "G")
	if v.position() != want {
		t.Errorf("G under the filter: event %d of %d", v.position(), want)
	}
	for _, r := range v.rows {
		if r.client != client {
			t.Fatalf("a row of client %s under client=%s", r.client, client)
		}
	}
	if s := screen(v); !strings.Contains(s, "only client="+client) || !strings.Contains(s, "row "+commas(want)+" of "+commas(want)+" matching") {
		t.Errorf("the filter is not said:\n%s", s)
	}
	only[common.HandledMsg](t, tuitest.Press(v, "esc"))
	if v.filter.Active() || v.matching != name.Name.Count || v.position() != 1 {
		t.Errorf("esc: filter %+v, %d matching, at %d", v.filter, v.matching, v.position())
	}
	if out := tuitest.Press(v, "esc"); len(out) != 0 {
		t.Errorf("esc without a filter should go to the app, got %#v", out)
	}
	tuitest.Press(v, "f")
	tuitest.Press(v, strings.Split("type=NOPE", "")...)
	if out := tuitest.Press(v, "enter"); len(out) != 1 || !strings.Contains(fmt.Sprint(out[0]), "not a DNS type") {
		t.Errorf("a type it does not know: %#v", out)
	}
}

// A / filter that matches no loaded row leaves the cursor near both edges
// of the window: an answer does not start another read by itself (it
// would page back and forth for ever).
func TestEventsDoNotPageByThemselves(t *testing.T) {
	c, _ := workspace(t)
	name := busiest(t, c)
	v := tuitest.Open(NewEvents, c, name, 80, 24).(*Events)
	// Each key's commands run, and those of the answers, up to a bound.
	settle := func(cmd tea.Cmd) (reads int) {
		queue := []tea.Cmd{cmd}
		for len(queue) > 0 && reads <= 5 {
			c := queue[0]
			queue = queue[1:]
			if c == nil {
				continue
			}
			switch msg := c().(type) {
			case tea.BatchMsg:
				queue = append(queue, msg...)
			case eventsMsg:
				reads++
				_, next := v.Update(msg)
				queue = append(queue, next)
			}
		}
		return reads
	}
	reads := 0
	for _, k := range append(append([]string{"/"}, strings.Split("no such text", "")...), "enter", "j", "k") {
		_, cmd := v.Update(tuitest.Key(k))
		reads = max(reads, settle(cmd))
	}
	if reads > 1 {
		t.Errorf("one key read %d pages, one after the other", reads)
	}
	if len(v.tbl.shown) != 0 {
		t.Errorf("the filter matches %d rows", len(v.tbl.shown))
	}
}

// The workspace grows while a name's requests are open (a follow): at the
// newest edge the new requests come in above, the cursor staying on its
// row; further down only the counts move, and the place says so.
func TestEventsTakeWhatArrives(t *testing.T) {
	path, c := tuitest.Growing(t)
	name, top := topTarget(t, c)
	v := tuitest.Open(NewEvents, c, name, 80, 24).(*Events)
	tuitest.Press(v, "j", "j")
	on, total := v.cursorKey(t), v.total
	later := time.UnixMicro(top.Last).Add(time.Hour)
	tuitest.Grow(t, path, 3, later, top.Name)
	_, cmd := v.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(v, cmd)
	if v.total != total+3 || v.cursorKey(t) != on || v.position() != 6 || v.rows[0].raw.Time != later.Add(2*time.Microsecond).UnixMicro() {
		t.Errorf("at the newest edge: %d events (was %d), cursor moved %v, at row %d; first row %v",
			v.total, total, v.cursorKey(t) != on, v.position(), v.rows[0].raw.Time)
	}
	// Small pages: G leaves the newest events out of the window.
	page, window := pageSize, maxWindow
	pageSize, maxWindow = 10, 30
	defer func() { pageSize, maxWindow = page, window }()
	v = tuitest.Open(NewEvents, c, name, 80, 24).(*Events)
	tuitest.Press(v, "G")
	if v.atNewest() {
		t.Fatalf("%d events fit the window: nothing to page", v.total)
	}
	on, pos, held := v.cursorKey(t), v.position(), len(v.rows)
	tuitest.Grow(t, path, 2, later.Add(time.Hour), top.Name)
	_, cmd = v.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(v, cmd)
	if v.total != total+5 || v.cursorKey(t) != on || v.position() != pos+2 || len(v.rows) != held {
		t.Errorf("below the newest edge: %d events (want %d), cursor moved %v, at row %d (was %d), %d rows held (was %d)",
			v.total, total+5, v.cursorKey(t) != on, v.position(), pos, len(v.rows), held)
	}
}

// The clients of a name read again when the workspace grows: a new client
// appears with its count, the cursor stays on its client.
func TestClientsTakeWhatArrives(t *testing.T) {
	path, c := tuitest.Growing(t)
	name, top := topTarget(t, c)
	v := tuitest.Open(NewClients, c, name, 80, 24).(*Counts)
	tuitest.Press(v, "j")
	i, _ := v.tbl.current()
	on, before := v.rows[i].id, len(v.loaded)
	tuitest.Grow(t, path, 4, time.UnixMicro(top.Last).Add(time.Hour), top.Name) // from 10.0.9.8
	_, cmd := v.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(v, cmd)
	i, _ = v.tbl.current()
	if v.rows[i].id != on || !strings.Contains(screen(v), "10.0.9.8") || len(v.loaded) < before {
		t.Errorf("after the workspace grew: cursor on %d (was %d), %d clients (were %d):\n%s", v.rows[i].id, on, len(v.loaded), before, screen(v))
	}
}

// topTarget is the workspace's busiest name, as a target and as a row.
func topTarget(t *testing.T, c common.Common) (common.Target, db.NameRow) {
	t.Helper()
	top, err := c.DB.TopNames(context.Background(), engsubject.DNSName, 1, 0)
	if err != nil || len(top) == 0 {
		t.Fatal(top, err)
	}
	return common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: top[0].ID}, Label: top[0].Name, Name: &top[0]}, top[0]
}

// A window with nothing in it (a filter nothing passed yet) takes what
// arrives too, and a change that comes while a page is read is read after
// it.
func TestEmptyEventsTakeWhatArrives(t *testing.T) {
	path, c := tuitest.Growing(t)
	name, top := topTarget(t, c)
	v := tuitest.Open(NewEvents, c, name, 80, 24).(*Events)
	keys := append([]string{"f"}, strings.Split("client=10.0.9.8", "")...)
	tuitest.Press(v, append(keys, "enter")...)
	if v.matching != 0 {
		t.Fatalf("%d events from 10.0.9.8 before any came", v.matching)
	}
	tuitest.Grow(t, path, 3, time.UnixMicro(top.Last).Add(time.Hour), top.Name) // from 10.0.9.8
	v.loading = true                                                            // a page being read
	_, cmd := v.Update(common.WorkspaceChangedMsg{})
	v.loading = false
	if cmd != nil {
		t.Fatal("read again while a page was being read")
	}
	_, cmd = v.Update(eventsMsg{seq: v.seq, req: pageReq{from: &db.EventKey{}}})
	tuitest.Settle(v, cmd)
	if v.matching != 3 || len(v.rows) != 3 {
		t.Errorf("after 3 events from 10.0.9.8 arrived: %d matching, %d rows", v.matching, len(v.rows))
	}
}

// @ with a time before the first event lands on the oldest, and says so:
// it emptied the window ("none: no requests here", "row 0 of 4,509
// matching" under a filter), and k did not leave it. A time after the last
// lands on the newest, and says so; one between them says nothing.
func TestAJumpOutsideTheEventsLandsOnAnEnd(t *testing.T) {
	c, _ := workspace(t)
	name := busiest(t, c)
	ctx := context.Background()
	all, err := c.DB.PageOlder(ctx, name.Subject, nil, db.EventFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	jump := func(v *Events, when string) string {
		tuitest.Press(v, "@")
		tuitest.Press(v, strings.Split(when, "")...)
		out := tuitest.Press(v, "enter")
		if len(out) == 0 {
			return ""
		}
		return only[common.StatusMsg](t, out).Text
	}
	v := tuitest.Open(NewEvents, c, name, 80, 24).(*Events)
	oldest, newest := all.Keys[len(all.Keys)-1], all.Keys[0]
	note := jump(v, "2020-01-01 00:00")
	if v.cursorKey(t) != oldest || v.position() != name.Name.Count || !strings.Contains(note, "2020-01-01 00:00 is before them all: on the oldest") {
		t.Errorf("a time before the first: on event %d of %d, note %q:\n%s", v.position(), name.Name.Count, note, screen(v))
	}
	tuitest.Press(v, "k")
	if v.position() != name.Name.Count-1 {
		t.Errorf("k from the oldest: event %d", v.position())
	}
	note = jump(v, "2099-01-01")
	if v.cursorKey(t) != newest || v.position() != 1 || !strings.Contains(note, "2099-01-01 is after them all: on the newest") {
		t.Errorf("a time after the last: on event %d, note %q", v.position(), note)
	}
	mid := time.UnixMicro(all.Keys[len(all.Keys)/2].Time).UTC().Format("2006-01-02 15:04:05")
	if note = jump(v, mid); note != "" {
		t.Errorf("a time among the events: note %q", note)
	}
	// Under a filter, the oldest that passes it.
	client := all.Rows[len(all.Rows)/2].Client
	tuitest.Press(v, "f")
	tuitest.Press(v, strings.Split("client="+client, "")...)
	tuitest.Press(v, "enter")
	note = jump(v, "2020-01-01 00:00")
	if v.position() != v.matching || v.rows[len(v.rows)-1].client != client || note == "" {
		t.Errorf("a time before the first under a filter: event %d of %d matching, note %q:\n%s", v.position(), v.matching, note, screen(v))
	}
}

// / counts what it matches among every event, in a command, and says
// so: it counted the rows loaded ("48 matching of 1,629 loaded"), a count
// that changed as the window moved (G: "30 matching of 1,000"). Until the
// count is in, and while the filter is typed, it says the rows loaded.
func TestSearchCountsEveryEvent(t *testing.T) {
	c, _ := workspace(t)
	name := busiest(t, c)
	all, err := c.DB.PageOlder(context.Background(), name.Subject, nil, db.EventFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	client := all.Rows[len(all.Rows)/2].Client
	var want int64
	for _, r := range all.Rows {
		if r.Client == client {
			want++
		}
	}
	v := tuitest.Open(NewEvents, c, name, 120, 40).(*Events)
	query := " " + client + " " // the client column alone
	tuitest.Press(v, append([]string{"/"}, strings.Split(query, "")...)...)
	if s := screen(v); !strings.Contains(s, fmt.Sprintf("/ matches %d in the %s rows loaded", len(v.tbl.shown), commas(int64(len(v.rows))))) {
		t.Errorf("while typed, the count does not say it is of the rows loaded:\n%s", s)
	}
	tuitest.Press(v, "enter")
	counted := fmt.Sprintf("/ matches %s of %s", commas(want), commas(name.Name.Count))
	if s := screen(v); !strings.Contains(s, counted) || int64(len(v.tbl.shown)) >= want {
		t.Fatalf("want %q (%d of them loaded):\n%s", counted, len(v.tbl.shown), s)
	}
	tuitest.Press(v, "G")
	if s := screen(v); !strings.Contains(s, counted) {
		t.Errorf("G changed the count:\n%s", s)
	}
	// Under an f filter, of those it keeps.
	tuitest.Press(v, "f")
	tuitest.Press(v, strings.Split("client="+client, "")...)
	tuitest.Press(v, "enter")
	if s, of := screen(v), fmt.Sprintf("/ matches %s of %s matching, %s in all", commas(want), commas(want), commas(name.Name.Count)); !strings.Contains(s, of) {
		t.Errorf("under f client=%s, want %q:\n%s", client, of, s)
	}
}

// The count of / follows the workspace as it grows (a follow).
func TestSearchCountTakesWhatArrives(t *testing.T) {
	path, c := tuitest.Growing(t)
	name, top := topTarget(t, c)
	v := tuitest.Open(NewEvents, c, name, 80, 24).(*Events)
	tuitest.Press(v, append(append([]string{"/"}, strings.Split("10.0.9.8", "")...), "enter")...)
	before := v.search.n
	tuitest.Grow(t, path, 3, time.UnixMicro(top.Last).Add(time.Hour), top.Name) // from 10.0.9.8
	_, cmd := v.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(v, cmd)
	if !v.search.done || v.search.n != before+3 {
		t.Errorf("after 3 events from 10.0.9.8 came: counted %v, %d (was %d)", v.search.done, v.search.n, before)
	}
}

// A count that fails is forgotten and said, not "counting all…" for ever;
// closing the screen stops one under way (the review found both).
func TestASearchCountEndsWithItsScreen(t *testing.T) {
	c, _ := workspace(t)
	v := tuitest.Open(NewEvents, c, busiest(t, c), 80, 24).(*Events)
	stopped := false
	v.search = searchCount{seq: 7, query: "x", cancel: func() { stopped = true }}
	v.Close()
	if !stopped || v.search.query != "" {
		t.Errorf("Close: count stopped %v, left %+v", stopped, v.search)
	}
	v.tbl.query = "x"
	v.search = searchCount{seq: 8, query: "x"}
	if err := v.takeCount(searchCountMsg{seq: 8, err: errors.New("disk gone")}); err == nil || strings.Contains(v.searchStatus(), "counting") {
		t.Errorf("a failed count: %v, status %q", err, v.searchStatus())
	}
	var _ common.Closer = v
}
