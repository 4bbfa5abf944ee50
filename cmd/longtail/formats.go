package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/parse/custom"
)

// The formats command and the format files (custom formats) of every
// command that reads logs: those of the user's formats folder and those
// given with --format-file.

func init() {
	commands["formats"] = command{run: cmdFormats}
}

// formatFileFlag adds --format-file to a command that reads logs.
func formatFileFlag(fs *flag.FlagSet, e *env) {
	fs.Func("format-file", "a format `file` describing a log of your own (repeatable; "+custom.Dir()+"/*.toml are read too)", func(path string) error {
		e.formatFiles = append(e.formatFiles, path)
		return nil
	})
}

// useFormats registers the custom formats for the command; the caller
// releases them.
func (e *env) useFormats() (*custom.Set, error) {
	return custom.Use(e.formatFiles)
}

func cmdFormats(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("formats", flag.ContinueOnError)
	check := fs.String("check", "", "show how `FILE` would be read: its format and why, its first records and skipped lines")
	limit := fs.Int("limit", 10, "with --check, how many `records` to show")
	format := formatFlag(fs)
	formatFileFlag(fs, e)
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("formats: unexpected argument %q (formats --check FILE shows how a file is read)", rest[0])
	}
	set, err := e.useFormats()
	if err != nil {
		return err
	}
	defer set.Release()
	if *check != "" {
		return checkFile(ctx, e, set, *check, max(*limit, 0), *format)
	}
	t := &output.Table{Columns: []string{"format", "reads", "kind", "origin"}}
	for _, f := range parse.Formats() {
		reads, origin := "text", "built-in"
		switch f.Unit() {
		case "packet":
			reads = "capture"
		case "record":
			reads = "event log"
		}
		if c := set.Lookup(f.Name); c != nil {
			origin = c.Origin
		}
		t.Add(f.Name, reads, kindsOf(f), origin)
	}
	return t.Write(e.stdout, *format)
}

// kindsOf says what a format's records are: "dns", "http", "dns, http".
func kindsOf(f parse.Format) string {
	var kinds []string
	for _, k := range f.EventKinds() {
		kinds = append(kinds, k.String())
	}
	return strings.Join(kinds, ", ")
}

// checkFile prints how path would be read (custom.Check).
func checkFile(ctx context.Context, e *env, set *custom.Set, path string, limit int, format string) error {
	in, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("formats --check: %w", err)
	}
	defer in.Close()
	p, cerr := custom.Check(ctx, in, set, limit)
	if p == nil {
		return fmt.Errorf("formats --check: %s: %w", path, cerr)
	}
	r := &output.Record{}
	r.Add("file", path)
	if cerr == nil {
		r.Add("format", p.Format.Name)
		r.Add("kind", kindsOf(p.Format))
		r.Add("origin", p.Origin)
		r.Add("why", p.Why)
		read := fmt.Sprintf("%d %ss", p.Lines, p.Format.Unit())
		if p.Lines == 1 {
			read = "1 " + p.Format.Unit()
		}
		if p.Partial {
			read += " (the start of the file)"
		}
		r.Add("read", read)
		name := "records"
		if len(p.More) > 0 {
			name = p.Format.EventKinds()[0].String() + " records"
		}
		r.Add(name, p.Records)
		for _, m := range p.More {
			r.Add(m.Kind.String()+" records", m.Rows)
		}
		if len(p.Skipped.Rows) > 0 {
			r.Add("skipped", p.Skipped)
		}
		if p.SkippedUnshown > 0 {
			// The list stops at its first lines: say it does (ingest
			// reported 24 where it showed 20).
			r.Add("skipped, not listed", fmt.Sprintf("%d more among the %s read", p.SkippedUnshown, p.Format.Unit()+"s"))
		}
	}
	if cerr != nil && len(p.Declined) == 0 {
		// No format read it, and none of the analyst's declined it: the
		// error says it all, without the start of a table.
		return fmt.Errorf("formats --check: %s: %w", path, cerr)
	}
	if len(p.Declined) > 0 {
		t := &output.Table{Columns: []string{"format", "origin", "why"}}
		for _, d := range p.Declined {
			t.Add(d.Name, d.Origin, d.Why)
		}
		r.Add("not taken by", t)
	}
	if err := r.Write(e.stdout, format); err != nil {
		return err
	}
	if cerr != nil {
		return fmt.Errorf("formats --check: %s: %w", path, cerr)
	}
	return nil
}
