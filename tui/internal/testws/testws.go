// Package testws builds workspaces for the TUI's tests and benchmarks the
// honest way: a log written by engine/gen (Zeek format) and read by
// engine/ingest. Building a large one takes a while, so each size is built
// once and kept in Dir(lines), shared by every test binary.
package testws

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/ingest"
)

// Dir is where the workspace of that many lines lives. Its log was read as
// Dir/dns.log, the path the workspace's sources show.
func Dir(lines int64) string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("longtail-testws-zeek-%d", lines))
}

// Open returns a workspace holding lines generated events (seed 1, a
// week) and what gen planted in it. The workspace is shared: tests must not
// change it.
func Open(tb testing.TB, lines int64) (*db.DB, gen.Truth) {
	tb.Helper()
	dir := Dir(lines)
	truth, err := ensure(dir, lines)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := db.Open(filepath.Join(dir, "ws.db"), db.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d, truth
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
