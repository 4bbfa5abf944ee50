package db

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// A hit in a table of 700k texts (the answers of the 20M-line benchmark),
// looked up in random order: most hits miss the cache, as in an ingest.
func BenchmarkTextTableHit(b *testing.B) {
	const n = 700_000
	keys := make([][]byte, n)
	tab := newTextTable()
	next := uint32(1)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "host%d.example%d.com", i, i%97)
		tab.intern(keys[i], &next)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	order := make([]int32, 1<<20)
	for i := range order {
		order[i] = int32(rng.IntN(n))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tab.intern(keys[order[i&(len(order)-1)]], &next)
	}
}
