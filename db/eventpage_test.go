package db

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/longtail/longtail/engine/subject"
)

// Paging a domain's events older from the newest, and newer from the
// oldest, visits every event once, in the order of a read of them all;
// a page from a time starts at that time; counts place a page in the whole;
// a client filter keeps that client's events, paged and counted alike.
func TestEventPagesReachEveryEvent(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	var batches [][]rawEvent
	for b := 0; b < 3; b++ {
		var batch []rawEvent
		for i := 0; i < 900; i++ { // times collide: pages must split ties without loss
			batch = append(batch, rawEvent{rng.Int64N(300) * 1_000_000, fmt.Sprintf("n%d.tunnel.test", rng.IntN(50)), "tunnel.test", fmt.Sprintf("10.0.0.%d", rng.IntN(4))})
		}
		batches = append(batches, batch)
	}
	load(t, d, "dns.log", batches...)
	dom, err := d.DomainByText(ctx, subject.DNSName, "tunnel.test")
	if err != nil {
		t.Fatal(err)
	}
	s := Subject{Kind: SubjectDomain, ID: dom.ID}
	all, err := d.PageOlder(ctx, s, nil, EventFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Rows) != 2700 {
		t.Fatalf("all: %d events, want 2700", len(all.Rows))
	}
	for i := 1; i < len(all.Keys); i++ {
		if compareKeys(all.Keys[i], all.Keys[i-1]) >= 0 {
			t.Fatalf("event %d is not older than the one before it", i)
		}
	}
	walk := func(f EventFilter, older bool) []EventKey {
		var got []EventKey
		var from *EventKey
		for {
			var p EventPage
			var err error
			if older {
				p, err = d.PageOlder(ctx, s, from, f, 97)
			} else {
				p, err = d.PageNewer(ctx, s, from, f, 97)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Keys) == 0 {
				return got
			}
			if older {
				got = append(got, p.Keys...)
				from = &p.Keys[len(p.Keys)-1]
			} else {
				got = append(slices.Clone(p.Keys), got...)
				from = &p.Keys[0]
			}
		}
	}
	if got := walk(EventFilter{}, true); !slices.Equal(got, all.Keys) {
		t.Errorf("paging older: %d events, not the %d of one read in its order", len(got), len(all.Keys))
	}
	if got := walk(EventFilter{}, false); !slices.Equal(got, all.Keys) {
		t.Errorf("paging newer: %d events, not the %d of one read in its order", len(got), len(all.Keys))
	}

	at := all.Keys[1234].Time
	p, err := d.PageOlder(ctx, s, ptr(KeyAt(at)), EventFilter{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	first := slices.IndexFunc(all.Keys, func(k EventKey) bool { return k.Time == at })
	if !slices.Equal(p.Keys, all.Keys[first:first+5]) {
		t.Errorf("from %d: %v, want the first events at that time %v", at, p.Keys, all.Keys[first:first+5])
	}
	if n, err := d.CountNewer(ctx, s, &p.Keys[0], EventFilter{}); err != nil || n != int64(first) {
		t.Errorf("newer than event %d: %d (%v)", first, n, err)
	}

	f := EventFilter{Client: "10.0.0.2"}
	var want []EventKey
	for i, r := range all.Rows {
		if r.Client == f.Client {
			want = append(want, all.Keys[i])
		}
	}
	if got := walk(f, true); !slices.Equal(got, want) {
		t.Errorf("client filter: %d events, want %d", len(got), len(want))
	}
	if n, err := d.CountNewer(ctx, s, nil, f); err != nil || n != int64(len(want)) {
		t.Errorf("client filter counts %d (%v), want %d", n, err, len(want))
	}
	if p, err := d.PageOlder(ctx, s, nil, EventFilter{Client: "192.0.2.1"}, 10); err != nil || len(p.Rows) != 0 {
		t.Errorf("an unknown client: %d events (%v)", len(p.Rows), err)
	}
}

func ptr[T any](v T) *T { return &v }
