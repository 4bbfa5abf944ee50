package list

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/tui/common"
)

// The networks filters (review.Query's HideASN and OnlyASN). "Hide the
// names whose answers are all in these autonomous systems" takes a whole
// CDN out at once: its key opens a prompt with the ASNs hidden so far, or
// the main network of the row under the cursor; an empty answer turns the
// filter off. The pivot key lists only what is in the main network of
// the row under the cursor (its names, or its clients), again: all.

// withNetworks says whether the list knows networks of its rows: a DNS
// name's answers', an address's own, with an AS table imported.
func (m *Model) withNetworks() bool {
	return m.an != nil && m.an.Nets[0] != nil
}

// noNetworks says how to get networks.
const noNetworks = "no networks: DNS names (by their answers), HTTP clients and logon sources, once an AS table is imported (longtail import-asn)"

// promptHideASN opens the prompt of the networks filter.
func (m *Model) promptHideASN() tea.Cmd {
	if !m.withNetworks() {
		return common.Status(noNetworks)
	}
	value := asnList(m.q.HideASN)
	if value == "" {
		if s := m.cursorAnswers(); len(s) > 0 {
			value = asnList(s.ASNs()[:1])
		}
	}
	return m.openInput(inputHideASN, "hide what is all in AS (empty: none): ", value)
}

// onlyNetwork lists only what is in the main network of the row under the
// cursor, or everything again when that filter is on.
func (m *Model) onlyNetwork() tea.Cmd {
	if !m.withNetworks() {
		return common.Status(noNetworks)
	}
	if m.q.OnlyASN != nil {
		m.q.OnlyASN = nil
		return m.recompute()
	}
	s := m.cursorAnswers()
	if len(s) == 0 {
		return common.Status("no known network for this row")
	}
	// The cursor's row is in the network: it keeps its place there.
	m.q.OnlyASN = s.ASNs()[:1]
	return tea.Batch(m.recompute(), common.Status("only what is in "+networks.Short(s[0].Network)+" (again: all)"))
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
	if r == nil || !m.withNetworks() {
		return nil
	}
	sets := m.an.Nets[0]
	if domain {
		sets = m.an.Nets[1]
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

// asnHides says what the filter bar shows of the networks filters: on or
// not, and what they hide ("AS15169,AS13335" cut short; "not AS15169").
func (m *Model) asnHides() (on bool, hiding string) {
	var parts []string
	if n := len(m.q.HideASN); n > 0 {
		text := strings.ReplaceAll(asnList(m.q.HideASN), ", ", ",")
		if n > 2 {
			text = fmt.Sprintf("AS%d +%d", m.q.HideASN[0], n-1)
		}
		parts = append(parts, text)
	}
	if len(m.q.OnlyASN) > 0 {
		parts = append(parts, "not "+asnList(m.q.OnlyASN))
	}
	return len(parts) > 0, strings.Join(parts, ", ")
}
