package score

import (
	"cmp"
	"slices"
	"strings"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

// Logon signal names, as stored in the contributions; new and rare are the
// DNS ones, judged against the logons.
const (
	SigBreakIn      = "breakin"
	SigSpray        = "spray"
	SigBrute        = "brute"
	SigEnumeration  = "userenum"
	SigOffHours     = "offhours"
	SigHoneypot     = "honeypot"
	SigCommand      = "command"
	SigDownload     = "download"
	SigServiceLogon = "svclogon"
)

// logonWeights weigh the logon signals in the noisy OR: a success after
// a brute force or a spray is what matters most (an attack that worked),
// the attacks themselves next, then what is odd about a normal-looking
// logon (its hour, its source).
var logonWeights = map[string]float64{
	SigBreakIn: 0.95, SigDownload: 0.9, SigSpray: 0.85, SigBrute: 0.8, SigCommand: 0.7,
	SigServiceLogon: 0.75, SigEnumeration: 0.6, SigHoneypot: 0.6, SigOffHours: 0.6, SigRare: 0.4, SigNew: 0.3,
}

// logonGroupSignals are the signals a group (a source's network, an
// account's domain, a pair's account) takes from its strongest value.
var logonGroupSignals = [...]string{SigBreakIn, SigSpray, SigBrute, SigEnumeration, SigOffHours, SigHoneypot, SigCommand, SigDownload, SigServiceLogon}

// Thresholds of the logon signals.
const (
	// bruteFailures: more failures than this for one account is a brute
	// force, and across accounts from one source a spray (DeepBlueCLI's
	// threshold).
	bruteFailures = 5
	// breakInAccounts: a success after failures on this many accounts
	// from its source (since its last success) that do not exist or never
	// log on from it is a guess that worked, however few the failures;
	// on accounts that do log on from there it is a typo.
	breakInAccounts = 2
	// enumAccounts: failures for this many accounts that do not exist,
	// from one source, are a user enumeration.
	enumAccounts = 3
	// An account has an hour profile from profileLogons successful
	// logons on profileDays days: a desk logon or two a day for a
	// working week.
	profileLogons = 10
	profileDays   = 5
	// A pair is judged rare among an account's successes from
	// rareHistory of them, from two sources or more.
	rareHistory = 10
	// A password or a command is judged rare across sources when
	// rareSources sources or more tried passwords (ran commands).
	rareSources = 10
)

// logonEvent is one logon, read from its source's blocks (every logon has
// a source, "-" when the log does not say): its time, source and detail.
type logonEvent struct {
	time           int64
	client, detail uint32
	eventID        uint16 // Windows' (stored as the query type), 0 for others
}

// logonValue is one value of an account, source or pair, with what its
// signals found.
type logonValue struct {
	value
	client uint32 // sources: the client id of its events
	sig    logonSignals
	// logged: a pair with a success. A pair is who logged on from
	// where: one whose logons all failed never did (its failures are
	// the brute force's, the spray's, or a typo), and is not judged new.
	logged bool
}

// logonSignals are a value's evidence, strongest first found kept.
type logonSignals struct {
	breakIn, spray, brute, enum, offHours, honeypot, command, download, rare evidence
	serviceLogon                                                             evidence
}

func (l *logonSignals) list() []evidence {
	return []evidence{l.breakIn, l.spray, l.brute, l.enum, l.offHours, l.honeypot, l.command, l.download, l.rare, l.serviceLogon}
}

// keep sets *slot to e when e is stronger.
func keep(slot *evidence, e evidence) {
	if e.strength > slot.strength {
		*slot = e
	}
}

// logonScorer scores the accounts, sources and pairs of the logons. Only
// the source events are read one by one (each logon has exactly one
// source): the rest comes from their details, read once per distinct
// detail, so a workspace without logons pays nothing.
type logonScorer struct {
	values []logonValue
	index  []int32 // name id → 1 + index in values (0: not scored)
	events []logonEvent
	known  map[uint32]logonFacts // the facts of the events' details, once judged
	sorted int                   // the events sorted by sortEvents, the first ones
	judge  *logonJudge           // the last judgement, which an incremental pass walks on
	// waits: an incremental pass gave up on the logons (since), which
	// wait for the next whole scoring; the scorer holds none meanwhile.
	waits bool
}

func newLogonScorer(rows []db.NameRow) *logonScorer {
	l := &logonScorer{values: make([]logonValue, len(rows))}
	for i, r := range rows {
		l.values[i].row = r
	}
	l.index = indexRows(rows)
	return l
}

// add folds one block of a value's events; only a source's are kept.
func (l *logonScorer) add(name uint32, evs []db.Event) bool {
	if int(name) >= len(l.index) || l.index[name] == 0 {
		return false
	}
	v := &l.values[l.index[name]-1]
	if v.code() != subject.LogonSource || len(evs) == 0 {
		return true
	}
	v.client = evs[0].Client
	for i := range evs {
		l.events = append(l.events, logonEvent{evs[i].Time, evs[i].Client, evs[i].Answer, evs[i].QType})
	}
	return true
}

// logonFacts is what the scorer takes from a logon's detail text.
type logonFacts struct {
	account string // the account value ("" none)
	// The account as logged and its event's id, to make its pairs' values.
	rawAccount, rawDomain string
	eventID               uint16
	result                logonResult
	password              string // a honeypot logs it
	target                string
	logonType             string
	command               string
	url                   string
}

type logonResult uint8

const (
	resNone        logonResult = iota // a honeypot's command or download
	resSuccess                        // a logon that worked
	resFailure                        // a wrong password, a refused key...
	resUnknownUser                    // a failure for an account that does not exist
)

// facts reads the details of evs (each distinct one once) but those of
// known, and returns known with them (a new map when known is nil).
func (l *logonScorer) facts(evs []logonEvent, known map[uint32]logonFacts, details func([]uint32, func(uint32, []byte)) error) map[uint32]logonFacts {
	ids := make([]uint32, 0, len(evs))
	// An account's value depends on whether its event is Windows' (case,
	// "user@REALM"): one event id per detail says it, since a detail
	// text is Windows' or not whatever its id.
	eventID := make(map[uint32]uint16)
	for i := range evs {
		if _, ok := known[evs[i].detail]; !ok {
			ids = append(ids, evs[i].detail)
			eventID[evs[i].detail] = evs[i].eventID
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := known
	if out == nil {
		out = make(map[uint32]logonFacts, len(ids))
	}
	if details == nil {
		return out
	}
	account := subject.Must(subject.LogonAccount)
	var r record.Record
	var buf []byte
	// A failed read leaves the logons it did not reach without facts; the
	// run ends with the error that caused it (the context's, as a rule).
	_ = details(ids, func(id uint32, text []byte) {
		d := subject.ParseLogonDetail(string(text))
		subject.LogonRecord(d, eventID[id], nil, &r)
		f := logonFacts{rawAccount: d.Account, rawDomain: d.AccountDomain, eventID: eventID[id], password: d.Password, target: d.Target, logonType: d.LogonType, command: strings.TrimSpace(d.Command), url: d.URL}
		var ok bool
		if buf, ok = account.Append(buf[:0], &r); ok {
			f.account = string(buf)
		}
		switch {
		case d.Result == string(record.LogonSuccess):
			f.result = resSuccess
		case d.Result == string(record.LogonInvalidUser) || strings.Contains(subject.StatusWords(d.Reason), "no such user"):
			f.result = resUnknownUser
		case d.Result != "":
			f.result = resFailure
		}
		out[id] = f
	})
	return out
}

// finish scores the values and their groups, handing them to the
// scorer's Store as it goes.
func (l *logonScorer) finish(s *Scorer) (values, groups []db.Score) {
	vals := l.base()
	setVerdicts(vals, record.KindLogon, subject.Scored, s.in.SubjectRules, s.fin.Groups)
	l.known = l.facts(l.events, nil, s.fin.Details)
	l.judge = newLogonJudge(l, l.known)
	l.judge.judge()
	c := s.fin.Context
	c.First, c.Last = spanOf(vals)
	return s.scoreValues(vals, logonWeights, logonGroupSignals[:], c, l.evidence(c))
}

// evidence is the evidence of each value (by index in values) the judge
// found, in c.
func (l *logonScorer) evidence(c db.ScoreContext) func(i int) []evidence {
	return func(i int) []evidence {
		v := &l.values[i]
		ev := v.sig.list()
		if v.code() == subject.LogonPair && v.logged {
			ev = append(ev, newness(c, v.row.ID, v.row.First))
		}
		return ev
	}
}

// base is the values, as the code shared with HTTP sees them.
func (l *logonScorer) base() []*value {
	return bases(l.values, func(v *logonValue) *value { return &v.value })
}

// sortEvents orders the logons by source, then time. Those an
// incremental pass added after the sorted ones (l.sorted) are sorted
// alone and merged in.
func (l *logonScorer) sortEvents() {
	slices.SortFunc(l.events[l.sorted:], compareLogons)
	if l.sorted > 0 && l.sorted < len(l.events) {
		l.events = mergeLogons(l.events[:l.sorted], l.events[l.sorted:])
	}
	l.sorted = len(l.events)
}

// compareLogons orders logons by source, then time, and wholly: a whole
// scoring and an incremental pass walk logons of one source in the same
// second the same way.
func compareLogons(a, b logonEvent) int {
	return cmp.Or(cmp.Compare(a.client, b.client), cmp.Compare(a.time, b.time),
		cmp.Compare(a.detail, b.detail), cmp.Compare(a.eventID, b.eventID))
}

// mergeLogons merges two sorted runs of logons into a new slice.
func mergeLogons(a, b []logonEvent) []logonEvent {
	out := make([]logonEvent, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if compareLogons(b[0], a[0]) < 0 {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}
