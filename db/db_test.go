package db

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	d, err := Open(filepath.Join(t.TempDir(), "ws.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestBlockRoundTrip(t *testing.T) {
	evs := []Event{
		{Time: 1_000_000, Name: 7, Client: 3, Answer: 9, Source: 2, QType: 1, RCode: 0, TTL: 300, Line: 10, Offset: 900},
		{Time: 1_000_000, Name: 7, Client: 0, Answer: 0, Source: 2, QType: 16, RCode: -1, TTL: -1, Line: 5, Offset: 100},
		{Time: 9_000_000_000, Name: 7, Client: 1 << 30, Answer: 1, Source: 2, QType: 65535, RCode: 3, TTL: 1 << 30, Line: 1 << 40, Offset: 1 << 41},
	}
	data := encodeBlock(nil, evs)
	got, err := decodeBlock(nil, data, len(evs), evs[0].Time, 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if got[i] != evs[i] {
			t.Errorf("event %d: got %+v, want %+v", i, got[i], evs[i])
		}
	}
	if _, err := decodeBlock(nil, data[:len(data)-2], len(evs), evs[0].Time, 7, 2); err == nil {
		t.Error("a truncated block decoded without error")
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("hello, this is not a database\n"), 0o644)
	if _, err := Open(text, Options{}); err == nil || !strings.Contains(err.Error(), "not a longtail workspace") {
		t.Fatalf("text file: err = %v", err)
	}
	if b, _ := os.ReadFile(text); string(b) != "hello, this is not a database\n" {
		t.Fatal("the foreign file was modified")
	}

	// An SQLite file of another application.
	other := filepath.Join(dir, "other.db")
	d, err := Open(other, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.sql.Exec("PRAGMA application_id = 42")
	d.Close()
	if _, err := Open(other, Options{}); err == nil || !strings.Contains(err.Error(), "another application") {
		t.Fatalf("foreign sqlite: err = %v", err)
	}

	// A workspace from a newer longtail.
	newer := filepath.Join(dir, "newer.db")
	d, err = Open(newer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.sql.Exec("PRAGMA user_version = 999")
	d.Close()
	if _, err := Open(newer, Options{}); err == nil || !strings.Contains(err.Error(), "newer longtail") {
		t.Fatalf("newer schema: err = %v", err)
	}
}

func TestReopenKeepsSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	for i := 0; i < 2; i++ {
		d, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var v int
		d.sql.QueryRow("PRAGMA user_version").Scan(&v)
		if v != SchemaVersion {
			t.Fatalf("user_version = %d, want %d", v, SchemaVersion)
		}
		d.Close()
	}
}

// load writes events through a Loader the way the ingest does.
func load(t *testing.T, d *DB, path string, batches ...[]rawEvent) {
	t.Helper()
	loadWith(t, d, path, false, batches...)
}

// loadWith is load, the run announced as large (Loader.ExpectLarge) when
// large is set.
func loadWith(t *testing.T, d *DB, path string, large bool, batches ...[]rawEvent) {
	t.Helper()
	ctx := context.Background()
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if large {
		if err := l.ExpectLarge(ctx); err != nil {
			t.Fatal(err)
		}
	}
	src, err := l.StartSource(ctx, Source{Path: path, Format: "test", Fingerprint: path})
	if err != nil {
		t.Fatal(err)
	}
	line := int64(0)
	for _, evs := range batches {
		b := &Batch{Source: src.ID}
		for _, e := range evs {
			line++
			b.Events = append(b.Events, Event{
				Time:   e.t,
				Name:   l.Interner.Name(1, []byte(e.name), func(s string) string { return e.domain }),
				Client: l.Interner.Client([]byte(e.client)),
				Source: src.ID, QType: 1, RCode: 0, TTL: 60, Line: line,
			})
		}
		b.Lines = line
		l.Interner.Flush(b)
		if err := l.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.EndSource(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
}

type rawEvent struct {
	t                    int64
	name, domain, client string
}

const hour = int64(3_600_000_000)

func TestAggregatesAcrossIngests(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	load(t, d, "a",
		[]rawEvent{{1 * hour, "www.example.com", "example.com", "10.0.0.1"}, {2 * hour, "example.com", "example.com", "10.0.0.2"}},
		[]rawEvent{{3 * hour, "www.example.com", "example.com", "10.0.0.1"}, {4 * hour, "rare.test", "rare.test", "10.0.0.3"}},
	)
	// (Half an hour, not 0: a time of 0 is an undated event.)
	load(t, d, "b", []rawEvent{{hour / 2, "www.example.com", "example.com", "10.0.0.9"}, {5 * hour, "mail.example.com", "example.com", "10.0.0.1"}})
	// Older names again, without a client and with one they had: their
	// distinct clients stay as they were (they are not recounted).
	load(t, d, "c", []rawEvent{{5 * hour, "rare.test", "rare.test", ""}, {5 * hour, "mail.example.com", "example.com", "10.0.0.1"}})
	if rare, err := d.NameByText(ctx, 1, "rare.test"); err != nil || rare.Count != 2 || rare.Clients != 1 {
		t.Errorf("rare.test = %+v, %v; want count 2, clients 1", rare, err)
	}

	www, err := d.NameByText(ctx, 1, "www.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if www.Count != 3 || www.Clients != 2 || www.First != hour/2 || www.Last != 3*hour {
		t.Errorf("www.example.com = %+v, want count 3, clients 2, first 0.5h, last 3h", www)
	}
	dom, err := d.DomainByText(ctx, subject.DNSName, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if dom.Count != 6 || dom.Clients != 3 || dom.Names != 3 || dom.First != hour/2 || dom.Last != 5*hour {
		t.Errorf("example.com = %+v, want count 6, clients 3, names 3, span 0.5h..5h", dom)
	}
	top, err := d.TopNames(ctx, subject.DNSName, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 4 || top[0].Name != "www.example.com" {
		t.Errorf("top = %+v", top)
	}
	evs, total, err := d.Events(ctx, www.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(evs) != 2 || evs[0].Time != 3*hour || evs[1].Time != 1*hour || evs[0].Client != "10.0.0.1" || evs[0].Source != "a" {
		t.Errorf("events = %+v (total %d)", evs, total)
	}

	// The totals the later loads added up are those a count finds.
	var stored, counted string
	d.sql.QueryRow("SELECT value FROM meta WHERE key = 'totals'").Scan(&stored)
	var v [6]int64
	if err := d.sql.QueryRow(totalsQuery).Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
		t.Fatal(err)
	}
	if counted = fmt.Sprint(v[0], v[1], v[2], v[3], v[4], v[5]); stored != counted {
		t.Errorf("totals %q, counted %q", stored, counted)
	}

	// A rebuild from the blocks must reproduce the incremental aggregates.
	before := snapshot(t, d)
	if err := d.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, d); after != before {
		t.Errorf("rebuild changed the aggregates:\nbefore %s\nafter  %s", before, after)
	}
}

func snapshot(t *testing.T, d *DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT group_concat(name||':'||count||':'||clients||':'||first||':'||last, ' ') FROM (SELECT * FROM names ORDER BY id)",
		"SELECT group_concat(name||':'||count||':'||clients||':'||names||':'||first||':'||last, ' ') FROM (SELECT * FROM domains ORDER BY id)",
		"SELECT group_concat(addr||':'||count||':'||names, ' ') FROM (SELECT * FROM clients ORDER BY id)",
		"SELECT group_concat(name||':'||client||':'||count, ' ') FROM (SELECT * FROM name_client ORDER BY name, client)",
		"SELECT group_concat(minute||':'||n, ' ') FROM (SELECT * FROM total_minute ORDER BY minute)",
		"SELECT group_concat(client||':'||hour||':'||n, ' ') FROM (SELECT * FROM client_hour ORDER BY client, hour)",
		"SELECT group_concat(name||':'||hour||':'||n, ' ') FROM (SELECT * FROM name_hour ORDER BY name, hour)",
		"SELECT group_concat(domain||':'||hour||':'||n, ' ') FROM (SELECT * FROM domain_hour ORDER BY domain, hour)",
	} {
		var s *string
		if err := d.sql.QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s != nil {
			b.WriteString(*s)
		}
		b.WriteString(" | ")
	}
	return b.String()
}

// A workspace an ingest was killed in is made consistent by the first
// command that opens it, one that only reads included.
func TestInterruptedIngestIsRecoveredOnOpen(t *testing.T) {
	for _, access := range []Access{ReadWrite, ReadOnly} {
		path := filepath.Join(t.TempDir(), "ws.db")
		writeWorkspace(t, path, true)
		ctx := context.Background()
		d, err := Open(path, Options{Access: access})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if d.Stale() != "" {
			t.Errorf("access %d: Stale = %q after a recovery", access, d.Stale())
		}
		n, err := d.NameByText(ctx, 1, "a.example")
		if err != nil {
			t.Fatal(err)
		}
		if n.Count != 2 {
			t.Errorf("access %d: after recovery a.example has count %d, want the 2 committed events", access, n.Count)
		}
		srcs, _ := d.Sources(ctx)
		if len(srcs) != 1 || srcs[0].Lines != 2 || srcs[0].State != "loading" {
			t.Errorf("access %d: sources after recovery = %+v; want the interrupted read with its position", access, srcs)
		}
	}
}

func TestSeries(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	var evs []rawEvent
	for i := 0; i < SeriesMin+10; i++ { // popular: stored hourly buckets
		evs = append(evs, rawEvent{int64(i%3) * hour, "busy.example", "busy.example", "10.0.0.1"})
	}
	evs = append(evs, rawEvent{5*hour + 60_000_000, "rare.example", "rare.example", "10.0.0.2"})
	load(t, d, "s", evs)
	busy, _ := d.NameByText(ctx, 1, "busy.example")
	pts, err := d.Series(ctx, Subject{SubjectName, busy.ID}, 3600e9, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 3 || pts[0].N != 337 || pts[1].N != 337 || pts[2].N != 336 {
		t.Errorf("busy series = %+v", pts)
	}
	rare, _ := d.NameByText(ctx, 1, "rare.example")
	pts, err = d.Series(ctx, Subject{SubjectName, rare.ID}, 60e9, 0, 0)
	if err != nil || len(pts) != 1 || pts[0].Start != 5*hour+60_000_000 || pts[0].N != 1 {
		t.Errorf("rare series = %+v, %v", pts, err)
	}
	all, err := d.Series(ctx, Subject{Kind: SubjectAll}, 3600e9, 0, 0)
	if err != nil || len(all) != 4 {
		t.Errorf("total series = %+v, %v", all, err)
	}
}

func TestRulesPutReplaceRestore(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	stored, replaced, err := d.PutRules(ctx, []rules.Rule{{Pattern: "example.com", Scope: rules.Domain, Verdict: rules.Good, Note: "cdn", Origin: "tui"}})
	if err != nil || len(stored) != 1 || stored[0].ID == 0 || replaced[0].ID != 0 {
		t.Fatalf("put: %+v %+v %v", stored, replaced, err)
	}
	again, replaced, err := d.PutRules(ctx, []rules.Rule{{Pattern: "example.com", Scope: rules.Domain, Verdict: rules.Bad, Origin: "tui"}})
	if err != nil || replaced[0].ID != stored[0].ID || replaced[0].Verdict != rules.Good || replaced[0].Note != "cdn" {
		t.Fatalf("replace: %+v %v", replaced, err)
	}
	if err := d.PushUndo(ctx, UndoStep{What: "the replacement", Stored: again, Replaced: replaced}); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := d.Undo(ctx); !ok || err != nil {
		t.Fatalf("undo: %v %v", ok, err)
	}
	all, _ := d.Rules(ctx)
	if len(all) != 1 || all[0].Verdict != rules.Good || all[0].ID != stored[0].ID {
		t.Fatalf("after restore: %+v", all)
	}
	if err := d.DeleteRules(ctx, []int64{all[0].ID}); err != nil {
		t.Fatal(err)
	}
	if all, _ := d.Rules(ctx); len(all) != 0 {
		t.Fatalf("after delete: %+v", all)
	}
}

// A name that becomes popular in a later batch or a later ingest gets hourly
// buckets that cover its earlier events too.
func TestHourlyBucketsCoverEventsFromBeforeAnameBecamePopular(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	mk := func(n int, h int64) []rawEvent {
		var evs []rawEvent
		for i := 0; i < n; i++ {
			evs = append(evs, rawEvent{h * hour, "grow.example", "grow.example", "10.0.0.1"})
		}
		return evs
	}
	load(t, d, "one", mk(SeriesMin/2, 1))                     // not popular yet
	load(t, d, "two", mk(SeriesMin/4, 2), mk(SeriesMin/2, 3)) // crosses in its second batch
	n, _ := d.NameByText(ctx, 1, "grow.example")
	pts, err := d.Series(ctx, Subject{SubjectName, n.ID}, 3600e9, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Point{{hour, SeriesMin / 2}, {2 * hour, SeriesMin / 4}, {3 * hour, SeriesMin / 2}}
	if len(pts) != 3 || pts[0] != want[0] || pts[1] != want[1] || pts[2] != want[2] {
		t.Errorf("series = %+v, want %+v", pts, want)
	}
	before := snapshot(t, d)
	if err := d.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, d); after != before {
		t.Errorf("rebuild differs:\n%s\n%s", before, after)
	}
}

// A domain that becomes popular by a run of one name gets hourly buckets
// that cover the events of its other names before it, in the same batch
// and in earlier ones, however many events it gets after.
func TestHourlyBucketsOfADomainCoverItsNamesBefore(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	mk := func(name string, n int, h int64) []rawEvent {
		var evs []rawEvent
		for range n {
			evs = append(evs, rawEvent{h * hour, name, "grow.example", "10.0.0.1"})
		}
		return evs
	}
	load(t, d, "one", mk("a.grow.example", SeriesMin/4, 1))
	// In one batch, b's run (interned first) before c's, which crosses;
	// then a batch of c alone, counted by the hour as it comes.
	load(t, d, "two", append(mk("b.grow.example", SeriesMin/4, 2), mk("c.grow.example", SeriesMin/2, 3)...),
		mk("c.grow.example", 2*SeriesMin, 4))
	g, err := d.DomainByText(ctx, 1, "grow.example")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := d.Series(ctx, Subject{SubjectDomain, g.ID}, 3600e9, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint([]Point{{hour, SeriesMin / 4}, {2 * hour, SeriesMin / 4}, {3 * hour, SeriesMin / 2}, {4 * hour, 2 * SeriesMin}})
	if fmt.Sprint(pts) != want {
		t.Errorf("series = %v, want %v", pts, want)
	}
	before := snapshot(t, d)
	if err := d.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, d); after != before {
		t.Errorf("rebuild differs:\n%s\n%s", before, after)
	}
}

func TestSeriesManyMatchesSeries(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	var evs []rawEvent
	for i := 0; i < SeriesMin+5; i++ {
		evs = append(evs, rawEvent{int64(i%5) * hour, "busy.example", "example", "10.0.0.1"})
	}
	for i := 0; i < 7; i++ {
		evs = append(evs, rawEvent{int64(i) * hour / 2, "rare.example", "example", "10.0.0.2"})
	}
	load(t, d, "m", evs)
	busy, _ := d.NameByText(ctx, 1, "busy.example")
	rare, _ := d.NameByText(ctx, 1, "rare.example")
	many, err := d.SeriesMany(ctx, SubjectName, []uint32{busy.ID, rare.ID}, 2*time.Hour, 0, 10*hour)
	if err != nil {
		t.Fatal(err)
	}
	// busy: SeriesMin+5 events spread over hours 0-4; rare: every half hour from 0 to 3h.
	if got := fmt.Sprint(many[busy.ID]); got != fmt.Sprintf("[{0 %d} {%d %d} {%d %d}]", 2*(SeriesMin+5)/5, 2*hour, 2*(SeriesMin+5)/5, 4*hour, (SeriesMin+5)/5) {
		t.Errorf("busy (stored hourly buckets): %s", got)
	}
	if got := fmt.Sprint(many[rare.ID]); got != fmt.Sprintf("[{0 4} {%d 3}]", 2*hour) {
		t.Errorf("rare (from its block): %s", got)
	}
	for _, id := range []uint32{busy.ID, rare.ID} {
		one, err := d.Series(ctx, Subject{SubjectName, id}, 2*time.Hour, 0, 10*hour)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(one) != fmt.Sprint(many[id]) {
			t.Errorf("name %d: SeriesMany %v, Series %v", id, many[id], one)
		}
	}
	s, err := d.Stats(ctx)
	if err != nil || s.Events != SeriesMin+12 || s.Names != 2 || s.Domains != 1 || s.Clients != 2 || s.Last != 4*hour {
		t.Errorf("stats = %+v, %v", s, err)
	}
}

func TestBlockTimesMatchesDecode(t *testing.T) {
	evs := []Event{{Time: 5, Client: 300, Answer: 1 << 20, QType: 65535, RCode: -1, TTL: -1, Line: 1 << 33, Offset: 7},
		{Time: 5, Line: 2}, {Time: 1 << 40, Client: 1, TTL: 1 << 30, Line: 3, Offset: -1}}
	data := encodeBlock(nil, evs)
	var got []int64
	if err := blockTimes(data, len(evs), evs[0].Time, func(t int64) { got = append(got, t) }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint([]int64{5, 5, 1 << 40}) {
		t.Errorf("times %v", got)
	}
	if err := blockTimes(data[:len(data)-1], len(evs), evs[0].Time, func(int64) {}); err == nil {
		t.Error("a truncated block read without error")
	}
}

// A forced re-read in a workspace without events (its one source gave none)
// is a bulk load that also rebuilds: its Finish must put back the indexes
// the bulk load dropped, for the screens that open right after it.
func TestFinishAfterDropRestoresBulkIndexes(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	load(t, d, "empty")
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := d.Sources(ctx)
	if err != nil || len(srcs) != 1 {
		t.Fatalf("sources %+v, %v", srcs, err)
	}
	if err := l.DropSource(ctx, srcs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	for _, ix := range bulkIndexes {
		var n int
		if err := d.sql.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?", ix.name).Scan(&n); err != nil || n != 1 {
			t.Errorf("index %s: %d, %v", ix.name, n, err)
		}
	}
}

// A second load announced as large drops the indexes and builds them at
// its end: the workspace comes out as the same load kept up to date
// through them leaves it, its aggregates and every index included,
// whether the load touches most names or a few.
func TestLargeSecondLoadEndsAsAnIndexedOne(t *testing.T) {
	first := []rawEvent{{1 * hour, "www.example.com", "example.com", "10.0.0.1"}, {2 * hour, "mail.example.com", "example.com", "10.0.0.2"}}
	for i := range 20 {
		first = append(first, rawEvent{int64(i) * hour, fmt.Sprintf("n%d.example.org", i), "example.org", "10.0.0.3"})
	}
	for _, second := range [][]rawEvent{
		{{3 * hour, "www.example.com", "example.com", "10.0.0.9"}}, // one name of 22
		append(slices.Clone(first), rawEvent{9 * hour, "new.example.net", "example.net", "10.0.0.1"}),
	} {
		want, got := openTemp(t), openTemp(t)
		load(t, want, "a", first)
		load(t, want, "b", second)
		load(t, got, "a", first)
		loadWith(t, got, "b", true, second)
		if w, g := snapshot(t, want), snapshot(t, got); w != g {
			t.Errorf("a large second load left\n%s\nwhere an indexed one left\n%s", g, w)
		}
		for _, ix := range bulkIndexes {
			var n int
			if err := got.sql.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?", ix.name).Scan(&n); err != nil || n != 1 {
				t.Errorf("index %s after a large load: %d, %v", ix.name, n, err)
			}
		}
	}
}

// The ingest's writer runs without automatic checkpoints, its commits
// copied to the database file beside it: the WAL must still start over
// after each batch, not grow to the size of the whole load.
func TestLoaderWALStaysOneBatchLong(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := l.StartSource(ctx, Source{Path: "x", Format: "test", Fingerprint: "x"})
	walSize := func() int64 {
		st, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	var first int64
	for batch := 0; batch < 30; batch++ {
		b := &Batch{Source: src.ID, Lines: int64(batch+1) * 2000}
		for i := 0; i < 2000; i++ {
			name := fmt.Sprintf("host%d-%d.example", batch, i)
			b.Events = append(b.Events, Event{Time: int64(i) * 1e6, Name: l.Interner.Name(1, []byte(name), func(string) string { return "example" }), Source: src.ID, Line: int64(batch*2000 + i + 1)})
		}
		l.Interner.Flush(b)
		if err := l.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
		if batch == 0 {
			first = walSize()
		}
	}
	if got := walSize(); got > 3*first {
		t.Fatalf("WAL is %d bytes after 30 batches, %d after the first: it grows with the load", got, first)
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
}

// A damaged block is passed over when the aggregates are rebuilt, and so
// when the hours of a name that became popular after it are read back
// from its blocks: the rebuild runs at every open until it succeeds.
func TestRebuildPassesOverADamagedBlockOfALatePopularName(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	mk := func(n int, h int64) []rawEvent {
		var evs []rawEvent
		for range n {
			evs = append(evs, rawEvent{h * hour, "late.example", "late.example", "10.0.0.1"})
		}
		return evs
	}
	load(t, d, "a", mk(SeriesMin*6/10, 1), mk(SeriesMin*6/10, 2), mk(SeriesMin*6/10, 3))
	if _, err := d.sql.ExecContext(ctx, "UPDATE blocks SET data = x'00' WHERE id = (SELECT min(id) FROM blocks)"); err != nil {
		t.Fatal(err)
	}
	if err := d.RebuildAggregates(ctx); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	n, err := d.NameByText(ctx, 1, "late.example")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := d.Series(ctx, Subject{SubjectName, n.ID}, 3600e9, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint([]Point{{2 * hour, SeriesMin * 6 / 10}, {3 * hour, SeriesMin * 6 / 10}})
	if fmt.Sprint(pts) != want {
		t.Errorf("series = %v, want %v", pts, want)
	}
}

// Events without a time (a list of names, a log that gives none) are
// stored at 0; the workspace's first event is its earliest dated one,
// however the totals were counted: all at once (a first load) or added
// to (a read that touched few names).
func TestFirstSeenIsTheEarliestDatedEvent(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	const day1 = int64(1_700_000_000_000_000)
	var batch []rawEvent
	for i := range 20 {
		batch = append(batch, rawEvent{day1 + int64(i)*hour, fmt.Sprintf("n%d.example", i), "example", "10.0.0.1"})
	}
	batch = append(batch, rawEvent{0, "undated.example", "example", ""})
	load(t, d, "a", batch)
	check := func(when string) {
		t.Helper()
		st, err := d.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.First != day1 {
			t.Errorf("%s: first seen %d, want %d (the earliest dated event)", when, st.First, day1)
		}
	}
	check("first load")
	load(t, d, "b", []rawEvent{{0, "n3.example", "example", ""}})
	check("a read of one more undated event")

	// A name with dated and undated events (a BIND log's lines without a
	// stamp among stamped ones) is first seen at its first dated event,
	// in one run and across runs: a list of names read after the log
	// moves nothing.
	d = openTemp(t)
	load(t, d, "log", []rawEvent{
		{day1, "early.example", "example", "10.0.0.1"},
		{0, "early.example", "example", "10.0.0.1"},
		{day1 + 5*hour, "late.example", "example", "10.0.0.1"},
	})
	check("a log with an undated line")
	load(t, d, "list", []rawEvent{{0, "early.example", "example", "10.0.0.1"}, {0, "late.example", "example", "10.0.0.1"}})
	check("a list of the log's names read after it")
	names, err := d.TopNames(ctx, subject.DNSName, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n.First == 0 {
			t.Errorf("%s: first seen 0 beside its dated events", n.Name)
		}
	}
	clients, err := d.DomainClients(ctx, names[0].DomainID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(clients) != 1 || clients[0].First != day1 {
		t.Errorf("the group's client: %+v, want first seen %d", clients, day1)
	}
}
