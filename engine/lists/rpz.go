package lists

import (
	"fmt"
	"io"
	"strings"

	"github.com/longtail/longtail/engine/rules"
)

// RPZ: a DNS response policy zone (BIND, Unbound, Knot Resolver, PowerDNS
// Recursor). longtail writes
//
//	bad and suspicious  name CNAME .              NXDOMAIN
//	good                name CNAME rpz-passthru.  answer normally, and
//	                                              exempt from later zones
//
// Suspicious names are blocked like bad ones because a zone has no "watch"
// action: an analyst who wants them logged but answered exports them alone
// (--verdict suspicious) to a second zone loaded with "policy disabled",
// which makes BIND log the hits without acting. A Domain-scope rule becomes
// two records, name and *.name, because an RPZ wildcard does not cover its
// bare name. Each rule's verdict and note follow its first record as a
// comment, so a zone read back keeps suspicious apart from bad.

const (
	rpzBlock    = "."
	rpzPassthru = "rpz-passthru."
	rpzHeader   = `; bad and suspicious names: NXDOMAIN (CNAME .); known-good names: rpz-passthru.
; A domain-scope rule is two records, name and *.name. The comment after a
; record gives the rule's verdict and note. To log suspicious names without
; blocking them, export them alone to a second zone and load that zone with
; "policy disabled".
`
)

// rpzName refuses what a zone would not read as a QNAME trigger for a
// rule of scope on name: an owner longer than the wire allows once the
// zone's own name is added (for a Domain rule, the "*.name" record
// writeRPZ adds; an exact rule writes name alone), and labels that RPZ
// reads as other triggers (name.rpz-ip, .rpz-nsdname, .rpz-client-ip…) or
// actions.
func rpzName(name string, scope rules.Scope, meta ExportMeta) string {
	owner := name
	if scope == rules.Domain {
		owner = "*." + name
	}
	if n := len(owner) + 1 + len(meta.zone()); n > 253 {
		return fmt.Sprintf("%s under zone %s is %d bytes, over DNS's 253", owner, meta.zone(), n)
	}
	for _, label := range strings.Split(name, ".") {
		if strings.HasPrefix(label, "rpz-") {
			return "label " + label + ": RPZ reserves rpz- labels for other triggers and actions"
		}
	}
	return ""
}

func writeRPZ(w io.Writer, p *plan) error {
	p.header(w, ";", "longtail response policy zone, "+p.meta.describe(p.report.Written))
	fmt.Fprint(w, rpzHeader)
	fmt.Fprintf(w, "$TTL 300\n@ IN SOA localhost. hostmaster.localhost. ( %d 3600 600 604800 300 )\n@ IN NS localhost.\n", p.meta.serial())
	rs := p.rules
	bare, wild := owners(rs)
	for i := range rs {
		r := &rs[i]
		target := rpzBlock
		if r.Verdict == rules.Good {
			target = rpzPassthru
		}
		// The comment goes on the rule's first record only: a wildcard
		// record without one continues the bare record above it.
		comment := " ; " + describe(r, "")
		if j, ok := bare[r.Pattern]; ok && j == i && !p.yields(r) {
			fmt.Fprintf(w, "%s CNAME %s%s\n", r.Pattern, target, comment)
			comment = ""
		}
		if j, ok := wild[r.Pattern]; ok && j == i {
			fmt.Fprintf(w, "*.%s CNAME %s%s\n", r.Pattern, target, comment)
		}
	}
	return nil
}

// owners decides which rule writes each owner name, because a zone can
// hold only one CNAME per name (and an Intel file should hold one line): for the bare name the rule a Matcher would
// apply (a Name rule before a Domain rule, then the newer), for "*.name" the
// newest Domain rule. Rules without a verdict write nothing. The maps give
// the index of the winning rule per pattern.
func owners(rs []rules.Rule) (bare, wild map[string]int) {
	bare, wild = make(map[string]int), make(map[string]int)
	for i := range rs {
		r := &rs[i]
		if r.Verdict == rules.None {
			continue
		}
		if j, ok := bare[r.Pattern]; !ok || beats(r, &rs[j]) {
			bare[r.Pattern] = i
		}
		if r.Scope != rules.Domain {
			continue
		}
		if j, ok := wild[r.Pattern]; !ok || r.NewerThan(&rs[j]) {
			wild[r.Pattern] = i
		}
	}
	return bare, wild
}

// beats reports whether r decides its bare name rather than o.
func beats(r, o *rules.Rule) bool {
	if r.Scope != o.Scope {
		return r.Scope == rules.Name
	}
	return r.NewerThan(o)
}

func rpzSigned(head []string) bool {
	for _, l := range head {
		if strings.HasPrefix(l, "$TTL") || strings.HasPrefix(l, "$ORIGIN") {
			return true
		}
		for f, rest := nextField(l); f != ""; f, rest = nextField(rest) {
			if strings.EqualFold(f, "SOA") {
				return true
			}
		}
	}
	return false
}

// rpzParser reads QNAME policy records of a zone file. It holds back a
// plain-name record for one line to join it with a "*.name" record that
// follows with the same policy and no comment of its own: together they are
// one Domain-scope rule.
type rpzParser struct {
	origin  string // "$ORIGIN" in lower case with its trailing dot
	depth   int    // open parentheses: inside a multi-line record
	owner   string // the last owner seen, for lines that inherit it
	pending *rpzRecord
}

type rpzRecord struct {
	entry     Entry
	wildcard  bool
	target    string
	commented bool
}

func newRPZParser() lineParser { return &rpzParser{} }

func (p *rpzParser) line(s string, add func(Entry)) string {
	s, comment := cutComment(s, ';')
	inherits := s != "" && (s[0] == ' ' || s[0] == '\t')
	s = strings.TrimSpace(s)
	inside := p.depth > 0
	p.depth += strings.Count(s, "(") - strings.Count(s, ")")
	if s == "" || inside {
		return ""
	}
	if strings.HasPrefix(s, "$") {
		directive, rest := nextField(s)
		switch strings.ToUpper(directive) {
		case "$ORIGIN":
			o, _ := nextField(rest)
			p.origin = strings.ToLower(strings.TrimSuffix(o, ".")) + "."
		case "$INCLUDE":
			return "$INCLUDE is not followed"
		}
		return ""
	}
	owner, rest := p.owner, s
	if !inherits {
		owner, rest = nextField(s)
		p.owner = owner
	}
	typ, rest := nextField(rest)
	for isTTL(typ) || isClass(typ) {
		typ, rest = nextField(rest)
	}
	switch strings.ToUpper(typ) {
	case "SOA", "NS":
		return ""
	case "CNAME":
	default:
		return typ + " record: only CNAME policies are read"
	}
	target, _ := nextField(rest)
	rec, reason := p.record(owner, strings.ToLower(target), comment)
	if reason != "" {
		return reason
	}
	p.emit(rec, add)
	return ""
}

// record turns one CNAME policy into an entry.
func (p *rpzParser) record(owner, target, comment string) (rpzRecord, string) {
	rec := rpzRecord{target: target, commented: comment != ""}
	switch target {
	case rpzPassthru:
		rec.entry.Verdict = rules.Good
	case rpzBlock, "*.", "rpz-drop.":
	default:
		return rec, "CNAME to " + target + " is not a block or passthru policy"
	}
	owner = strings.ToLower(owner)
	if strings.HasSuffix(owner, ".") {
		rel, ok := strings.CutSuffix(owner, "."+p.origin)
		if p.origin == "" || !ok {
			return rec, "owner name outside the zone"
		}
		owner = rel
	}
	if owner == "@" || strings.Contains(owner, ".rpz-") {
		return rec, "not a QNAME trigger"
	}
	if comment != "" {
		v, _, note := parseDescription(comment, "")
		if v != rules.None && (v == rules.Good) != (rec.entry.Verdict == rules.Good) {
			note = comment // a verdict that contradicts the policy is only text
		} else if v != rules.None {
			rec.entry.Verdict = v
		}
		rec.entry.Note = note
	}
	p2, scope, err := rules.ParsePattern(owner)
	if err != nil {
		return rec, err.Error()
	}
	rec.entry.Name, rec.wildcard = p2, scope == rules.Domain
	return rec, ""
}

func (p *rpzParser) emit(rec rpzRecord, add func(Entry)) {
	if q := p.pending; q != nil {
		p.pending = nil
		if rec.wildcard && !rec.commented && rec.entry.Name == q.entry.Name && rec.target == q.target {
			q.entry.Scope = rules.Domain
			add(q.entry)
			return
		}
		add(q.entry)
	}
	if rec.wildcard {
		rec.entry.Scope = rules.Domain
		add(rec.entry)
		return
	}
	p.pending = &rec
}

func (p *rpzParser) flush(add func(Entry)) {
	if p.pending != nil {
		add(p.pending.entry)
		p.pending = nil
	}
}

func isTTL(s string) bool {
	if s == "" {
		return false
	}
	// A TTL is seconds or BIND's units: 300, 1h, 1d12h.
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9') && strings.IndexByte("smhdwSMHDW", s[i]) < 0 {
			return false
		}
	}
	return '0' <= s[0] && s[0] <= '9'
}

func isClass(s string) bool {
	switch strings.ToUpper(s) {
	case "IN", "CH", "HS", "ANY":
		return true
	}
	return false
}
