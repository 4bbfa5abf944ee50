package db

import (
	"context"
	"database/sql"
	"strings"
)

// bulk writes many rows with multi-row statements: one round trip through
// database/sql per rowsPer rows instead of per row, which is where most of
// the time of a naive loader goes.
type bulk struct {
	ctx     context.Context
	tx      *sql.Tx
	head    string // "INSERT INTO t(a,b) VALUES"
	tail    string // "" or "ON CONFLICT ... DO UPDATE ..."
	cols    int
	rowsPer int
	args    []any
	full    *sql.Stmt
	err     error
}

func newBulk(ctx context.Context, tx *sql.Tx, head, tail string, cols int) *bulk {
	rowsPer := 400 / cols
	if rowsPer < 1 {
		rowsPer = 1
	}
	return &bulk{ctx: ctx, tx: tx, head: head, tail: tail, cols: cols, rowsPer: rowsPer, args: make([]any, 0, rowsPer*cols)}
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
	b.args = append(b.args, vals...)
	if len(b.args) == b.rowsPer*b.cols {
		if b.full == nil {
			b.full, b.err = b.tx.PrepareContext(b.ctx, b.statement(b.rowsPer))
			if b.err != nil {
				return
			}
		}
		_, b.err = b.full.ExecContext(b.ctx, b.args...)
		b.args = b.args[:0]
	}
}

// flush writes what is queued and returns the first error.
func (b *bulk) flush() error {
	if b.err == nil && len(b.args) > 0 {
		_, b.err = b.tx.ExecContext(b.ctx, b.statement(len(b.args)/b.cols), b.args...)
		b.args = b.args[:0]
	}
	if b.full != nil {
		b.full.Close()
		b.full = nil
	}
	return b.err
}
