// Package detail is the drill-down: a name's requests (newest first), the
// clients that asked for a name, and the pivot from a client to everything
// else it asked for. Each screen loads its rows in a command, narrows them
// with / and opens the next screen through common.OpenMsg, so that the
// chain name → clients → client → names → name can go as deep as the
// analyst follows it and esc walks back.
package detail

import (
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/record"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/subject"
)

// seqs numbers requests across every screen of the package: two screens of
// the same kind on the stack must not take each other's answers.
var seqs atomic.Uint64

func nextSeq() uint64 { return seqs.Add(1) }

// fit cuts or pads safe text to exactly width cells.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return common.PadRight(ansi.Truncate(s, width, "…"), width)
}

func cellWidth(s string) int { return ansi.StringWidth(s) }

// columnWidth is the width of the widest value of a column, between lo and hi.
func columnWidth[T any](rows []T, get func(T) string, lo, hi int) int {
	w := lo
	for _, r := range rows {
		w = max(w, cellWidth(get(r)))
		if w >= hi {
			return hi
		}
	}
	return w
}

// title is a screen's first line: what it shows, the subject (safe text,
// cut as cut does when it does not fit) and how much.
func title(c common.Common, what, subject, status string, width int, cut func(string, int) string) string {
	status = "  " + status
	room := width - cellWidth(what) - cellWidth(status)
	if room < 8 {
		status, room = "", width-cellWidth(what)
	}
	line := c.Styles.Title.Render(what+cut(subject, room)) + c.Styles.Dim.Render(status)
	return common.PadRight(ansi.Truncate(line, width, "…"), width)
}

// cutFor is how the screens of t cut its values (safe text) to fit, by
// the list's rule: a host name at the left, keeping the registered domain
// and the labels nearest it; any other value (a command, a path, a user
// agent) at the right, as its start says what it is: "…/dev/.nippon" hid
// that it was an echo. A target of no subject known, a client, is cut at
// the left: an address's end tells most.
func cutFor(t common.Target) func(string, int) string {
	if sub, ok := targetSubject(t); ok && !sub.Hostname {
		return common.Fit
	}
	return common.TruncateLeft
}

// elsewhere says where a key of the list works, for one these screens
// leave to it: the mark keys, on rows that are requests or clients (the
// pivot's rows are values, and it marks them itself), and R, the rules the
// list opens. The key did nothing, silently, which read as broken; nil for
// any other key.
func elsewhere(k *common.KeyMap, km tea.KeyPressMsg) tea.Cmd {
	m := k.Mark
	switch {
	case key.Matches(km, m.Good, m.Suspicious, m.Bad, m.Clear, m.Note, m.Undo):
		return common.Status(km.String() + ": marks are made on the list and the pivot (p)")
	case key.Matches(km, k.List.Rules):
		return common.Status(km.String() + ": the rules open from the list (q back to it)")
	}
	return nil
}

// padLines fills lines with blank ones up to n (and cuts beyond it).
func padLines(lines []string, n, width int) []string {
	if len(lines) > n {
		return lines[:max(n, 0)]
	}
	for len(lines) < n {
		lines = append(lines, strings.Repeat(" ", width))
	}
	return lines
}

// searchLines is how many lines the filter takes at the bottom.
func searchLines(t *table) int {
	if t.searching || t.filtered() {
		return 1
	}
	return 0
}

func searchHelp(k *common.KeyMap) common.HelpSection {
	return common.HelpSection{Title: "Filter", Keys: []key.Binding{
		subject.WithHelp(k.Search.Search, "filter rows (re: or ~ for a regex)"),
		subject.WithHelp(k.Global.Back, "clear the filter, then back"),
	}}
}

// yearsApart says whether the moments (unix µs, 0 for none) fall in more
// than one year: the times of a screen then carry the year.
func yearsApart(times ...int64) bool {
	year := 0
	for _, us := range times {
		if us == 0 {
			continue
		}
		y := time.UnixMicro(us).UTC().Year()
		if year != 0 && y != year {
			return true
		}
		year = y
	}
	return false
}

// targetSpan is the first and last event of a name or group, from the
// aggregates its opener handed over (0, 0 when it gave none): the span of
// the whole list, where a page of it may be of one year.
func targetSpan(t common.Target) (first, last int64) {
	switch {
	case t.Name != nil:
		return t.Name.First, t.Name.Last
	case t.Group != nil:
		return t.Group.First, t.Group.Last
	}
	return 0, 0
}

// targetSubject is the subject of a target's name or group; ok is false
// when its opener did not say.
func targetSubject(t common.Target) (engsubject.Subject, bool) {
	var code engsubject.Code // 0, no subject
	if n := t.Name; n != nil {
		code = engsubject.Code(n.Kind)
	} else if g := t.Group; g != nil {
		code = engsubject.Code(g.Kind)
	}
	return engsubject.ByCode(code)
}

// targetKind is the kind of a target's subject, 0 when its opener did not
// say.
func targetKind(t common.Target) record.Kind {
	s, _ := targetSubject(t)
	return s.Kind
}

// targetCount is a name's or group's events from the aggregates its opener
// handed over, 0 when it gave none.
func targetCount(t common.Target) int64 {
	switch {
	case t.Name != nil:
		return t.Name.Count
	case t.Group != nil:
		return t.Group.Count
	}
	return 0
}
