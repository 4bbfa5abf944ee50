package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// ScanBlocks hands over every stored event once, with its time, client
// and name, across as many read-ahead batches as the blocks fill; a
// scan cancelled midway ends with the context's error, and ScoreNames
// reads every name with its aggregates. Two batches: each is filled again.
func TestScanBlocksReadsEveryEventOnce(t *testing.T) {
	defer func(was int) { readBatches = was }(readBatches)
	readBatches = 2
	d := openTemp(t)
	ctx := context.Background()
	const names, per = 400, 200 // 80,000 events: several batches of batchBytes
	var evs []rawEvent
	for i := range per {
		for n := range names {
			// (From 1 µs: a time of 0 is an undated event.)
			evs = append(evs, rawEvent{int64(i)*hour + int64(n) + 1, fmt.Sprintf("n%d.example", n), "example", fmt.Sprintf("10.0.%d.%d", n%7, i%5)})
		}
	}
	load(t, d, "a", evs[:len(evs)/2], evs[len(evs)/2:])
	rows, err := d.ScoreNames(ctx)
	if err != nil || len(rows) != names {
		t.Fatalf("ScoreNames: %d rows (%v), want %d", len(rows), err, names)
	}
	text := map[uint32]string{}
	for _, r := range rows {
		text[r.ID] = r.Name
		if r.Count != per || r.First != int64(len(text)) || r.Last != int64(per-1)*hour+int64(len(text)) {
			t.Fatalf("ScoreNames: %+v, want %d events from %d", r, per, len(text))
		}
	}
	var stored int
	if err := d.sql.QueryRowContext(ctx, "SELECT sum(length(data)) FROM blocks").Scan(&stored); err != nil || stored < 3*batchBytes {
		t.Fatalf("%d bytes of blocks (%v): too few to fill several batches", stored, err)
	}
	type key struct {
		t      int64
		name   string
		client uint32
	}
	seen := map[key]int{}
	err = d.ScanBlocks(ctx, func(name uint32, got []Event) error {
		for _, e := range got {
			seen[key{e.Time, text[name], e.Client}]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]uint32, 0, len(seen))
	for k := range seen {
		ids = append(ids, k.client)
	}
	addrs, err := d.ClientAddrs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	read := map[rawEvent]int{}
	for k, n := range seen {
		read[rawEvent{k.t, k.name, "example", addrs[k.client]}] += n
	}
	for _, e := range evs {
		if read[e] != 1 {
			t.Fatalf("%+v read %d times, want once", e, read[e])
		}
	}
	if len(read) != len(evs) {
		t.Errorf("%d distinct events read, want %d", len(read), len(evs))
	}
	cctx, cancel := context.WithCancel(ctx)
	calls := 0
	err = d.ScanBlocks(cctx, func(uint32, []Event) error {
		if calls++; calls == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled scan: %v after %d blocks, want context.Canceled", err, calls)
	}
}

// The words of the scores are kept once per distinct text while they are
// written: each score reads back its own, whichever came before it.
func TestScoreWriterKeepsEachScoresWords(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	w, err := d.NewScoreWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	cs := func(i int) []Contribution {
		return []Contribution{{Signal: "dga", Points: float64(i % 3)}, {Signal: "new", Points: 0.1, Why: fmt.Sprint("seen ", i%5)}}
	}
	var scores []Score
	for i := 1; i <= 1000; i++ {
		scores = append(scores, Score{ID: uint32(i), Score: float64(i%3) + 0.1, Contribs: cs(i)})
	}
	for _, batch := range [][]Score{scores[:10], scores[10:500], scores[500:]} {
		if err := w.Add(ScoreName, batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{1, 2, 7, 499, 500, 501, 1000} {
		got, err := d.ScoreOf(ctx, ScoreName, uint32(i))
		if err != nil {
			t.Fatal(err)
		}
		want := cs(i)
		if len(got.Contribs) != 2 || got.Contribs[0].Points != want[0].Points || got.Contribs[1] != want[1] {
			t.Errorf("score %d: %+v, want %+v", i, got.Contribs, want)
		}
	}
}

// RepeatedPairs finds the (name, client) pairs asked often enough, and
// none in a workspace whose log names no client.
func TestRepeatedPairs(t *testing.T) {
	ctx := context.Background()
	for _, client := range []string{"10.0.0.9", ""} {
		d := openTemp(t)
		var evs []rawEvent
		for i := range 6 {
			evs = append(evs, rawEvent{int64(i) * hour, "beacon.example", "example", client}, rawEvent{int64(i) * hour, "update.example", "example", client})
		}
		load(t, d, "a", evs)
		pairs, err := d.RepeatedPairs(ctx, 1, 5, 4)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"10.0.0.9": 2, "": 0}[client]; len(pairs) != want {
			t.Errorf("client %q: %d pairs, want %d", client, len(pairs), want)
		}
	}
}

// A scan's own connection (cConn) reports SQLite's words for a statement
// it cannot run, and stops a statement at work when its context ends.
func TestScanConnectionErrorsAndStops(t *testing.T) {
	d := openTemp(t)
	load(t, d, "a", []rawEvent{{1, "a.example", "example", "10.0.0.1"}})
	c, err := openC(d.uri, scanCache, false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := c.each(context.Background(), "SELECT name, tmin, data FROM nowhere", nil, nil); err == nil || !strings.Contains(err.Error(), "no such table: nowhere") {
		t.Errorf("a statement on a missing table: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	// Endless without the interrupt: a recursive count to 2^62.
	endless := "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c WHERE n < 1 << 62) SELECT n, n, x'' FROM c"
	stopped := make(chan error, 1)
	go func() { stopped <- c.each(ctx, endless, nil, func(cRow) error { return nil }) }()
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a statement whose context ended: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a statement whose context ended ran on")
	}
	// SQLite forgets an interrupt that comes before a statement starts.
	rows := 0
	if err := c.each(ctx, "SELECT name, tmin, data FROM blocks", nil, func(cRow) error { rows++; return nil }); !errors.Is(err, context.Canceled) || rows > 0 {
		t.Errorf("a statement whose context had ended: %d rows, %v", rows, err)
	}
	rows = 0
	if err := c.each(context.Background(), "SELECT name, tmin, data FROM blocks", nil, func(r cRow) error { rows += len(r.blob(2)); return nil }); err != nil || rows == 0 {
		t.Errorf("the connection after an interrupt: %d bytes of blocks, %v", rows, err)
	}
}

// A damaged block ends a scan with an error that names its name, after
// the blocks before it were handed over, whichever stage finds it.
func TestScanStopsAtADamagedBlock(t *testing.T) {
	d := openTemp(t)
	load(t, d, "a", []rawEvent{{1, "a.example", "example", "10.0.0.1"}}, []rawEvent{{2, "b.example", "example", "10.0.0.1"}})
	ctx := context.Background()
	var last uint32
	if err := d.sql.QueryRowContext(ctx, "SELECT max(id) FROM blocks").Scan(&last); err != nil {
		t.Fatal(err)
	}
	if _, err := d.sql.ExecContext(ctx, "UPDATE blocks SET data = x'09' WHERE id = ?", last); err != nil {
		t.Fatal(err)
	}
	var name uint32
	d.sql.QueryRowContext(ctx, "SELECT name FROM blocks WHERE id = ?", last).Scan(&name)
	seen := 0
	err := d.ScanBlocks(ctx, func(uint32, []Event) error { seen++; return nil })
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("block of name %d", name)) || seen != 1 {
		t.Errorf("a scan over a damaged block: %v after %d blocks, want its name's error after 1", err, seen)
	}
}
