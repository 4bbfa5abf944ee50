package score

import (
	"context"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
)

// Training set sizes: the most-seen registered domains of the workspace
// (never more than a quarter of them) and the best-ranked names of an
// imported popularity list.
const (
	trainTop    = 2000
	trainRanked = 20000
)

// Summary says what a Run did.
type Summary struct {
	Names, Domains int // subjects scored
	Trained        int // labels the n-gram model learnt from
	Took           time.Duration
}

// Run scores the whole workspace and stores the scores. It only reads
// the workspace until the final write, so the TUI can call it from a
// background command and reload its score column when it returns.
func Run(ctx context.Context, d *db.DB) (Summary, error) {
	start := time.Now()
	res, err := Compute(ctx, d)
	if err != nil {
		return Summary{}, err
	}
	if err := d.PutScores(ctx, res.Names, res.Domains); err != nil {
		return Summary{}, err
	}
	return Summary{Names: len(res.Names), Domains: len(res.Domains), Trained: res.Trained, Took: time.Since(start)}, nil
}

// Compute scores the workspace without storing anything.
func Compute(ctx context.Context, d *db.DB) (Result, error) {
	rs, err := d.Rules(ctx)
	if err != nil {
		return Result{}, err
	}
	matcher := rules.NewMatcher(rs)
	sc, err := d.ScoreContext(ctx, trainRanked)
	if err != nil {
		return Result{}, err
	}
	domains, err := d.AllDomains(ctx)
	if err != nil {
		return Result{}, err
	}
	// The most-seen quarter at most: the long tail is what is judged.
	top, err := d.TopDomains(ctx, min(trainTop, len(domains)/4), 0)
	if err != nil {
		return Result{}, err
	}
	s := NewScorer(Inputs{
		Rules:   matcher,
		Model:   Train(trainingLabels(matcher, rs, top, sc.Ranked)),
		Context: sc,
		Domains: domains,
		Rate: func(domain uint32) int64 {
			pts, err := d.Series(ctx, db.Subject{Kind: db.SubjectDomain, ID: domain}, time.Minute, 0, 0)
			if err != nil {
				return 0
			}
			var peak int64
			for _, p := range pts {
				peak = max(peak, p.N)
			}
			return peak
		},
		Texts: func(clients, answers []uint32) (map[uint32]string, map[uint32]string) {
			cm, _ := d.ClientAddrs(ctx, clients)
			am, _ := d.AnswerTexts(ctx, answers)
			return cm, am
		},
	})
	err = d.ScanNameEvents(ctx, func(n db.NameRow, evs []db.Event) error {
		if n.Kind == uint8(record.KindDNS) {
			s.AddName(n, evs)
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return s.Finish(), nil
}

// trainingLabels are the registered-domain labels of what is normal here:
// known-good rules, the most-seen domains that no rule calls bad or
// suspicious, and the ranked names.
func trainingLabels(m *rules.Matcher, rs []rules.Rule, top []db.DomainRow, ranked []string) []string {
	var labels []string
	add := func(name string) {
		if _, l := splitName(name, names.RegisteredDomain(name)); l != "" {
			labels = append(labels, l)
		}
	}
	for _, r := range rs {
		if r.Verdict == rules.Good {
			add(r.Pattern)
		}
	}
	for _, d := range top {
		if r, ok := m.Match(d.Name); ok && r.Verdict != rules.Good {
			continue
		}
		add(d.Name)
	}
	for _, n := range ranked {
		add(n)
	}
	return labels
}
