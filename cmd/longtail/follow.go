package main

import (
	"context"
	"flag"
	"fmt"
	"sync"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui"
)

func init() {
	commands["follow"] = command{run: cmdFollow}
}

// followPoll is how often the review screen looks for what a follow
// added, instead of tui.DefaultPoll.
const followPoll = time.Second

func cmdFollow(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("follow", flag.ContinueOnError)
	batch := fs.Int("batch", ingest.FollowBatch, "events per committed `batch` at most (one is committed every second anyway)")
	noScore := fs.Bool("no-score", false, "do not score the workspace when stopped (longtail score does it later)")
	formatFileFlag(fs, e)
	files, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("follow: name at least one file")
	}
	for _, f := range files {
		if f == "-" {
			return fmt.Errorf("follow: reads files; pipe into longtail ingest - instead")
		}
	}
	if err := checkFollow(e, files); err != nil {
		return fmt.Errorf("follow: %w", err)
	}
	d, err := e.open(false)
	if err != nil {
		return err
	}
	defer d.Close()
	formats, err := e.useFormats()
	if err != nil {
		return err
	}
	defer formats.Release()
	defer holdLimit(scoreMemoryLimit, processLimit)() // its Keeper scores
	opt := ingest.FollowOptions{Options: ingest.Options{BatchSize: *batch, Progress: &ingest.Counters{}}}
	// On a terminal, a line said goes over the status line, which the
	// next redraw puts back under it.
	clear := ""
	if isTerminal(e.stderr) {
		clear = "\r\x1b[K"
	}
	opt.Cycle = func(reps []ingest.Report) {
		for _, r := range reps {
			if r.Err != nil || r.Events > 0 || r.Skipped > 0 {
				fmt.Fprintln(e.stderr, clear+textsafe.String(r.Describe()))
			}
		}
	}
	opt.Notice = func(s string) { fmt.Fprintln(e.stderr, clear+"longtail: "+textsafe.String(s)) }
	fmt.Fprintf(e.stderr, "following %s (Ctrl-C stops)\n", words.Count(len(files), "file"))
	rate := followRate(len(files), opt.Progress)
	keeper := keepScores(ctx, d, *noScore)
	stop := startStatus(e.stderr, func(elapsed time.Duration) string {
		return rate(elapsed) + " · " + countHuman(opt.Progress.Events.Load()) + " read" + keeper.status()
	})
	start := time.Now()
	err = ingest.Follow(ctx, d, files, opt)
	keeper.stop()
	stop()
	n := opt.Progress.Events.Load()
	fmt.Fprintln(e.stderr, followReport(start, n))
	if err != nil || *noScore || n == 0 {
		return err
	}
	// Stopped by a signal: the scoring is the last step, and it stops
	// at a second one.
	return scoreAfterIngest(context.WithoutCancel(ctx), e, d)
}

// followReport says what a follow that began at start read: "followed for
// 4m12s: 312 events read".
func followReport(start time.Time, events int64) string {
	return fmt.Sprintf("followed for %s: %s read", time.Since(start).Round(time.Second), words.Count(events, "event"))
}

// checkFollow refuses, before a workspace is opened or a line printed,
// files no follow can read (ingest.CheckFollow), the format files given
// in use.
func checkFollow(e *env, files []string) error {
	formats, err := e.useFormats()
	if err != nil {
		return err
	}
	defer formats.Release()
	return ingest.CheckFollow(files)
}

// followRate says what a follow reads: "following 2 files · 1.2k
// events/s".
func followRate(files int, c *ingest.Counters) func(time.Duration) string {
	rate := eventRate(c)
	return func(elapsed time.Duration) string {
		return "following " + words.Count(files, "file") + " · " + rate(elapsed)
	}
}

// eventRate says the rate of events read, "1.2k events/s", over the last
// second or so.
func eventRate(c *ingest.Counters) func(time.Duration) string {
	var last int64
	var at time.Duration
	rate := 0.0
	return func(elapsed time.Duration) string {
		if dt := elapsed - at; dt >= time.Second {
			n := c.Events.Load()
			rate, last, at = float64(n-last)/dt.Seconds(), n, elapsed
		}
		return countHuman(int64(rate)) + " events/s"
	}
}

// followBehind runs Follow while the review screen is open (the screen
// sees what it adds through its poll); the returned function stops it,
// waits until all it read is committed and says on stderr why it stopped
// early, if it did: while the screen is open, it owns the terminal.
func followBehind(ctx context.Context, e *env, d *db.DB, files []string, opt *tui.Options) func() {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var err error
	counters := &ingest.Counters{}
	wg.Go(func() {
		err = ingest.Follow(ctx, d, files, ingest.FollowOptions{Options: ingest.Options{Progress: counters}})
	})
	keeper := keepScores(ctx, d, false)
	opt.Poll = followPoll
	rate, start := followRate(len(files), counters), time.Now()
	opt.Live = func() string { return rate(time.Since(start)) + keeper.status() }
	return func() {
		cancel()
		wg.Wait()
		keeper.stop()
		// The screen is gone: the terminal shows what was read before
		// it opened, and now what the follow read behind it.
		fmt.Fprintln(e.stderr, followReport(start, counters.Events.Load()))
		if err != nil {
			fmt.Fprintln(e.stderr, "longtail: following stopped: "+textsafe.String(err.Error()))
		}
	}
}

// keeper keeps the scores up while a follow or a capture runs
// (score.Keeper); the zero keeper, for --no-score, does nothing.
type keeper struct{ k *score.Keeper }

func keepScores(ctx context.Context, d *db.DB, off bool) keeper {
	if off {
		return keeper{}
	}
	return keeper{score.Keep(ctx, d)}
}

func (k keeper) stop() {
	if k.k != nil {
		k.k.Stop()
	}
}

// status says how old the scores are, for a status line: " · scored 4s
// ago"; "" before the first rescore.
func (k keeper) status() string {
	if k.k == nil {
		return ""
	}
	at, _, err, n := k.k.Last()
	switch {
	case n == 0:
		return ""
	case err != nil:
		return " · rescoring failed: " + textsafe.String(err.Error())
	}
	return " · scored " + time.Since(at).Round(time.Second).String() + " ago"
}
