package db

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/longtail/longtail/engine/subject"
)

// A domain's events are its names' events merged newest first, cut at the
// limit exactly where a read of every event sorted would cut them, each
// naming its name; another domain's events stay out.
func TestDomainEventsMergeItsNamesNewestFirst(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var want []rawEvent
	var batches [][]rawEvent
	// Three batches, so that a name has several blocks whose spans overlap
	// those of the other names; times collide now and then.
	for b := 0; b < 3; b++ {
		var batch []rawEvent
		for i := 0; i < 1500; i++ {
			e := rawEvent{rng.Int64N(2000) * 1_000_000, fmt.Sprintf("n%d.tunnel.test", rng.IntN(700)), "tunnel.test", fmt.Sprintf("10.0.0.%d", rng.IntN(5))}
			batch = append(batch, e)
			want = append(want, e)
			batch = append(batch, rawEvent{rng.Int64N(2000) * 1_000_000, "www.other.test", "other.test", "10.0.0.9"})
		}
		batches = append(batches, batch)
	}
	load(t, d, "dns.log", batches...)
	slices.SortStableFunc(want, func(a, b rawEvent) int { return cmp.Compare(b.t, a.t) })

	dom, err := d.DomainByText(ctx, subject.DNSName, "tunnel.test")
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, 7, 1000, 4499, 0} {
		evs, total, err := d.DomainEvents(ctx, dom.ID, limit)
		if err != nil {
			t.Fatal(err)
		}
		n := limit
		if limit == 0 {
			n = len(want)
		}
		if total != int64(len(want)) || len(evs) != n {
			t.Fatalf("limit %d: %d events of %d, want %d of %d", limit, len(evs), total, n, len(want))
		}
		for i, e := range evs {
			if e.Time != want[i].t {
				t.Fatalf("limit %d: event %d at %d, want %d (newest first, none skipped)", limit, i, e.Time, want[i].t)
			}
			if e.Name == "" || e.Name == "www.other.test" || e.Client == "10.0.0.9" {
				t.Fatalf("limit %d: event %d = %+v, want one of tunnel.test's names", limit, i, e)
			}
		}
	}
	// Each event names its own name: the multiset of names matches.
	evs, _, err := d.DomainEvents(ctx, dom.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, exp := map[string]int{}, map[string]int{}
	for i := range evs {
		got[evs[i].Name+"@"+fmt.Sprint(evs[i].Time)]++
		exp[want[i].name+"@"+fmt.Sprint(want[i].t)]++
	}
	if !maps.Equal(got, exp) {
		t.Errorf("the events do not name the names they were for")
	}
	if _, _, err := d.DomainEvents(ctx, 999999, 10); err != ErrNotFound {
		t.Errorf("an unknown domain: %v, want ErrNotFound", err)
	}
}

// A domain's clients are those of its names, each counted over all of them.
func TestDomainClientsSumOverItsNames(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	load(t, d, "a", []rawEvent{
		{1 * hour, "a.example.com", "example.com", "10.0.0.1"},
		{2 * hour, "b.example.com", "example.com", "10.0.0.1"},
		{3 * hour, "b.example.com", "example.com", "10.0.0.2"},
		{4 * hour, "c.example.com", "example.com", "10.0.0.1"},
		{5 * hour, "www.other.test", "other.test", "10.0.0.3"},
	})
	dom, err := d.DomainByText(ctx, subject.DNSName, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := d.DomainClients(ctx, dom.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Text != "10.0.0.1" || cs[0].Count != 3 || cs[0].First != 1*hour || cs[0].Last != 4*hour ||
		cs[1].Text != "10.0.0.2" || cs[1].Count != 1 {
		t.Errorf("clients of example.com = %+v, want 10.0.0.1 ×3 (1h..4h), 10.0.0.2 ×1", cs)
	}
	if cs, _ := d.DomainClients(ctx, dom.ID, 1); len(cs) != 1 {
		t.Errorf("limit 1: %d clients", len(cs))
	}
}
