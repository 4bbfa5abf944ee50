package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// walCheckpointer copies the pages an ingest batch committed from the WAL
// into the database file, on a connection of its own, while the writer
// prepares its next batch. Left to SQLite's automatic checkpoint, the copy
// (and its fsync) ran inside the writer's COMMIT, on the goroutine that
// bounds a bulk load: over 4 alternating runs of the 20M-line benchmark,
// median 13.7 s with it there, 12.8 s with it beside. The writer waits for
// the copy before its next BEGIN:
// only a WAL copied to its end starts again from its beginning, so the WAL
// stays one batch long instead of growing to the size of the load.
type walCheckpointer struct {
	conn    *sql.Conn
	req     chan struct{}
	ack     chan error
	pending bool
}

// startCheckpointer starts the copies; unsynced, without waiting for the
// disk (noSync).
func startCheckpointer(ctx context.Context, d *sql.DB, unsynced bool) (*walCheckpointer, error) {
	conn, err := d.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if unsynced {
		if _, err := conn.ExecContext(ctx, noSync); err != nil {
			releasePooled(conn, checkpointerDefaults)
			return nil, err
		}
	}
	c := &walCheckpointer{conn: conn, req: make(chan struct{}), ack: make(chan error, 1)}
	go func() {
		for range c.req {
			_, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
			c.ack <- err
		}
	}()
	return c, nil
}

// start copies what has been committed so far, in the background.
func (c *walCheckpointer) start() {
	c.req <- struct{}{}
	c.pending = true
}

// wait returns once the copy start began is done.
func (c *walCheckpointer) wait() error {
	if !c.pending {
		return nil
	}
	c.pending = false
	return <-c.ack
}

var checkpointerDefaults = []string{"PRAGMA synchronous = NORMAL"}

func (c *walCheckpointer) stop() {
	c.wait()
	close(c.req)
	releasePooled(c.conn, checkpointerDefaults)
}

// releasePooled gives a connection back to the pool with the settings
// reset, or closes it when one cannot be: a connection that writes
// without syncing must never serve a later write.
func releasePooled(conn *sql.Conn, reset []string) {
	ctx := context.Background()
	for _, q := range reset {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			break
		}
	}
	conn.Close()
}
