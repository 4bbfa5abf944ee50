package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/review"
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
	fs.Var(&bucket, "bucket", "bucket `size`: 15m, 1h, 1d, 1w (weeks from Monday 00:00 UTC), 30d as the screen's timeline (whole minutes; whole hours for a client)")
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
	pts, err := seriesPoints(ctx, d, subject, bucket.Duration)
	if err != nil {
		return err
	}
	t := &output.Table{Columns: []string{"start", "count"}}
	for _, p := range pts {
		t.Add(micros(p.Start), p.N)
	}
	return t.Write(e.stdout, *format)
}

// week is a week's span; mondayBeforeEpoch is the Monday before the Unix
// epoch (a Thursday), 1969-12-29 00:00 UTC, in µs.
const (
	week              = 7 * 24 * time.Hour
	mondayBeforeEpoch = -3 * int64(24*time.Hour/time.Microsecond)
)

// seriesPoints is the subject's series in buckets of size. Buckets of
// whole weeks start on a Monday, in UTC, as ISO weeks do: the workspace
// counts its buckets from the epoch, a Thursday (the screen's timeline
// keeps those and says so), so the days are read and folded into weeks.
func seriesPoints(ctx context.Context, d *db.DB, s db.Subject, size time.Duration) ([]db.Point, error) {
	if size <= 0 || size%week != 0 {
		return d.Series(ctx, s, size, 0, 0)
	}
	days, err := d.Series(ctx, s, 24*time.Hour, 0, 0)
	if err != nil {
		return nil, err
	}
	return foldWeeks(days, size.Microseconds()), nil
}

// foldWeeks adds time-ordered days into buckets of step µs (whole weeks)
// counted from the Monday before the epoch.
func foldWeeks(days []db.Point, step int64) []db.Point {
	var out []db.Point
	for _, p := range days {
		start := p.Start - (p.Start-mondayBeforeEpoch)%step
		if n := len(out); n > 0 && out[n-1].Start == start {
			out[n-1].N += p.N
		} else {
			out = append(out, db.Point{Start: start, N: p.N})
		}
	}
	return out
}

// bucketFlag is a bucket size (review.ParseSpan: 15m, 1h, 1d, 1w).
type bucketFlag struct{ time.Duration }

func (b *bucketFlag) String() string { return b.Duration.String() }

func (b *bucketFlag) Set(s string) (err error) {
	b.Duration, err = review.ParseSpan(s)
	return err
}

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
