package score

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
)

// logonJudge finds the logon signals: it walks each source's logons in
// time order (brute force, spray, enumeration, success after failures,
// what a honeypot's visitor did), then each account's successes (the
// hours it uses, the sources it comes from).
type logonJudge struct {
	l       *logonScorer
	facts   map[uint32]logonFacts
	byText  map[subject.Code]map[string]int32 // value text → index in values
	sources map[uint32]int32                  // client id → index in values of its source
	// honeypots are the targets that log the passwords tried: no real
	// server does (sshd, Windows), a honeypot does (cowrie).
	honeypots map[string]bool
	// hourUsers counts, per logon type a person makes, the accounts
	// whose working days cover each hour of the day ([24]: all of them).
	hourUsers map[string]*[25]int
	accounts  map[string]*accountLogons
	// used counts, for a honeypot's passwords and commands, the sources
	// that used each; population the sources that used any.
	used       map[subject.Code]map[string]*valueUse
	population map[subject.Code]int64
	pair       subject.Subject
	rec        record.Record
	buf        []byte
	// walks are the sources' walks, by client id: an incremental pass
	// walks on from where they stopped (incremental_logon.go).
	walks map[uint32]*sourceWalk
}

// accountLogons is what an account did across sources.
type accountLogons struct {
	failures  []int64          // the times of its failures
	failedBy  map[string]int64 // source → failures
	successes []success
	hours     map[string]uint32 // the hours counted in hourUsers, by logon type
}

// success is one successful logon of an account.
type success struct {
	time   int64
	source string
	kind   string // its logon type as logged ("2", "10", "ssh")
	target string // the host logged on to
	pair   int32  // index in values, -1: none
}

func newLogonJudge(l *logonScorer, facts map[uint32]logonFacts) *logonJudge {
	j := &logonJudge{l: l, facts: facts, accounts: map[string]*accountLogons{}, sources: map[uint32]int32{}, pair: subject.Must(subject.LogonPair), walks: map[uint32]*sourceWalk{},
		byText: map[subject.Code]map[string]int32{subject.LogonAccount: {}, subject.LogonSource: {}, subject.LogonPair: {}, subject.LogonPassword: {}, subject.LogonCommand: {}},
		used:   map[subject.Code]map[string]*valueUse{subject.LogonPassword: {}, subject.LogonCommand: {}}, population: map[subject.Code]int64{}}
	j.honeypots = map[string]bool{}
	for _, f := range facts {
		if f.password != "" {
			j.honeypots[f.target] = true
		}
	}
	for i := range l.values {
		j.register(i)
	}
	return j
}

// register makes the value of index i known to the judge by its text
// (and a source by its client).
func (j *logonJudge) register(i int) {
	v := &j.l.values[i]
	j.byText[v.code()][v.row.Name] = int32(i)
	if v.code() == subject.LogonSource && (v.client != 0 || v.row.Name == subject.None) {
		j.sources[v.client] = int32(i)
	}
}

// judge sets the signals of every value.
func (j *logonJudge) judge() {
	j.l.sortEvents()
	for _, run := range bySource(j.l.events) {
		j.source(run)
	}
	j.hourUsers = map[string]*[25]int{}
	for _, a := range j.accounts {
		j.countHours(a)
	}
	for name, a := range j.accounts {
		j.account(name, a)
	}
	j.rareTexts()
}

// rareTexts judges a honeypot's passwords and commands by the sources
// that used them.
func (j *logonJudge) rareTexts() {
	j.rareAcrossSources(subject.LogonPassword, "tried", "tried passwords")
	j.rareAcrossSources(subject.LogonCommand, "run", "ran commands")
}

// valueUse is the sources that used a password or a command: how many,
// the first two, and an account the password was tried as.
type valueUse struct {
	sources int64
	names   [2]string
	account string
}

// use counts the source w's use of a password or a command (text).
func (j *logonJudge) use(w *sourceWalk, c subject.Code, text, account string) {
	if text == "" {
		return
	}
	if !w.usedAny[c] {
		w.usedAny[c] = true
		j.population[c]++
	}
	u := j.used[c][text]
	if u == nil {
		u = &valueUse{account: account}
		j.used[c][text] = u
	}
	key := usedText{c, text}
	if w.usedTexts[key] {
		return // this source counted it
	}
	w.usedTexts[key] = true
	if u.sources < 2 {
		u.names[u.sources] = w.name
	}
	u.sources++
}

// rareAcrossSources judges a honeypot's passwords or commands (c) by the
// sources that used them, once rareSources sources or more used any: a
// password or a command only one or two of them used is not the botnets'
// common list, but one that was chosen (a visitor's own, a targeted
// guess, a command written for this host), on a log scale of the
// sources; the more sources, the surer.
func (j *logonJudge) rareAcrossSources(c subject.Code, verb, what string) {
	total := j.population[c]
	if total < rareSources {
		return
	}
	for text, u := range j.used[c] {
		v := j.value(c, text)
		if v == nil || u.sources > 2 {
			continue
		}
		u, st := u, (1-math.Log(float64(u.sources))/math.Log(float64(total)))*clamp01(math.Log10(float64(total))/2)
		v.sig.rare = evidence{signal: SigRare, strength: st, lazy: func() string {
			who := u.names[0]
			if u.sources == 2 {
				who += ", " + u.names[1]
			}
			if c == subject.LogonPassword && u.account != "" {
				who += ", as " + u.account
			}
			return fmt.Sprintf("%s by %s of the %s that %s (%s)", verb, words.Int(u.sources), words.Count(total, "source"), what, who)
		}}
	}
}

// countHours sorts the successes of an account by logon type and time,
// and counts, per logon type a person makes, the hours of the day its
// working days (first logon to last) cover: the domain's hours.
func (j *logonJudge) countHours(a *accountLogons) {
	slices.SortFunc(a.successes, func(x, y success) int {
		if c := strings.Compare(x.kind, y.kind); c != 0 {
			return c
		}
		return cmp.Compare(x.time, y.time)
	})
	a.hours = map[string]uint32{}
	for _, ss := range byKind(a.successes) {
		if !atKeyboard(ss[0].kind) {
			continue
		}
		var used uint32
		for _, hs := range daySpans(ss) {
			used |= hs
		}
		a.hours[ss[0].kind] = used
		n := j.hourUsers[ss[0].kind]
		if n == nil {
			n = new([25]int)
			j.hourUsers[ss[0].kind] = n
		}
		j.addHours(n, used, 1)
	}
}

// uncountHours takes an account's hours (countHours) out of hourUsers.
func (j *logonJudge) uncountHours(a *accountLogons) {
	for kind, used := range a.hours {
		j.addHours(j.hourUsers[kind], used, -1)
	}
	a.hours = nil
}

// addHours adds d accounts that use the hours used to n.
func (j *logonJudge) addHours(n *[25]int, used uint32, d int) {
	n[24] += d
	for h := range 24 {
		if used&(1<<h) != 0 {
			n[h] += d
		}
	}
}

// bySource splits logons sorted by source into a run per source.
func bySource(evs []logonEvent) [][]logonEvent {
	var out [][]logonEvent
	for start := 0; start < len(evs); {
		end := start + 1
		for end < len(evs) && evs[end].client == evs[start].client {
			end++
		}
		out, start = append(out, evs[start:end]), end
	}
	return out
}

// byKind splits successes sorted by logon type into a run per type.
func byKind(ss []success) [][]success {
	var out [][]success
	for start := 0; start < len(ss); {
		end := start + 1
		for end < len(ss) && ss[end].kind == ss[start].kind {
			end++
		}
		out = append(out, ss[start:end])
		start = end
	}
	return out
}

// daySpans are the working days of successes: day → the hours from its
// first logon to its last, as bits.
func daySpans(ss []success) map[int64]uint32 {
	byDay := map[int64]uint32{}
	for _, s := range ss {
		byDay[utcDay(s.time)] |= 1 << utcHour(s.time)
	}
	for d, hs := range byDay {
		lo, hi := bits.TrailingZeros32(hs), 31-bits.LeadingZeros32(hs)
		byDay[d] = (1<<(hi+1) - 1) &^ (1<<lo - 1)
	}
	return byDay
}

// value returns the value of a subject with that text, or nil.
func (j *logonJudge) value(c subject.Code, text string) *logonValue {
	if i, ok := j.byText[c][text]; ok {
		return &j.l.values[i]
	}
	return nil
}

// pairIndex is the index in values of the pair of an account (as its
// detail has it) and a source, or -1.
func (j *logonJudge) pairIndex(f *logonFacts, source string) int32 {
	if source == subject.None {
		return -1
	}
	j.rec.Account, j.rec.AccountDomain, j.rec.Client, j.rec.EventID = []byte(f.rawAccount), []byte(f.rawDomain), []byte(source), f.eventID
	var ok bool
	if j.buf, ok = j.pair.Append(j.buf[:0], &j.rec); !ok {
		return -1
	}
	if i, ok := j.byText[subject.LogonPair][string(j.buf)]; ok {
		return i
	}
	return -1
}

// sourceWalk is what one source did, as its logons are read in order.
type sourceWalk struct {
	name                string
	failures            int64
	firstFail, lastFail int64
	failed              map[string]int64 // account → failures
	succeeded           map[string]bool  // accounts that log on from here, at any time
	// The failures since the source's last success (a brute force or a
	// spray that worked is a success after a run of them; a shared
	// address's users mistype between their successes), and their
	// accounts (true: failed as one that does not exist).
	run      int64
	runFirst int64
	runAccts map[string]bool
	example  map[string]*logonFacts
	times    map[string][]int64 // account → the times of its failures
	// anonymous are the times of failures that named no account: a
	// scanner trying an empty user name on a honeypot, 66 times.
	anonymous []int64
	unknown   map[string]int64 // accounts that do not exist → failures
	unknownN  int64
	commands  []string // distinct, in order
	urls      []string
	usedAny   map[subject.Code]bool // used a password, a command
	usedTexts map[usedText]bool     // the passwords and commands it used
	explicit  []explicitUse
	last      int64 // the time of its last logon walked
}

// usedText is a password or a command.
type usedText struct {
	code subject.Code
	text string
}

// explicitUse is a logon with explicit credentials (4648) typed on a
// source: when, and whose.
type explicitUse struct {
	time    int64
	account string
}

// source judges the logons of one source (sorted by time).
func (j *logonJudge) source(evs []logonEvent) {
	src := j.sourceValue(evs[0].client)
	w := newSourceWalk(src)
	j.walks[evs[0].client] = w
	j.succeed(w, evs)
	j.walk(w, src, evs)
	if src == nil || w.name == subject.None {
		return
	}
	j.attacks(w, src)
}

// newSourceWalk starts the walk of the logons of src (nil: a source with
// no value).
func newSourceWalk(src *logonValue) *sourceWalk {
	w := &sourceWalk{name: subject.None, failed: map[string]int64{}, succeeded: map[string]bool{}, example: map[string]*logonFacts{},
		times: map[string][]int64{}, unknown: map[string]int64{}, runAccts: map[string]bool{}, usedAny: map[subject.Code]bool{},
		usedTexts: map[usedText]bool{}}
	if src != nil {
		w.name = src.row.Name
	}
	return w
}

// succeed adds the accounts that log on from the source in evs to its
// walk's, before they are walked: a failure is judged by them.
func (j *logonJudge) succeed(w *sourceWalk, evs []logonEvent) {
	for i := range evs {
		if f, ok := j.facts[evs[i].detail]; ok && f.result == resSuccess {
			w.succeeded[f.account] = true
		}
	}
}

// walk walks the logons of a source (evs, sorted by time, after those
// walked before) in time order.
func (j *logonJudge) walk(w *sourceWalk, src *logonValue, evs []logonEvent) {
	known := w.name != subject.None // the logons of no source are not one attacker's
	w.last = evs[len(evs)-1].time
	for i := range evs {
		e := &evs[i]
		f, ok := j.facts[e.detail]
		if !ok {
			continue
		}
		if known {
			j.use(w, subject.LogonPassword, f.password, f.account)
			j.use(w, subject.LogonCommand, f.command, "")
		}
		switch f.result {
		case resFailure, resUnknownUser:
			j.failed(w, &f, e.time)
		case resSuccess:
			if f.eventID == winExplicitCredentials && f.account != "" {
				w.explicit = append(w.explicit, explicitUse{e.time, f.account})
			}
			pair := j.pairIndex(&f, w.name)
			if pair >= 0 {
				j.l.values[pair].logged = true
			}
			if known {
				j.breakIn(w, src, pair, &f, e.time)
				if j.honeypots[f.target] && src != nil {
					keep(&src.sig.honeypot, honeypotEvidence(&f))
				}
			}
			if f.account != "" {
				a := j.accountOf(f.account)
				a.successes = append(a.successes, success{e.time, w.name, f.logonType, f.target, pair})
			}
		case resNone:
			if f.command != "" && !slices.Contains(w.commands, f.command) {
				w.commands = append(w.commands, f.command)
			}
			// A honeypot's tunnel is kept as the URL tcp://host:port (engine/parse, cowrie.go): no download.
			if f.url != "" && !strings.HasPrefix(f.url, "tcp://") && !slices.Contains(w.urls, f.url) {
				w.urls = append(w.urls, f.url)
			}
		}
	}
}

// sourceValue is the source value whose events have that client id.
func (j *logonJudge) sourceValue(client uint32) *logonValue {
	if i, ok := j.sources[client]; ok {
		return &j.l.values[i]
	}
	return nil
}

func (j *logonJudge) accountOf(name string) *accountLogons {
	a := j.accounts[name]
	if a == nil {
		a = &accountLogons{failedBy: map[string]int64{}}
		j.accounts[name] = a
	}
	return a
}

// failed counts a failure of the source w.
func (j *logonJudge) failed(w *sourceWalk, f *logonFacts, t int64) {
	w.failures++
	if w.firstFail == 0 {
		w.firstFail = t
	}
	w.lastFail = t
	if w.run == 0 {
		w.runFirst = t
	}
	w.run++
	if f.account == "" {
		w.anonymous = append(w.anonymous, t)
		return
	}
	w.runAccts[f.account] = w.runAccts[f.account] || f.result == resUnknownUser
	w.failed[f.account]++
	if w.example[f.account] == nil {
		w.example[f.account] = f
	}
	w.times[f.account] = append(w.times[f.account], t)
	if f.result == resUnknownUser {
		w.unknownN++
		w.unknown[f.account]++
	}
	a := j.accountOf(f.account)
	a.failures = append(a.failures, t)
	a.failedBy[w.name]++
}

// breakIn judges a success after the run of failures its source had
// since its last success: more than bruteFailures, or failures on
// breakInAccounts guessed accounts (a guess that worked): accounts that
// do not exist or never log on from this source. A workstation's user
// and its machine account mistyping before their logon are no guess.
// The pair, the source and the account take it.
func (j *logonJudge) breakIn(w *sourceWalk, src *logonValue, pair int32, f *logonFacts, t int64) {
	n, accounts, first := w.run, len(w.runAccts), w.runFirst
	guessed := 0
	for acc, unknown := range w.runAccts {
		if unknown || !w.succeeded[acc] {
			guessed++
		}
	}
	w.run = 0
	clear(w.runAccts)
	if n <= bruteFailures && guessed < breakInAccounts {
		return
	}
	who, from := f.account, w.name
	st := clamp01(0.3 + 0.7*math.Log10(float64(n))/math.Log10(50))
	words := func() string {
		return fmt.Sprintf("%s succeeded from %s after %s on %s within %s",
			who, from, words.Count(n, "failure"), words.Count(int64(accounts), "account"), duration(float64(t-first)))
	}
	e := evidence{signal: SigBreakIn, strength: st, lazy: words}
	keep(&src.sig.breakIn, e)
	if pair >= 0 {
		keep(&j.l.values[pair].sig.breakIn, e)
	}
	if a := j.value(subject.LogonAccount, f.account); a != nil {
		keep(&a.sig.breakIn, e)
	}
}

// attacks judges what a source did once all its logons are read: a
// spray, a brute force, an enumeration, commands and downloads.
func (j *logonJudge) attacks(w *sourceWalk, src *logonValue) {
	span := duration(float64(w.lastFail - w.firstFail))
	// A spray's accounts are others' (an address many users share sees
	// each of them mistype): those that never logged on from here.
	var n, accounts int64
	for acc, k := range w.failed {
		if !w.succeeded[acc] {
			n, accounts = n+k, accounts+1
		}
	}
	if n > bruteFailures && accounts > 1 {
		st := 0.3 + 0.7*clamp01(math.Log(float64(accounts))/math.Log(20))
		src.sig.spray = evidence{signal: SigSpray, strength: st, lazy: func() string {
			return fmt.Sprintf("%s failed from here (%s) within %s", words.Count(accounts, "account"), spreadWords(n, accounts), span)
		}}
	}
	for acc, n := range w.failed {
		ts := w.times[acc]
		peak := peakFailures(ts)
		if peak <= bruteFailures {
			continue
		}
		e := evidence{signal: SigBrute, strength: bruteStrength(peak), lazy: func() string {
			return fmt.Sprintf("%s for %s from %s within %s", words.Count(n, "failed logon"), acc, w.name, duration(float64(ts[len(ts)-1]-ts[0])))
		}}
		keep(&src.sig.brute, e)
		if p := j.pairIndex(w.example[acc], w.name); p >= 0 {
			keep(&j.l.values[p].sig.brute, e)
		}
	}
	if ts := w.anonymous; peakFailures(ts) > bruteFailures {
		keep(&src.sig.brute, evidence{signal: SigBrute, strength: bruteStrength(peakFailures(ts)), lazy: func() string {
			return fmt.Sprintf("%s giving no user name from %s within %s", words.Count(int64(len(ts)), "failed logon"), w.name, duration(float64(ts[len(ts)-1]-ts[0])))
		}})
	}
	if u := int64(len(w.unknown)); u >= enumAccounts || w.unknownN > bruteFailures {
		n, names := w.unknownN, firstKeys(w.unknown, 4)
		src.sig.enum = evidence{signal: SigEnumeration, strength: 0.3 + 0.7*clamp01(math.Log(float64(u))/math.Log(20)), lazy: func() string {
			return fmt.Sprintf("%s for %s that do not exist (%s) within %s", words.Count(n, "failure"), words.Count(u, "account"), names, span)
		}}
	}
	j.explicitSpray(w, src)
	if len(w.commands) > 0 {
		cmds := w.commands
		src.sig.command = evidence{signal: SigCommand, strength: 0.5 + 0.5*clamp01(math.Log10(float64(len(cmds)))/1.5), lazy: func() string {
			return fmt.Sprintf("ran %s: %s", words.Count(int64(len(cmds)), "command"), strings.Join(cmds[:min(3, len(cmds))], "; "))
		}}
	}
	if len(w.urls) > 0 {
		urls := w.urls
		src.sig.download = evidence{SigDownload, 1, fmt.Sprintf("downloaded %s", strings.Join(urls[:min(3, len(urls))], ", ")), nil}
	}
}

// winExplicitCredentials is Windows' event of a logon with explicit
// credentials (runas, a script's "net use /user:"), logged on the host
// they were typed on.
const winExplicitCredentials = 4648

// explicitSpray judges the explicit credentials used on a source: for
// more than bruteFailures accounts within a bruteWindow, it is a spray
// that needs no failure to show (a tool trying a list of passwords it
// harvested, each against its account), or a harvest being used; an
// admin runs a script as one or two service accounts. The source takes
// it as a spray.
func (j *logonJudge) explicitSpray(w *sourceWalk, src *logonValue) {
	uses := w.explicit // in time order
	inWindow := map[string]int{}
	best, bestLo, bestHi, lo := 0, 0, 0, 0
	for hi := range uses {
		inWindow[uses[hi].account]++
		for uses[hi].time-uses[lo].time >= bruteWindow {
			if inWindow[uses[lo].account]--; inWindow[uses[lo].account] == 0 {
				delete(inWindow, uses[lo].account)
			}
			lo++
		}
		if len(inWindow) > best {
			best, bestLo, bestHi = len(inWindow), lo, hi
		}
	}
	if best <= bruteFailures {
		return
	}
	names := map[string]int64{}
	for _, u := range uses[bestLo : bestHi+1] {
		names[u.account]++
	}
	n, span, name := int64(best), duration(float64(uses[bestHi].time-uses[bestLo].time)), w.name
	keep(&src.sig.spray, evidence{signal: SigSpray, strength: 0.3 + 0.7*clamp01(math.Log(float64(n))/math.Log(20)), lazy: func() string {
		return fmt.Sprintf("explicit credentials for %s from %s within %s (%s)", words.Count(n, "account"), name, span, firstKeys(names, 4))
	}})
}

// bruteWindow is the time in which more than bruteFailures failures for
// one account are a brute force: an account's user mistypes a few times
// a week, an attacker many times a minute (or, slowly, an hour).
const bruteWindow = int64(time.Hour / time.Microsecond)

// peakFailures is the most failures (times sorted) within a bruteWindow.
func peakFailures(ts []int64) int64 {
	peak, lo := 0, 0
	for hi := range ts {
		for ts[hi]-ts[lo] >= bruteWindow {
			lo++
		}
		peak = max(peak, hi-lo+1)
	}
	return int64(peak)
}

// bruteStrength is the strength of n failures for one account: half from
// just over bruteFailures, fully from a hundred times as many.
func bruteStrength(n int64) float64 {
	return 0.5 + 0.5*clamp01(math.Log10(float64(n)/bruteFailures)/2)
}

// account judges an account by all its logons: failures from every
// source, the hours it logs on at, the sources it comes from.
func (j *logonJudge) account(name string, a *accountLogons) {
	v := j.value(subject.LogonAccount, name)
	slices.Sort(a.failures)
	if peak := peakFailures(a.failures); v != nil && peak > bruteFailures {
		n, sources := int64(len(a.failures)), int64(len(a.failedBy))
		top, topN := "", int64(0)
		for s, k := range a.failedBy {
			if k > topN || k == topN && s < top {
				top, topN = s, k
			}
		}
		v.sig.brute = evidence{signal: SigBrute, strength: bruteStrength(peak), lazy: func() string {
			if sources == 1 {
				return fmt.Sprintf("%s from %s", words.Count(n, "failed logon"), top)
			}
			return fmt.Sprintf("%s from %s, most from %s (%s)", words.Count(n, "failed logon"), words.Count(sources, "source"), top, words.Int(topN))
		}}
	}
	if len(a.successes) == 0 {
		return
	}
	for _, ss := range byKind(a.successes) { // a profile per logon type
		if atKeyboard(ss[0].kind) {
			j.offHours(v, ss)
		}
	}
	j.rarePairs(a.successes)
	j.serviceLogon(name, v, a.successes)
}

// serviceLogon judges the interactive logons of an account no person
// uses: a machine account ("WS-0042$"), which only ever logs on over the
// network, or a service account, whose logons are mostly the services
// and batch jobs it runs (type 5, 4). Someone at a keyboard (or over
// remote desktop) with its name has its password or its hash: a classic
// lateral move. The account and the pair take it.
func (j *logonJudge) serviceLogon(name string, v *logonValue, ss []success) {
	user := name
	if at := strings.LastIndexByte(user, '@'); at > 0 {
		user = user[:at]
	}
	machine := strings.HasSuffix(user, "$")
	var services, interactive int64
	for _, s := range ss {
		switch s.kind {
		case "4", "5":
			services++
		case "2", "10", "11", "12":
			interactive++
		}
	}
	if interactive == 0 || !machine && services <= interactive {
		return
	}
	what, st := fmt.Sprintf("a service account (%s)", words.Count(services, "service or batch logon")), 0.8
	if machine {
		what, st = "a machine account", 1
	}
	for _, s := range ss {
		switch s.kind {
		case "2", "10", "11", "12":
		default:
			continue
		}
		s, kind := s, j.typeText(s.kind)
		e := evidence{signal: SigServiceLogon, strength: st, lazy: func() string {
			return fmt.Sprintf("%s, %s, logged on %sto %s from %s at %s UTC", name, what, kind, s.target, s.source,
				time.UnixMicro(s.time).UTC().Format("Mon 2006-01-02 15:04"))
		}}
		if v != nil {
			keep(&v.sig.serviceLogon, e)
		}
		if s.pair >= 0 {
			keep(&j.l.values[s.pair].sig.serviceLogon, e)
		}
	}
}

// offHours judges the successes of an account of one logon type (a
// machine's network logons at night say nothing of its user's desk)
// with a profile (at least profileLogons on profileDays days) by the
// hours of the day (UTC) it logs on at: a logon at an hour that, with
// the hours either side, it never used on any other day, the more the
// farther from them. The account and the pair take it.
func (j *logonJudge) offHours(v *logonValue, ss []success) {
	if len(ss) < profileLogons {
		return
	}
	byDay := daySpans(ss)
	if len(byDay) < profileDays {
		return
	}
	var days [24]int // days with a logon at each hour
	for _, bits := range byDay {
		for h := range 24 {
			if bits&(1<<h) != 0 {
				days[h]++
			}
		}
	}
	history := 0.5 + 0.5*clamp01(float64(len(byDay)-profileDays)/10)
	kind := j.typeText(ss[0].kind)
	for _, s := range ss {
		d, h := utcDay(s.time), utcHour(s.time)
		usual := days
		for k := range 24 { // the hours of the other days
			if byDay[d]&(1<<k) != 0 {
				usual[k]--
			}
		}
		g := hourGap(usual, h)
		if g < 2 {
			continue
		}
		others, share := j.othersAt(ss[0].kind, h)
		at, logons, nd := s.time, len(ss), len(byDay)
		e := evidence{signal: SigOffHours, strength: history * clamp01(float64(g-1)/4) * (1 - share), lazy: func() string {
			return fmt.Sprintf("logged on %s UTC, %d h from the hours its %s over %d days used (%s); %s",
				time.UnixMicro(at).UTC().Format("Mon 2006-01-02 15:04"), g, words.Count(int64(logons), kind+"logon"), nd, usualHours(usual), others)
		}}
		if v != nil {
			keep(&v.sig.offHours, e)
		}
		if s.pair >= 0 {
			keep(&j.l.values[s.pair].sig.offHours, e)
		}
	}
}

// atKeyboard says whether a logon type is one a person makes, whose
// hours are the person's: Windows' interactive (2), unlock (7), remote
// interactive (10) and their cached forms (11, 12, 13), or a Unix logon
// (ssh). A network logon (3), a ticket or an NTLM validation (no type)
// is a machine working on its user's behalf (a mapped drive, a mail
// client, a scheduled task), at any hour: judged by the hour, the
// accounts of a domain's users all log on "at night" now and then.
func atKeyboard(kind string) bool {
	switch kind {
	case "":
		return false
	case "2", "7", "10", "11", "12", "13":
		return true
	}
	return kind[0] < '0' || kind[0] > '9'
}

// othersAt is how many of the other accounts with logons of that type
// log on at hour h on their working days, in words and as a share: an
// hour the domain works (a user staying late) says less than one it
// does not (a logon at night).
func (j *logonJudge) othersAt(kind string, h int) (string, float64) {
	n := j.hourUsers[kind]
	others, at := n[24]-1, n[h]-1 // the account itself is one of them
	if others <= 0 || at <= 0 {
		return "no other account does", 0
	}
	return fmt.Sprintf("%d of %d other accounts do", at, others), float64(at) / float64(others)
}

// hourGap is how many hours h lies from the nearest hour with a logon
// (days[k] > 0), round the clock; 24 when there is none.
func hourGap(days [24]int, h int) int {
	for g := range 13 {
		if days[(h+g)%24] > 0 || days[(h+24-g)%24] > 0 {
			return g
		}
	}
	return 24
}

// typeText is a logon type in words for the off-hours reason ("ssh ",
// "type 2 interactive "), or nothing when the log has none.
func (j *logonJudge) typeText(kind string) string {
	if kind == "" {
		return ""
	}
	j.rec.LogonType = []byte(kind)
	b, _ := subject.Must(subject.LogonType).Append(nil, &j.rec)
	if kind[0] >= '0' && kind[0] <= '9' {
		return "type " + string(b) + " "
	}
	return string(b) + " "
}

func utcDay(us int64) int64 { return us / (24 * 3600 * 1e6) }
func utcHour(us int64) int  { return int(us / (3600 * 1e6) % 24) }

// usualHours writes the hours an account logs on at as ranges ("08–18
// h"): the stretches of hours with a logon on some day.
func usualHours(days [24]int) string {
	var parts []string
	for h := 0; h < 24; {
		if days[h] == 0 {
			h++
			continue
		}
		e := h
		for e+1 < 24 && days[e+1] > 0 {
			e++
		}
		if e == h {
			parts = append(parts, fmt.Sprintf("%02d h", h))
		} else {
			parts = append(parts, fmt.Sprintf("%02d–%02d h", h, e))
		}
		h = e + 1
	}
	return strings.Join(parts, ", ")
}

// rarePairs judges the sources of an account with rareHistory successes
// from two sources or more: a pair with one or two of them is a source
// it rarely comes from, on a log scale of the account's successes.
func (j *logonJudge) rarePairs(ss []success) {
	if len(ss) < rareHistory {
		return
	}
	bySource := map[string]int64{}
	for _, s := range ss {
		bySource[s.source]++
	}
	if len(bySource) < 2 {
		return
	}
	total, sources := int64(len(ss)), int64(len(bySource))
	for _, s := range ss {
		n := bySource[s.source]
		if s.pair < 0 || n > 2 {
			continue
		}
		p := &j.l.values[s.pair]
		p.sig.rare = evidence{signal: SigRare, strength: 1 - math.Log(float64(n))/math.Log(float64(total)), lazy: func() string {
			return fmt.Sprintf("%s of the account's %s came from here (%s in all)", occurrences(n), words.Count(total, "logon"), words.Count(sources, "source"))
		}}
	}
}

// honeypotEvidence is a success on a honeypot (logonJudge.honeypots).
// A honeypot's text log names no sensor: then there is no target to say.
func honeypotEvidence(f *logonFacts) evidence {
	to := "a honeypot"
	if f.target != "" {
		to = "honeypot " + f.target
	}
	return evidence{SigHoneypot, 1, fmt.Sprintf("logged on to %s as %s with password %q", to, f.account, f.password), nil}
}

// spreadWords says how failures spread over accounts: "once each", "43
// failures".
func spreadWords(failures, accounts int64) string {
	if failures == accounts {
		return "once each"
	}
	return words.Count(failures, "failure")
}

// firstKeys lists up to n keys of m, in order, with "…" when there are
// more.
func firstKeys(m map[string]int64, n int) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	if len(ks) > n {
		return strings.Join(ks[:n], ", ") + ", …"
	}
	return strings.Join(ks, ", ")
}
