package db

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/subject"
)

// putRanks stores (name, rank) pairs as the list called list.
func putRanks(t *testing.T, d *DB, list string, pairs ...any) RankImport {
	t.Helper()
	ri, err := d.PutRanks(context.Background(), list, func(add func(string, int)) error {
		for i := 0; i < len(pairs); i += 2 {
			add(pairs[i].(string), pairs[i+1].(int))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ri
}

func TestRanksBestOfListsAndReimport(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	ri := putRanks(t, d, "a", "example.com", 5, "www.example.com", 9, "rare.test", 700)
	if ri != (RankImport{Entries: 3, New: 3, Total: 3}) {
		t.Errorf("first list: %+v", ri)
	}
	// b ranks example.com worse and www.example.com better: each name keeps its best.
	ri = putRanks(t, d, "b", "example.com", 50, "www.example.com", 2, "other.test", 1)
	if ri != (RankImport{Entries: 3, New: 1, Total: 4}) {
		t.Errorf("second list: %+v", ri)
	}
	for name, want := range map[string]Rank{
		"example.com":     {"example.com", 5, "a"},
		"www.example.com": {"www.example.com", 2, "b"},
		"other.test":      {"other.test", 1, "b"},
	} {
		if got, err := d.RankOf(ctx, name); err != nil || got != want {
			t.Errorf("RankOf(%s) = %+v, %v; want %+v", name, got, err, want)
		}
	}
	if _, err := d.RankOf(ctx, "unranked.test"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unranked name: err = %v", err)
	}
	ls, err := d.RankLists(ctx)
	if err != nil || fmt.Sprint(ls) != "[{a 2 5 700} {b 2 1 2}]" {
		t.Errorf("RankLists = %v, %v", ls, err)
	}

	// A newer version of a replaces a's ranks: rare.test is gone from it.
	ri = putRanks(t, d, "a", "example.com", 6)
	if ri.Total != 3 {
		t.Errorf("re-import: %+v", ri)
	}
	if _, err := d.RankOf(ctx, "rare.test"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rare.test kept a rank from the replaced list: %v", err)
	}

	// A failing fill leaves the ranks as they were.
	_, err = d.PutRanks(ctx, "a", func(add func(string, int)) error {
		add("half.test", 1)
		return errors.New("broken file")
	})
	if err == nil {
		t.Fatal("a failing fill reported no error")
	}
	if r, err := d.RankOf(ctx, "example.com"); err != nil || r.Rank != 6 {
		t.Errorf("after a failed import: %+v, %v", r, err)
	}

	if n, err := d.ClearRanks(ctx, "b"); err != nil || n != 2 {
		t.Errorf("ClearRanks(b) = %d, %v", n, err)
	}
	if n, err := d.ClearRanks(ctx, ""); err != nil || n != 1 {
		t.Errorf("ClearRanks(all) = %d, %v", n, err)
	}
}

func TestRanksOfWorkspaceNames(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	load(t, d, "a", []rawEvent{
		{1 * hour, "www.example.com", "example.com", "10.0.0.1"},
		{2 * hour, "mail.example.com", "example.com", "10.0.0.1"},
		{3 * hour, "cdn.ranked.test", "ranked.test", "10.0.0.1"},
		{4 * hour, "nobody.test", "nobody.test", "10.0.0.1"},
	})
	// example.com ranked as a registered domain (Tranco style), and
	// cdn.ranked.test as a name (Umbrella style) better than its domain.
	putRanks(t, d, "l", "example.com", 40, "www.example.com", 70, "cdn.ranked.test", 3, "ranked.test", 900, "absent.test", 1)
	r, err := d.Ranks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Names) != 2 || len(r.Domains) != 2 {
		t.Errorf("Ranks = %+v, want 2 names and 2 domains", r)
	}
	for name, want := range map[string]int{"www.example.com": 40, "mail.example.com": 40, "cdn.ranked.test": 3, "nobody.test": 0} {
		n, err := d.NameByText(ctx, 1, name)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Of(n); got != want {
			t.Errorf("rank of %s = %d, want %d", name, got, want)
		}
	}
}

func TestSnapshotsAndNewNames(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	if _, err := d.ResolveSince(ctx, ""); err == nil {
		t.Error("no snapshot: ResolveSince(\"\") gave no error")
	}
	load(t, d, "a", []rawEvent{{1 * hour, "old.example.com", "example.com", "10.0.0.1"}, {2 * hour, "www.example.com", "example.com", "10.0.0.1"}})
	s1, err := d.CreateSnapshot(ctx, "monday")
	if err != nil || s1.MaxName != 2 {
		t.Fatalf("snapshot: %+v, %v", s1, err)
	}
	if _, err := d.CreateSnapshot(ctx, "monday"); !errors.Is(err, ErrSnapshotExists) {
		t.Errorf("second snapshot of the same name: %v", err)
	}
	// Known names seen again, and new names, some before the snapshot's
	// events in log time: "new" is about being unknown, not about time.
	load(t, d, "b", []rawEvent{
		{5 * hour, "www.example.com", "example.com", "10.0.0.2"},
		{0, "early.new.test", "new.test", "10.0.0.2"},
		{6 * hour, "late.new.test", "new.test", "10.0.0.2"},
		{7 * hour, "late.new.test", "new.test", "10.0.0.3"},
	})
	time.Sleep(time.Millisecond) // created is in µs: keep the two snapshots apart
	s2, err := d.CreateSnapshot(ctx, "tuesday")
	if err != nil || s2.MaxName != 4 {
		t.Fatalf("second snapshot: %+v, %v", s2, err)
	}
	if ss, err := d.Snapshots(ctx); err != nil || len(ss) != 2 || ss[0].Name != "monday" || ss[1].Name != "tuesday" {
		t.Errorf("Snapshots = %+v, %v", ss, err)
	}

	since, err := d.ResolveSince(ctx, "monday")
	if err != nil || since.MaxName != 2 {
		t.Fatalf("ResolveSince(monday) = %+v, %v", since, err)
	}
	got, err := d.NewNames(ctx, subject.DNSName, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "early.new.test" || got[0].Count != 1 || got[1].Name != "late.new.test" || got[1].Count != 2 {
		t.Errorf("new since monday = %+v", got)
	}
	if latest, err := d.ResolveSince(ctx, ""); err != nil || latest.Snapshot != "tuesday" {
		t.Errorf("latest snapshot = %+v, %v", latest, err)
	}
	if got, _ := d.NewNames(ctx, subject.DNSName, Since{Snapshot: "tuesday", MaxName: s2.MaxName}); len(got) != 0 {
		t.Errorf("new since tuesday = %+v", got)
	}

	// A time: names first seen after it, whenever they were loaded.
	at, err := d.ResolveSince(ctx, "1970-01-01T02:30:00Z")
	if err != nil || at.Snapshot != "" || at.After != 2*hour+hour/2 {
		t.Fatalf("ResolveSince(time) = %+v, %v", at, err)
	}
	got, err = d.NewNames(ctx, subject.DNSName, at)
	if err != nil || len(got) != 1 || got[0].Name != "late.new.test" {
		t.Errorf("new since 02:30 = %+v, %v", got, err)
	}
	if _, err := d.ResolveSince(ctx, "no such thing"); err == nil {
		t.Error("an unknown snapshot name that is no time was accepted")
	}
}

// BenchmarkPutRanks1M stores a million-name popularity list.
func BenchmarkPutRanks1M(b *testing.B) {
	names := make([]string, 1_000_000)
	for i := range names {
		names[i] = fmt.Sprintf("host%d.example%d.com", i, i%9973)
	}
	for b.Loop() {
		b.StopTimer()
		d, err := Open(b.TempDir()+"/ws.db", Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		_, err = d.PutRanks(context.Background(), "top-1m", func(add func(string, int)) error {
			for i, n := range names {
				add(n, i+1)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
}
