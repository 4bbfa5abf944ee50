package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/textsafe"
)

func init() {
	commands["ingest"] = command{run: cmdIngest}
}

// An ingest's soft memory limit starts at ingestMemoryLimit and is
// raised (holdLimit) above a live heap that outgrows it, up to
// ingestMemoryCeiling, and past it only as far as the live heap needs: a
// 20M-line DNS log holds about 170 MB at its peak (two batches and the
// dictionaries), and the collector, left alone, lets the heap grow to
// twice that between collections; a log with clients holds their pairs
// too (380 MB at 10M Zeek lines), and a limit at the live heap made the
// collector run all the time.
const (
	ingestMemoryLimit   = 280 << 20
	ingestMemoryCeiling = 340 << 20
)

func cmdIngest(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	force := fs.Bool("force", false, "re-read files that were ingested before")
	batch := fs.Int("batch", 0, "events per committed `batch` (by default sized to the input, at most "+strconv.Itoa(ingest.DefaultBatch)+"; smaller: less memory and less lost on a kill)")
	noScore := fs.Bool("no-score", false, "do not score the workspace after the ingest (longtail score does it later)")
	year := yearFlag(fs)
	formatFileFlag(fs, e)
	files, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("ingest: name at least one file (or - for standard input)")
	}
	if stop, err := refuseUnreadable(e, files); stop {
		return err
	}
	d, err := e.open(false)
	if err != nil {
		return err
	}
	defer d.Close()
	return ingestAndScore(ctx, e, d, files, ingest.Options{Force: *force, BatchSize: *batch, Year: *year}, !*noScore)
}

// refuseUnreadable stops a first ingest none of whose files can give
// events (a mistyped path, notes) before it makes the workspace: it prints
// what the ingest would have (ingest.Unreadable) and returns its error,
// exit status 2 when some file failed. Into a workspace that exists, the
// ingest runs and says the same.
func refuseUnreadable(e *env, files []string) (stop bool, err error) {
	if _, err := os.Stat(e.dbPath); !errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	formats, err := e.useFormats()
	if err != nil {
		return true, err
	}
	reps := ingest.Unreadable(files)
	formats.Release()
	if reps == nil {
		return false, nil
	}
	for _, r := range reps {
		fmt.Fprintln(e.stderr, textsafe.String(r.Describe()))
		if !r.Usable() {
			err = exitError(2)
		}
	}
	if ingest.NoLogs(reps) {
		fmt.Fprintln(e.stderr, noLogs)
		err = exitError(2)
	}
	fmt.Fprintf(e.stderr, "longtail: nothing to store: no workspace was made at %s\n", textsafe.String(e.dbPath))
	return true, err
}

// yearFlag is --year, for the logs whose time stamps have no year: one of
// four digits (--year 19 dated events in the year 19).
func yearFlag(fs *flag.FlagSet) *int {
	year := new(int)
	fs.Func("year", "the `year` of the first line of logs whose stamps have none (syslog: auth.log, dnsmasq, BIND); "+
		"by default the one that puts it before the file's modification time", func(s string) error {
		y, err := strconv.Atoi(s)
		if err != nil || y < parse.MinYear || y > parse.MaxYear {
			return fmt.Errorf("%q: a year of four digits, %d or later (2024)", s, parse.MinYear)
		}
		*year = y
		return nil
	})
	return year
}

// ingestAndScore ingests the files and, when score is set, scores the
// workspace: also when some file gave nothing usable, because the others
// were loaded. That file's exitError comes back after the scoring. A
// workspace that holds nothing (a first run whose every file was unusable)
// is not scored: "scored 0 names" under the failure said nothing; nor
// one to which nothing was added and whose scores are up to date.
func ingestAndScore(ctx context.Context, e *env, d *db.DB, files []string, opt ingest.Options, score bool) error {
	stored, err := ingestFiles(ctx, e, d, files, opt)
	var unusable exitError
	if err != nil && !errors.As(err, &unusable) {
		return err
	}
	if !score {
		return err
	}
	if ctx.Err() != nil {
		if err == nil { // stopped after the last file was read
			err = fmt.Errorf("the ingest is complete, not scored: longtail score scores it (%w)", ctx.Err())
		}
		return err
	}
	if stored == 0 {
		// Nothing new (every file unchanged): the scores stand, unless
		// they were out of date already (an ingest --no-score before).
		if why, serr := scoresStale(ctx, d); serr == nil && why == "" {
			return err
		}
		if st, serr := d.Stats(ctx); serr == nil && st.Events == 0 {
			return err
		}
	}
	if serr := scoreAfterIngest(ctx, e, d); serr != nil {
		return serr
	}
	return err
}

// scoreAfterIngest keeps the scores up to date with what was just loaded.
func scoreAfterIngest(ctx context.Context, e *env, d *db.DB) error {
	stop := startStatus(e.stderr, func(elapsed time.Duration) string {
		return "scoring every name and domain  " + elapsed.Round(time.Second).String()
	})
	sum, err := scoreWorkspace(ctx, d)
	stop()
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("the ingest is complete, its scoring stopped: longtail score scores it (%w)", ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("scoring: %w", err)
	}
	fmt.Fprintln(e.stderr, sum.String()+"; longtail score shows them")
	return nil
}

// ingestFiles runs the ingest with a progress line when stderr is a
// terminal, prints one report line per file (with the first skipped lines)
// and fails when some file yielded nothing usable. It returns how many
// events were stored.
func ingestFiles(ctx context.Context, e *env, d *db.DB, files []string, opt ingest.Options) (stored int64, err error) {
	// The ingest holds two batches, the dictionaries and the run's
	// aggregates; a soft limit makes the collector work harder rather than
	// let the heap double between collections on a small sensor.
	formats, err := e.useFormats()
	if err != nil {
		return 0, err
	}
	defer formats.Release()
	defer holdLimit(ingestMemoryLimit, ingestMemoryCeiling)()
	opt.Progress = &ingest.Counters{}
	stopProgress := startStatus(e.stderr, ingestProgress(opt.Progress))
	start := time.Now()
	reports, err := runWaiting(ctx, e, d, files, opt, &start)
	stopProgress()
	elapsed := time.Since(start)
	bad, empty := 0, 0
	var events int64
	for _, r := range reports {
		fmt.Fprintln(e.stderr, textsafe.String(r.Describe()))
		f, _ := parse.ByName(r.Format)
		for _, s := range r.Skips {
			fmt.Fprintf(e.stderr, "  skipped %s %d (byte %d): %s\n", f.Unit(), s.Line, s.Offset, textsafe.String(s.Reason))
		}
		if r.Skipped > int64(len(r.Skips)) {
			fmt.Fprintf(e.stderr, "  … and %d more skipped\n", r.Skipped-int64(len(r.Skips)))
		}
		if r.Stream && r.Events > 0 {
			fmt.Fprintln(e.stderr, streamNote)
		}
		if r.Unended {
			fmt.Fprintln(e.stderr, "  its last line has no end yet and was written seconds ago: the next ingest reads it once it is whole")
		}
		if !r.Usable() {
			bad++
		}
		if r.Status == ingest.Ingested && r.Events == 0 {
			empty++
		}
		events += r.Events
	}
	if events == 0 && empty > 0 && err == nil && bad == 0 {
		// A folder's logs each gave nothing (Report.InDir), and so did
		// the whole run: a format that changed, a wrong --year, lines
		// all skipped. Cron is told.
		fmt.Fprintln(e.stderr, "longtail: none of the logs gave any events")
		bad++
	}
	if ingest.NoLogs(reports) {
		fmt.Fprintln(e.stderr, noLogs)
		bad++
	}
	if len(reports) > 1 || elapsed > 2*time.Second {
		fmt.Fprintf(e.stderr, "%d events in %.1fs (%.0f events/s)\n", events, elapsed.Seconds(), float64(events)/max(elapsed.Seconds(), 1e-9))
	}
	if err != nil {
		return events, err
	}
	if bad > 0 {
		return events, exitError(2)
	}
	return events, nil
}

// noLogs follows the reports of files that were all passed over.
const noLogs = "longtail: none of the files is a log longtail reads (longtail formats lists those it does)"

// streamNote follows the report of standard input, a FIFO or a device. A
// file is recognised by its path and first bytes and read again only from
// where it ended; a stream has neither and cannot be read twice, so
// recognising a repeat would mean holding all of it before storing any
// (or storing, then removing it again): not done. The user is told.
const streamNote = "  read as a stream (standard input, a pipe or a device), which is never recognised as read before: the same data sent again is stored again"

// startStatus redraws line on stderr every quarter second while work runs,
// when stderr is a terminal; it returns the function that stops and erases
// it. line gets the time since the start.
func startStatus(w io.Writer, line func(elapsed time.Duration) string) func() {
	if r, ok := w.(interface{ Terminal() io.Writer }); ok {
		w = r.Terminal()
	}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return func() {}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				fmt.Fprint(f, "\r\x1b[K")
				return
			case <-t.C:
				fmt.Fprint(f, "\r\x1b[K"+line(time.Since(start)))
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// ingestProgress draws "file  312 MB / 1.2 GB  ETA 9s  1.4M events/s"
// while files are read, then what the last seconds of a large load are
// spent on, instead of a line stuck at its end.
func ingestProgress(c *ingest.Counters) func(time.Duration) string {
	var readFor time.Duration
	return func(elapsed time.Duration) string {
		if c.Finishing.Load() && readFor == 0 {
			readFor = elapsed
		}
		return progressLine(c, elapsed, readFor)
	}
}

// progressLine is the progress of an ingest elapsed after its start; readFor
// is how long the files took to read, 0 while they are being read.
func progressLine(c *ingest.Counters, elapsed, readFor time.Duration) string {
	if readFor > 0 {
		return fmt.Sprintf("%s events read in %s  writing the aggregates and indexes  %s",
			countHuman(c.Events.Load()), readFor.Round(time.Second), (elapsed - readFor).Round(time.Second))
	}
	name, _ := c.File.Load().(string)
	read, size := c.Bytes.Load(), c.Size.Load()
	rate := float64(c.Events.Load()) / max(elapsed.Seconds(), 1e-3)
	s := fmt.Sprintf("%s  %s", textsafe.Truncate(textsafe.String(name), 40), bytesHuman(read))
	if size > 0 {
		s += " / " + bytesHuman(size)
		if read > 0 && read < size {
			bps := float64(read) / max(elapsed.Seconds(), 1e-3)
			eta := time.Duration(float64(size-read)/bps) * time.Second
			s += fmt.Sprintf("  ETA %s", eta.Round(time.Second))
		}
	}
	return s + fmt.Sprintf("  %s events/s", countHuman(int64(rate)))
}

func bytesHuman(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func countHuman(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// runWaiting runs the ingest, first waiting while another longtail ingests
// into the workspace: two cron jobs that overlap both land, the second
// after the first, where it used to be refused. start is when the run
// that read began, for its rate.
func runWaiting(ctx context.Context, e *env, d *db.DB, files []string, opt ingest.Options, start *time.Time) ([]ingest.Report, error) {
	told := false
	for {
		*start = time.Now()
		reports, err := ingest.Run(ctx, d, files, opt)
		if !errors.Is(err, db.ErrIngesting) {
			return reports, err
		}
		if !told {
			clear := "" // over the progress line, on a terminal
			if isTerminal(e.stderr) {
				clear = "\r\x1b[K"
			}
			fmt.Fprintln(e.stderr, clear+"longtail: another longtail is ingesting into this workspace: waiting for it to finish (Ctrl-C stops)")
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stopped while another longtail was ingesting: nothing read (%w)", ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
