package score

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/ingest"
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

// BenchmarkScoreHTTP scores a synthetic web log of LONGTAIL_BENCH_HTTP
// requests (200k by default, each stored once per subject), built by the
// benchmark: what the HTTP signals cost, per request, beside the DNS
// run's cost per event above.
func BenchmarkScoreHTTP(b *testing.B) {
	n := 200_000
	if v := os.Getenv("LONGTAIL_BENCH_HTTP"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("LONGTAIL_BENCH_HTTP=%q", v)
		}
	}
	w := newWebWorkspace(b)
	webTraffic(w, n)
	w.load()
	cpu := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(context.Background(), w.d); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e9, "cpu-s/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/request")
}

// webTraffic adds n requests of a busy site: clients, paths, user agents
// and hosts by Zipf's law, a third of the requests with a query string
// (so most details are distinct), and a scanner.
func webTraffic(w *webWorkspace, n int) {
	rng := rand.New(rand.NewPCG(21, 22))
	path := rand.NewZipf(rng, 1.1, 1, 20_000)
	client := rand.NewZipf(rng, 1.05, 1, 5_000)
	agent := rand.NewZipf(rng, 1.3, 1, 500)
	host := rand.NewZipf(rng, 1.5, 1, 100)
	step := 7 * day / int64(n)
	for i := range n {
		target := fmt.Sprintf("/p/%d/item.html", path.Uint64())
		if rng.IntN(3) == 0 {
			target += fmt.Sprintf("?id=%d&ref=%x", rng.IntN(1_000_000), rng.Uint32())
		}
		status := int16(200)
		if rng.IntN(20) == 0 {
			status = 404
		}
		c := client.Uint64()
		w.request(start+int64(i)*step, fmt.Sprintf("10.%d.%d.%d", c>>16, c>>8&255, c&255), "GET",
			fmt.Sprintf("www%d.site.example", host.Uint64()), target, status,
			fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/%d.0 Safari/537.36", agent.Uint64()))
	}
	for i := range 2000 {
		w.request(start+3*day+int64(i)*1_000_000, scanner, "GET", "www0.site.example", fmt.Sprintf("/probe%04d/", i), 404, "curl/8.4.0")
	}
}

// BenchmarkIncremental times an incremental pass (a Keeper's) after
// 10,000 more lines (the generator's next seed) came into the benchmark
// workspace, or into a copy of the workspace LONGTAIL_BENCH_DB names,
// and reports the whole scoring before them beside it.
func BenchmarkIncremental(b *testing.B) {
	var d *db.DB
	if p := os.Getenv("LONGTAIL_BENCH_DB"); p != "" {
		path := filepath.Join(b.TempDir(), "ws.db")
		copyFile(b, p, path)
		var err error
		if d, err = db.Open(path, db.Options{}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close() })
	} else {
		d, _ = benchWorkspace(b)
	}
	ctx := context.Background()
	start, cpu := time.Now(), cpuTime()
	_, base, err := runWhole(ctx, d, d.NewScoreWriter)
	if err != nil {
		b.Fatal(err)
	}
	whole, wholeCPU := time.Since(start), cpuTime()-cpu
	log := filepath.Join(b.TempDir(), "more.csv")
	f, err := os.Create(log)
	if err != nil {
		b.Fatal(err)
	}
	_, err = gen.Write(f, gen.Options{Lines: 10_000, Seed: 2, Format: "csv"})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ingest.Run(ctx, d, []string{log}, ingest.Options{}); err != nil {
		b.Fatal(err)
	}
	var sum Summary
	cpu = cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if sum, _, err = increment(ctx, d, base); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(whole.Seconds(), "whole-s")
	b.ReportMetric(wholeCPU.Seconds(), "whole-cpu-s")
	b.ReportMetric(float64(sum.Names), "names")
	b.ReportMetric(float64(sum.Domains), "domains")
	b.ReportMetric(float64(sum.Waiting), "waiting")
}
