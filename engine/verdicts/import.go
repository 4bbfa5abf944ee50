// Package verdicts applies the analyst's verdict rules to a workspace: a
// list file becomes rules or popularity ranks (Import), typed patterns
// become rules or select them for removal (TypedRules, RemoveTyped), the
// rules are selected for export in any list format (Export), and what the
// rules decide is measured: how much each rule covers (Coverage) and the
// talk's baseline of normal and suspicious traffic (ComputeBaseline,
// WriteBaseline). It knows no screen and no command line beyond the flag
// names its messages point to.
package verdicts

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/lists"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
)

// ImportOptions say how to take one list in.
type ImportOptions struct {
	Verdict rules.Verdict // for the entries the list gives none; None when not given
	Top     int           // keep ranks 1..Top, or the first Top entries; 0: all
	Note    string        // for the rules added
	AsRanks bool          // a plain list whose line order is its popularity rank
	Origin  string        // the list's name: the rules' origin, the ranks' list
	Author  string
	Now     time.Time // the rules' creation time
}

// Check refuses options that contradict each other before anything is read.
func (o ImportOptions) Check() error {
	if o.AsRanks && o.Verdict != rules.None && o.Verdict != rules.Good {
		return errors.New("a popularity list becomes ranks, or known-good rules with --verdict good; not " + o.Verdict.String())
	}
	return nil
}

// NeedVerdictError refuses a list that says nothing about its names when no
// verdict was given.
type NeedVerdictError struct{ Format lists.Format }

func (e *NeedVerdictError) Error() string {
	return fmt.Sprintf("a %s list does not say what its names are: give --verdict good, suspicious or bad "+
		"(or --ranks if it is a popularity list, most popular first, like Umbrella top-1m)", e.Format)
}

// ImportReport is what an import did, for the analyst.
type ImportReport struct {
	Origin     string
	Info       lists.Info
	Ranks      *db.RankImport // set when the list became ranks
	Added      int            // rules new to the workspace
	Replaced   int            // rules that replaced one of the same pattern and scope
	Duplicates int            // entries a later one for the same pattern and scope overrode
	BeyondTop  int
	// Suffixes counts the entries left out for being a domain rule on a
	// whole public suffix (rules.Rule.OnSuffix); suffixes holds the first of them.
	Suffixes  int
	suffixes  []string
	Kept      int           // entries whose file gave a verdict, which they keep
	Ranked    int           // rules made of a popularity list's entries: domain rules
	Defaulted rules.Verdict // verdict given to the rest without one in the options
	given     rules.Verdict // the options' verdict (None: none given)
	// Undo is what takes the import back: the rules stored with those
	// they replaced (the review screen's undo; ranks are not taken back).
	Undo db.UndoStep
}

// blockFormats are the formats whose every entry blocks its name.
var blockFormats = []lists.Format{lists.Hosts, lists.Adblock, lists.RPZ}

// errStop ends a stream early once detect has seen what it needs.
var errStop = errors.New("stop")

// detect reads the list's format and first entry from the start of the
// stream without consuming it: whether the list becomes ranks or rules must
// be known before anything is written.
func detect(br *bufio.Reader) (lists.Format, lists.Entry) {
	head, _ := br.Peek(64 << 10)
	var first lists.Entry
	info, _ := lists.Stream(bytes.NewReader(head), func(e lists.Entry) error {
		first = e
		return errStop
	})
	return info.Format, first
}

// Import takes the list read from r into d's rules or ranks; see the
// package doc for how it decides which. A refused list stores nothing.
func Import(ctx context.Context, d *db.DB, r io.Reader, opt ImportOptions) (ImportReport, error) {
	rep := ImportReport{Origin: opt.Origin}
	if err := opt.Check(); err != nil {
		return rep, err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	format, first := detect(br)
	if first.Rank > 0 && opt.Verdict != rules.None && opt.Verdict != rules.Good {
		return rep, fmt.Errorf("a popularity list (%s) becomes ranks, or known-good rules with --verdict good; not %s", format, opt.Verdict)
	}
	im := importer{opt: opt, rep: &rep}
	var err error
	if (first.Rank > 0 || opt.AsRanks) && opt.Verdict == rules.None {
		err = im.ranks(ctx, d, br)
	} else {
		err = im.rules(ctx, d, br)
	}
	if err == nil && format != "" && rep.Info.Format != format {
		// Detection saw the same head twice; only a pathological file
		// could tell them apart, and then nothing is stored.
		err = fmt.Errorf("format detected as %s, then as %s", format, rep.Info.Format)
	}
	return rep, err
}

// importer is one Import under way.
type importer struct {
	opt ImportOptions
	rep *ImportReport
}

// keep applies Top to an entry at position idx (1-based) with rank.
func (im *importer) keep(rank, idx int) bool {
	top := im.opt.Top
	if top > 0 && ((rank > 0 && rank > top) || (rank == 0 && idx > top)) {
		im.rep.BeyondTop++
		return false
	}
	return true
}

// ranks stores a popularity list as ranks in one transaction.
func (im *importer) ranks(ctx context.Context, d *db.DB, r io.Reader) error {
	ri, err := d.PutRanks(ctx, im.opt.Origin, func(add func(string, int)) error {
		idx := 0
		var err error
		im.rep.Info, err = lists.Stream(r, func(e lists.Entry) error {
			idx++
			rank := e.Rank
			if rank == 0 {
				rank = idx // a plain list in popularity order
			}
			if im.keep(rank, idx) {
				add(e.Name, rank)
			}
			return nil
		})
		return err
	})
	im.rep.Ranks = &ri
	return err
}

// rules stores a list as verdict rules.
func (im *importer) rules(ctx context.Context, d *db.DB, r io.Reader) error {
	rep := im.rep
	var rs []rules.Rule
	at := make(map[string]int) // pattern and scope -> index in rs
	open := 0                  // rules without a verdict yet
	idx := 0
	var err error
	rep.Info, err = lists.Stream(r, func(e lists.Entry) error {
		idx++
		if !im.keep(e.Rank, idx) {
			return nil
		}
		rule := im.rule(e)
		if im.onSuffix(&rule) {
			return nil
		}
		if rule.Verdict == rules.None {
			open++
		}
		if e.Verdict != rules.None {
			rep.Kept++
		}
		key := rule.Scope.String() + " " + rule.Pattern
		if i, ok := at[key]; ok {
			if rs[i].Verdict == rules.None {
				open--
			}
			rs[i] = rule
			rep.Duplicates++
			return nil
		}
		at[key] = len(rs)
		rs = append(rs, rule)
		return nil
	})
	if err != nil {
		return err
	}
	rep.given = im.opt.Verdict
	if open > 0 {
		v := im.opt.Verdict
		if v == rules.None {
			if !slices.Contains(blockFormats, rep.Info.Format) {
				return &NeedVerdictError{Format: rep.Info.Format}
			}
			v, rep.Defaulted = rules.Bad, rules.Bad
		}
		for i := range rs {
			if rs[i].Verdict == rules.None {
				rs[i].Verdict = v
			}
		}
	}
	if len(rs) == 0 {
		return nil
	}
	stored, replaced, err := d.PutRules(ctx, rs)
	rep.Undo.Stored, rep.Undo.Replaced = stored, replaced
	for _, o := range replaced {
		if o.ID != 0 {
			rep.Replaced++
		} else {
			rep.Added++
		}
	}
	return err
}

// onSuffix counts a rule left out for being a domain rule on a whole
// public suffix: one such line of a list (||com^, or com in a popularity
// list imported as known-good) is no reason to refuse the rest.
func (im *importer) onSuffix(r *rules.Rule) bool {
	if r.OnSuffix() == "" {
		return false
	}
	im.rep.Suffixes++
	if len(im.rep.suffixes) < maxSkipsShown {
		im.rep.suffixes = append(im.rep.suffixes, textsafe.String(r.Pattern))
	}
	return true
}

// rule turns an entry into a rule, its verdict still None when neither the
// file nor a popularity rank with the verdict good gives one. longtail's own
// csv/json carry a whole rule, kept as it was but for the id, which belongs
// to the workspace.
func (im *importer) rule(e lists.Entry) rules.Rule {
	o := &im.opt
	if e.Rule != nil {
		r := *e.Rule
		r.ID = 0
		if r.Created.IsZero() {
			r.Created = o.Now
		}
		return r
	}
	r := rules.Rule{Pattern: e.Name, Scope: e.Scope, Verdict: e.Verdict, Author: o.Author, Origin: o.Origin, Created: o.Now}
	if e.Rank > 0 {
		// A popularity list ranks sites (Tranco their registered
		// domains): known-good, one stands for its names, as the
		// domain's row in the list does. A name rule on the bare
		// domain decided none of them.
		r.Scope = rules.Domain
		im.rep.Ranked++
	}
	if r.Verdict == rules.None && e.Rank > 0 {
		r.Verdict = o.Verdict
	}
	switch {
	case e.Note != "" && o.Note != "":
		r.Note = o.Note + "; " + e.Note
	case e.Note != "":
		r.Note = e.Note
	default:
		r.Note = o.Note
	}
	if r.Note == "" && e.Rank > 0 {
		r.Note = fmt.Sprintf("rank %d in %s", e.Rank, o.Origin)
	}
	return r
}

// maxSkipsShown bounds the skipped lines a report shows.
const maxSkipsShown = 5

// Write prints the report, one fact a line, with the first skipped lines.
func (rep *ImportReport) Write(w io.Writer) {
	i, origin := rep.Info, textsafe.String(rep.Origin)
	fmt.Fprintf(w, "%s: %s list, %s, %s\n", origin, i.Format, words.Count(i.Lines, "line"), entries(i.Entries))
	if rep.Ranks != nil {
		fmt.Fprintf(w, "ranks: %s added, %s replaced (list %s; %s ranked names in the workspace)\n",
			words.Int(rep.Ranks.New), words.Int(rep.Ranks.Entries-rep.Ranks.New), origin, words.Int(rep.Ranks.Total))
	} else {
		fmt.Fprintf(w, "rules: %s added, %s replaced (origin %s)\n", words.Int(rep.Added), words.Int(rep.Replaced), origin)
		switch {
		case rep.Defaulted != rules.None:
			fmt.Fprintf(w, "verdict: %s for the entries without one (a %s list blocks what it lists; --verdict sets another)\n", rep.Defaulted, i.Format)
		case rep.Kept > 0 && rep.given != rules.None:
			fmt.Fprintf(w, "verdict: %s kept the verdict their file gave\n", entries(rep.Kept))
		}
	}
	if rep.Duplicates > 0 {
		fmt.Fprintf(w, "duplicates: %s (the last entry for a pattern and scope kept)\n", words.Int(rep.Duplicates))
	}
	if rep.Ranked > 0 {
		fmt.Fprintf(w, "ranked: %s, each for the name and every name below it\n", words.CountOf(rep.Ranked, "domain rule", "domain rules"))
	}
	if rep.BeyondTop > 0 {
		fmt.Fprintf(w, "beyond --top: %s left out\n", entries(rep.BeyondTop))
	}
	if rep.Suffixes > 0 {
		more := ""
		if rep.Suffixes > len(rep.suffixes) {
			more = ", …"
		}
		fmt.Fprintf(w, "public suffixes: %s left out (%s%s): a domain rule on one would decide every domain registered under it\n",
			entries(rep.Suffixes), strings.Join(rep.suffixes, ", "), more)
	}
	fmt.Fprintf(w, "skipped: %s\n", words.Count(i.SkippedTotal, "line"))
	for _, s := range i.Skipped[:min(len(i.Skipped), maxSkipsShown)] {
		fmt.Fprintf(w, "  line %d: %s: %s\n", s.Line, textsafe.String(s.Reason), textsafe.Truncate(textsafe.String(s.Text), 80))
	}
	if i.SkippedTotal > maxSkipsShown {
		fmt.Fprintf(w, "  … and %s more\n", words.Int(i.SkippedTotal-maxSkipsShown))
	}
}

// summary is the report in one line: what the list became, and the
// lines skipped ("list.txt: 2 rules added as suspicious, 1 line skipped").
func (rep *ImportReport) summary() string {
	as := ""
	switch {
	case rep.Defaulted != rules.None:
		as = " as " + rep.Defaulted.String()
	case rep.given != rules.None && rep.Kept == 0:
		as = " as " + rep.given.String()
	}
	what := words.Count(rep.Added, "rule") + " added" + as
	switch {
	case rep.Ranks != nil:
		what = words.Count(int(rep.Ranks.New), "rank") + " added"
	case rep.Replaced > 0:
		what = fmt.Sprintf("%s%s: %s added, %s replaced", words.Count(rep.Added+rep.Replaced, "rule"), as, words.Int(rep.Added), words.Int(rep.Replaced))
	}
	if n := rep.Info.SkippedTotal; n > 0 {
		what += ", " + words.Count(n, "line") + " skipped"
	}
	if rep.Suffixes > 0 {
		what += ", " + words.CountOf(rep.Suffixes, "public suffix", "public suffixes") + " left out"
	}
	return textsafe.String(rep.Origin) + ": " + what
}

// String is the report as Write prints it, without the final newline.
func (rep *ImportReport) String() string {
	var b strings.Builder
	rep.Write(&b)
	return strings.TrimSuffix(b.String(), "\n")
}

// entries counts a list's entries in words.
func entries(n int) string { return words.CountOf(n, "entry", "entries") }
