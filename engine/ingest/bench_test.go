package ingest

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
)

// benchLines can be raised for the make bench run: LONGTAIL_BENCH_LINES.
func benchLines() int64 {
	if n, err := strconv.ParseInt(os.Getenv("LONGTAIL_BENCH_LINES"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

func writeGen(b *testing.B, dir, format string, lines int64) string {
	b.Helper()
	path := filepath.Join(dir, "gen."+format)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := gen.Write(w, gen.Options{Lines: lines, Seed: 1, Format: format}); err != nil {
		b.Fatal(err)
	}
	w.Flush()
	f.Close()
	return path
}

func BenchmarkIngestCSV(b *testing.B) {
	dir := b.TempDir()
	benchIngest(b, dir, writeGen(b, dir, "csv", benchLines()), benchLines())
}

// BenchmarkIngestHTTP ingests an access log of `longtail gen http`: each
// request stored once per subject. Against BenchmarkIngestCSV in the same
// run, it says what the kinds model costs a request next to a DNS query.
func BenchmarkIngestHTTP(b *testing.B) {
	dir := b.TempDir()
	lines := benchLines()
	path := filepath.Join(dir, "gen.http")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := gen.WriteHTTP(w, gen.Options{Lines: lines, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	w.Flush()
	f.Close()
	benchIngest(b, dir, path, lines)
}

func benchIngest(b *testing.B, dir, path string, lines int64) {
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ws := filepath.Join(dir, "ws"+strconv.Itoa(i)+".db")
		d, err := db.Open(ws, db.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		reps, err := Run(context.Background(), d, []string{path}, Options{})
		if err != nil || len(reps) != 1 || reps[0].Events != lines {
			b.Fatalf("ingest: %v %+v", err, reps)
		}
		b.StopTimer()
		d.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
