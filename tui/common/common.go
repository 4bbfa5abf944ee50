package common

import (
	"context"

	"github.com/longtail/longtail/db"
)

// Common is handed by value to every view: the workspace, a context for its
// queries, the theme and the keymap (shared pointers: one theme, one keymap,
// one record of the writes in flight, one list's filters, one log of
// messages), and the size the view was last given.
type Common struct {
	Ctx           context.Context
	DB            *db.DB
	Styles        *Styles
	Keys          *KeyMap
	Writes        *Writes
	Shared        *Shared
	Log           *Log
	Width, Height int
}

// New returns a Common with the default theme and keymap.
func New(ctx context.Context, d *db.DB) Common {
	return Common{Ctx: ctx, DB: d, Styles: DefaultStyles(), Keys: DefaultKeyMap(), Writes: NewWrites(), Shared: &Shared{}, Log: &Log{}}
}

// SetSize records a view's size.
func (c *Common) SetSize(width, height int) { c.Width, c.Height = width, height }
