// Package tuitest drives views in tests: key messages from their names and
// a loop that runs a view's commands and feeds their answers back, the way
// the app would, collecting what the view says to the app.
package tuitest

import (
	"fmt"
	"reflect"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/tui/common"
)

var named = map[string]rune{
	"enter": tea.KeyEnter, "esc": tea.KeyEscape, "backspace": tea.KeyBackspace, "tab": tea.KeyTab,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd, "delete": tea.KeyDelete,
}

// Key is the key press a terminal sends for a key's name as bubbletea
// prints it: "j", "G", "enter", "ctrl+d", "space", "pgdown".
func Key(s string) tea.KeyPressMsg {
	if c, ok := named[s]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if s == "space" {
		return tea.KeyPressMsg{Code: ' ', Text: " "}
	}
	if len(s) > 5 && s[:5] == "ctrl+" {
		r, _ := utf8.DecodeRuneInString(s[5:])
		return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl}
	}
	if r, n := utf8.DecodeRuneInString(s); n == len(s) {
		return tea.KeyPressMsg{Code: r, Text: s}
	}
	panic(fmt.Sprintf("tuitest.Key: unknown key %q", s))
}

// Settle runs cmd and every command that follows from it, handing the
// view's own messages back to it, and returns the messages meant for the
// app (those of package common), in order.
func Settle(v common.View, cmd tea.Cmd) []tea.Msg {
	return SettleOnly(v, cmd, func(tea.Msg) bool { return true })
}

// SettleOnly is Settle handing back to the view only the messages feed
// accepts; it drops the others (a timer's, say, that would query the
// workspace).
func SettleOnly(v common.View, cmd tea.Cmd, feed func(tea.Msg) bool) []tea.Msg {
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			if reflect.TypeOf(msg).PkgPath() == reflect.TypeOf(common.OpenMsg{}).PkgPath() {
				out = append(out, msg)
				continue
			}
			if feed(msg) {
				_, next := v.Update(msg)
				queue = append(queue, next)
			}
		}
	}
	return out
}

// Press sends keys to v one by one, settling after each, and returns what
// the view said to the app.
func Press(v common.View, keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		_, cmd := v.Update(Key(k))
		out = append(out, Settle(v, cmd)...)
	}
	return out
}

// Open builds a view, sizes it, and settles its Init.
func Open(open common.Opener, c common.Common, t common.Target, width, height int) common.View {
	v := open(c, t)
	v.SetSize(width, height)
	Settle(v, v.Init())
	return v
}

// Run feeds msg to a root model and every command that follows, the way
// the runtime would, one message after another; it reports whether the
// model asked to quit.
func Run(m tea.Model, msg tea.Msg) (quit bool) {
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		_, cmd := m.Update(msg)
		cmds := []tea.Cmd{cmd}
		for len(cmds) > 0 {
			c := cmds[0]
			cmds = cmds[1:]
			if c == nil {
				continue
			}
			switch out := c().(type) {
			case nil:
			case tea.QuitMsg:
				return true
			case tea.BatchMsg:
				cmds = append(cmds, out...)
			default:
				queue = append(queue, out)
			}
		}
	}
	return false
}
