package list

import (
	"fmt"
	"sort"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/tui/common"
)

// search makes what was typed at the prompt the list's search and jumps
// to its first match. A regex that does not compile leaves the prompt
// open on it, to mend, and the search as it was: kept, it would say its
// error again each time the list changed (a filter key runs it again).
func (m *Model) search(value string) tea.Cmd {
	match, err := review.CompileSearch(value)
	if err != nil {
		m.inputKind = inputSearch
		return common.Error(fmt.Errorf("search: %w", err))
	}
	m.searchText, m.searchMatch = value, match
	if value == "" {
		m.matches = nil
		return nil
	}
	return m.runSearch(true)
}

// runSearch finds every visible row matching the search, in a command.
// first: jump to the first match at or after the cursor when it arrives.
func (m *Model) runSearch(first bool) tea.Cmd {
	m.searchSeq++
	seq, data, domains, lines, match := m.searchSeq, m.data, m.res.Domains, m.res.Lines, m.searchMatch
	// first is false for a re-run after the list changed: the cursor stays.
	return func() tea.Msg {
		return searchMsg{seq: seq, matches: review.Search(data, domains, lines, match), stay: !first}
	}
}

// jumpToMatch moves to the next (dir 1) or previous (-1) match, wrapping;
// dir 0 goes to the first match at or after the cursor.
func (m *Model) jumpToMatch(dir int) tea.Cmd {
	if m.searchText == "" {
		return nil
	}
	n := len(m.matches)
	if n == 0 {
		return common.Status("no match for " + common.Fit(m.searchText, 40))
	}
	i := sort.SearchInts(m.matches, m.cursor)
	switch {
	case dir > 0 && i < n && m.matches[i] == m.cursor:
		i++
	case dir < 0:
		i--
	}
	i = (i%n + n) % n
	m.moveTo(m.matches[i])
	return tea.Batch(m.afterMove(), common.Status(fmt.Sprintf("match %d of %d", i+1, n)))
}
