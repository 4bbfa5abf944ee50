// Package scroll is the cursor of the list-like screens: where a
// navigation key takes it, and keeping it on a row and on screen.
package scroll

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/tui/common"
)

// Key is where the navigation key km takes a cursor at cursor among n
// rows with page rows on screen, not yet clamped; ok is false for a key
// that is not a navigation key.
func Key(km tea.KeyPressMsg, nav common.NavKeys, cursor, n, page int) (to int, ok bool) {
	switch {
	case key.Matches(km, nav.Up):
		return cursor - 1, true
	case key.Matches(km, nav.Down):
		return cursor + 1, true
	case key.Matches(km, nav.PageUp):
		return cursor - page, true
	case key.Matches(km, nav.PageDown):
		return cursor + page, true
	case key.Matches(km, nav.HalfUp):
		return cursor - page/2, true
	case key.Matches(km, nav.HalfDown):
		return cursor + page/2, true
	case key.Matches(km, nav.Top):
		return 0, true
	case key.Matches(km, nav.Bottom):
		return n - 1, true
	}
	return cursor, false
}

// Clamp keeps cursor on one of n rows and the window of height rows from
// offset around it, moving the window as little as it can.
func Clamp(cursor, offset, n, height int) (int, int) {
	cursor = max(0, min(cursor, n-1))
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+height {
		offset = cursor - height + 1
	}
	return cursor, max(0, min(offset, n-height))
}

// At is the row at cursor; false when there is none (no rows yet, or the
// cursor past them).
func At[T any](rows []T, cursor int) (T, bool) {
	if cursor < 0 || cursor >= len(rows) {
		var zero T
		return zero, false
	}
	return rows[cursor], true
}
