package score

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
)

// Incremental scoring (a Keeper's, while a follow or a capture runs):
// after a whole scoring, the registered domains whose names got events
// since are scored again, each with all its names, against what the
// whole scoring learnt: its n-gram model, each client's failure share,
// the organisations' histories and the stretches of traffic (extended by
// the new names' times). A domain's
// names are scored together because its tunnel, answers and generated-
// label evidence are of all of them. A name's score then moves seconds
// after its events came, where a whole rescore of a 20M-event workspace
// takes as many seconds as a pass takes milliseconds.
//
// The values of the HTTP and logon subjects that got events are scored
// again too (incremental_values.go): the Base keeps the HTTP and logon
// scorers of the whole scoring, with what they summed, and a pass adds
// the events stored since (those alone are read, with the details of the
// requests and logons not seen before). It scores again the values that
// got them, the paths whose few clients include a changed client (a path
// inherits its scanners' strength), the clients whose paths of their own
// another client asked since, and the groups of them all, each with all
// its values (a group takes its strongest value's evidence). The logons
// are judged on from the last judgement (incremental_logon.go): each
// source's walk goes on with its new logons and its attacks are judged
// again, and the accounts that got logons with all theirs, so a spray,
// a brute force across sources, a break-in come out as a whole scoring's.
// When a walk cannot go on (logons older than its last, an account that
// logs on from a source it failed from before: those failures were
// judged as guesses; a target found to be a honeypot) every logon is
// judged again in memory, up to incEvents of them; a larger workspace's
// wait. A value scored so has the evidence a whole scoring would give it
// (the tests compare them); what a pass approximates is what moves a
// little with every event without an event of the value: the rarity and
// newness of the values that got none (the totals and span they are
// judged against grew), the values a group takes its evidence from, as
// last scored, the rare pairs of an account and the rare passwords and
// commands of others that a new logon outweighs, the baseline snapshot
// (the whole scoring's), and the unresolved signal of a host new since
// the whole scoring, which waits for the next (it is judged against the
// DNS names' answers, which a pass does not read).
//
// What an incremental pass does not redo waits for the next whole
// scoring (Keeper: keepGrowth, keepAge): domains of more than
// incDomainEvents events (a new event moves their scores little and
// reading them again costs most), the logons of a workspace of more than
// incEvents when they must all be judged again, the verdict feedback
// across domains and the model. A rule
// written since the base (a mark) takes a whole rescore (errWhole).

const (
	// incDomainEvents is the most events a domain may have to be scored
	// again by an incremental pass.
	incDomainEvents = 100_000
	// incEvents is about the most events a pass reads: the domains with
	// fewest events go first, the rest wait for the next whole scoring;
	// and the most logons it judges again all at once.
	incEvents = 1_000_000
)

// Base is what a whole scoring leaves for the incremental passes after it.
type Base struct {
	model                        *Model
	clientAnswered, clientFailed []int32
	stretches                    []stretch
	first, last                  int64             // the DNS names' span, unix µs
	mark                         int64             // db.BlocksMark before the events were read
	drops                        int64             // db.Drops before the mark was taken
	rules                        [sha256.Size]byte // rulesKey of the rules it scored by
	// orgs are the organisations' histories (buildOrgs): the hosts of
	// one under a suffix nobody registers are registered domains of
	// their own, of which a pass reads a few.
	orgs   map[string]*org
	events int64 // the workspace's events then
	at     time.Time
	// web and logon are the HTTP and logon scorers, with what they summed
	// of the events up to mark (nil: none yet); a pass adds to them.
	web   *httpScorer
	logon *logonScorer
	// context is the whole scoring's figures (its baseline), which the
	// HTTP and logon values' newness is judged by.
	context db.ScoreContext
}

// base is what the scorer, finished, leaves for incremental passes; mark,
// drops and events are where the workspace stood when its events were
// read.
func (s *Scorer) base(mark, drops, events int64) *Base {
	c := s.fin.Context
	c.Ranked = nil
	return &Base{context: c, model: s.fin.Model, clientAnswered: s.clientAnswered, clientFailed: s.clientFailed, stretches: s.stretches,
		first: s.fin.Context.First, last: s.fin.Context.Last, mark: mark, drops: drops, events: events,
		rules: rulesKey(s.in.SubjectRules), orgs: s.orgs, at: time.Now(), web: s.http, logon: s.logon}
}

// rulesKey tells one set of rules from another as far as scoring goes:
// their subjects, patterns, scopes and verdicts.
func rulesKey(rs []rules.Rule) [sha256.Size]byte {
	h := sha256.New()
	for _, r := range rs {
		fmt.Fprintf(h, "%d %d %q %d %d\n", r.ID, r.Kind, r.Pattern, r.Scope, r.Verdict)
	}
	return [sha256.Size]byte(h.Sum(nil))
}

// spans are the stretches of traffic newness judges by: those of the
// names scored, or with a Base those it knew extended by the names'.
func (s *Scorer) spans() []stretch {
	if s.in.Base == nil {
		return stretchesOf(s.names)
	}
	out := slices.Clone(s.in.Base.stretches)
	for i := range s.names {
		if r := &s.names[i].row; r.First > 0 && s.names[i].events > 0 {
			out = extendStretches(out, r.First)
			out = extendStretches(out, r.Last)
		}
	}
	return out
}

// extendStretches makes the stretches cover t: the last one grows to a
// later t within joinGap of it, one of its own starts after a longer
// silence; a t before the last one's end is taken as covered.
func extendStretches(st []stretch, t int64) []stretch {
	switch n := len(st); {
	case n == 0 || t > st[n-1].hi+joinGap:
		return append(st, stretch{t, t})
	case t > st[n-1].hi:
		st[n-1].hi = t
	}
	return st
}

// errWhole says that an incremental pass cannot do: the workspace lost
// events (a source dropped to be read again) since its base: their
// names' scores stay, and the blocks read again take the dropped ones'
// ids, which the mark takes for old. Or the rules changed: the model
// learnt by the old ones, and a mark's feedback to the names that share
// its clients and answers (the screen's whole rescore after it) would be
// taken back from the domains a pass scores.
var errWhole = errors.New("events removed since the last whole scoring")

// increment scores again the domains whose DNS names got events since
// base was taken, and the HTTP and logon values that did, and returns the
// base the next pass starts from (its HTTP and logon scorers are base's,
// added to: base is spent).
func increment(ctx context.Context, d *db.DB, base *Base) (Summary, *Base, error) {
	return pass(ctx, d, func(totals db.Stats) (Summary, *Base, error) {
		drops, err := d.Drops(ctx)
		if err != nil {
			return Summary{}, nil, err
		}
		rs, err := d.Rules(ctx)
		if err != nil {
			return Summary{}, nil, err
		}
		if totals.Events < base.events || drops != base.drops || rulesKey(rs) != base.rules {
			return Summary{}, nil, errWhole
		}
		ids, to, err := d.DomainsSince(ctx, subject.DNSName, base.mark)
		if err != nil {
			return Summary{}, nil, err
		}
		domains, err := d.DomainsByID(ctx, ids)
		if err != nil {
			return Summary{}, nil, err
		}
		domains, waiting := incDomains(domains)
		next := *base
		next.mark = to
		var sum Summary
		if len(domains) > 0 {
			if sum, err = scoreDomains(ctx, d, &next, rs, domains); err != nil {
				return Summary{}, nil, err
			}
		}
		web, groups, logons, waitingValues, err := scoreValuesSince(ctx, d, &next, rs, base.mark, to)
		if err != nil {
			return Summary{}, nil, err
		}
		sum.HTTP, sum.Groups, sum.Logons = web, groups, logons
		sum.Incremental, sum.Waiting = true, waiting+waitingValues
		return sum, &next, nil
	})
}

// incDomains picks the domains an incremental pass scores (fewest events
// first, within incEvents) and says how many wait.
func incDomains(domains []db.DomainRow) (picked []db.DomainRow, waiting int) {
	slices.SortFunc(domains, func(a, b db.DomainRow) int { return cmp.Compare(a.Count, b.Count) })
	var events int64
	for i, dr := range domains {
		if dr.Count > incDomainEvents || events+dr.Count > incEvents && i > 0 {
			return domains[:i], len(domains) - i
		}
		events += dr.Count
	}
	return domains, 0
}

// scoreDomains scores the domains with all their names against base, and
// stores their scores in place of theirs, by the rules rs.
func scoreDomains(ctx context.Context, d *db.DB, base *Base, rs []rules.Rule, domains []db.DomainRow) (Summary, error) {
	matcher := rules.NewMatcher(rs, subject.DNSName)
	sc, err := d.ScoreContext(ctx, 0)
	if err != nil {
		return Summary{}, err
	}
	ids := make([]uint32, len(domains))
	for i, dr := range domains {
		ids[i] = dr.ID
	}
	slices.Sort(ids)
	slices.SortFunc(domains, func(a, b db.DomainRow) int { return cmp.Compare(a.ID, b.ID) })
	all, err := d.ScoreNamesOf(ctx, ids)
	if err != nil {
		return Summary{}, err
	}
	nms := slices.DeleteFunc(all, func(n db.NameRow) bool { return n.Kind != uint8(subject.DNSName) })
	pairs, err := d.RepeatedPairsOf(ctx, ids, uint8(record.KindDNS), MinBeaconEvents, BeaconClients(sc.Clients))
	if err != nil {
		return Summary{}, err
	}
	first, last := span(nms)
	sc.First, sc.Last = min(base.first, first), max(base.last, last)
	if first == 0 {
		sc.First = base.first
	}
	names := make([]uint32, len(nms))
	for i, n := range nms {
		names[i] = n.ID
	}
	s := NewScorer(Inputs{Rules: matcher, Names: nms, Pairs: clientlessPairs(pairs, nms, sc.Clients), Reread: rereader(ctx, d), Base: base})
	if err := d.ScanBlocksOfNames(ctx, names, func(name uint32, evs []db.Event) error {
		s.Add(name, evs)
		return nil
	}); err != nil {
		return Summary{}, err
	}
	fin, err := finishInputs(ctx, d, matcher, rs, nil, domains)
	if err != nil {
		return Summary{}, err
	}
	fin.Model, fin.Training, fin.Context = base.model, nil, sc
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := newStorer(ctx, func(ctx context.Context) (*db.ScoreWriter, error) { return d.NewScoreUpdater(ctx, names, ids) })
	fin.Store = w.store
	res := s.Finish(fin)
	if err := s.Err(); err != nil {
		cancel()
		w.wait()
		return Summary{}, err
	}
	if err := w.commit(); err != nil {
		return Summary{}, err
	}
	return Summary{Names: len(res.Names), Domains: len(res.Domains), Trained: res.Trained}, nil
}

// incrementalWords says what an incremental pass did, for Summary.String.
func (s Summary) incrementalWords() string {
	w := "rescored " + strings.Join(s.parts("%s HTTP values and %s of their groups", "%s logon values"), ", ") +
		" that changed in " + s.Took.Round(time.Millisecond).String()
	if s.Waiting > 0 {
		w += fmt.Sprintf(" (%s busy domains and values wait for the next whole scoring)", words.Int(s.Waiting))
	}
	return w
}
