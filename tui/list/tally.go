package list

import (
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/tui/common"
)

// The tally (tui/tally) counts the rows the list shows by category or by
// network; its enter comes back here as a ListPivotMsg: only that
// category (the category filter's "only"), or only that network (the
// OnlyASN filter of M), from the first row.

// openTally opens the tally on what the list shows now.
func (m *Model) openTally() tea.Cmd {
	if m.data == nil || m.an == nil {
		return common.Status("the list is still loading")
	}
	return common.Open(common.ScreenTally, common.Target{Label: m.Title(), Shown: m.shownNow()})
}

// shownNow is what the list shows, for the tally.
func (m *Model) shownNow() *common.Shown {
	return &common.Shown{Loaded: review.Loaded{Data: m.data, Verdicts: m.verd, Scores: m.sc, Annotations: m.an}, Result: m.res}
}

// announceShown tells the tally, if one is open, what the list shows after
// a reload of a changed workspace (the first result after it, once the
// reload's annotations are in).
func (m *Model) announceShown() tea.Cmd {
	if !m.reannounce || m.an == nil {
		return nil
	}
	m.reannounce = false
	return common.Cmd(common.ShownMsg{Shown: m.shownNow()})
}

// pivotTo applies the tally's pivot.
func (m *Model) pivotTo(p common.ListPivotMsg) tea.Cmd {
	if m.data == nil || m.an == nil {
		return nil
	}
	switch {
	case p.Category != "" && m.an.Categories != nil:
		set, unknown := m.an.Categories.Catalog.Parse(p.Category)
		if len(unknown) > 0 {
			return nil
		}
		m.q.Category.Only = set
	case len(p.ASNs) > 0:
		m.q.OnlyASN = p.ASNs
	default:
		return nil
	}
	m.clearSelection()
	m.cursor, m.offset, m.toTop, m.hint = 0, 0, true, false
	return tea.Batch(m.recompute(), common.Status("only "+common.Fit(p.Label, 40)+" (0: every filter off)"))
}
