package detail

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/textsafe"
)

// The requests screen holds a window of at most maxWindow events and reads
// pageSize more at its edge as the cursor nears it, older below and newer
// above: a name with millions of requests is paged through, end to end,
// without holding them all. G reads the oldest page, g the newest, and a
// time reads the page that starts there. (Variables: a test makes them
// small to page through a small workspace.)
var (
	pageSize  = 1000
	maxWindow = 4 * pageSize
)

// pageReq says which page to read: older or newer than from (nil: from the
// newest, or the oldest), and whether it replaces the window.
type pageReq struct {
	from    *db.EventKey
	older   bool
	replace bool
	last    bool // replace: the cursor goes to the last row
	// grown: the workspace grew (a follow, a capture). With rows, the
	// page newer than the window's first row joins it (the window showed
	// the newest); without, only where the window is and the counts are
	// read again.
	grown, rows bool
	jump        *jumpTo // a jump to a time: what was asked
}

// jumpTo is the time a jump asked for: as typed, and the first microsecond
// it covers (08:40 is 08:40:00 to 08:40:59).
type jumpTo struct {
	text  string
	first int64
}

type eventsMsg struct {
	seq  uint64
	req  pageReq
	kind record.Kind
	rows []eventCells
	keys []db.EventKey
	// A replacing page says where it is: its first row's place among the
	// events that pass the filter, how many pass it, and how many there
	// are in all.
	start, matching, total int64
	err                    error
}

// pageQuery is what a page is read of: the subject's events the screen
// shows (all, or one client's), and those of them its f filter keeps.
type pageQuery struct {
	s        db.Subject
	all, f   db.EventFilter
	narrowed bool // f keeps fewer than all
	text     func(string) string
}

// fetch reads a page in a command.
func (v *Events) fetch(req pageReq) tea.Cmd {
	if k := v.target.Subject.Kind; k != db.SubjectName && k != db.SubjectDomain {
		v.err = fmt.Errorf("requests are kept per name and group: open a name or a domain, not a client")
		return nil
	}
	v.seq, v.loading = nextSeq(), true
	seq, d, ctx, q := v.seq, v.c.DB, v.c.Ctx, v.pageQuery()
	return func() tea.Msg {
		msg := eventsMsg{seq: seq, req: req}
		msg.err = readPage(ctx, d, q, &msg)
		return msg
	}
}

// pageQuery is what the screen's pages are read of.
func (v *Events) pageQuery() pageQuery {
	f := v.filter
	f.ClientID = v.clientID
	return pageQuery{s: v.target.Subject, all: db.EventFilter{ClientID: v.clientID}, f: f, narrowed: v.filter.Active(), text: v.nameText()}
}

// readPage fills msg with the page msg.req asks for and, for a window
// replaced, where it is.
func readPage(ctx context.Context, d *db.DB, q pageQuery, msg *eventsMsg) error {
	req := msg.req
	if req.grown {
		return readGrown(ctx, d, q, msg)
	}
	read := d.PageNewer
	if req.older {
		read = d.PageOlder
	}
	p, err := read(ctx, q.s, req.from, q.f, pageSize)
	if err != nil {
		return err
	}
	if req.jump != nil && req.from != nil && len(p.Keys) == 0 {
		// Nothing at or before the time: it is before the first event.
		// The oldest page, as G reads it, the cursor on the oldest: an
		// empty window was a dead end that k did not leave.
		msg.req = pageReq{replace: true, last: true, jump: req.jump}
		return readPage(ctx, d, q, msg)
	}
	if msg.rows, msg.kind, err = formatEvents(ctx, d, p.Rows, q.text); err != nil {
		return err
	}
	msg.keys = p.Keys
	if !req.replace {
		return nil
	}
	if err := readCounts(ctx, d, q, msg); err != nil {
		return err
	}
	switch {
	case req.from == nil && req.older:
		msg.start = 0
	case req.from == nil:
		msg.start = msg.matching - int64(len(p.Keys))
	case len(p.Keys) == 0:
		msg.start = msg.matching
	default:
		msg.start, err = d.CountNewer(ctx, q.s, &p.Keys[0], q.f)
	}
	return err
}

// readCounts counts the events the screen shows, and those the f filter
// keeps of them.
func readCounts(ctx context.Context, d *db.DB, q pageQuery, msg *eventsMsg) error {
	var err error
	if msg.total, err = d.CountNewer(ctx, q.s, nil, q.all); err != nil {
		return err
	}
	if msg.matching = msg.total; q.narrowed {
		msg.matching, err = d.CountNewer(ctx, q.s, nil, q.f)
	}
	return err
}

// readGrown reads, for a workspace that grew, the events newer than the
// window's first row when req.rows, and where the window now is among the
// events and how many there are.
func readGrown(ctx context.Context, d *db.DB, q pageQuery, msg *eventsMsg) error {
	first := msg.req.from
	if msg.req.rows {
		p, err := d.PageNewer(ctx, q.s, first, q.f, pageSize)
		if err != nil {
			return err
		}
		if msg.rows, msg.kind, err = formatEvents(ctx, d, p.Rows, q.text); err != nil {
			return err
		}
		if msg.keys = p.Keys; len(p.Keys) > 0 {
			first = &p.Keys[0]
		}
	}
	if err := readCounts(ctx, d, q, msg); err != nil {
		return err
	}
	var err error
	msg.start, err = d.CountNewer(ctx, q.s, first, q.f)
	return err
}

// formatEvents formats rows for the screen; text makes their values safe.
func formatEvents(ctx context.Context, d *db.DB, evs []db.EventRow, text func(string) string) ([]eventCells, record.Kind, error) {
	srcs, err := d.Sources(ctx)
	if err != nil {
		return nil, 0, err
	}
	packets := map[string]bool{}
	for _, s := range srcs {
		packets[s.Path] = strings.HasPrefix(s.Format, "pcap")
	}
	var kind record.Kind
	out := make([]eventCells, len(evs))
	for i, e := range evs {
		out[i] = formatEvent(e, packets[e.Source])
		out[i].name, out[i].rawName, out[i].nameID, out[i].raw = text(e.Name), e.Name, e.NameID, e
		kind = e.Kind
	}
	return out, kind, nil
}

// takePage puts a page in the window: in place of it, or at its older or
// newer edge, dropping rows at the far edge beyond maxWindow; the cursor
// stays on its row.
func (v *Events) takePage(msg eventsMsg) {
	if msg.req.replace || v.rows == nil {
		v.rows, v.keys, v.start, v.matching, v.total = msg.rows, msg.keys, msg.start, msg.matching, msg.total
		if len(msg.rows) > 0 || v.kind == 0 {
			v.kind = msg.kind
		}
		v.tbl.empty = "no " + v.noun() + " here"
		if v.filter.Active() {
			v.tbl.empty = "none match " + textsafe.String(v.filterText) + " (f to change, esc to clear)"
		}
		v.tbl.setRows(hayOf(v.rows))
		v.tbl.cursor = 0
		if msg.req.last {
			v.tbl.cursor = len(v.tbl.shown) - 1
		}
		v.tbl.top = v.tbl.cursor
		v.tbl.scroll()
		return
	}
	if msg.req.grown {
		v.takeGrown(msg)
		return
	}
	shift := 0
	if msg.req.older {
		v.rows, v.keys = append(v.rows, msg.rows...), append(v.keys, msg.keys...)
		if n := len(v.rows) - maxWindow; n > 0 {
			v.rows, v.keys, v.start, shift = v.rows[n:], v.keys[n:], v.start+int64(n), -n
		}
	} else {
		v.rows, v.keys = append(msg.rows, v.rows...), append(msg.keys, v.keys...)
		v.start -= int64(len(msg.rows))
		shift = len(msg.rows)
		if len(v.rows) > maxWindow {
			v.rows, v.keys = v.rows[:maxWindow], v.keys[:maxWindow]
		}
	}
	v.tbl.shift(hayOf(v.rows), shift)
}

// takeGrown puts what a workspace that grew brought: the newer rows at the
// window's newer edge (the cursor stays on its row), and the counts.
func (v *Events) takeGrown(msg eventsMsg) {
	if len(msg.rows) > 0 {
		v.rows, v.keys = append(msg.rows, v.rows...), append(msg.keys, v.keys...)
		if len(v.rows) > maxWindow {
			v.rows, v.keys = v.rows[:maxWindow], v.keys[:maxWindow]
		}
		v.tbl.shift(hayOf(v.rows), len(msg.rows))
	}
	v.start, v.matching, v.total = msg.start, msg.matching, msg.total
}

// grown reads again what a workspace that grew changes for the window:
// the newer events when it shows the newest, else only the counts.
func (v *Events) grown() tea.Cmd {
	switch {
	case v.err != nil:
		return nil
	case len(v.keys) == 0:
		// Nothing in the window (none yet, or none the filter passes):
		// the newest page, as when the screen opened.
		return v.fetch(pageReq{replace: true})
	}
	// The rows come only while the cursor is clear of the far edge, which
	// a full window gives up for them.
	rows := v.atNewest() && v.tbl.cursor < maxWindow-pageSize
	return v.fetch(pageReq{from: &v.keys[0], grown: true, rows: rows})
}

// hayOf is what / searches in rows.
func hayOf(rows []eventCells) []string {
	hay := make([]string, 0, len(rows))
	for _, r := range rows {
		hay = append(hay, strings.ToLower(strings.Join([]string{r.time, r.client, r.qtype, r.rcode, r.ttl, r.answers, r.detail, r.source, r.name}, " ")))
	}
	return hay
}

// atNewest and atOldest report whether the window reaches the newest and
// the oldest of the events that pass the filter.
func (v *Events) atNewest() bool { return v.start <= 0 }
func (v *Events) atOldest() bool { return v.start+int64(len(v.rows)) >= v.matching }

// more reads the next page when the cursor nears an edge of the window
// that is not an end of the events.
func (v *Events) more() tea.Cmd {
	if v.loading || v.err != nil || len(v.keys) == 0 {
		return nil
	}
	switch {
	case !v.atOldest() && v.tbl.nearEnd():
		return v.fetch(pageReq{from: &v.keys[len(v.keys)-1], older: true})
	case !v.atNewest() && v.tbl.nearStart():
		return v.fetch(pageReq{from: &v.keys[0]})
	}
	return nil
}

// position is the cursor's place among the events that pass the filter,
// from 1, newest first.
func (v *Events) position() int64 {
	i, ok := v.tbl.current()
	if !ok {
		return 0
	}
	return v.start + int64(i) + 1
}

// timeLayouts are what the jump prompt reads, all UTC as the screen shows
// times; those without a year take the cursor's row's, those without a
// day its day. A time means all of its last unit: 08:40 is up to 08:40:59.
var timeLayouts = []struct {
	layout        string
	unit          time.Duration
	noYear, noDay bool
}{
	{time.RFC3339, time.Second, false, false}, {"2006-01-02 15:04:05", time.Second, false, false},
	{"2006-01-02 15:04", time.Minute, false, false}, {"2006-01-02T15:04", time.Minute, false, false},
	{"2006-01-02", 24 * time.Hour, false, false},
	{"Jan 02 15:04:05", time.Second, true, false}, {"Jan 02 15:04", time.Minute, true, false},
	{"Jan 2 15:04", time.Minute, true, false}, {"Jan 02", 24 * time.Hour, true, false},
	{"15:04:05", time.Second, true, true}, {"15:04", time.Minute, true, true},
}

// parseWhen reads a time to jump to, and returns the first and the last
// microsecond it covers; ref is the cursor's row's time.
func parseWhen(s string, ref time.Time) (first, last time.Time, err error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		t, err := time.Parse(l.layout, s)
		if err != nil {
			continue
		}
		t = t.UTC()
		switch {
		case l.noDay:
			t = time.Date(ref.Year(), ref.Month(), ref.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
		case l.noYear:
			t = time.Date(ref.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
		}
		return t, t.Add(l.unit - time.Microsecond), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%q: a time like 2024-03-04 08:40, Mar 04 08:40 or 08:40 (UTC)", s)
}
