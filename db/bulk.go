package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
)

// bulk writes many rows with multi-row statements: one round trip per
// rowsPer rows instead of per row, which is where most of the time of a
// naive loader goes. On a cConn (cRunner: the ingest's hot path) it also
// reuses its argument slice: database/sql allocates one per statement,
// which was a quarter of everything an ingest allocated.
type bulk struct {
	ctx     context.Context
	run     runner
	head    string // "INSERT INTO t(a,b) VALUES"
	tail    string // "" or "ON CONFLICT ... DO UPDATE ..."
	cols    int
	rowsPer int
	args    []driver.NamedValue
	full    preparedStmt
	err     error
}

// runner executes statements in a transaction: a *sql.Tx, or a cConn
// (cRunner).
type runner interface {
	prepare(ctx context.Context, query string) (preparedStmt, error)
	exec(ctx context.Context, query string, args []driver.NamedValue) error
}

type preparedStmt interface {
	exec(ctx context.Context, args []driver.NamedValue) error
	close()
}

func newBulk(ctx context.Context, tx *sql.Tx, head, tail string, cols int) *bulk {
	return newRunnerBulk(ctx, txRunner{tx}, head, tail, cols)
}

func newRunnerBulk(ctx context.Context, r runner, head, tail string, cols int) *bulk {
	rowsPer := max(400/cols, 1)
	return &bulk{ctx: ctx, run: r, head: head, tail: tail, cols: cols, rowsPer: rowsPer,
		args: make([]driver.NamedValue, 0, rowsPer*cols)}
}

func (b *bulk) statement(rows int) string {
	var sb strings.Builder
	sb.WriteString(b.head)
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.cols), ",") + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(row)
	}
	sb.WriteByte(' ')
	sb.WriteString(b.tail)
	return sb.String()
}

// add queues one row; its values must be cols long.
func (b *bulk) add(vals ...any) {
	if b.err != nil {
		return
	}
	for _, v := range vals {
		b.args = append(b.args, driver.NamedValue{Ordinal: len(b.args) + 1, Value: driverValue(v)})
	}
	if len(b.args) == b.rowsPer*b.cols {
		if b.full == nil {
			full, err := b.run.prepare(b.ctx, b.statement(b.rowsPer))
			if err != nil {
				// A failed prepare (a cancelled context) leaves no
				// statement for flush to close.
				b.err = err
				return
			}
			b.full = full
		}
		b.err = b.full.exec(b.ctx, b.args)
		b.args = b.args[:0]
	}
}

// driverValue turns the integer types the workspace uses into the int64 a
// driver takes; database/sql would do it, cRunner must.
func driverValue(v any) driver.Value {
	switch x := v.(type) {
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case int16:
		return int64(x)
	}
	return v
}

// flush writes what is queued and returns the first error.
func (b *bulk) flush() error {
	if b.err == nil && len(b.args) > 0 {
		b.err = b.run.exec(b.ctx, b.statement(len(b.args)/b.cols), b.args)
		b.args = b.args[:0]
	}
	if b.full != nil {
		b.full.close()
		b.full = nil
	}
	return b.err
}

// txRunner runs statements on a *sql.Tx, or on a *sql.Conn inside a
// transaction begun by hand.
type txRunner struct {
	tx interface {
		PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	}
}

type txStmt struct{ st *sql.Stmt }

func plain(args []driver.NamedValue) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}

func (r txRunner) prepare(ctx context.Context, q string) (preparedStmt, error) {
	st, err := r.tx.PrepareContext(ctx, q)
	return txStmt{st}, err
}

func (r txRunner) exec(ctx context.Context, q string, args []driver.NamedValue) error {
	_, err := r.tx.ExecContext(ctx, q, plain(args)...)
	return err
}

func (s txStmt) exec(ctx context.Context, args []driver.NamedValue) error {
	_, err := s.st.ExecContext(ctx, plain(args)...)
	return err
}

func (s txStmt) close() { s.st.Close() }
