// Package subject declares what longtail lists and counts. An event of a
// kind (a DNS query, an HTTP request, a logon) has several subjects an analyst lists
// by — for HTTP the host, the path, the user agent, the client, the referer
// and the status — and each subject rolls up to a group: a host to its
// registered domain, a path to its first segment, a user agent to its
// product family, a client to its network.
//
// A subject is stored like a DNS name always was: one row per distinct
// value with its aggregates, its events in blocks, its hourly buckets, and
// one row per group. The workspace keeps the Code in names.kind and
// domains.kind, so that the list, sparklines, timeline, heatmap, rules and
// scores of every subject cost what a DNS name costs.
//
// It sits below db: the ingest uses it to turn a record into its subjects,
// the review model and the screens to name and group them.
package subject

import (
	"fmt"
	"strings"

	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/internal/words"
)

// Code identifies a subject in the workspace (names.kind, domains.kind,
// rules.kind). Its values are stored: never renumber.
type Code uint8

const (
	DNSName     Code = 1
	HTTPHost    Code = 2
	HTTPPath    Code = 4
	HTTPAgent   Code = 5
	HTTPClient  Code = 6
	HTTPReferer Code = 7
	HTTPStatus  Code = 8

	LogonAccount  Code = 3
	LogonSource   Code = 9
	LogonPair     Code = 10
	LogonTarget   Code = 11
	LogonType     Code = 12
	LogonAuth     Code = 13
	LogonResult   Code = 14
	LogonPassword Code = 15
	LogonCommand  Code = 16
	LogonURL      Code = 17
	LogonSoftware Code = 18
	LogonHASSH    Code = 19
)

// Subject describes one subject of a kind.
type Subject struct {
	Code Code
	Kind record.Kind
	// Name is its short name in flags and keys ("host", "ua").
	Name string
	// Title is what a list of it is called ("HTTP user agents"), and
	// Plural its rows ("user agents").
	Title, Plural string
	// Column heads the list's subject column ("user agent").
	Column string
	// Group is what it rolls up to ("domain", "family"), and Groups its
	// plural ("domains", "families").
	Group, Groups string
	// Primary is true for the one subject every event of its kind has: its
	// events count the kind's traffic, per minute and per client.
	Primary bool
	// Scored is true when engine/score ranks its values: a name, a host,
	// a path, an agent, a client; an account, a source, their pair, a
	// honeypot's passwords and commands. A referer, a status, a logon's
	// target, type or result says something only beside its event.
	Scored bool
	// Hostname is true when the values are host names, so that the formats
	// resolvers and sensors load (zones, hosts files, datasets) can carry
	// rules of it.
	Hostname bool
	// Ported: its values may end in the port a site was reached on
	// (WithoutPort), which a rule on the host covers.
	Ported bool
	// Append appends the event's value of this subject to dst, normalised
	// (the ingest's hot path: it must not allocate). ok is false when the
	// event has none.
	Append func(dst []byte, r *record.Record) (out []byte, ok bool)
	// RollUp returns the group of a normalised value (called once per new
	// value, off the hot path).
	RollUp func(value string) string
	// Brief, when set, is a value shortened for a list at 80 columns, with
	// what tells values apart first ("Chrome 120 · Windows ·
	// Mozilla/5.0 (Windows…"); the value itself is shown everywhere else.
	Brief func(value string) string
	// Typed, when set, is a value a person typed in the form Append
	// stores it (a logon source in lower case); see Stored.
	Typed func(text string) string
}

// Stored is a value as typed on the command line in the form the subject
// stores it, for a lookup or a rule to find it: Administrator@CORP is the
// account administrator@corp. Values of other subjects are exact.
func (s Subject) Stored(text string) string {
	if s.Typed == nil {
		return text
	}
	return s.Typed(text)
}

// Short is Brief's shortening of a value, or the value.
func (s Subject) Short(value string) string {
	if s.Brief == nil {
		return value
	}
	return s.Brief(value)
}

// Count is n of the subject's values in words: "1 user agent", "12
// statuses" (the singular is the Plural's: every one ends in s or ses).
func (s Subject) Count(n int64) string {
	if n != 1 {
		return words.Int(n) + " " + s.Plural
	}
	if strings.HasSuffix(s.Plural, "ses") {
		return "1 " + strings.TrimSuffix(s.Plural, "es")
	}
	return "1 " + strings.TrimSuffix(s.Plural, "s")
}

// CountGroups is n of the subject's groups in words: "1 family", "3
// families".
func (s Subject) CountGroups(n int64) string { return words.CountOf(n, s.Group, s.Groups) }

// GroupWord is how a rule or a mark on one of the subject's groups names
// the group before its value: "network 10.23.123.0/24", "domain offsec"
// (a registered domain's "registered" left out); where another subject of
// the kind is called as the group is, the subject's values of it, "pairs
// of account root", so that a mark on root's pairs does not read as one on
// the account root. (The list's titles, which tell lists apart, also say
// "by" where two subjects share a group word: tui/list's groupsLabel.)
func (s Subject) GroupWord() string {
	for _, o := range Of(s.Kind) {
		if o.Name == s.Group && o.Code != s.Code { // results are their own group
			return s.Plural + " of " + s.Group
		}
	}
	return strings.TrimPrefix(s.Group, "registered ")
}

// All lists every subject, in the order the screen cycles through them.
var All = []Subject{dnsName, httpHost, httpPath, httpAgent, httpClient, httpReferer, httpStatus,
	logonAccount, logonSource, logonPair, logonTarget, logonType, logonAuth, logonResult,
	logonPassword, logonCommand, logonURL, logonSoftware, logonHASSH}

// Kinds lists the event kinds, in the order the screen switches them.
var Kinds = []record.Kind{record.KindDNS, record.KindHTTP, record.KindLogon}

// Of returns the subjects of a kind, the kind's primary one first.
func Of(k record.Kind) []Subject {
	var out []Subject
	for _, s := range All {
		if s.Kind == k {
			out = append(out, s)
		}
	}
	return out
}

// ByCode returns the subject with that code.
func ByCode(c Code) (Subject, bool) {
	for _, s := range All {
		if s.Code == c {
			return s, true
		}
	}
	return Subject{}, false
}

// Scored says whether the scorer ranks the values of the subject with
// that code (Subject.Scored).
func Scored(c Code) bool {
	s, ok := ByCode(c)
	return ok && s.Scored
}

// Must returns the subject with that code, for codes the program itself
// chose; an unknown code is a bug.
func Must(c Code) Subject {
	s, ok := ByCode(c)
	if !ok {
		panic(fmt.Sprintf("subject: unknown code %d", c))
	}
	return s
}

// Primary returns a kind's primary subject.
func Primary(k record.Kind) Subject {
	for _, s := range All {
		if s.Kind == k && s.Primary {
			return s
		}
	}
	return dnsName
}

// ParseKind reads a kind's name ("dns", "http").
func ParseKind(s string) (record.Kind, error) {
	for _, k := range Kinds {
		if strings.EqualFold(s, k.String()) {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown kind %q (kinds: %s)", s, kindNames())
}

func kindNames() string {
	var names []string
	for _, k := range Kinds {
		names = append(names, k.String())
	}
	return strings.Join(names, ", ")
}

// Parse reads a subject of a kind by its short name ("ua"), or its
// qualified name ("http.ua", which overrides k). An empty name is the
// kind's Default.
func Parse(k record.Kind, name string) (Subject, error) {
	if kind, sub, ok := strings.Cut(name, "."); ok {
		var err error
		if k, err = ParseKind(kind); err != nil {
			return Subject{}, err
		}
		name = sub
	}
	subs := Of(k)
	if name == "" {
		return Default(k), nil
	}
	var names []string
	for _, s := range subs {
		if strings.EqualFold(name, s.Name) || strings.EqualFold(name, s.Column) {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return Subject{}, fmt.Errorf("%s has no subject %q (it has: %s)", k, name, strings.Join(names, ", "))
}

// Default is the subject a kind is listed by first: the one an analyst
// reviews (names for DNS, hosts for HTTP, sources for logons).
func Default(k record.Kind) Subject {
	switch k {
	case record.KindHTTP:
		return httpHost
	case record.KindLogon:
		// Where logons came from: a break-in, a spray, a brute force
		// shows on its source first (and what the score ranks first).
		return logonSource
	}
	return dnsName
}

// QualifiedName is the subject's name with its kind ("http.ua"), as CSV
// and JSON write it.
func (s Subject) QualifiedName() string { return s.Kind.String() + "." + s.Name }

// ParseQualified reads a QualifiedName; a bare DNS name ("name") and ""
// mean DNS names, as rules files written before kinds existed have it.
func ParseQualified(q string) (Subject, error) {
	if q == "" {
		return dnsName, nil
	}
	kind, name, ok := strings.Cut(q, ".")
	if !ok {
		return Parse(record.KindDNS, q)
	}
	k, err := ParseKind(kind)
	if err != nil {
		return Subject{}, err
	}
	return Parse(k, name)
}
