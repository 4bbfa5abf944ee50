// Package logons is the logon summary: successes and failures side by
// side per account × source × target × logon type, with when each was
// first and last seen and why the failures failed, the way Hayabusa's
// logon-summary reports them, but read live from the workspace.
//
// Every logon is read once, through its primary subject (the source: each
// logon has exactly one), and the detail text of each distinct detail id
// once. The account, target and type are derived by the subjects' own
// Append from a record rebuilt from that detail (subject.LogonRecord), so
// a row's values are exactly those the list shows and its events can be
// opened by them. Honeypot events that are no logon (a command, a
// download) and sshd's "Invalid user" notices (the "Failed password for
// invalid user" line after them is the failure) are not counted.
package logons

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

// Columns are the summary's fields as the headless command and the
// screen's export write them, in the order of Row's.
var Columns = []string{"account", "source", "target", "logon_type", "successes", "failures", "first_seen", "last_seen", "reason"}

// Row is one account × source × target × type.
type Row struct {
	Account, Source, Target, Type string
	// Pair is the "account ← source" subject's value, to open the pair's
	// events; empty when the logon stored none (no account or no source).
	Pair                string
	Successes, Failures int64
	First, Last         int64 // unix µs
	// Reason is the most common reason of the failures, in words; empty
	// when none failed or none said why.
	Reason string
}

// SortKey orders the summary.
type SortKey uint8

// The orders: the most failures first (the default: brute force and spray
// at the top), the most successes, the newest last seen, by account.
const (
	ByFailures SortKey = iota
	BySuccesses
	ByLast
	ByAccount
	numSortKeys
)

var sortNames = [numSortKeys]string{"failures", "successes", "last", "account"}

// String is the key's name in flags and on screen.
func (k SortKey) String() string { return sortNames[k%numSortKeys] }

// Next is the key after k, for a key that cycles them.
func (k SortKey) Next() SortKey { return (k + 1) % numSortKeys }

// ParseSort reads a key's name.
func ParseSort(s string) (SortKey, error) {
	if i := slices.Index(sortNames[:], s); i >= 0 {
		return SortKey(i), nil
	}
	return 0, fmt.Errorf("unknown sort %q (want failures, successes, last or account)", s)
}

// Sort orders rows by k; ties go by account, source, target and type, so
// the order is the same every time.
func Sort(rows []Row, k SortKey) {
	slices.SortFunc(rows, func(a, b Row) int {
		var c int
		switch k {
		case ByFailures:
			c = cmp.Or(cmp.Compare(b.Failures, a.Failures), cmp.Compare(b.Successes, a.Successes))
		case BySuccesses:
			c = cmp.Or(cmp.Compare(b.Successes, a.Successes), cmp.Compare(b.Failures, a.Failures))
		case ByLast:
			c = cmp.Compare(b.Last, a.Last)
		}
		return cmp.Or(c, cmp.Compare(a.Account, b.Account), cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Target, b.Target), cmp.Compare(a.Type, b.Type))
	})
}

// seen is the logons of one source with one detail text and event id.
type seen struct {
	source, detail uint32
	eventID        uint16
}

type span struct {
	n, first, last int64
}

// Summary reads every logon of the workspace and returns its rows, sorted
// by failures.
func Summary(ctx context.Context, d *db.DB) ([]Row, error) {
	sources, err := d.AllNames(ctx, subject.LogonSource)
	if err != nil {
		return nil, err
	}
	sourceText := make(map[uint32]string, len(sources))
	for _, s := range sources {
		sourceText[s.ID] = s.Name
	}
	spans := map[seen]*span{}
	err = d.ScanBlocksOf(ctx, subject.LogonSource, func(name uint32, evs []db.Event) error {
		for _, e := range evs {
			k := seen{name, e.Answer, e.QType}
			s := spans[k]
			if s == nil {
				s = &span{first: e.Time, last: e.Time}
				spans[k] = s
			}
			s.n++
			s.first, s.last = min(s.first, e.Time), max(s.last, e.Time)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	details, err := readDetails(ctx, d, spans)
	if err != nil {
		return nil, err
	}
	rows := fold(spans, details, sourceText)
	Sort(rows, ByFailures)
	return rows, nil
}

// readDetails reads the detail text of each distinct detail id once.
func readDetails(ctx context.Context, d *db.DB, spans map[seen]*span) (map[uint32]subject.LogonDetail, error) {
	ids := make([]uint32, 0, len(spans))
	for k := range spans {
		ids = append(ids, k.detail)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[uint32]subject.LogonDetail, len(ids))
	err := d.EachAnswer(ctx, ids, func(id uint32, text []byte) {
		out[id] = subject.ParseLogonDetail(string(text))
	})
	return out, err
}

// key is a row's identity.
type key struct{ account, source, target, typ string }

// agg is a row being summed, with its failures counted by reason.
type agg struct {
	Row
	reasons map[string]int64
}

var (
	account = subject.Must(subject.LogonAccount)
	target  = subject.Must(subject.LogonTarget)
	typ     = subject.Must(subject.LogonType)
	pair    = subject.Must(subject.LogonPair)
)

// fold sums the spans into rows.
func fold(spans map[seen]*span, details map[uint32]subject.LogonDetail, sourceText map[uint32]string) []Row {
	rows := map[key]*agg{}
	var r record.Record
	var buf []byte
	value := func(s subject.Subject) string {
		v, ok := s.Append(buf[:0], &r)
		buf = v
		if !ok {
			return subject.None
		}
		return string(v)
	}
	for k, s := range spans {
		det, ok := details[k.detail]
		if !ok {
			continue
		}
		failed := det.Result == string(record.LogonFailure)
		if !failed && det.Result != string(record.LogonSuccess) {
			continue
		}
		src := sourceText[k.source]
		subject.LogonRecord(det, k.eventID, []byte(src), &r)
		rk := key{value(account), src, value(target), value(typ)}
		a := rows[rk]
		if a == nil {
			a = &agg{Row: Row{Account: rk.account, Source: src, Target: rk.target, Type: rk.typ, First: s.first, Last: s.last}}
			if p, ok := pair.Append(buf[:0], &r); ok {
				a.Pair = string(p)
			}
			rows[rk] = a
		}
		a.First, a.Last = min(a.First, s.first), max(a.Last, s.last)
		if !failed {
			a.Successes += s.n
			continue
		}
		a.Failures += s.n
		if det.Reason != "" {
			if a.reasons == nil {
				a.reasons = map[string]int64{}
			}
			a.reasons[subject.StatusWords(det.Reason)] += s.n
		}
	}
	out := make([]Row, 0, len(rows))
	for _, a := range rows {
		a.Reason = commonest(a.reasons)
		out = append(out, a.Row)
	}
	return out
}

// commonest is the reason with the most failures; a tie goes to the first
// in alphabetical order.
func commonest(reasons map[string]int64) string {
	var best string
	var n int64
	for r, c := range reasons {
		if c > n || c == n && r < best {
			best, n = r, c
		}
	}
	return best
}
