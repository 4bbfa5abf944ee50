package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
)

// rawQuery runs query on conn's driver connection and calls fn with the
// values of each row: INTEGER columns as int64, TEXT as string, BLOB as
// []byte, NULL as nil. The values are fn's own, row is reused. It is for
// the reads that take a whole table: database/sql locks its Rows and
// converts every value of every row into the destinations of Scan, a
// sixth of reading the blocks of a workspace.
func rawQuery(ctx context.Context, conn *sql.Conn, query string, args []any, fn func(row []driver.Value) error) error {
	return conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return errNoContext
		}
		named := make([]driver.NamedValue, len(args))
		for i, a := range args {
			named[i] = driver.NamedValue{Ordinal: i + 1, Value: driverValue(a)}
		}
		rows, err := qc.QueryContext(ctx, query, named)
		if err != nil {
			return err
		}
		defer rows.Close()
		row := make([]driver.Value, len(rows.Columns()))
		for {
			if err := rows.Next(row); err != nil {
				if errors.Is(err, io.EOF) {
					return ctx.Err()
				}
				return err
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	})
}
