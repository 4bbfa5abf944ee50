// Package rules holds verdict rules (known-good, suspicious, bad) and decides
// which rule, if any, applies to a name. It knows nothing about storage: the
// workspace keeps the rules, this package interprets them.
//
// A rule has a scope. Name scope covers exactly one name. Domain scope covers
// the pattern itself and every name below it: unlike RITA's `*.example.com`,
// a Domain rule for example.com also covers the bare example.com.
package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/subject"
)

// Verdict is what an analyst decided about a name.
type Verdict uint8

// Verdicts. None is the zero value: no decision (a list that does not say).
const (
	None Verdict = iota
	Good
	Suspicious
	Bad
)

// String returns the verdict's canonical word ("good", "suspicious", "bad";
// "none" for None).
func (v Verdict) String() string {
	switch v {
	case Good:
		return "good"
	case Suspicious:
		return "suspicious"
	case Bad:
		return "bad"
	case None:
		return "none"
	}
	return fmt.Sprintf("verdict(%d)", uint8(v))
}

// ParseVerdict accepts the canonical words and the synonyms analysts and
// other tools use: known-good/allow for Good, block/malicious for Bad.
// Case is ignored.
func ParseVerdict(s string) (Verdict, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "good", "known-good", "allow":
		return Good, nil
	case "suspicious":
		return Suspicious, nil
	case "bad", "block", "malicious":
		return Bad, nil
	}
	return None, fmt.Errorf("unknown verdict %q (want good, suspicious or bad)", s)
}

// Scope says how much of the name space a rule covers.
type Scope uint8

// Scopes. Name is the zero value.
const (
	Name   Scope = iota // exactly the pattern
	Domain              // the pattern and every name below it
)

// String returns "name" or "domain".
func (s Scope) String() string {
	switch s {
	case Name:
		return "name"
	case Domain:
		return "domain"
	}
	return fmt.Sprintf("scope(%d)", uint8(s))
}

// ParseScope accepts "name" (or "exact") and "domain". Case is ignored.
func ParseScope(s string) (Scope, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "name", "exact":
		return Name, nil
	case "domain":
		return Domain, nil
	}
	return Name, fmt.Errorf("unknown scope %q (want name or domain)", s)
}

// Rule is one verdict rule.
type Rule struct {
	ID int64
	// Kind is the subject the rule is for (a DNS name, an HTTP user
	// agent...): a known-good user agent is not a known-good domain. Zero
	// means DNS names, as every rule was before kinds; Subject says so.
	Kind subject.Code
	// Pattern is a name in normal form (ParsePattern) or, for a Name rule
	// made from a name seen in the data, that name exactly as stored: any
	// bytes (see Check). Only a valid DNS name reaches an export that
	// another tool loads (ValidName).
	Pattern string
	Scope   Scope
	Verdict Verdict
	Note    string
	Author  string
	Origin  string // "tui", "cli", or the file the rule was imported from
	Created time.Time
}

// Subject is the subject the rule is for.
func (r *Rule) Subject() subject.Code {
	if r.Kind == 0 {
		return subject.DNSName
	}
	return r.Kind
}

// NewerThan reports whether r was decided after o (later Created, then
// higher ID): of two rules for the same pattern and scope, the newer wins.
func (r *Rule) NewerThan(o *Rule) bool {
	if !r.Created.Equal(o.Created) {
		return r.Created.After(o.Created)
	}
	return r.ID > o.ID
}

// Limits of a DNS name in its presentation form (RFC 1035 2.3.4).
const (
	maxNameLen  = 253
	maxLabelLen = 63
)

// MaxRawName bounds the pattern of a rule for a name that is not a valid
// DNS name. Text logs can hold a name as long as a line (the parsers take
// lines of up to 1 MiB), and any such name can be marked.
const MaxRawName = 1 << 20

// Check is the one validation every rule passes before it is stored,
// however it was made (a mark in the review screen, rules add,
// import-list, a rules CSV or JSON): db.PutRules calls it.
//
// A pattern that a person types or a list gives is parsed first
// (ParsePattern), so it arrives here in normal form. A mark on a name or
// domain from the data takes it exactly as the workspace stores it, and
// that can be anything: a raw byte, a newline, an escape sequence in a
// label. The analyst's verdict on it is kept and matches that name, but
// ValidName refuses it, so it never reaches a zone, a hosts file, a
// dataset or an Intel file. Check only bounds such a pattern.
func (r *Rule) Check() error {
	switch {
	case r.Verdict < Good || r.Verdict > Bad:
		return fmt.Errorf("rule %s: no verdict", quote(r.Pattern))
	case r.Pattern == "":
		return errors.New("rule with an empty pattern")
	case len(r.Pattern) > MaxRawName:
		return fmt.Errorf("rule %s: pattern over %d bytes", quote(r.Pattern), MaxRawName)
	}
	if _, ok := subject.ByCode(r.Subject()); !ok {
		return fmt.Errorf("rule %s: unknown subject %d", quote(r.Pattern), r.Kind)
	}
	if why := r.OnSuffix(); why != "" {
		return fmt.Errorf("rule %s %s", quote(r.Pattern), why)
	}
	return nil
}

// OnSuffix says why r must not be made, after its pattern ("" when it
// may): a domain rule on
// a whole public suffix of the ICANN section of the Public Suffix List
// (com, co.uk) decides every domain registered under it, which no analyst
// means, and an export would block them all (*.com CNAME .). A suffix the
// list has only as a wildcard below it (ck, for *.ck) counts too: every
// name x.ck is one. An exact-name rule on such a name decides that name
// alone and is made. The reverse-lookup zones are groups of the list's own
// (every PTR query rolls up to in-addr.arpa or ip6.arpa), and marking all
// of them known-good is a choice an analyst makes: they are allowed.
// Check refuses what it names, whatever made the rule; the makers that
// can leave one out and go on (an import) or say it in their own words
// (rules add, a mark) ask it first.
func (r *Rule) OnSuffix() string {
	if sub, ok := subject.ByCode(r.Subject()); !ok || !sub.Hostname || r.Scope != Domain {
		return ""
	}
	if r.Pattern == "in-addr.arpa" || r.Pattern == "ip6.arpa" {
		return ""
	}
	if names.IsPublicSuffix(r.Pattern) || names.IsPublicSuffix("x."+r.Pattern) {
		return "is a public suffix: a domain rule on it would decide every domain registered under it"
	}
	return ""
}

// ValidName reports why pattern is not a DNS name in normal form: one that
// every export format can carry (letters, digits, '-', '_', dots; labels
// of 1 to 63 bytes, at most 253 in all; lower case, no trailing dot).
func ValidName(pattern string) error {
	p, scope, err := ParsePattern(pattern)
	switch {
	case err != nil:
		return err
	case p != pattern || scope != Name:
		return errors.New("not in normal form (spaces, upper case, a leading \"*.\" or a trailing dot)")
	}
	return nil
}

// isPort says whether s is ":" and a port number, as a host:port ends.
func isPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// quoteRune quotes the character s starts with, decoded when it is UTF-8:
// "ü" is one character, not the byte 'Ã'.
func quoteRune(s string) string {
	if r, n := utf8.DecodeRuneInString(s); r != utf8.RuneError || n > 1 {
		return strconv.QuoteRuneToASCII(r)
	}
	return fmt.Sprintf("byte 0x%02x", s[0])
}

// quote shows a pattern in a message: Go-quoted, so no byte of it can act
// on a terminal.
func quote(p string) string {
	if len(p) > 80 {
		p = p[:80] + "..."
	}
	return strconv.QuoteToASCII(p)
}

// Byte classes of a name, looked up per byte because lists of a million
// names go through ParsePattern.
const (
	invalid uint8 = iota
	nameByte
	upperByte
	dot
)

var byteClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = nameByte
		t[c-'a'+'A'] = upperByte
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = nameByte
	}
	t['-'], t['_'], t['.'] = nameByte, nameByte, dot
	return t
}()

// NormalizePattern validates a pattern and returns its normal form; see
// ParsePattern, which also tells whether the input asked for Domain scope.
func NormalizePattern(s string) (string, error) {
	p, _, err := ParsePattern(s)
	return p, err
}

// ParsePattern validates a pattern typed by a person or read from a list and
// returns it lower-cased, without surrounding spaces or a trailing dot. A
// leading "*." or "." (the dnsmasq and UT1 way to say "and below") is
// removed and reported as Domain scope; otherwise the scope is Name.
//
// Accepted: letters, digits, '-', '_' (SRV and DKIM labels, and names seen in
// the wild), punycode labels ("xn--..."), IPv4-looking names. Rejected: empty
// names or labels, spaces, other characters (non-ASCII too, but for a
// name in Unicode, an IDN, which is taken in its punycode as logs carry it:
// münchen.de is xn--mnchen-3ya.de; not one IDNA would change, see
// Punycode: "\u200bwww.google.com" is no rule for www.google.com), labels
// over 63 and names over 253 bytes. It does not allocate when s is already
// in normal form.
func ParsePattern(s string) (string, Scope, error) {
	s = strings.TrimSpace(s)
	scope := Name
	if strings.HasPrefix(s, "*.") {
		s, scope = s[2:], Domain
	} else if strings.HasPrefix(s, ".") {
		s, scope = s[1:], Domain
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", scope, errors.New("empty name")
	}
	if len(s) > maxNameLen {
		return "", scope, fmt.Errorf("name longer than %d bytes", maxNameLen)
	}
	upper, label := false, 0
	for i := 0; i < len(s); i++ {
		switch byteClass[s[i]] {
		case dot:
			if label == 0 {
				return "", scope, errors.New("empty label")
			}
			label = 0
			continue
		case upperByte:
			upper = true
		case invalid:
			if a, ok := names.Punycode(strings.ToLower(s)); ok {
				p, _, err := ParsePattern(a)
				return p, scope, err
			}
			if port := s[i:]; isPort(port) {
				return "", scope, fmt.Errorf("a port (%s): a rule on a host holds on every port it is reached on; give %s", port, quote(s[:i]))
			}
			return "", scope, fmt.Errorf("invalid character %s in name", quoteRune(s[i:]))
		}
		if label++; label > maxLabelLen {
			return "", scope, fmt.Errorf("label longer than %d bytes", maxLabelLen)
		}
	}
	if label == 0 {
		return "", scope, errors.New("empty label")
	}
	if upper {
		s = strings.ToLower(s)
	}
	return s, scope, nil
}
