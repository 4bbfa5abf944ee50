package list

import (
	"slices"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/tui/common"
)

// remoteMark marks what another screen asked for (common.MarkMsg): the
// same write, status and undo as a mark made here, the list's selection
// left alone.
func (m *Model) remoteMark(msg common.MarkMsg) tea.Cmd {
	switch {
	case m.data == nil:
		return common.Status("the list is still loading: mark again in a moment")
	case msg.Undo:
		return m.undoLast()
	}
	ts := []target{{name: msg.Name, domain: msg.Domain}}
	if msg.Clear {
		return m.clearRules(rules.NewMatcher(m.verd.Rules, msg.Kind), ts)
	}
	return m.writeMark(markReq{kind: msg.Kind, targets: ts, verdict: msg.Verdict, scope: msg.Scope})
}

// sameRules reports whether the verdicts were computed from rs already: a
// write's own RulesChangedMsg comes back to the list that made it.
func (m *Model) sameRules(rs []rules.Rule) bool {
	return m.verd != nil && slices.EqualFunc(m.verd.Rules, rs, func(a, b rules.Rule) bool {
		return a.ID == b.ID && a.Kind == b.Kind && a.Pattern == b.Pattern && a.Scope == b.Scope && a.Verdict == b.Verdict && a.Note == b.Note
	})
}
