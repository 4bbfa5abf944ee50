package rules

import (
	"strings"

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
	rules    []Rule
	exact    map[string]int32 // pattern -> index into rules
	domain   map[string]int32
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
	}
	return m
}

// Len is the number of rules the matcher was built from.
func (m *Matcher) Len() int { return len(m.rules) }

// Match returns the rule that decides name, which must be normalised
// (lower-case; a trailing dot is tolerated). It costs one map lookup per
// label and does not allocate.
func (m *Matcher) Match(name string) (Rule, bool) {
	name = strings.TrimSuffix(name, ".")
	if i, ok := m.exact[name]; ok {
		return m.rules[i], true
	}
	return m.MatchGroup(name)
}

// MatchGroup returns the Domain rule that decides a registered domain (a
// host-name group): the group stands for all its names, which a Name rule
// on the bare domain does not cover (rules add wrccdc.org made the domain
// and its names good while deciding none of them).
func (m *Matcher) MatchGroup(group string) (Rule, bool) {
	// Suffixes from the longest (the group itself) to the shortest (its
	// last label): the first hit is the most specific Domain rule.
	for s := strings.TrimSuffix(group, "."); s != ""; {
		if i, ok := m.domain[s]; ok {
			return m.rules[i], true
		}
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			break
		}
		s = s[dot+1:]
	}
	return Rule{}, false
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
