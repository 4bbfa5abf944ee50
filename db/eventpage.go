package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"

	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

// EventKey places an event among a subject's events: its time, then the
// block that holds it and its place there, so that events of the same
// microsecond still have one order. The requests screen pages by keys, not
// by offsets: the page after the 100,000th event is found without
// decoding the 100,000 before it.
type EventKey struct {
	Time  int64
	Block int64
	Index int
}

// compareKeys orders keys oldest first.
func compareKeys(a, b EventKey) int {
	if c := cmp.Compare(a.Time, b.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Block, b.Block); c != 0 {
		return c
	}
	return cmp.Compare(a.Index, b.Index)
}

// KeyAt is the key just after every event at or before t: the page older
// than it starts at t itself (a jump to a time).
func KeyAt(t int64) EventKey { return EventKey{Time: t, Block: math.MaxInt64, Index: math.MaxInt} }

// EventFilter keeps a subject's events whose fields match: a client's
// address or id, a DNS type or an HTTP method, a DNS rcode or an HTTP
// status (or a class of them), a logon's result, event id or type. A zero field
// matches every event.
type EventFilter struct {
	Client   string
	ClientID uint32     // a client by its id: a pivot's, whose address may not be what the screen shows
	QType    uint16     // DNS: the query type's number
	Method   string     // HTTP
	Code     *CodeRange // DNS rcode (record.NoRCode: no response seen), HTTP status (0: none seen)
	Results  []string   // logon: the results kept ("success", "failure", "invalid-user")
	EventID  uint16     // logon: the Windows event id (4625)
	Type     string     // logon: its type's number, name or class (subject.LogonTypeIs)
}

// CodeRange is the DNS rcodes or HTTP statuses from Lo to Hi: one code,
// or a class of statuses (4xx: 400 to 499).
type CodeRange struct{ Lo, Hi int16 }

// Active reports whether the filter drops any event.
func (f EventFilter) Active() bool {
	return f.Client != "" || f.ClientID != 0 || f.QType != 0 || f.Method != "" || f.Code != nil || f.Results != nil || f.EventID != 0 || f.Type != ""
}

// EventPage is one page of a subject's events, newest first, with their keys.
type EventPage struct {
	Rows []EventRow
	Keys []EventKey
}

// PageOlder returns the newest limit events of a name or group (s) older
// than from (nil: from the newest), newest first, that pass f.
func (d *DB) PageOlder(ctx context.Context, s Subject, from *EventKey, f EventFilter, limit int) (EventPage, error) {
	return d.page(ctx, s, from, f, limit, true)
}

// PageNewer returns the oldest limit events newer than from (nil: from the
// oldest), newest first, that pass f.
func (d *DB) PageNewer(ctx context.Context, s Subject, from *EventKey, f EventFilter, limit int) (EventPage, error) {
	return d.page(ctx, s, from, f, limit, false)
}

// CountNewer counts the events newer than from (nil: all) that pass f: the
// place of a page in the whole, and a filter's total. Without a filter
// only the times of the blocks that straddle from are read.
func (d *DB) CountNewer(ctx context.Context, s Subject, from *EventKey, f EventFilter) (int64, error) {
	blocks, code, err := d.subjectBlocks(ctx, s)
	if err != nil {
		return 0, err
	}
	var n int64
	if !f.Active() {
		for _, b := range blocks {
			switch {
			case from == nil || b.tmin > from.Time:
				n += int64(b.n)
			case b.tmax >= from.Time:
				data, err := d.blockData(ctx, b.id)
				if err != nil {
					return 0, err
				}
				i := 0
				err = blockTimes(data, b.n, b.tmin, func(t int64) {
					if compareKeys(EventKey{t, b.id, i}, *from) > 0 {
						n++
					}
					i++
				})
				if err != nil {
					return 0, err
				}
			}
		}
		return n, nil
	}
	keep, err := d.eventMatcher(ctx, f, kindOf(subject.Code(code)))
	if err != nil {
		return 0, err
	}
	for _, b := range blocks {
		if from != nil && b.tmax < from.Time {
			continue
		}
		evs, err := d.decodeKeyed(ctx, b)
		if err != nil {
			return 0, err
		}
		for _, e := range evs {
			if (from == nil || compareKeys(e.key, *from) > 0) && keep.keep(e.Event) {
				n++
			}
		}
	}
	return n, keep.err
}

// keyed is a decoded event with its key.
type keyed struct {
	Event
	key EventKey
}

func (d *DB) subjectBlocks(ctx context.Context, s Subject) ([]blockRef, uint32, error) {
	table, refs := "names", "SELECT id, name, source, n, tmin, tmax FROM blocks WHERE name = ? ORDER BY tmax DESC, id DESC"
	if s.Kind == SubjectDomain {
		table, refs = "domains", `SELECT b.id, b.name, b.source, b.n, b.tmin, b.tmax FROM blocks b
		JOIN names n ON n.id = b.name WHERE n.domain = ? ORDER BY b.tmax DESC, b.id DESC`
	}
	var code uint32
	// table is one of two names chosen above, never data.
	if err := d.sql.QueryRowContext(ctx, "SELECT kind FROM "+table+" WHERE id = ?", s.ID).Scan(&code); err != nil {
		return nil, 0, err
	}
	blocks, err := d.blockRefs(ctx, refs, s.ID)
	return blocks, code, err
}

func (d *DB) blockData(ctx context.Context, id int64) ([]byte, error) {
	var data []byte
	err := d.sql.QueryRowContext(ctx, "SELECT data FROM blocks WHERE id = ?", id).Scan(&data)
	return data, err
}

func (d *DB) decodeKeyed(ctx context.Context, b blockRef) ([]keyed, error) {
	data, err := d.blockData(ctx, b.id)
	if err != nil {
		return nil, err
	}
	evs, err := decodeBlock(nil, data, b.n, b.tmin, b.name, b.source)
	out := make([]keyed, len(evs))
	for i, e := range evs {
		out[i] = keyed{e, EventKey{e.Time, b.id, i}}
	}
	return out, err
}

// page reads the limit events next to from, older or newer: blocks in the
// order that reaches the nearest events first, until no further block can
// hold one of the limit nearest.
func (d *DB) page(ctx context.Context, s Subject, from *EventKey, f EventFilter, limit int, older bool) (EventPage, error) {
	blocks, code, err := d.subjectBlocks(ctx, s)
	if err != nil {
		return EventPage{}, err
	}
	keep, err := d.eventMatcher(ctx, f, kindOf(subject.Code(code)))
	if err != nil {
		return EventPage{}, err
	}
	// near orders keys nearest to from first; beyond says a key is on the
	// wanted side of from.
	near := func(a, b keyed) int { return compareKeys(b.key, a.key) }
	beyond := func(k EventKey) bool { return from == nil || compareKeys(k, *from) < 0 }
	if !older {
		slices.SortFunc(blocks, func(a, b blockRef) int { return cmp.Or(cmp.Compare(a.tmin, b.tmin), cmp.Compare(a.id, b.id)) })
		near = func(a, b keyed) int { return compareKeys(a.key, b.key) }
		beyond = func(k EventKey) bool { return from == nil || compareKeys(k, *from) > 0 }
	}
	var got []keyed
	full := false
	for _, b := range blocks {
		// Trimmed to limit once, then whenever it has doubled: thousands
		// of one-event blocks cost a sort per limit of them, not one each.
		if limit > 0 && len(got) >= limit && (!full || len(got) >= 2*limit) {
			slices.SortFunc(got, near)
			got, full = got[:limit], true
		}
		if full {
			edge := got[limit-1].Time
			if (older && b.tmax < edge) || (!older && b.tmin > edge) {
				break // every further block is further from from than what we have
			}
		}
		if from != nil && ((older && b.tmin > from.Time) || (!older && b.tmax < from.Time)) {
			continue // all on the wrong side of from
		}
		evs, err := d.decodeKeyed(ctx, b)
		if err != nil {
			return EventPage{}, err
		}
		for _, e := range evs {
			if beyond(e.key) && keep.keep(e.Event) {
				got = append(got, e)
			}
		}
	}
	if keep.err != nil {
		return EventPage{}, keep.err
	}
	slices.SortFunc(got, near)
	if limit > 0 && len(got) > limit {
		got = got[:limit]
	}
	if !older {
		slices.Reverse(got)
	}
	page := EventPage{Keys: make([]EventKey, len(got))}
	evs := make([]Event, len(got))
	for i, e := range got {
		evs[i], page.Keys[i] = e.Event, e.key
	}
	page.Rows, err = d.resolve(ctx, evs, kindOf(subject.Code(code)))
	return page, err
}

// eventMatcher turns a filter into a test on a decoded event: the client's
// address looked up once, an HTTP request's method or a logon's result
// and type read from its detail text, once per distinct text. A failed read of a
// text is kept in err.
func (d *DB) eventMatcher(ctx context.Context, f EventFilter, kind record.Kind) (*matcher, error) {
	m := &matcher{f: f, kind: kind, read: map[uint32]detailFields{}}
	m.text = func(id uint32) (string, error) {
		var text string
		err := d.sql.QueryRowContext(ctx, "SELECT text FROM answers WHERE id = ?", id).Scan(&text)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return text, err
	}
	if f.Client == "" {
		return m, nil
	}
	err := d.sql.QueryRowContext(ctx, "SELECT id FROM clients WHERE addr = ?", f.Client).Scan(&m.client)
	if errors.Is(err, sql.ErrNoRows) {
		m.none = true
		return m, nil
	}
	return m, err
}

type matcher struct {
	f      EventFilter
	kind   record.Kind
	client uint32
	none   bool                    // the client is not in the workspace
	read   map[uint32]detailFields // detail text id → what the filter reads of it
	text   func(uint32) (string, error)
	err    error
}

func (m *matcher) keep(e Event) bool {
	f := m.f
	switch {
	case m.none,
		f.Client != "" && e.Client != m.client,
		f.ClientID != 0 && e.Client != f.ClientID,
		f.Code != nil && (m.kind == record.KindLogon || e.RCode < f.Code.Lo || e.RCode > f.Code.Hi),
		f.QType != 0 && (m.kind != record.KindDNS || e.QType != f.QType),
		f.Method != "" && (m.kind != record.KindHTTP || m.fields(e.Answer).method != f.Method),
		f.Results != nil && (m.kind != record.KindLogon || !slices.Contains(f.Results, m.fields(e.Answer).result)),
		f.EventID != 0 && (m.kind != record.KindLogon || e.QType != f.EventID),
		f.Type != "" && (m.kind != record.KindLogon || !subject.LogonTypeIs(m.fields(e.Answer).logonType, f.Type)):
		return false
	}
	return true
}

// detailFields are what the filter reads of a detail text: an HTTP
// request's method, a logon's result and type.
type detailFields struct{ method, result, logonType string }

// fields reads a detail text's fields, once per distinct text.
func (m *matcher) fields(answer uint32) detailFields {
	if v, ok := m.read[answer]; ok || m.err != nil {
		return v
	}
	text, err := m.text(answer)
	m.err = err
	var v detailFields
	if m.kind == record.KindLogon {
		d := subject.ParseLogonDetail(text)
		v.result, v.logonType = d.Result, d.LogonType
	} else {
		v.method = subject.ParseHTTPDetail(text).Method
	}
	m.read[answer] = v
	return v
}
