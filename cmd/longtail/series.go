package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/record"
)

func init() {
	commands["series"] = command{run: cmdSeries}
}

// cmdSeries is the timeline and heatmap of the review screen, headless:
// event counts per bucket for the workspace, a name, a domain or a client.
func cmdSeries(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("series", flag.ContinueOnError)
	by := fs.String("by", "fqdn", "what SUBJECT is: `fqdn`, domain or client")
	bucket := fs.Duration("bucket", time.Hour, "bucket `size` (whole minutes; whole hours for a client)")
	format := formatFlag(fs)
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return fmt.Errorf("series: usage: longtail series [SUBJECT] [--by fqdn|domain|client] [--bucket 1h]")
	}
	d, err := e.open(true)
	if err != nil {
		return err
	}
	defer d.Close()
	subject := db.Subject{Kind: db.SubjectAll}
	if len(rest) == 1 {
		if subject, err = findSubject(ctx, d, *by, rest[0]); err != nil {
			return err
		}
	}
	pts, err := d.Series(ctx, subject, *bucket, 0, 0)
	if err != nil {
		return err
	}
	t := &output.Table{Columns: []string{"start", "count"}}
	for _, p := range pts {
		t.Add(micros(p.Start), p.N)
	}
	return t.Write(e.stdout, *format)
}

func findSubject(ctx context.Context, d *db.DB, by, text string) (db.Subject, error) {
	switch by {
	case "client":
		c, err := d.ClientByText(ctx, text)
		return db.Subject{Kind: db.SubjectClient, ID: c.ID}, err
	case "fqdn", "domain":
		norm, ok := names.Normalize([]byte(text))
		if !ok {
			return db.Subject{}, fmt.Errorf("series: %q is not a name", text)
		}
		if by == "domain" {
			dom, err := d.DomainByText(ctx, norm)
			return db.Subject{Kind: db.SubjectDomain, ID: dom.ID}, err
		}
		n, err := d.NameByText(ctx, uint8(record.KindDNS), norm)
		return db.Subject{Kind: db.SubjectName, ID: n.ID}, err
	}
	return db.Subject{}, fmt.Errorf("series: --by is fqdn, domain or client, not %q", by)
}
