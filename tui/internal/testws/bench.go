package testws

import (
	"os"
	"strconv"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
)

// BenchLines is the size of the benchmarks' workspace: LONGTAIL_BENCH_LINES
// or two million events (the budgets are for 20M; build that with
// LONGTAIL_BENCH_LINES=20000000 when there is time).
func BenchLines() int64 {
	if n, err := strconv.ParseInt(os.Getenv("LONGTAIL_BENCH_LINES"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 2_000_000
}

// OpenBench is Open at BenchLines, reporting the size with the results.
func OpenBench(b *testing.B) (*db.DB, gen.Truth) {
	b.Helper()
	d, truth := Open(b, BenchLines())
	return d, truth
}
