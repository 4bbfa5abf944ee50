package db

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The table must agree with a map on every text, through many growths,
// with texts that share prefixes, differ only in length, or are empty.
func TestTextTableAgreesWithMap(t *testing.T) {
	tab := newTextTable()
	want := map[string]uint32{}
	next := uint32(1)
	rng := rand.New(rand.NewPCG(1, 2))
	texts := []string{"", "a", "aa", "a.example", "a.example.", "\x00", "b"}
	for i := 0; i < 200_000; i++ {
		texts = append(texts, fmt.Sprintf("host%d.example%d.com", rng.IntN(150_000), rng.IntN(3)))
		if i%50_000 == 0 { // longer than a chunk, and than what is left of one
			texts = append(texts, strings.Repeat("x", 5<<20+i), strings.Repeat("y", 3000+i))
		}
	}
	for _, s := range texts {
		id, added := tab.intern([]byte(s), &next)
		old, seen := want[s]
		switch {
		case seen && (added || id != old):
			t.Fatalf("%q: id %d added %v, had %d", s, id, added, old)
		case !seen && !added:
			t.Fatalf("%q: new text found as %d", s, id)
		case !seen:
			want[s] = id
		}
	}
	if tab.n != len(want) || int(next) != len(want)+1 {
		t.Fatalf("%d entries, next %d; want %d", tab.n, next, len(want))
	}
	for s, id := range want {
		if got, _, _ := tab.lookup([]byte(s)); got != id {
			t.Fatalf("%q: %d, want %d", s, got, id)
		}
	}
}

// Texts loaded from the workspace keep their ids, and a later intern of
// the same text finds them instead of making a second entry.
func TestTextTablePutKeepsIDs(t *testing.T) {
	tab := newTextTable()
	tab.put([]byte("old.example"), 41)
	tab.put([]byte("old.example"), 99) // a duplicate row must not move it
	next := uint32(42)
	if id, added := tab.intern([]byte("old.example"), &next); id != 41 || added {
		t.Fatalf("loaded text: id %d added %v", id, added)
	}
	if id, added := tab.intern([]byte("new.example"), &next); id != 42 || !added || next != 43 {
		t.Fatalf("new text: id %d added %v next %d", id, added, next)
	}
}

// Equal hashes are not equal texts: a text whose slot holds another text
// with the same hash must not be taken for it.
func TestTextTableComparesTexts(t *testing.T) {
	tab := newTextTable()
	_, hash, slot := tab.lookup([]byte("y"))
	tab.insert(slot, hash, []byte("x"), 5) // "x" where "y" would go, with y's hash
	next := uint32(6)
	if id, added := tab.intern([]byte("y"), &next); id != 6 || !added {
		t.Fatalf("y: id %d added %v; taken for x", id, added)
	}
}

// A workspace's texts come back with sparse ids through many growths and
// are found again without new ids.
func TestTextTablePutThroughGrowth(t *testing.T) {
	tab := newTextTable()
	for i := range 5000 {
		tab.put(fmt.Appendf(nil, "t%d", i), uint32(2*i+1))
	}
	next := uint32(10_001)
	for i := range 5000 {
		if id, added := tab.intern(fmt.Appendf(nil, "t%d", i), &next); id != uint32(2*i+1) || added {
			t.Fatalf("t%d: id %d added %v", i, id, added)
		}
	}
	if next != 10_001 {
		t.Fatalf("next moved to %d", next)
	}
}
