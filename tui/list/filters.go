package list

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
)

// filterState is one of the list's filters as the status line and the
// filters screen (F) say it, in plain words, always in the order they
// apply: an analyst finds each in its place whether it is on or off.
type filterState struct {
	key string
	on  bool
	// off is what the key does (short: all must fit at 80 columns); hides
	// is what the filter hides when on; long says the filter in full.
	off, hides, long string
	h                review.Hidden
}

// filters are the list's filters, in the order they apply; those that
// need what the workspace lacks (a popularity list, a snapshot) only when
// it has it.
func (m *Model) filters() []filterState {
	k := m.c.Keys.Filter
	top, rare, rank := strconv.Itoa(m.q.TopN), strconv.FormatInt(m.q.RareK, 10), thousandsK(m.q.RankN)
	rareLong := "only the rare: seen at most " + rare + " times"
	if m.res.Domains {
		rareLong = "only the rare: most of their values seen at most " + rare + " times"
	}
	fs := []filterState{
		{k.HideGood.Help().Key, m.q.Hide[rules.Good], "hide good", "good", "hide known-good (rules of verdict good)", m.res.Hid[review.HideVerdict]},
		{k.Unreviewed.Help().Key, m.q.Unreviewed, "unreviewed", "reviewed", "only the unreviewed (no rule decides them)", m.res.Hid[review.Unreviewed]},
		{k.HideTop.Help().Key, m.q.HideTop, "top " + top, "busiest", "hide the " + top + " most visited", m.res.Hid[review.HideTop]},
		{k.Rare.Help().Key, m.q.Rare, "≤" + rare, rareHides(m.res.Domains) + rare, rareLong, m.res.Hid[review.Rare]},
	}
	if m.an != nil && m.an.AnyRanked {
		fs = append(fs, filterState{k.HideRanked.Help().Key, m.q.HideRanked, "rank≤" + rank, "rank≤" + rank,
			"hide what the popularity list ranks " + rank + " or better", m.res.Hid[review.HideRanked]})
	}
	if m.withNetworks() {
		on, hiding := m.asnHides()
		fs = append(fs, filterState{k.HideASN.Help().Key, on, "asn", hiding, "hide networks (" + k.HideASN.Help().Key + "), or all but some (" +
			k.OnlyASN.Help().Key + "): " + hiding, m.res.Hid[review.HideNetwork]})
	}
	if m.an != nil && m.an.Categories != nil {
		text := m.categoryFilterText()
		hides := strings.ReplaceAll(strings.ReplaceAll(text, "hide ", ""), "only ", "not ")
		fs = append(fs, filterState{k.Category.Help().Key, m.q.Category.On(), "cat", hides, "categories: " + text, m.res.Hid[review.Category]})
	}
	if m.an != nil && m.an.Fresh[0] != nil {
		fs = append(fs, filterState{k.Fresh.Help().Key, m.q.Fresh, "new", "not new",
			"only what is new since " + m.an.Since, m.res.Hid[review.Fresh]})
	}
	// What arrived while the screen was open (a follow, a capture) is
	// offered once there is some.
	arrived := m.arrivedRows()
	if arrived > 0 || m.q.Arrived {
		fs = append(fs, filterState{k.Arrived.Help().Key, m.q.Arrived, "arrived " + chart.Count(arrived), "not arrived",
			"only what arrived while the screen was open", m.res.Hid[review.Arrived]})
	}
	return fs
}

// barLabel is a filter in the status line: on, what it hides and how many
// rows ("H: 13 good hidden"); off, what its key would do.
func (f filterState) barLabel() string {
	if f.on {
		return fmt.Sprintf("%s: %s %s hidden", f.key, chart.Count(f.h.Rows), f.hides)
	}
	return f.key + " " + f.off
}

// filtersView is the filters screen: every filter, on or off, with what
// it hides in rows and events, and what is left.
type filtersView struct {
	c           common.Common
	intro, tail string
	rows        []filterRow
}

// filterRow is a filter on the filters screen; hides is "" when it is off.
type filterRow struct {
	key, long, hides string
	on               bool
}

// openFilters pushes the filters screen, written as the list is now.
func (m *Model) openFilters() tea.Cmd {
	if m.data == nil {
		return nil
	}
	noun := m.label(m.res.Domains)
	v := &filtersView{c: m.c,
		intro: fmt.Sprintf("The filters of the %s, in the order they apply (each counts what the ones above it left):", noun),
		tail: fmt.Sprintf("Shown: %s %s and %s events; %s. %s turns every filter off.", words.Int(int64(m.res.Rows)), noun,
			words.Int(m.res.ShownEvents), words.Count(len(m.verd.Rules), "rule"), m.c.Keys.Filter.Clear.Help().Key)}
	for _, f := range m.filters() {
		r := filterRow{key: f.key, long: f.long, on: f.on}
		if f.on {
			r.hides = fmt.Sprintf("hides %s %s and %s events", words.Int(f.h.Rows), noun, words.Int(f.h.Events))
		}
		v.rows = append(v.rows, r)
	}
	return common.Cmd(common.PushMsg{View: v})
}

func (v *filtersView) Init() tea.Cmd { return nil }

func (v *filtersView) Update(tea.Msg) (common.View, tea.Cmd) { return v, nil }

// View wraps the prose to the width and lays the filters out in columns
// sized to their words and the width.
func (v *filtersView) View() string {
	w, h := v.c.Width, v.c.Height
	out := []string{v.c.Styles.Title.Render(common.PadRight("filters", w))}
	out = append(out, wrap(v.intro, w)...)
	out = append(out, "")
	out = append(out, v.filterLines(w)...)
	out = append(out, "")
	out = append(out, wrap(v.tail, w)...)
	for len(out) < h {
		out = append(out, strings.Repeat(" ", w))
	}
	return strings.Join(out[:max(h, 0)], "\n")
}

// filterLines are the filters: key, words, ON or off in one column, and
// what an on filter hides after it when that fits, else on the next line
// under the words (at 80 columns it wrapped to column 0).
func (v *filtersView) filterLines(w int) []string {
	const keyW, indent = 3, "      " // "  H   "
	longW := 0
	for _, r := range v.rows {
		longW = max(longW, ansi.StringWidth(r.long))
	}
	longW = max(min(longW, w-len(indent)-len(" off")), 1)
	var out []string
	for _, r := range v.rows {
		state := "off"
		if r.on {
			state = "ON "
		}
		line := fmt.Sprintf("  %-*s %s %s", keyW, r.key, common.PadRight(common.Fit(r.long, longW), longW), state)
		switch {
		case r.hides == "":
		case ansi.StringWidth(line)+2+ansi.StringWidth(r.hides) <= w:
			line += "  " + r.hides
		default:
			out = append(out, common.PadRight(ansi.Truncate(line, w, "…"), w))
			line = indent + r.hides
		}
		out = append(out, common.PadRight(ansi.Truncate(line, w, "…"), w))
	}
	return out
}

// wrap breaks prose into lines of w cells.
func wrap(text string, w int) []string {
	var out []string
	for _, part := range strings.Split(ansi.Wrap(text, w, " "), "\n") {
		out = append(out, common.PadRight(ansi.Truncate(part, w, "…"), w))
	}
	return out
}

func (v *filtersView) SetSize(w, h int) { v.c.SetSize(w, h) }
func (v *filtersView) Title() string    { return "filters" }
func (v *filtersView) KeyHelp() []common.HelpSection {
	return []common.HelpSection{{Title: "Filters", Keys: []key.Binding{v.c.Keys.Global.Back}}, v.c.Keys.General()}
}
func (v *filtersView) Capturing() bool { return false }

// arrivedRows is how many rows of the table listed arrived in the session.
func (m *Model) arrivedRows() int64 {
	if m.q.Domains {
		return m.arrivedN[1]
	}
	return m.arrivedN[0]
}
