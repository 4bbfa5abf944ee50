package score

import (
	"testing"

	"github.com/longtail/longtail/db"
)

// A candidate pair is found by its name and client, as the map of packed
// pairs found it: the last of a pair given twice, none for a client the
// name was not asked by or a name not scored.
func TestPairIndexFindsEachPair(t *testing.T) {
	s := NewScorer(Inputs{
		Names: []db.NameRow{{ID: 7, Name: "a.example"}, {ID: 3, Name: "b.example"}, {ID: 9, Name: "c.example"}},
		Pairs: []uint64{7<<32 | 5, 3<<32 | 0, 7<<32 | 2, 4<<32 | 1, 7<<32 | 9, 7<<32 | 2, 3<<32 | 8},
	})
	want := map[uint64]int{7<<32 | 5: 0, 3<<32 | 0: 1, 7<<32 | 2: 5, 7<<32 | 9: 4, 3<<32 | 8: 6,
		7<<32 | 3: -1, 9<<32 | 0: -1, 3<<32 | 5: -1, 7<<32 | 10: -1}
	for p, at := range want {
		k := s.nameIndex(uint32(p >> 32))
		if got := s.pairs.find(k, uint32(p)); got != at {
			t.Errorf("pair %d/%d: %d, want %d", p>>32, uint32(p), got, at)
		}
	}
	if !s.names[0].hasPairs || !s.names[1].hasPairs || s.names[2].hasPairs {
		t.Errorf("names with pairs: %v %v %v, want the first two", s.names[0].hasPairs, s.names[1].hasPairs, s.names[2].hasPairs)
	}
}
