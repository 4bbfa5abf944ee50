package list

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/tui/common"
)

// The networks filter: "hide the names whose answers are all in these
// autonomous systems", to take a whole CDN out at once (review.Query's
// HideASN). The key opens a prompt with the ASNs hidden so far, or the
// main network of the row under the cursor; an empty answer turns the
// filter off.

// withAnswerNetworks says whether the list knows networks of its
// answers: a DNS list, with an AS table imported.
func (m *Model) withAnswerNetworks() bool {
	return m.an != nil && m.an.Answers[0] != nil
}

// promptHideASN opens the prompt of the networks filter.
func (m *Model) promptHideASN() tea.Cmd {
	if !m.withAnswerNetworks() {
		return common.Status("no networks of answers: DNS names only, once an AS table is imported (longtail import-asn)")
	}
	value := asnList(m.q.HideASN)
	if value == "" {
		if s := m.cursorAnswers(); len(s) > 0 {
			value = asnList(s.ASNs()[:1])
		}
	}
	return m.openInput(inputHideASN, "hide answers all in AS (empty: none): ", value)
}

// hideASNs applies what was typed at the prompt.
func (m *Model) hideASNs(text string) tea.Cmd {
	asns, err := networks.ParseASNs(text)
	if err != nil {
		return common.Status(err.Error())
	}
	m.q.HideASN = asns
	m.hint = false
	return m.recompute()
}

// cursorAnswers is the answer networks of the row under the cursor.
func (m *Model) cursorAnswers() networks.Set {
	r, domain := m.current()
	if r == nil || !m.withAnswerNetworks() {
		return nil
	}
	sets := m.an.Answers[0]
	if domain {
		sets = m.an.Answers[1]
	}
	if l := m.res.Lines[m.cursor]; int(l.Idx) < len(sets) {
		return sets[l.Idx]
	}
	return nil
}

// asnList is ASNs as the prompt and the filter bar show them.
func asnList(asns []uint32) string {
	parts := make([]string, len(asns))
	for i, a := range asns {
		parts[i] = "AS" + strconv.FormatUint(uint64(a), 10)
	}
	return strings.Join(parts, ", ")
}

// asnHides says what the filter bar shows of the networks filter: on or
// not, and what it hides ("AS15169,AS13335" cut short).
func (m *Model) asnHides() (on bool, hiding string) {
	if len(m.q.HideASN) == 0 {
		return false, ""
	}
	text := strings.ReplaceAll(asnList(m.q.HideASN), ", ", ",")
	if len(m.q.HideASN) > 2 {
		text = fmt.Sprintf("AS%d +%d", m.q.HideASN[0], len(m.q.HideASN)-1)
	}
	return true, text
}
