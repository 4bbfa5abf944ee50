package score

import (
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

// incLogons is the most logons a pass judges again all at once (a test
// lowers it).
var incLogons = incEvents

// since adds the logons stored since the last pass to the scorer's
// (rows: the values that got them, as they stand now), judges them
// (walkOn, or when it cannot, every logon again) and scores the values
// of rows, with their groups. When every logon would be judged again and
// there are more than incEvents, the values wait for the whole scoring
// (wait), and the scorer lets its logons go: the passes until that
// scoring read none, where they added each pass's to a heap no pass
// would judge again (100 B a logon).
func (l *logonScorer) since(p *valuePass, rows []db.NameRow) (r rescored, wait bool, err error) {
	if l.waits {
		return rescored{}, true, nil
	}
	var at, added []int
	l.values, l.index, at, added = refresh(l.values, l.index, rows, func(v *logonValue) *value { return &v.value })
	setVerdicts(picked(l.base(), added), record.KindLogon, subject.Scored, p.rules, p.groups)
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
	if !l.walkOn(at, before) {
		if len(l.events) > incLogons {
			*l = logonScorer{waits: true}
			return rescored{}, true, nil
		}
		for i := range l.values {
			l.values[i].sig, l.values[i].logged = logonSignals{}, false
		}
		l.judge = newLogonJudge(l, l.known)
		l.judge.judge()
	}
	vals := l.base()
	c := p.context
	c.First, c.Last = spanOf(vals)
	return rescore(vals, at, logonWeights, logonGroupSignals[:], c, l.evidence(c)), false, nil
}

// walkOn judges the logons after before (of the values at) as the last
// judgement would have with them: each source's walk goes on with its
// new logons and judges its attacks again; the accounts among at are
// judged again with all their logons (kept by the judgement), and a
// honeypot's passwords and commands by their sources. It says false, and
// judges nothing, when the walks cannot go on: there is no judgement, a
// source's new logons are older than its last one walked, an account
// logs on from a source it failed from before (its failures there were
// judged as guesses), or a target turns out to be a honeypot.
func (l *logonScorer) walkOn(at []int, before int) bool {
	j := l.judge
	if j == nil {
		return false
	}
	j.facts = l.known
	for _, k := range at {
		j.register(k)
	}
	fresh := slices.Clone(l.events[before:])
	slices.SortFunc(fresh, compareLogons)
	runs := bySource(fresh)
	if !j.canWalkOn(runs) {
		return false
	}
	for _, run := range runs {
		j.walkOn(run)
	}
	var accounts []string
	for _, k := range at {
		if v := &l.values[k]; v.code() == subject.LogonAccount && j.accounts[v.row.Name] != nil {
			accounts = append(accounts, v.row.Name)
		}
	}
	for _, name := range accounts {
		a := j.accounts[name]
		j.uncountHours(a)
		j.countHours(a)
	}
	for _, name := range accounts {
		j.accountAgain(name, j.accounts[name])
	}
	for _, c := range []subject.Code{subject.LogonPassword, subject.LogonCommand} {
		for text := range j.used[c] {
			if v := j.value(c, text); v != nil {
				v.sig.rare = evidence{}
			}
		}
	}
	j.rareTexts()
	return true
}

// canWalkOn says whether the walks can go on with runs (walkOn).
func (j *logonJudge) canWalkOn(runs [][]logonEvent) bool {
	for _, run := range runs {
		w := j.walks[run[0].client]
		for i := range run {
			f, ok := j.facts[run[i].detail]
			if !ok {
				continue
			}
			if f.password != "" && !j.honeypots[f.target] {
				return false
			}
			if w != nil && f.result == resSuccess && !w.succeeded[f.account] && w.failed[f.account] > 0 {
				return false
			}
		}
		if w != nil && run[0].time < w.last {
			return false
		}
	}
	return true
}

// walkOn goes on with the walk of a source with its new logons (run),
// and judges its attacks again.
func (j *logonJudge) walkOn(run []logonEvent) {
	src := j.sourceValue(run[0].client)
	w := j.walks[run[0].client]
	if w == nil {
		w = newSourceWalk(src)
		j.walks[run[0].client] = w
	}
	j.succeed(w, run)
	j.walk(w, src, run)
	if src == nil || w.name == subject.None {
		return
	}
	src.sig.spray, src.sig.brute, src.sig.enum, src.sig.command, src.sig.download = evidence{}, evidence{}, evidence{}, evidence{}, evidence{}
	for acc := range w.failed {
		if p := j.pairIndex(w.example[acc], w.name); p >= 0 {
			j.l.values[p].sig.brute = evidence{}
		}
	}
	j.attacks(w, src)
}

// accountAgain judges an account again with all its logons: the account
// and the pairs it logged on by lose what account found before.
func (j *logonJudge) accountAgain(name string, a *accountLogons) {
	if v := j.value(subject.LogonAccount, name); v != nil {
		v.sig.brute, v.sig.offHours, v.sig.serviceLogon = evidence{}, evidence{}, evidence{}
	}
	for _, s := range a.successes {
		if s.pair >= 0 {
			p := &j.l.values[s.pair]
			p.sig.offHours, p.sig.serviceLogon, p.sig.rare = evidence{}, evidence{}, evidence{}
		}
	}
	j.account(name, a)
}
