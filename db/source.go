package db

import (
	"context"
	"time"
)

// Source is one file (or stream) read into the workspace, with how far it
// was read: a grown log resumes from Lines/Offset, or from WarmLines/
// WarmOffset when its parser held queries waiting for a response there.
type Source struct {
	ID          uint32
	Path        string
	Format      string
	Fingerprint string // sha256 of the first 64 KiB as read from disk
	Size        int64  // file size when last read
	Mtime       int64  // unix µs
	Lines       int64  // lines or packets consumed
	Offset      int64  // bytes consumed of the (decompressed) stream
	Held        int64  // lines before it gave all their records; -1: nothing held
	WarmLines   int64  // where parsing resumes to rebuild what was held
	WarmOffset  int64
	Events      int64
	Skipped     int64
	FirstRead   time.Time
	LastRead    time.Time
	State       string // "loading" while read (or interrupted), "done"
}

const sourceCols = "id, path, format, fingerprint, size, mtime, lines, offset, held, warm_line, warm_offset, events, skipped, first_read, last_read, state"

func scanSource(sc interface{ Scan(...any) error }) (Source, error) {
	var s Source
	var first, last int64
	err := sc.Scan(&s.ID, &s.Path, &s.Format, &s.Fingerprint, &s.Size, &s.Mtime, &s.Lines, &s.Offset, &s.Held, &s.WarmLines, &s.WarmOffset, &s.Events, &s.Skipped, &first, &last, &s.State)
	s.FirstRead, s.LastRead = time.UnixMicro(first).UTC(), time.UnixMicro(last).UTC()
	return s, err
}

// Sources lists every source, oldest first.
func (d *DB) Sources(ctx context.Context) ([]Source, error) {
	return d.querySources(ctx, "SELECT "+sourceCols+" FROM sources ORDER BY id")
}

// SourcesByPath lists the earlier reads of a path, newest first.
func (d *DB) SourcesByPath(ctx context.Context, path string) ([]Source, error) {
	return d.querySources(ctx, "SELECT "+sourceCols+" FROM sources WHERE path = ? ORDER BY id DESC", path)
}

func (d *DB) querySources(ctx context.Context, q string, args ...any) ([]Source, error) {
	rows, err := d.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		s, err := scanSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SourcesByFingerprint lists the reads of files that began with the same bytes.
func (d *DB) SourcesByFingerprint(ctx context.Context, fp string) ([]Source, error) {
	return d.querySources(ctx, "SELECT "+sourceCols+" FROM sources WHERE fingerprint = ? ORDER BY id DESC", fp)
}

// MoveSource records that a source's file is now at path: a followed log
// renamed or copied away by its rotation, whose last part is read there.
func (d *DB) MoveSource(ctx context.Context, id uint32, path string) error {
	_, err := d.sql.ExecContext(ctx, "UPDATE sources SET path = ? WHERE id = ?", path, id)
	return err
}
