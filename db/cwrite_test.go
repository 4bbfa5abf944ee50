package db

import (
	"bytes"
	"context"
	"database/sql/driver"
	"testing"
)

// A C-API statement binds each value as the driver would, whatever its
// buffer did before: grown for a 2 MB blob, let go after it, reused for
// small values, an empty text and blob that are not NULL, nil that is.
func TestCStatementBindsWhatItIsGiven(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	c, err := openC(d.uri, scanCache, true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := c.exec(ctx, "CREATE TEMP TABLE t(i INTEGER PRIMARY KEY, x, y)"); err != nil {
		t.Fatal(err)
	}
	st, err := cRunner{c}.prepare(ctx, "INSERT INTO t(i, x, y) VALUES (?, ?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 2<<20/16)
	rows := [][]any{
		{int64(1), "short", []byte{1, 2, 3}},
		{int64(2), "after it", big},
		{int64(3), "", []byte{}},
		{int64(4), nil, []byte(nil)},
		{int64(5), 2.5, true},
	}
	for _, r := range rows {
		args := make([]driver.NamedValue, len(r))
		for i, v := range r {
			args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
		}
		if err := st.exec(ctx, args); err != nil {
			t.Fatalf("row %v: %v", r[0], err)
		}
	}
	st.close()
	want := []string{"text short blob 3", "text after it blob 2097152", "text  blob 0", "null  null ", "real 2.5 integer 1"}
	i := 0
	err = c.each(ctx, "SELECT typeof(x), coalesce(x, ''), typeof(y), length(y) FROM t ORDER BY i", nil, func(r cRow) error {
		if got := r.text(0) + " " + r.text(1) + " " + r.text(2) + " " + r.text(3); i >= len(want) || got != want[i] {
			t.Errorf("row %d: %q", i+1, got)
		}
		i++
		return nil
	})
	if err != nil || i != len(want) {
		t.Fatalf("%d rows read: %v", i, err)
	}
	var stored []byte
	err = c.each(ctx, "SELECT y FROM t WHERE i = 2", nil, func(r cRow) error {
		stored = bytes.Clone(r.blob(0))
		return nil
	})
	if err != nil || !bytes.Equal(stored, big) {
		t.Errorf("the 2 MB blob came back as %d bytes (%v)", len(stored), err)
	}
}
