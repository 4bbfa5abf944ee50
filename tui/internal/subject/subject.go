// Package subject is what the drill-down and time screens share about the
// thing they show: how to name it on screen, the time span to draw it over,
// and their help wording.
package subject

import (
	"context"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
)

// Describe names a target for a title: "all traffic", a name (decoded and
// safe), a group with how many values it holds ("*.example.com (14
// names)", "family Chrome (3 user agents)"), "client 10.0.0.1".
func Describe(t common.Target) string {
	switch t.Subject.Kind {
	case db.SubjectAll:
		return "all traffic"
	case db.SubjectDomain:
		return describeGroup(t)
	case db.SubjectClient:
		return "client " + textsafe.String(t.Label)
	}
	return common.SafeName(t.Label)
}

// describeGroup names a group: a registered domain of host names as the
// names it covers, any other group by what it is; "domain x" when the
// opener did not know its row.
func describeGroup(t common.Target) string {
	g := t.Group
	if g == nil {
		return "domain " + common.SafeName(t.Label)
	}
	sub, ok := engsubject.ByCode(engsubject.Code(g.Kind))
	if !ok {
		return "domain " + common.SafeName(t.Label)
	}
	what := sub.Group + " " + textsafe.String(t.Label)
	if sub.Hostname {
		what = "*." + common.SafeName(t.Label)
	}
	noun := sub.Plural
	if g.Names == 1 {
		noun = sub.Column
	}
	return fmt.Sprintf("%s (%s %s)", what, words.Int(g.Names), noun)
}

// Span is when a subject was first and last seen, unix µs.
type Span struct{ First, Last int64 }

// LoadSpan reads the subject's span (for use inside a tea.Cmd): the time
// screens open on the subject's own activity, not on the whole workspace,
// which may reach from a 1970 undated log to today.
func LoadSpan(ctx context.Context, d *db.DB, s db.Subject) (Span, error) {
	first, last, err := d.SpanOf(ctx, s)
	return Span{first, last}, err
}

// DatedFirst is when a subject whose span starts at 0 (an undated event,
// stored at 0, among its events, in a workspace written before first seen
// skipped undated events: db's minKnown) was first seen at a real time: the start
// of the first day after January 1970 with an event, 0 when there is none
// (for use inside a tea.Cmd). A time screen that fitted 0 to last opened
// on decades in 30-day buckets, the subject's days one column.
func DatedFirst(ctx context.Context, d *db.DB, s db.Subject, last int64) (int64, error) {
	from := int64(1)
	for _, size := range []time.Duration{30 * 24 * time.Hour, 24 * time.Hour} {
		pts, err := d.Series(ctx, s, size, from, last+1)
		if err != nil {
			return 0, err
		}
		i := slices.IndexFunc(pts, func(p db.Point) bool { return p.N > 0 && p.Start > 0 })
		if i < 0 {
			return 0, nil
		}
		from = pts[i].Start
	}
	return from, nil
}

// Hourly reports whether the subject's series can only be had in whole
// hours (a client's).
func Hourly(s db.Subject) bool { return s.Kind == db.SubjectClient }

// Format is how the time screens write a moment.
func Format(us int64) string { return time.UnixMicro(us).UTC().Format("Mon Jan 02 15:04") }

// Formatter is Format for the moments of a span: with the year when the
// span crosses one (a workspace holding last December and this January),
// where the weekday and the date alone would not tell them apart.
func (s Span) Formatter() func(us int64) string {
	if !s.CrossesYear() {
		return Format
	}
	return func(us int64) string { return time.UnixMicro(us).UTC().Format("Mon Jan 02 2006 15:04") }
}

// CrossesYear says whether the span starts and ends in different years
// (UTC).
func (s Span) CrossesYear() bool {
	return time.UnixMicro(s.First).UTC().Year() != time.UnixMicro(s.Last).UTC().Year()
}

// EventsOf is what the events of a kind are called on screen: a DNS query
// and an HTTP request are requests, a logon is a logon.
func EventsOf(k record.Kind) string {
	if k == record.KindLogon {
		return "logons"
	}
	return "requests"
}

// ClientOf is what the askers of a kind's events are called on screen:
// a logon has a source, a query or a request a client.
func ClientOf(k record.Kind) string {
	if k == record.KindLogon {
		return "source"
	}
	return "client"
}

// WithHelp is b described for one screen: the same keys, its own words.
func WithHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
