package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/longtail/longtail/engine/rules"
)

// Rules returns every verdict rule, oldest first. Rules are applied when
// names are read (engine/rules.Matcher), never copied into the names, so a
// new rule acts at once on everything already loaded.
func (d *DB) Rules(ctx context.Context) ([]rules.Rule, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT id, kind, pattern, scope, verdict, note, author, created, origin FROM rules ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rules.Rule
	for rows.Next() {
		var r rules.Rule
		var scope, verdict string
		var created int64
		if err := rows.Scan(&r.ID, &r.Kind, &r.Pattern, &scope, &verdict, &r.Note, &r.Author, &created, &r.Origin); err != nil {
			return nil, err
		}
		if r.Scope, err = rules.ParseScope(scope); err != nil {
			return nil, err
		}
		if r.Verdict, err = rules.ParseVerdict(verdict); err != nil {
			return nil, err
		}
		r.Created = time.UnixMicro(created).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutRules adds rules in one transaction; a rule with the pattern and scope
// of an existing one replaces it (keeping its id). Every rule must pass
// rules.Rule.Check, whatever made it; otherwise nothing is stored. It returns the stored
// rules with their ids, and the rules they replaced (zero ID where none),
// which is what an undo needs.
func (d *DB) PutRules(ctx context.Context, rs []rules.Rule) (stored, replaced []rules.Rule, err error) {
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	find, err := tx.PrepareContext(ctx, "SELECT id, verdict, note, author, created, origin FROM rules WHERE kind = ? AND pattern = ? AND scope = ?")
	if err != nil {
		return nil, nil, err
	}
	defer find.Close()
	put, err := tx.PrepareContext(ctx, `INSERT INTO rules(kind, pattern, scope, verdict, note, author, created, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(kind, pattern, scope) DO UPDATE SET verdict = excluded.verdict, note = excluded.note,
		author = excluded.author, created = excluded.created, origin = excluded.origin RETURNING id`)
	if err != nil {
		return nil, nil, err
	}
	defer put.Close()
	for _, r := range rs {
		if err := r.Check(); err != nil {
			return nil, nil, err
		}
		if r.Created.IsZero() {
			r.Created = time.Now()
		}
		r.Kind = r.Subject()
		old := rules.Rule{Kind: r.Kind, Pattern: r.Pattern, Scope: r.Scope}
		var verdict string
		var created int64
		err := find.QueryRowContext(ctx, r.Kind, r.Pattern, r.Scope.String()).Scan(&old.ID, &verdict, &old.Note, &old.Author, &created, &old.Origin)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, nil, err
		default:
			old.Verdict, _ = rules.ParseVerdict(verdict)
			old.Created = time.UnixMicro(created).UTC()
		}
		if err := put.QueryRowContext(ctx, r.Kind, r.Pattern, r.Scope.String(), r.Verdict.String(), r.Note, r.Author,
			r.Created.UnixMicro(), r.Origin).Scan(&r.ID); err != nil {
			return nil, nil, err
		}
		stored = append(stored, r)
		replaced = append(replaced, old)
	}
	return stored, replaced, tx.Commit()
}

// DeleteRules removes rules by id in one transaction.
func (d *DB) DeleteRules(ctx context.Context, ids []int64) error {
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := deleteRules(ctx, tx, ids); err != nil {
		return err
	}
	return tx.Commit()
}

func deleteRules(ctx context.Context, tx *sql.Tx, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, "DELETE FROM rules WHERE id = ?", id); err != nil {
			return err
		}
	}
	return scoringInputsChanged(ctx, tx)
}

// restoreRules puts rules back exactly as they were, ids included: the
// undo of a deletion or of a replacement.
func restoreRules(ctx context.Context, tx *sql.Tx, rs []rules.Rule) error {
	if err := scoringInputsChanged(ctx, tx); err != nil {
		return err
	}
	for _, r := range rs {
		if err := r.Check(); err != nil {
			return err
		}
		r.Kind = r.Subject()
		if _, err := tx.ExecContext(ctx, "DELETE FROM rules WHERE kind = ? AND pattern = ? AND scope = ?", r.Kind, r.Pattern, r.Scope.String()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO rules(id, kind, pattern, scope, verdict, note, author, created, origin)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.Kind, r.Pattern, r.Scope.String(), r.Verdict.String(), r.Note, r.Author,
			r.Created.UnixMicro(), r.Origin); err != nil {
			return err
		}
	}
	return nil
}
