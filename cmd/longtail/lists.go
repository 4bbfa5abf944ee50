package main

// Verdict rules, lists in and out, popularity ranks, the baseline and what
// is new since it:
//
//	longtail rules list|add|rm|export
//	longtail import-list FILE [--verdict V] [--top N] [--note TEXT] [--ranks]
//	longtail export --format F [--verdict V] [--kind K [--by S]] [-o FILE]
//	longtail ranks [list|lookup NAME...|clear [LIST]]
//	longtail baseline [--normal-over N] [--suspicious-under N] [--by fqdn|domain] [-o DIR]
//	longtail baseline snapshot NAME | baseline snapshots
//	longtail new [--since NAME|TIME|SPAN] [--limit N] [--all]
//
// What the commands do is in engine/verdicts; here are their flags and
// their printing.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/atomicfile"
	"github.com/longtail/longtail/engine/lists"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/engine/verdicts"
	"github.com/longtail/longtail/internal/words"
)

func init() {
	commands["rules"] = command{run: cmdRules}
	commands["import-list"] = command{run: cmdImportList}
	commands["export"] = command{run: func(ctx context.Context, e *env, args []string) error {
		return exportRules(ctx, e, "export", "", args)
	}}
	commands["ranks"] = command{run: cmdRanks}
	commands["baseline"] = command{run: cmdBaseline}
	commands["new"] = command{run: cmdNew}
}

// subcommand splits "rules add ..." into "add" and its arguments; def is
// the subcommand when none is named.
func subcommand(args []string, def string) (string, []string) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return def, args
	}
	return args[0], args[1:]
}

// verdictFlag parses an optional --verdict value of the command cmd; None
// when not given. Its error names the command, as every other does.
func verdictFlag(cmd, s string) (rules.Verdict, error) {
	if s == "" {
		return rules.None, nil
	}
	v, err := rules.ParseVerdict(s)
	if err != nil {
		return v, fmt.Errorf("%s: %w", cmd, err)
	}
	return v, nil
}

// writeTo writes to the file at path atomically, or to stdout when path is
// empty. A file gets the exact bytes; stdout gets them too when it is a pipe
// or a file, for scripts, but on a terminal every line is sanitised
// (textsafe), since an export holds names from the data.
func writeTo(e *env, path string, write func(io.Writer) error) error {
	if path != "" {
		return atomicfile.WriteFile(path, write, 0o666)
	}
	if !isTerminal(e.stdout) {
		return write(e.stdout)
	}
	sw := textsafe.NewLineWriter(e.stdout)
	if err := write(sw); err != nil {
		return err
	}
	return sw.Flush()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

func cmdRules(ctx context.Context, e *env, args []string) error {
	sub, rest := subcommand(args, "list")
	switch sub {
	case "list", "ls":
		return rulesList(ctx, e, rest)
	case "add":
		return rulesAdd(ctx, e, rest)
	case "rm", "remove", "delete":
		return rulesRemove(ctx, e, rest)
	case "export":
		return exportRules(ctx, e, "rules export", string(lists.CSV), rest)
	}
	return fmt.Errorf("rules: unknown subcommand %q (want list, add, rm or export)", sub)
}

func rulesList(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("rules list", flag.ContinueOnError)
	verdict := fs.String("verdict", "", "only rules with this `verdict`: good, suspicious or bad")
	format := formatFlag(fs)
	d, err := openOptionsOnly(fs, e, args, true)
	if err != nil {
		return err
	}
	defer d.Close()
	v, err := verdictFlag("rules list", *verdict)
	if err != nil {
		return err
	}
	rs, _, cov, err := verdicts.WorkspaceCoverage(ctx, d)
	if err != nil {
		return err
	}
	t := &output.Table{Columns: []string{"id", "pattern", "scope", "verdict", "note", "author", "created", "origin", "names", "events", "kind"}}
	for _, r := range verdicts.Select(rs, v) {
		c := cov[r.ID]
		t.Add(r.ID, r.Pattern, r.Scope.String(), r.Verdict.String(), r.Note, r.Author, r.Created, r.Origin, c.Names, c.Events,
			subject.Must(r.Subject()).QualifiedName())
	}
	return t.Write(e.stdout, *format)
}

func rulesAdd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("rules add", flag.ContinueOnError)
	verdict := fs.String("verdict", "", "`verdict`: good, suspicious or bad (required)")
	scope := fs.String("scope", "", "`scope`: name (exactly the pattern) or domain (the pattern and every name below it); a leading *. means domain")
	note := fs.String("note", "", "a `note` on why")
	sf := addSubjectFlags(fs, "fqdn")
	patterns, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(patterns) == 0 || *verdict == "" {
		return errors.New("rules add: usage: longtail rules add PATTERN... --verdict good|suspicious|bad [--scope name|domain] [--note TEXT]")
	}
	v, err := verdictFlag("rules add", *verdict)
	if err != nil {
		return err
	}
	sub, groups, err := sf.resolve()
	if err != nil {
		return fmt.Errorf("rules add: %w", err)
	}
	if groups && *scope == "" {
		*scope = "domain"
	}
	if *scope == "" || *scope == "name" {
		for i, p := range patterns {
			patterns[i] = sub.Stored(p)
		}
	}
	like := rules.Rule{Kind: sub.Code, Verdict: v, Note: *note, Author: verdicts.DefaultAuthor(), Origin: "cli", Created: time.Now().UTC()}
	rs, err := verdicts.TypedRules(patterns, *scope, like)
	if err != nil {
		return fmt.Errorf("rules add: %w", err)
	}
	d, err := e.open(false)
	if err != nil {
		return err
	}
	defer d.Close()
	stored, replaced, err := d.PutRules(ctx, rs)
	if err != nil {
		return err
	}
	for i, r := range stored {
		if replaced[i].ID != 0 {
			fmt.Fprintf(e.stdout, "replaced rule %d: %s (was %s)\n", r.ID, verdicts.Describe(r), verdicts.Describe(replaced[i]))
		} else {
			fmt.Fprintf(e.stdout, "added rule %d: %s\n", r.ID, verdicts.Describe(r))
		}
	}
	return sayCoverage(ctx, e, d, stored)
}

// sayCoverage says what each new rule decides in the workspace, and
// suggests --scope domain for a name rule that decides nothing while names
// below its pattern exist (rules add pirate.sea covered none of
// www.pirate.sea, mail.pirate.sea…).
func sayCoverage(ctx context.Context, e *env, d *db.DB, added []rules.Rule) error {
	_, rows, cov, err := verdicts.WorkspaceCoverage(ctx, d)
	if err != nil {
		return err
	}
	for _, r := range added {
		sub := subject.Must(r.Subject())
		fmt.Fprintf(e.stdout, "  rule %d covers %s\n", r.ID, cov[r.ID].Of(sub))
		if u := names.Display(r.Pattern); sub.Hostname && u != r.Pattern {
			fmt.Fprintf(e.stdout, "  %s is %s in punycode: the rule decides the name in either spelling (a log may hold it in UTF-8)\n",
				textsafe.String(r.Pattern), textsafe.String(u))
		}
		if cov[r.ID].Names > 0 || r.Scope != rules.Name {
			continue
		}
		if below := verdicts.Below(r.Pattern, rows); below.Names > 0 {
			p := textsafe.String(r.Pattern)
			fmt.Fprintf(e.stdout, "  no name is exactly %s, but %s (%s) are below it: --scope domain covers them\n"+
				"  (longtail rules add %s --scope domain --verdict %s)\n",
				p, words.Count(int(below.Names), "name"), words.Count(int(below.Events), "event"), p, r.Verdict)
		}
	}
	return nil
}

// rulesRemove takes rules add's --kind and --by to remove one subject's
// rules of a pattern; without them, a pattern of several subjects is
// refused (verdicts.SeveralSubjectsError).
func rulesRemove(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("rules rm", flag.ContinueOnError)
	scope := fs.String("scope", "", "remove a pattern's rule of this `scope` only (name or domain); default: both")
	sf := addSubjectFlags(fs, "fqdn")
	targets, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return errors.New("rules rm: usage: longtail rules rm ID|PATTERN... [--scope name|domain] [--kind K] [--by S]")
	}
	only, err := onlySubject(fs, sf, scope)
	if err != nil {
		return fmt.Errorf("rules rm: %w", err)
	}
	d, err := e.open(false)
	if err != nil {
		return err
	}
	defer d.Close()
	gone, err := verdicts.RemoveTyped(ctx, d, targets, *scope, only)
	if err != nil {
		return fmt.Errorf("rules rm: %w", err)
	}
	for _, r := range gone {
		fmt.Fprintf(e.stdout, "removed rule %d: %s (%s)\n", r.ID, verdicts.Describe(r), subject.Must(r.Subject()).QualifiedName())
	}
	return nil
}

// onlySubject is the subject --kind and --by name, or zero when neither
// was given (every subject). --by domain names the kind's domain rules,
// as it does for rules add.
func onlySubject(fs *flag.FlagSet, sf subjectFlags, scope *string) (subject.Code, error) {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "kind" || f.Name == "by" })
	if !given {
		return 0, nil
	}
	sub, groups, err := sf.resolve()
	if groups && *scope == "" {
		*scope = "domain"
	}
	return sub.Code, err
}

// exportRules is "export" and "rules export": the rules, optionally of one
// verdict, in a list format, to a file written atomically or to stdout.
// ofKind keeps the rules of a kind (and subject, when by is set); an empty
// kind keeps them all.
func ofKind(rs []rules.Rule, kind, by string) ([]rules.Rule, error) {
	if kind == "" {
		if by != "" {
			return nil, errors.New("--by needs --kind")
		}
		return rs, nil
	}
	k, err := subject.ParseKind(kind)
	if err != nil {
		return nil, err
	}
	var sub subject.Subject
	if by != "" {
		if sub, err = subject.Parse(k, by); err != nil {
			return nil, err
		}
	}
	return slices.DeleteFunc(rs, func(r rules.Rule) bool {
		s := subject.Must(r.Subject())
		return s.Kind != k || (by != "" && s.Code != sub.Code)
	}), nil
}

func exportRules(ctx context.Context, e *env, name, defFormat string, args []string) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	verdict := fs.String("verdict", "", "only rules with this `verdict`: good, suspicious or bad")
	format := fs.String("format", defFormat, "list `format`: plain, hosts, adblock, zeek-intel, suricata-dataset, suricata-rules, rpz, csv or json")
	out := fs.String("o", "", "write to `file` (atomically) instead of stdout")
	zone := fs.String("zone", lists.DefaultZone, "rpz: the `name` the zone is loaded under (owner names must fit in 253 bytes with it)")
	kind := fs.String("kind", "", "only the rules of this `kind` (dns, http, logon); default: every kind the format carries")
	by := fs.String("by", "", "with --kind, only the rules of this `subject` (http: host, path, ua, client, referer, status)")
	if err := optionsOnly(fs, e, args); err != nil {
		return err
	}
	if *format == "" {
		return fmt.Errorf("%s: --format is required (plain, hosts, adblock, zeek-intel, suricata-dataset, suricata-rules, rpz, csv or json)", name)
	}
	v, err := verdictFlag(name, *verdict)
	if err != nil {
		return err
	}
	d, err := e.open(true)
	if err != nil {
		return err
	}
	defer d.Close()
	// Check the format before an -o file is created or replaced.
	if err := lists.CheckFormat(*format); err != nil {
		return err
	}
	if err := rules.ValidName(strings.TrimSuffix(*zone, ".")); err != nil {
		return fmt.Errorf("%s: --zone %q: %w", name, *zone, err)
	}
	rs, meta, err := verdicts.Export(ctx, d, v, *format, time.Now().UTC())
	if err != nil {
		return err
	}
	if rs, err = ofKind(rs, *kind, *by); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	meta.Zone = *zone
	var rep lists.Report
	if err := writeTo(e, *out, func(w io.Writer) (err error) {
		rep, err = lists.Write(w, *format, rs, meta)
		return err
	}); err != nil {
		return err
	}
	dest := "stdout"
	if *out != "" {
		dest = textsafe.String(*out)
	}
	fmt.Fprintf(e.stderr, "%s written to %s (%s)\n", words.Count(rep.Written, "rule"), dest, *format)
	for _, n := range rep.Notes {
		fmt.Fprintln(e.stderr, "  "+n)
	}
	if len(rep.Omitted) > 0 {
		fmt.Fprintf(e.stderr, "%s left out:\n", words.Count(len(rep.Omitted), "rule"))
	}
	for _, o := range rep.Omitted {
		fmt.Fprintln(e.stderr, "  "+lists.DescribeOmitted(o))
	}
	return nil
}

func cmdImportList(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import-list", flag.ContinueOnError)
	verdict := fs.String("verdict", "", "`verdict` for the names the list gives none: good, suspicious or bad")
	top := fs.Int("top", 0, "keep ranks 1..`N` of a popularity list, the first N entries of another list")
	note := fs.String("note", "", "a `note` for the rules added")
	asRanks := fs.Bool("ranks", false, "a plain list whose line order is its popularity rank (like Umbrella top-1m): store ranks")
	category := fs.String("category", "", "the `category` of a list's names (context, not a verdict); on a UT1 folder with --verdict, the categories that become rules (malware,phishing)")
	files, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New("import-list: usage: longtail import-list FILE [--verdict good|suspicious|bad] [--top N] [--note TEXT] [--ranks] [--category NAME]")
	}
	if isCategoryImport(files[0], *category) {
		v, err := verdictFlag("import-list", *verdict)
		if err != nil {
			return err
		}
		return importCategories(ctx, e, files[0], *category, v, *note)
	}
	opt := verdicts.ImportOptions{Top: *top, Note: *note, AsRanks: *asRanks, Origin: filepath.Base(files[0]), Author: verdicts.DefaultAuthor(), Now: time.Now().UTC()}
	if opt.Verdict, err = verdictFlag("import-list", *verdict); err != nil {
		return err
	}
	if err := opt.Check(); err != nil {
		return fmt.Errorf("import-list: %w", err)
	}
	var in io.Reader = os.Stdin
	if files[0] == "-" {
		opt.Origin = "stdin"
	} else {
		f, err := os.Open(files[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	d, err := e.open(false)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := verdicts.Import(ctx, d, in, opt)
	if err != nil {
		return fmt.Errorf("import-list %s: %w", textsafe.String(files[0]), err)
	}
	rep.Write(e.stdout)
	return nil
}

// lookupCommand parses the arguments of a command of list, lookup and
// clear subcommands (ranks, asn) and opens the workspace: to read, but to
// write for clear.
func lookupCommand(e *env, name string, args []string) (sub string, rest []string, format *string, d *db.DB, err error) {
	sub, rest = subcommand(args, "list")
	if sub != "list" && sub != "lookup" && sub != "clear" {
		return "", nil, nil, nil, fmt.Errorf("%s: unknown subcommand %q (want list, lookup or clear)", name, sub)
	}
	fs := flag.NewFlagSet(name+" "+sub, flag.ContinueOnError)
	format = formatFlag(fs)
	if sub == "list" {
		d, err = openOptionsOnly(fs, e, rest, true)
		return sub, nil, format, d, err
	}
	rest, d, err = openAfterFlags(fs, e, rest, sub != "clear")
	return sub, rest, format, d, err
}

func cmdRanks(ctx context.Context, e *env, args []string) error {
	sub, rest, format, d, err := lookupCommand(e, "ranks", args)
	if err != nil {
		return err
	}
	defer d.Close()
	switch sub {
	case "list":
		ls, err := d.RankLists(ctx)
		if err != nil {
			return err
		}
		t := &output.Table{Columns: []string{"list", "names", "best", "worst"}}
		for _, l := range ls {
			t.Add(l.List, l.Names, int64(l.Best), int64(l.Worst))
		}
		return t.Write(e.stdout, *format)
	case "lookup":
		t := &output.Table{Columns: []string{"name", "rank", "list"}}
		for _, n := range rest {
			p, err := rules.NormalizePattern(n)
			if err != nil {
				return fmt.Errorf("ranks lookup: %q: %w", n, err)
			}
			r, err := d.RankOf(ctx, p)
			switch {
			case errors.Is(err, db.ErrNotFound):
				t.Add(p, nil, nil)
			case err != nil:
				return err
			default:
				t.Add(p, int64(r.Rank), r.List)
			}
		}
		return t.Write(e.stdout, *format)
	case "clear":
		return clearSub(e, "ranks clear", "list", "ranks", rest, func(one string) (int64, error) { return d.ClearRanks(ctx, one) })
	}
	return nil
}

// clearSub is the clear subcommand of ranks, asn and categories: it clears
// the one imported source named (a what), or every one, and says how many
// of the removed (a plural in s) it removed.
func clearSub(e *env, name, what, removed string, rest []string, clear func(string) (int64, error)) error {
	if len(rest) > 1 {
		return fmt.Errorf("%s: name one %s, or none for all", name, what)
	}
	n, err := clear(strings.Join(rest, ""))
	if err != nil {
		return err
	}
	if n == 1 {
		removed = strings.TrimSuffix(removed, "s") // "1 network table", not tables
	}
	fmt.Fprintf(e.stdout, "%d %s removed\n", n, removed)
	return nil
}

func cmdBaseline(ctx context.Context, e *env, args []string) error {
	sub, rest := subcommand(args, "")
	switch sub {
	case "":
		return baselineWrite(ctx, e, rest)
	case "snapshot":
		return baselineSnapshot(ctx, e, rest)
	case "snapshots":
		return baselineSnapshots(ctx, e, rest)
	}
	return fmt.Errorf("baseline: unknown subcommand %q (want snapshot NAME, snapshots, or flags)", sub)
}

// baselineWrite writes the talk's first baseline (verdicts.Baseline).
func baselineWrite(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	normalOver := fs.Int64("normal-over", 10, "names seen more than `N` times are normal")
	suspUnder := fs.Int64("suspicious-under", 3, "names seen fewer than `N` times are suspicious")
	by := fs.String("by", "fqdn", "baseline of each name (`fqdn`) or of registered domains (domain)")
	dir := fs.String("o", ".", "write the files into `dir`")
	if err := optionsOnly(fs, e, args); err != nil {
		return err
	}
	if err := verdicts.CheckThresholds(*normalOver, *suspUnder); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	d, err := e.open(true)
	if err != nil {
		return err
	}
	defer d.Close()
	b, err := verdicts.ComputeBaseline(ctx, d, *by, *normalOver, *suspUnder)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return verdicts.WriteBaseline(*dir, b, e.stdout)
}

func baselineSnapshot(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("baseline snapshot", flag.ContinueOnError)
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("baseline snapshot: usage: longtail baseline snapshot NAME")
	}
	d, err := e.open(false)
	if err != nil {
		return err
	}
	defer d.Close()
	s, err := d.CreateSnapshot(ctx, rest[0])
	if err != nil {
		return fmt.Errorf("baseline snapshot: %w", err)
	}
	fmt.Fprintf(e.stdout, "snapshot %s taken at %s: names up to id %d known\n",
		textsafe.String(s.Name), s.Created.Format(time.RFC3339), s.MaxName)
	return nil
}

func baselineSnapshots(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("baseline snapshots", flag.ContinueOnError)
	format := formatFlag(fs)
	d, err := openOptionsOnly(fs, e, args, true)
	if err != nil {
		return err
	}
	defer d.Close()
	ss, err := d.Snapshots(ctx)
	if err != nil {
		return err
	}
	t := &output.Table{Columns: []string{"name", "created", "max_name"}}
	for _, s := range ss {
		t.Add(s.Name, s.Created, int64(s.MaxName))
	}
	return t.Write(e.stdout, *format)
}

// cmdNew lists the names new since a snapshot or a time
// (review.NewSince), with their verdicts and popularity ranks.
func cmdNew(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("new", flag.ContinueOnError)
	since := fs.String("since", "", "a snapshot `NAME`, a TIME (2024-03-04, 2024-03-04T15:00:00Z) or a SPAN before the last event (1d, 12h); default: the latest snapshot")
	limit := fs.Int("limit", 100, "show at most `N` names (0: all)")
	all := fs.Bool("all", false, "include the names rules mark known-good")
	sf := addSubjectFlags(fs, "fqdn")
	format := formatFlag(fs)
	d, err := openOptionsOnly(fs, e, args, true)
	if err != nil {
		return err
	}
	defer d.Close()
	sub, groups, err := sf.resolve()
	if err != nil {
		return fmt.Errorf("new: %w", err)
	}
	news, err := review.NewSince(ctx, d, sub, *since, *limit, *all, groups)
	if err != nil {
		return err
	}
	t := &output.Table{Columns: []string{"count", "clients", "first_seen", "last_seen", nameColumn(sub), groupColumn(sub), "verdict", "rank", "kind"}}
	if groups {
		t.Columns = slices.Delete(t.Columns, 4, 5)
	}
	for _, n := range news.Names {
		cells := []any{n.Count, n.Clients, micros(n.First), micros(n.Last), n.Name, n.Domain}
		if groups {
			cells = cells[:5]
		}
		t.Add(append(cells, verdictCell(n.Verdict), rankCell(int32(n.Rank)), sub.QualifiedName())...)
	}
	if err := t.Write(e.stdout, *format); err != nil {
		return err
	}
	if *format == "table" {
		what := sub.Count(int64(news.Total))
		if groups {
			what = sub.CountGroups(int64(news.Total))
		}
		fmt.Fprintf(e.stderr, "%s new since %s: %s shown, %s known-good left out (--all shows them)\n",
			what, textsafe.String(news.Since.String()), words.Int(len(news.Names)), words.Int(news.Hidden))
	}
	return nil
}

// verdictCell is a verdict in a table: empty (JSON null) when no rule decides.
func verdictCell(v rules.Verdict) any {
	if v == rules.None {
		return nil
	}
	return v.String()
}
