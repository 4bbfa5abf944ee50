package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/gob"
	"errors"
	"fmt"
	"time"

	"github.com/longtail/longtail/engine/rules"
)

// UndoSteps is how many steps a workspace keeps for undo; older ones are
// let go.
const UndoSteps = 200

// UndoStep is a write of the review screen that undo can take back: the
// rules it stored, each with the one it replaced at the same index (ID 0:
// none), and the rules it deleted. (Ranks are not: see 007_undo.sql.)
type UndoStep struct {
	ID       int64
	At       time.Time
	What     string // "the mark of x.example", "the import of list.txt"
	Stored   []rules.Rule
	Replaced []rules.Rule
	Deleted  []rules.Rule
}

// Empty says whether the step changed nothing undo could take back.
func (s UndoStep) Empty() bool { return len(s.Stored)+len(s.Deleted) == 0 }

type undoRules struct{ Stored, Replaced, Deleted []rules.Rule }

// PushUndo keeps a step for undo, letting the oldest go past UndoSteps.
func (d *DB) PushUndo(ctx context.Context, s UndoStep) error {
	if s.Empty() {
		return nil
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(undoRules{s.Stored, s.Replaced, s.Deleted}); err != nil {
		return err
	}
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO undo_steps(at, what, rules) VALUES(?, ?, ?)",
		s.At.UnixMicro(), s.What, b.Bytes()); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM undo_steps WHERE id <= (SELECT max(id) FROM undo_steps) - ?", UndoSteps); err != nil {
		return err
	}
	return tx.Commit()
}

// Undo takes the newest step back, in one transaction: the rules it
// stored go (or the ones they replaced come back), the rules it deleted
// come back. ok is false when there is none; left is how many remain.
func (d *DB) Undo(ctx context.Context) (s UndoStep, left int, ok bool, err error) {
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return s, 0, false, err
	}
	defer tx.Rollback()
	var at int64
	var blob []byte
	err = tx.QueryRowContext(ctx, "SELECT id, at, what, rules FROM undo_steps ORDER BY id DESC LIMIT 1").
		Scan(&s.ID, &at, &s.What, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return s, 0, false, nil
	}
	if err != nil {
		return s, 0, false, err
	}
	var r undoRules
	if err := gob.NewDecoder(bytes.NewReader(blob)).Decode(&r); err != nil {
		return s, 0, false, fmt.Errorf("undo step %d: %w", s.ID, err)
	}
	s.At, s.Stored, s.Replaced, s.Deleted = time.UnixMicro(at).UTC(), r.Stored, r.Replaced, r.Deleted
	if err := s.revert(ctx, tx); err != nil {
		return s, 0, false, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM undo_steps WHERE id = ?", s.ID); err != nil {
		return s, 0, false, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM undo_steps").Scan(&left); err != nil {
		return s, 0, false, err
	}
	return s, left, true, tx.Commit()
}

// revert puts back what the step changed.
func (s UndoStep) revert(ctx context.Context, tx *sql.Tx) error {
	var restore []rules.Rule
	var del []int64
	for i, r := range s.Stored {
		if i < len(s.Replaced) && s.Replaced[i].ID != 0 {
			restore = append(restore, s.Replaced[i])
		} else {
			del = append(del, r.ID)
		}
	}
	if err := deleteRules(ctx, tx, del); err != nil {
		return err
	}
	return restoreRules(ctx, tx, append(restore, s.Deleted...))
}

// UndoCount is how many steps undo can take back.
func (d *DB) UndoCount(ctx context.Context) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, "SELECT count(*) FROM undo_steps").Scan(&n)
	return n, err
}
