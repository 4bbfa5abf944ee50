package ingest

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

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
	path := writeLog(b, filepath.Join(dir, "gen.http"), func(w io.Writer) error {
		_, err := gen.WriteHTTP(w, gen.Options{Lines: lines, Seed: 1})
		return err
	})
	benchIngest(b, dir, path, lines)
}

// BenchmarkIngestLogon ingests a Security log of `longtail gen logon`
// (JSON lines, windows-json): each logon stored once per subject it has
// (account, source, pair, target, type, authentication, result). Its
// logoffs are passed over, so it reports events/s of the logons stored.
func BenchmarkIngestLogon(b *testing.B) {
	dir := b.TempDir()
	lines := benchLines()
	path := writeLog(b, filepath.Join(dir, "gen.json"), func(w io.Writer) error {
		_, err := gen.WriteLogon(w, gen.Options{Lines: lines, Seed: 1})
		return err
	})
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	benchIngest(b, dir, path, lines-int64(bytes.Count(data, []byte(`"EventID":4634,`))))
}

// writeLog writes a generated log to path.
func writeLog(b *testing.B, path string, write func(w io.Writer) error) string {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

// benchIngest ingests path b.N times, each into a new workspace, and
// reports the events stored a second; events is how many the log holds.
func benchIngest(b *testing.B, dir, path string, events int64) {
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
		if err != nil || len(reps) != 1 || reps[0].Events != events {
			b.Fatalf("ingest: %v %+v", err, reps)
		}
		b.StopTimer()
		d.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkFollow follows a CSV log that the generator writes at full
// speed, from an empty file: events/s is the sustained rate from the first
// line written to the last one stored. ingest-events/s is a plain ingest of
// the same final file in the same run, for comparison. Each cycle of a
// follow reads the workspace's dictionaries and writes its aggregates:
// the difference is what that costs.
func BenchmarkFollow(b *testing.B) {
	lines := benchLines()
	dir := b.TempDir()
	var follow, plain time.Duration
	for i := 0; i < b.N; i++ {
		live := filepath.Join(dir, "live"+strconv.Itoa(i)+".csv")
		f, err := os.Create(live)
		if err != nil {
			b.Fatal(err)
		}
		d, err := db.Open(filepath.Join(dir, "follow"+strconv.Itoa(i)+".db"), db.Options{})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- Follow(ctx, d, []string{live}, FollowOptions{}) }()
		start := time.Now()
		w := bufio.NewWriterSize(f, 1<<16)
		if _, err := gen.Write(w, gen.Options{Lines: lines, Seed: 1, Format: "csv"}); err != nil {
			b.Fatal(err)
		}
		w.Flush()
		f.Close()
		for stored(b, d) < lines {
			time.Sleep(10 * time.Millisecond)
		}
		follow += time.Since(start)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		d.Close()

		d, err = db.Open(filepath.Join(dir, "ingest"+strconv.Itoa(i)+".db"), db.Options{})
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if _, err := Run(context.Background(), d, []string{live}, Options{}); err != nil {
			b.Fatal(err)
		}
		plain += time.Since(start)
		d.Close()
	}
	b.ReportMetric(float64(lines)*float64(b.N)/follow.Seconds(), "events/s")
	b.ReportMetric(float64(lines)*float64(b.N)/plain.Seconds(), "ingest-events/s")
}

// stored is how many events the workspace's totals count.
func stored(b *testing.B, d *db.DB) int64 {
	st, err := d.Stats(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return st.Events
}

// BenchmarkFollowLatency is the time from a line appended to a followed
// log to its event counted in the workspace's totals (what the review
// screen shows), on a workspace that already holds benchLines events, the
// log growing by 1,000 lines at a time. fresh-ms is the same 1,000 lines
// ingested into an empty workspace in the same run: the fixed cost of a
// read, for comparison. The difference is what the size of the workspace
// costs each read.
func BenchmarkFollowLatency(b *testing.B) {
	const step = 1000
	dir := b.TempDir()
	d, err := db.Open(filepath.Join(dir, "big.db"), db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := Run(context.Background(), d, []string{writeGen(b, dir, "csv", benchLines())}, Options{}); err != nil {
		b.Fatal(err)
	}
	var more bytes.Buffer
	if _, err := gen.Write(&more, gen.Options{Lines: int64(step * (b.N + 1)), Seed: 2, Format: "csv"}); err != nil {
		b.Fatal(err)
	}
	lines := bytes.SplitAfter(more.Bytes(), []byte("\n"))
	live := filepath.Join(dir, "live.csv")
	if err := os.WriteFile(live, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.OpenFile(live, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, d, []string{live}, FollowOptions{Poll: 20 * time.Millisecond}) }()
	want := stored(b, d)
	var latency time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := f.Write(bytes.Join(lines[i*step:(i+1)*step], nil)); err != nil {
			b.Fatal(err)
		}
		for want += step; stored(b, d) < want; {
			time.Sleep(5 * time.Millisecond)
		}
		latency += time.Since(start)
	}
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	fresh := freshIngest(b, dir, lines[:step])
	b.ReportMetric(float64(latency.Milliseconds())/float64(b.N), "ms/read")
	b.ReportMetric(float64(fresh.Milliseconds()), "fresh-ms")
}

// freshIngest is the time lines take to ingest into an empty workspace.
func freshIngest(b *testing.B, dir string, lines [][]byte) time.Duration {
	path := filepath.Join(dir, "fresh.csv")
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o644); err != nil {
		b.Fatal(err)
	}
	d, err := db.Open(filepath.Join(dir, "fresh.db"), db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	start := time.Now()
	if _, err := Run(context.Background(), d, []string{path}, Options{}); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}
