package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/testfs"
)

// Whatever --db names that is not a workspace is refused with what it is,
// for commands that write as for those that only read, and nothing is
// created or changed there (SQLite would turn an empty file into a
// workspace and create /dev/null-journal).
func TestOpenRefusesWhatIsNotAWorkspace(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a database\n"), 0o644)
	fifo := filepath.Join(dir, "fifo")
	testfs.Mkfifo(t, fifo)
	bare := filepath.Join(dir, "bare.db") // SQLite, no tables
	if s, err := sql.Open("sqlite", bare); err != nil {
		t.Fatal(err)
	} else if _, err := s.Exec("CREATE TABLE t(a); DROP TABLE t"); err != nil || s.Close() != nil || !fileHas(bare) {
		t.Fatalf("an SQLite file without tables: %v", err)
	}
	foreign := filepath.Join(dir, "other.db") // SQLite, another application's
	if s, err := sql.Open("sqlite", foreign); err != nil {
		t.Fatal(err)
	} else if _, err := s.Exec("PRAGMA application_id = 42; CREATE TABLE t(a)"); err != nil || s.Close() != nil {
		t.Fatalf("another application's file: %v", err)
	}
	foreignBytes, _ := os.ReadFile(foreign)
	bareBytes, _ := os.ReadFile(bare)
	cases := []struct{ path, want string }{
		{foreign, "another application"},
		{empty, "an empty file"},
		{os.DevNull, "a device"},
		{":memory:", "in memory"},
		{dir, "a directory"},
		{text, "not an SQLite file"},
		{fifo, "a named pipe"}, // and no wait for a writer
		{"", "no workspace named"},
	}
	before := listDir(t, dir)
	// Left by an older longtail, it cannot tell this one's behaviour.
	_, err := os.Stat(os.DevNull + "-journal")
	journalBefore := err == nil
	for _, access := range []Access{ReadWrite, ReadOnly, WriteIfAllowed} {
		for _, c := range cases {
			d, err := Open(c.path, Options{Access: access})
			if err == nil {
				d.Close()
				t.Errorf("access %d: %q opened as a workspace", access, c.path)
				continue
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("access %d: %q: %v; want it to say %q", access, c.path, err, c.want)
			}
		}
		if access != ReadWrite {
			// A read-only command does not turn an SQLite file into a
			// workspace either.
			if d, err := Open(bare, Options{Access: access}); err == nil || !errors.Is(err, ErrNotWorkspace) {
				if d != nil {
					d.Close()
				}
				t.Errorf("access %d: an SQLite file without tables: %v", access, err)
			}
		}
	}
	if _, err := os.Stat(os.DevNull + "-journal"); err == nil && !journalBefore {
		t.Errorf("%s-journal was created", os.DevNull)
	}
	if after := listDir(t, dir); !slices.Equal(before, after) {
		t.Errorf("the directory held %v, and after the refusals %v", before, after)
	}
	if fileHas(empty) {
		t.Error("the empty file was written")
	}
	for path, before := range map[string][]byte{foreign: foreignBytes, bare: bareBytes} {
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("%s changed (SQLite files longtail refuses are left as they are)", filepath.Base(path))
		}
	}
}

// A command that only reads never creates a workspace.
func TestReadOnlyOpenCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	for _, access := range []Access{ReadOnly, WriteIfAllowed} {
		_, err := Open(missing, Options{Access: access})
		if err == nil || !strings.Contains(err.Error(), "no workspace at "+missing) {
			t.Errorf("access %d: %v", access, err)
		}
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("reading a missing workspace left %v", got)
	}
}

// A workspace opened for reading answers and refuses writes with a plain
// reason, without changing a byte of the file.
func TestReadOnlyOpenReadsAndRefusesWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	writeWorkspace(t, path, false)
	before, _ := os.ReadFile(path)
	d, err := Open(path, Options{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if n, err := d.NameByText(ctx, 1, "a.example"); err != nil || n.Count != 2 {
		t.Fatalf("a.example: %+v, %v", n, err)
	}
	scansEvents(t, d, 2)
	_, _, err = d.PutRules(ctx, []rules.Rule{{Pattern: "a.example", Verdict: rules.Bad}})
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("a rule put into a read-only workspace: %v", err)
	}
	if _, err := d.NewLoader(ctx); err == nil {
		t.Error("an ingest started on a workspace opened for reading")
	}
	d.Close()
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the workspace file changed under a reader")
	}
}

// A workspace on a read-only mount can be read (SQLite cannot create its
// -shm file there), an ingest into it is refused with the reason, and the
// review screen's open reads it and refuses marks. The mount binds root,
// which file permissions do not.
func TestReadOnlyStorage(t *testing.T) {
	mnt := testfs.Tmpfs(t, "8m")
	path := filepath.Join(mnt, "ws.db")
	writeWorkspace(t, path, false)
	testfs.ReadOnly(t, mnt)

	d, err := Open(path, Options{Access: ReadOnly})
	if err != nil {
		t.Fatalf("read-only mount: %v", err)
	}
	if n, err := d.NameByText(context.Background(), 1, "a.example"); err != nil || n.Count != 2 {
		t.Errorf("a.example: %+v, %v", n, err)
	}
	scansEvents(t, d, 2)
	d.Close()

	_, err = Open(path, Options{})
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "read-only file system") {
		t.Errorf("opening for an ingest: %v; want the read-only file system named", err)
	}

	d, err = Open(path, Options{Access: WriteIfAllowed})
	if err != nil {
		t.Fatalf("review on a read-only mount: %v", err)
	}
	defer d.Close()
	if d.ReadOnly() == nil {
		t.Fatal("ReadOnly is nil on a read-only mount")
	}
	_, _, err = d.PutRules(context.Background(), []rules.Rule{{Pattern: "a.example", Verdict: rules.Bad}})
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "read-only file system") {
		t.Errorf("a mark on a read-only mount: %v", err)
	}
}

// scansEvents checks that a scan of every block (its own connection,
// cConn) reads the workspace as the pool does: want events.
func scansEvents(t *testing.T, d *DB, want int) {
	t.Helper()
	got := 0
	if err := d.ScanBlocks(context.Background(), func(_ uint32, evs []Event) error { got += len(evs); return nil }); err != nil || got != want {
		t.Errorf("a scan of the blocks: %d events (%v), want %d", got, err, want)
	}
}

// An ingest killed on a disk that then filled up: the workspace cannot be
// brought up to date, but it can still be read (from the last completed
// ingest's totals, said so), for queries and for the review screen.
func TestFullDiskDoesNotBlockReading(t *testing.T) {
	mnt := testfs.Tmpfs(t, "4m")
	path := filepath.Join(mnt, "ws.db")
	writeWorkspace(t, path, true)
	testfs.Fill(t, mnt)

	if _, err := Open(path, Options{}); err == nil {
		t.Fatal("the recovery succeeded on a full disk; the test needs it to fail")
	}
	for _, access := range []Access{ReadOnly, WriteIfAllowed} {
		d, err := Open(path, Options{Access: access})
		if err != nil {
			t.Fatalf("access %d on a full disk: %v", access, err)
		}
		if !strings.Contains(d.Stale(), "interrupted") {
			t.Errorf("access %d: Stale = %q; want the interrupted ingest named", access, d.Stale())
		}
		if _, err := d.Stats(context.Background()); err != nil {
			t.Errorf("access %d: stats: %v", access, err)
		}
		d.Close()
	}
}

// writeWorkspace makes a workspace at path with two events of a.example;
// killed leaves it as an ingest killed after its first batch.
func writeWorkspace(t *testing.T, path string, killed bool) {
	t.Helper()
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, err := l.StartSource(ctx, Source{Path: "x", Format: "test", Fingerprint: "x"})
	if err != nil {
		t.Fatal(err)
	}
	b := &Batch{Source: src.ID, Lines: 2}
	for i := range 2 {
		b.Events = append(b.Events, Event{Time: int64(i) * hour, Name: l.Interner.Name(1, []byte("a.example"), func(string) string { return "a.example" }), Source: src.ID, Line: int64(i + 1)})
	}
	l.Interner.Flush(b)
	if err := l.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	if killed {
		l.Close() // no Finish: the kernel drops the lock of a killed ingest
		return
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func fileHas(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() > 0
}

// Processes that open a workspace at once (a follow creating it while a
// stats reads it, a screen beside a cron ingest) all get it, migrated
// once: each migration is applied under the write lock by whichever comes
// first, and the others find it done; one that only reads waits while the
// file is being created.
func TestOpenedAtOnceMigratesOnce(t *testing.T) {
	for round := range 4 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("ws%d.db", round))
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for i := range cap(errs) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				opt := Options{}
				if i%2 == 1 {
					// A reader (stats) comes once the file is there:
					// empty, or without its tables yet.
					opt.MustExist = true
					for _, err := os.Stat(path); err != nil; _, err = os.Stat(path) {
						time.Sleep(time.Millisecond)
					}
				}
				d, err := Open(path, opt)
				if err == nil {
					err = d.Close()
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

// A new workspace is made with pages of pageSize; one made with SQLite's
// default 4 KB before keeps them, and loads and reads as before.
func TestPageSizeOfNewAndOlderWorkspaces(t *testing.T) {
	pageSizeOf := func(d *DB) int {
		var n int
		if err := d.sql.QueryRow("PRAGMA page_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	path := filepath.Join(t.TempDir(), "ws.db")
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pageSizeOf(d); got != pageSize {
		t.Errorf("a new workspace has pages of %d bytes, want %d", got, pageSize)
	}
	load(t, d, "a", []rawEvent{{hour, "www.example.com", "example.com", "10.0.0.1"}})
	d.Close()

	// What a workspace of an earlier build is: 4 KB pages.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"PRAGMA journal_mode = DELETE", "PRAGMA page_size = 4096", "VACUUM", "PRAGMA journal_mode = WAL"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	raw.Close()
	d, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	load(t, d, "b", []rawEvent{{2 * hour, "www.example.com", "example.com", "10.0.0.2"}})
	if got := pageSizeOf(d); got != 4096 {
		t.Errorf("an older workspace's pages became %d bytes", got)
	}
	www, err := d.NameByText(context.Background(), 1, "www.example.com")
	if err != nil || www.Count != 2 || www.Clients != 2 {
		t.Errorf("www.example.com = %+v, %v; want count 2, clients 2", www, err)
	}
}

// A workspace left without a bulk index (its totals counted again by an
// open that could not build the indexes after them: a full disk) gets it
// back from the next open, one that only reads included.
func TestAnOpenBuildsTheMissingIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	load(t, d, "a", []rawEvent{{hour, "www.example.com", "example.com", "10.0.0.1"}})
	if _, err := d.sql.Exec("DROP INDEX blocks_name"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = Open(path, Options{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if missing, err := d.missingIndexes(context.Background()); err != nil || missing {
		t.Errorf("after a read open: missing %v, %v", missing, err)
	}
	if s := d.Stale(); s != "" {
		t.Errorf("stale: %s", s)
	}
}
