package list

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/subject"
)

// firstMsg is the top of the list the screen opens on, read from the
// workspace's stored orders while every value is loaded: on a workspace of
// 20M events the rows are on the screen in a tenth of a second instead of
// after the seconds the whole list takes. Keys wait for the whole list
// (the list replays them), as before; the rows can be read meanwhile. It
// is read before the whole list, not beside it: the two side by side took
// a second to show these rows on two busy cores, for the 30 ms this
// delays the list. No items: none to show.
type firstMsg struct {
	q     review.Query
	sub   subject.Subject
	items []review.Item
	state string // the stored place, read once for both (loadAll)
}

// loadFirst reads the first rows of the list as it will open: at the
// stored place's query, or the first screen's (the groups by score, known
// good hidden, else by count) of the first subject that has any. A place
// whose rows need the whole list (filters other than the verdicts', other
// sorts, expanded groups) shows the loading line alone.
func (m *Model) loadFirst() tea.Cmd {
	d, ctx, n, q, byCount := m.c.DB, m.c.Ctx, m.c.Height, m.q, m.opts.ByCount
	return func() tea.Msg {
		state, _ := d.ListState(ctx)
		var tries []review.Query
		if st, ok := decodeState(state); ok {
			tries = append(tries, st.Query)
		} else {
			q.Domains = true
			for _, k := range subject.Kinds {
				q.Subject = subject.Default(k).Code
				if !byCount {
					q.Sort = review.SortScore
					tries = append(tries, q)
				}
				q.Sort = review.SortCount
				tries = append(tries, q)
			}
		}
		for _, q := range tries {
			a, ok, err := review.FirstPage(ctx, d, q, n)
			if err != nil || !ok {
				return firstMsg{state: state} // the whole list says what went wrong
			}
			if len(a.Items) > 0 {
				return firstMsg{q: q, sub: q.Listing(), items: a.Items, state: state}
			}
		}
		return firstMsg{state: state}
	}
}

// firstView is the screen while the list loads, with its first rows when
// they came: the loading line, the columns and the rows, no cursor yet.
func (m *Model) firstView() []string {
	s := m.c.Styles
	f := m.first
	if f == nil || m.stats == nil {
		return []string{s.Title.Render("longtail"), "", m.loadingText()}
	}
	var maxCount int64
	withScore, withRank := false, false
	for _, it := range f.items {
		maxCount = max(maxCount, it.Count)
		withScore = withScore || it.Score != review.NoScore
		withRank = withRank || it.Rank > 0
	}
	lay := newLayout(m.c.Width, len(strconv.FormatInt(maxCount, 10)), m.stats.First, m.stats.Last, sortColumn(f.q.Sort), withScore, withRank, false)
	order := "count"
	if f.q.Sort == review.SortScore {
		order = "score"
	}
	lines := []string{
		s.Title.Render(fmt.Sprintf("%s: the top by %s", m.label(f.q.Domains), order)) + " · " + strings.TrimSpace(m.loadingText()),
		lay.header(s, f.q.Sort, false, f.q.Domains, f.sub),
	}
	for i := range f.items[:min(len(f.items), max(0, m.c.Height-3))] {
		it := &f.items[i]
		vr := viewRow{row: &it.Row, verdict: it.Verdict, domain: f.q.Domains, text: !f.sub.Hostname, short: f.sub.Short,
			score: it.Score, rank: it.Rank, rare: -1}
		if vr.domain {
			vr.short = func(group string) string { return group }
		}
		lines = append(lines, lay.render(s, vr, m.stats.Events))
	}
	return lines
}
