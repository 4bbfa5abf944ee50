package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/score"
)

func init() {
	commands["score"] = command{run: cmdScore}
}

func cmdScore(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	by := fs.String("by", "domain", "rank `domain` (registered domains) or fqdn (each name)")
	limit := fs.Int("limit", 50, "how many `rows`")
	stored := fs.Bool("stored", false, "show the stored scores without scoring again")
	format := formatFlag(fs)
	if _, err := flags(fs, e, args); err != nil {
		return err
	}
	if *by != "domain" && *by != "fqdn" && *by != "name" {
		return fmt.Errorf("score: --by is fqdn or domain, not %q", *by)
	}
	d, err := e.open(*stored)
	if err != nil {
		return err
	}
	defer d.Close()
	if !*stored {
		sum, err := score.Run(ctx, d)
		if err != nil {
			return err
		}
		if *format == "table" {
			fmt.Fprintln(e.stderr, sum)
		}
	}
	t := &output.Table{}
	why := func(cs []db.Contribution) any {
		if *format == "json" {
			return cs
		}
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = fmt.Sprintf("%s %.1f: %s", c.Signal, c.Points, c.Why)
		}
		return strings.Join(parts, "; ")
	}
	if *by == "domain" {
		rows, err := d.TopScoredDomains(ctx, *limit)
		if err != nil {
			return err
		}
		t.Columns = []string{"count", "clients", "names", "domain", "score", "why"}
		for _, r := range rows {
			t.Add(r.Count, r.Clients, r.Names, r.Name, roundScore(r.Score.Score), why(r.Contribs))
		}
	} else {
		rows, err := d.TopScoredNames(ctx, *limit)
		if err != nil {
			return err
		}
		t.Columns = []string{"count", "clients", "name", "domain", "score", "why"}
		for _, r := range rows {
			t.Add(r.Count, r.Clients, r.Name, r.Domain, roundScore(r.Score.Score), why(r.Contribs))
		}
	}
	return t.Write(e.stdout, *format)
}
