package main

// Categories of names:
//
//	longtail import-list UT1-FOLDER|blacklists.tar.gz|NAME.domains [--verdict V --category A,B]
//	longtail import-list FILE --category NAME [--verdict V]
//	longtail categories [list|lookup NAME...|clear [ORIGIN]]
//
// How the lists are read, stored and looked up is in engine/categories;
// here are the flags and the printing.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/longtail/longtail/engine/categories"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/engine/verdicts"
)

func init() {
	commands["categories"] = command{run: cmdCategories}
}

// isCategoryImport says whether import-list takes file as categories: a
// --category was given, or the file is in the UT1 layout.
func isCategoryImport(file, category string) bool {
	return category != "" || (file != "-" && categories.IsUT1(file))
}

// importCategories is import-list for a category source.
func importCategories(ctx context.Context, e *env, file, category string, v rules.Verdict, note string) error {
	if file == "-" {
		return errors.New("import-list: a category list is read from a file or folder, not stdin")
	}
	opt := categories.Options{Verdict: v, Note: note, Origin: categories.Origin(filepath.Clean(file)),
		Author: verdicts.DefaultAuthor(), Now: time.Now().UTC()}
	for c := range strings.SplitSeq(category, ",") {
		if c = strings.TrimSpace(c); c != "" {
			opt.Categories = append(opt.Categories, c)
		}
	}
	d, err := e.open(false)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := categories.Import(ctx, d, file, opt)
	if err != nil {
		return fmt.Errorf("import-list %s: %w", textsafe.String(file), err)
	}
	rep.Write(e.stdout)
	return nil
}

func cmdCategories(ctx context.Context, e *env, args []string) error {
	sub, rest, format, d, err := lookupCommand(e, "categories", args)
	if err != nil {
		return err
	}
	defer d.Close()
	switch sub {
	case "list":
		counts, err := d.CatCounts(ctx)
		if err != nil {
			return err
		}
		srcs, err := d.CatSources(ctx)
		if err != nil {
			return err
		}
		t := &output.Table{Columns: []string{"origin", "format", "dated", "imported", "category", "names"}}
		for _, s := range srcs {
			for _, c := range counts {
				if c.Source == s.Origin {
					t.Add(s.Origin, s.Format, s.Dated, s.Imported, c.Category, c.Names)
				}
			}
		}
		return t.Write(e.stdout, *format)
	case "lookup":
		cat, err := categories.LoadCatalog(ctx, d)
		if err != nil {
			return err
		}
		names := make([]string, len(rest))
		for i, n := range rest {
			if names[i], err = rules.NormalizePattern(n); err != nil {
				return fmt.Errorf("categories lookup: %q: %w", n, err)
			}
		}
		found, err := categories.Of(ctx, d, names)
		if err != nil {
			return err
		}
		t := &output.Table{Columns: []string{"name", "categories"}}
		for _, n := range names {
			t.Add(n, categoryCell(cat, found[n]))
		}
		return t.Write(e.stdout, *format)
	case "clear":
		if len(rest) > 1 {
			return errors.New("categories clear: name one origin, or none for all")
		}
		n, err := d.ClearCategories(ctx, strings.Join(rest, ""))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d category sources removed\n", n)
	}
	return nil
}

// categoryCell is a name's categories in a table, comma-separated: empty
// (JSON null) when it has none.
func categoryCell(c *categories.Catalog, s categories.Set) any {
	if s.Empty() {
		return nil
	}
	return strings.Join(c.Names(s), ",")
}
