package db

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// cConn is a connection to the workspace made on SQLite's C API
// (modernc.org/sqlite/lib, the transpiled SQLite the driver runs on), for
// the passes that read a whole table (every block, every name, every
// domain, the dictionaries) and the blocks of a few names a scoring reads
// again (one connection a chunk of them). Through the driver, each row's three
// columns took seven locks of the connection's mutex, a copy of the blob
// and two boxed integers: 1.5 of the 2.8 CPU-s that reading the 2.7M
// blocks of the 20M-event bench workspace took, and 460 MB of garbage.
// This connection is opened without that mutex (SQLITE_OPEN_NOMUTEX: one
// goroutine uses it at a time) and lends each row's blob from SQLite's
// own memory. The loader and the score writer write on one too
// (cRunner).
type cConn struct {
	tls *libc.TLS
	mu  sync.Mutex // held by close and by an interrupt, which may race it
	db  uintptr
}

// openC opens the workspace at uri (an SQLite URI filename: the pool's,
// so that a read-only or immutable workspace is read as the pool reads
// it) with a page cache of cacheKiB, for reading, or with write set for
// writing too (with the pool's settings: dsn).
func openC(uri string, cacheKiB int, write bool) (*cConn, error) {
	c := &cConn{tls: libc.NewTLS()}
	rc, err := c.open(uri, write)
	if err == nil && rc != sqlite3.SQLITE_OK {
		err = c.err(rc)
	}
	if err == nil {
		// As the driver's: an I/O error says which.
		sqlite3.Xsqlite3_extended_result_codes(c.tls, c.db, 1)
		sqlite3.Xsqlite3_busy_timeout(c.tls, c.db, busyTimeout)
		err = c.each(context.Background(), "PRAGMA cache_size = -"+strconv.Itoa(cacheKiB), nil, nil)
	}
	if err == nil && write {
		err = c.each(context.Background(), "PRAGMA synchronous = NORMAL", nil, nil)
	}
	if err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// open opens the connection (c.db, also set when the open fails: it
// holds the message).
func (c *cConn) open(uri string, write bool) (int32, error) {
	mode := int32(sqlite3.SQLITE_OPEN_READONLY)
	if write {
		mode = sqlite3.SQLITE_OPEN_READWRITE
	}
	rc, db, err := c.call(uri, func(name, pdb uintptr) int32 {
		return sqlite3.Xsqlite3_open_v2(c.tls, name, pdb, mode|sqlite3.SQLITE_OPEN_NOMUTEX|sqlite3.SQLITE_OPEN_URI, 0)
	})
	c.db = db
	return rc, err
}

// call runs fn with s as a C string and a pointer SQLite writes a result
// to (a handle), both freed before it returns fn's result code and what
// it wrote.
func (c *cConn) call(s string, fn func(str, out uintptr) int32) (rc int32, out uintptr, err error) {
	str, err := libc.CString(s)
	if err != nil {
		return 0, 0, err
	}
	defer libc.Xfree(c.tls, str)
	p := libc.Xmalloc(c.tls, 8)
	if p == 0 {
		return 0, 0, fmt.Errorf("sqlite: out of memory")
	}
	defer libc.Xfree(c.tls, p)
	rc = fn(str, p)
	return rc, cPointer(p), nil
}

// close closes the connection (a nil one too).
func (c *cConn) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.db != 0 {
		sqlite3.Xsqlite3_close_v2(c.tls, c.db)
		c.db = 0
	}
	c.tls.Close()
}

// err is the error of result code rc, worded as the driver words its
// errors ("database or disk is full (13)", "SQL logic error: no such
// table: x (1)", a busy one marked "(SQLITE_BUSY)" as waitWAL expects):
// an ingest's or a scoring's errors read the same on either connection.
func (c *cConn) err(rc int32) error {
	str := libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	busy := ""
	if rc&0xff == sqlite3.SQLITE_BUSY {
		busy = " (SQLITE_BUSY)"
	}
	if c.db != 0 {
		if msg := libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db)); msg != str {
			return fmt.Errorf("%s: %s (%d)%s", str, msg, rc, busy)
		}
	}
	return fmt.Errorf("%s (%d)%s", str, rc, busy)
}

// cRow is the row a statement of a cConn stands on. Its blobs are lent
// from SQLite's memory, valid until the callback returns; its texts are
// copies.
type cRow struct {
	tls  *libc.TLS
	stmt uintptr
}

// int is column i as an integer.
func (r cRow) int(i int32) int64 { return sqlite3.Xsqlite3_column_int64(r.tls, r.stmt, i) }

// real is column i as a floating-point number.
func (r cRow) real(i int32) float64 { return sqlite3.Xsqlite3_column_double(r.tls, r.stmt, i) }

// text is column i as a string of its own.
func (r cRow) text(i int32) string {
	p := sqlite3.Xsqlite3_column_text(r.tls, r.stmt, i)
	if p == 0 {
		return ""
	}
	return string(cBytes(p, int(sqlite3.Xsqlite3_column_bytes(r.tls, r.stmt, i))))
}

// blob is column i as bytes of SQLite's memory, valid until the callback
// returns.
func (r cRow) blob(i int32) []byte {
	p := sqlite3.Xsqlite3_column_blob(r.tls, r.stmt, i)
	if p == 0 {
		return nil
	}
	return cBytes(p, int(sqlite3.Xsqlite3_column_bytes(r.tls, r.stmt, i)))
}

// each runs query with args bound in order and calls fn (nil: none) with
// each row (run).
func (c *cConn) each(ctx context.Context, query string, args []int64, fn func(cRow) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	stmt, err := c.prepare(query)
	if err != nil {
		return err
	}
	defer sqlite3.Xsqlite3_finalize(c.tls, stmt)
	for i, a := range args {
		if rc := sqlite3.Xsqlite3_bind_int64(c.tls, stmt, int32(i+1), a); rc != sqlite3.SQLITE_OK {
			return c.err(rc)
		}
	}
	return c.run(ctx, stmt, fn)
}

// run steps stmt, its arguments bound, to its end and calls fn (nil:
// none) with each row. It stops with ctx's error when ctx is done: the
// statement at work is interrupted, and one that had not started yet
// (SQLite forgets an interrupt then) stops at its first row.
func (c *cConn) run(ctx context.Context, stmt uintptr, fn func(cRow) error) error {
	var done atomic.Bool
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		done.Store(true)
		c.interrupt()
	})
	// An interrupt that has begun lands before the next statement runs
	// (a ROLLBACK after a cancel), not in it.
	defer func() {
		if !stop() {
			<-fired
		}
	}()
	row := cRow{c.tls, stmt}
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc {
		case sqlite3.SQLITE_ROW:
			if done.Load() {
				return ctx.Err()
			}
			if fn == nil {
				continue
			}
			if err := fn(row); err != nil {
				return err
			}
		case sqlite3.SQLITE_DONE: // done, a COMMIT included, whatever ctx says now
			return nil
		default:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return c.err(rc)
		}
	}
}

// readC opens a cConn on the workspace for one pass over a table (with
// a page cache of scanCache), runs query on it (each) and closes it.
func (d *DB) readC(ctx context.Context, query string, args []int64, fn func(cRow) error) error {
	return d.withC(func(c *cConn) error { return c.each(ctx, query, args, fn) })
}

// withC calls fn with a cConn on the workspace (a page cache of
// scanCache) for the passes that follow each other, and closes it.
func (d *DB) withC(fn func(*cConn) error) error {
	c, err := openC(d.uri, scanCache, false)
	if err != nil {
		return err
	}
	defer c.close()
	return fn(c)
}

// readRows reads the rows query selects from table, each made by row,
// into a slice sized once by the table's largest id: grown row by row,
// the names' slice was copied until five times its size had been
// allocated.
func readRows[T any](ctx context.Context, d *DB, table, query string, args []int64, row func(cRow) T) ([]T, error) {
	var out []T
	err := d.withC(func(c *cConn) error {
		err := c.each(ctx, "SELECT max(id) FROM "+table, nil, func(r cRow) error {
			out = make([]T, 0, r.int(0))
			return nil
		})
		if err != nil {
			return err
		}
		return c.each(ctx, query, args, func(r cRow) error {
			out = append(out, row(r))
			return nil
		})
	})
	return out, err
}

func (c *cConn) prepare(query string) (uintptr, error) {
	rc, stmt, err := c.call(query, func(q, pstmt uintptr) int32 {
		return sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, q, -1, pstmt, 0)
	})
	if err == nil && rc != sqlite3.SQLITE_OK {
		err = c.err(rc)
	}
	return stmt, err
}

// interrupt stops the statement running, from another goroutine, on a
// TLS of its own: a libc.TLS is not safe for concurrent use.
func (c *cConn) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.db != 0 {
		tls := libc.NewTLS()
		sqlite3.Xsqlite3_interrupt(tls, c.db)
		tls.Close()
	}
}

// cPointer reads the pointer SQLite wrote at p (an out parameter).
func cPointer(p uintptr) uintptr {
	return *(*uintptr)(*(*unsafe.Pointer)(unsafe.Pointer(&p)))
}

// cBytes is the n bytes of SQLite's memory at p, outside Go's heap.
func cBytes(p uintptr, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), n)
}
