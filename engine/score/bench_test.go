package score

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/ingest"
)

// benchLines is the benchmark workspace's size: LONGTAIL_BENCH_LINES, or
// two million events (the budget is for 20M events and 200k names).
func benchLines(b *testing.B) int64 {
	v := os.Getenv("LONGTAIL_BENCH_LINES")
	if v == "" {
		return 2_000_000
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		b.Fatalf("LONGTAIL_BENCH_LINES=%q", v)
	}
	return n
}

// benchWorkspace returns a private copy of a generated and ingested
// workspace (Zeek format, with clients). Building one takes minutes at
// 20M events, so the ingested base is kept in the temporary directory and
// reused by later runs; truth.json, written last, marks it complete.
func benchWorkspace(b *testing.B, lines int64) (*db.DB, gen.Truth) {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("longtail-score-bench-zeek-%d", lines))
	truth, err := ensureBase(dir, lines)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "ws.db")
	copyFile(b, filepath.Join(dir, "base.db"), path)
	d, err := db.Open(path, db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d, truth
}

func ensureBase(dir string, lines int64) (gen.Truth, error) {
	var truth gen.Truth
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return truth, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return truth, err
	}
	defer lock.Close()
	// Benchmarks of several packages may run side by side: one builds.
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return truth, err
	}
	tf := filepath.Join(dir, "truth.json")
	if b, err := os.ReadFile(tf); err == nil {
		return truth, json.Unmarshal(b, &truth)
	}
	log := filepath.Join(dir, "dns.log")
	f, err := os.Create(log)
	if err != nil {
		return truth, err
	}
	truth, err = gen.Write(f, gen.Options{Lines: lines, Seed: 7, Format: "zeek"})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return truth, err
	}
	defer os.Remove(log)
	base := filepath.Join(dir, "base.db")
	os.Remove(base)
	d, err := db.Open(base, db.Options{})
	if err != nil {
		return truth, err
	}
	if _, err := ingest.Run(context.Background(), d, []string{log}, ingest.Options{}); err != nil {
		d.Close()
		return truth, err
	}
	if err := d.Close(); err != nil {
		return truth, err
	}
	js, err := json.Marshal(truth)
	if err != nil {
		return truth, err
	}
	return truth, os.WriteFile(tf, js, 0o644)
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
	d, truth := benchWorkspace(b, benchLines(b))
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
