package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/output"
)

func init() {
	commands["series"] = command{run: cmdSeries}
}

// cmdSeries is the timeline and heatmap of the review screen, headless:
// event counts per bucket for the workspace, a name, a domain or a client.
func cmdSeries(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("series", flag.ContinueOnError)
	sf := addSubjectFlags(fs, "fqdn")
	bucket := bucketFlag{time.Hour}
	fs.Var(&bucket, "bucket", "bucket `size`: 15m, 1h, 1d, 1w, 30d as the screen's timeline (whole minutes; whole hours for a client)")
	format := formatFlag(fs)
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return fmt.Errorf("series: usage: longtail series [SUBJECT] [--kind dns|http|logon] [--by fqdn|domain|client|host|ua|account|source|pair...] [--bucket 1h]")
	}
	d, err := e.open(true)
	if err != nil {
		return err
	}
	defer d.Close()
	subject := db.Subject{Kind: db.SubjectAll}
	if len(rest) == 1 {
		if subject, err = findSubject(ctx, d, sf, rest[0]); err != nil {
			return err
		}
	}
	pts, err := d.Series(ctx, subject, bucket.Duration, 0, 0)
	if err != nil {
		return err
	}
	t := &output.Table{Columns: []string{"start", "count"}}
	for _, p := range pts {
		t.Add(micros(p.Start), p.N)
	}
	return t.Write(e.stdout, *format)
}

// bucketFlag is a bucket size: a Go duration (15m, 1h30m) or whole days
// and weeks (1d, 7d, 1w), which time.ParseDuration does not take and the
// screen's timeline offers.
type bucketFlag struct{ time.Duration }

func (b *bucketFlag) String() string { return b.Duration.String() }

func (b *bucketFlag) Set(s string) error {
	var unit time.Duration
	if s != "" {
		unit = map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	}
	if unit == 0 {
		d, err := time.ParseDuration(s)
		b.Duration = d
		return err
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > maxBucketDays {
		return fmt.Errorf("%q: want a duration like 15m, 1h, 1d or 1w", s)
	}
	b.Duration = time.Duration(n) * unit
	return nil
}

// maxBucketDays bounds a bucket of days or weeks (a century), far from
// where the days in nanoseconds would overflow.
const maxBucketDays = 36_500

func findSubject(ctx context.Context, d *db.DB, f subjectFlags, text string) (db.Subject, error) {
	if *f.by == "client" && *f.kind == "dns" {
		c, err := d.ClientByText(ctx, text)
		return db.Subject{Kind: db.SubjectClient, ID: c.ID}, err
	}
	sub, groups, err := f.resolve()
	if err != nil {
		return db.Subject{}, fmt.Errorf("series: %w", err)
	}
	s, err := lookup(ctx, d, sub, groups, text)
	if err != nil {
		return s, fmt.Errorf("series: %w", err)
	}
	return s, nil
}
