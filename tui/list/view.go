package list

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	onscreen "github.com/longtail/longtail/tui/internal/subject"
)

// layout is the column layout for the current width and data.
func (m *Model) layout() layout {
	var countW int
	if m.data != nil {
		countW = len(strconv.FormatInt(m.data.MaxCount, 10))
		withScore := m.sc != nil && m.sc.Any
		withRank := m.an != nil && m.an.AnyRanked
		withNet := m.an != nil && m.an.Network != nil && !m.res.Domains
		return m.withCategories(newLayout(m.c.Width, countW, m.data.First, m.data.Last, sortColumn(m.res.Sort), withScore, withRank, withNet))
	}
	return newLayout(m.c.Width, countW, 0, 0, colCount, false, false, false)
}

// View renders the list in exactly Width × Height cells.
func (m *Model) View() string {
	w, h := m.c.Width, m.c.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := make([]string, 0, h)
	s := m.c.Styles
	switch {
	case m.loadErr != nil:
		lines = append(lines, s.StatusError.Render(common.Fit("cannot read the workspace: "+m.loadErr.Error(), w)))
	case m.firstShown():
		lines = append(lines, m.firstView()...)
	default:
		lay := m.layout()
		sub := m.data.Subject
		lines = append(lines, m.infoBar(w), lay.header(s, m.res.Sort, m.res.Reverse, m.res.Domains, sub))
		end := min(len(m.res.Lines), m.offset+m.rowsHeight())
		rows := make([]viewRow, 0, max(0, end-m.offset))
		for p := m.offset; p < end; p++ {
			rows = append(rows, m.viewRow(p))
		}
		markSameBriefs(rows, lay.nameW)
		for _, vr := range rows {
			lines = append(lines, lay.render(s, vr, m.data.Events))
		}
		switch {
		case m.pending:
		case len(m.data.Names.Rows) == 0:
			lines = append(lines, s.Dim.Render(fmt.Sprintf("  no %s in this workspace (%s: next kind, %s: next subject)",
				sub.Title, m.c.Keys.List.Kind.Help().Key, m.c.Keys.List.By.Help().Key)))
		case len(m.res.Lines) == 0:
			lines = append(lines, s.Dim.Render("  nothing left: every row is hidden by a filter (0 turns them off)"))
		}
		if m.hintHeight() > 0 {
			for len(lines) < h-2-m.whyHeight() {
				lines = append(lines, "")
			}
			lines = append(lines[:h-2-m.whyHeight()], m.hintLine())
		}
		if wh := m.whyHeight(); wh > 0 {
			for len(lines) < h-1-wh {
				lines = append(lines, "")
			}
			lines = append(lines[:h-1-wh], m.whyView(w, wh)...)
		}
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:h-1], m.bottomBar(w))
	for i, l := range lines {
		// A line too long for the width (a message, a hint) shows it was cut.
		lines[i] = common.PadRight(ansi.Truncate(l, w, "…"), w)
	}
	return strings.Join(lines, "\n")
}

// hintLine names the keys that take out what is normal, for an analyst
// who does not know them yet: the first thing to do on a new workspace.
func (m *Model) hintLine() string {
	if m.inputKind == inputCategory {
		return m.categoryTally()
	}
	k := m.c.Keys.Filter
	var parts []string
	if !m.q.Hide[rules.Good] {
		parts = append(parts, k.HideGood.Help().Key+" known-good")
	}
	if !m.q.HideTop && m.topLeavesRows() {
		parts = append(parts, fmt.Sprintf("%s %d busiest", k.HideTop.Help().Key, m.q.TopN))
	}
	if !m.q.Rare {
		parts = append(parts, fmt.Sprintf("%s only rare ≤%d", k.Rare.Help().Key, m.q.RareK))
	}
	if !m.q.Unreviewed {
		parts = append(parts, k.Unreviewed.Help().Key+" only unreviewed")
	}
	parts = append(parts, m.c.Keys.Global.Help.Help().Key+" keys")
	return m.c.Styles.Dim.Render("take out the normal: " + strings.Join(parts, " · "))
}

// loadingText says what is being read, with the workspace's size as soon as
// the stored totals are in, and for how long.
func (m *Model) loadingText() string {
	took := fmt.Sprintf("%.1fs", time.Since(m.started).Seconds())
	switch {
	case m.stats == nil:
		return "  opening the workspace… " + took
	case m.data != nil:
		return "  reading the scores… " + took
	}
	return fmt.Sprintf("  loading %s names and %s domains (%s events)… %s", words.Int(m.stats.Names),
		words.Int(m.stats.Domains), chart.Count(m.stats.Events), took)
}

// firstShown says whether the first screen stands for the list: until it
// is loaded, and, opened by score, until the scores are in. The whole
// list shown by count meanwhile put other rows under the keys pressed,
// then jumped to the score order under them.
func (m *Model) firstShown() bool {
	return m.data == nil || m.byScoreFirst && m.first != nil
}

// viewRow gathers what line p shows.
func (m *Model) viewRow(p int) viewRow {
	r, domain := m.rowAt(p)
	l := m.res.Lines[p]
	vr := viewRow{row: r, domain: domain, child: l.Child, cursor: p == m.cursor, text: !m.data.Subject.Hostname,
		short: m.data.Subject.Short, selected: m.isSelected(p, m.keyAt(p)), arrived: m.q.Session.Arrived(r, domain)}
	if domain {
		vr.short = func(group string) string { return group }
	}
	if m.sparkW == m.layout().sparkWidth() {
		vr.spark = m.sparks[sparkKey{domain, r.ID}]
	}
	vr.score = review.NoScore
	if m.sc != nil {
		vr.score = m.sc.Of(domain)[l.Idx]
	}
	if m.an != nil {
		ranks, _ := m.an.Of(domain)
		vr.rank = ranks[l.Idx]
		if !domain && m.an.Network != nil {
			vr.net = m.an.Network[l.Idx]
		}
		vr.cat = m.categoryText(domain, l.Idx)
	}
	vr.rare = -1
	switch {
	case domain && m.res.RareValues != nil:
		vr.rare = m.res.RareValues[l.Idx]
	case !domain && m.res.RareShown != nil:
		if n := m.res.RareShown[r.DomainID]; n > 1 {
			if prev, _ := m.rowAt(max(0, p-1)); p == 0 || prev.DomainID != r.DomainID {
				vr.runOf, vr.group = n, r.Domain
			} else {
				vr.inRun = true
			}
		}
	}
	if domain {
		vr.verdict = m.verd.Domains[l.Idx]
		vr.expanded = m.q.Expanded[r.ID]
		vr.expandable = m.expandable(r)
	} else {
		vr.verdict = m.verd.Names[l.Idx]
	}
	return vr
}

// markSameBriefs marks the text rows whose brief, cut to the name
// column, reads as another's shown: they show their value's end.
func markSameBriefs(rows []viewRow, w int) {
	seen := map[string]int{}
	cuts := make([]string, len(rows)) // a brief parses a user agent: once a row
	for i := range rows {
		if rows[i].text {
			cuts[i] = common.Fit(rows[i].short(rows[i].row.Name), w)
			seen[cuts[i]]++
		}
	}
	for i := range rows {
		rows[i].tail = rows[i].text && seen[cuts[i]] > 1
	}
}

// infoBar is the top line: how much is shown of how much, the sort, the
// selection and the search.
func (m *Model) infoBar(w int) string {
	s := m.c.Styles
	total := len(m.data.Table(m.res.Domains).Rows)
	parts := []string{
		s.Title.Render(fmt.Sprintf("%s %s of %s", m.label(m.res.Domains), words.Int(int64(m.res.Rows)), words.Int(int64(total)))),
		m.eventsShown(words.Int[int64]),
	}
	if m.pending {
		parts = append(parts, s.Dim.Render("working…"))
	}
	if m.writeProgress != "" {
		parts = append(parts, s.Emphasis.Render(m.writeProgress))
	}
	if m.scoring {
		parts = append(parts, s.Emphasis.Render("scoring…"))
	}
	if n := m.selectedCount(); n > 0 || m.visual {
		v := ""
		if m.visual {
			v = " +range"
		}
		parts = append(parts, s.Selected.Render(fmt.Sprintf("%d selected%s", n, v)))
	}
	if m.searchText != "" {
		parts = append(parts, fmt.Sprintf("/%s: %d", common.Fit(m.searchText, 20), len(m.matches)))
	}
	if m.noteNext {
		parts = append(parts, s.Emphasis.Render("note on next mark"))
	}
	if m.res.Sort == review.SortScore && !m.res.Reverse && m.sc != nil && m.sc.Any {
		// The order is not a column's: say it, and the key back (last:
		// what is under way or selected matters more while it lasts).
		parts = append(parts, s.Emphasis.Render("sorted by score")+
			s.Dim.Render(" ("+m.c.Keys.List.Sort.Help().Key+": by count)"))
	} else if lay := m.layout(); !lay.has(sortColumn(m.res.Sort)) {
		// No column to carry the arrow (no scores yet): say the order.
		parts = append(parts, s.Dim.Render("sorted by "+m.res.Sort.String()))
	}
	bar := strings.Join(parts, " · ")
	if ansi.StringWidth(bar) > w {
		parts[1] = m.eventsShown(chart.Count)
		bar = strings.Join(parts, " · ")
	}
	return ansi.Truncate(bar, w, "…")
}

// eventsShown is how many events the rows shown hold, of how many when a
// filter hides some. Exact where the bar has room: a follow's 150 new events
// left "100k" as it was, and a rounded count cannot be checked against
// another tool's.
func (m *Model) eventsShown(count func(int64) string) string {
	if m.res.ShownEvents == m.data.Events {
		return "events " + count(m.data.Events)
	}
	return "events " + count(m.res.ShownEvents) + " of " + count(m.data.Events)
}

// bottomBar is the input or prompt when one is open, else the filters with
// what each hides, and the rules.
func (m *Model) bottomBar(w int) string {
	s := m.c.Styles
	switch {
	case m.inputKind != inputNone:
		return m.input.View(s, w)
	case m.scopePrompt:
		k := m.c.Keys.Mark
		return s.Prompt.Render("known-good for") + " " + common.HelpLine(s, w-16,
			onscreen.WithHelp(k.ScopeName, "this "+m.data.Subject.Column+" only"),
			onscreen.WithHelp(k.ScopeDomain, "whole "+m.data.Subject.Group), m.c.Keys.Prompt.Cancel)
	case m.data == nil:
		return ""
	}
	k := m.c.Keys.Filter
	parts := []string{words.Count(len(m.verd.Rules), "rule")}
	// In the order the filters apply, on or off: a filter keeps its place
	// (filters.go words them).
	for _, f := range m.filters() {
		switch {
		case f.on && f.key == k.Arrived.Help().Key:
			parts = append(parts, s.Emphasis.Render(fmt.Sprintf("%s: %s arrived while open", f.key, chart.Count(int64(m.res.Rows)))))
		case f.on && f.key == k.Fresh.Help().Key:
			// What the new filter leaves is the point: the new rows
			// (every other filter applies first).
			parts = append(parts, s.Emphasis.Render(fmt.Sprintf("%s: %s new since %s", f.key, chart.Count(int64(m.res.Rows)),
				common.Fit(strings.TrimPrefix(m.an.Since, "snapshot "), 20))))
		case f.on:
			parts = append(parts, s.Emphasis.Render(f.barLabel()))
		default:
			parts = append(parts, s.Dim.Render(f.barLabel()))
		}
	}
	parts = append(parts, s.Dim.Render(m.c.Keys.List.Filters.Help().Key+" what each hides"))
	return ansi.Truncate(strings.Join(parts, " │ "), w, "…")
}

// rareHides says what the rare filter hides: the values seen more than K
// times, or the groups most of whose values were.
func rareHides(groups bool) string {
	if groups {
		return "mostly >"
	}
	return ">"
}

// thousandsK writes a step of topSteps short: 500, 10k, 100k.
func thousandsK(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}
