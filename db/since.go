package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/longtail/longtail/engine/subject"
)

// What the incremental scoring of the HTTP and logon subjects reads: the
// values whose events came between two marks (BlocksMark), their rows,
// and those events alone. Its scorers keep what the whole scoring summed
// and add the new blocks to it, so a whole scoring reads the blocks up to
// its mark and no further (ScanBlocksTo): a block it read past its mark
// would be added twice.

// ScanBlocksTo is ScanBlocks over the blocks up to mark (BlocksMark):
// those a concurrent ingest appends meanwhile are left to the pass after.
func (d *DB) ScanBlocksTo(ctx context.Context, mark int64, fn func(name uint32, evs []Event) error) error {
	return d.scanBlocks(ctx, "SELECT name, tmin, data FROM blocks WHERE id <= ?", []any{mark}, fn)
}

// NamesSince returns the names (distinct, in id order) of the subjects
// kinds that have blocks after from up to to (two BlocksMarks): a range of
// the blocks' primary key, read without their data.
func (d *DB) NamesSince(ctx context.Context, kinds []subject.Code, from, to int64) ([]uint32, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT DISTINCT b.name, n.kind FROM blocks b JOIN names n ON n.id = b.name WHERE b.id > ? AND b.id <= ?", from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []uint32
	for rows.Next() {
		var name uint32
		var kind uint8
		if err := rows.Scan(&name, &kind); err != nil {
			return nil, err
		}
		if slices.Contains(kinds, subject.Code(kind)) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, rows.Err()
}

// NameRowsByID is ScoreNames for the names of ids only.
func (d *DB) NameRowsByID(ctx context.Context, ids []uint32) ([]NameRow, error) {
	return d.scoreNamesIn(ctx, "id", ids)
}

// ScanBlocksBetween is ScanBlocksOfNames over the blocks after from up to
// to (two BlocksMarks) only: the events of names (sorted) that came
// between them, each name's blocks in the order they were stored. The
// range (a few seconds of a follow) is read once, on a connection of the
// pool as it is: a connection of its own (cConn) costs more to open
// than such a read, and a block of another name is skipped undecoded.
func (d *DB) ScanBlocksBetween(ctx context.Context, names []uint32, from, to int64, fn func(name uint32, evs []Event) error) error {
	if len(names) == 0 {
		return nil
	}
	rows, err := d.sql.QueryContext(ctx, "SELECT name, n, tmin, data FROM blocks WHERE id > ? AND id <= ? ORDER BY id", from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	var evs []Event
	var data sql.RawBytes
	for rows.Next() {
		var name uint32
		var n int
		var tmin int64
		if err := rows.Scan(&name, &n, &tmin, &data); err != nil {
			return err
		}
		if _, ok := slices.BinarySearch(names, name); !ok {
			continue
		}
		if evs, err = decodeBlock(evs[:0], data, n, tmin, name, 0); err != nil {
			return fmt.Errorf("block of name %d: %w", name, err)
		}
		if err := fn(name, evs); err != nil {
			return err
		}
	}
	return rows.Err()
}
