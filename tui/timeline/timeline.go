// Package timeline is the activity-over-time screen: a bar chart of a
// name's, domain's or client's events, or of all traffic when nothing is
// selected, in buckets sized to the range shown. + and - change the bucket
// size (zoom), ←/→ move along the time axis, g/G jump to the subject's
// first/last event (all traffic's: the workspace's start/end).
package timeline

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/subject"
)

// buckets are the zoom levels, finest first.
var buckets = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	// Weeks, months of 30 days and quarters of 90, for a workspace of
	// months or years: at 80 columns months hold 11 years, and a honeypot
	// log of 2014 beside this year's opened on its newest part. Buckets
	// count from the Unix epoch, so a week starts on a Thursday.
	7 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour,
}

// Model is the timeline screen.
type Model struct {
	c      common.Common
	target common.Target

	span subject.Span // the workspace's: whether dates need their year
	// own is the subject's span: where it opens, what the view pans
	// and zooms over, where g/G go. A value seen in 2014 of a workspace
	// reaching to 2026 is otherwise one G or ← away from years of
	// nothing.
	own     subject.Span
	spanSeq uint64
	// empty: the workspace has no event with a time, and nothing is
	// drawn; a 1970 axis of nothing stood for it.
	empty bool
	level int   // index into buckets
	from  int64 // first bucket shown, unix µs, a multiple of the bucket

	seq     uint64
	loading bool
	err     error
	shown   series // what is drawn: the last answer
	// plot is the chart of shown as last drawn, at plotSize: drawing
	// it through ntcharts' canvas takes milliseconds, and View runs on
	// every message.
	plot     string
	plotSize [2]int
}

// series is one answer: the points of a range at a bucket size.
type series struct {
	points   []chart.Point
	from, to int64 // to: the window's end, or the bucket after the data's last
	bucket   time.Duration
	ok       bool
}

type spanMsg struct {
	seq       uint64
	span, own subject.Span // the workspace's, the subject's
	err       error
	// again: read again because the workspace grew (a follow): the
	// view keeps its zoom and place, or its newest edge when it showed it.
	again bool
}

type seriesMsg struct {
	seq uint64
	s   series
	err error
}

var seqs atomic.Uint64

func next() uint64 { return seqs.Add(1) }

// New opens the timeline of the target (common.Opener).
func New(c common.Common, t common.Target) common.View {
	return &Model{c: c, target: t}
}

// Init loads the workspace's span, over which the view pans, and the
// subject's, which it opens on; the first series follows.
func (m *Model) Init() tea.Cmd { return m.readSpan(false) }

// readSpan reads the spans in a command; again: for a workspace that grew.
func (m *Model) readSpan(again bool) tea.Cmd {
	m.spanSeq, m.loading = next(), true
	seq, ctx, d, subj := m.spanSeq, m.c.Ctx, m.c.DB, m.target.Subject
	return func() tea.Msg {
		s, err := subject.LoadSpan(ctx, d, db.Subject{Kind: db.SubjectAll})
		if err != nil {
			return spanMsg{seq: seq, err: err}
		}
		own, err := subject.LoadSpan(ctx, d, subj)
		if own == (subject.Span{}) {
			own = s
		}
		if err == nil && subj.Kind != db.SubjectAll && own.First == 0 && own.Last > 0 {
			// An undated event among the subject's, first seen at 0 in a
			// workspace written before first seen skipped undated events:
			// open on its dated ones (all traffic opens on its newest
			// part, as it did).
			if f, ferr := subject.DatedFirst(ctx, d, subj, own.Last); ferr == nil && f > 0 {
				own.First = f
			}
		}
		return spanMsg{seq, s, own, err, again}
	}
}

// cols is how many buckets fit: one braille dot column each, two to a
// plot column.
func (m *Model) cols() int { return chart.Dots(m.c.Width) }

func (m *Model) bucket() time.Duration { return buckets[m.level] }

func (m *Model) window() int64 { return m.bucket().Microseconds() * int64(m.cols()) }

// minLevel is the finest zoom the subject allows.
func (m *Model) minLevel() int {
	if subject.Hourly(m.target.Subject) {
		for i, b := range buckets {
			if b%time.Hour == 0 {
				return i
			}
		}
	}
	return 0
}

// fitLevel is the finest bucket whose window holds the whole of s. It
// counts the buckets s touches, not its length: buckets start on
// multiples of their size, so a span a little shorter than the window
// can reach into one bucket more than the window has.
func (m *Model) fitLevel(s subject.Span) int {
	for i := m.minLevel(); i < len(buckets); i++ {
		step := buckets[i].Microseconds()
		if floorTo(s.Last, step)-floorTo(s.First, step)+step <= step*int64(m.cols()) {
			return i
		}
	}
	return len(buckets) - 1
}

// floorTo is the start of t's bucket of size step.
func floorTo(t, step int64) int64 { return t - ((t%step)+step)%step }

// open places the first window on own: centred on it when it fits, its
// first and last buckets kept in (centring on the middle alone can leave
// the last event a bucket past the window's end); else on its newest part.
func (m *Model) open(own subject.Span) {
	m.level = m.fitLevel(own)
	step := m.bucket().Microseconds()
	lo, hi := floorTo(own.First, step), floorTo(own.Last, step)+step
	if hi-lo > m.window() {
		m.place(own.Last) // too long for one view
		return
	}
	m.place(own.First + (own.Last-own.First)/2)
	m.from = min(max(m.from, hi-m.window()), lo)
}

// place puts the window's centre at centre, aligned to the bucket and kept
// within the subject's span: before its first event and after its last
// there is nothing of it to see.
func (m *Model) place(centre int64) {
	step := m.bucket().Microseconds()
	lo := floorTo(m.own.First, step)
	hi := max(floorTo(m.own.Last, step)-m.window()+step, lo)
	if m.oneMinute() {
		lo = floorTo(lo-m.window()/2, step) // its minute mid-window
		hi = lo
	}
	m.from = min(max(floorTo(centre-m.window()/2, step), lo), hi)
}

// oneMinute reports whether the subject's events all fall in one bucket of
// the finest size, a minute: a span with no shape to stretch over the
// axis, where its one bucket took the whole width and its dot was drawn
// mid-plot, half a minute from its only tick. It is shown in a whole window
// around it instead, the dot at its time between ticks. (A client's series
// is kept by the hour, and its one hour stays the axis: six days of hours
// around it hid it.)
func (m *Model) oneMinute() bool {
	step := buckets[0].Microseconds()
	return m.minLevel() == 0 && floorTo(m.own.First, step) == floorTo(m.own.Last, step)
}

// axisEnd is where the axis of the window ends: with the data, a window
// wider than what is left of the span stopping at the bucket of its last
// event; a span of one minute's is the whole window (oneMinute).
func (m *Model) axisEnd() int64 {
	step := m.bucket().Microseconds()
	if m.oneMinute() {
		return m.from + m.window()
	}
	return max(min(m.from+m.window(), floorTo(m.own.Last, step)+step), m.from+step)
}

func (m *Model) centre() int64 { return m.from + m.window()/2 }

// zoomCentre is where a zoom in centres the narrower window: on the
// centre, unless the window around it would hold none of the events
// shown, then on the shown events' bucket nearest to the centre. Zooming
// in on a burst at the edge of a long span otherwise lands on silence.
func (m *Model) zoomCentre(centre int64) int64 {
	half, step := m.window()/2, m.shown.bucket.Microseconds()
	best, found := centre, false
	for _, p := range m.shown.points {
		if p.N == 0 {
			continue
		}
		mid := p.Start + step/2
		if p.Start+step > centre-half && p.Start < centre+half {
			return centre // the window around the centre has some
		}
		if !found || abs(mid-centre) < abs(best-centre) {
			best, found = mid, true
		}
	}
	return best
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func (m *Model) load() tea.Cmd {
	m.seq, m.loading = next(), true
	seq, ctx, d, subj := m.seq, m.c.Ctx, m.c.DB, m.target.Subject
	from, to, bucket := m.from, m.axisEnd(), m.bucket()
	return func() tea.Msg {
		pts, err := d.Series(ctx, subj, bucket, from, to)
		s := series{from: from, to: to, bucket: bucket, ok: true, points: make([]chart.Point, len(pts))}
		for i, p := range pts {
			s.points[i] = chart.Point(p)
		}
		return seriesMsg{seq, s, err}
	}
}

// Update handles answers and keys.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	switch msg := msg.(type) {
	case spanMsg:
		if msg.seq != m.spanSeq {
			return m, nil
		}
		if msg.err != nil {
			m.loading, m.err = false, msg.err
			return m, nil
		}
		if m.empty = msg.span == (subject.Span{}); m.empty {
			m.loading = false
			return m, nil
		}
		if msg.again {
			newest := m.from+m.window() > m.own.Last
			m.span, m.own = msg.span, msg.own
			if newest {
				m.place(m.own.Last - m.window()/2 + m.bucket().Microseconds())
			} else {
				m.place(m.centre())
			}
			return m, m.load()
		}
		// Open on the subject's own activity: the workspace may reach
		// from a 1970 undated log to today.
		m.span, m.own = msg.span, msg.own
		m.open(msg.own)
		return m, m.load()
	case seriesMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loading, m.err = false, msg.err
		if msg.err == nil {
			m.shown, m.plot = msg.s, ""
		}
		return m, nil
	case common.WorkspaceChangedMsg:
		if m.empty {
			return m, m.readSpan(false) // the first events: open on them
		}
		if m.span != (subject.Span{}) {
			return m, m.readSpan(true)
		}
	case tea.WindowSizeMsg:
		if m.span != (subject.Span{}) {
			return m, m.load() // SetSize moved the window; its series is not read yet
		}
	case tea.KeyPressMsg:
		if m.span == (subject.Span{}) {
			return m, nil // nothing to move over yet
		}
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	centre := m.centre()
	switch {
	case key.Matches(msg, k.Timeline.ZoomIn):
		if m.level <= m.minLevel() {
			return common.Status("finest bucket: " + bucketName(m.bucket()))
		}
		m.level--
		m.place(m.zoomCentre(centre))
	case key.Matches(msg, k.Timeline.ZoomOut):
		if m.level >= len(buckets)-1 {
			return common.Status("coarsest bucket: " + bucketName(m.bucket()))
		}
		if m.level >= m.fitLevel(m.own) {
			// Coarser buckets would only reach past the data's ends.
			return common.Status("all of it is in view already")
		}
		m.level++
		m.place(centre)
	case key.Matches(msg, k.Nav.Left):
		m.place(centre - m.window()/2)
	case key.Matches(msg, k.Nav.Right):
		m.place(centre + m.window()/2)
	case key.Matches(msg, k.Nav.Top):
		// The window starts with the bucket of the first event.
		m.place(m.own.First + m.window()/2)
	case key.Matches(msg, k.Nav.Bottom):
		// The window ends with the bucket of the last event.
		m.place(m.own.Last + m.bucket().Microseconds() - m.window() + m.window()/2)
	default:
		return nil
	}
	return m.load()
}

// SetSize keeps the centre of what is shown when the width changes.
func (m *Model) SetSize(width, height int) {
	centre := m.centre()
	m.c.SetSize(width, height)
	if m.span != (subject.Span{}) {
		m.place(centre)
	}
}

// bucketName writes a bucket size as people do: "5 min", "3 h", "1 day".
func bucketName(d time.Duration) string {
	switch {
	case d == 7*24*time.Hour:
		return "1 week"
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d day", d/(24*time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return fmt.Sprintf("%d min", d/time.Minute)
}

// View draws a title, a line saying bucket, range and counts, the chart,
// and a reminder of the keys.
func (m *Model) View() string {
	w, h := m.c.Width, m.c.Height
	st := m.c.Styles
	// The title keeps the bucket size: the line under it may have no
	// room for it (a view of part of a span crossing years).
	title, by := "timeline of "+subject.Describe(m.target), " by "+bucketName(m.bucket())
	if m.target.Subject.Kind == db.SubjectAll {
		title = "total traffic"
	}
	if m.empty {
		by = "" // no bucket holds anything
	}
	lines := []string{st.Title.Render(fit(common.Fit(title, w-ansi.StringWidth(by))+by, w))}
	s := m.shown
	switch {
	case m.err != nil:
		lines = append(lines, fit("error: "+textsafe.String(m.err.Error()), w))
	case m.empty:
		lines = append(lines, st.Dim.Render(fit("no events in the workspace", w)))
	case !s.ok:
		lines = append(lines, fit("loading…", w))
	default:
		to, format := s.to, m.span.Formatter()
		var total int64
		peak := chart.Point{}
		for _, p := range s.points {
			total += p.N
			if p.N > peak.N {
				peak = p
			}
		}
		info := m.info(total, format(s.from)+" – "+format(to), peak, format(peak.Start), w)
		lines = append(lines, st.Dim.Render(fit(info, w)))
		if m.plot == "" || m.plotSize != [2]int{w, h} {
			m.plot, m.plotSize = chart.TimeChart(s.points, s.from, to, s.bucket, w, max(h-3, 1), chart.Options{Years: m.span.CrossesYear()}), [2]int{w, h}
		}
		lines = append(lines, strings.Split(m.plot, "\n")...)
	}
	for len(lines) < h-1 {
		lines = append(lines, strings.Repeat(" ", w))
	}
	lines = append(lines[:max(h-1, 0)], st.Dim.Render(fit(hints(m.c.Keys), w)))
	return strings.Join(lines[:h], "\n")
}

// info is the line under the title: the bucket size, the range, the
// events shown and whether they are part of the subject's (a span too
// long for one view), the peak, what loads. What does not fit in width
// goes, least telling first, so that the count is never cut.
func (m *Model) info(total int64, between string, peak chart.Point, peakAt string, width int) string {
	type part struct {
		text string
		rank int    // the higher, the sooner it goes
		sep  string // before it: " · ", or " " for the range's zone
	}
	parts := []part{{bucketName(m.shown.bucket) + " buckets", 4, ""}, {between, 1, " · "}, {"UTC", 3, " "}, {words.Count(total, "event"), 0, " · "}}
	if s := m.shown; s.from > m.own.First || s.to <= m.own.Last {
		parts = append(parts, part{"part of the span", 2, " · "})
	}
	if peak.N > 0 {
		parts = append(parts, part{"peak " + words.Int(peak.N) + " at " + peakAt, 6, " · "})
	}
	if m.loading {
		parts = append(parts, part{"loading…", 5, " · "})
	}
	for {
		var line strings.Builder
		worst := 0
		for i, p := range parts {
			if i > 0 {
				line.WriteString(p.sep)
			}
			line.WriteString(p.text)
			if p.rank > parts[worst].rank {
				worst = i
			}
		}
		if len(parts) == 1 || ansi.StringWidth(line.String()) <= width {
			return line.String()
		}
		parts = append(parts[:worst], parts[worst+1:]...)
	}
}

// hints reminds of the keys, each by the first of its names.
func hints(k *common.KeyMap) string {
	first := func(b key.Binding) string { name, _, _ := strings.Cut(b.Help().Key, "/"); return name }
	return fmt.Sprintf("%s/%s zoom  %s/%s pan  %s/%s start/end", first(k.Timeline.ZoomIn), first(k.Timeline.ZoomOut),
		first(k.Nav.Left), first(k.Nav.Right), first(k.Nav.Top), first(k.Nav.Bottom))
}

// fit cuts or pads safe text to width cells.
func fit(s string, width int) string { return common.PadRight(common.Fit(s, width), width) }

// Title names the screen in the status line.
func (m *Model) Title() string { return "timeline of " + subject.Describe(m.target) }

// KeyHelp lists the keys of this screen.
func (m *Model) KeyHelp() []common.HelpSection {
	k := m.c.Keys
	start, end := "first seen", "last seen"
	if m.target.Subject.Kind == db.SubjectAll {
		start, end = "start of the workspace", "end of the workspace"
	}
	return []common.HelpSection{{Title: "Timeline", Keys: []key.Binding{
		k.Timeline.ZoomIn, k.Timeline.ZoomOut,
		subject.WithHelp(k.Nav.Left, "earlier (half a screen)"), subject.WithHelp(k.Nav.Right, "later (half a screen)"),
		subject.WithHelp(k.Nav.Top, start), subject.WithHelp(k.Nav.Bottom, end),
	}}}
}

// Capturing is always false: the timeline has no input.
func (m *Model) Capturing() bool { return false }
