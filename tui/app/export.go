package app

import (
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
)

// SetPager names the program the rows' CSV opens in (E); "" writes the
// file and names it in the status line (no pager, or no terminal to give
// it).
func (m *Model) SetPager(pager string) { m.pager = pager }

// copyValue puts the value under the cursor on the terminal's clipboard
// (OSC 52) and shows it whole above the status line until the next key:
// a terminal that ignores OSC 52, over SSH at 2 a.m., still lets the mouse
// select it. The clipboard gets the value exact; the screen, escaped.
func (m *Model) copyValue() tea.Cmd {
	ex, ok := m.top().view.(common.Exporter)
	if !ok {
		m.setStatus("nothing to copy on this screen", false)
		return nil
	}
	v, ok := ex.CursorValue()
	if !ok && common.StillLoading(ex) {
		m.setStatus("the list is still loading: its rows have no cursor yet", false)
		return nil
	}
	if !ok {
		m.setStatus("no row under the cursor", false)
		return nil
	}
	if v == "" {
		// An empty OSC 52 would wipe what the analyst had on the
		// clipboard, for nothing.
		m.setStatus(blank(ex), false)
		return nil
	}
	m.copied = v
	note := "copied to the clipboard (OSC 52)"
	if textsafe.String(v) != v {
		note += "; it holds characters shown escaped here"
	}
	m.setStatus(note+": "+textsafe.String(v), false)
	return tea.SetClipboard(v)
}

// Blanker is a view whose row under the cursor can have an empty value (a
// DNS request without answers): CursorBlank names what is empty, in the
// row's words ("answers").
type Blanker interface{ CursorBlank() string }

// blank says that ex's row has nothing to copy, short enough for the
// status line at 80 columns: "no answers to copy".
func blank(ex common.Exporter) string {
	if b, ok := ex.(Blanker); ok {
		return "no " + b.CursorBlank() + " to copy"
	}
	return "nothing to copy"
}

// copiedLines is the copied value drawn whole, wrapped, under a line
// saying what it is, at most half the screen.
func (m *Model) copiedLines(w, h int) []string {
	safe := textsafe.String(m.copied)
	lines := append([]string{"copied; select it with the mouse if the clipboard did not get it:"},
		strings.Split(ansi.Hardwrap(safe, w, true), "\n")...)
	if room := max(h/2, 2); len(lines) > room {
		lines = append(lines[:room-1], "… (the whole value is in the messages, !)")
	}
	for i, l := range lines {
		lines[i] = m.c.Styles.Cursor.Render(common.PadRight(ansi.Truncate(l, w, ""), w))
	}
	return lines
}

// exportRows writes the top view's rows as CSV, exact, to a file, then
// opens an escaped copy in the pager, or names the file.
func (m *Model) exportRows() tea.Cmd {
	t := m.top()
	ex, ok := t.view.(common.Exporter)
	if !ok {
		m.setStatus("this screen has no rows to export", false)
		return nil
	}
	if common.StillLoading(ex) {
		m.setStatus("the list is still loading: its rows are not all in yet", false)
		return nil
	}
	header, rows := ex.Rows()
	pager := m.pager
	return func() tea.Msg {
		path, err := writeCSV("longtail-*.csv", header, rows, func(s string) string { return s })
		if err != nil {
			return common.ErrMsg{Err: fmt.Errorf("the rows as CSV: %w", err)}
		}
		// The path first: cut at 80 columns, the status line kept "226
		// rows as CSV in /tmp/l…", without the one thing needed.
		done := fmt.Sprintf("%s: %s as CSV", path, words.Count(len(rows), "row"))
		if pager == "" {
			return common.StatusMsg{Text: done}
		}
		// What reaches the terminal through the pager is escaped; the
		// file keeps the values exact.
		shown, err := writeCSV("longtail-shown-*.csv", header, rows, textsafe.String)
		if err != nil {
			return common.ErrMsg{Err: fmt.Errorf("the rows for the pager: %w", err)}
		}
		args := strings.Fields(pager)
		cmd := exec.Command(args[0], append(args[1:], shown)...)
		return execMsg{cmd: cmd, shown: shown, done: done}
	}
}

// execMsg asks Update to hand the terminal to the pager.
type execMsg struct {
	cmd         *exec.Cmd
	shown, done string
}

// pagerDone is the pager's end.
type pagerDone struct {
	shown, done string
	err         error
}

func (m *Model) runPager(msg execMsg) tea.Cmd {
	return tea.ExecProcess(msg.cmd, func(err error) tea.Msg { return pagerDone{msg.shown, msg.done, err} })
}

func (m *Model) pagerEnded(msg pagerDone) {
	os.Remove(msg.shown)
	if msg.err != nil {
		m.setStatus(fmt.Sprintf("the pager: %v; %s", msg.err, msg.done), true)
		return
	}
	m.setStatus(msg.done, false)
}

// writeCSV writes the rows, each cell through cell, to a new file named
// after pattern in the temporary directory, and returns its path.
func writeCSV(pattern string, header []string, rows [][]string, cell func(string) string) (string, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return "", err
	}
	w := csv.NewWriter(f)
	conv := func(r []string) []string {
		out := make([]string, len(r))
		for i, c := range r {
			out[i] = cell(c)
		}
		return out
	}
	w.Write(conv(header))
	for _, r := range rows {
		w.Write(conv(r))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}
