// Package messages is the log of the session's status messages: marks,
// undos, imports, errors, and the report of the ingest that ran before the
// screen opened. The status line shows the latest one cut to the screen
// until the next key; here each is whole, wrapped, with its time, newest
// first.
package messages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/scroll"
)

// View is the messages screen.
type View struct {
	c      common.Common
	offset int // first line on screen
}

// New opens the log of c (common.Opener; the target is not used).
func New(c common.Common, _ common.Target) common.View { return &View{c: c} }

// Init does nothing: the log is in memory.
func (v *View) Init() tea.Cmd { return nil }

// SetSize records the size.
func (v *View) SetSize(w, h int) { v.c.SetSize(w, h) }

// lines are the messages, newest first, each wrapped to the width under
// its time; an error says so.
func (v *View) lines() []string {
	es := v.c.Log.Entries()
	w := max(v.c.Width, 20)
	const indent = "          " // under "15:04:05  "
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		var wrapped []string
		// A message of several lines (the ingest's report) keeps them, in
		// order; each is made safe on its own.
		for j, line := range strings.Split(e.Text, "\n") {
			text := textsafe.String(line)
			if e.Err && j == 0 {
				text = "error: " + text
			}
			wrapped = append(wrapped, strings.Split(ansi.Wrap(text, w-len(indent), ""), "\n")...)
		}
		for j, l := range wrapped {
			head := indent
			if j == 0 {
				head = e.Time.Format("15:04:05") + "  "
			}
			out = append(out, common.PadRight(ansi.Truncate(head+l, w, ""), w))
		}
	}
	return out
}

// Update scrolls.
func (v *View) Update(msg tea.Msg) (common.View, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return v, nil
	}
	page := v.rows()
	n := len(v.lines())
	// The offset is the cursor of a screen whose last line is the end.
	if to, ok := scroll.Key(km, v.c.Keys.Nav, v.offset, max(n-page+1, 1), page); ok {
		v.offset = max(0, min(to, n-page))
	}
	return v, nil
}

func (v *View) rows() int { return max(v.c.Height-1, 1) }

// View draws the title and the lines on screen.
func (v *View) View() string {
	w := v.c.Width
	lines := v.lines()
	status := fmt.Sprintf("  %d, newest first", len(v.c.Log.Entries()))
	out := []string{common.PadRight(ansi.Truncate(v.c.Styles.Title.Render("messages")+v.c.Styles.Dim.Render(status), w, "…"), w)}
	if len(lines) == 0 {
		out = append(out, common.PadRight("  none yet: marks, imports and errors are kept here", w))
	}
	v.offset = max(0, min(v.offset, len(lines)-v.rows()))
	for i := v.offset; i < len(lines) && len(out) < v.c.Height; i++ {
		out = append(out, lines[i])
	}
	for len(out) < v.c.Height {
		out = append(out, strings.Repeat(" ", w))
	}
	return strings.Join(out[:v.c.Height], "\n")
}

// Title names the screen.
func (v *View) Title() string { return "messages" }

// KeyHelp lists the keys.
func (v *View) KeyHelp() []common.HelpSection {
	k := v.c.Keys
	return []common.HelpSection{k.Navigation(), {Title: "Messages", Keys: []key.Binding{k.Global.Back}}, k.General()}
}

// Capturing is never true: there is no input.
func (v *View) Capturing() bool { return false }
