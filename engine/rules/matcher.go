package rules

import (
	"strings"

	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/subject"
)

// Matcher finds the rule that decides a name. Build it once from the active
// rules and use it for many names; it is safe for concurrent Match calls.
//
// The most specific rule wins: a Name rule for the name itself beats any
// Domain rule, and a longer Domain pattern beats a shorter one, so
// "good example.com" with "bad evil.example.com" leaves evil.example.com and
// everything below it bad. Two rules with the same pattern and scope: the
// newer one (later Created, then higher ID) wins, because a later decision
// overrides an earlier one.
type Matcher struct {
	hostname bool // its subject's values are host names
	ported   bool // and may carry a port (subject.Subject.Ported)
	// idn is set when a pattern has a punycode label: only then may a name
	// in Unicode be decided by its punycode (Match).
	idn    bool
	rules  []Rule
	exact  map[string]int32 // pattern -> index into rules
	domain map[string]int32
}

// NewMatcher builds a matcher over the rules of rs that are for subject k
// (the others are not looked at). Patterns are used as given: they are
// expected in normal form (see ParsePattern).
//
// A Domain rule of a host-name subject covers its name and every name
// below it (Match); of another subject, the values that roll up to its
// pattern (MatchGroup: the user agents of a family, the paths of a
// section).
func NewMatcher(rs []Rule, k subject.Code) *Matcher {
	m := &Matcher{
		hostname: subject.Must(k).Hostname,
		ported:   subject.Must(k).Ported,
		exact:    make(map[string]int32),
		domain:   make(map[string]int32),
	}
	for _, r := range rs {
		if r.Subject() == k {
			m.rules = append(m.rules, r)
		}
	}
	rs = m.rules
	for i := range rs {
		idx := m.exact
		if rs[i].Scope == Domain {
			idx = m.domain
		}
		if j, ok := idx[rs[i].Pattern]; ok && !rs[i].NewerThan(&rs[j]) {
			continue
		}
		idx[rs[i].Pattern] = int32(i)
		m.idn = m.idn || m.hostname && strings.Contains(rs[i].Pattern, "xn--")
	}
	return m
}

// Len is the number of rules the matcher was built from.
func (m *Matcher) Len() int { return len(m.rules) }

// Match returns the rule that decides name, which must be normalised
// (lower-case; a trailing dot is tolerated). It costs one map lookup per
// label and does not allocate for an ASCII name.
//
// A name in Unicode (a log may hold one in UTF-8, as mDNS does) is decided
// as its punycode too, the form a rule typed in Unicode holds, so both
// spellings of one name get one verdict; a lookalike IDNA would rewrite
// is not (Punycode). That costs a pass over a missed name's bytes, and
// only when some rule is for an IDN.
//
// A host reached on a port of its own (an HTTP Host "shop.example:8443")
// is decided by a rule on its exact value first, then as the host without
// the port: a verdict on a host holds on every port, and no typed pattern
// can hold one.
func (m *Matcher) Match(name string) (Rule, bool) {
	name = strings.TrimSuffix(name, ".")
	if i, ok := m.exact[name]; ok {
		return m.rules[i], true
	}
	if m.ported {
		if host := subject.WithoutPort(name); len(host) < len(name) {
			name = strings.TrimSuffix(host, ".")
			if i, ok := m.exact[name]; ok {
				return m.rules[i], true
			}
		}
	}
	puny, ok := m.punycode(name)
	if ok {
		if i, found := m.exact[puny]; found {
			return m.rules[i], true
		}
	}
	return m.matchGroup(name, puny)
}

// MatchGroup returns the Domain rule that decides a registered domain (a
// host-name group): the group stands for all its names, which a Name rule
// on the bare domain does not cover (rules add wrccdc.org made the domain
// and its names good while deciding none of them). A group in Unicode is
// decided as its punycode too, as Match does.
func (m *Matcher) MatchGroup(group string) (Rule, bool) {
	group = strings.TrimSuffix(group, ".")
	puny, _ := m.punycode(group)
	return m.matchGroup(group, puny)
}

// matchGroup walks the suffixes of name and of its punycode ("" when it
// has none) together, from the longest to the shortest (its last label):
// the first hit is the most specific Domain rule.
func (m *Matcher) matchGroup(name, puny string) (Rule, bool) {
	for name != "" {
		if i, ok := m.domain[name]; ok {
			return m.rules[i], true
		}
		if puny != "" {
			if i, ok := m.domain[puny]; ok {
				return m.rules[i], true
			}
			puny = parent(puny)
		}
		name = parent(name)
	}
	return Rule{}, false
}

// parent is name without its first label; "" for a single label.
func parent(name string) string {
	if dot := strings.IndexByte(name, '.'); dot >= 0 {
		return name[dot+1:]
	}
	return ""
}

// punycode is a name's punycode when some rule may hold it in that form.
func (m *Matcher) punycode(name string) (string, bool) {
	if !m.idn {
		return "", false
	}
	return names.Punycode(name)
}

// MatchRow returns the rule that decides a row of the review list: a value
// of the matcher's subject that rolls up to group, or (isGroup) the group
// itself. Host names are matched by their suffixes (Match); the values of
// another subject by themselves, then by their group (a rule for one user
// agent beats one for its family).
func (m *Matcher) MatchRow(value, group string, isGroup bool) (Rule, bool) {
	switch {
	case m.hostname && isGroup:
		return m.MatchGroup(group)
	case m.hostname:
		return m.Match(value)
	}
	if i, ok := m.exact[value]; ok && !isGroup {
		return m.rules[i], true
	}
	if i, ok := m.domain[group]; ok {
		return m.rules[i], true
	}
	return Rule{}, false
}
