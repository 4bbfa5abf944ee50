package common

import (
	"charm.land/lipgloss/v2"
	"github.com/longtail/longtail/engine/rules"
)

// Styles is the one theme of the TUI. Every meaning carries an attribute
// (bold, reverse, underline, faint) or a character as well as a colour, so
// that the screens read the same with NO_COLOR or on a monochrome terminal:
// the renderer strips colours there and keeps the attributes. Colours are
// the 16 ANSI ones so the user's terminal palette decides how they look.
type Styles struct {
	Title      lipgloss.Style // a view's title line
	Header     lipgloss.Style // column headers
	Row        lipgloss.Style
	Cursor     lipgloss.Style // the row under the cursor: reverse video
	Selected   lipgloss.Style // rows selected for a batch action (also marked by SelectMark)
	Dim        lipgloss.Style // secondary text: placeholders, units, indices
	Emphasis   lipgloss.Style
	Match      lipgloss.Style // a search hit within a row
	Good       lipgloss.Style // verdict marks
	Suspicious lipgloss.Style
	Bad        lipgloss.Style

	Status      lipgloss.Style // the status line
	StatusKey   lipgloss.Style // the view's title inside the status line
	StatusError lipgloss.Style
	Prompt      lipgloss.Style // a question in the status line ("scope: n/d")

	HelpTitle lipgloss.Style
	HelpKey   lipgloss.Style
	HelpDesc  lipgloss.Style
	Frame     lipgloss.Style // the border of overlays (help, dialogs)

	Axis lipgloss.Style // chart axes and scales
	Bar  lipgloss.Style // chart bars and sparklines

	// SelectMark prefixes a selected row; Shades is the heat scale from
	// nothing to most, one cell each.
	SelectMark string
	Shades     []string
}

// DefaultStyles returns the theme.
func DefaultStyles() *Styles {
	s := lipgloss.NewStyle
	return &Styles{
		Title:      s().Bold(true),
		Header:     s().Bold(true).Underline(true),
		Row:        s(),
		Cursor:     s().Reverse(true),
		Selected:   s().Bold(true).Foreground(lipgloss.Cyan),
		Dim:        s().Faint(true),
		Emphasis:   s().Bold(true),
		Match:      s().Underline(true).Bold(true),
		Good:       s().Foreground(lipgloss.Green),
		Suspicious: s().Bold(true).Foreground(lipgloss.Yellow),
		Bad:        s().Bold(true).Reverse(true).Foreground(lipgloss.Red),

		Status:      s().Reverse(true),
		StatusKey:   s().Reverse(true).Bold(true),
		StatusError: s().Reverse(true).Bold(true).Foreground(lipgloss.Red),
		Prompt:      s().Bold(true).Underline(true),

		HelpTitle: s().Bold(true).Underline(true),
		HelpKey:   s().Bold(true),
		HelpDesc:  s(),
		Frame:     s().Border(lipgloss.NormalBorder()).Padding(0, 1),

		Axis: s().Faint(true),
		Bar:  s().Foreground(lipgloss.Blue),

		SelectMark: "*",
		Shades:     []string{" ", "░", "▒", "▓", "█"},
	}
}

// Verdict returns the style of a verdict mark.
func (s *Styles) Verdict(v rules.Verdict) lipgloss.Style {
	switch v {
	case rules.Good:
		return s.Good
	case rules.Suspicious:
		return s.Suspicious
	case rules.Bad:
		return s.Bad
	}
	return s.Row
}

// VerdictMark is the short word for a verdict in a list column: readable
// without colour, at most 4 cells.
func VerdictMark(v rules.Verdict) string {
	switch v {
	case rules.Good:
		return "good"
	case rules.Suspicious:
		return "susp"
	case rules.Bad:
		return "BAD"
	}
	return ""
}
