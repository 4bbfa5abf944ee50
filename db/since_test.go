package db

import (
	"context"
	"slices"
	"testing"

	"github.com/longtail/longtail/engine/subject"
)

// The reads of the HTTP and logon incremental scoring see the blocks
// between two marks only: the values that got events between them (of
// the subjects asked for), those events alone, and a whole scan up to the
// first mark sees none of them.
func TestBlocksBetweenMarks(t *testing.T) {
	d, l, src := webLoad(t)
	ctx := context.Background()
	group := func(s string) string { return s }
	line := int64(0)
	write := func(reqs ...[2]string) {
		t.Helper()
		b := &Batch{Source: src.ID}
		for _, r := range reqs {
			line++
			ev := Event{Time: line * 60_000_000, Client: l.Interner.Client([]byte("10.0.0.1")), Source: src.ID, Line: line}
			for code, v := range map[subject.Code]string{subject.HTTPPath: r[0], subject.HTTPAgent: r[1]} {
				ev.Name = l.Interner.Name(uint8(code), []byte(v), group)
				b.Events = append(b.Events, ev)
			}
			b.Records++
		}
		b.Lines = line
		l.Interner.Flush(b)
		if err := l.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	write([2]string{"/a", "curl/8"}, [2]string{"/b", "curl/8"})
	from, err := d.BlocksMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	write([2]string{"/a", "Mozilla/5.0"}, [2]string{"/c", "Mozilla/5.0"}, [2]string{"/c", "Mozilla/5.0"})
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	to, err := d.BlocksMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := func(code subject.Code, text string) uint32 {
		t.Helper()
		n, err := d.NameByText(ctx, code, text)
		if err != nil {
			t.Fatal(err)
		}
		return n.ID
	}
	a, c, moz := id(subject.HTTPPath, "/a"), id(subject.HTTPPath, "/c"), id(subject.HTTPAgent, "Mozilla/5.0")
	paths, err := d.NamesSince(ctx, []subject.Code{subject.HTTPPath}, from, to)
	if want := []uint32{a, c}; err != nil || !slices.Equal(paths, want) {
		t.Errorf("paths since the mark %v (%v), want /a and /c %v", paths, err, want)
	}
	both, err := d.NamesSince(ctx, []subject.Code{subject.HTTPPath, subject.HTTPAgent}, from, to)
	if want := slices.Sorted(slices.Values([]uint32{a, c, moz})); err != nil || !slices.Equal(both, want) {
		t.Errorf("paths and agents since the mark %v (%v), want %v", both, err, want)
	}
	if none, err := d.NamesSince(ctx, []subject.Code{subject.HTTPPath}, to, to); err != nil || len(none) != 0 {
		t.Errorf("names after the last mark %v (%v)", none, err)
	}
	rows, err := d.NameRowsByID(ctx, both)
	if err != nil || len(rows) != 3 || rows[0].ID != both[0] || rows[2].ID != both[2] {
		t.Fatalf("rows %+v (%v)", rows, err)
	}
	for _, r := range rows {
		if r.ID == a && (r.Count != 2 || r.Kind != uint8(subject.HTTPPath) || r.Name != "/a") {
			t.Errorf("/a's row %+v: want its 2 requests, all of them", r)
		}
	}
	got := map[uint32]int{}
	if err := d.ScanBlocksBetween(ctx, []uint32{a, c}, from, to, func(name uint32, evs []Event) error {
		got[name] += len(evs)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got[a] != 1 || got[c] != 2 || len(got) != 2 {
		t.Errorf("events between the marks %v: want /a's new one and /c's two", got)
	}
	before := 0
	if err := d.ScanBlocksTo(ctx, from, func(name uint32, evs []Event) error {
		before += len(evs)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if before != 4 {
		t.Errorf("%d events up to the first mark, want the first two requests' 4", before)
	}
}
