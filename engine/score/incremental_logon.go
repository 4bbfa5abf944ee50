package score

import (
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

// since adds the logons stored since the last pass to the scorer's
// (rows: the values that got them, as they stand now), judges every
// source and account again in memory (a source's spray, an account's
// brute force across sources, a success after failures, the hours of an
// account are of all their logons) and scores the values of rows, with
// their groups. A workspace of more than incEvents logons leaves them to
// the whole scoring (wait): judging all of them again would cost a good
// part of one.
func (l *logonScorer) since(p *valuePass, rows []db.NameRow) (r rescored, wait bool, err error) {
	var at, added []int
	l.values, l.index, at, added = refresh(l.values, l.index, rows, func(v *logonValue) *value { return &v.value })
	setVerdicts(picked(l.base(), added), record.KindLogon, logonScored, p.rules, p.groups)
	var sources []uint32
	for _, k := range at {
		if v := &l.values[k]; v.code() == subject.LogonSource {
			sources = append(sources, v.row.ID)
		}
	}
	before := len(l.events)
	if err := p.events(sources, func(name uint32, evs []db.Event) error {
		l.add(name, evs)
		return nil
	}); err != nil {
		return rescored{}, false, err
	}
	l.known = l.facts(l.events[before:], l.known, p.details)
	if len(l.events) > incEvents {
		return rescored{}, true, nil
	}
	for i := range l.values {
		l.values[i].sig, l.values[i].logged = logonSignals{}, false
	}
	newLogonJudge(l, l.known).judge()
	vals := l.base()
	c := p.context
	c.First, c.Last = spanOf(vals)
	return rescore(vals, at, logonWeights, logonGroupSignals[:], c, l.evidence(c)), false, nil
}
