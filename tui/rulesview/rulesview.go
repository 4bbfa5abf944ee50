// Package rulesview is the verdict-rules screen: every rule with its scope,
// verdict, note, origin, author and time, and how many of the loaded names
// and events it decides; delete, change the verdict, edit the note, undo.
package rulesview

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/lists"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/engine/verdicts"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/scroll"
)

// Names walks the loaded values of one subject with their groups and
// counts (the list's data): the coverage shown is over them.
type Names struct {
	Subject subject.Code
	Rows    []review.Row
}

// coverage is what one rule decides among the loaded names.
type coverage struct{ names, events int64 }

// Model is the rules view.
type Model struct {
	c     common.Common
	names Names

	rules   []rules.Rule // newest first
	cover   map[int64]coverage
	widths  widths // of the rules' cells, measured once a load
	loaded  bool
	seq     int
	cursor  int
	offset  int
	editing bool
	input   common.Input
	writing bool
}

// New returns the rules view; names is walked (in a command) to count what
// each rule covers.
func New(c common.Common, names Names) *Model {
	return &Model{c: c, names: names, cover: map[int64]coverage{}}
}

type (
	loadedMsg struct {
		seq   int
		rules []rules.Rule
		cover map[int64]coverage
		err   error
	}
	writtenMsg struct {
		rules []rules.Rule
		text  string
		err   error
	}
)

// Init loads the rules and their coverage.
func (m *Model) Init() tea.Cmd { return m.reload(nil) }

// reload reads the rules (when rs is nil) and counts their coverage.
func (m *Model) reload(rs []rules.Rule) tea.Cmd {
	m.seq++
	seq, d, ctx, names := m.seq, m.c.DB, m.c.Ctx, m.names
	return func() tea.Msg {
		if rs == nil {
			var err error
			if rs, err = d.Rules(ctx); err != nil {
				return loadedMsg{seq: seq, err: err}
			}
		}
		c, err := coverAll(ctx, d, rs, names)
		return loadedMsg{seq: seq, rules: rs, cover: c, err: err}
	}
}

// coverAll counts the coverage of every rule over the values of its own
// subject: the list's loaded rows for the subject it shows, the
// workspace's for the others (read here, in the command). Counting only
// the list's subject showed a logon rule's "1 109" while the list showed
// logons and "– –" after K.
func coverAll(ctx context.Context, d *db.DB, rs []rules.Rule, names Names) (map[int64]coverage, error) {
	out := cover(rs, names)
	var others []db.NameRow
	seen := map[subject.Code]bool{names.Subject: names.Subject != 0}
	for _, r := range rs {
		if code := r.Subject(); !seen[code] {
			seen[code] = true
			rows, err := d.AllNames(ctx, code)
			if err != nil {
				return nil, err
			}
			others = append(others, rows...)
		}
	}
	for _, r := range rs {
		if _, ok := out[r.ID]; !ok {
			out[r.ID] = coverage{} // of another subject: counted below, 0 if it decides none
		}
	}
	for id, c := range verdicts.Coverage(rs, others) {
		out[id] = coverage{c.Names, c.Events}
	}
	return out, nil
}

// cover counts, per rule of names' subject, the names it decides (the
// most specific rule wins, as in the list) and their events; a rule that
// decides none is counted 0.
func cover(rs []rules.Rule, names Names) map[int64]coverage {
	out := make(map[int64]coverage, len(rs))
	if len(rs) == 0 || names.Subject == 0 {
		return out
	}
	for _, r := range rs {
		if r.Subject() == names.Subject {
			out[r.ID] = coverage{}
		}
	}
	mt := rules.NewMatcher(rs, names.Subject)
	for _, row := range names.Rows {
		if r, ok := mt.MatchRow(row.Name, row.Domain, false); ok {
			c := out[r.ID]
			c.names++
			c.events += row.Count
			out[r.ID] = c
		}
	}
	return out
}

// SetSize sets the view's size.
func (m *Model) SetSize(w, h int) { m.c.SetSize(w, h); m.clamp() }

// Title names the view.
func (m *Model) Title() string { return "rules" }

// Capturing is true while the note is being edited.
func (m *Model) Capturing() bool { return m.editing }

// Pending says whether a change is being written.
func (m *Model) Pending() string {
	if m.writing {
		return "a rule change is being written"
	}
	return ""
}

// CursorValue is the pattern of the rule under the cursor (Y).
func (m *Model) CursorValue() (string, bool) {
	r, ok := m.current()
	return r.Pattern, ok
}

// Rows are the rules listed as longtail's CSV export (E), which
// import-list reads back.
func (m *Model) Rows() ([]string, [][]string) { return lists.CSVRows(m.rules) }

// Loading says whether the rules are still being read.
func (m *Model) Loading() bool { return !m.loaded }

// keyLine is the keys under the rules in a word each: at 80 columns the
// help's words ("make it known-good") ran out at "b m…".
func (m *Model) keyLine() []key.Binding {
	k := m.c.Keys.Rules
	brief := func(b key.Binding, word string) key.Binding { return common.Worded(b, true, word, "") }
	return []key.Binding{brief(k.Delete, "delete"), brief(k.EditNote, "note"), brief(k.Good, "known-good"),
		brief(k.Suspicious, "suspicious"), brief(k.Bad, "bad"), brief(k.Undo, "undo")}
}

// KeyHelp lists the view's keys.
func (m *Model) KeyHelp() []common.HelpSection {
	k := m.c.Keys
	return []common.HelpSection{
		k.Navigation(),
		{Title: "Rules", Keys: []key.Binding{k.Rules.Delete, k.Rules.EditNote, k.Rules.Good, k.Rules.Suspicious,
			k.Rules.Bad, k.Rules.Undo}},
		k.General(),
	}
}

// Update handles messages.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			return m, common.Error(msg.err)
		}
		m.rules = slices.Clone(msg.rules)
		slices.SortStableFunc(m.rules, func(a, b rules.Rule) int {
			if a.NewerThan(&b) {
				return -1
			}
			if b.NewerThan(&a) {
				return 1
			}
			return 0
		})
		m.cover, m.loaded = msg.cover, true
		m.widths = measure(m.rules, m.cover)
		m.clamp()
	case common.RulesChangedMsg:
		return m, m.reload(msg.Rules)
	case writtenMsg:
		m.writing = false
		if msg.err != nil {
			return m, common.Error(msg.err)
		}
		return m, tea.Batch(common.Cmd(common.RulesChangedMsg{Rules: msg.rules}), common.Status(msg.text))
	case tea.PasteMsg:
		if m.editing {
			m.input.Update(msg)
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if m.editing {
		switch {
		case key.Matches(msg, k.Prompt.Cancel):
			m.editing = false
		case key.Matches(msg, k.Prompt.Confirm):
			m.editing = false
			if r, ok := m.current(); ok {
				r.Note = m.input.Value()
				return m.put(r, "note changed")
			}
		default:
			m.input.Update(msg)
		}
		return nil
	}
	if to, ok := scroll.Key(msg, k.Nav, m.cursor, len(m.rules), m.rowsHeight()); ok {
		m.cursor = to
		m.clamp()
		return nil
	}
	switch {
	case key.Matches(msg, k.Rules.Delete):
		return m.delete()
	case key.Matches(msg, k.Rules.EditNote):
		if r, ok := m.current(); ok {
			m.editing = true
			m.input.Prompt = "note: "
			m.input.SetValue(r.Note)
		}
	case key.Matches(msg, k.Rules.Good):
		return m.setVerdict(rules.Good)
	case key.Matches(msg, k.Rules.Suspicious):
		return m.setVerdict(rules.Suspicious)
	case key.Matches(msg, k.Rules.Bad):
		return m.setVerdict(rules.Bad)
	case key.Matches(msg, k.Rules.Undo):
		return m.undoLast()
	}
	m.clamp()
	return nil
}

func (m *Model) current() (rules.Rule, bool) { return scroll.At(m.rules, m.cursor) }

func (m *Model) setVerdict(v rules.Verdict) tea.Cmd {
	r, ok := m.current()
	if !ok || r.Verdict == v {
		return nil
	}
	r.Verdict = v
	return m.put(r, "verdict changed to "+v.String())
}

// put rewrites a rule in place (same pattern and scope: PutRules replaces it,
// keeping its id); undo restores what it replaced.
func (m *Model) put(r rules.Rule, text string) tea.Cmd {
	what := "rule for " + common.SafeName(r.Pattern) + ": " + text
	return m.write(what, func(ctx context.Context, d *db.DB) (string, error) {
		stored, replaced, err := d.PutRules(ctx, []rules.Rule{r})
		if err != nil {
			return "", err
		}
		return verdicts.KeepUndo(ctx, d, text, db.UndoStep{What: "the " + what, Stored: stored, Replaced: replaced}), nil
	})
}

func (m *Model) delete() tea.Cmd {
	r, ok := m.current()
	if !ok {
		return nil
	}
	text := "deleted rule for " + common.SafeName(r.Pattern)
	return m.write(text, func(ctx context.Context, d *db.DB) (string, error) {
		if err := d.DeleteRules(ctx, []int64{r.ID}); err != nil {
			return "", err
		}
		return verdicts.KeepUndo(ctx, d, text, db.UndoStep{What: "the deletion of the rule for " + common.SafeName(r.Pattern),
			Deleted: []rules.Rule{r}}), nil
	})
}

// undoLast takes back the newest step of the workspace's one undo history:
// an edit here, or a mark or import of the list, of this session or an
// earlier one.
func (m *Model) undoLast() tea.Cmd {
	return m.write("an undo", verdicts.UndoLast)
}

// write runs a change in a command, then reads the rules back. The change
// keeps its undo step and returns the status text; what says what it was
// should it not be made.
func (m *Model) write(what string, change func(context.Context, *db.DB) (string, error)) tea.Cmd {
	if m.writing {
		return common.Status("still writing the last change")
	}
	m.writing = true
	d, ctx, rec := m.c.DB, m.c.Ctx, m.c.Writes.Begin(what)
	return func() tea.Msg {
		var text string
		err := rec.Run(func() (err error) {
			text, err = change(ctx, d)
			return err
		})
		if err != nil {
			return writtenMsg{err: err}
		}
		rs, err := d.Rules(ctx)
		return writtenMsg{rules: rs, text: text, err: err}
	}
}

// rowsHeight: the header, the detail line and the bottom line take three.
func (m *Model) rowsHeight() int { return max(1, m.c.Height-3) }

func (m *Model) clamp() {
	m.cursor, m.offset = scroll.Clamp(m.cursor, m.offset, len(m.rules), m.rowsHeight())
}

// View renders the rules table, the full detail of the rule under the
// cursor, and the edit line.
func (m *Model) View() string {
	w, h := m.c.Width, m.c.Height
	s := m.c.Styles
	lines := []string{}
	switch {
	case !m.loaded:
		lines = append(lines, "loading rules…")
	case len(m.rules) == 0:
		lines = append(lines, s.Header.Render(common.PadRight("no verdict rules yet", w)),
			s.Dim.Render("  mark names in the list: a known-good, s suspicious, b bad"))
	default:
		lay := newLayout(w, m.widths)
		lines = append(lines, s.Header.Render(lay.header()))
		end := min(len(m.rules), m.offset+m.rowsHeight())
		for i := m.offset; i < end; i++ {
			r := m.rules[i]
			c, ok := m.cover[r.ID]
			lines = append(lines, lay.row(s, r, c, ok, i == m.cursor))
		}
	}
	for len(lines) < h-2 {
		lines = append(lines, "")
	}
	lines = lines[:max(0, h-2)]
	lines = append(lines, m.detail(w))
	if m.editing {
		lines = append(lines, m.input.View(s, w))
	} else {
		lines = append(lines, s.Dim.Render(common.HelpLine(s, w, m.keyLine()...)))
	}
	for i, l := range lines {
		lines[i] = common.PadRight(ansi.Truncate(l, w, ""), w)
	}
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

// ruleFor says what a rule decides: a DNS rule its scope as always
// ("name", "domain"), another kind's its subject or group ("http ua",
// "http family").
func ruleFor(sub subject.Subject, scope rules.Scope) string {
	if sub.Code == subject.DNSName {
		return scope.String()
	}
	what := sub.Name
	if scope == rules.Domain {
		what = sub.GroupWord()
	}
	return sub.Kind.String() + " " + what
}

// detail is the rule under the cursor in full: note, author, origin, time.
func (m *Model) detail(w int) string {
	r, ok := m.current()
	if !ok {
		return ""
	}
	scope := common.SafeName(r.Pattern)
	if r.Scope == rules.Domain {
		scope = scope + " and below"
	}
	return common.Fit(fmt.Sprintf("%s %s · note: %s · by %s · from %s · %s", r.Verdict, scope, orDash(r.Note),
		orDash(r.Author), orDash(r.Origin), r.Created.UTC().Format("2006-01-02 15:04:05 UTC")), w)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// widths are the widest cells of the rules, the titles' at least: the
// columns are as wide as what they hold. note is 0 when no rule has one:
// the column is left out (the detail line says "note: –"), its room
// the pattern's.
type widths struct{ for_, pat, names, events, note, origin int }

func measure(rs []rules.Rule, cover map[int64]coverage) widths {
	w := widths{len("for"), len("pattern"), len("names"), len("events"), 0, len("origin")}
	for _, r := range rs {
		w.for_ = max(w.for_, len(ruleFor(subject.Must(r.Subject()), r.Scope)))
		w.pat = max(w.pat, ansi.StringWidth(patternText(r, 1<<10)))
		if c, ok := cover[r.ID]; ok {
			w.names = max(w.names, len(strconv.FormatInt(c.names, 10)))
			w.events = max(w.events, len(chart.Count(c.events)))
		}
		w.note = max(w.note, ansi.StringWidth(common.Fit(r.Note, 1<<10)))
		w.origin = max(w.origin, ansi.StringWidth(originText(r, 1<<10)))
	}
	if w.note > 0 {
		w.note = max(w.note, len("note"))
	}
	return w
}

// layout of the rules table: the widths shown at a screen width.
type layout struct{ widths }

// whenW is the width of the time column ("01-02 15:04").
const whenW = 11

// newLayout fits the columns to w: mark, for, the counts and the time
// whole; the pattern as wide as it needs, down to a third of what is
// left but for ten cells each of origin and note; those two get the rest
// up to their widths, and the pattern what they leave.
func newLayout(w int, nat widths) layout {
	l := layout{nat}
	seps := 7
	if nat.note == 0 {
		seps--
	}
	rest := max(0, w-4-nat.for_-nat.names-nat.events-whenW-seps)
	l.pat = min(nat.pat, max(rest-min(nat.origin, 10)-min(nat.note, 10), rest/3, len("pattern")))
	l.origin = max(min(nat.origin, max(rest-l.pat-nat.note, 10)), len("origin"))
	if nat.note > 0 {
		l.note = max(min(nat.note, rest-l.pat-l.origin), len("note"))
	}
	l.pat = max(l.pat, rest-l.origin-l.note) // what the others leave
	return l
}

func (l layout) header() string {
	return l.join("mark", common.PadRight("for", l.for_), common.PadRight("pattern", l.pat),
		common.PadLeft("names", l.names), common.PadLeft("events", l.events), common.PadRight("note", l.note),
		common.PadRight("origin", l.origin), "when")
}

// join puts the cells of a line together, the note's left out when the
// column is.
func (l layout) join(cells ...string) string {
	if l.note == 0 {
		cells = slices.Delete(cells, 5, 6)
	}
	return strings.Join(cells, " ")
}

// originText is the file a rule came from, without its directory, cut at
// its left to width ("" for none: filepath.Base made it ".").
func originText(r rules.Rule, width int) string {
	if r.Origin == "" {
		return ""
	}
	return common.TruncateLeft(common.Fit(filepath.Base(r.Origin), 200), width)
}

// patternText is a rule's pattern as shown in width cells: a host name
// cut at its left (its end says where it is), other values at their right.
func patternText(r rules.Rule, width int) string {
	if subject.Must(r.Subject()).Hostname {
		return common.FitName(r.Pattern, width)
	}
	return common.Fit(textsafe.String(r.Pattern), width)
}

// row draws a rule; covered is false when its coverage was not counted.
func (l layout) row(s *common.Styles, r rules.Rule, c coverage, covered, cursor bool) string {
	verdict := common.PadRight(common.VerdictMark(r.Verdict), 4)
	if !cursor {
		verdict = s.Verdict(r.Verdict).Render(verdict)
	}
	names, events := "–", "–"
	if covered {
		names, events = strconv.FormatInt(c.names, 10), chart.Count(c.events)
	}
	line := l.join(verdict, common.PadRight(ruleFor(subject.Must(r.Subject()), r.Scope), l.for_),
		common.PadRight(patternText(r, l.pat), l.pat), common.PadLeft(names, l.names), common.PadLeft(events, l.events),
		common.PadRight(common.Fit(r.Note, l.note), l.note),
		common.PadRight(originText(r, l.origin), l.origin),
		r.Created.UTC().Format("01-02 15:04"))
	if cursor {
		return s.Cursor.Render(line)
	}
	return line
}
