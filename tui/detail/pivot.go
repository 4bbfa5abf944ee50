package detail

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/subject"
)

// The pivot is a list of names like the review list: it hides what the
// list's filters of verdicts hide (known-good, or all but the unreviewed)
// and, with the rare filter on, the names seen more than K times from all
// clients, and marks with the list's keys. The list writes the marks
// (common.MarkMsg), so that one undo history covers both; the new rules
// come back to every screen (common.RulesChangedMsg) and the rows follow.

// verdicts decides each loaded row from the rules, per subject.
func (v *Counts) verdicts() {
	matchers := map[engsubject.Code]*rules.Matcher{}
	for i := range v.loaded {
		r := &v.loaded[i]
		m := matchers[r.kind]
		if m == nil {
			m = rules.NewMatcher(v.rules, r.kind)
			matchers[r.kind] = m
		}
		r.verdict = rules.None
		if rule, ok := m.MatchRow(r.raw, r.domain, false); ok {
			r.verdict = rule.Verdict
		}
	}
}

// hides says whether the list's filters hide a row: by its verdict, or
// with the rare filter on, by how often its name was seen in all.
func hides(q *review.Query, r *countCells) bool {
	return q.Hide[r.verdict] || q.Unreviewed && r.verdict != rules.None || q.Rare && r.total > q.RareK
}

// filterRows shows the loaded rows the list's filters keep, the cursor
// staying on its row, and counts what they hide.
func (v *Counts) filterRows() {
	var keepID uint32
	if i, ok := v.tbl.current(); ok && i < len(v.rows) {
		keepID = v.rows[i].id
	}
	q := v.filters()
	v.rows, v.hidden = v.rows[:0], 0
	for _, r := range v.loaded {
		if hides(&q, &r) {
			v.hidden++
			continue
		}
		v.rows = append(v.rows, r)
	}
	hay := make([]string, len(v.rows))
	for i, r := range v.rows {
		hay[i] = strings.ToLower(r.searched())
	}
	v.tbl.setRows(hay)
	for j, i := range v.tbl.shown {
		if v.rows[i].id == keepID {
			v.tbl.cursor = j
		}
	}
	v.tbl.scroll()
}

// searched is what / looks in: a pivot's row's label too, as it is shown
// ("/dns" keeps the DNS names, as "/http" the HTTP rows).
func (r *countCells) searched() string {
	if r.label == "" {
		return r.text
	}
	return r.label + " " + r.text
}

// filters are the list's filters, or none when no list published any.
func (v *Counts) filters() review.Query {
	if v.pivot && v.c.Shared != nil {
		return v.c.Shared.Filters
	}
	return review.Query{}
}

// hiddenLine says what the list's filters hide here, "" when nothing.
func (v *Counts) hiddenLine() string {
	if v.hidden == 0 {
		return ""
	}
	q := v.filters()
	var what []string
	for _, vd := range []rules.Verdict{rules.Good, rules.Suspicious, rules.Bad} {
		if q.Hide[vd] {
			what = append(what, vd.String())
		}
	}
	if q.Unreviewed {
		what = []string{"marked"}
	}
	if q.Rare {
		what = append(what, fmt.Sprintf("seen >%d", q.RareK))
	}
	return fmt.Sprintf("%s hidden as in the list (%s)", words.Count(v.hidden, v.pivotNoun()), strings.Join(what, ", "))
}

// markKey handles a, s, b, x, u on the pivot's row, and the scope key
// after a; ok is false for any other key.
func (v *Counts) markKey(km tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	k := v.c.Keys.Mark
	if v.scopePrompt {
		v.scopePrompt = false
		switch {
		case key.Matches(km, k.ScopeName):
			return v.mark(rules.Good, rules.Name), true
		case key.Matches(km, k.ScopeDomain):
			return v.mark(rules.Good, rules.Domain), true
		}
		return common.Status("mark cancelled"), true
	}
	switch {
	case key.Matches(km, k.Good):
		if _, ok := v.tbl.current(); ok {
			v.scopePrompt = true
		}
		return nil, true
	case key.Matches(km, k.Suspicious):
		return v.mark(rules.Suspicious, rules.Name), true
	case key.Matches(km, k.Bad):
		return v.mark(rules.Bad, rules.Name), true
	case key.Matches(km, k.Clear):
		msg, ok := v.markMsg()
		msg.Clear = true
		return markCmd(msg, ok), true
	case key.Matches(km, k.Undo):
		return common.Cmd(common.MarkMsg{Undo: true}), true
	}
	return nil, false
}

// scopeLine is the known-good scope prompt, worded as the list's: the
// row's subject says what "this one" and "whole" are (a path's section).
func (v *Counts) scopeLine(width int) string {
	s, k := v.c.Styles, v.c.Keys.Mark
	var code engsubject.Code // the prompt opens on a row: a would not ask without one
	if i, ok := v.tbl.current(); ok {
		code = v.rows[i].kind
	}
	sub := pivotSubject(code)
	head := s.Prompt.Render("known-good for") + " "
	keys := common.HelpLine(s, width-cellWidth(head), subject.WithHelp(k.ScopeName, "this "+sub.Column+" only"),
		subject.WithHelp(k.ScopeDomain, "whole "+sub.Group), v.c.Keys.Prompt.Cancel)
	return common.PadRight(head+keys, width)
}

func (v *Counts) mark(vd rules.Verdict, scope rules.Scope) tea.Cmd {
	msg, ok := v.markMsg()
	msg.Verdict, msg.Scope = vd, scope
	return markCmd(msg, ok)
}

// markMsg is the request for the row under the cursor.
func (v *Counts) markMsg() (common.MarkMsg, bool) {
	i, ok := v.tbl.current()
	if !ok {
		return common.MarkMsg{}, false
	}
	r := v.rows[i]
	return common.MarkMsg{Kind: r.kind, Name: r.raw, Domain: r.domain}, true
}

func markCmd(msg common.MarkMsg, ok bool) tea.Cmd {
	if !ok {
		return nil
	}
	return common.Cmd(msg)
}

// rulesChanged takes the new rules: the verdicts and the rows follow.
func (v *Counts) rulesChanged(rs []rules.Rule) {
	if !v.pivot || v.loaded == nil {
		return
	}
	v.rules = rs
	v.verdicts()
	v.filterRows()
}
