package review

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
)

// Hiding an ASN leaves out the names whose answers are all in it (a
// whole CDN at once), not those with an answer elsewhere or with none
// known; rolled up, a domain goes when its names' answers together are.
// The paged and the whole answer agree (the filter is not Simple).
func TestHideASN(t *testing.T) {
	d := testws.AnswerNetworks(t)
	names := func(a Answer) []string {
		var out []string
		for _, it := range a.Items {
			out = append(out, it.Name)
		}
		return out
	}
	all := run(t, d, Query{}, 0)
	if len(all.Items) != 7 || all.Items[4].Name != "mixed.example.org" || all.Items[4].Nets.Short() != "AS64500 EXAMPLENET DE +1" {
		t.Fatalf("all: %+v", all.Items)
	}
	if paged := run(t, d, Query{}, 5); !reflect.DeepEqual(paged.Items, all.Items[:5]) {
		t.Errorf("paged answer networks differ:\n%+v\n%+v", paged.Items, all.Items[:5])
	}
	q := Query{HideASN: []uint32{64500, 64501}}
	got := names(run(t, d, q, 0))
	want := []string{"mixed.example.org", "plain.example.net", "nowhere.test"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hiding AS64500 and AS64501: %v, want %v", got, want)
	}
	if got := names(run(t, d, q, 2)); !reflect.DeepEqual(got, want[:2]) {
		t.Errorf("with a limit: %v", got)
	}
	data, err := LoadAll(ctx, d, db.Stats{}, q.Listing())
	if err != nil {
		t.Fatal(err)
	}
	res := Compute(data.Data, data.Verdicts, data.Scores, data.Annotations, q)
	if h := res.Hid[HideNetwork]; h.Rows != 4 || h.Events != 30+24+20+12 {
		t.Errorf("the filter hid %+v", h)
	}
	q.Domains = true
	if got := names(run(t, d, q, 0)); !reflect.DeepEqual(got, []string{"example.net", "example.org", "nowhere.test"}) {
		t.Errorf("rolled up: %v", got)
	}
}

// The names of a network, the pivot: only those with an answer in it.
func TestOnlyASN(t *testing.T) {
	d := testws.AnswerNetworks(t)
	var got []string
	for _, it := range run(t, d, Query{OnlyASN: []uint32{64502}}, 0).Items {
		got = append(got, it.Name)
	}
	if !reflect.DeepEqual(got, []string{"mixed.example.org", "plain.example.net"}) {
		t.Errorf("only AS64502: %v", got)
	}
}

// Listed by network, a name counts in each network of its answers (once
// per owner or country), with its events; the busiest network first.
func TestByNetwork(t *testing.T) {
	d := testws.AnswerNetworks(t)
	l, err := LoadAll(ctx, d, db.Stats{}, subject.Must(subject.DNSName))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		key            string
		values, events int64
		top            string
	}
	for key, want := range map[NetKey][]row{
		ByASN:     {{"AS64500", 3, 52, "www.example.com"}, {"AS64501", 2, 44, "img.cdn.example.net"}, {"AS64502", 2, 15, "mixed.example.org"}},
		ByOwner:   {{"EXAMPLENET", 3, 52, "www.example.com"}, {"BIGCDN", 2, 44, "img.cdn.example.net"}, {"DROPLETS", 2, 15, "mixed.example.org"}},
		ByCountry: {{"DE", 3, 52, "www.example.com"}, {"US", 2, 44, "img.cdn.example.net"}, {"NL", 2, 15, "mixed.example.org"}},
	} {
		rows, err := ByNetwork(ctx, d, l, key)
		if err != nil {
			t.Fatal(err)
		}
		var got []row
		for _, r := range rows {
			got = append(got, row{r.Key, r.Values, r.Events, r.Top[0]})
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("by %s: %v, want %v", key, got, want)
		}
	}
	if k, ok := ParseNetKey("owner"); !ok || k != ByOwner {
		t.Error("ParseNetKey(owner)")
	}
}

// Tallied over what a filtered list shows, the networks count only its
// rows, the same whether the list shows names or their domains.
func TestByNetworkShown(t *testing.T) {
	d := testws.AnswerNetworks(t)
	l, err := LoadAll(ctx, d, db.Stats{}, subject.Must(subject.DNSName))
	if err != nil {
		t.Fatal(err)
	}
	for _, domains := range []bool{false, true} {
		q := Query{Sort: SortCount, Domains: domains, HideASN: []uint32{64501}}
		rows, err := ByNetworkShown(ctx, d, l, Compute(l.Data, l.Verdicts, l.Scores, l.Annotations, q), ByASN)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%s %d %d", r.Key, r.Values, r.Events))
		}
		// Rolled up, example.net stays for plain.example.net (AS64502):
		// its CDN names come back with it.
		want := []string{"AS64500 3 52", "AS64502 2 15"}
		if domains {
			want = []string{"AS64500 3 52", "AS64501 2 44", "AS64502 2 15"}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("domains %v, AS64501 hidden: %v, want %v", domains, got, want)
		}
	}
}
