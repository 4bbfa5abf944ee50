package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/verdicts"
	"github.com/longtail/longtail/tui"
)

func init() {
	commands["open"] = command{run: cmdOpen}
}

func cmdOpen(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("open", flag.ContinueOnError)
	sort := fs.String("sort", "score", "a new workspace opens on its domains by `score`, or on its names by count (count); "+
		"after that it opens where it was left")
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if *sort != "score" && *sort != "count" {
		return fmt.Errorf("open: --sort is score or count, not %q", *sort)
	}
	switch len(rest) {
	case 0:
	case 1:
		e.dbPath = rest[0]
	default:
		return fmt.Errorf("open: name one workspace")
	}
	return openTUI(ctx, e, nil, tui.Options{ByCount: *sort == "count"})
}

// openTUI ingests files (if any) and opens the review screen.
func openTUI(ctx context.Context, e *env, files []string, opt tui.Options) error {
	opt.ImportList = importList
	switch {
	case len(files) == 0:
	case e.follow: // a followed log may be empty yet, or not there
		if err := checkFollow(e, files); err != nil {
			return fmt.Errorf("--follow: %w", err)
		}
	default:
		if stop, err := refuseUnreadable(e, files); stop {
			return err
		}
	}
	d, err := e.openReview(len(files) > 0)
	if err != nil {
		return err
	}
	defer d.Close()
	if now := readNow(files, e.follow); len(now) > 0 {
		// A file that gave nothing was reported above; the rest are
		// worth reviewing all the same.
		var unusable exitError
		rec := &recorder{w: e.stderr}
		ie := *e
		ie.stderr = rec
		err := ingestAndScore(ctx, &ie, d, now, ingest.Options{}, true)
		if err != nil && !errors.As(err, &unusable) {
			return err
		}
		opt.Report, opt.Problem = rec.lines, rec.problem(err != nil)
	}
	if e.follow {
		stop := followBehind(ctx, e, d, files, &opt)
		defer stop()
	}
	return reportStop(e, tui.Run(ctx, d, opt))
}

// readNow are the files the screen reads before it opens: all of them, or
// with --follow those not empty (a log not written to yet is the
// follower's to wait on; read now, it was "a file that gave nothing").
func readNow(files []string, follow bool) []string {
	if !follow {
		return files
	}
	var now []string
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() || st.Size() > 0 {
			now = append(now, f)
		}
	}
	return now
}

// reportStop prints how the review screen stopped, when it did not end
// cleanly, once the terminal is restored: status 2 after a crash, as Go's
// own panics end, 1 when only some changes did not reach the workspace.
func reportStop(e *env, err error) error {
	var st *tui.Stopped
	if !errors.As(err, &st) {
		return err
	}
	st.Report(e.stderr, e.dbPath)
	if st.Crash != nil || st.Lib != nil {
		return exitError(2)
	}
	return exitError(1)
}

// importList is the review screen's list import: what the user typed at
// the prompt, "PATH" or "PATH good|suspicious|bad|ranks"
// (verdicts.PromptSyntax), as import-list would take it.
func importList(ctx context.Context, d *db.DB, typed string) (string, error) {
	return verdicts.ImportTyped(ctx, d, typed, verdicts.DefaultAuthor())
}
