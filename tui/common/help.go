package common

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// helpColumn is the width of one column of the help: a key and its words.
const helpColumn = 38

// RenderHelp lays out help sections in as many columns of helpColumn cells as
// width allows, filling them top to bottom with whole sections, and returns
// the lines (the caller scrolls them when they are taller than the screen).
// Disabled bindings and bindings without help are left out.
func RenderHelp(s *Styles, secs []HelpSection, width int) []string {
	blocks := make([][]string, 0, len(secs))
	total := 0
	for _, sec := range secs {
		b := helpBlock(s, sec, min(width, helpColumn))
		if len(b) > 0 {
			blocks = append(blocks, b)
			total += len(b)
		}
	}
	cols := max(1, min(len(blocks), width/helpColumn))
	target := (total + cols - 1) / cols
	var columns [][]string
	var cur []string
	for _, b := range blocks {
		if len(cur) > 0 && len(cur)+len(b) > target && len(columns) < cols-1 {
			columns = append(columns, cur)
			cur = nil
		}
		cur = append(cur, b...)
	}
	columns = append(columns, cur)
	height := 0
	for _, c := range columns {
		height = max(height, len(c))
	}
	colW := width / len(columns)
	lines := make([]string, height)
	for i := range lines {
		var sb strings.Builder
		for j, c := range columns {
			cell := ""
			if i < len(c) {
				cell = c[i]
			}
			if j < len(columns)-1 {
				cell = padRight(cell, colW)
			}
			sb.WriteString(cell)
		}
		lines[i] = sb.String()
	}
	return lines
}

// helpBlock is one section: its title, one line per binding, a blank line.
func helpBlock(s *Styles, sec HelpSection, width int) []string {
	keyW := 0
	var bs []key.Binding
	for _, b := range sec.Keys {
		if b.Enabled() && b.Help().Key != "" {
			bs = append(bs, b)
			keyW = max(keyW, ansi.StringWidth(b.Help().Key))
		}
	}
	if len(bs) == 0 {
		return nil
	}
	out := []string{s.HelpTitle.Render(ansi.Truncate(sec.Title, width, "…"))}
	room := max(1, width-keyW-3)
	for _, b := range bs {
		// Words that do not fit go on under the first, not cut: at 80
		// columns "next kind of event (dns, htt…" hid what K cycles.
		for i, desc := range strings.Split(ansi.Wrap(b.Help().Desc, room, ""), "\n") {
			k := strings.Repeat(" ", keyW)
			if i == 0 {
				k = s.HelpKey.Render(padRight(b.Help().Key, keyW))
			}
			out = append(out, " "+k+"  "+s.HelpDesc.Render(desc))
		}
	}
	return append(out, "")
}

// padRight pads a (possibly styled) string with spaces to width cells.
func padRight(str string, width int) string {
	if w := lipgloss.Width(str); w < width {
		return str + strings.Repeat(" ", width-w)
	}
	return str
}

// HelpLine is a one-line summary of bindings ("? help  q quit"), cut to width.
func HelpLine(s *Styles, width int, bs ...key.Binding) string {
	var parts []string
	for _, b := range bs {
		if b.Enabled() {
			parts = append(parts, s.HelpKey.Render(b.Help().Key)+" "+s.Dim.Render(b.Help().Desc))
		}
	}
	return ansi.Truncate(strings.Join(parts, "  "), width, "…")
}

// Worded is b worded for one view: brief for the line of keys under its
// table (short), full for the help.
func Worded(b key.Binding, short bool, brief, full string) key.Binding {
	if short {
		b.SetHelp(b.Help().Key, brief)
	} else {
		b.SetHelp(b.Help().Key, full)
	}
	return b
}
