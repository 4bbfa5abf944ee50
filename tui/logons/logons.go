// Package logons is the logon summary screen: successes and failures side
// by side per account × source × target × logon type (engine/logons), with
// first and last seen and why they failed; o changes the order, / narrows
// the rows to those holding a text, enter opens the events of the row's
// pair (account ← source), ctrl+r reads the workspace again, as does a
// change another process makes (the list's poll sees it).
package logons

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	englogons "github.com/longtail/longtail/engine/logons"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/detail"
	"github.com/longtail/longtail/tui/internal/scroll"
)

// Model is the logon summary view.
type Model struct {
	c common.Common

	all     []englogons.Row // as read, in the current order
	rows    []englogons.Row // those the filter keeps
	sort    englogons.SortKey
	filter  string
	loaded  bool
	seq     int
	cursor  int
	offset  int
	editing bool
	input   common.Input
	// when is the layout of the first and last seen: the date and the
	// clock, the date with its year when the rows span years.
	when string
}

// New is the view's Opener: the summary is of the whole workspace, so the
// target is not used.
func New(c common.Common, _ common.Target) common.View { return &Model{c: c} }

type loadedMsg struct {
	seq  int
	rows []englogons.Row
	err  error
}

// Init reads the summary.
func (m *Model) Init() tea.Cmd { return m.load() }

// load reads the summary in a command; an answer to an older request is
// dropped.
func (m *Model) load() tea.Cmd {
	m.seq++
	seq, d, ctx := m.seq, m.c.DB, m.c.Ctx
	return func() tea.Msg {
		rows, err := englogons.Summary(ctx, d)
		return loadedMsg{seq: seq, rows: rows, err: err}
	}
}

// SetSize sets the view's size.
func (m *Model) SetSize(w, h int) { m.c.SetSize(w, h); m.clamp() }

// Title names the view.
func (m *Model) Title() string { return "logon summary" }

// Capturing is true while the filter is being typed.
func (m *Model) Capturing() bool { return m.editing }

// KeyHelp lists the view's keys.
func (m *Model) KeyHelp() []common.HelpSection {
	k := m.c.Keys
	return []common.HelpSection{
		k.Navigation(),
		{Title: "Logon summary", Keys: []key.Binding{m.sortKey(false), m.filterKey(false), m.eventsKey(false), k.List.Reload}},
		k.General(),
	}
}

// The shared bindings, worded for this view: in full for the help, short
// for the line under the table.
func (m *Model) sortKey(short bool) key.Binding {
	return common.Worded(m.c.Keys.List.Sort, short, "sort", "sort: failures, ok, last seen, account")
}
func (m *Model) filterKey(short bool) key.Binding {
	return common.Worded(m.c.Keys.Search.Search, short, "filter", "only the rows holding a text")
}
func (m *Model) eventsKey(short bool) key.Binding {
	return common.Worded(m.c.Keys.Drill.Events, short, "the row's logons", "logons of the row's pair (without one: of its source or account)")
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
		keep, kept := m.current()
		m.all, m.loaded, m.when = msg.rows, true, whenLayout(msg.rows)
		englogons.Sort(m.all, m.sort)
		m.refilter()
		if kept {
			m.moveTo(keep)
		}
	case foundMsg:
		return m, m.open(msg)
	case common.WorkspaceChangedMsg:
		// Another process added logons: read the summary again, on the
		// same row.
		if m.loaded {
			return m, m.load()
		}
	case tea.PasteMsg:
		if m.editing {
			m.input.Update(msg)
			m.setFilter(m.input.Value())
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
			m.setFilter("")
		case key.Matches(msg, k.Prompt.Confirm):
			m.editing = false
		default:
			m.input.Update(msg)
			m.setFilter(m.input.Value())
		}
		return nil
	}
	if to, ok := scroll.Key(msg, k.Nav, m.cursor, len(m.rows), m.rowsHeight()); ok {
		m.cursor = to
		m.clamp()
		return nil
	}
	switch {
	case key.Matches(msg, k.List.Sort):
		m.sort = m.sort.Next()
		englogons.Sort(m.all, m.sort)
		m.refilter()
		m.cursor, m.offset = 0, 0
		return common.Status("sorted by " + m.sort.String())
	case key.Matches(msg, k.Search.Search):
		m.editing = true
		m.input.Prompt = "only rows holding: "
		m.input.Reopen(m.filter)
	case key.Matches(msg, k.Drill.Events):
		return m.openEvents()
	case key.Matches(msg, k.List.Reload):
		return m.load()
	case key.Matches(msg, k.Global.Back) && m.filter != "":
		m.setFilter("")
		return common.Handled()
	}
	return nil
}

// moveTo puts the cursor on the row of r's account, source, target and
// type, where it is still there after a reload.
func (m *Model) moveTo(r englogons.Row) {
	for i, o := range m.rows {
		if o.Account == r.Account && o.Source == r.Source && o.Target == r.Target && o.Type == r.Type {
			m.cursor = i
			m.clamp()
			return
		}
	}
}

// setFilter keeps the rows holding text (any case) in a column.
func (m *Model) setFilter(text string) {
	m.filter = text
	m.refilter()
}

func (m *Model) refilter() {
	m.rows = m.all
	if m.filter != "" {
		want := strings.ToLower(m.filter)
		m.rows = nil
		for _, r := range m.all {
			if strings.Contains(strings.ToLower(r.Account+"\x00"+r.Source+"\x00"+r.Target+"\x00"+r.Type+"\x00"+r.Reason), want) {
				m.rows = append(m.rows, r)
			}
		}
	}
	m.clamp()
}

// openEvents opens the events of the row's pair, looked up in a command.
// A row whose logons stored no pair (no account, or no source) opens those
// of the value it has, kept to the results the row counted: the source's
// client versions and commands are no logons of it.
func (m *Model) openEvents() tea.Cmd {
	r, ok := m.current()
	if !ok {
		return nil
	}
	code, value, filter := subject.LogonPair, r.Pair, ""
	if value == "" {
		code, value, filter = subject.LogonAccount, r.Account, resultsFilter(r)
		if r.Account == subject.None {
			code, value = subject.LogonSource, r.Source
		}
	}
	if value == subject.None {
		return common.Status("these logons name neither an account nor a source to list them by")
	}
	note := m.othersNote(r, code, value)
	d, ctx := m.c.DB, m.c.Ctx
	return func() tea.Msg {
		n, err := d.NameByText(ctx, code, value)
		if err != nil {
			return common.ErrMsg{Err: err}
		}
		return foundMsg{name: n, filter: filter, note: note}
	}
}

// foundMsg is the value a row's events are listed by, found.
type foundMsg struct {
	name   db.NameRow
	filter string // the events' f filter, "" for all
	note   string // what the screen shows beside the row's, "" for nothing
}

// open pushes the events screen of a value found.
func (m *Model) open(msg foundMsg) tea.Cmd {
	t := common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: msg.name.ID}, Label: msg.name.Name, Name: &msg.name}
	if msg.filter == "" {
		return common.Open(common.ScreenEvents, t)
	}
	v, err := detail.NewFilteredEvents(m.c, t, msg.filter)
	if err != nil {
		return common.Error(err)
	}
	cmds := []tea.Cmd{common.Cmd(common.PushMsg{View: v})}
	if msg.note != "" {
		cmds = append(cmds, common.Status(msg.note))
	}
	return tea.Batch(cmds...)
}

// resultsFilter keeps the results a row counted.
func resultsFilter(r englogons.Row) string {
	switch {
	case r.Successes > 0 && r.Failures > 0:
		return "result=success,failure"
	case r.Successes > 0:
		return "result=success"
	}
	return "result=failure"
}

// othersNote says when the value's events hold other rows' logons too (a
// source's without an account beside its accounts'): the events screen
// has no filter to tell them apart.
func (m *Model) othersNote(r englogons.Row, code subject.Code, value string) string {
	if code == subject.LogonPair {
		return ""
	}
	others := 0
	for _, o := range m.all {
		if o != r && (code == subject.LogonSource && o.Source == value || code == subject.LogonAccount && o.Account == value) {
			others++
		}
	}
	if others == 0 {
		return ""
	}
	return fmt.Sprintf("these are all the logons of %s: those of its %d other summary rows are among them", common.SafeName(value), others)
}

func (m *Model) current() (englogons.Row, bool) { return scroll.At(m.rows, m.cursor) }

// rowsHeight: the title, the header, the detail line and the bottom line
// take four.
func (m *Model) rowsHeight() int { return max(1, m.c.Height-4) }

func (m *Model) clamp() {
	m.cursor, m.offset = scroll.Clamp(m.cursor, m.offset, len(m.rows), m.rowsHeight())
}

// View renders the title, the table, the row under the cursor in full,
// and the keys (or the filter being typed).
func (m *Model) View() string {
	w, h := m.c.Width, m.c.Height
	s := m.c.Styles
	lines := []string{s.Title.Render(m.heading(w))}
	switch {
	case !m.loaded:
		lines = append(lines, "reading the logons…")
	case len(m.all) == 0:
		lines = append(lines, s.Dim.Render("no logons in this workspace: ingest a Security log, an auth log or a honeypot's"))
	default:
		lay := newLayout(w, m.when)
		lines = append(lines, s.Header.Render(lay.header()))
		end := min(len(m.rows), m.offset+m.rowsHeight())
		for i := m.offset; i < end; i++ {
			line := common.PadRight(lay.row(m.rows[i]), w)
			if i == m.cursor {
				line = s.Cursor.Render(line)
			}
			lines = append(lines, line)
		}
	}
	for len(lines) < h-2 {
		lines = append(lines, "")
	}
	lines = append(lines[:max(0, h-2)], m.detail(w))
	if m.editing {
		lines = append(lines, m.input.View(s, w))
	} else {
		lines = append(lines, s.Dim.Render(common.HelpLine(s, w, m.sortKey(true), m.filterKey(true), m.eventsKey(true),
			common.Worded(m.c.Keys.List.Reload, true, "reload", ""), m.c.Keys.Global.Back)))
	}
	for i, l := range lines {
		lines[i] = common.PadRight(ansi.Truncate(l, w, ""), w)
	}
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

// heading is the title line in width cells: what is shown. When it does
// not fit, the screen's name goes first (the status line says it too),
// then the end is cut, marked: "by last seen · holding r" lost its end
// unmarked, "by last" read as an order of its own.
func (m *Model) heading(width int) string {
	const name = "logon summary"
	if !m.loaded {
		return name
	}
	shown := m.shown()
	if head := name + " · " + shown; ansi.StringWidth(head) <= width {
		return head
	}
	return ansi.Truncate(shown, width, "…")
}

// shown says how many rows of how many, their logons, the order and the
// filter.
func (m *Model) shown() string {
	var ok, failed int64
	for _, r := range m.rows {
		ok += r.Successes
		failed += r.Failures
	}
	// Exact, as the list's header: "1.5k failed" stays as it was while a
	// follow adds a few.
	head := words.Int(int64(len(m.rows)))
	if len(m.rows) != len(m.all) {
		head += " of " + words.Int(int64(len(m.all)))
	}
	if len(m.all) == 1 {
		head += " row"
	} else {
		head += " rows"
	}
	head += " · " + words.Int(ok) + " ok, " + words.Int(failed) + " failed · by " + m.sort.String()
	if m.filter != "" {
		head += " · holding " + common.Fit(m.filter, 30)
	}
	return head
}

// detail is the row under the cursor in full: first what the table
// leaves out (the years, and on a narrow screen the first seen and the
// reason), then its values uncut.
func (m *Model) detail(w int) string {
	r, ok := m.current()
	if !ok {
		return ""
	}
	text := common.Stamp(r.First, "2006-01-02 15:04") + " – " + common.Stamp(r.Last, "2006-01-02 15:04")
	if r.Reason != "" {
		text += " · " + common.Fit(r.Reason, 60)
	}
	text += " · " + common.SafeName(r.Account) + " ← " + common.SafeName(r.Source) + " → " + common.SafeName(r.Target) + " · " + common.Fit(r.Type, 40)
	return common.Fit(text, w)
}

// column is one column of the table: its title, how wide it is, and the
// widest it grows to when there is room.
type column struct {
	title      string
	width, max int
	right      bool // numbers: right-aligned
}

// layout is the columns that fit a width, and how they write a moment.
type layout struct {
	cols []column
	when string
}

// The columns, with the order the narrow screens drop them in (the first
// seen, then the reason, then the logon type): account, source, target,
// ok, failed and last seen always fit in 80 columns.
var (
	columns = []column{
		{title: "account", width: 15, max: 28}, {title: "source", width: 15, max: 24}, {title: "target", width: 12, max: 26},
		{title: "type", width: 10, max: 18}, {title: "ok", width: 4, max: 5, right: true}, {title: "failed", width: 6, max: 6, right: true},
		{title: "first", width: 11, max: 11}, {title: "last", width: 11, max: 11}, {title: "reason", width: 14, max: 30},
	}
	dropOrder = []string{"first", "reason", "type"}
)

func newLayout(w int, when string) layout {
	cols := append([]column(nil), columns...)
	for _, drop := range dropOrder {
		if used(cols) <= w {
			break
		}
		for i, c := range cols {
			if c.title == drop {
				cols = append(cols[:i], cols[i+1:]...)
				break
			}
		}
	}
	// What is left widens the text columns one cell at a time, in turn,
	// the source last: an IPv4 address or a workstation's NetBIOS name
	// fits its 15 cells already.
	for _, source := range []bool{false, true} {
		for grew := true; grew && used(cols) < w; {
			grew = false
			for i := range cols {
				if (cols[i].title == "source") == source && used(cols) < w && cols[i].width < cols[i].max {
					cols[i].width++
					grew = true
				}
			}
		}
	}
	return layout{cols, when}
}

// whenLayout is how the rows' first and last seen are written: month, day
// and clock within one year; the date with its year when the rows span
// years (a honeypot's 2018 beside last week's sshd log), where "06-01"
// alone would not say which June.
func whenLayout(rows []englogons.Row) string {
	var first, last int64
	for _, r := range rows {
		if f := cmp.Or(r.First, r.Last); f > 0 && (first == 0 || f < first) {
			first = f
		}
		last = max(last, r.Last)
	}
	if time.UnixMicro(first).UTC().Year() != time.UnixMicro(last).UTC().Year() {
		return "2006-01-02"
	}
	return "01-02 15:04"
}

// used is the cells the columns take with a space between each.
func used(cols []column) int {
	n := len(cols) - 1
	for _, c := range cols {
		n += c.width
	}
	return n
}

func (l layout) header() string {
	cells := make([]string, len(l.cols))
	for i, c := range l.cols {
		cells[i] = common.Align(c.title, c.width, c.right)
	}
	return strings.Join(cells, " ")
}

func (l layout) row(r englogons.Row) string {
	cells := make([]string, len(l.cols))
	for i, c := range l.cols {
		var v string
		switch c.title {
		case "account":
			v = common.Fit(r.Account, c.width)
		case "source":
			v = common.Fit(r.Source, c.width)
		case "target":
			v = common.Fit(names.Display(r.Target), c.width) // cut at the right: the host's own label tells them apart
		case "type":
			v = common.Fit(r.Type, c.width)
		case "ok":
			v = count(r.Successes)
		case "failed":
			v = count(r.Failures)
		case "first":
			v = common.Stamp(r.First, l.when)
		case "last":
			v = common.Stamp(r.Last, l.when)
		case "reason":
			v = common.Fit(r.Reason, c.width)
		}
		cells[i] = common.Align(v, c.width, c.right)
	}
	return strings.Join(cells, " ")
}

// count is a count, or "·" for none, so that the rows that never
// succeeded (or never failed) stand out.
func count(n int64) string {
	if n == 0 {
		return "·"
	}
	return chart.Count(n)
}

// CursorValue is the row's account, or its source when it has none: what
// the row is about (common.Exporter).
func (m *Model) CursorValue() (string, bool) {
	r, ok := m.current()
	if !ok {
		return "", false
	}
	switch {
	case r.Account != subject.None:
		return r.Account, true
	case r.Source != subject.None:
		return r.Source, true
	}
	return "", true // a row, with nothing to copy (CursorBlank)
}

// CursorBlank names what a row without account or source lacks
// (app.Blanker).
func (m *Model) CursorBlank() string { return "account or source" }

// Rows are the rows the filter keeps, in the columns of `longtail logons`
// (common.Exporter).
func (m *Model) Rows() ([]string, [][]string) {
	rows := make([][]string, len(m.rows))
	for i, r := range m.rows {
		rows[i] = []string{r.Account, r.Source, r.Target, r.Type, strconv.FormatInt(r.Successes, 10), strconv.FormatInt(r.Failures, 10),
			common.CSVTime(r.First), common.CSVTime(r.Last), r.Reason}
	}
	return englogons.Columns, rows
}
