package verdicts

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/lists"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
)

// Covered is what one rule decides in the workspace.
type Covered struct{ Names, Events int64 }

// Coverage counts, per rule id, the names and events that rule decides:
// each name counts once, for the most specific rule of its subject
// (rules.Matcher). names may be of several subjects.
func Coverage(rs []rules.Rule, names []db.NameRow) map[int64]Covered {
	ms := newMatchers(rs)
	cov := make(map[int64]Covered, len(rs))
	for _, n := range names {
		if r, ok := ms.of(subjectOf(n)).MatchRow(n.Name, n.Domain, false); ok {
			c := cov[r.ID]
			c.Names++
			c.Events += n.Count
			cov[r.ID] = c
		}
	}
	return cov
}

// matchers decides names of any subject by the same rules: one
// rules.Matcher per subject, built on first use.
type matchers struct {
	rs []rules.Rule
	m  map[subject.Code]*rules.Matcher
}

func newMatchers(rs []rules.Rule) *matchers {
	return &matchers{rs: rs, m: map[subject.Code]*rules.Matcher{}}
}

func (ms *matchers) of(code subject.Code) *rules.Matcher {
	m := ms.m[code]
	if m == nil {
		m = rules.NewMatcher(ms.rs, code)
		ms.m[code] = m
	}
	return m
}

// WorkspaceCoverage is Coverage of the workspace's rules over the names of
// their subjects, with the rules and names it read.
func WorkspaceCoverage(ctx context.Context, d *db.DB) ([]rules.Rule, []db.NameRow, map[int64]Covered, error) {
	rs, err := d.Rules(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	names, err := namesOf(ctx, d, rs)
	if err != nil {
		return nil, nil, nil, err
	}
	return rs, names, Coverage(rs, names), nil
}

// subjectOf is a name's subject; a row made without one is a DNS name.
func subjectOf(n db.NameRow) subject.Code {
	if n.Kind == 0 {
		return subject.DNSName
	}
	return subject.Code(n.Kind)
}

// namesOf reads the names of every subject some rule of rs is for.
func namesOf(ctx context.Context, d *db.DB, rs []rules.Rule) ([]db.NameRow, error) {
	var names []db.NameRow
	seen := map[subject.Code]bool{}
	for _, r := range rs {
		if code := r.Subject(); !seen[code] {
			seen[code] = true
			ns, err := d.AllNames(ctx, code)
			if err != nil {
				return nil, err
			}
			names = append(names, ns...)
		}
	}
	return names, nil
}

// Below counts the names strictly below pattern and their events: what a
// name rule on pattern leaves out and a domain rule would decide. Queries
// are for subdomains, so a name rule on a bare domain often covers nothing.
func Below(pattern string, names []db.NameRow) Covered {
	var c Covered
	suffix := "." + pattern
	for _, n := range names {
		if strings.HasSuffix(n.Name, suffix) {
			c.Names++
			c.Events += n.Count
		}
	}
	return c
}

// Of is what a rule of sub covers in its words: "1 user agent, 109 events".
func (c Covered) Of(sub subject.Subject) string {
	return sub.Count(c.Names) + ", " + words.Count(int(c.Events), "event")
}

// Select returns the rules of verdict v, or all of them for rules.None.
func Select(rs []rules.Rule, v rules.Verdict) []rules.Rule {
	if v == rules.None {
		return rs
	}
	var out []rules.Rule
	for _, r := range rs {
		if r.Verdict == v {
			out = append(out, r)
		}
	}
	return out
}

// Export returns the workspace's rules of verdict v (rules.None: all) and
// what an export of them in format needs: the header that says where they
// came from, the bare names of domain rules that a rule of another verdict
// decides (lists.ExportMeta.Decided) and, for formats whose consumers
// match exact names only, the names seen below each domain rule
// (lists.ExportMeta.Below). Both are decided among all the workspace's
// rules: what a rule left out of the export decides is not exported.
func Export(ctx context.Context, d *db.DB, v rules.Verdict, format string, now time.Time) ([]rules.Rule, lists.ExportMeta, error) {
	all, err := d.Rules(ctx)
	if err != nil {
		return nil, lists.ExportMeta{}, err
	}
	rs := Select(all, v)
	meta := lists.ExportMeta{Generated: now, Source: "workspace " + filepath.Base(d.Path()), Verdict: v}
	if v != rules.None {
		meta.Source += ", verdict " + v.String()
	}
	if !slices.ContainsFunc(rs, isDomain) {
		return rs, meta, nil
	}
	ms := newMatchers(all)
	meta.Decided = decidedElsewhere(rs, ms)
	if lists.ExactNames(lists.Format(format)) {
		names, err := namesOf(ctx, d, rs)
		if err != nil {
			return nil, meta, err
		}
		meta.Below = namesBelow(rs, names, ms)
	}
	return rs, meta, nil
}

func isDomain(r rules.Rule) bool { return r.Scope == rules.Domain }

// decidedElsewhere gives the bare names of rs's domain rules that a rule
// outside rs decides among the workspace's rules (ms): an exact known-good
// rule on example.org when only the bad rules are exported.
func decidedElsewhere(rs []rules.Rule, ms *matchers) map[string]bool {
	exported := ids(rs)
	decided := map[string]bool{}
	for _, r := range rs {
		if !isDomain(r) || !subject.Must(r.Subject()).Hostname {
			continue
		}
		if o, ok := ms.of(r.Subject()).Match(r.Pattern); ok && !exported[o.ID] {
			decided[r.Pattern] = true
		}
	}
	return decided
}

// ids is the set of the ids of rs.
func ids(rs []rules.Rule) map[int64]bool {
	set := make(map[int64]bool, len(rs))
	for _, r := range rs {
		set[r.ID] = true
	}
	return set
}

// namesBelow maps each domain rule of rs to the names it decides among the
// workspace's rules (ms): a name below it that a more specific rule
// decides, a known-good exception say, is not that rule's to export.
func namesBelow(rs []rules.Rule, names []db.NameRow, ms *matchers) map[string][]string {
	exported := ids(rs)
	below := map[string][]string{}
	for _, n := range names {
		code := subjectOf(n)
		if !subject.Must(code).Hostname {
			continue
		}
		if r, ok := ms.of(code).Match(n.Name); ok && exported[r.ID] && r.Scope == rules.Domain && n.Name != r.Pattern {
			below[r.Pattern] = append(below[r.Pattern], n.Name)
		}
	}
	for _, ns := range below {
		slices.Sort(ns)
	}
	return below
}

// Describe is a rule in one line for messages: "bad *.evil.example (note)".
func Describe(r rules.Rule) string {
	s := r.Verdict.String() + " "
	if r.Scope == rules.Domain {
		s += "*."
	}
	s += r.Pattern
	if r.Note != "" {
		s += " (" + r.Note + ")"
	}
	return textsafe.String(s)
}

// patternScope reads a typed pattern and an optional scope word (--scope):
// "*.x" and the scope domain both mean the domain scope; they must not
// contradict.
func patternScope(p, scopeWord string) (string, rules.Scope, error) {
	pattern, scope, err := rules.ParsePattern(p)
	if err != nil {
		return "", scope, fmt.Errorf("%q: %w", p, err)
	}
	if scopeWord == "" {
		return pattern, scope, nil
	}
	s, err := rules.ParseScope(scopeWord)
	if err != nil {
		return "", scope, err
	}
	if scope == rules.Domain && s == rules.Name {
		return "", scope, fmt.Errorf("%q: a *. pattern has domain scope, not name", p)
	}
	return pattern, s, nil
}

// selector reads a typed rule target: a number is a rule id, anything else
// a pattern ("*.x" selects x's domain rule; a bare pattern its rules of
// every scope unless scopeWord narrows it).
func selector(t, scopeWord string) (func(rules.Rule) bool, error) {
	if id, err := strconv.ParseInt(t, 10, 64); err == nil {
		return func(r rules.Rule) bool { return r.ID == id }, nil
	}
	pattern, scope, err := patternScope(t, scopeWord)
	if err != nil {
		// No host name pattern: a value of another subject (an account
		// with an @, a user agent), its rules matched as typed or as
		// their subject stores it.
		t = strings.TrimSpace(t)
		return func(r rules.Rule) bool {
			sub, ok := subject.ByCode(r.Subject())
			return ok && !sub.Hostname && (r.Pattern == t || r.Pattern == sub.Stored(t))
		}, nil
	}
	t = strings.TrimSpace(t)
	anyScope := scopeWord == "" && !strings.HasPrefix(t, "*.") && !strings.HasPrefix(t, ".")
	return func(r rules.Rule) bool {
		return r.Pattern == pattern && (anyScope || r.Scope == scope)
	}, nil
}

// DefaultAuthor is the author of the rules a person adds: the OS user.
func DefaultAuthor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if s := strings.TrimSpace(os.Getenv("USER")); s != "" {
		return s
	}
	return "unknown"
}

// TypedRules builds the rules for typed patterns (see patternScope), each a
// copy of like with its pattern and scope.
func TypedRules(patterns []string, scopeWord string, like rules.Rule) ([]rules.Rule, error) {
	var rs []rules.Rule
	for _, p := range patterns {
		r := like
		var err error
		if !subject.Must(r.Subject()).Hostname {
			// A path, a user agent: taken as typed; the scope says
			// whether it is one value or a group (a family).
			r.Pattern = p
			if r.Scope, err = rules.ParseScope(cmp.Or(scopeWord, "name")); err != nil {
				return nil, err
			}
		} else if r.Pattern, r.Scope, err = patternScope(p, scopeWord); err != nil {
			return nil, err
		} else if why := r.OnSuffix(); why != "" {
			return nil, fmt.Errorf("%q %s; give one of those domains, or --scope name for the name %s alone", p, why, r.Pattern)
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// RemoveTyped deletes the rules typed targets select (see selector), each
// once, and returns them. only, when not zero, keeps to the rules of that
// subject. Without it, a pattern that selects rules of several subjects
// (www.alexa.com, a DNS name good, an HTTP host bad) removes nothing: the
// *SeveralSubjectsError names them, for the analyst to pick one. A target
// that selects nothing removes nothing.
func RemoveTyped(ctx context.Context, d *db.DB, targets []string, scopeWord string, only subject.Code) ([]rules.Rule, error) {
	rs, err := d.Rules(ctx)
	if err != nil {
		return nil, err
	}
	var gone []rules.Rule
	for _, t := range targets {
		match, err := selector(t, scopeWord)
		if err != nil {
			return nil, err
		}
		var hit []rules.Rule
		for _, r := range rs {
			if match(r) && (only == 0 || r.Subject() == only) {
				hit = append(hit, r)
			}
		}
		if len(hit) == 0 {
			return nil, fmt.Errorf("no rule matches %s", textsafe.String(t))
		}
		if only == 0 && severalSubjects(hit) {
			return nil, &SeveralSubjectsError{Target: t, Rules: hit}
		}
		for _, r := range hit {
			if !slices.ContainsFunc(gone, func(g rules.Rule) bool { return g.ID == r.ID }) {
				gone = append(gone, r)
			}
		}
	}
	ids := make([]int64, len(gone))
	for i, r := range gone {
		ids[i] = r.ID
	}
	return gone, d.DeleteRules(ctx, ids)
}

func severalSubjects(rs []rules.Rule) bool {
	return slices.ContainsFunc(rs, func(r rules.Rule) bool { return r.Subject() != rs[0].Subject() })
}

// SeveralSubjectsError refuses to remove the rules of a pattern that
// several subjects have: the one the analyst means is named by its subject
// or its id, the others are not removed by surprise.
type SeveralSubjectsError struct {
	Target string
	Rules  []rules.Rule
}

func (e *SeveralSubjectsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s has rules of several subjects, so none was removed; name one by its id, or by --kind and --by:",
		textsafe.String(e.Target))
	for _, r := range e.Rules {
		sub := subject.Must(r.Subject())
		fmt.Fprintf(&b, "\n  rule %d for %s: %s (--kind %s --by %s)", r.ID, sub.Title, Describe(r), sub.Kind, sub.Name)
	}
	return b.String()
}
