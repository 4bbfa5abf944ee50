package db

import (
	"context"
	"database/sql"
	"testing"

	"github.com/longtail/longtail/engine/rules"
)

// synchronous is a connection's PRAGMA synchronous (0 OFF, 1 NORMAL).
func synchronous(t *testing.T, conn *sql.Conn) int {
	t.Helper()
	var v int
	if err := conn.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// cSynchronous is synchronous for a C-API connection (the loader's).
func cSynchronous(t *testing.T, c *cConn) int {
	t.Helper()
	n, err := cRunner{c}.queryInt(context.Background(), "PRAGMA synchronous")
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// writeOne starts a run and commits one batch of one event.
func writeOne(t *testing.T, d *DB, name string) *Loader {
	t.Helper()
	ctx := context.Background()
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, err := l.StartSource(ctx, Source{Path: name, Format: "test", Fingerprint: name})
	if err != nil {
		t.Fatal(err)
	}
	b := &Batch{Source: src.ID, Lines: 1}
	b.Events = append(b.Events, Event{Time: 1, Name: l.Interner.Name(1, []byte(name), func(s string) string { return s }), Source: src.ID, Line: 1})
	l.Interner.Flush(b)
	if err := l.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	return l
}

// A first load into a new workspace writes without waiting for the disk
// (noSync); the checkpointer's connection goes back to the pool syncing
// again (the writer's is closed), and a load into a workspace with events
// waits for the disk throughout.
func TestOnlyAFirstLoadWritesWithoutSyncing(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	l := writeOne(t, d, "a.example")
	if got := cSynchronous(t, l.conn); got != 0 {
		t.Errorf("first load's writer: synchronous = %d, want 0 (OFF)", got)
	}
	if got := synchronous(t, l.ckpt.conn); got != 0 {
		t.Errorf("first load's checkpointer: synchronous = %d, want 0 (OFF)", got)
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	// Every connection the pool holds, the checkpointer's among them,
	// syncs again.
	var conns []*sql.Conn
	for range d.sql.Stats().MaxOpenConnections {
		c, err := d.sql.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		if got := synchronous(t, c); got != 1 {
			t.Errorf("pooled connection %d after the first load: synchronous = %d, want 1 (NORMAL)", i, got)
		}
		c.Close()
	}

	l = writeOne(t, d, "b.example")
	defer l.Close()
	if got := cSynchronous(t, l.conn); got != 1 {
		t.Errorf("second load's writer: synchronous = %d, want 1 (NORMAL)", got)
	}
	if got := synchronous(t, l.ckpt.conn); got != 1 {
		t.Errorf("second load's checkpointer: synchronous = %d, want 1 (NORMAL)", got)
	}
}

// A workspace without events but with something the analyst brought to
// it (rules, a popularity list, a baseline) has something to lose: its
// first load syncs.
func TestAFirstLoadBesideTheAnalystsWorkSyncs(t *testing.T) {
	ctx := context.Background()
	for name, bring := range map[string]func(d *DB) error{
		"a rule": func(d *DB) error {
			_, _, err := d.PutRules(ctx, []rules.Rule{{Pattern: "known.example", Verdict: rules.Good, Origin: "import"}})
			return err
		},
		"a popularity list": func(d *DB) error {
			_, err := d.PutRanks(ctx, "tranco", func(add func(string, int)) error { add("known.example", 1); return nil })
			return err
		},
		"a baseline": func(d *DB) error { _, err := d.CreateSnapshot(ctx, "before"); return err },
	} {
		t.Run(name, func(t *testing.T) {
			d := openTemp(t)
			if err := bring(d); err != nil {
				t.Fatal(err)
			}
			l := writeOne(t, d, "a.example")
			defer l.Close()
			if got := cSynchronous(t, l.conn); got != 1 {
				t.Errorf("writer: synchronous = %d, want 1 (NORMAL)", got)
			}
			if got := synchronous(t, l.ckpt.conn); got != 1 {
				t.Errorf("checkpointer: synchronous = %d, want 1 (NORMAL)", got)
			}
		})
	}
}
