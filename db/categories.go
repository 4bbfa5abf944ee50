package db

// Categories of names (adult, gambling, malware...) from open lists the
// analyst imports: the UT1 blacklists, or any plain/hosts/adblock list
// given a category (engine/categories reads them). Like popularity ranks
// they are context shown beside a name, never a verdict.
//
// Each listed name is stored once per source, with its categories as a
// blob of one byte per category id: UT1's adult list alone holds millions
// of names, most in one category. A name's parent domains are not expanded
// here; the lookup asks for them (engine/categories).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CatSource is one imported category list (or set of lists, for UT1).
type CatSource struct {
	ID       int64
	Origin   string // the file's or folder's base name: re-importing it replaces it
	Format   string
	Dated    string // the data's own date, when it says one
	Imported time.Time
	Names    int64 // distinct names stored
	Skipped  int64 // lines of the files that gave no name
}

// CatCount is how many names a source gives a category.
type CatCount struct {
	Source   string
	Category string
	Names    int64
}

// MaxCategories is how many categories a workspace holds: an id is a byte.
const MaxCategories = 255

// ErrTooManyCategories refuses a category beyond MaxCategories.
var ErrTooManyCategories = errors.New("too many categories (255 at most in a workspace)")

// CatFill receives one source's names: add gives name the category called
// category; the same name may come again with other categories.
type CatFill func(add func(name, category string)) error

// PutCategories stores the categorised names of the source src in one
// transaction: fill calls add once per (name, category). A source of the
// same origin imported before is dropped first, so importing a newer
// version replaces it. fill may set src's Format, Dated and Skipped as it
// reads; src.ID and src.Names are set here. It returns the names per
// category.
func (d *DB) PutCategories(ctx context.Context, src *CatSource, fill CatFill) (map[string]int64, error) {
	tx, err := d.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := deleteCatSource(ctx, tx, src.Origin); err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO cat_sources(origin, format, dated, imported, skipped) VALUES (?, ?, ?, ?, ?)",
		src.Origin, src.Format, src.Dated, src.Imported.UnixMicro(), src.Skipped)
	if err != nil {
		return nil, err
	}
	if src.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	ids, err := categoryIDs(ctx, tx)
	if err != nil {
		return nil, err
	}
	// A name met again adds its category's byte unless it has it already
	// (instr on blobs compares bytes): a union without reading it back.
	b := newBulk(ctx, tx, "INSERT INTO cat_names(name, source, cats) VALUES",
		"ON CONFLICT(name, source) DO UPDATE SET cats = cats || excluded.cats WHERE instr(cats, excluded.cats) = 0", 3)
	var addErr error
	err = fill(func(name, category string) {
		id, ok := ids[category]
		if !ok && addErr == nil {
			if id, addErr = newCategory(ctx, tx, category, ids); addErr == nil {
				ids[category] = id
			}
		}
		if addErr != nil {
			return
		}
		b.add(name, src.ID, []byte{id})
	})
	if err := errors.Join(err, addErr, b.flush()); err != nil {
		return nil, err
	}
	// The distinct names of each category and of the source, read back in
	// one pass: a list may name a name twice.
	var perID [MaxCategories + 1]int64
	src.Names = 0
	err = eachRow(ctx, tx, "SELECT cats FROM cat_names WHERE source = ?", []any{src.ID}, func(rows *sql.Rows) error {
		var cats sql.RawBytes
		if err := rows.Scan(&cats); err != nil {
			return err
		}
		src.Names++
		for _, id := range cats {
			perID[id]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	for c, id := range ids {
		if perID[id] == 0 {
			continue
		}
		counts[c] = perID[id]
		if _, err := tx.ExecContext(ctx, "INSERT INTO cat_counts(source, category, names) VALUES (?, ?, ?)", src.ID, int64(id), perID[id]); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE cat_sources SET format = ?, dated = ?, skipped = ?, names = ? WHERE id = ?",
		src.Format, src.Dated, src.Skipped, src.Names, src.ID); err != nil {
		return nil, err
	}
	return counts, tx.Commit()
}

// eachRow runs query in tx and calls fn on each row.
func eachRow(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func categoryIDs(ctx context.Context, tx *sql.Tx) (map[string]byte, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, name FROM categories")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]byte{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[name] = byte(id)
	}
	return out, rows.Err()
}

// newCategory gives a category the smallest id no other one has.
func newCategory(ctx context.Context, tx *sql.Tx, name string, ids map[string]byte) (byte, error) {
	var used [MaxCategories + 1]bool
	for _, id := range ids {
		used[id] = true
	}
	for id := 1; id <= MaxCategories; id++ {
		if !used[id] {
			_, err := tx.ExecContext(ctx, "INSERT INTO categories(id, name) VALUES (?, ?)", id, name)
			return byte(id), err
		}
	}
	return 0, fmt.Errorf("category %q: %w", name, ErrTooManyCategories)
}

// deleteCatSource drops a source's names and counts, and the categories no
// source gives any name any more.
func deleteCatSource(ctx context.Context, tx *sql.Tx, origin string) error {
	err := deleteOrigin(ctx, tx, "cat_sources", origin, "DELETE FROM cat_names WHERE source = ?", "DELETE FROM cat_counts WHERE source = ?")
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM categories WHERE id NOT IN (SELECT category FROM cat_counts)")
	return err
}

// ClearCategories removes one imported source, or every one when origin
// is empty, and returns how many it removed.
func (d *DB) ClearCategories(ctx context.Context, origin string) (int, error) {
	srcs, err := d.CatSources(ctx)
	if err != nil {
		return 0, err
	}
	origins := make([]string, len(srcs))
	for i, s := range srcs {
		origins[i] = s.Origin
	}
	return d.clearOrigins(ctx, origins, origin, deleteCatSource)
}

// CatSources returns the imported category sources by origin.
func (d *DB) CatSources(ctx context.Context) ([]CatSource, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT id, origin, format, dated, imported, names, skipped FROM cat_sources ORDER BY origin")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CatSource
	for rows.Next() {
		var s CatSource
		var imported int64
		if err := rows.Scan(&s.ID, &s.Origin, &s.Format, &s.Dated, &imported, &s.Names, &s.Skipped); err != nil {
			return nil, err
		}
		s.Imported = time.UnixMicro(imported).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// CatCounts returns the names each source gives each category.
func (d *DB) CatCounts(ctx context.Context) ([]CatCount, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT s.origin, c.name, n.names FROM cat_counts n
		JOIN cat_sources s ON s.id = n.source JOIN categories c ON c.id = n.category ORDER BY s.origin, c.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CatCount
	for rows.Next() {
		var c CatCount
		if err := rows.Scan(&c.Source, &c.Category, &c.Names); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CategoryNames returns the name of every category id in use; index 0 is
// unused.
func (d *DB) CategoryNames(ctx context.Context) ([]string, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT id, name FROM categories ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{""}
	for rows.Next() {
		var id int
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		for len(out) <= id {
			out = append(out, "")
		}
		out[id] = name
	}
	return out, rows.Err()
}

// CategorisedNames counts the names with a category, over every source.
func (d *DB) CategorisedNames(ctx context.Context) (int64, error) {
	var n int64
	err := d.sql.QueryRowContext(ctx, "SELECT coalesce(sum(names), 0) FROM cat_sources").Scan(&n)
	return n, err
}

// CategoriesOfNames looks names up exactly, one primary-key query each,
// and returns for each the category ids every source gives it (one byte
// per id; nil when unlisted). It suits a few names; for many, one pass
// over the table (EachCategorised) costs less.
func (d *DB) CategoriesOfNames(ctx context.Context, names []string) ([][]byte, error) {
	out := make([][]byte, len(names))
	if len(names) == 0 {
		return out, nil
	}
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	q, err := conn.PrepareContext(ctx, "SELECT cats FROM cat_names WHERE name = ?")
	if err != nil {
		return nil, err
	}
	defer q.Close()
	for i, n := range names {
		if err := eachCats(ctx, q, n, func(c []byte) { out[i] = append(out[i], c...) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func eachCats(ctx context.Context, q *sql.Stmt, name string, fn func([]byte)) error {
	rows, err := q.QueryContext(ctx, name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c []byte
		if err := rows.Scan(&c); err != nil {
			return err
		}
		fn(c)
	}
	return rows.Err()
}

// EachCategorised calls fn with every stored name and its category ids
// (the bytes are only valid during the call), in one pass over the table.
func (d *DB) EachCategorised(ctx context.Context, fn func(name string, cats []byte)) error {
	rows, err := d.sql.QueryContext(ctx, "SELECT name, cats FROM cat_names")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var cats sql.RawBytes
		if err := rows.Scan(&name, &cats); err != nil {
			return err
		}
		fn(name, cats)
	}
	return rows.Err()
}
