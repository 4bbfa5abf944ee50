package detail

import (
	"fmt"
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/scroll"
)

// table is what the three screens share: rows that / narrows down, a cursor
// and a scrolled window. It knows each row only as the text a search looks
// in; the screens draw the rows themselves.
type table struct {
	c      common.Common
	hay    []string // per row, lower-cased: what / searches
	shown  []int    // rows that pass the filter, in order
	cursor int      // index into shown
	top    int      // first index of shown on screen
	height int      // rows on screen

	input     common.Input
	searching bool   // the input has the keyboard
	query     string // the filter in force
	before    string // the filter when the input opened: esc goes back to it
	queryErr  error  // a regex that did not compile

	empty string // why a screen can have no rows, said when it has none
}

func newTable(c common.Common) table {
	return table{c: c, input: common.Input{Prompt: "/"}}
}

// setRows replaces the rows, keeping the filter and, as far as it can, the
// cursor's position: more rows of the same list arrive as the user scrolls.
func (t *table) setRows(hay []string) {
	t.hay = hay
	t.applyFilter()
}

// current is the row under the cursor.
func (t *table) current() (int, bool) {
	if t.cursor < 0 || t.cursor >= len(t.shown) {
		return 0, false
	}
	return t.shown[t.cursor], true
}

// filtered reports whether a filter is narrowing the rows.
func (t *table) filtered() bool { return t.query != "" }

// matcher turns a query into a test on a row's text: a case-insensitive
// substring, or a regex after "re:" or "~".
func matcher(q string) (func(string) bool, error) {
	for _, p := range []string{"re:", "~"} {
		if rest, ok := strings.CutPrefix(q, p); ok {
			re, err := regexp.Compile("(?i)" + rest)
			if err != nil {
				return nil, err
			}
			return re.MatchString, nil
		}
	}
	q = strings.ToLower(q)
	return func(s string) bool { return strings.Contains(s, q) }, nil
}

func (t *table) applyFilter() {
	var keep int
	if i, ok := t.current(); ok {
		keep = i
	}
	match, err := matcher(t.query)
	t.queryErr = err
	if err != nil {
		return // keep what was shown until the regex compiles
	}
	t.shown = t.shown[:0]
	t.cursor = 0
	for i, h := range t.hay {
		if t.query == "" || match(h) {
			if i <= keep {
				t.cursor = len(t.shown)
			}
			t.shown = append(t.shown, i)
		}
	}
	t.scroll()
}

// scroll keeps the cursor on screen.
func (t *table) scroll() {
	t.cursor, t.top = scroll.Clamp(t.cursor, t.top, len(t.shown), max(t.height, 1))
}

// nearEnd reports whether the cursor is within a screen of the last row:
// time to fetch more.
func (t *table) nearEnd() bool { return t.cursor >= len(t.shown)-t.height-1 }

// nearStart reports whether the cursor is within a screen of the first row.
func (t *table) nearStart() bool { return t.cursor <= t.height }

// shift replaces the rows with hay, in which each earlier row moved by
// delta (rows added before them, or dropped): the cursor and the screen
// stay on the same rows.
func (t *table) shift(hay []string, delta int) {
	row, top := -1, -1
	if i, ok := t.current(); ok {
		row = i + delta
	}
	if t.top >= 0 && t.top < len(t.shown) {
		top = t.shown[t.top] + delta
	}
	t.hay = hay
	t.applyFilter()
	t.cursor, t.top = t.at(row), t.at(top)
	t.scroll()
}

// at is the place in shown of row, or of the first shown after it.
func (t *table) at(row int) int {
	for j, i := range t.shown {
		if i >= row {
			return j
		}
	}
	return max(len(t.shown)-1, 0)
}

// update handles navigation and the search input. handled is false for a
// key the screen should look at.
func (t *table) update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	k := t.c.Keys
	if t.searching {
		if km, ok := msg.(tea.KeyPressMsg); ok {
			switch {
			case key.Matches(km, k.Prompt.Confirm):
				t.searching = false
				return nil, true
			case key.Matches(km, k.Prompt.Cancel):
				t.searching = false
				t.input.SetValue(t.before)
			}
		}
		t.input.Update(msg)
		if t.input.Value() != t.query {
			t.query = t.input.Value()
			t.applyFilter()
		}
		return nil, true
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	if to, ok := scroll.Key(km, k.Nav, t.cursor, len(t.shown), max(t.height, 1)); ok {
		if key.Matches(km, k.Nav.PageUp, k.Nav.PageDown) {
			t.top += to - t.cursor // the cursor keeps its place on screen
		}
		t.cursor = to
		t.scroll()
		return nil, true
	}
	switch {
	case key.Matches(km, k.Search.Search):
		t.searching = true
		t.before = t.query
		t.input.Reopen(t.query)
		return nil, true
	case key.Matches(km, k.Global.Back) && t.filtered():
		t.query = ""
		t.input.SetValue("")
		t.applyFilter()
		return common.Handled(), true
	}
	return nil, false
}

// lines draws the rows on screen, each exactly width cells, the cursor's in
// reverse video. draw returns a row's plain, already safe text.
func (t *table) lines(width int, draw func(row, width int) string) []string {
	out := make([]string, 0, t.height)
	for j := t.top; j < min(t.top+t.height, len(t.shown)); j++ {
		line := fit(draw(t.shown[j], width), width)
		if j == t.cursor {
			line = t.c.Styles.Cursor.Render(line)
		}
		out = append(out, line)
	}
	for len(out) < t.height {
		out = append(out, strings.Repeat(" ", width))
	}
	return out
}

// body is the rows on screen or, in their place, the error, what is
// loading, that there are none, or that the filter hides every row.
func (t *table) body(width int, err error, loading bool, loadingText string, draw func(row, width int) string) []string {
	switch {
	case err != nil:
		return []string{fit("  "+textsafe.String(err.Error()), width)}
	case loading:
		return []string{fit("  "+loadingText, width)}
	case len(t.hay) == 0:
		return []string{fit("  none: "+t.empty, width)}
	case len(t.shown) == 0:
		return []string{fit("  nothing matches the filter", width)}
	}
	return t.lines(width, draw)
}

// searchLine is the input while typing, the filter in force otherwise, or
// "" when there is neither.
func (t *table) searchLine(width int) string {
	switch {
	case t.searching:
		note := ""
		if t.queryErr != nil {
			note = "  (not a valid regex yet)"
		}
		return common.PadRight(t.input.View(t.c.Styles, width-cellWidth(note))+note, width)
	case t.filtered():
		return t.c.Styles.Dim.Render(fit(fmt.Sprintf("filter /%s  (/ to change, esc to clear)", textsafe.String(t.query)), width))
	}
	return ""
}
