package db

// Imported reference data (network tables, category lists) is kept per
// source, named by its origin: importing the same origin again replaces
// it, and a source can be removed alone.

import (
	"context"
	"database/sql"
	"errors"
)

// deleteOrigin removes the source of the sources table with that origin:
// each of deletes (given the source's id) and then the source's row.
// Nothing is done when no source has that origin.
func deleteOrigin(ctx context.Context, tx *sql.Tx, sources, origin string, deletes ...string) error {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM "+sources+" WHERE origin = ?", origin).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, q := range append(deletes, "DELETE FROM "+sources+" WHERE id = ?") {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// clearOrigins removes, in one transaction, the source of origins called
// origin, or every one when origin is empty, with del; it returns how
// many it removed.
func (d *DB) clearOrigins(ctx context.Context, origins []string, origin string,
	del func(context.Context, *sql.Tx, string) error) (int, error) {
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n := 0
	for _, o := range origins {
		if origin != "" && o != origin {
			continue
		}
		if err := del(ctx, tx, o); err != nil {
			return 0, err
		}
		n++
	}
	return n, tx.Commit()
}
