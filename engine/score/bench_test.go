package score

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/internal/testws"
)

// benchWorkspace returns a private copy of the benchmark workspace
// (LONGTAIL_BENCH_LINES events, 2M by default): Run writes its scores into
// it, and the cached one is shared.
func benchWorkspace(b *testing.B) (*db.DB, gen.Truth) {
	b.Helper()
	base, truth := testws.Ensure(b, testws.BenchLines(b))
	path := filepath.Join(b.TempDir(), "ws.db")
	copyFile(b, base, path)
	d, err := db.Open(path, db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d, truth
}

// cpuTime is the process's user and system CPU time: the machine is
// shared, so wall time alone says little.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScore scores a generated workspace (LONGTAIL_BENCH_LINES
// events, 2M by default) and stores the scores: Run as the TUI and the CLI
// call it. It reports the CPU time (user+sys) of a run besides its wall
// time, and the precision at 10 of the result.
func BenchmarkScore(b *testing.B) {
	d, truth := benchWorkspace(b)
	st, err := d.Stats(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(context.Background(), d); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e9, "cpu-s/op")
	b.ReportMetric(float64(st.Events), "events")
	b.ReportMetric(float64(st.Names), "names")
	b.ReportMetric(genTop(b, d, truth), "P@10")
}
