package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/longtail/longtail/engine/subject"
)

// The contributions are written without encoding/json; what it reads back
// must be what was written, whatever a name holds.
func TestScoreContribsRoundTrip(t *testing.T) {
	cs := []Contribution{
		{Signal: "tunnel", Points: 87.5, Why: `1,843 unique subdomains under "x\y", tab	and newline` + "\n\x01 é ✓"},
		{Signal: "rare", Points: 0.1},
		{Signal: "dga", Points: 12, Why: "bad utf-8 \xff\xfe here"},
	}
	var got []Contribution
	if err := json.Unmarshal(appendContribs(nil, cs), &got); err != nil {
		t.Fatalf("%s: %v", appendContribs(nil, cs), err)
	}
	want := append([]Contribution(nil), cs...)
	want[2].Why = "bad utf-8 \ufffd\ufffd here" // as encoding/json writes it
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if s := string(appendContribs(nil, nil)); s != "[]" {
		t.Errorf("no contributions: %s", s)
	}
}

func TestPutScoresReplaces(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	first := []Score{{ID: 9, Score: 40, Contribs: []Contribution{{Signal: "dga", Points: 40, Why: "w"}}}, {ID: 3, Score: 5}}
	if err := d.PutScores(ctx, first, []Score{{ID: 2, Score: 70}}); err != nil {
		t.Fatal(err)
	}
	// A second run without name 9 (known-good now) drops its score.
	if err := d.PutScores(ctx, []Score{{ID: 3, Score: 6, Contribs: []Contribution{{Signal: "rare", Points: 6}}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ScoreOf(ctx, ScoreName, 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("name 9 kept a score: %v", err)
	}
	if m, err := d.Scores(ctx, ScoreDomain); err != nil || len(m) != 0 {
		t.Errorf("domain scores %v, %v", m, err)
	}
	got, err := d.ScoreOf(ctx, ScoreName, 3)
	if err != nil || got.Score != 6 || len(got.Contribs) != 1 || got.Contribs[0] != (Contribution{Signal: "rare", Points: 6}) {
		t.Errorf("name 3: %+v, %v", got, err)
	}
}

// noWaitConn is a connection of d's pool that does not wait for a lock
// (busy_timeout 0), closed when the test ends.
func noWaitConn(t *testing.T, d *DB) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := d.sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	return c
}

// While scores are being written, the workspace's write lock is free: a
// follow or a capture commits its batches meanwhile (another connection
// takes the lock without waiting). Only Commit's swap takes it.
func TestScoreWriterLeavesTheWorkspaceWritableWhileItWrites(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	load(t, d, "a", []rawEvent{{1, "a.example", "example", "10.0.0.1"}, {2, "b.example", "example", "10.0.0.1"}})
	w, err := d.NewScoreWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	if err := w.Add(ScoreName, []Score{{ID: 1, Score: 50}, {ID: 2, Score: 7}}); err != nil {
		t.Fatal(err)
	}
	other := noWaitConn(t, d)
	if _, err := other.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("the workspace is locked while scores are written: %v", err)
	}
	other.ExecContext(ctx, "UPDATE meta SET value = value WHERE key = 'totals'")
	if _, err := other.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	other.ExecContext(ctx, "PRAGMA busy_timeout = 5000")
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := d.Scores(ctx, ScoreName)
	if err != nil || len(got) != 2 || got[1] != 50 || got[2] != 7 {
		t.Errorf("scores after the commit: %v %v", got, err)
	}
}

// A replacer writes in place, holding the write lock from its first
// batch and the ingest lock (an ingest waits as for another ingest), and
// its Commit leaves only its scores and both locks free; while another
// process ingests, it stages instead, and that ingest commits meanwhile.
func TestScoreReplacerWritesInPlaceUnlessAnotherProcessIngests(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	load(t, d, "a", []rawEvent{{1, "a.example", "example", "10.0.0.1"}, {2, "b.example", "example", "10.0.0.1"}})
	if err := d.PutScores(ctx, []Score{{ID: 1, Score: 3}, {ID: 2, Score: 4}}, []Score{{ID: 1, Score: 9}}); err != nil {
		t.Fatal(err)
	}
	other := noWaitConn(t, d)
	writable := func() bool {
		if _, err := other.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return false
		}
		other.ExecContext(ctx, "COMMIT")
		return true
	}
	replace := func(name uint32, otherIngests bool) {
		t.Helper()
		w, err := d.NewScoreReplacer(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Rollback()
		if err := w.Add(ScoreName, []Score{{ID: name, Score: 50}}); err != nil {
			t.Fatal(err)
		}
		if got := writable(); got != otherIngests {
			t.Errorf("writable while a replacer writes: %v, want %v (another process ingesting: %v)", got, otherIngests, otherIngests)
		}
		if !otherIngests {
			if l, err := d.NewLoader(ctx); !errors.Is(err, ErrIngesting) {
				if err == nil {
					l.Close()
				}
				t.Errorf("an ingest started while a replacer wrote in place: %v", err)
			}
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		got, err := d.Scores(ctx, ScoreName)
		if err != nil || len(got) != 1 || got[name] != 50 {
			t.Errorf("name scores after the commit: %v %v", got, err)
		}
		if got, err := d.Scores(ctx, ScoreDomain); err != nil || len(got) != 0 {
			t.Errorf("domain scores after the commit: %v %v", got, err)
		}
		if !writable() || !otherIngests && ingestRunning(d.path) {
			t.Error("a lock is still held after the commit")
		}
	}
	replace(1, false)
	lock, err := lockIngest(d.path) // as another process's follow holds it
	if err != nil {
		t.Fatal(err)
	}
	defer lock.release()
	replace(2, true)
}

// The best-scored rows of one kind come back whole and in order when other
// kinds' subjects outscore them all (the floor is taken from every kind's
// scores first, then lowered until the kind asked for has enough).
func TestTopScoredOfAKindBelowAnother(t *testing.T) {
	d, l, src := webLoad(t)
	ctx := context.Background()
	b := &Batch{Source: src.ID}
	group := func(s string) string { return "g:" + s }
	var paths, agents []uint32
	for i := range 40 {
		ev := Event{Time: int64(i) * 60_000_000, Client: l.Interner.Client([]byte("10.0.0.1")), Source: src.ID, Line: int64(i + 1)}
		ev.Name = l.Interner.Name(uint8(subject.HTTPPath), []byte("/p"+strconv.Itoa(i)), group)
		paths = append(paths, ev.Name)
		b.Events = append(b.Events, ev)
		if i < 5 {
			ev.Name = l.Interner.Name(uint8(subject.HTTPAgent), []byte("agent"+strconv.Itoa(i)), group)
			agents = append(agents, ev.Name)
			b.Events = append(b.Events, ev)
		}
		b.Records++
	}
	b.Lines = 40
	l.Interner.Flush(b)
	if err := l.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	var scores []Score
	for i, id := range paths {
		scores = append(scores, Score{ID: id, Score: 50 + float64(i)}) // every path above every agent
	}
	for i, id := range agents {
		scores = append(scores, Score{ID: id, Score: 10 + float64(i)})
	}
	if err := d.PutScores(ctx, scores, nil); err != nil {
		t.Fatal(err)
	}
	got, err := d.TopScoredNames(ctx, subject.HTTPAgent, 3)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
	}
	if want := []string{"agent4", "agent3", "agent2"}; !slices.Equal(names, want) {
		t.Errorf("top 3 agents %q, want %q", names, want)
	}
	if got, err := d.TopScoredNames(ctx, subject.HTTPAgent, 10); err != nil || len(got) != 5 {
		t.Errorf("top 10 agents of 5: %d rows, %v", len(got), err)
	}
}
