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
	fs.Var(&bucket, "bucket", "bucket `size`: 15m, 1h, 1d, 1w, 30d as the screen's timeline (whole minutes; whole hours for a client)")
	format := formatFlag(fs)
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return fmt.Errorf("series: usage: longtail series [SUBJECT] [--kind dns|http|logon] [--by fqdn|domain|client|host|ua|account|source|pair...] [--bucket 1h]")
	}
	if len(rest) == 0 && (isSet(fs, "kind") || isSet(fs, "by")) {
		// The workspace's series is kept for all its events together:
		// a kind's alone would be the whole workspace's under its name.
		return fmt.Errorf("series: --kind and --by name the subject of a VALUE (series root --kind logon --by account); without one the series counts every event of the workspace, of every kind")
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
