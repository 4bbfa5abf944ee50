package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// cRunner runs a bulk's statements on a cConn opened for writing: the
// loader's batches and the score writer's scores. Through the driver,
// every statement took the connection's mutex for each of its arguments
// (399 for 133 scores) and copied each text and blob into memory of its
// own: a quarter of the score writer's CPU, on the one goroutine that the
// end of a scoring waits for, and 4 CPU-s of a 20M-line load.
type cRunner struct{ c *cConn }

func (r cRunner) prepare(ctx context.Context, q string) (preparedStmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	stmt, err := r.c.prepare(q)
	if err != nil {
		return nil, err
	}
	return &cStmt{c: r.c, stmt: stmt}, nil
}

func (r cRunner) exec(ctx context.Context, q string, args []driver.NamedValue) error {
	st, err := r.prepare(ctx, q)
	if err != nil {
		return err
	}
	defer st.close()
	return st.exec(ctx, args)
}

// queryInt is the integer the first column of q's first row holds.
func (r cRunner) queryInt(ctx context.Context, q string) (int64, error) {
	var n int64
	found := false
	err := r.c.each(ctx, q, nil, func(row cRow) error {
		if !found {
			n, found = row.int(0), true
		}
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("%s: no row", q)
	}
	return n, err
}

// cStmt is a prepared statement of a cConn. The texts and blobs bound to
// it are copied into C memory of its own (buf), which SQLite reads in
// place (SQLITE_STATIC) until they are bound again.
type cStmt struct {
	c    *cConn
	stmt uintptr
	buf  uintptr
	size int
}

// exec runs the statement once with args (int64, float64, bool, string,
// []byte or nil, in order), and makes it ready for the next.
func (s *cStmt) exec(ctx context.Context, args []driver.NamedValue) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.done()
	if err := s.bind(args); err != nil {
		return err
	}
	return s.c.run(ctx, s.stmt, nil)
}

// keepBuf is the most of buf a statement keeps between runs: a batch's
// blocks statement may carry megabytes (a busy name's blocks), which it
// kept, doubled as it grew, until the batch's end.
const keepBuf = 1 << 20

// done makes the statement ready for its next run, and lets a large
// buf go.
func (s *cStmt) done() {
	sqlite3.Xsqlite3_reset(s.c.tls, s.stmt)
	if s.size > keepBuf {
		s.free()
	}
}

// free lets buf go, with the bindings that point into it.
func (s *cStmt) free() {
	sqlite3.Xsqlite3_clear_bindings(s.c.tls, s.stmt)
	libc.Xfree(s.c.tls, s.buf)
	s.buf, s.size = 0, 0
}

func (s *cStmt) bind(args []driver.NamedValue) error {
	need := 1 // an empty text or blob must point somewhere: a null pointer binds NULL
	for _, a := range args {
		switch v := a.Value.(type) {
		case string:
			need += len(v)
		case []byte:
			need += len(v)
		}
	}
	if err := s.grow(need); err != nil {
		return err
	}
	tls, at := s.c.tls, s.buf
	for i, a := range args {
		n := int32(i + 1)
		var rc int32
		switch v := a.Value.(type) {
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(tls, s.stmt, n)
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.stmt, n, v)
		case float64:
			rc = sqlite3.Xsqlite3_bind_double(tls, s.stmt, n, v)
		case bool:
			b := int64(0)
			if v {
				b = 1
			}
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.stmt, n, b)
		case string:
			copy(cBytes(at, len(v)), v)
			rc = sqlite3.Xsqlite3_bind_text(tls, s.stmt, n, at, int32(len(v)), sqlite3.SQLITE_STATIC)
			at += uintptr(len(v))
		case []byte:
			if v == nil { // as the driver binds it
				rc = sqlite3.Xsqlite3_bind_null(tls, s.stmt, n)
				break
			}
			copy(cBytes(at, len(v)), v)
			rc = sqlite3.Xsqlite3_bind_blob(tls, s.stmt, n, at, int32(len(v)), sqlite3.SQLITE_STATIC)
			at += uintptr(len(v))
		default:
			return fmt.Errorf("cannot bind a %T to a statement", v)
		}
		if rc != sqlite3.SQLITE_OK {
			return s.c.err(rc)
		}
	}
	return nil
}

// grow makes buf hold at least n bytes.
func (s *cStmt) grow(n int) error {
	if n <= s.size {
		return nil
	}
	if n <= keepBuf {
		n = min(max(n, 2*s.size), keepBuf)
	}
	s.free()
	p := libc.Xmalloc(s.c.tls, libc.Tsize_t(n))
	if p == 0 {
		return fmt.Errorf("out of memory")
	}
	s.buf, s.size = p, n
	return nil
}

func (s *cStmt) close() {
	sqlite3.Xsqlite3_finalize(s.c.tls, s.stmt)
	libc.Xfree(s.c.tls, s.buf)
	s.stmt, s.buf, s.size = 0, 0, 0
}

// exec runs query once with args (as bulk.add takes them).
func (c *cConn) exec(ctx context.Context, query string, args ...any) error {
	return cRunner{c}.exec(ctx, query, named(args...))
}

// ExecContext is exec for the helpers that take a database/sql
// connection or transaction (execer): it reports no result.
func (c *cConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return driver.ResultNoRows, c.exec(ctx, query, args...)
}
