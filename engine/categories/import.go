package categories

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
)

// Options say how to take a category source in.
type Options struct {
	// Categories: for a list that is not in the UT1 layout, the one
	// category of its names (required); for a UT1 source, the categories
	// Verdict makes rules of.
	Categories []string
	// Verdict, when set, makes the names of Categories verdict rules as
	// well (--verdict bad --category malware,phishing): categories are
	// context, and a decision only when the analyst says so.
	Verdict rules.Verdict
	Note    string
	Origin  string
	Author  string
	Now     time.Time
}

// Report is what an import did, for the analyst.
type Report struct {
	Source db.CatSource
	Info   Info
	Counts map[string]int64 // names stored per category
	Rules  int              // verdict rules added or replaced
	// Missing are the categories --verdict named that the source does not
	// have (a typo, or a category of another list): no rule came of them.
	Missing []string
	// Suffixes counts the names of the categories --verdict named that are
	// whole public suffixes (com): no rule is made of them
	// (rules.Rule.OnSuffix).
	Suffixes int
}

// Check refuses options that contradict each other before anything is read.
func (o Options) Check(ut1 bool) error {
	for _, c := range o.Categories {
		if err := CheckCategory(c); err != nil {
			return err
		}
	}
	switch {
	case !ut1 && len(o.Categories) != 1:
		return errors.New("a list of names needs one --category NAME (a UT1 folder, .tar.gz or NAME.domains file names its own)")
	case ut1 && len(o.Categories) > 0 && o.Verdict == rules.None:
		return errors.New("on a UT1 source, --category names the categories --verdict makes rules of: give --verdict too")
	case ut1 && o.Verdict != rules.None && len(o.Categories) == 0:
		return errors.New("--verdict on a UT1 source needs --category: the categories whose names become rules (malware,phishing)")
	}
	return nil
}

// Import reads the source at p and stores its categories under
// opt.Origin, replacing an earlier import of that origin; with a verdict,
// the names of the chosen categories become rules too. A source that
// cannot be read stores nothing.
func Import(ctx context.Context, d *db.DB, p string, opt Options) (Report, error) {
	ut1 := layoutUT1(p, opt)
	rep := Report{}
	if err := opt.Check(ut1); err != nil {
		return rep, err
	}
	named := ""
	if !ut1 {
		named = opt.Categories[0]
	}
	ruled, suffixes := map[string]rules.Rule{}, map[string]bool{}
	rep.Source = db.CatSource{Origin: opt.Origin, Imported: opt.Now}
	counts, err := d.PutCategories(ctx, &rep.Source, func(add func(name, category string)) error {
		var err error
		rep.Info, err = Read(p, named, func(name, cat string) error {
			add(name, cat)
			if opt.Verdict != rules.None && slices.Contains(opt.Categories, cat) {
				if r := opt.rule(name, cat); r.OnSuffix() == "" {
					ruled[name] = r
				} else {
					suffixes[name] = true
				}
			}
			return ctx.Err()
		})
		rep.Source.Format, rep.Source.Dated, rep.Source.Skipped = rep.Info.Layout, rep.Info.Dated, int64(rep.Info.Skipped())
		return err
	})
	rep.Counts, rep.Suffixes = counts, len(suffixes)
	if opt.Verdict != rules.None {
		for _, c := range opt.Categories {
			if counts[c] == 0 {
				rep.Missing = append(rep.Missing, c)
			}
		}
	}
	if err != nil || len(ruled) == 0 {
		return rep, err
	}
	rs := make([]rules.Rule, 0, len(ruled))
	for _, r := range ruled {
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b rules.Rule) int { return strings.Compare(a.Pattern, b.Pattern) })
	stored, _, err := d.PutRules(ctx, rs)
	rep.Rules = len(stored)
	return rep, err
}

// layoutUT1 says whether p is read in the UT1 layout: a folder or an
// archive always; a NAME.domains file unless a --category without a
// verdict renames its names' category.
func layoutUT1(p string, opt Options) bool {
	if st, err := os.Stat(p); err == nil && st.IsDir() || strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz") {
		return true
	}
	return IsUT1(p) && (len(opt.Categories) == 0 || opt.Verdict != rules.None)
}

// rule is the verdict rule for a name of a chosen category: its whole
// domain, as the category list means it (an address: itself).
func (o *Options) rule(name, cat string) rules.Rule {
	scope := rules.Domain
	if _, err := netip.ParseAddr(name); err == nil {
		scope = rules.Name
	}
	note := "category " + cat + " (" + o.Origin + ")"
	if o.Note != "" {
		note = o.Note + "; " + note
	}
	return rules.Rule{Pattern: name, Scope: scope, Verdict: o.Verdict, Note: note, Author: o.Author,
		Origin: o.Origin, Created: o.Now}
}

// maxSkipsShown bounds the skipped lines a report shows.
const maxSkipsShown = 5

// Write prints the report: what was read, stored and skipped.
func (rep *Report) Write(w io.Writer) {
	i, origin := rep.Info, textsafe.String(rep.Source.Origin)
	fmt.Fprintf(w, "%s: %s layout, %s, %s, %s\n", origin, i.Layout, words.CountOf(len(rep.Counts), "category", "categories"),
		words.Count(i.Lines(), "line"), words.CountOf(i.Entries(), "entry", "entries"))
	fmt.Fprintf(w, "categories: %s stored (origin %s", words.Count(rep.Source.Names, "name"), origin)
	if rep.Source.Dated != "" {
		fmt.Fprintf(w, ", dated %s", rep.Source.Dated)
	}
	fmt.Fprintln(w, "; an import of the same origin replaces it)")
	cats := make([]string, 0, len(rep.Counts))
	for c := range rep.Counts {
		cats = append(cats, c)
	}
	slices.SortFunc(cats, func(a, b string) int {
		if c := cmp.Compare(rep.Counts[b], rep.Counts[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, c := range cats {
		parts = append(parts, fmt.Sprintf("%s %d", c, rep.Counts[c]))
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "  %s\n", textsafe.String(strings.Join(parts, ", ")))
	}
	if rep.Rules > 0 {
		fmt.Fprintf(w, "rules: %d added or replaced, their whole domains (origin %s)\n", rep.Rules, origin)
	}
	if len(rep.Missing) > 0 {
		fmt.Fprintf(w, "no rules from %s: no such category in %s\n", textsafe.String(strings.Join(rep.Missing, ", ")), origin)
	}
	if rep.Suffixes > 0 {
		fmt.Fprintf(w, "no rules from %s: a domain rule on a whole public suffix (com) would decide every domain under it\n", words.CountOf(rep.Suffixes, "public suffix", "public suffixes"))
	}
	for _, f := range i.Files {
		if f.Err != nil {
			fmt.Fprintf(w, "empty: %s (%s): %s\n", textsafe.String(f.File), textsafe.String(f.Category), textsafe.Truncate(textsafe.String(f.Err.Error()), 60))
		}
	}
	if n := i.exceptions(); n > 0 {
		fmt.Fprintf(w, "exceptions: %s that allow a name (@@), not of the category\n", words.CountOf(n, "entry", "entries"))
	}
	if i.Ignored > 0 {
		fmt.Fprintf(w, "ignored: %s of no category's domains (urls, expressions, READMEs)\n", words.Count(i.Ignored, "file"))
	}
	fmt.Fprintf(w, "skipped: %s\n", words.Count(i.Skipped(), "line"))
	shown := 0
	for _, f := range i.Files {
		for _, s := range f.Skipped {
			if shown == maxSkipsShown {
				break
			}
			shown++
			fmt.Fprintf(w, "  %s line %d: %s: %s\n", textsafe.String(f.File), s.Line, textsafe.String(s.Reason), textsafe.Truncate(textsafe.String(s.Text), 80))
		}
	}
	if n := i.Skipped(); n > shown {
		fmt.Fprintf(w, "  … and %d more\n", n-shown)
	}
}
