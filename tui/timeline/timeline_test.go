package timeline

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

func TestGoldens(t *testing.T) { tuitest.Goldens(t, New) }

// TestTheWholeSpanFitsAtFirst: the bucket chosen for the span shows every
// event of the workspace at once.
func TestTheWholeSpanFitsAtFirst(t *testing.T) {
	c, ts := tuitest.Targets(t)
	st, err := c.DB.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v := tuitest.Open(New, c, ts["all"], 80, 24).(*Model)
	var total int64
	for _, p := range v.shown.points {
		total += p.N
	}
	if total != st.Events {
		t.Errorf("the first view shows %d of %d events at %v", total, st.Events, v.bucket())
	}
	if v.level > 0 && fits(v, v.level-1, st.First, st.Last) {
		t.Errorf("bucket %v is coarser than needed", v.bucket())
	}
}

// fits reports whether the buckets of level that first to last touch fit
// in v's window.
func fits(v *Model, level int, first, last int64) bool {
	step := buckets[level].Microseconds()
	return floorTo(last, step)-floorTo(first, step)+step <= step*int64(v.cols())
}

func TestZoomAndPanKeys(t *testing.T) {
	c, ts := tuitest.Targets(t)
	v := tuitest.Open(New, c, ts["all"], 80, 24).(*Model)
	tuitest.Press(v, "+") // the widest window is pinned to the start; this one is not
	start := v.level
	centre := v.centre()
	tuitest.Press(v, "+")
	if v.level != start-1 || abs(v.centre()-centre) > v.bucket().Microseconds() {
		t.Errorf("+: level %d (from %d), centre moved by %v", v.level, start, time.Duration(v.centre()-centre)*time.Microsecond)
	}
	if v.shown.bucket != v.bucket() {
		t.Errorf("+ did not reload: showing %v buckets, want %v", v.shown.bucket, v.bucket())
	}
	tuitest.Press(v, "-")
	if v.level != start {
		t.Errorf("-: level %d, want %d", v.level, start)
	}
	for range len(buckets) {
		tuitest.Press(v, "=") // the unshifted + works too
	}
	if v.level != 0 {
		t.Errorf("zoomed all the way in: level %d", v.level)
	}
	if out := tuitest.Press(v, "+"); len(out) != 1 {
		t.Errorf("zooming past the finest bucket should say so, got %#v", out)
	} else if s, ok := out[0].(common.StatusMsg); !ok || !strings.Contains(s.Text, "1 min") {
		t.Errorf("got %#v", out[0])
	}
	tuitest.Press(v, "g")
	first := v.from
	tuitest.Press(v, "h")
	if v.from != first {
		t.Errorf("h at the start moved to %d", v.from)
	}
	tuitest.Press(v, "l")
	if want := first + v.window()/2; v.from != want {
		t.Errorf("l moved to %d, want half a screen on (%d)", v.from, want)
	}
	tuitest.Press(v, "right", "left")
	if want := first + v.window()/2; v.from != want {
		t.Errorf("→← came back to %d, want %d", v.from, want)
	}
	tuitest.Press(v, "G")
	if v.from+v.window() <= v.span.Last || v.from > v.span.Last {
		t.Errorf("G: window [%d, %d) does not end with the last event %d", v.from, v.from+v.window(), v.span.Last)
	}
	tuitest.Press(v, "end", "home")
	if v.from != first {
		t.Errorf("home: %d, want %d", v.from, first)
	}
	// Zooming out stops once all of the span is in view: coarser
	// buckets reached past the end of the data (a workspace of four
	// minutes ended in one bucket of 90 days).
	for range len(buckets) {
		tuitest.Press(v, "_")
	}
	if v.level != v.fitLevel(v.own) {
		t.Errorf("zoomed all the way out: level %d, the span is all in view at %d", v.level, v.fitLevel(v.own))
	}
	if step := v.bucket().Microseconds(); v.shown.from > v.own.First || v.shown.to != floorTo(v.own.Last, step)+step {
		t.Errorf("zoomed out to %v: the axis reaches past the data", v.bucket())
	}
	if out := tuitest.Press(v, "-"); len(out) != 1 || !strings.Contains(fmt.Sprint(out[0]), "all of it is in view") {
		t.Errorf("zooming out with all of it in view should say so, got %#v", out)
	}
}

func TestClientSeriesStayHourly(t *testing.T) {
	c, ts := tuitest.Targets(t)
	v := tuitest.Open(New, c, ts["client"], 80, 24).(*Model)
	for range len(buckets) {
		tuitest.Press(v, "+")
	}
	if v.bucket() != time.Hour || v.err != nil {
		t.Errorf("a client zooms in to %v (err %v); its series are hourly", v.bucket(), v.err)
	}
}

func TestStaleSeriesDropped(t *testing.T) {
	c, ts := tuitest.Targets(t)
	v := tuitest.Open(New, c, ts["all"], 80, 24).(*Model)
	_, older := v.Update(tuitest.Key("+"))
	_, newer := v.Update(tuitest.Key("+"))
	v.Update(newer())
	want := v.shown.bucket
	v.Update(older())
	if v.shown.bucket != want {
		t.Errorf("an older answer replaced the newer: %v buckets shown, want %v", v.shown.bucket, want)
	}
	var _ tea.Cmd = older
}

// BenchmarkOpenAllTraffic is opening the screen on all traffic: span, the
// series and the first View, on the benchmark workspace.
func BenchmarkOpenAllTraffic(b *testing.B) { tuitest.BenchOpenAllTraffic(b, New) }

// A name opens on its own activity, in the finest bucket that holds all of
// it, not on the whole workspace (which may reach back to a 1970 undated
// log): every one of its events is in the first view.
func TestANameOpensOnItsOwnActivity(t *testing.T) {
	c, ts := tuitest.Targets(t)
	target := ts["name"]
	n, err := c.DB.NameByText(context.Background(), 1, target.Label)
	if err != nil {
		t.Fatal(err)
	}
	first, last := n.First, n.Last
	v := tuitest.Open(New, c, target, 80, 24).(*Model)
	var total int64
	for _, p := range v.shown.points {
		total += p.N
	}
	if total != n.Count {
		t.Errorf("the first view shows %d of the name's %d events at %v", total, n.Count, v.bucket())
	}
	if v.level > 0 && fits(v, v.level-1, first, last) {
		t.Errorf("bucket %v is coarser than the name's span needs", v.bucket())
	}
	if v.span.Last-v.span.First <= last-first {
		t.Fatal("the test workspace's span is no wider than the name's: nothing shown")
	}
}

// A span too long for one view even in the coarsest buckets (decades,
// once a log with times from its capture's start is in: a Zeek log of
// the slips samples starts at ts 22.3) opens on its newest part, not on
// its empty middle; the axis ends with the data. (An undated event, at
// 0, is no part of the span.)
func TestATooLongSpanOpensOnItsNewestPart(t *testing.T) {
	path, c := tuitest.Growing(t)
	tuitest.Grow(t, path, 1, time.Unix(22, 0), "relative.example.org") // 1970
	v := tuitest.Open(New, c, tuitest.AllTraffic, 80, 24).(*Model)
	if v.level != len(buckets)-1 || v.window() > v.span.Last-v.span.First {
		t.Fatalf("1970 to now fits in %v buckets at this width: nothing shown", v.bucket())
	}
	if end := v.shown.to; end <= v.span.Last || end-v.span.Last > v.bucket().Microseconds() {
		t.Errorf("the view ends at %v, the span at %v", time.UnixMicro(end).UTC(), time.UnixMicro(v.span.Last).UTC())
	}
	if !strings.Contains(v.View(), "2024") {
		t.Errorf("a span from 1970 to 2024 is shown without its years:\n%s", v.View())
	}
	if info := strings.Split(v.View(), "\n")[1]; !strings.Contains(info, "events · part of the span") {
		t.Errorf("the first view does not say it shows part of the span: %q", info)
	}
}

// Twelve years of traffic (a honeypot log of 2012 beside 2024's) fit in
// the first view at 80 columns, every event in it, and the line under the
// title, which cannot hold everything, keeps its count whole.
func TestTwelveYearsFitAt80Columns(t *testing.T) {
	path, c := tuitest.Growing(t)
	tuitest.Grow(t, path, 272, time.Date(2012, 4, 1, 0, 0, 0, 0, time.UTC), "old.example.org")
	st, err := c.DB.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v := tuitest.Open(New, c, tuitest.AllTraffic, 80, 24).(*Model)
	var total int64
	for _, p := range v.shown.points {
		total += p.N
	}
	if total != st.Events {
		t.Errorf("the first view shows %d of %d events at %v", total, st.Events, v.bucket())
	}
	info := strings.TrimSpace(ansi.Strip(strings.Split(v.View(), "\n")[1]))
	if want := words.Int(st.Events) + " events"; !strings.Contains(info, want) || strings.HasSuffix(info, "…") || strings.Contains(info, "part of") {
		t.Errorf("the line under the title: %q, want %q whole", info, want)
	}
}

// The workspace grows while the timeline is open (a follow): the view
// keeps its zoom, shows what came when it showed the newest events, and
// stays where it was when the analyst had moved back in time.
func TestTimelineFollowsWhatArrives(t *testing.T) {
	path, c := tuitest.Growing(t)
	v := tuitest.Open(New, c, tuitest.AllTraffic, 80, 24).(*Model)
	tuitest.Press(v, "+", "+", "G") // a window narrower than the span, on its newest part
	level, last := v.level, v.span.Last
	at := time.UnixMicro(last).Add(3 * v.bucket()) // in a bucket of its own
	tuitest.Grow(t, path, 7, at, "late.example.org")
	_, cmd := v.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(v, cmd)
	var late int64
	for _, p := range v.shown.points {
		if p.Start > last {
			late += p.N
		}
	}
	if v.level != level || late != 7 || v.span.Last <= last {
		t.Errorf("after the workspace grew: level %d (was %d), %d of the 7 new events shown, span ends %v (was %v)",
			v.level, level, late, v.span.Last, last)
	}
	tuitest.Press(v, "g") // back to the oldest
	from := v.from
	tuitest.Grow(t, path, 3, at.Add(time.Hour), "later.example.org")
	_, cmd = v.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(v, cmd)
	if v.from != from || v.level != level {
		t.Errorf("the view moved from its place in the past: from %v (was %v), level %d", v.from, from, v.level)
	}
}

// What is drawn follows the keys: panning and zooming redraw the chart
// on the new window (the chart is kept between frames, not between
// answers), and a resize redraws it at the new size.
func TestTheChartFollowsTheWindow(t *testing.T) {
	c, ts := tuitest.Targets(t)
	v := tuitest.Open(New, c, ts["all"], 80, 24).(*Model)
	tuitest.Press(v, "+", "+")
	// The chart: the lines under the title and the window's line.
	chart := func() string { return strings.Join(strings.Split(v.View(), "\n")[2:], "\n") }
	seen := map[string]bool{chart(): true}
	for _, k := range []string{"l", "h", "+", "-"} {
		tuitest.Press(v, k)
		out := chart()
		if k != "h" && k != "-" && seen[out] {
			t.Errorf("after %s the chart is one already shown:\n%s", k, out)
		}
		if want := v.span.Formatter()(v.from); !strings.Contains(v.View(), want) {
			t.Errorf("after %s the screen does not show the window's start %s:\n%s", k, want, v.View())
		}
		seen[out] = true
	}
	v.SetSize(120, 40)
	tuitest.CheckSize(t, v, 120, 40)
}

// Zooming in on a name whose events are one early query and a burst a
// month later does not land on the silence between them: the narrower
// window goes to the events nearest the centre when none are around it.
func TestZoomInLandsOnEvents(t *testing.T) {
	var b strings.Builder
	line := func(ts int64) {
		fmt.Fprintf(&b, `{"_path": "dns", "ts": %d, "uid": "C1", "id.orig_h": "10.0.0.1", "query": "burst.example.org", "qtype_name": "A", "rcode_name": "NOERROR", "answers": ["192.0.2.1"]}`+"\n", ts)
	}
	const start = 1710892800
	line(start)
	for i := range 50 {
		line(start + 30*86400 + int64(i)*60)
	}
	d := testws.Text(t, b.String())
	n, err := d.NameByText(context.Background(), subject.DNSName, "burst.example.org")
	if err != nil {
		t.Fatal(err)
	}
	target := common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: n.ID}, Label: n.Name}
	v := tuitest.Open(New, common.New(context.Background(), d), target, 80, 24).(*Model)
	for i := range 3 {
		tuitest.Press(v, "+")
		var shown int64
		for _, p := range v.shown.points {
			shown += p.N
		}
		if shown == 0 {
			t.Fatalf("zoom %d: %v buckets from %s show no event", i+1, v.shown.bucket, time.UnixMicro(v.from).UTC())
		}
	}
}

// A name with an undated event (stored at 0) opens on its dated events,
// not on 1970 to now in 30-day buckets, where its day was one column.
func TestANameWithAnUndatedEventOpensOnItsDatedOnes(t *testing.T) {
	path, c := tuitest.Growing(t)
	tuitest.Grow(t, path, 1, time.Unix(0, 0), "undated.example.org")
	tuitest.Grow(t, path, 5, time.Unix(1710086560, 0), "undated.example.org")
	n, err := c.DB.NameByText(context.Background(), subject.DNSName, "undated.example.org")
	if err != nil {
		t.Fatal(err)
	}
	target := common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: n.ID}, Label: n.Name, Name: &n}
	v := tuitest.Open(New, c, target, 80, 24).(*Model)
	var dated int64
	for _, p := range v.shown.points {
		if p.Start > 0 {
			dated += p.N
		}
	}
	if dated != 5 || v.bucket() > time.Hour {
		t.Errorf("opens on %v buckets showing %d of the 5 dated events", v.bucket(), dated)
	}
}

// The first view ends with the data at every width: a span shorter than
// the window whose events fall in one bucket more than the window holds
// (its first late in a day, its last early in one) once opened a day
// short of its last event (all traffic at 80 columns showed up to May 7
// of a workspace whose last event was on May 8).
func TestTheFirstViewHoldsTheLastEvent(t *testing.T) {
	for _, width := range []int{80, 120} {
		const day = 86400
		first := int64(1710892800 + 23*3600) // late on a day
		last := first + int64(chart.Dots(width)-1)*day + 2*3600
		var b strings.Builder
		for _, ts := range []int64{first, last} {
			fmt.Fprintf(&b, `{"_path": "dns", "ts": %d, "uid": "C1", "id.orig_h": "10.0.0.1", "query": "edge.example.org", "qtype_name": "A", "rcode_name": "NOERROR", "answers": ["192.0.2.1"]}`+"\n", ts)
		}
		d := testws.Text(t, b.String())
		v := tuitest.Open(New, common.New(context.Background(), d), tuitest.AllTraffic, width, 24).(*Model)
		var shown int64
		for _, p := range v.shown.points {
			shown += p.N
		}
		if end := v.shown.to; shown != 2 || end <= last*1e6 || end-last*1e6 > v.bucket().Microseconds() {
			t.Errorf("%d columns: %v buckets to %v show %d of 2 events, the last at %v", width, v.bucket(),
				time.UnixMicro(end).UTC(), shown, time.Unix(last, 0).UTC())
		}
	}
}

// A wider terminal shows a wider window at once: the resize reads the
// series of the new window (it kept the narrow one's until a key moved).
func TestAResizeReadsTheWiderWindow(t *testing.T) {
	c, ts := tuitest.Targets(t)
	v := tuitest.Open(New, c, ts["all"], 80, 24).(*Model)
	tuitest.Press(v, "+", "+", "l") // narrower than the span, off both ends
	v.SetSize(120, 40)
	_, cmd := v.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	tuitest.Settle(v, cmd)
	if v.shown.from != v.from {
		t.Errorf("after the resize [%d, %d) is shown, the window is [%d, %d)", v.shown.from, v.shown.to, v.from, v.from+v.window())
	}
	if v.shown.to-v.shown.from <= int64(chart.Dots(80))*v.bucket().Microseconds() && v.shown.to < v.span.Last {
		t.Errorf("the 120-column view shows no more than the 80-column one: [%d, %d)", v.shown.from, v.shown.to)
	}
}

// g and G on a name's timeline go to its own first and last events, not
// to the workspace's ends: a name seen in the middle of a workspace of two
// months showed a window of nothing at either end (a logon network of 2014
// went to 2026, the end of the DNS log beside it). All traffic's g and G
// are TestZoomAndPanKeys'.
func TestGAndGGoToTheSubjectsOwnEnds(t *testing.T) {
	var b strings.Builder
	line := func(ts int64, query string) {
		fmt.Fprintf(&b, `{"_path": "dns", "ts": %d, "uid": "C1", "id.orig_h": "10.0.0.1", "query": "%s", "qtype_name": "A", "rcode_name": "NOERROR", "answers": ["192.0.2.1"]}`+"\n", ts, query)
	}
	const start, day = 1710892800, 86400
	line(start, "early.example.org")
	for i := range 20 {
		line(start+30*day+int64(i)*3600, "middle.example.org") // a day of it
	}
	line(start+60*day, "late.example.org")
	d := testws.Text(t, b.String())
	n, err := d.NameByText(context.Background(), subject.DNSName, "middle.example.org")
	if err != nil {
		t.Fatal(err)
	}
	target := common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: n.ID}, Label: n.Name, Name: &n}
	v := tuitest.Open(New, common.New(context.Background(), d), target, 80, 24).(*Model)
	if v.window() >= v.span.Last-v.span.First {
		t.Fatalf("%v buckets show the whole workspace: g and G cannot miss the name", v.bucket())
	}
	shown := func() (n int64) {
		for _, p := range v.shown.points {
			n += p.N
		}
		return n
	}
	tuitest.Press(v, "+", "+") // a window narrower than the name's day
	step := v.bucket().Microseconds()
	tuitest.Press(v, "G")
	if end := v.from + v.window(); end != floorTo(n.Last, step)+step || shown() == 0 {
		t.Errorf("G: window %v – %v shows %d events; the name's last is at %v", time.UnixMicro(v.from).UTC(),
			time.UnixMicro(end).UTC(), shown(), time.UnixMicro(n.Last).UTC())
	}
	tuitest.Press(v, "g")
	if v.from != floorTo(n.First, step) || shown() == 0 {
		t.Errorf("g: window from %v shows %d events; the name's first is at %v", time.UnixMicro(v.from).UTC(),
			shown(), time.UnixMicro(n.First).UTC())
	}
	// ← and → stay on the name's events: before its first and after its
	// last there is nothing of it, and the workspace's early and late
	// names were a pan away.
	tuitest.Press(v, "left")
	if v.from != floorTo(n.First, step) {
		t.Errorf("← from the first event panned to %v", time.UnixMicro(v.from).UTC())
	}
	tuitest.Press(v, "G", "right")
	if end := v.shown.to; end != floorTo(n.Last, step)+step {
		t.Errorf("→ from the last event shows up to %v", time.UnixMicro(end).UTC())
	}
	if title := ansi.Strip(strings.Split(v.View(), "\n")[0]); !strings.HasSuffix(strings.TrimSpace(title), "by "+bucketName(v.bucket())) {
		t.Errorf("the title does not say the bucket size: %q", title)
	}
}

// A client's series is kept by the hour: one whose events all fall in
// one minute opens on that hour, not on six days of hours around it.
func TestAClientOpensOnItsOwnHours(t *testing.T) {
	var b strings.Builder
	const start = 1710892800 + 7*3600 + 20*60
	for i := range 30 {
		fmt.Fprintf(&b, `{"_path": "dns", "ts": %d, "uid": "C1", "id.orig_h": "10.0.0.1", "query": "n%d.example.org", "qtype_name": "A", "rcode_name": "NOERROR", "answers": ["192.0.2.1"]}`+"\n", start+i, i)
	}
	fmt.Fprintf(&b, `{"_path": "dns", "ts": %d, "uid": "C1", "id.orig_h": "10.0.0.2", "query": "other.example.org", "qtype_name": "A", "rcode_name": "NOERROR", "answers": ["192.0.2.1"]}`+"\n", start-20*86400)
	d := testws.Text(t, b.String())
	cl, err := d.ClientByText(context.Background(), "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	target := common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: cl.ID}, Label: cl.Addr}
	v := tuitest.Open(New, common.New(context.Background(), d), target, 80, 24).(*Model)
	hour := int64(start) / 3600 * 3600 * 1e6
	if v.shown.from != hour || v.shown.to != hour+time.Hour.Microseconds() {
		t.Errorf("opens on %v – %v, want the hour of its events", time.UnixMicro(v.shown.from).UTC(), time.UnixMicro(v.shown.to).UTC())
	}
	tuitest.CheckSize(t, v, 80, 24)
}

// An empty workspace's timeline says it has no events: it drew an axis of
// nothing from Thu Jan 01 00:00 1970 with a count of 0. Its first events
// are drawn when they come (a follow into a new workspace).
func TestAnEmptyWorkspaceHasNoEvents(t *testing.T) {
	path, c := tuitest.Empty(t)
	v := tuitest.Open(New, c, tuitest.AllTraffic, 80, 24).(*Model)
	out := ansi.Strip(v.View())
	if !strings.Contains(out, "no events in the workspace") || strings.Contains(out, "Jan 01") || strings.Contains(out, "0 events") || strings.Contains(out, " by 1 min") {
		t.Errorf("an empty workspace:\n%s", out)
	}
	tuitest.CheckSize(t, v, 80, 24)
	if out := tuitest.Press(v, "G", "+", "-"); len(out) != 0 {
		t.Errorf("keys on nothing said %#v", out)
	}
	tuitest.Grow(t, path, 3, time.Date(2024, 3, 20, 8, 0, 0, 0, time.UTC), "first.example.org")
	_, cmd := v.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(v, cmd)
	if out := ansi.Strip(v.View()); !strings.Contains(out, "3 events") || strings.Contains(out, "no events") {
		t.Errorf("after 3 events came:\n%s", out)
	}
}

// A name of one event is drawn at its time: its one minute took the whole
// axis, and the dot was drawn mid-plot, half a minute from its only tick.
// The window around it is shown, the dot in its minute's column.
func TestANameOfOneEventIsDrawnAtItsTime(t *testing.T) {
	path, c := tuitest.Growing(t)
	at := time.Date(2024, 3, 10, 13, 49, 5, 0, time.UTC)
	tuitest.Grow(t, path, 1, at, "once.example.org")
	n, err := c.DB.NameByText(context.Background(), subject.DNSName, "once.example.org")
	if err != nil {
		t.Fatal(err)
	}
	target := common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: n.ID}, Label: n.Name, Name: &n}
	v := tuitest.Open(New, c, target, 80, 24).(*Model)
	lines := strings.Split(ansi.Strip(v.View()), "\n")
	axis := slicesIndex(lines, func(l string) bool { return strings.Contains(l, "└") })
	if axis < 0 {
		t.Fatalf("no axis:\n%s", strings.Join(lines, "\n"))
	}
	origin := runeIndex(lines[axis], '└')
	plotW := len([]rune(lines[axis])) - origin - 1
	want := origin + 1 + int((at.UnixMicro()-v.shown.from)*int64(plotW)/(v.shown.to-v.shown.from))
	// The dot: the top of the line's one peak.
	top := slicesIndex(lines[2:axis], func(l string) bool { return strings.ContainsFunc(l, isBraille) })
	if col := strings.IndexFunc(lines[2+top], isBraille); top < 0 || utf8.RuneCountInString(lines[2+top][:col]) != want {
		t.Errorf("the dot is not in column %d, its time's:\n%s", want, strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[1], "1 event") || strings.Contains(lines[1], "part of the span") {
		t.Errorf("the line under the title: %q", lines[1])
	}
}

func isBraille(r rune) bool { return r > '⠀' && r <= '⣿' }

func slicesIndex(s []string, f func(string) bool) int {
	for i, l := range s {
		if f(l) {
			return i
		}
	}
	return -1
}

// runeIndex is the column of r in s, -1 when it is not there.
func runeIndex(s string, r rune) int {
	for i, c := range []rune(s) {
		if c == r {
			return i
		}
	}
	return -1
}
