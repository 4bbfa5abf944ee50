package list

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/engine/verdicts"
	"github.com/longtail/longtail/tui/common"
)

// markReq is a mark being made: the rows it acts on, the verdict, and for
// known-good the scope chosen with one more key.
type markReq struct {
	kind    subject.Code // the subject listed
	targets []target
	verdict rules.Verdict
	scope   rules.Scope // for Good: chosen at the prompt
	note    string
}

// target is one row a mark acts on.
type target struct {
	name, domain string
	isDomain     bool // a registered domain row (rolled up)
}

// writeJob is one serialised write: it returns a line for the status. A
// write undo can take back keeps its step in the workspace (db.PushUndo),
// so that undo survives a restart and covers imports.
type writeJob func(ctx context.Context, d *db.DB) (string, error)

// writtenMsg: a write is in the workspace and the verdicts were recomputed.
type writtenMsg struct {
	data *review.Dataset // verd is of it
	verd *review.Verdicts
	kind writeKind
	text string
	err  error
}

// writeKind says what a write was, for what follows it.
type writeKind uint8

const (
	writeMark   writeKind = iota
	writeUndo             // not itself undoable; may take ranks back
	writeImport           // may bring ranks too
)

// targets returns the rows to mark: the selection (and visual range) if
// any, else the row under the cursor.
func (m *Model) targets() []target {
	var out []target
	add := func(r *review.Row, domain bool) {
		out = append(out, target{name: r.Name, domain: r.Domain, isDomain: domain})
	}
	if len(m.selected) == 0 && !m.visual {
		if r, d := m.current(); r != nil {
			add(r, d)
		}
		return out
	}
	seen := map[selKey]bool{}
	for p := range m.res.Lines {
		k := m.keyAt(p)
		if m.isSelected(p, k) && !seen[k] {
			seen[k] = true
			add(m.rowAt(p))
		}
	}
	// Selected rows hidden by a filter since: still marked.
	for k := range m.selected {
		if !seen[k] {
			t := m.data.Names
			if k.domain {
				t = m.data.Domains
			}
			add(&t.Rows[k.idx], k.domain)
		}
	}
	return out
}

// startMark begins a mark: known-good asks for the scope first, a note is
// asked for when noteNext is on, then it is written.
func (m *Model) startMark(v rules.Verdict) tea.Cmd {
	ts := m.targets()
	if len(ts) == 0 {
		return nil
	}
	req := &markReq{kind: m.data.Subject.Code, targets: ts, verdict: v}
	if v == rules.Good && groupsOnly(ts) {
		// A group's row (a registered domain, a family, a section, a
		// network) stands for its values, and only a domain rule decides
		// it: "this one only" on it made a rule of the bare domain that
		// left the row and its names undecided.
		req.scope = rules.Domain
		return m.afterScope(req)
	}
	if v == rules.Good {
		m.pendingMark, m.scopePrompt = req, true
		return nil
	}
	return m.afterScope(req)
}

// groupsOnly says whether every target is a group's row.
func groupsOnly(ts []target) bool {
	for _, t := range ts {
		if !t.isDomain {
			return false
		}
	}
	return true
}

// scopeKey answers the known-good scope prompt.
func (m *Model) scopeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	req := m.pendingMark
	switch {
	case key.Matches(msg, k.Mark.ScopeName):
		req.scope = rules.Name
	case key.Matches(msg, k.Mark.ScopeDomain):
		req.scope = rules.Domain
	case key.Matches(msg, k.Prompt.Cancel):
		m.scopePrompt, m.pendingMark = false, nil
		return common.Status("mark cancelled")
	default:
		return nil
	}
	m.scopePrompt = false
	return m.afterScope(req)
}

func (m *Model) afterScope(req *markReq) tea.Cmd {
	if m.noteNext {
		m.noteNext = false
		m.pendingMark = req
		return m.openInput(inputNote, fmt.Sprintf("note for %s: ", req.verdict), "")
	}
	m.pendingMark = nil
	return m.submitMark(*req)
}

// rulesFor turns a mark into rules. Known-good on a name follows the
// chosen scope: the name itself, or its registered domain with everything
// below. Other verdicts are for the name itself; any verdict on a domain
// row is for the whole domain.
func (req *markReq) rulesFor(author string) []rules.Rule {
	var out []rules.Rule
	seen := map[string]bool{}
	for _, t := range req.targets {
		r := rules.Rule{Kind: req.kind, Pattern: t.name, Scope: rules.Name, Verdict: req.verdict, Note: req.note,
			Author: author, Origin: "tui"}
		switch {
		case t.isDomain: // only a domain rule decides a group's row
			r.Scope = rules.Domain
		case req.verdict == rules.Good && req.scope == rules.Domain:
			r.Pattern, r.Scope = t.domain, rules.Domain
		}
		if k := r.Scope.String() + " " + r.Pattern; !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// submitMark queues the write of a mark. The UI says "marked" only when
// the rules are in the workspace and the verdicts recomputed.
func (m *Model) submitMark(req markReq) tea.Cmd {
	m.clearSelection()
	return m.writeMark(req)
}

// writeMark queues the write of req's rules.
func (m *Model) writeMark(req markReq) tea.Cmd {
	rs := req.rulesFor(m.opts.Author)
	for i := range rs {
		if why := rs[i].OnSuffix(); why != "" {
			return common.Status(textsafe.String(rs[i].Pattern) + " " + why + ": mark a domain under it, or the name alone")
		}
	}
	text := fmt.Sprintf("marked %s: %s", req.verdict, describe(rs))
	return m.queue(text, "", func(ctx context.Context, d *db.DB) (string, error) {
		stored, replaced, err := d.PutRules(ctx, rs)
		if err != nil {
			return "", err
		}
		return verdicts.KeepUndo(ctx, d, withWhole(text, "marked "+req.verdict.String()+": ", rs),
			db.UndoStep{What: "the mark of " + describe(rs), Stored: stored, Replaced: replaced}), nil
	}, writeMark)
}

// clearMarks deletes the rules that decide the target rows.
func (m *Model) clearMarks() tea.Cmd {
	ts := m.targets()
	m.clearSelection()
	return m.clearRules(m.verd.Matcher, ts)
}

// clearRules deletes the rules of matcher that decide ts.
func (m *Model) clearRules(matcher *rules.Matcher, ts []target) tea.Cmd {
	var del []rules.Rule
	seen := map[int64]bool{}
	for _, t := range ts {
		if r, ok := matcher.MatchRow(t.name, t.domain, t.isDomain); ok && !seen[r.ID] {
			seen[r.ID] = true
			del = append(del, r)
		}
	}
	if len(del) == 0 {
		return common.Status("no verdict to clear")
	}
	ids := make([]int64, len(del))
	for i, r := range del {
		ids[i] = r.ID
	}
	text := "cleared " + describe(del)
	return m.queue(text, "", func(ctx context.Context, d *db.DB) (string, error) {
		if err := d.DeleteRules(ctx, ids); err != nil {
			return "", err
		}
		return verdicts.KeepUndo(ctx, d, withWhole(text, "cleared ", del), db.UndoStep{What: "the clearing of " + describe(del), Deleted: del}), nil
	}, writeMark)
}

// undoLast takes the newest step of the workspace's undo back: a mark, a
// cleared mark or an import, made in this session or an earlier one.
func (m *Model) undoLast() tea.Cmd {
	return m.queue("an undo", "", verdicts.UndoLast, writeUndo)
}

// queuedWrite is a write waiting for the one before it.
type queuedWrite struct {
	job      writeJob
	kind     writeKind
	rec      *common.Write // what common.Writes knows of it
	progress string        // shown while it runs; "": nothing to show
}

// queue runs writes one at a time, in order, so that their verdicts arrive
// in order too. what says what the write is, should it never be made;
// progress, what the info bar says while it runs, for a write that
// takes long enough to be read ("" for one that does not).
func (m *Model) queue(what, progress string, job writeJob, kind writeKind) tea.Cmd {
	m.writes = append(m.writes, queuedWrite{job, kind, m.c.Writes.Begin(what), progress})
	if m.writing {
		return nil
	}
	return m.nextWrite()
}

// nextWrite starts the first queued write.
func (m *Model) nextWrite() tea.Cmd {
	if len(m.writes) == 0 {
		return nil
	}
	w := m.writes[0]
	m.writes = m.writes[1:]
	m.writing, m.writingKind, m.writeProgress = true, w.kind, w.progress
	data, d, ctx := m.data, m.c.DB, m.c.Ctx
	return func() tea.Msg {
		var text string
		err := w.rec.Run(func() (err error) {
			text, err = w.job(ctx, d)
			return err
		})
		if err != nil {
			return writtenMsg{err: err}
		}
		rs, err := d.Rules(ctx)
		if err != nil {
			return writtenMsg{err: err}
		}
		return writtenMsg{data: data, verd: review.NewVerdicts(data, rs), kind: w.kind, text: text}
	}
}

// written applies a finished write and starts the next one; the scores
// follow in the background (the verdict is shown at once, scored later).
func (m *Model) written(msg writtenMsg) tea.Cmd {
	m.writing, m.writeProgress = false, ""
	next := m.nextWrite()
	if msg.err != nil {
		return tea.Batch(next, common.Error(msg.err))
	}
	var after []tea.Cmd
	if !m.opts.NoRescore {
		after = append(after, m.rescore())
	}
	if msg.kind == writeImport || msg.kind == writeUndo {
		after = append(after, m.loadExtras(false, true)) // ranks may have come or gone
	}
	if msg.data != m.data {
		// The workspace was reloaded meanwhile: the verdicts are of the
		// old names.
		return tea.Batch(append(after, next, m.refreshVerdicts(), common.Status(msg.text))...)
	}
	m.verd = msg.verd
	// The other screens (a pivot's verdicts) follow; the list has them.
	after = append(after, common.Cmd(common.RulesChangedMsg{Rules: msg.verd.Rules}))
	return tea.Batch(append(after, next, m.recompute(), common.Status(msg.text))...)
}

// importList runs the import hook on a path, then reloads the verdicts;
// the info bar says it runs meanwhile: a large list takes seconds.
func (m *Model) importList(path string) tea.Cmd {
	if path == "" {
		return nil
	}
	file, err := verdicts.CheckTyped(path)
	if err != nil {
		return common.Error(err)
	}
	imp, say := m.opts.Import, "importing "+textsafe.String(filepath.Base(file))+"…" // not "x.txt bad…"
	return m.queue("import of "+textsafe.String(path), say, func(ctx context.Context, d *db.DB) (string, error) {
		return imp(ctx, d, path)
	}, writeImport)
}

// describe names the rules of a write in a few words.
func describe(rs []rules.Rule) string {
	if len(rs) == 0 {
		return "nothing"
	}
	s := scoped(rs[0], describedValue(rs[0]))
	if len(rs) > 1 {
		s += fmt.Sprintf(" and %d more", len(rs)-1)
	}
	return s
}

// withWhole is a message whose first line, the status line's, cuts the
// rules' values (describe), followed by them whole for the messages
// screen (!), where two names cut alike ("…adtech-prod.aws.oath.cloud")
// read as one; at most maxWhole of them.
func withWhole(text, lead string, rs []rules.Rule) string {
	var vals []string
	for _, r := range rs[:min(len(rs), maxWhole)] {
		vals = append(vals, scoped(r, textsafe.String(r.Pattern)))
	}
	whole := lead + strings.Join(vals, ", ")
	if len(rs) > maxWhole {
		whole += fmt.Sprintf(" and %d more", len(rs)-maxWhole)
	}
	if whole == text {
		return text
	}
	return text + "\n" + whole
}

// scoped is a rule's value v with its scope: a group's rule says its group
// ("network 10.23.123.0/24", "domain offsec"); the "*." of a DNS wildcard
// only for host names, whose registered domain it is.
func scoped(r rules.Rule, v string) string {
	if r.Scope != rules.Domain {
		return v
	}
	if sub, ok := subject.ByCode(r.Kind); ok && !sub.Hostname {
		return sub.GroupWord() + " " + v
	}
	return "*." + v + " and " + v
}

// maxWhole is the most values a message names whole.
const maxWhole = 20

// maxDescribed is the most cells a rule's value takes in a message: at 80
// columns the status line keeps it whole after "marked suspicious: ",
// where a tunnel's 60-character name lost its registered domain.
const maxDescribed = 36

// describedValue is a rule's value in a message: a host name cut at the
// left, keeping the registered domain; other text (a user agent, a path)
// at the right, keeping its start.
func describedValue(r rules.Rule) string {
	if sub, ok := subject.ByCode(r.Kind); ok && !sub.Hostname {
		return common.Fit(textsafe.String(r.Pattern), maxDescribed)
	}
	return common.FitName(r.Pattern, maxDescribed)
}

// isSelected: in the selection, or inside the visual range.
func (m *Model) isSelected(p int, k selKey) bool {
	if m.selected[k] {
		return true
	}
	if !m.visual {
		return false
	}
	lo, hi := min(m.visualAnchor, m.cursor), max(m.visualAnchor, m.cursor)
	return p >= lo && p <= hi
}

// selectedCount is how many rows a mark would take: the selection and the
// rows of the visual range not in it.
func (m *Model) selectedCount() int {
	n := len(m.selected)
	if !m.visual || len(m.res.Lines) == 0 {
		return n
	}
	lo, hi := min(m.visualAnchor, m.cursor), min(max(m.visualAnchor, m.cursor), len(m.res.Lines)-1)
	if n == 0 {
		return hi - lo + 1 // (a range over a whole list is not walked each frame)
	}
	for p := lo; p <= hi; p++ {
		if !m.selected[m.keyAt(p)] {
			n++
		}
	}
	return n
}

func (m *Model) toggleSelect() {
	if m.cursor >= len(m.res.Lines) {
		return
	}
	k := m.keyAt(m.cursor)
	if m.selected[k] {
		delete(m.selected, k)
	} else {
		m.selected[k] = true
	}
	m.move(1)
}

// toggleVisual starts a range at the cursor, or ends it, keeping the range
// in the selection.
func (m *Model) toggleVisual() {
	if !m.visual {
		m.visual, m.visualAnchor = true, m.cursor
		return
	}
	lo, hi := min(m.visualAnchor, m.cursor), max(m.visualAnchor, m.cursor)
	for p := lo; p <= hi && p < len(m.res.Lines); p++ {
		m.selected[m.keyAt(p)] = true
	}
	m.visual = false
}

func (m *Model) clearSelection() {
	m.visual = false
	clear(m.selected)
}
