package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/longtail/longtail/engine/logons"
	"github.com/longtail/longtail/engine/output"
)

func init() { commands["logons"] = command{run: cmdLogons} }

// cmdLogons is the logon summary, headless: engine/logons does the work.
func cmdLogons(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("logons", flag.ContinueOnError)
	sort := fs.String("sort", "failures", "sort by `key`: failures, successes, last or account")
	limit := fs.Int("limit", 50, "how many `rows` (0: all)")
	format := formatFlag(fs)
	d, err := openOptionsOnly(fs, e, args, true)
	if err != nil {
		return err
	}
	defer d.Close()
	key, err := logons.ParseSort(*sort)
	if err != nil {
		return fmt.Errorf("logons: --sort: %w", err)
	}
	rows, err := logons.Summary(ctx, d)
	if err != nil {
		return err
	}
	logons.Sort(rows, key)
	if *limit > 0 && len(rows) > *limit {
		rows = rows[:*limit]
	}
	t := &output.Table{Columns: logons.Columns}
	for _, r := range rows {
		t.Add(r.Account, r.Source, r.Target, r.Type, r.Successes, r.Failures, micros(r.First), micros(r.Last), r.Reason)
	}
	return t.Write(e.stdout, *format)
}
