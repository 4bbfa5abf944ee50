package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
)

// benchLines is the size of a benchmark's generated log:
// LONGTAIL_BENCH_LINES, 1M when unset.
func benchLines() int64 {
	if n, err := strconv.ParseInt(os.Getenv("LONGTAIL_BENCH_LINES"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkFollowWithScreen: the events/s `longtail --follow` stores with
// the review screen open (the real binary in tmux at 120×40: it polls the
// workspace every second, reloads the list, keeps the scores up), while a
// generated log is written at full speed (copied in 1 MiB writes); in the
// same run, headless-events/s is `longtail follow` on the same log and
// ingest-events/s a plain ingest of it, for the ratios.
func BenchmarkFollowWithScreen(b *testing.B) {
	tm := newTmux(b)
	bin := buildBinary(b)
	lines := benchLines()
	src := filepath.Join(b.TempDir(), "src.csv")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	gen := exec.Command(bin, "gen", "dns", "--lines", strconv.FormatInt(lines, 10), "--format", "csv", "--seed", "5")
	gen.Stdout = f
	if err := gen.Run(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	var screen, headless, plain time.Duration
	b.ResetTimer()
	for range b.N {
		screen += followed(b, src, lines, func(ws, live string) func() {
			tm.start(120, 40, bin, "--db", ws, "--follow", live)
			return func() { tm.keys("q"); tm.waitGone() }
		})
		headless += followed(b, src, lines, func(ws, live string) func() {
			cmd := exec.Command(bin, "--db", ws, "follow", live)
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			return func() { cmd.Process.Signal(syscall.SIGINT); waitExit(b, cmd, time.Minute) }
		})
		ws := filepath.Join(b.TempDir(), "plain.db")
		start := time.Now()
		if _, errOut, err := runBin(b, bin, "--db", ws, "ingest", "--no-score", src); err != nil {
			b.Fatalf("ingest: %v %s", err, errOut)
		}
		plain += time.Since(start)
	}
	b.StopTimer()
	rate := func(d time.Duration) float64 { return float64(lines) * float64(b.N) / d.Seconds() }
	b.ReportMetric(rate(screen), "events/s")
	b.ReportMetric(rate(headless), "headless-events/s")
	b.ReportMetric(rate(plain), "ingest-events/s")
}

// followed starts a follower of an empty log in a new workspace, writes
// src into the log at full speed and returns the time from the first write
// until the workspace counts lines events; then it stops the follower.
func followed(b *testing.B, src string, lines int64, start func(ws, live string) (stop func())) time.Duration {
	b.Helper()
	dir := b.TempDir()
	ws, live := filepath.Join(dir, "ws.db"), filepath.Join(dir, "live.csv")
	if err := os.WriteFile(live, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	stop := start(ws, live)
	defer stop()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(ws); err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the follower did not make its workspace")
		}
	}
	d, err := db.Open(ws, db.Options{Access: db.ReadOnly})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	began := time.Now()
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(live, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyBuffer(out, in, make([]byte, 1<<20)); err != nil {
		b.Fatal(err)
	}
	out.Close()
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if st, err := d.Stats(context.Background()); err == nil && st.Events >= lines {
			return time.Since(began)
		}
		if time.Now().After(deadline) {
			b.Fatal("the follower did not store the log")
		}
	}
}
