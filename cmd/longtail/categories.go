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
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/categories"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
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
		return clearSub(e, "categories clear", "origin", "category sources", rest, func(one string) (int64, error) {
			n, err := d.ClearCategories(ctx, one)
			return int64(n), err
		})
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

// categoryFlags are top's --hide-category and --only-category.
type categoryFlags struct{ hide, only *string }

func addCategoryFlags(fs *flag.FlagSet) categoryFlags {
	return categoryFlags{
		hide: fs.String("hide-category", "", "leave out the host names of these `categories` (cdn,update,ads), from imported category lists"),
		only: fs.String("only-category", "", "only the host names of these `categories` (adult,gambling)"),
	}
}

// resolve reads the flags' category names against the workspace's; an
// unknown name is an error that lists the known ones.
func (f categoryFlags) resolve(ctx context.Context, d *db.DB, sub subject.Subject) (review.CategoryFilter, error) {
	var cf review.CategoryFilter
	if *f.hide == "" && *f.only == "" {
		return cf, nil
	}
	if !sub.Hostname {
		return cf, fmt.Errorf("categories are of host names (DNS names, HTTP hosts), not of %s", sub.Plural)
	}
	cat, err := categories.LoadCatalog(ctx, d)
	if err != nil {
		return cf, err
	}
	for _, x := range []struct {
		flag, text string
		set        *categories.Set
	}{{"--hide-category", *f.hide, &cf.Hide}, {"--only-category", *f.only, &cf.Only}} {
		var unknown []string
		if *x.set, unknown = cat.Parse(x.text); len(unknown) > 0 {
			return cf, fmt.Errorf("%s: no category %s (known: %s)", x.flag, textsafe.String(strings.Join(unknown, ", ")),
				knownCategories(cat))
		}
	}
	return cf, nil
}

// knownCategories lists the workspace's categories for an error message.
func knownCategories(cat *categories.Catalog) string {
	all := cat.All()
	if len(all) == 0 {
		return "none: import a list with longtail import-list FOLDER|FILE --category NAME"
	}
	return strings.Join(all, ", ")
}

// byCategory says whether --by category was asked for, and lists the
// kind's default subject then (DNS names, HTTP hosts): the categories are
// of its values.
func (f subjectFlags) byCategory() bool {
	if !strings.EqualFold(*f.by, "category") {
		return false
	}
	*f.by = "fqdn"
	return true
}

// topByCategory is top --by category: the rows the filters leave, tallied
// by category (review.ByCategory).
func topByCategory(ctx context.Context, e *env, d *db.DB, q review.Query, limit int, format string) error {
	sub := q.Listing()
	if !sub.Hostname {
		return fmt.Errorf("top --by category: categories are of host names, not of %s", sub.Plural)
	}
	counts, err := review.RunByCategory(ctx, d, q)
	if err != nil {
		return err
	}
	rows := "names"
	if q.Domains {
		rows = "domains"
	}
	t := &output.Table{Columns: []string{"category", rows, "count", "clients", "kind"}}
	if limit > 0 && len(counts) > limit {
		counts = counts[:limit]
	}
	for _, c := range counts {
		t.Add(c.Category, c.Rows, c.Events, c.Clients, sub.QualifiedName())
	}
	return t.Write(e.stdout, format)
}

// anyCategory says whether an item of the answer has a category: the
// column is shown only then.
func anyCategory(items []review.Item) bool {
	for _, it := range items {
		if len(it.Categories) > 0 {
			return true
		}
	}
	return false
}
