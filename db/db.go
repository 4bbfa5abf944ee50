// Package db is the longtail workspace: one SQLite file holding the events
// (in per-name blocks), the dictionaries, the aggregates the screens need,
// and the verdict rules. Every SQL statement of the project lives in this
// package; callers get plain Go structs. The surface is kept small and free
// of SQLite specifics so that another backend can stand behind it later.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// ApplicationID marks a SQLite file as a longtail workspace ("LTL1").
const ApplicationID = 0x4C544C31

//go:embed migrations/*.sql
var migrations embed.FS

// SchemaVersion is the newest schema this build knows.
var SchemaVersion = len(migrationFiles())

// DB is an open workspace.
type DB struct {
	sql       *sql.DB
	path      string
	ingesting bool
}

// Ingesting reports whether another process was ingesting into the
// workspace when it was opened: its figures are those of the last
// completed ingest until that one finishes.
func (d *DB) Ingesting() bool { return d.ingesting }

// Options tune Open.
type Options struct {
	// MustExist refuses to create a workspace: a query against a mistyped
	// path should say so, not answer from a new empty file.
	MustExist bool
}

// ErrNotWorkspace is returned for a file that is not a longtail workspace.
var ErrNotWorkspace = errors.New("not a longtail workspace")

// Open opens the workspace at path, creating it when the file does not
// exist. A file of another application, or of a newer longtail, is refused
// and left untouched. A workspace an interrupted ingest left behind is made
// consistent before Open returns.
func Open(path string, opt Options) (*DB, error) {
	if opt.MustExist {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no workspace at %s (ingest a file first, or name one with --db)", path)
		}
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-16384)")
	q.Add("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(4)
	d := &DB{sql: sdb, path: path}
	if err := d.prepare(); err != nil {
		sdb.Close()
		return nil, err
	}
	return d, nil
}

// checkHeader refuses an existing file that is not SQLite before the driver
// gets a chance to treat it as one.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := f.Read(head)
	if n == 0 {
		return nil // an empty file becomes a new workspace
	}
	if string(head[:n]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s: %w (not an SQLite file)", path, ErrNotWorkspace)
	}
	return nil
}

// Path is the workspace file.
func (d *DB) Path() string { return d.path }

// Close closes the workspace.
func (d *DB) Close() error { return d.sql.Close() }

func (d *DB) prepare() error {
	ctx := context.Background()
	var appID, version, tables int
	if err := d.sql.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		if strings.Contains(err.Error(), "not a database") {
			return fmt.Errorf("%s: %w (not an SQLite file)", d.path, ErrNotWorkspace)
		}
		return fmt.Errorf("%s: %w", d.path, err)
	}
	if err := d.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if err := d.sql.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return err
	}
	switch {
	case appID == 0 && tables == 0:
		// A new workspace: the first migration creates it.
	case appID != ApplicationID:
		return fmt.Errorf("%s: %w (an SQLite file of another application, id %#x); longtail leaves it untouched", d.path, ErrNotWorkspace, appID)
	case version > SchemaVersion:
		return fmt.Errorf("%s: written by a newer longtail (schema %d; this build knows up to %d): upgrade longtail", d.path, version, SchemaVersion)
	}
	if err := d.migrate(ctx, version); err != nil {
		return err
	}
	return d.recover(ctx)
}

func migrationFiles() []string {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		panic(err) // the pattern is a constant
	}
	sort.Strings(names)
	return names
}

// migrate applies the migrations after version, each in its own transaction
// together with the version bump, so a kill leaves a whole schema version.
func (d *DB) migrate(ctx context.Context, version int) error {
	for i, name := range migrationFiles() {
		if i < version {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := d.sql.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", name, err)
		}
		// PRAGMAs take no parameters; both values are integers we control.
		if _, err := tx.ExecContext(ctx, "PRAGMA application_id = "+strconv.Itoa(ApplicationID)); err != nil {
			tx.Rollback()
			return err
		}
		if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// recover finishes what an interrupted ingest left: the events of every
// committed batch are kept, the aggregates are rebuilt from them, and the
// indexes a bulk load drops are put back.
func (d *DB) recover(ctx context.Context) error {
	dirty, err := d.metaGet(ctx, "dirty")
	if err != nil {
		return err
	}
	if dirty == "" {
		return d.ensureIndexes(ctx)
	}
	lock, err := lockIngest(d.path)
	if errors.Is(err, errLocked) {
		d.ingesting = true // another process is ingesting: its figures land when it finishes
		return nil
	}
	if err != nil {
		return err
	}
	defer lock.release()
	if err := d.RebuildAggregates(ctx); err != nil {
		return fmt.Errorf("rebuilding aggregates after an interrupted ingest: %w", err)
	}
	return d.ensureIndexes(ctx)
}

// bulkIndexes are the indexes a first large load drops and builds once at
// its end: kept up to date row by row they cost more than the load itself.
var bulkIndexes = []struct{ name, def string }{
	{"blocks_name", "blocks(name)"},
	{"names_text", "names(name, kind)"},
	{"names_domain", "names(domain)"},
	{"names_top", "names(count DESC, name)"},
	{"domains_text", "domains(name)"},
	{"domains_top", "domains(count DESC, name)"},
	{"name_client_client", "name_client(client, count DESC, name)"},
}

// ensureIndexes creates the bulk indexes that are missing, but those named
// in skip.
func (d *DB) ensureIndexes(ctx context.Context, skip ...string) error {
	for _, ix := range bulkIndexes {
		if slices.Contains(skip, ix.name) {
			continue
		}
		if _, err := d.sql.ExecContext(ctx, "CREATE INDEX IF NOT EXISTS "+ix.name+" ON "+ix.def); err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) dropIndexes(ctx context.Context) error {
	for _, ix := range bulkIndexes {
		if _, err := d.sql.ExecContext(ctx, "DROP INDEX IF EXISTS "+ix.name); err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) metaGet(ctx context.Context, key string) (string, error) {
	var v string
	err := d.sql.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func metaSet(ctx context.Context, x execer, key, value string) error {
	if value == "" {
		_, err := x.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", key)
		return err
	}
	_, err := x.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}
