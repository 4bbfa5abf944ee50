package review

import (
	"reflect"
	"testing"

	"github.com/longtail/longtail/db"
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
	if len(all.Items) != 7 || all.Items[4].Name != "mixed.example.org" || all.Items[4].Answers.Short() != "AS64500 EXAMPLENET DE +1" {
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
