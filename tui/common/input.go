package common

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/textsafe"
)

// Input is a one-line text input for search boxes and prompts. (bubbles'
// textinput pulls in a clipboard module this build does not carry.) Enter
// and esc are the caller's: Update only edits.
type Input struct {
	Prompt string
	value  []rune
	pos    int
	// selected: the text is a last query the prompt reopened on
	// (Reopen), untouched: the first text typed, a paste or a deletion
	// replaces it (typing appended to it: "183.62re:(zzzz"); a cursor
	// key keeps it, to edit.
	selected bool
}

// SetValue replaces the text and puts the cursor at its end.
func (in *Input) SetValue(s string) {
	in.value = []rune(s)
	in.pos = len(in.value)
	in.selected = false
}

// Reopen sets the text to a last query, selected (see Input.selected).
func (in *Input) Reopen(s string) {
	in.SetValue(s)
	in.selected = s != ""
}

// Value returns the text.
func (in *Input) Value() string { return string(in.value) }

// Update edits the text: printable keys insert, backspace/delete,
// left/right, home/end (ctrl+a/ctrl+e), ctrl+u clears to the start, ctrl+w
// deletes a word; a paste inserts its first line.
func (in *Input) Update(msg tea.Msg) {
	if in.selected {
		in.selected = false
		if in.replaces(msg) {
			in.SetValue("")
			if k, ok := msg.(tea.KeyPressMsg); ok && k.Text == "" {
				return // a deletion: the query is gone, nothing more
			}
		}
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		text, _, _ := strings.Cut(msg.Content, "\n")
		in.insert(text)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if in.pos > 0 {
				in.value = append(in.value[:in.pos-1], in.value[in.pos:]...)
				in.pos--
			}
		case "delete", "ctrl+d":
			if in.pos < len(in.value) {
				in.value = append(in.value[:in.pos], in.value[in.pos+1:]...)
			}
		case "left", "ctrl+b":
			in.pos = max(0, in.pos-1)
		case "right", "ctrl+f":
			in.pos = min(len(in.value), in.pos+1)
		case "home", "ctrl+a":
			in.pos = 0
		case "end", "ctrl+e":
			in.pos = len(in.value)
		case "ctrl+u":
			in.value = in.value[in.pos:]
			in.pos = 0
		case "ctrl+w":
			i := in.pos
			for i > 0 && unicode.IsSpace(in.value[i-1]) {
				i--
			}
			for i > 0 && !unicode.IsSpace(in.value[i-1]) {
				i--
			}
			in.value = append(in.value[:i], in.value[in.pos:]...)
			in.pos = i
		default:
			if msg.Text != "" && msg.Mod&^tea.ModShift == 0 {
				in.insert(msg.Text)
			}
		}
	}
}

// replaces says whether msg, on a selected text, replaces it: a paste,
// a printable key, a deletion.
func (in *Input) replaces(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		return true
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h", "delete", "ctrl+d":
			return true
		}
		return msg.Text != "" && msg.Mod&^tea.ModShift == 0
	}
	return false
}

func (in *Input) insert(s string) {
	var rs []rune
	for _, r := range s {
		if unicode.IsPrint(r) {
			rs = append(rs, r)
		}
	}
	in.value = append(in.value[:in.pos], append(rs, in.value[in.pos:]...)...)
	in.pos += len(rs)
}

// View renders the prompt and the text in width cells with the cursor in
// reverse video, scrolled so the cursor stays visible.
func (in *Input) View(s *Styles, width int) string {
	prompt := s.Prompt.Render(in.Prompt)
	if in.selected {
		// The last query, selected: reverse video, and said in words
		// (without colour too).
		return ansi.Truncate(prompt+s.Cursor.Render(textsafe.String(string(in.value)))+
			s.Dim.Render("  typing replaces it, → edits it"), width, "…")
	}
	room := max(1, width-ansi.StringWidth(in.Prompt)-1)
	start := max(0, in.pos-room+1)
	before := textsafe.String(string(in.value[start:in.pos]))
	at, after := " ", ""
	if in.pos < len(in.value) {
		at = textsafe.String(string(in.value[in.pos]))
		after = textsafe.String(string(in.value[in.pos+1:]))
	}
	line := before + s.Cursor.Render(at) + after
	return ansi.Truncate(prompt+line, width, "")
}
