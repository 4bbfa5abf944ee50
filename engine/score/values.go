package score

import (
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// What the scorers of the kinds with several subjects (HTTP, logons)
// share: their values' verdicts, and the scores of the groups the values
// roll up to.

// bases are pointers to the value of each of vs (an httpValue, a
// logonValue), for the code the kinds share.
func bases[T any](vs []T, base func(*T) *value) []*value {
	out := make([]*value, len(vs))
	for i := range vs {
		out[i] = base(&vs[i])
	}
	return out
}

// scoreValues scores each value not known-good by its evidence (ev, by
// index in vals), then their groups, handing both to the scorer's Store
// as it goes.
func (s *Scorer) scoreValues(vals []*value, weights map[string]float64, groupSignals []string, c db.ScoreContext, ev func(i int) []evidence) (values, groups []db.Score) {
	stored := 0
	for i, v := range vals {
		if v.verdict == rules.Good {
			continue
		}
		v.ev = trimZero(ev(i))
		values = append(values, combineWith(weights, v.row.ID, v.ev))
		s.store(db.ScoreName, values, &stored, false)
	}
	s.store(db.ScoreName, values, &stored, true)
	groups = groupScores(vals, weights, groupSignals, c)
	stored = 0
	s.store(db.ScoreDomain, groups, &stored, true)
	return values, groups
}

// indexRows maps the name ids of rows to 1 + their index (0: not one of
// them), for the scorers to find a block's value.
func indexRows(rows []db.NameRow) []int32 {
	var index []int32
	for i, r := range rows {
		if int(r.ID) >= len(index) {
			index = slices.Grow(index, int(r.ID)+1-len(index))[:r.ID+1]
		}
		index[r.ID] = int32(i + 1)
	}
	return index
}

// spanOf is the first and last time of the values (unix µs): the span
// their newness is judged over.
func spanOf(vals []*value) (first, last int64) {
	for _, v := range vals {
		if first == 0 || v.row.First < first {
			first = v.row.First
		}
		last = max(last, v.row.Last)
	}
	return first, last
}

// setVerdicts applies the rules of each scored subject of kind to vals;
// a rule for a group (a family, a network) needs the group's text.
func setVerdicts(vals []*value, kind record.Kind, scored func(subject.Code) bool, rs []rules.Rule, groupNames func([]uint32) map[uint32]string) {
	ms := matchers(rs, kind, scored)
	if len(ms) == 0 {
		return
	}
	texts := groupTexts(vals, ms, groupNames)
	for _, v := range vals {
		if m := ms[v.code()]; m != nil {
			if r, ok := m.MatchRow(v.row.Name, texts[v.row.DomainID], false); ok {
				v.verdict = r.Verdict
			}
		}
	}
}

// matchers are the rule matchers of the scored subjects of kind that
// have rules.
func matchers(rs []rules.Rule, kind record.Kind, scored func(subject.Code) bool) map[subject.Code]*rules.Matcher {
	ms := map[subject.Code]*rules.Matcher{}
	for _, sub := range subject.Of(kind) {
		if !scored(sub.Code) {
			continue
		}
		if m := rules.NewMatcher(rs, sub.Code); m.Len() > 0 {
			ms[sub.Code] = m
		}
	}
	return ms
}

// groupTexts fetches the texts of the groups of the subjects with rules.
func groupTexts(vals []*value, ms map[subject.Code]*rules.Matcher, groupNames func([]uint32) map[uint32]string) map[uint32]string {
	if groupNames == nil {
		return nil
	}
	var ids []uint32
	for _, v := range vals {
		if ms[v.code()] != nil {
			ids = append(ids, v.row.DomainID)
		}
	}
	slices.Sort(ids)
	return groupNames(slices.Compact(ids))
}

// groupAcc gathers what a group takes from its values.
type groupAcc struct {
	best    []evidence // per signal, the strongest of a value, in its words
	minID   uint32
	first   int64
	nonGood bool // some value of it is not known-good
}

// groupScores scores the groups of the scored values: each takes, per
// signal of signals, its strongest value's evidence, named, and is new
// as its first value is. A group whose values are all known-good (a
// rule for the group makes them so) is not scored.
func groupScores(vals []*value, weights map[string]float64, signals []string, c db.ScoreContext) []db.Score {
	accs := map[uint32]*groupAcc{}
	for _, v := range vals {
		a := accs[v.row.DomainID]
		if a == nil {
			a = &groupAcc{best: make([]evidence, len(signals)), minID: v.row.ID, first: v.row.First}
			accs[v.row.DomainID] = a
		}
		a.minID, a.first = min(a.minID, v.row.ID), min(a.first, v.row.First)
		if v.verdict == rules.Good {
			continue
		}
		a.nonGood = true
		for _, e := range v.ev {
			k := slices.Index(signals, e.signal)
			if k >= 0 && e.strength > a.best[k].strength {
				a.best[k] = named(v.row.Name, e)
			}
		}
	}
	ids := make([]uint32, 0, len(accs))
	for id, a := range accs {
		if a.nonGood {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]db.Score, 0, len(ids))
	for _, id := range ids {
		a := accs[id]
		ev := append(slices.Clone(a.best), newness(c, a.minID, a.first))
		out = append(out, combineWith(weights, id, trimZero(ev)))
	}
	return out
}

// named is a value's evidence for its group, prefixed with the value.
func named(value string, e evidence) evidence {
	inner := e
	return evidence{signal: e.signal, strength: e.strength, lazy: func() string {
		why := inner.why
		if inner.lazy != nil {
			why = inner.lazy()
		}
		return value + ": " + why
	}}
}
