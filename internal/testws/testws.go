// Package testws is test workspaces generated with engine/gen and ingested
// with engine/ingest, cached per size: a Zeek log written by gen and read the
// honest way. Building a large one takes minutes, so each size is built once
// and kept in Dir(lines), shared by every test binary and benchmark, until
// the generator or the schema changes.
package testws

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/ingest"
)

// version names what a cached workspace was built by; bump it whenever
// engine/gen, engine/ingest or the options below change what gets built, so
// that a workspace from an older build is never reused.
const version = 1

// Dir is where the workspace of that many lines lives. Its log was read as
// Dir/dns.log, the path the workspace's sources show.
func Dir(lines int64) string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("longtail-testws-v%d-schema%d-zeek-%d", version, db.SchemaVersion, lines))
}

// Ensure builds the workspace of lines generated events (seed 1, a week)
// unless it is there, and returns the path of its database and what gen
// planted in it. The file is shared: a test that writes must copy it.
func Ensure(tb testing.TB, lines int64) (string, gen.Truth) {
	tb.Helper()
	dir := Dir(lines)
	truth, err := ensure(dir, lines)
	if err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(dir, "ws.db"), truth
}

// Open returns the workspace of lines generated events and what gen
// planted in it. The workspace is shared: tests must not change it.
func Open(tb testing.TB, lines int64) (*db.DB, gen.Truth) {
	tb.Helper()
	path, truth := Ensure(tb, lines)
	d, err := db.Open(path, db.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d, truth
}

// BenchLines is the size of the benchmarks' workspace: LONGTAIL_BENCH_LINES
// or two million events (the budgets are for 20M; build that with
// LONGTAIL_BENCH_LINES=20000000 when there is time).
func BenchLines(tb testing.TB) int64 {
	v := os.Getenv("LONGTAIL_BENCH_LINES")
	if v == "" {
		return 2_000_000
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		tb.Fatalf("LONGTAIL_BENCH_LINES=%q", v)
	}
	return n
}

// Copy is a private, writable copy of the shared workspace of lines
// events, for a test or benchmark that changes it. It returns its path.
func Copy(tb testing.TB, lines int64) string {
	tb.Helper()
	src, _ := Ensure(tb, lines)
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "ws.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// OpenBench is Open at BenchLines.
func OpenBench(b *testing.B) (*db.DB, gen.Truth) {
	b.Helper()
	return Open(b, BenchLines(b))
}

// ensure builds the workspace unless a complete one is there. A lock keeps
// test binaries running side by side from building it twice; the truth file,
// written last, marks it complete, so an interrupted build is redone.
func ensure(dir string, lines int64) (gen.Truth, error) {
	var truth gen.Truth
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return truth, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return truth, err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return truth, err
	}
	truthPath := filepath.Join(dir, "truth.json")
	if raw, err := os.ReadFile(truthPath); err == nil && json.Unmarshal(raw, &truth) == nil {
		return truth, nil
	}
	for _, f := range []string{"ws.db", "ws.db-wal", "ws.db-shm"} {
		os.Remove(filepath.Join(dir, f))
	}
	logPath := filepath.Join(dir, "dns.log")
	defer os.Remove(logPath) // the events are in the workspace now
	f, err := os.Create(logPath)
	if err != nil {
		return truth, err
	}
	truth, err = gen.Write(f, gen.Options{Lines: lines, Seed: 1, Format: "zeek"})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return truth, err
	}
	if err := Ingest(filepath.Join(dir, "ws.db"), logPath); err != nil {
		return truth, err
	}
	raw, err := json.Marshal(truth)
	if err != nil {
		return truth, err
	}
	return truth, os.WriteFile(truthPath, raw, 0o644)
}

// Ingest reads logs into the workspace at path, failing on any file that
// could not be read.
func Ingest(path string, logs ...string) error {
	d, err := db.Open(path, db.Options{})
	if err != nil {
		return err
	}
	reports, err := ingest.Run(context.Background(), d, logs, ingest.Options{})
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for _, r := range reports {
		if r.Err != nil {
			return fmt.Errorf("%s: %w", r.Path, r.Err)
		}
	}
	return nil
}

// Count is a name and how many times a log asks for it.
type Count struct {
	Name string
	N    int
}

// Counts opens a new workspace holding an OpenDNS CSV log with the given
// counts (the names asked in that order, one hour of the day each), so a
// test's expected figures are its own.
func Counts(tb testing.TB, counts ...Count) *db.DB {
	tb.Helper()
	var b bytes.Buffer
	for i, c := range counts {
		for j := range c.N {
			fmt.Fprintf(&b, "03/20/2024 %02d:%02d:%02d,%s,A,300,192.0.2.1\n", i%24, j/60, j%60, c.Name)
		}
	}
	return Text(tb, b.String())
}

// Text opens a new workspace holding a log of the given text (any format
// the ingest tells by content; none when text is empty).
func Text(tb testing.TB, text string) *db.DB {
	tb.Helper()
	dir := tb.TempDir()
	d, err := db.Open(filepath.Join(dir, "ws.db"), db.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	if text == "" {
		return d
	}
	log := filepath.Join(dir, "log.csv")
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	if _, err := ingest.Run(context.Background(), d, []string{log}, ingest.Options{}); err != nil {
		tb.Fatal(err)
	}
	return d
}
