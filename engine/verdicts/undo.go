package verdicts

import (
	"context"
	"fmt"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
)

// KeepUndo keeps a write's step in the workspace's undo history and
// returns the write's status text: a write whose step could not be kept is
// in the workspace all the same (its verdicts are shown), and says so.
// Every screen that writes rules keeps its steps here, so one undo takes
// back the newest write, whichever screen (or session) made it.
func KeepUndo(ctx context.Context, d *db.DB, text string, s db.UndoStep) string {
	s.At = time.Now()
	if err := d.PushUndo(ctx, s); err != nil {
		return text + " (undo will not take it back: " + err.Error() + ")"
	}
	return text
}

// UndoLast takes the newest step of the workspace's undo back and says
// what it was.
func UndoLast(ctx context.Context, d *db.DB) (string, error) {
	s, left, ok, err := d.Undo(ctx)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "nothing to undo", nil
	}
	// The count first: at 80 columns the status line cuts the end. It
	// read "undone, 1 more to undo: the mark of …", as if the mark were
	// the one left.
	more := "nothing"
	if left > 0 {
		more = words.Count(left, "step")
	}
	return fmt.Sprintf("%s left to undo; undid %s", more, textsafe.String(s.What)), nil
}
