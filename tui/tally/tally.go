// Package tally is the tally screen: the rows the list shows (its filters
// applied) counted by category, or by the network of their answers or
// addresses — autonomous system, owner, country — with how many values,
// events and distinct clients each holds and its share of the events.
// The counts are the engine's (review.ByCategory, review.ByNetworkShown),
// the same as longtail top --by category|asn|owner|country gives. v
// changes the grouping (only those the workspace has data for), o the
// order; enter goes back to the list showing only that category or
// network: "who asked for gambling sites", "what is in AS14061".
package tally

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/scroll"
)

// grouping is what the rows are tallied by.
type grouping uint8

const (
	byCategory grouping = iota
	byASN
	byOwner
	byCountry
)

var groupingNames = [...]string{"category", "asn", "owner", "country"}

func (g grouping) String() string { return groupingNames[g] }

// netKey is the engine's grouping of networks.
func (g grouping) netKey() review.NetKey {
	return [...]review.NetKey{byASN: review.ByASN, byOwner: review.ByOwner, byCountry: review.ByCountry}[g]
}

// sortKey is the order of the rows.
type sortKey uint8

const (
	sortEvents sortKey = iota
	sortValues
	sortClients
	sortName
	numSorts
)

var sortNames = [...]string{"events", "values", "clients", "name"}

// row is one category or network.
type row struct {
	key     string   // the category, "AS14061", the owner, the country
	about   string   // by ASN: its name and country; by owner or country: its busiest values
	values  int64    // the list's rows in it (networks: the names or addresses)
	events  int64    // their events
	clients int64    // distinct clients; -1: still being counted (categories)
	asns    []uint32 // a network's autonomous systems, for the pivot
	none    bool     // the rows no category list names
}

// Model is the tally view.
type Model struct {
	c      common.Common
	shown  *common.Shown
	label  string     // what the list shows ("names", "domains")
	groups []grouping // those the workspace has data for
	group  int        // in groups
	sort   sortKey

	rows           []row
	keep           string // the row the cursor stays on when the rows are counted again
	events         int64  // of the shown rows
	loaded         bool
	err            error
	seq            int
	cursor, offset int
}

// New is the view's Opener: t.Shown is what the list shows.
func New(c common.Common, t common.Target) common.View {
	m := &Model{c: c, label: t.Label}
	m.show(t.Shown)
	return m
}

// show takes what the list shows: the groupings it has data for (the one
// shown stays while it has), and its events.
func (m *Model) show(s *common.Shown) {
	var was grouping
	if len(m.groups) > 0 {
		was = m.groups[m.group]
	}
	m.shown, m.groups, m.group, m.events = s, nil, 0, 0
	if s == nil || s.Loaded.Data == nil || s.Loaded.Annotations == nil {
		return
	}
	data, an := s.Loaded.Data, s.Loaded.Annotations
	if an.Categories != nil && data.Subject.Hostname {
		m.groups = append(m.groups, byCategory)
	}
	if an.Nets[0] != nil {
		m.groups = append(m.groups, byASN, byOwner, byCountry)
	}
	m.group = max(0, slices.Index(m.groups, was))
	m.events = s.Result.ShownEvents
}

type (
	talliedMsg struct {
		seq  int
		rows []row
		err  error
	}
	// clientsMsg: the clients of each category, counted after the rest
	// (the workspace is queried for them).
	clientsMsg struct {
		seq     int
		clients map[string]int64
		err     error
	}
)

// Init tallies by the first grouping.
func (m *Model) Init() tea.Cmd { return m.tally() }

// tally counts the shown rows by the current grouping in a command; an
// answer to an older request is dropped.
func (m *Model) tally() tea.Cmd {
	if len(m.groups) == 0 {
		m.loaded = true
		return nil
	}
	m.seq++
	m.loaded = false
	seq, g, s, d, ctx := m.seq, m.groups[m.group], m.shown, m.c.DB, m.c.Ctx
	return func() tea.Msg {
		if g == byCategory {
			return talliedMsg{seq: seq, rows: categoryRows(review.ByCategory(s.Loaded.Data, s.Loaded.Annotations.Categories, s.Result))}
		}
		nets, err := review.ByNetworkShown(ctx, d, s.Loaded, s.Result, g.netKey())
		return talliedMsg{seq: seq, rows: networkRows(nets, g), err: err}
	}
}

// countClients counts the clients of each category of the tally in a
// command; the answer is dropped when the tally changed meanwhile.
func (m *Model) countClients() tea.Cmd {
	seq, s, d, ctx := m.seq, m.shown, m.c.DB, m.c.Ctx
	return func() tea.Msg {
		l := s.Loaded
		clients, err := review.CategoryClients(ctx, d, l.Data, l.Annotations.Categories, s.Result)
		return clientsMsg{seq: seq, clients: clients, err: err}
	}
}

func categoryRows(counts []review.CategoryCount) []row {
	out := make([]row, len(counts))
	for i, c := range counts {
		out[i] = row{key: c.Category, values: c.Rows, events: c.Events, clients: -1, none: c.Category == review.Uncategorised}
	}
	return out
}

func networkRows(nets []review.NetworkRow, g grouping) []row {
	out := make([]row, len(nets))
	for i, n := range nets {
		about := strings.TrimSpace(n.Name + " " + n.Country)
		if g != byASN {
			top := make([]string, len(n.Top))
			for j, t := range n.Top {
				top[j] = common.SafeName(t)
			}
			about = strings.Join(top, " ")
		}
		out[i] = row{key: n.Key, about: about, values: n.Values, events: n.Events, clients: n.Clients, asns: n.ASNs}
	}
	return out
}

// SetSize sets the view's size.
func (m *Model) SetSize(w, h int) { m.c.SetSize(w, h); m.clamp() }

// Title names the view.
func (m *Model) Title() string {
	if len(m.groups) == 0 {
		return "tally"
	}
	return "tally by " + m.groups[m.group].String()
}

// Capturing is always false: the view has no input.
func (m *Model) Capturing() bool { return false }

// KeyHelp lists the view's keys.
func (m *Model) KeyHelp() []common.HelpSection {
	k := m.c.Keys
	return []common.HelpSection{
		k.Navigation(),
		{Title: "Tally", Keys: []key.Binding{m.byKey(false), m.sortKey(false), m.pivotKey(false)}},
		k.General(),
	}
}

// The shared bindings, worded for this view: in full for the help, short
// for the line under the table.
func (m *Model) byKey(short bool) key.Binding {
	return common.Worded(m.c.Keys.List.By, short, "by "+m.nextGroup().String(), "by category/asn/owner/country")
}
func (m *Model) sortKey(short bool) key.Binding {
	return common.Worded(m.c.Keys.List.Sort, short, "sort", "sort: events/values/clients/az")
}
func (m *Model) pivotKey(short bool) key.Binding {
	return common.Worded(m.c.Keys.Drill.Events, short, "list only this", "list only this one (pivot)")
}

// nextGroup is the grouping v goes to.
func (m *Model) nextGroup() grouping {
	if len(m.groups) == 0 {
		return byCategory
	}
	return m.groups[(m.group+1)%len(m.groups)]
}

// Update handles messages.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	switch msg := msg.(type) {
	case talliedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loaded, m.err = true, msg.err
		if msg.err != nil {
			return m, common.Error(msg.err)
		}
		m.rows = msg.rows
		m.sortRows()
		m.cursor, m.offset = 0, 0
		if i := slices.IndexFunc(m.rows, func(r row) bool { return r.key == m.keep }); m.keep != "" && i >= 0 {
			m.cursor = i
			m.clamp()
		}
		m.keep = ""
		if m.groups[m.group] == byCategory {
			return m, m.countClients()
		}
	case clientsMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			return m, common.Error(msg.err)
		}
		for i := range m.rows {
			m.rows[i].clients = msg.clients[m.rows[i].key]
		}
		if m.sort == sortClients {
			m.sortRows()
		}
	case common.ShownMsg:
		// The list read a changed workspace again: count what it shows
		// now, the cursor staying on its row.
		if m.cursor < len(m.rows) {
			m.keep = m.rows[m.cursor].key
		}
		m.show(msg.Shown)
		return m, m.tally()
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if to, ok := scroll.Key(msg, k.Nav, m.cursor, len(m.rows), m.rowsHeight()); ok {
		m.cursor = to
		m.clamp()
		return nil
	}
	switch {
	case key.Matches(msg, k.List.By):
		if len(m.groups) < 2 {
			return common.Status(m.missing())
		}
		m.group = (m.group + 1) % len(m.groups)
		return m.tally()
	case key.Matches(msg, k.List.Sort):
		m.sort = (m.sort + 1) % numSorts
		m.sortRows()
		m.cursor, m.offset = 0, 0
		return common.Status("sorted by " + sortNames[m.sort])
	case key.Matches(msg, k.Drill.Events):
		return m.pivot()
	}
	return nil
}

// missing says what the other groupings need.
func (m *Model) missing() string {
	switch {
	case len(m.groups) == 0 || m.groups[0] != byCategory:
		if m.shown != nil && m.shown.Loaded.Data != nil && !m.shown.Loaded.Data.Subject.Hostname {
			return "categories are of host names: K or v in the list lists DNS names or HTTP hosts"
		}
		return "no categories: longtail import-list a UT1 folder, or a list with --category NAME"
	}
	return "no networks: DNS names (by their answers), HTTP clients and logon sources, once an AS table is imported (longtail import-asn)"
}

// sortRows orders the rows by the sort key, most first (names: A to Z),
// ties by name; the uncategorised rows stay last.
func (m *Model) sortRows() {
	by := func(r row) int64 {
		switch m.sort {
		case sortValues:
			return r.values
		case sortClients:
			return r.clients
		}
		return r.events
	}
	slices.SortStableFunc(m.rows, func(a, b row) int {
		if a.none != b.none {
			return boolCmp(a.none, b.none)
		}
		if m.sort != sortName {
			if c := cmp.Compare(by(b), by(a)); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.key, b.key)
	})
}

func boolCmp(a, b bool) int {
	if a {
		return 1
	}
	if b {
		return -1
	}
	return 0
}

// pivot goes back to the list showing only the row's category or
// network.
func (m *Model) pivot() tea.Cmd {
	r, ok := m.current()
	switch {
	case !ok:
		return nil
	case r.none:
		return common.Status("no filter lists the uncategorised rows alone: C in the list hides categories")
	}
	p := common.ListPivotMsg{Category: r.key, Label: r.key}
	if m.groups[m.group] != byCategory {
		p = common.ListPivotMsg{ASNs: r.asns, Label: r.key}
	}
	return tea.Batch(common.Cmd(p), common.Back())
}

func (m *Model) current() (row, bool) { return scroll.At(m.rows, m.cursor) }

// rowsHeight: the title, the header, the detail line and the keys take
// four.
func (m *Model) rowsHeight() int { return max(1, m.c.Height-4) }

func (m *Model) clamp() {
	m.cursor, m.offset = scroll.Clamp(m.cursor, m.offset, len(m.rows), m.rowsHeight())
}

// View renders the title, the table, the row under the cursor in full,
// and the keys.
func (m *Model) View() string {
	w, h := m.c.Width, m.c.Height
	s := m.c.Styles
	lines := []string{s.Title.Render(m.heading(w))}
	switch {
	case len(m.groups) == 0:
		// Wrapped: at 80 columns the command to run was cut.
		for _, l := range strings.Split(ansi.Wrap("nothing to tally by: import categories (longtail import-list) or an AS table (longtail import-asn)", w, " "), "\n") {
			lines = append(lines, s.Dim.Render(l))
		}
	case !m.loaded:
		lines = append(lines, "counting…")
	case m.err != nil:
		lines = append(lines, s.Dim.Render(common.Fit(m.err.Error(), w)))
	case len(m.rows) == 0:
		lines = append(lines, s.Dim.Render("none of the rows shown has a "+m.groups[m.group].String()))
	default:
		lay := m.layout(w)
		lines = append(lines, s.Header.Render(lay.header()))
		end := min(len(m.rows), m.offset+m.rowsHeight())
		for i := m.offset; i < end; i++ {
			line := common.PadRight(lay.row(m.rows[i], m.events), w)
			if i == m.cursor {
				line = s.Cursor.Render(line)
			}
			lines = append(lines, line)
		}
	}
	for len(lines) < h-2 {
		lines = append(lines, "")
	}
	keys := []key.Binding{m.byKey(true), m.sortKey(true), m.pivotKey(true), m.c.Keys.Global.Back}
	if len(m.groups) < 2 {
		keys = keys[1:]
	}
	lines = append(lines[:max(0, h-2)], m.detail(w), s.Dim.Render(common.HelpLine(s, w, keys...)))
	for i, l := range lines {
		lines[i] = common.PadRight(ansi.Truncate(l, w, ""), w)
	}
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

// heading says what is tallied in w cells: the list's rows shown and their
// events, by what, in what order. Too long, it goes without "tally of the"
// (the status line names the screen), then is cut where it shows it: at
// 80 columns it was cut mid-word, "sorted by even".
func (m *Model) heading(w int) string {
	if m.shown == nil || m.shown.Loaded.Data == nil {
		return "tally"
	}
	n := 0
	for _, l := range m.shown.Result.Lines {
		if !l.Child {
			n++
		}
	}
	head := fmt.Sprintf("%s %s shown (%s events)", chart.Count(int64(n)), common.Fit(m.label, 30), chart.Count(m.events))
	if len(m.groups) > 0 {
		head += " · by " + m.groups[m.group].String() + " · sorted by " + sortNames[m.sort]
	}
	if full := "tally of the " + head; ansi.StringWidth(full) <= w {
		return full
	}
	return common.Fit(head, w)
}

// detail is the row under the cursor in full.
func (m *Model) detail(w int) string {
	r, ok := m.current()
	if !ok || !m.loaded {
		return ""
	}
	text := common.Fit(r.key, 40)
	if r.about != "" {
		text += " " + common.Fit(r.about, w)
	}
	text += fmt.Sprintf(" · %s %s, %s events (%s)", chart.Count(r.values), m.valuesWord(), chart.Count(r.events), share(r.events, m.events))
	if r.clients >= 0 {
		text += ", " + chart.Count(r.clients) + " clients"
	}
	return common.Fit(text, w)
}

// valuesWord is what the values column counts: the list's rows for a
// category, the names (by their answers) or addresses for a network.
func (m *Model) valuesWord() string {
	data := m.shown.Loaded.Data
	switch {
	case m.groups[m.group] == byCategory && m.shown.Result.Domains:
		return "domains"
	case m.groups[m.group] == byCategory || data.Subject.Code == subject.DNSName:
		return "names"
	}
	return "addresses"
}

// share is part of total as a percentage.
func share(part, total int64) string {
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(total))
}

// column is one column of the table.
type column struct {
	title string
	width int
	right bool
}

// layout is the table's columns at a width: the key, the counts, and
// what is left for the about column (gone when it would be too narrow).
type layout struct {
	cols  []column
	about int // its width; 0: not shown
}

// keyWidth fits "AS4294967295" and most owners and categories.
const keyWidth = 16

func (m *Model) layout(w int) layout {
	cols := []column{{title: m.groups[m.group].String(), width: keyWidth}, {title: m.valuesWord(), width: 9, right: true},
		{title: "events", width: 11, right: true}, {title: "share", width: 6, right: true}}
	cols = append(cols, column{title: "clients", width: 8, right: true})
	used := len(cols) - 1
	for _, c := range cols {
		used += c.width
	}
	l := layout{cols: cols}
	if rest := w - used - 1; rest >= 10 && m.groups[m.group] != byCategory {
		l.about = rest
	}
	return l
}

func (l layout) header() string {
	cells := make([]string, 0, len(l.cols)+1)
	for _, c := range l.cols {
		cells = append(cells, common.Align(c.title, c.width, c.right))
	}
	if l.about > 0 {
		cells = append(cells, "")
	}
	return strings.TrimRight(strings.Join(cells, " "), " ")
}

func (l layout) row(r row, total int64) string {
	cells := make([]string, 0, len(l.cols)+1)
	for _, c := range l.cols {
		var v string
		switch c.title {
		case "events":
			v = chart.Count(r.events)
		case "share":
			v = share(r.events, total)
		case "clients":
			v = "…"
			if r.clients >= 0 {
				v = chart.Count(r.clients)
			}
		default:
			if c.right {
				v = chart.Count(r.values)
			} else {
				v = common.Fit(r.key, c.width)
			}
		}
		cells = append(cells, common.Align(v, c.width, c.right))
	}
	if l.about > 0 {
		cells = append(cells, common.Fit(r.about, l.about))
	}
	return strings.Join(cells, " ")
}
