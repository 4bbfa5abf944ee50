package db

// Popularity ranks and baseline snapshots.
//
// Ranks come from popularity lists (Tranco, Umbrella top-1m...). They are
// kept apart from verdict rules because such lists can be gamed: a rank is
// shown and filtered on, never taken as a decision. A name has one rank,
// its best over every imported list.
//
// A snapshot records the largest name id at a moment: name ids only grow,
// so every name with a larger id was unknown when the snapshot was taken.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/longtail/longtail/engine/subject"
)

// RankImport says what PutRanks did.
type RankImport struct {
	Entries int64 // (name, rank) pairs given
	New     int64 // names that had no rank before
	Total   int64 // ranked names in the workspace afterwards
}

// PutRanks stores the ranks of the popularity list called list in one
// transaction: fill calls add once per entry. The list's earlier ranks are
// dropped first, so importing a newer version of a list replaces it; a name
// that another list ranks better keeps that better rank. Names are expected
// in normal form (lower case, no trailing dot).
func (d *DB) PutRanks(ctx context.Context, list string, fill func(add func(name string, rank int)) error) (RankImport, error) {
	var ri RankImport
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return ri, err
	}
	defer tx.Rollback()
	var before int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM ranks").Scan(&before); err != nil {
		return ri, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM ranks WHERE list = ?", list); err != nil {
		return ri, err
	}
	b := newBulk(ctx, tx, "INSERT INTO ranks(name, rank, list) VALUES",
		"ON CONFLICT(name) DO UPDATE SET rank = excluded.rank, list = excluded.list WHERE excluded.rank < ranks.rank", 3)
	if err := fill(func(name string, rank int) {
		ri.Entries++
		b.add(name, rank, list)
	}); err != nil {
		b.flush()
		return ri, err
	}
	if err := b.flush(); err != nil {
		return ri, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM ranks").Scan(&ri.Total); err != nil {
		return ri, err
	}
	ri.New = max(ri.Total-before, 0)
	if err := scoringInputsChanged(ctx, tx); err != nil {
		return ri, err
	}
	return ri, tx.Commit()
}

// ClearRanks removes the ranks of one list, or of every list when list is
// empty, and returns how many names lost their rank.
func (d *DB) ClearRanks(ctx context.Context, list string) (int64, error) {
	q, args := "DELETE FROM ranks", []any{}
	if list != "" {
		q, args = q+" WHERE list = ?", []any{list}
	}
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	if err := scoringInputsChanged(ctx, tx); err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// RankList summarises one imported popularity list.
type RankList struct {
	List        string
	Names       int64 // names whose best rank comes from this list
	Best, Worst int
}

// RankLists returns the imported popularity lists by name.
func (d *DB) RankLists(ctx context.Context) ([]RankList, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT list, count(*), min(rank), max(rank) FROM ranks GROUP BY list ORDER BY list")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RankList
	for rows.Next() {
		var l RankList
		if err := rows.Scan(&l.List, &l.Names, &l.Best, &l.Worst); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Rank is the rank of one name and the list that gave it.
type Rank struct {
	Name string
	Rank int
	List string
}

// RankOf looks up the rank of a name (normalised); ErrNotFound when no list
// ranks it.
func (d *DB) RankOf(ctx context.Context, name string) (Rank, error) {
	r := Rank{Name: name}
	err := d.sql.QueryRowContext(ctx, "SELECT rank, list FROM ranks WHERE name = ?", name).Scan(&r.Rank, &r.List)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("rank of %q: %w", name, ErrNotFound)
	}
	return r, err
}

// Ranks holds the ranks of the names and registered domains in the
// workspace, by id; a subject without a rank is absent.
type Ranks struct {
	Names   map[uint32]int
	Domains map[uint32]int
}

// Ranks returns the ranks of the names and registered domains that have
// events. A screen loads them once and looks them up per row.
func (d *DB) Ranks(ctx context.Context) (Ranks, error) {
	r := Ranks{}
	var err error
	if r.Names, err = d.rankMap(ctx, "SELECT n.id, r.rank FROM ranks r JOIN names n ON n.name = r.name WHERE n.count > 0"); err != nil {
		return r, err
	}
	r.Domains, err = d.rankMap(ctx, "SELECT d.id, r.rank FROM ranks r JOIN domains d ON d.name = r.name WHERE d.count > 0")
	return r, err
}

func (d *DB) rankMap(ctx context.Context, query string) (map[uint32]int, error) {
	rows, err := d.sql.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := make(map[uint32]int)
	for rows.Next() {
		var id uint32
		var rank int
		if err := rows.Scan(&id, &rank); err != nil {
			return nil, err
		}
		// A name of several kinds has one rank; keep the best anyway.
		if old, ok := m[id]; !ok || rank < old {
			m[id] = rank
		}
	}
	return m, rows.Err()
}

// Of returns the rank that speaks for a name: the better of its own rank and
// its registered domain's (lists like Tranco rank registered domains,
// Umbrella ranks names), 0 when neither is ranked.
func (r Ranks) Of(n NameRow) int {
	return minKnown(r.Names[n.ID], r.Domains[n.DomainID])
}

// Snapshot is a baseline snapshot: what the workspace knew at a moment.
type Snapshot struct {
	Name    string
	Created time.Time // wall clock
	MaxName uint32    // names with a larger id were unknown then
}

// ErrSnapshotExists is returned when a snapshot name is taken.
var ErrSnapshotExists = errors.New("snapshot exists")

// CreateSnapshot records the names known now under name.
func (d *DB) CreateSnapshot(ctx context.Context, name string) (Snapshot, error) {
	s := Snapshot{Name: name, Created: time.Now().UTC()}
	if strings.TrimSpace(name) == "" {
		return s, errors.New("a snapshot needs a name")
	}
	err := d.sql.QueryRowContext(ctx, `INSERT INTO snapshots(name, created, max_name)
		SELECT ?, ?, coalesce(max(id), 0) FROM names WHERE true
		ON CONFLICT(name) DO NOTHING RETURNING max_name`, name, s.Created.UnixMicro()).Scan(&s.MaxName)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("%q: %w", name, ErrSnapshotExists)
	}
	return s, err
}

// Snapshots returns every snapshot, oldest first.
func (d *DB) Snapshots(ctx context.Context) ([]Snapshot, error) {
	return d.snapshots(ctx, "SELECT name, created, max_name FROM snapshots ORDER BY created, name")
}

func (d *DB) snapshots(ctx context.Context, query string, args ...any) ([]Snapshot, error) {
	rows, err := d.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		var s Snapshot
		var created int64
		if err := rows.Scan(&s.Name, &created, &s.MaxName); err != nil {
			return nil, err
		}
		s.Created = time.UnixMicro(created).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// Since is the point "new" is measured from: a snapshot (names unknown when
// it was taken) or a time (names first seen after it).
type Since struct {
	Snapshot string // empty for a time
	MaxName  uint32
	After    int64 // unix µs; used when Snapshot is empty
}

// Includes says whether a value of id first seen at first (unix µs) is
// new since s: unknown when the snapshot was taken, or first seen after
// the time. NewNames asks the same in SQL.
func (s Since) Includes(id uint32, first int64) bool {
	if s.Snapshot != "" {
		return id > s.MaxName
	}
	return first > s.After
}

func (s Since) String() string {
	if s.Snapshot != "" {
		return "snapshot " + s.Snapshot
	}
	return time.UnixMicro(s.After).UTC().Format(time.RFC3339)
}

// sinceLayouts are the time forms --since accepts, read as UTC when they
// carry no zone (log times are stored in UTC).
var sinceLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// ResolveSince reads a --since value: the name of a snapshot, else a time;
// an empty spec is the latest snapshot.
func (d *DB) ResolveSince(ctx context.Context, spec string) (Since, error) {
	query, args := "SELECT name, created, max_name FROM snapshots WHERE name = ?", []any{spec}
	if spec == "" {
		query, args = "SELECT name, created, max_name FROM snapshots ORDER BY created DESC, name DESC LIMIT 1", nil
	}
	snaps, err := d.snapshots(ctx, query, args...)
	if err != nil {
		return Since{}, err
	}
	if len(snaps) == 1 {
		return Since{Snapshot: snaps[0].Name, MaxName: snaps[0].MaxName}, nil
	}
	if spec == "" {
		return Since{}, errors.New("no baseline snapshot yet: take one with `longtail baseline snapshot NAME`, or give --since TIME")
	}
	for _, layout := range sinceLayouts {
		if t, err := time.Parse(layout, spec); err == nil {
			return Since{After: t.UnixMicro()}, nil
		}
	}
	return Since{}, fmt.Errorf("--since %q: no snapshot of that name, and not a time (want e.g. 2024-03-04, 2024-03-04T15:00:00Z, or a span before the last event: 1d, 12h)", spec)
}

// NewNames returns the names that have events and are new since s, first
// seen first, each with its aggregates (Count: the events it holds).
// LastOf is when a subject's values were last seen (unix µs; 0: none).
func (d *DB) LastOf(ctx context.Context, kind subject.Code) (int64, error) {
	var last int64
	err := d.sql.QueryRowContext(ctx, "SELECT coalesce(max(last), 0) FROM names WHERE kind = ? AND count > 0", kind).Scan(&last)
	return last, err
}

func (d *DB) NewNames(ctx context.Context, kind subject.Code, s Since) ([]NameRow, error) {
	if s.Snapshot != "" {
		return scanNames(d.sql.QueryContext(ctx, "SELECT "+nameCols+nameFrom+
			"WHERE n.kind = ? AND n.id > ? AND n.count > 0 ORDER BY n.first, n.name", kind, s.MaxName))
	}
	return scanNames(d.sql.QueryContext(ctx, "SELECT "+nameCols+nameFrom+
		"WHERE n.kind = ? AND n.first > ? AND n.count > 0 ORDER BY n.first, n.name", kind, s.After))
}
