package detail

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
)

// prompt is the requests screen's line of input: a filter by field, or a
// time to jump to.
type prompt struct {
	kind  promptKind
	input common.Input
}

type promptKind uint8

const (
	promptNone promptKind = iota
	promptFilter
	promptJump
)

func (p *prompt) open() bool { return p.kind != promptNone }

// pageKey handles the keys that read another part of the events: g and G
// past the window's edges, the field filter, the jump, and esc clearing
// the field filter (after the / filter, before going back).
func (v *Events) pageKey(km tea.KeyPressMsg) (tea.Cmd, bool) {
	k := v.c.Keys
	switch {
	case v.rows == nil:
		return nil, false
	case key.Matches(km, k.Nav.Bottom) && !v.atOldest():
		return v.fetch(pageReq{replace: true, last: true}), true
	case key.Matches(km, k.Nav.Top) && !v.atNewest():
		return v.fetch(pageReq{older: true, replace: true}), true
	case key.Matches(km, k.Events.Filter):
		v.prompt = prompt{kind: promptFilter, input: common.Input{Prompt: "only: "}}
		v.prompt.input.SetValue(v.filterText)
	case key.Matches(km, k.Events.Jump):
		v.prompt = prompt{kind: promptJump, input: common.Input{Prompt: "jump to (UTC): "}}
	case key.Matches(km, k.Global.Back) && v.filter.Active() && !v.tbl.filtered():
		v.filter, v.filterText = db.EventFilter{}, ""
		return tea.Batch(common.Handled(), v.fetch(pageReq{older: true, replace: true})), true
	default:
		return nil, false
	}
	v.layout()
	return nil, true
}

// promptKey edits the prompt; enter applies it, esc closes it. A text
// refused stays in its open prompt, as a / regex that does not compile
// does: the analyst mends a typo rather than typing it all again.
func (v *Events) promptKey(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	switch {
	case ok && key.Matches(km, v.c.Keys.Prompt.Cancel):
		v.prompt = prompt{}
	case ok && key.Matches(km, v.c.Keys.Prompt.Confirm):
		apply := v.jump
		if v.prompt.kind == promptFilter {
			apply = v.applyFilter
		}
		cmd, err := apply(v.prompt.input.Value())
		if err != nil {
			return common.Error(err)
		}
		v.prompt = prompt{}
		v.layout()
		return cmd
	default:
		v.prompt.input.Update(msg)
		return nil
	}
	v.layout()
	return nil
}

// applyFilter reads the newest events that pass the filter text.
func (v *Events) applyFilter(text string) (tea.Cmd, error) {
	f, err := review.ParseEventFilter(text, v.filterKind())
	if err != nil {
		return nil, err
	}
	if v.clientID != 0 && f.Client != "" && !strings.EqualFold(f.Client, v.clientAddr) {
		return nil, fmt.Errorf("these are the %s from %s alone: esc goes back to its pivot", v.noun(), textsafe.String(v.clientAddr))
	}
	v.filter, v.filterText = f, text
	return v.fetch(pageReq{older: true, replace: true}), nil
}

// jump reads the events at and before a time, the cursor on the first.
func (v *Events) jump(text string) (tea.Cmd, error) {
	ref := time.Now().UTC()
	if i, ok := v.tbl.current(); ok && i < len(v.keys) {
		ref = time.UnixMicro(v.keys[i].Time).UTC()
	}
	first, last, err := parseWhen(text, ref)
	if err != nil {
		return nil, err
	}
	from := db.KeyAt(last.UnixMicro())
	asked := &jumpTo{text: textsafe.String(strings.TrimSpace(text)), first: first.UnixMicro()}
	return v.fetch(pageReq{from: &from, older: true, replace: true, jump: asked}), nil
}

// jumpNote says where a jump to a time outside the events landed: on the
// oldest of them for a time before the first, on the newest for one after
// the last.
func (v *Events) jumpNote(req pageReq) tea.Cmd {
	j := req.jump
	if j == nil || len(v.keys) == 0 {
		return nil
	}
	// Short: at 80 columns the status line has some 50 cells for it, and
	// the row under the cursor shows the time.
	switch {
	case req.from == nil: // read as G: nothing was at or before it
		return common.Status(j.text + " is before them all: on the oldest")
	case v.atNewest() && v.keys[0].Time < j.first:
		return common.Status(j.text + " is after them all: on the newest")
	}
	return nil
}

// status says where the cursor is among the events, and what narrows them.
func (v *Events) status() string {
	total := words.Int(v.total)
	switch {
	case v.tbl.filtered():
		return v.searchStatus()
	case v.filter.Active() && v.matching == 0:
		return fmt.Sprintf("none of %s match", total)
	case v.filter.Active():
		return fmt.Sprintf("row %s of %s matching, %s in all", words.Int(v.position()), words.Int(v.matching), total)
	case len(v.rows) == 0:
		return "none"
	}
	return fmt.Sprintf("row %s of %s, newest first", words.Int(v.position()), total)
}

// bottomLines is how many lines the prompt, the field filter and the /
// filter take at the bottom.
func (v *Events) bottomLines() int {
	if v.prompt.open() {
		return 1
	}
	n := searchLines(&v.tbl)
	if v.filter.Active() {
		n++
	}
	return n
}

// bottom draws those lines.
func (v *Events) bottom(width int) []string {
	if v.prompt.open() {
		return []string{common.PadRight(v.prompt.input.View(v.c.Styles, width), width)}
	}
	var out []string
	if v.filter.Active() {
		out = append(out, v.c.Styles.Dim.Render(fit("only "+textsafe.String(v.filterText)+"  (f to change, esc to clear)", width)))
	}
	if s := v.tbl.searchLine(width); s != "" {
		out = append(out, s)
	}
	return out
}
