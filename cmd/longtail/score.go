package main

import (
	"context"
	"flag"
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
)

func init() {
	commands["score"] = command{run: cmdScore}
}

func cmdScore(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	sf := addSubjectFlags(fs, "domain")
	limit := fs.Int("limit", 50, "how many `rows` (0: all)")
	stored := fs.Bool("stored", false, "show the stored scores, even when the workspace changed since they were computed")
	rescore := fs.Bool("rescore", false, "score the whole workspace again, even when the stored scores are up to date")
	format := formatFlag(fs)
	if err := optionsOnly(fs, e, args); err != nil {
		return err
	}
	sub, groups, err := sf.resolve()
	if err != nil {
		return fmt.Errorf("score: %w", err)
	}
	if *limit <= 0 {
		*limit = -1 // every row (the store reads none for 0); 0 is all, as in top
	}
	if groups && sub.Kind == record.KindLogon && !isSet(fs, "by") {
		// A source's /24 hides which address did it: the sources
		// themselves are what a logon score is first about.
		groups = false
	}
	if *stored && *rescore {
		return fmt.Errorf("score: --stored and --rescore exclude each other")
	}
	d, err := e.open(true)
	if err != nil {
		return err
	}
	defer func() { d.Close() }()
	why := "--rescore asked for it"
	if !*rescore && !*stored {
		if why, err = scoresStale(ctx, d); err != nil {
			return err
		}
	}
	if why != "" && !*stored {
		d.Close()
		if d, err = e.open(false); err != nil {
			return err
		}
		sum, err := scoreWorkspace(ctx, d)
		if err != nil {
			return err
		}
		if *format == "table" {
			fmt.Fprintf(e.stderr, "%s: %s\n", sum, why)
		}
	}
	t := &output.Table{}
	reasons := func(cs []db.Contribution) any {
		if *format == "json" {
			return cs
		}
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = fmt.Sprintf("%s %.1f: %s", c.Signal, c.Points, c.Why)
		}
		return strings.Join(parts, "; ")
	}
	if groups {
		rows, err := d.TopScoredDomains(ctx, sub.Code, *limit)
		if err != nil {
			return err
		}
		t.Columns = []string{"count", "clients", "names", groupColumn(sub), "score", "why", "kind"}
		for _, r := range rows {
			t.Add(r.Count, r.Clients, r.Names, r.Name, roundScore(r.Score.Score), reasons(r.Contribs), sub.QualifiedName())
		}
	} else {
		rows, err := d.TopScoredNames(ctx, sub.Code, *limit)
		if err != nil {
			return err
		}
		t.Columns = []string{"count", "clients", nameColumn(sub), groupColumn(sub), "score", "why", "kind"}
		for _, r := range rows {
			t.Add(r.Count, r.Clients, r.Name, r.Domain, roundScore(r.Score.Score), reasons(r.Contribs), sub.QualifiedName())
		}
	}
	if len(t.Rows) == 0 {
		sayNotScored(e, sub)
	}
	return t.Write(e.stdout, *format)
}

// sayNotScored notes on stderr, for a subject the scorer leaves out, the
// subjects of its kind it ranks: score --kind http --by status printed an
// empty table unexplained.
func sayNotScored(e *env, sub subject.Subject) {
	if sub.Scored {
		return
	}
	var scored, flags []string
	for _, o := range subject.Of(sub.Kind) {
		if o.Scored {
			scored, flags = append(scored, o.Plural), append(flags, o.Name)
		}
	}
	fmt.Fprintf(e.stderr, "longtail: note: %s are not scored; of the kind, these are: %s (--by %s)\n",
		sub.Title, strings.Join(scored, ", "), strings.Join(flags, "|"))
}

// scoreMemoryLimit is the soft memory limit a whole scoring runs under:
// at its peak it holds about 320 MB on a 20M-event workspace, and the
// collector, left alone, lets the heap grow to twice that between
// collections.
const scoreMemoryLimit = 340 << 20

// scoreWorkspace scores the whole workspace under scoreMemoryLimit (or
// a lower one given, GOMEMLIMIT). What an ingest before it left (its
// heap, the page caches of its connections) is given back to the system
// first: its peak and the scoring's do not add up.
func scoreWorkspace(ctx context.Context, d *db.DB) (score.Summary, error) {
	d.FreeCaches()
	debug.FreeOSMemory()
	defer holdLimit(scoreMemoryLimit, processLimit)()
	return score.RunAlone(ctx, d)
}

// holdLimit sets the soft memory limit to limit (or a lower one set
// before: GOMEMLIMIT, an ingest's) and keeps it above the live heap
// (keepLimitAbove), up to ceiling and never past the process's own, until
// the function it returns is called, which puts back the one before.
func holdLimit(limit, ceiling int64) (release func()) {
	was := debug.SetMemoryLimit(-1)
	base := min(was, limit)
	debug.SetMemoryLimit(base)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { keepLimitAbove(base, min(ceiling, processLimit), processLimit, stop); close(done) }()
	return func() {
		close(stop)
		<-done
		debug.SetMemoryLimit(was)
	}
}

// processLimit is the soft memory limit the process started with
// (GOMEMLIMIT, or none): keepLimitAbove never raises one past it.
var processLimit = debug.SetMemoryLimit(-1)

// keepLimitAbove raises the soft memory limit whenever the live heap and
// the runtime's memory beside it come within a twentieth of it: to a fifth
// above the live heap up to ceiling, and past the ceiling to a tenth
// above it, never past hard. A limit at or below what must stay live does
// not bound the memory and makes the collector run all the time, capped
// at half the CPU: a 40M-event workspace holds more than an ingest's 340
// MiB at the scoring's peak, and its scoring took twice as long (78 s
// against 38 s); a load of 10M Zeek lines with clients holds 380 MB, and
// collected 100 to 200 times a second for ten seconds, a third of its CPU.
// A limit comfortably above the live heap is left alone: a 20M-event
// scoring holds about 320 MB, and stays under its 340 MiB as before.
func keepLimitAbove(limit, ceiling, hard int64, stop <-chan struct{}) {
	samples := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		samples[i].Name = name
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		live, other, ok := heapNow(samples)
		if !ok {
			return // not measured by this runtime: the limit stays
		}
		if live*21/20+other <= limit {
			continue
		}
		next := live*limitHeadroom/5 + other
		if next > ceiling {
			next = max(ceiling, live*11/10+other)
		}
		if next = min(next, hard); next > limit {
			limit = next
			debug.SetMemoryLimit(limit)
		}
	}
}

// limitHeadroom is the soft limit over the live heap once it is raised,
// in fifths.
const limitHeadroom = 6

var heapMetrics = []string{"/gc/heap/live:bytes", "/memory/classes/total:bytes", "/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/free:bytes", "/memory/classes/heap/released:bytes"}

// heapNow reads heapMetrics into s and returns the live heap (as the last
// collection marked it) and what the soft limit counts beside the heap's
// objects: the gaps in the heap's spans, stacks, the runtime's metadata.
func heapNow(s []metrics.Sample) (live, other int64, ok bool) {
	metrics.Read(s)
	v := make([]int64, 0, len(heapMetrics))
	for i := range s {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0, 0, false
		}
		v = append(v, int64(s[i].Value.Uint64()))
	}
	return v[0], v[1] - v[2] - v[3] - v[4], true
}

// scoresStale says why the stored scores are out of date ("" when they are
// not): never computed, a source read, a rule added or removed or a rank
// list or an AS table imported since. Scoring the whole workspace takes seconds on a
// large one, so score reads the stored scores unless one of these
// happened; --rescore scores again anyway (a newer longtail's scorer).
func scoresStale(ctx context.Context, d *db.DB) (string, error) {
	at, err := d.ScoredAt(ctx)
	if err != nil || at.IsZero() {
		return "never scored before", err
	}
	srcs, err := d.Sources(ctx)
	if err != nil {
		return "", err
	}
	for _, s := range srcs {
		if s.LastRead.After(at) {
			return textsafe.String(s.Path) + " read since the last scoring", nil
		}
	}
	rs, err := d.Rules(ctx)
	if err != nil {
		return "", err
	}
	for _, r := range rs {
		if r.Created.After(at) {
			return "a rule added since the last scoring", nil
		}
	}
	changed, err := d.ScoringInputsChangedAt(ctx)
	if err != nil || !changed.After(at) {
		return "", err
	}
	return "a rule removed, or a rank list or an AS table changed, since the last scoring", nil
}

// isSet reports whether the command line gave the flag.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
