package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/longtail/longtail/engine/gen"
)

// secondDay times the ingest of another day's log (seed 2) into the
// workspace of the first: the analyst's cron job, every day.
func secondDay(bin, dir, ws string, lines int64, first time.Duration) error {
	logPath := filepath.Join(dir, fmt.Sprintf("dns-%d-day2.csv", lines))
	if err := generateSeed(logPath, lines, 2); err != nil {
		return err
	}
	wall, rss, err := timed(bin, "--db", ws, "ingest", "--no-score", logPath)
	if err != nil {
		return fmt.Errorf("second day: %w", err)
	}
	fmt.Printf("\nsecond day (another %d lines, seed 2, into the same workspace)\n", lines)
	fmt.Printf("  wall            %8.2f s (%.2f× the first day)\n", wall.Seconds(), wall.Seconds()/first.Seconds())
	fmt.Printf("  peak RSS        %8.0f MB\n", float64(rss)/1e6)
	meet("second day ÷ first load", ratio(wall.Seconds()/first.Seconds()), "≤ 1.3×", wall.Seconds() <= 1.3*first.Seconds())
	return nil
}

// smallLoad times the ingest of the first tenth of the log (2M of 20M
// lines) into a new workspace: what fixed costs weigh on the small and
// medium files most analysts have.
func smallLoad(bin, dir, logPath string, lines int64, first time.Duration) error {
	n := max(lines/10, 1)
	small := filepath.Join(dir, fmt.Sprintf("dns-%d-first-%d.csv", lines, n))
	err := writeLog(small, func(w io.Writer) error { return copyLines(w, logPath, n) })
	if err != nil {
		return err
	}
	wall, rss, err := freshIngest(bin, filepath.Join(dir, "bench-small.db"), small)
	if err != nil {
		return fmt.Errorf("the first %d lines: %w", n, err)
	}
	fmt.Printf("\nthe first %d lines (a tenth of the log, into a new workspace)\n", n)
	fmt.Printf("  wall            %8.2f s\n", wall.Seconds())
	fmt.Printf("  peak RSS        %8.0f MB\n", float64(rss)/1e6)
	meet("a tenth of the lines ÷ all of them", ratio(wall.Seconds()/first.Seconds()), "≤ 0.15×", wall.Seconds() <= 0.15*first.Seconds())
	return nil
}

// writeDNS writes a generated DNS log of seed 1 in format, unless an
// earlier run did.
func writeDNS(path string, lines int64, format string) error {
	return writeLog(path, func(w io.Writer) error {
		_, err := gen.Write(w, gen.Options{Lines: lines, Seed: 1, Format: format})
		return err
	})
}

// freshIngest ingests logPath (--no-score) into a new workspace ws and
// returns the binary's wall time and peak RSS.
func freshIngest(bin, ws, logPath string) (time.Duration, int64, error) {
	removeWorkspace(ws)
	return timed(bin, "--db", ws, "ingest", "--no-score", logPath)
}

// copyLines copies the first n lines of path to w.
func copyLines(w io.Writer, path string, n int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	for ; n > 0; n-- {
		line, err := r.ReadSlice('\n')
		if _, werr := w.Write(line); werr != nil {
			return werr
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// clients times the ingest of a Zeek dns.log of half the lines: the CSV
// names no clients, so the CSV case never pays for the (name, client)
// aggregates every resolver log with clients and every capture pays for.
// Half, because a Zeek line is nearly 3 times a CSV line (167 bytes to
// 59): half the lines are 1.4 times the CSV's bytes, and the run's length
// stays in bounds.
func clients(bin, dir string, lines int64, csvRate float64) error {
	n := max(lines/2, 1)
	logPath := filepath.Join(dir, fmt.Sprintf("dns-%d.zeek.log", n))
	if err := writeDNS(logPath, n, "zeek"); err != nil {
		return err
	}
	wall, rss, err := freshIngest(bin, filepath.Join(dir, "bench-zeek.db"), logPath)
	if err != nil {
		return fmt.Errorf("zeek ingest: %w", err)
	}
	rate := float64(n) / wall.Seconds()
	fmt.Printf("\nclients (%d lines of `longtail gen dns --format zeek`, %.2f GB: the same traffic with its clients)\n", n, float64(fileSize(logPath))/1e9)
	fmt.Printf("  wall            %8.2f s\n", wall.Seconds())
	fmt.Printf("  events/s        %8.0f (%.2f× the CSV's of this run)\n", rate, rate/csvRate)
	fmt.Printf("  peak RSS        %8.0f MB\n", float64(rss)/1e6)
	meet("first load with clients, peak RSS", mb(rss), "≤ 400 MB", rss <= 400e6)
	return nil
}
