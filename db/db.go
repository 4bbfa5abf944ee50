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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

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
	uri       string // SQLite's URI filename of it, as the pool opens it (cConn)
	ingesting bool
	// readOnly is why writes are refused (nil: they are not).
	readOnly error
	// stale says why the totals may lag the stored events ("": they do not).
	stale string
	warm  warmth // KeepWarm's
}

// Ingesting reports whether another process was ingesting into the
// workspace when it was opened: its figures are those of the last
// completed ingest until that one finishes.
func (d *DB) Ingesting() bool { return d.ingesting }

// ReadOnly says why the workspace does not take writes, nil when it does:
// it was opened for a command that only reads, or its storage refuses
// writes. Every write then fails with this error (errors.Is ErrReadOnly).
func (d *DB) ReadOnly() error { return d.readOnly }

// Stale says, for people, why the totals (counts, first and last seen,
// the time buckets) may not yet include every stored event; "" when they
// do.
func (d *DB) Stale() string { return d.stale }

// Access is what a command does with the workspace.
type Access int

const (
	// ReadWrite opens for a command that writes (ingest, rules add,
	// score). The workspace is created where no file exists, unless
	// MustExist.
	ReadWrite Access = iota
	// ReadOnly opens for a command that only reads (top, stats, export):
	// nothing is created or written, and storage that refuses writes (a
	// read-only mount or directory, a full disk) can still be read. An
	// interrupted ingest is completed first where the storage allows it.
	ReadOnly
	// WriteIfAllowed opens for reading and writing where the storage
	// allows writes, and read-only where it does not (the review screen:
	// a workspace on read-only storage can be reviewed, its marks are
	// refused with the reason). The workspace must exist.
	WriteIfAllowed
)

// Options tune Open.
type Options struct {
	// MustExist refuses to create a workspace: a query against a mistyped
	// path should say so, not answer from a new empty file. ReadOnly and
	// WriteIfAllowed imply it.
	MustExist bool
	Access    Access
}

// ErrNotWorkspace is returned for a file that is not a longtail workspace.
var ErrNotWorkspace = errors.New("not a longtail workspace")

// ErrReadOnly is what a write to a workspace that does not take writes
// fails with (see DB.ReadOnly).
var ErrReadOnly = errors.New("read-only")

// readOnlyError says why a workspace takes no writes.
type readOnlyError struct{ path, why string }

func (e *readOnlyError) Error() string {
	return fmt.Sprintf("the workspace %s is read-only (%s)", e.path, e.why)
}

func (e *readOnlyError) Is(target error) bool { return target == ErrReadOnly }

// Open opens the workspace at path, creating it when no file is there (for
// ReadWrite without MustExist). Anything else at path that is not a
// workspace (an empty file, a directory, a device, a file of another
// application or of a newer longtail) is refused and left untouched. A
// workspace an interrupted ingest left behind is made consistent before
// Open returns, where the storage allows it.
func Open(path string, opt Options) (*DB, error) {
	create := !opt.MustExist && opt.Access == ReadWrite
	if err := checkPath(path, !create); err != nil {
		return nil, err
	}
	switch opt.Access {
	case ReadOnly:
		return openRead(path)
	case WriteIfAllowed:
		d, err := openWrite(path, false)
		if err == nil {
			return d, nil
		}
		// A full disk or a read-only mount still lets the workspace be
		// read; a file that cannot be read at all gives the first error.
		r, rerr := openRead(path)
		if rerr != nil {
			return nil, err
		}
		r.readOnly = err
		if !errors.Is(err, ErrReadOnly) {
			r.readOnly = &readOnlyError{path, err.Error()}
		}
		return r, nil
	}
	return openWrite(path, create)
}

// checkPath refuses what is at path when it is not a workspace, before
// SQLite gets a chance to treat it as one (it would turn an empty file
// into a workspace, and create /dev/null-journal beside /dev/null).
func checkPath(path string, mustExist bool) error {
	if path == "" {
		return errors.New("no workspace named: --db needs a file")
	}
	if path == ":memory:" {
		return fmt.Errorf("%s: %w (SQLite's name for a database in memory, lost when longtail exits): name a file", path, ErrNotWorkspace)
	}
	st, err := statCreated(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if mustExist {
			return fmt.Errorf("no workspace at %s (ingest a file first, or name one with --db)", path)
		}
		return nil
	case err != nil:
		return err
	case st.IsDir():
		return fmt.Errorf("%s: %w (a directory: name a file, e.g. %s)", path, ErrNotWorkspace, filepath.Join(path, "longtail.db"))
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s: %w (%s, not a file)", path, ErrNotWorkspace, fileKind(st.Mode()))
	case st.Size() == 0:
		return fmt.Errorf("%s: %w (an empty file; longtail creates a workspace only where no file exists)", path, ErrNotWorkspace)
	}
	return checkHeader(path)
}

// statCreated stats path; an empty file is a workspace another longtail
// may be creating (SQLite makes the file before it writes its header): it
// is waited for (whileCreated) instead of being refused as an empty file
// that is no workspace.
func statCreated(path string) (st fs.FileInfo, err error) {
	whileCreated(path, func() bool {
		st, err = os.Stat(path)
		return err != nil || !st.Mode().IsRegular() || st.Size() > 0
	})
	return st, err
}

// creationWait is how long an opener waits for a workspace another
// longtail is creating, and how recent its last write must be to be one.
const creationWait = 2 * time.Second

// whileCreated calls read until it says what it read is whole, for at
// most creationWait and only while the workspace at path (or its WAL) was
// written in the last creationWait: a file still empty or without tables
// that nobody writes to is what it looks like.
func whileCreated(path string, read func() (whole bool)) {
	deadline := time.Now().Add(creationWait)
	for !read() && time.Now().Before(deadline) && writtenWithin(path, creationWait) {
		time.Sleep(20 * time.Millisecond)
	}
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// checkHeader refuses a file that is not SQLite.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	if string(head[:n]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s: %w (not an SQLite file)", path, ErrNotWorkspace)
	}
	return nil
}

// busyTimeout is how long (ms) a connection waits for another's write
// lock; poolCache is the page cache (KiB) of each connection of the pool
// (the loader's has its own: loaderCache). It was 16 MB: with 16 KB pages
// (pageSize) a load of 10M Zeek lines with clients then peaked at 537 MB,
// against 409-417 MB with 4 MB, the rise in its aggregates' transaction
// on the pool; the screens' queries on the 20M-event workspace answered
// as fast with 4 MB (the list's own load reads on a connection of its
// own: cConn).
const (
	busyTimeout = 10000
	poolCache   = 4096
)

// pageSize is the page size (bytes) of a new workspace; an existing one
// keeps its own. At SQLite's default of 4 KB a 20M-event workspace is
// 140k pages, most of them blocks read whole by the index builds and
// scoring: 16 KB pages made those a fifth and a tenth faster (64 KB ones
// slower, with 200 MB more at the load's peak).
const pageSize = 16384

// dsn is the driver's name for the workspace at path with the query
// parameters q.
func dsn(path string, q url.Values) string {
	// Set on every connection, it only counts for the one that creates
	// the file.
	q.Add("_pragma", "page_size("+strconv.Itoa(pageSize)+")")
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(busyTimeout)+")")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-"+strconv.Itoa(poolCache)+")")
	return uri(path, q)
}

// uri is SQLite's URI filename of the workspace at path with the query
// parameters q (SQLite ignores the driver's).
func uri(path string, q url.Values) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// openWrite opens the workspace for reading and writing, after making sure
// the storage takes writes: SQLite would otherwise open a write-protected
// file read-only and fail at the first write, or not open it at all. An
// SQLite file without tables becomes a workspace only when create is set.
func openWrite(path string, create bool) (*DB, error) {
	if err := checkWritable(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", dsn(path, q))
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(4)
	d := &DB{sql: sdb, path: path, uri: uri(path, url.Values{})}
	if err := d.prepare(create); err != nil {
		sdb.Close()
		return nil, err
	}
	return d, nil
}

// checkWritable says why the storage will not let the workspace at path
// be written (the file, or the directory that holds it and its -wal and
// -shm files): an error that Is ErrReadOnly, nil when nothing says so. A
// full disk is found at the first write.
func checkWritable(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return &readOnlyError{path, refusal(err)}
	}
	dir := filepath.Dir(path)
	if err := dirWritable(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no workspace can be made at %s: the directory %s does not exist", path, dir)
	} else if err != nil {
		return &readOnlyError{path, "its directory " + dir + ": " + refusal(err)}
	}
	return nil
}

func refusal(err error) string {
	switch {
	case errors.Is(err, syscall.EROFS):
		return "on a read-only file system"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// openRead opens the workspace for a command that only reads. The
// connection is SQLite's read-only mode, which still needs the -shm file
// beside the workspace; where that cannot be made (a read-only mount or
// directory, a full disk) and there is no -wal file, the file is read as
// immutable: a -wal file is there for as long as any connection writes,
// so without one nobody is writing, and the file holds every commit.
func openRead(path string) (*DB, error) {
	d, err := connectRead(path, false)
	if err != nil && !walPending(path) {
		if d2, err2 := connectRead(path, true); err2 == nil {
			d, err = d2, nil
		}
	}
	if err != nil {
		return nil, err
	}
	d.readOnly = &readOnlyError{path, "opened for reading"}
	if err := d.checkRead(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func connectRead(path string, immutable bool) (*DB, error) {
	q := url.Values{}
	q.Add("mode", "ro")
	if immutable {
		q.Add("immutable", "1")
	}
	u := uri(path, q) // before dsn adds the driver's parameters to q
	sdb, err := sql.Open("sqlite", dsn(path, q))
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(4)
	d := &DB{sql: sdb, path: path, uri: u}
	if _, err := d.header(context.Background()); err != nil {
		sdb.Close()
		return nil, err
	}
	return d, nil
}

// walPending reports whether path has a -wal file with something in it:
// a writer is connected, or writes not yet copied into the workspace file
// are there (a reader must see them).
func walPending(path string) bool {
	st, err := os.Stat(path + "-wal")
	return err == nil && st.Size() > 0
}

// header is what Open checks before anything else.
type header struct{ appID, version, tables int }

func (d *DB) header(ctx context.Context) (header, error) {
	var h header
	// One statement, so one snapshot: read apart, a workspace another
	// longtail was creating showed tables from after its commit and the
	// application id from before it.
	err := d.sql.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)`).Scan(&h.appID, &h.version, &h.tables)
	if err != nil && strings.Contains(err.Error(), "not a database") {
		return h, fmt.Errorf("%s: %w (not an SQLite file)", d.path, ErrNotWorkspace)
	} else if err != nil {
		return h, fmt.Errorf("%s: %w", d.path, err)
	}
	return h, nil
}

// useWAL puts the workspace in WAL mode. Changing the mode takes the file
// whole, and SQLite answers "database is locked" at once, without its
// busy wait, while another longtail creating the workspace holds it: that
// is waited for, up to ten seconds, as the busy timeout would.
func (d *DB) useWAL(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var mode string
		err := d.sql.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// headerOnceCreated is the header; of an SQLite file without tables that
// another longtail is creating ('longtail stats' beside a 'longtail
// follow' that just started), the header once its tables are there.
func (d *DB) headerOnceCreated(ctx context.Context) (h header, err error) {
	whileCreated(d.path, func() bool {
		h, err = d.header(ctx)
		return err != nil || h.tables > 0
	})
	return h, err
}

// writtenWithin says whether the workspace at path, or its WAL (where a
// writer's changes go first), was written in the last d.
func writtenWithin(path string, d time.Duration) bool {
	for _, p := range []string{path, path + "-wal"} {
		if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) < d {
			return true
		}
	}
	return false
}

// check refuses a file that is not a workspace of this build; new is true
// for an SQLite file still without tables (a workspace being created).
func (h header) check(path string) (new bool, err error) {
	switch {
	case h.appID == 0 && h.tables == 0:
		return true, nil
	case h.appID != ApplicationID:
		return false, fmt.Errorf("%s: %w (an SQLite file of another application, id %#x); longtail leaves it untouched", path, ErrNotWorkspace, h.appID)
	case h.version > SchemaVersion:
		return false, fmt.Errorf("%s: written by a newer longtail (schema %d; this build knows up to %d): upgrade longtail", path, h.version, SchemaVersion)
	}
	return false, nil
}

func errNoTables(path string) error {
	return fmt.Errorf("%s: %w (an SQLite file without tables)", path, ErrNotWorkspace)
}

// checkRead checks a workspace opened for reading. What only a writer can
// do first (upgrade the schema, finish an interrupted ingest, build the
// indexes such a finish could not) is done by a writer opened for the
// moment, where the storage allows it; without it an old schema cannot be
// read, and an interrupted ingest's totals stay those of the last
// completed ingest (Stale says so).
func (d *DB) checkRead() error {
	ctx := context.Background()
	h, err := d.headerOnceCreated(ctx)
	if err != nil {
		return err
	}
	if isNew, err := h.check(d.path); err != nil {
		return err
	} else if isNew {
		return errNoTables(d.path)
	}
	dirty, err := d.metaGet(ctx, "dirty")
	if err != nil {
		return err
	}
	if dirty != "" && ingestRunning(d.path) {
		d.ingesting, d.stale = true, staleIngesting
	} else if h.version == SchemaVersion && dirty == "" {
		// An ingest whose totals were counted again by an open that
		// could not build its indexes after them (a full disk) left
		// them missing: a writer builds them. (A running ingest
		// builds its own, after its totals.)
		if missing, err := d.missingIndexes(ctx); err != nil || !missing || ingestRunning(d.path) {
			return err
		}
	}
	if h.version == SchemaVersion && d.ingesting {
		return nil
	}
	w, err := openWrite(d.path, false)
	if err == nil {
		err = w.Close()
	}
	switch {
	case err == nil:
		return nil
	case h.version < SchemaVersion:
		return fmt.Errorf("%s: written by an older longtail (schema %d; this build reads %d), and upgrading it needs a write: %w", d.path, h.version, SchemaVersion, err)
	}
	if dirty, derr := d.metaGet(ctx, "dirty"); derr == nil && dirty == "" {
		// The totals were counted again; what failed after them was
		// building the indexes the ingest had dropped (a full disk).
		d.stale = fmt.Sprintf("an ingest into it was interrupted; its totals are counted again, but its indexes could not be built again (%v): queries may be slow until an open can build them", err)
		return nil
	}
	d.stale = fmt.Sprintf("an ingest into it was interrupted, and its totals could not be brought up to date (%v): they are those of the last completed ingest", err)
	return nil
}

const staleIngesting = "another longtail is ingesting into it: the totals are those of the last completed ingest"

// beginWrite starts a write transaction, or says why the workspace takes
// none.
func (d *DB) beginWrite(ctx context.Context) (*sql.Tx, error) {
	if d.readOnly != nil {
		return nil, fmt.Errorf("not saved: %w", d.readOnly)
	}
	return d.sql.BeginTx(ctx, nil)
}

// Path is the workspace file.
func (d *DB) Path() string { return d.path }

// Close closes the workspace.
func (d *DB) Close() error { return d.sql.Close() }

func (d *DB) prepare(create bool) error {
	ctx := context.Background()
	h, err := d.header(ctx)
	if !create {
		h, err = d.headerOnceCreated(ctx)
	}
	if err != nil {
		return err
	}
	if isNew, err := h.check(d.path); err != nil {
		return err
	} else if isNew && !create {
		return errNoTables(d.path)
	}
	// Set once the file is known to be a workspace (it stays set in the
	// file): the WAL lets readers read while an ingest writes.
	if err := d.useWAL(ctx); err != nil {
		return err
	}
	if err := d.migrate(ctx, h.version); err != nil {
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
// Two processes may open an old workspace at once (a follow and a stats,
// a screen and a cron ingest): each migration takes the write lock first
// and reads the version again under it, so the second one skips what the
// first applied instead of failing on it ("duplicate column").
func (d *DB) migrate(ctx context.Context, version int) error {
	files := migrationFiles()
	if version >= len(files) {
		return nil
	}
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for i, name := range files {
		if i < version {
			continue
		}
		if err := migrateOne(ctx, conn, i, name); err != nil {
			return err
		}
	}
	return nil
}

// migrateOne applies migration i (file name) unless the workspace, read
// under the write lock, already has it.
func migrateOne(ctx context.Context, conn *sql.Conn, i int, name string) (err error) {
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var now int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&now); err != nil {
		return err
	}
	if now > i {
		_, err = conn.ExecContext(ctx, "COMMIT")
		return err
	}
	if _, err := conn.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	// PRAGMAs take no parameters; both values are integers we control.
	if _, err := conn.ExecContext(ctx, "PRAGMA application_id = "+strconv.Itoa(ApplicationID)); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(i+1)); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
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
		// Missing ones are those of an open that counted an interrupted
		// ingest again and could not build them after (a full disk). A
		// running ingest builds its own after its totals.
		lock, err := lockIngest(d.path)
		if errors.Is(err, errLocked) {
			return nil
		} else if err != nil {
			return err
		}
		defer lock.release()
		return d.ensureIndexes(ctx)
	}
	lock, err := lockIngest(d.path)
	if errors.Is(err, errLocked) {
		// Another process is ingesting: its figures land when it finishes.
		d.ingesting, d.stale = true, staleIngesting
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
	{"domains_text", "domains(name, kind)"},
	{"domains_top", "domains(count DESC, name)"},
	{"name_client_client", "name_client(client, count DESC, name)"},
}

// missingIndexes says whether a bulk index is missing.
func (d *DB) missingIndexes(ctx context.Context) (bool, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN (SELECT value FROM json_each(?))",
		bulkIndexNames).Scan(&n)
	return n < len(bulkIndexes), err
}

// bulkIndexNames are the names of bulkIndexes, as a JSON array.
var bulkIndexNames = func() string {
	names := make([]string, len(bulkIndexes))
	for i, ix := range bulkIndexes {
		names[i] = ix.name
	}
	b, _ := json.Marshal(names)
	return string(b)
}()

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

// dropIndexes drops the bulk indexes named, or every one when none is. A
// workspace opened without one gets it back (recover).
func (d *DB) dropIndexes(ctx context.Context, only ...string) error {
	for _, ix := range bulkIndexes {
		if len(only) > 0 && !slices.Contains(only, ix.name) {
			continue
		}
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
