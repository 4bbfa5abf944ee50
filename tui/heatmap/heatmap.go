// Package heatmap is the patterns screen: one row per day, 24 columns for
// the hours, for all traffic, a name, a domain or a client — the day-by-day
// comparison that shows behaviour (office hours, evenings, weekends, a
// machine that never sleeps). Shades, not colours, carry the counts, and
// the legend says what each shade means, so it reads on any terminal.
package heatmap

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/subject"
)

const day = 24 * time.Hour

// Model is the heatmap screen.
type Model struct {
	c      common.Common
	target common.Target

	seq     uint64
	loading bool
	err     error
	grid    [][24]int64
	labels  []string
	total   int64
	peak    string // the busiest hour, said in words
	top     int    // first day on screen
	// again: the grid is being read again because the workspace grew; the
	// days on screen stay, unless they were the newest. grew: it grew
	// while a grid was being read, which is read again after it.
	again, grew bool
}

type gridMsg struct {
	seq    uint64
	grid   [][24]int64
	labels []string
	err    error
}

var seqs atomic.Uint64

// New opens the heatmap of the target (common.Opener).
func New(c common.Common, t common.Target) common.View { return &Model{c: c, target: t} }

// Init loads the subject's hourly counts over the days it was seen.
func (m *Model) Init() tea.Cmd {
	m.seq, m.loading = seqs.Add(1), true
	seq, ctx, d, subj := m.seq, m.c.Ctx, m.c.DB, m.target.Subject
	return func() tea.Msg {
		span, err := subject.LoadSpan(ctx, d, subj)
		if err != nil || span == (subject.Span{}) {
			// No event with a time: no days, where a row of 1970
			// stood for them.
			return gridMsg{seq: seq, err: err}
		}
		first := time.UnixMicro(span.First).UTC().Truncate(day)
		last := time.UnixMicro(span.Last).UTC().Truncate(day)
		pts, err := d.Series(ctx, subj, time.Hour, first.UnixMicro(), last.Add(day).UnixMicro())
		if err != nil {
			return gridMsg{seq: seq, err: err}
		}
		grid, labels := Grid(pts, first, last)
		return gridMsg{seq: seq, grid: grid, labels: labels}
	}
}

// Grid lays hourly points out as days first … last (midnights, UTC), with a
// label per day (dayLayout). A stretch of foldMin or more days
// without an event is one row that says how many days it stands for: a
// workspace of two captures a month apart is not a screen of empty days.
func Grid(pts []db.Point, first, last time.Time) ([][24]int64, []string) {
	days := int(last.Sub(first)/day) + 1
	grid := make([][24]int64, days)
	labels := make([]string, days)
	for d := range labels {
		labels[d] = first.AddDate(0, 0, d).Format(dayLayout)
	}
	for _, p := range pts {
		h := (p.Start - first.UnixMicro()) / time.Hour.Microseconds()
		if h >= 0 && h < int64(days)*24 {
			grid[h/24][h%24] += p.N
		}
	}
	return fold(grid, labels)
}

// dayLayout names a day whatever the days around it: a value seen within
// one month was labelled "Thu 02", no month nor year, beside an
// all-traffic heatmap of the same workspace saying "Dec 02 2021". The
// weekday stays, as in the timeline's times: weekends are half of what a
// day × hour view shows.
const dayLayout = "Mon Jan 02 2006"

// foldMin is the shortest run of empty days folded into one row.
const foldMin = 3

// fold replaces each run of foldMin or more days without events by one
// empty row labelled with its length.
func fold(grid [][24]int64, labels []string) ([][24]int64, []string) {
	var g [][24]int64
	var l []string
	for d := 0; d < len(grid); {
		run := 0
		for d+run < len(grid) && grid[d+run] == [24]int64{} {
			run++
		}
		if run >= foldMin {
			g, l = append(g, [24]int64{}), append(l, fmt.Sprintf("⋯ %d days", run))
			d += run
			continue
		}
		g, l = append(g, grid[d]), append(l, labels[d])
		d++
	}
	return g, l
}

// Update handles the answer and the scrolling keys.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	switch msg := msg.(type) {
	case gridMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loading, m.err = false, msg.err
		newest := m.top+m.rows() >= len(m.grid)
		m.grid, m.labels = msg.grid, msg.labels
		m.summarise()
		if !m.again || newest {
			m.top = len(m.grid) // more days than fit: the newest first
		}
		m.again = false
		m.clamp()
		if m.grew {
			m.grew = false
			return m, m.readAgain()
		}
		return m, nil
	case common.WorkspaceChangedMsg:
		if m.loading {
			m.grew = true
			return m, nil
		}
		return m, m.readAgain()
	case tea.KeyPressMsg:
		k := m.c.Keys.Nav
		rows := m.rows()
		switch {
		case key.Matches(msg, k.Up):
			m.top--
		case key.Matches(msg, k.Down):
			m.top++
		case key.Matches(msg, k.PageUp):
			m.top -= rows
		case key.Matches(msg, k.PageDown):
			m.top += rows
		case key.Matches(msg, k.Top):
			m.top = 0
		case key.Matches(msg, k.Bottom):
			m.top = len(m.grid)
		}
		m.clamp()
	}
	return m, nil
}

// readAgain reads the grid of a workspace that grew.
func (m *Model) readAgain() tea.Cmd {
	m.again = true
	return m.Init()
}

// summarise finds the total and the busiest hour.
func (m *Model) summarise() {
	m.total, m.peak = 0, ""
	var hi int64
	for d, row := range m.grid {
		for h, v := range row {
			m.total += v
			if v > hi {
				hi = v
				m.peak = fmt.Sprintf("busiest hour %s %02d:00 (%s)", m.labels[d], h, words.Int(v))
			}
		}
	}
}

// rows is how many days fit beside the title, info, hour header, a legend
// of up to two lines and the scroll line.
func (m *Model) rows() int { return max(m.c.Height-6, 1) }

func (m *Model) clamp() { m.top = min(max(m.top, 0), max(len(m.grid)-m.rows(), 0)) }

// SetSize lays the screen out.
func (m *Model) SetSize(width, height int) {
	m.c.SetSize(width, height)
	m.clamp()
}

// View draws the title with the totals, the heatmap (scrolled when there
// are more days than rows), its legend and a line saying what is off screen.
func (m *Model) View() string {
	w, h := m.c.Width, m.c.Height
	st := m.c.Styles
	lines := []string{st.Title.Render(fit("day × hour of "+subject.Describe(m.target)+", UTC", w))}
	switch {
	case m.err != nil:
		lines = append(lines, fit("error: "+textsafe.String(m.err.Error()), w))
	case m.loading:
		lines = append(lines, fit("loading…", w))
	case len(m.grid) == 0:
		lines = append(lines, st.Dim.Render(fit("no events", w)))
	default:
		info := words.Int(m.total) + " events"
		if m.peak != "" {
			info += " · " + m.peak
		}
		lines = append(lines, st.Dim.Render(fit(info, w)))
		lines = append(lines, strings.Split(chart.HeatmapWindow(m.grid, m.labels, w, m.top, m.rows()), "\n")...)
		if shown := min(m.rows(), len(m.grid)); shown < len(m.grid) {
			lines = append(lines, st.Dim.Render(fit(fmt.Sprintf("days %d–%d of %d (↑/↓ to scroll)", m.top+1, m.top+shown, len(m.grid)), w)))
		}
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines[:h], "\n")
}

func fit(s string, width int) string { return common.PadRight(common.Fit(s, width), width) }

// Title names the screen in the status line.
func (m *Model) Title() string { return "day × hour of " + subject.Describe(m.target) }

// KeyHelp lists the keys of this screen.
func (m *Model) KeyHelp() []common.HelpSection {
	k := m.c.Keys.Nav
	return []common.HelpSection{{Title: "Heatmap", Keys: []key.Binding{
		subject.WithHelp(k.Up, "earlier day"), subject.WithHelp(k.Down, "later day"),
		k.PageUp, k.PageDown, subject.WithHelp(k.Top, "first day"), subject.WithHelp(k.Bottom, "last day"),
	}}}
}

// Capturing is always false: the heatmap has no input.
func (m *Model) Capturing() bool { return false }
