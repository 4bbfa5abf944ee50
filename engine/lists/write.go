package lists

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"strings"
	"time"

	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
)

// ExportMeta describes an export in the header comment of the formats that
// have one, and gives the writers what they need beyond the rules.
type ExportMeta struct {
	Generated time.Time // when; also the RPZ serial unless Serial is set
	Source    string    // what was exported, e.g. "workspace x.db, verdict bad"
	Serial    uint32    // RPZ SOA serial; 0: derived from Generated
	// Zone is the name the RPZ zone will be loaded under (DefaultZone when
	// empty): an owner name must fit in 253 bytes together with it.
	Zone string
	// Below gives, per Domain rule pattern, the names seen below it in the
	// workspace. Formats whose consumers match exact names only (plain,
	// hosts, zeek-intel, suricata-dataset) write them after the bare name,
	// since that is all such a consumer can be given of a domain.
	Below map[string][]string
	// Decided holds the bare names of Domain rules that a rule not given
	// to Write decides: an exact known-good rule on example.org when only
	// the bad rules are exported. The most specific rule decides a name,
	// so such a Domain rule does not write its bare name.
	Decided map[string]bool
	// Verdict is the verdict the export was asked for (rules.None: every
	// verdict). Formats that cannot say a verdict write known-good rules
	// only when it is Good: mixed into a list a sensor alerts on, they
	// would raise alerts on the names known to be fine.
	Verdict rules.Verdict
}

// DefaultZone is the RPZ zone name assumed when ExportMeta.Zone is empty.
const DefaultZone = "rpz.longtail"

func (m ExportMeta) describe(n int) string {
	d := fmt.Sprintf("rules: %d", n)
	if !m.Generated.IsZero() {
		d = m.Generated.UTC().Format(time.RFC3339) + ", " + d
	}
	if m.Source != "" {
		d += ", " + textsafe.String(oneLine(m.Source))
	}
	return d
}

func (m ExportMeta) serial() uint32 {
	switch {
	case m.Serial != 0:
		return m.Serial
	case m.Generated.Unix() > 0:
		return uint32(m.Generated.Unix()) // seconds fit until 2106
	}
	return 1
}

func (m ExportMeta) zone() string {
	if m.Zone == "" {
		return DefaultZone
	}
	return strings.TrimSuffix(m.Zone, ".")
}

// Omitted is a rule an export had to leave out, and why.
type Omitted struct {
	Rule   rules.Rule
	Reason string
}

// Report says what an export wrote and what it could not.
type Report struct {
	Format  Format
	Written int // rules written
	Omitted []Omitted
	// Notes say, in words, how the format carries what was written (the
	// scope of domain rules above all); also on stderr and in the header.
	Notes []string
}

// spec is what Write knows of one format.
type spec struct {
	write func(w io.Writer, p *plan) error
	// name says why a valid DNS name cannot be written in this format for
	// a rule of scope ("" when it can). Nil for formats that carry any
	// pattern (csv, json).
	name func(name string, scope rules.Scope, meta ExportMeta) string
	// exact is set for formats whose consumers match exact names: a Domain
	// rule is written as its bare name and the names seen below it.
	exact bool
	// keep selects the rules the format writes at all (nil: every one),
	// given the verdict asked for (ExportMeta.Verdict), and skipped says
	// why the others are left out, as a note.
	keep    func(r *rules.Rule, asked rules.Verdict) bool
	skipped string
	// scope is the note on how the format carries domain rules.
	scope string
}

var specs = map[Format]spec{
	Plain: {write: writePlain, name: anyName, exact: true, keep: goodIfAsked,
		skipped: "a plain list says no verdict, so whatever loads it treats every name alike; --verdict good exports them alone",
		scope:   "a domain rule is listed as its bare name and the names seen below it"},
	Hosts: {write: writeHosts, name: hostsName, exact: true, keep: notGood,
		skipped: "every hosts entry blocks its name",
		scope:   "a hosts entry matches one exact name: a domain rule is listed as its bare name and the names seen below it; names below it not seen yet are not blocked (the adblock or rpz export covers them)"},
	Adblock: {write: writeAdblock, name: anyName,
		scope: "||name^ covers the name and everything below it"},
	ZeekIntel: {write: writeZeekIntel, name: anyName, exact: true, keep: goodIfAsked,
		skipped: "Zeek raises an Intel hit on every indicator whatever its meta.desc says; --verdict good exports them alone",
		scope:   "Intel::DOMAIN matches exact names: a domain rule is written as its bare name and the names seen below it; names below it not seen yet are not matched"},
	SuricataDataset: {write: writeSuricata, name: anyName, exact: true, keep: goodIfAsked,
		skipped: "dataset:isset matches every name in the set; --verdict good exports them alone (an allowlist, for isnotset)",
		scope:   "dataset:isset on dns.query matches exact names: a domain rule is written as its bare name and the names seen below it; --format suricata-rules matches everything below a domain"},
	SuricataRules: {write: writeSuricataRules, name: anyName,
		scope: "one dotprefix rule per domain rule matches the name and everything below it"},
	RPZ: {write: writeRPZ, name: rpzName,
		scope: "a domain rule is two records, name and *.name"},
	CSV:  {write: writeCSV},
	JSON: {write: writeJSON},
}

// ExportFormats lists the formats Write knows, in the order to offer them.
var ExportFormats = []Format{Plain, Hosts, Adblock, ZeekIntel, SuricataDataset, SuricataRules, RPZ, CSV, JSON}

// ExactNames reports whether format's consumers match exact names only,
// so that a domain rule reaches them as the names seen below it.
func ExactNames(f Format) bool { return specs[f].exact }

// CheckFormat reports whether Write knows format, before anything is
// written (an -o file must not be created for a format that fails).
func CheckFormat(format string) error {
	if _, ok := specs[Format(format)]; ok {
		return nil
	}
	names := make([]string, len(ExportFormats))
	for i, f := range ExportFormats {
		names[i] = string(f)
	}
	return fmt.Errorf("unknown export format %q (want %s)", format, strings.Join(names, ", "))
}

// Write writes rs to w in format (one of ExportFormats). It writes the
// rules it is given (choosing them, by verdict say, is the caller's job)
// that the format can carry: a known-good rule only in a format that says
// so, or in an export of known-good rules alone (ExportMeta.Verdict); a
// pattern that is not a valid DNS name
// (rules.ValidName), or that the format cannot hold, is left out and
// reported, in the Report and in the header comment where the format has
// one. CSV and JSON carry every rule, losslessly.
func Write(w io.Writer, format string, rs []rules.Rule, meta ExportMeta) (Report, error) {
	if err := CheckFormat(format); err != nil {
		return Report{}, err
	}
	p := newPlan(Format(format), rs, meta)
	bw := bufio.NewWriter(w)
	if err := p.spec.write(bw, p); err != nil {
		return p.report, err
	}
	return p.report, bw.Flush()
}

// plan is an export after validation: the rules to write and the report.
type plan struct {
	spec   spec
	meta   ExportMeta
	rules  []rules.Rule // the rules the format carries, in the given order
	report Report
	// patterns holds every rule's pattern, built on first use by eachBelow.
	patterns map[string]bool
	// decided holds the bare names a Domain rule leaves out (see yields):
	// ExportMeta.Decided and the names of the exact rules left out here.
	decided map[string]bool
}

func newPlan(f Format, rs []rules.Rule, meta ExportMeta) *plan {
	p := &plan{spec: specs[f], meta: meta, report: Report{Format: f}, decided: map[string]bool{}}
	maps.Copy(p.decided, meta.Decided)
	left, domains, idns := 0, 0, 0
	for _, r := range rs {
		// In punycode before keep: a rule left out still decides its
		// name, in the spelling the others are written in.
		idn := false
		if a, ok := names.Punycode(r.Pattern); ok && p.spec.name != nil {
			r.Pattern, idn = a, true
		}
		if p.spec.keep != nil && !p.spec.keep(&r, meta.Verdict) {
			left++
			p.holdBack(&r)
			continue
		}
		if idn {
			idns++
		}
		if reason := p.check(&r); reason != "" {
			p.report.Omitted = append(p.report.Omitted, Omitted{Rule: r, Reason: reason})
			continue
		}
		if r.Scope == rules.Domain {
			domains++
		}
		p.rules = append(p.rules, r)
	}
	p.report.Written = len(p.rules)
	if left > 0 {
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("%s left out: %s", words.Count(left, "known-good rule"), p.spec.skipped))
	}
	if idns > 0 {
		p.report.Notes = append(p.report.Notes, words.Count(idns, "rule")+" for an internationalised name written in punycode")
	}
	switch n := p.yielding(); {
	case n == 0:
	case p.spec.exact || f == RPZ:
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("the bare name of %s left out: an exact-name rule not in this export decides it", words.Count(n, "domain rule")))
	default:
		// ||name^ and dotprefix match the bare name with the names
		// below it: the format cannot leave it out.
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("the bare name of %s still covered, though an exact-name rule not in this export decides it: this format cannot leave it out (export every verdict to carry that rule)", words.Count(n, "domain rule")))
	}
	if domains > 0 && p.spec.scope != "" {
		p.report.Notes = append(p.report.Notes, fmt.Sprintf("%s: %s", words.Count(domains, "domain rule"), p.spec.scope))
	}
	return p
}

// holdBack notes the name of an exact host-name rule the export leaves out
// (a known-good one in a hosts file): that rule still decides the name, so
// a Domain rule on it must not write it.
func (p *plan) holdBack(r *rules.Rule) {
	if sub, ok := subject.ByCode(r.Subject()); ok && sub.Hostname && r.Scope == rules.Name {
		p.decided[r.Pattern] = true
	}
}

// yields reports whether r is a Domain rule whose bare name an exact rule
// outside the export decides: the name is not r's to write.
func (p *plan) yields(r *rules.Rule) bool {
	return r.Scope == rules.Domain && p.decided[r.Pattern]
}

// yielding counts the rules to write that yield their bare name.
func (p *plan) yielding() int {
	n := 0
	for i := range p.rules {
		if p.yields(&p.rules[i]) {
			n++
		}
	}
	return n
}

// check says why a rule cannot be written in the plan's format ("" if it
// can).
func (p *plan) check(r *rules.Rule) string {
	if p.spec.name == nil {
		return ""
	}
	if sub := subject.Must(r.Subject()); !sub.Hostname {
		return "a rule for " + sub.Title + ": only csv and json carry it"
	}
	return p.checkName(r.Pattern, r.Scope)
}

// checkName says why a host name cannot be written in the plan's format
// for a rule of scope.
func (p *plan) checkName(name string, scope rules.Scope) string {
	if err := rules.ValidName(name); err != nil {
		return "not a valid DNS name: " + err.Error()
	}
	return p.spec.name(name, scope, p.meta)
}

// header writes the header comment: the given lines, the notes, and every
// rule left out with why, each line behind prefix and sanitised, so no
// byte of a pattern can start a record of its own.
func (p *plan) header(w io.Writer, prefix string, lines ...string) {
	for _, l := range lines {
		fmt.Fprintf(w, "%s %s\n", prefix, l)
	}
	for _, n := range p.report.Notes {
		fmt.Fprintf(w, "%s %s\n", prefix, n)
	}
	if len(p.report.Omitted) > 0 {
		fmt.Fprintf(w, "%s %s left out:\n", prefix, words.Count(len(p.report.Omitted), "rule"))
	}
	for _, o := range p.report.Omitted {
		fmt.Fprintf(w, "%s   %s\n", prefix, DescribeOmitted(o))
	}
}

// DescribeOmitted is one left-out rule in one safe line: its id, verdict,
// scope, the pattern with every unsafe byte escaped, and the reason.
func DescribeOmitted(o Omitted) string {
	return fmt.Sprintf("rule %d (%s, %s) %s: %s", o.Rule.ID, o.Rule.Verdict, o.Rule.Scope,
		textsafe.String(oneLine(o.Rule.Pattern)), textsafe.String(oneLine(o.Reason)))
}

// eachName calls fn once per distinct name to write: each rule's pattern
// (unless the rule yields it) and, in exact-match formats, the names seen
// below a Domain rule.
func (p *plan) eachName(fn func(name string)) {
	seen := make(map[string]bool, len(p.rules))
	emit := func(name string) {
		if !seen[name] {
			seen[name] = true
			fn(name)
		}
	}
	for i := range p.rules {
		if r := &p.rules[i]; !p.yields(r) {
			emit(r.Pattern)
		}
	}
	for i := range p.rules {
		p.eachBelow(&p.rules[i], emit)
	}
}

// eachBelow calls fn for each valid name seen below a Domain rule (in
// formats that match exact names only) that no rule of the export names
// itself: that rule's own line says what is decided for it.
func (p *plan) eachBelow(r *rules.Rule, fn func(name string)) {
	if !p.spec.exact || r.Scope != rules.Domain {
		return
	}
	if p.patterns == nil {
		p.patterns = make(map[string]bool, len(p.rules))
		for i := range p.rules {
			p.patterns[p.rules[i].Pattern] = true
		}
	}
	for _, n := range p.meta.Below[r.Pattern] {
		if !p.patterns[n] && strings.HasSuffix(n, "."+r.Pattern) && p.checkName(n, rules.Name) == "" {
			fn(n)
		}
	}
}

// anyName accepts every valid DNS name.
func anyName(string, rules.Scope, ExportMeta) string { return "" }

func writePlain(w io.Writer, p *plan) error {
	p.header(w, "#", "longtail name list, "+p.meta.describe(p.report.Written), "One name per line.")
	p.eachName(func(name string) { fmt.Fprintln(w, name) })
	return nil
}

// notGood leaves out every known-good rule, whatever was asked for: a
// hosts entry blocks its name.
func notGood(r *rules.Rule, _ rules.Verdict) bool { return r.Verdict != rules.Good }

// goodIfAsked leaves known-good rules out of a format that cannot tell
// them from the others unless they were asked for alone (an allowlist).
func goodIfAsked(r *rules.Rule, asked rules.Verdict) bool {
	return r.Verdict != rules.Good || asked == rules.Good
}

// hostsName refuses names a hosts file would read as an address.
func hostsName(name string, _ rules.Scope, _ ExportMeta) string {
	if _, err := netip.ParseAddr(name); err == nil {
		return "an IP address, not a host name"
	}
	return ""
}

func writeHosts(w io.Writer, p *plan) error {
	p.header(w, "#", "longtail hosts file, "+p.meta.describe(p.report.Written))
	p.eachName(func(name string) { fmt.Fprintf(w, "0.0.0.0 %s\n", name) })
	return nil
}

// writeAdblock writes the syntax AdGuard Home and Pi-hole (v6) share:
// "||name^" blocks name and its subdomains, "@@" allows. An exact-name rule
// is "|name^", which AdGuard reads as that name alone (the form it
// generates for hosts entries); Pi-hole understands only "||name^" and
// ignores such lines.
func writeAdblock(w io.Writer, p *plan) error {
	fmt.Fprintln(w, "! Title: longtail export")
	p.header(w, "!", p.meta.describe(p.report.Written))
	for i := range p.rules {
		r := &p.rules[i]
		prefix := "|"
		if r.Scope == rules.Domain {
			prefix = "||"
		}
		if r.Verdict == rules.Good {
			prefix = "@@" + prefix
		}
		fmt.Fprintf(w, "%s%s^\n", prefix, r.Pattern)
	}
	return nil
}

// writeSuricata writes a dataset of type string as Suricata loads it: one
// base64-encoded value per line and nothing else (Suricata has no comment
// syntax there: any other line stops it from loading the set, so what was
// left out is only in the Report). A rule uses it as
//
//	alert dns any any -> any any (msg:"longtail bad name"; dns.query; \
//	    dataset:isset,longtail-bad,type string,load longtail-bad.lst; sid:1000001; rev:1;)
//
// with "isnotset" for an allowlist; load is relative to the rule file.
// Matching is on the exact query name (see writeSuricataRules for domains).
func writeSuricata(w io.Writer, p *plan) error {
	p.eachName(func(name string) {
		fmt.Fprintln(w, base64.StdEncoding.EncodeToString([]byte(name)))
	})
	return nil
}

// SidBase is added to a rule's id to make its Suricata sid: the
// 1,000,000–1,999,999 range is the one left for local rules.
const SidBase = 1_000_000

// writeSuricataRules writes one Suricata rule per longtail rule, so that
// a domain rule covers its bare name and everything below it, which a
// string dataset cannot:
//
//	alert dns any any -> any any (msg:"longtail bad domain evil.example"; dns.query; dotprefix; content:".evil.example"; endswith; nocase; sid:1000002; rev:1;)
//
// An exact-name rule anchors its content at both ends; known-good rules
// become "pass" rules. The sid is SidBase plus the workspace's rule id, so
// it stays the same from one export to the next.
func writeSuricataRules(w io.Writer, p *plan) error {
	p.header(w, "#", "longtail Suricata rules, "+p.meta.describe(p.report.Written))
	for i := range p.rules {
		r := &p.rules[i]
		action := "alert"
		if r.Verdict == rules.Good {
			action = "pass"
		}
		match := fmt.Sprintf(`content:"%s"; startswith; endswith;`, r.Pattern)
		if r.Scope == rules.Domain {
			match = fmt.Sprintf(`dotprefix; content:".%s"; endswith;`, r.Pattern)
		}
		fmt.Fprintf(w, "%s dns any any -> any any (msg:\"longtail %s %s %s\"; dns.query; %s nocase; sid:%d; rev:1;)\n",
			action, r.Verdict, r.Scope, r.Pattern, match, SidBase+r.ID)
	}
	return nil
}
