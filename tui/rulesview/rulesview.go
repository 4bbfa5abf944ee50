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
		return loadedMsg{seq: seq, rules: rs, cover: cover(rs, names)}
	}
}

// cover counts, per rule, the names it decides (the most specific rule
// wins, as in the list) and their events.
func cover(rs []rules.Rule, names Names) map[int64]coverage {
	out := make(map[int64]coverage, len(rs))
	if len(rs) == 0 || names.Subject == 0 {
		return out
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
		lay := newLayout(w)
		lines = append(lines, s.Header.Render(lay.header()))
		end := min(len(m.rules), m.offset+m.rowsHeight())
		for i := m.offset; i < end; i++ {
			r := m.rules[i]
			c, ok := m.cover[r.ID], r.Subject() == m.names.Subject
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
		lines = append(lines, s.Dim.Render(common.HelpLine(s, w, m.c.Keys.Rules.Delete, m.c.Keys.Rules.EditNote,
			m.c.Keys.Rules.Good, m.c.Keys.Rules.Suspicious, m.c.Keys.Rules.Bad, m.c.Keys.Rules.Undo)))
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
		what = strings.TrimPrefix(sub.Group, "registered ")
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

// layout of the rules table.
type layout struct{ patW, noteW, originW int }

// forW is the width of the "for" column: what a rule decides, its subject
// and scope in one ("name", "domain", "http ua", "http family").
const forW = 11

func newLayout(w int) layout {
	// verdict 4, for 11, names 6, events 6, when 11, separators 7.
	rest := max(20, w-4-forW-6-6-11-7)
	l := layout{patW: max(12, rest*5/10), originW: max(6, rest*2/10)}
	l.noteW = max(1, rest-l.patW-l.originW)
	return l
}

func (l layout) header() string {
	return strings.Join([]string{"mark", common.PadRight("for", forW), common.PadRight("pattern", l.patW),
		common.PadLeft("names", 6), common.PadLeft("events", 6), common.PadRight("note", l.noteW),
		common.PadRight("origin", l.originW), "when"}, " ")
}

// row draws a rule; covered is false when its coverage was not counted
// (a rule of a subject other than the one the list shows).
func (l layout) row(s *common.Styles, r rules.Rule, c coverage, covered, cursor bool) string {
	verdict := common.PadRight(common.VerdictMark(r.Verdict), 4)
	if !cursor {
		verdict = s.Verdict(r.Verdict).Render(verdict)
	}
	sub := subject.Must(r.Subject())
	pattern := common.FitName(r.Pattern, l.patW)
	if !sub.Hostname {
		pattern = common.Fit(textsafe.String(r.Pattern), l.patW)
	}
	names, events := "–", "–"
	if covered {
		names, events = strconv.FormatInt(c.names, 10), chart.Count(c.events)
	}
	line := strings.Join([]string{verdict, common.PadRight(ruleFor(sub, r.Scope), forW),
		common.PadRight(pattern, l.patW), common.PadLeft(names, 6), common.PadLeft(events, 6),
		common.PadRight(common.Fit(r.Note, l.noteW), l.noteW),
		common.PadRight(common.TruncateLeft(common.Fit(filepath.Base(r.Origin), 200), l.originW), l.originW),
		r.Created.UTC().Format("01-02 15:04")}, " ")
	if cursor {
		return s.Cursor.Render(line)
	}
	return line
}
