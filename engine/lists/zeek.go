package lists

import (
	"fmt"
	"io"
	"strings"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/textsafe"
)

// Zeek Intel framework files: a "#fields" header, then tab-separated lines.
// longtail writes exactly
//
//	#fields	indicator	indicator_type	meta.source	meta.desc
//	evil.example	Intel::DOMAIN	longtail	bad (domain and subdomains): c2
//
// Zeek matches an Intel::DOMAIN indicator against the exact name, so a
// Domain-scope rule catches only its bare name there; meta.desc says what
// the rule meant, and carries verdict, scope and note back on import.

const (
	zeekFields     = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc"
	zeekDomainType = "Intel::DOMAIN"
	zeekSource     = "longtail"
	zeekDomainDesc = " (domain and subdomains)"
)

func zeekSigned(head []string) bool {
	for _, l := range head {
		if strings.HasPrefix(l, "#fields\t") && strings.Contains(l, "\tindicator") {
			return true
		}
	}
	return false
}

// writeZeekIntel writes each rule's pattern (unless the rule yields it),
// then, for a Domain rule, the names seen below it as exact-name lines with
// the same verdict and note: that is all Intel::DOMAIN can match of a
// domain. A Name and a Domain rule
// on one pattern both get their line, so the file reads back as both rules;
// Zeek keeps one of the two metas for the indicator, which matches the
// same name either way.
func writeZeekIntel(w io.Writer, p *plan) error {
	p.header(w, "#", "longtail Zeek Intel file, "+p.meta.describe(p.report.Written))
	fmt.Fprintln(w, zeekFields)
	line := func(name string, r *rules.Rule) {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", name, zeekDomainType, zeekSource, describe(r, zeekDomainDesc))
	}
	for i := range p.rules {
		r := &p.rules[i]
		if !p.yields(r) {
			line(r.Pattern, r)
		}
		if r.Scope != rules.Domain {
			continue
		}
		exact := *r
		exact.Scope = rules.Name
		p.eachBelow(r, func(name string) { line(name, &exact) })
	}
	return nil
}

// describe renders "verdict[scopeText][: note]" on one line, the form
// meta.desc and RPZ comments use; parseDescription reads it back.
func describe(r *rules.Rule, scopeText string) string {
	d := r.Verdict.String()
	if r.Scope == rules.Domain {
		d += scopeText
	}
	if r.Note != "" {
		d += ": " + textsafe.String(oneLine(r.Note))
	}
	return d
}

// parseDescription reads what describe wrote. Text in another shape (a
// third-party feed's description) becomes the note.
func parseDescription(d, scopeText string) (v rules.Verdict, scope rules.Scope, note string) {
	word := d
	if i := strings.IndexAny(d, " :"); i >= 0 {
		word = d[:i]
	}
	v, err := rules.ParseVerdict(word)
	if err != nil || word == "" {
		return rules.None, rules.Name, d
	}
	rest := d[len(word):]
	if r, ok := strings.CutPrefix(rest, scopeText); ok && scopeText != "" {
		rest, scope = r, rules.Domain
	}
	if rest == "" {
		return v, scope, ""
	}
	if note, ok := strings.CutPrefix(rest, ": "); ok {
		return v, scope, note
	}
	return rules.None, rules.Name, d
}

// oneLine replaces control characters (tabs and line breaks above all) by
// spaces: they would split a Zeek field or end a zone-file comment.
func oneLine(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

type zeekParser struct {
	indicator, typ, desc int // column positions, -1 until #fields is seen
}

func newZeekParser() lineParser { return &zeekParser{indicator: -1} }

func (p *zeekParser) line(s string, add func(Entry)) string {
	if s == "" {
		return ""
	}
	if strings.HasPrefix(s, "#") {
		if rest, ok := strings.CutPrefix(s, "#fields\t"); ok {
			p.indicator, p.typ, p.desc = -1, -1, -1
			for i, f := range strings.Split(rest, "\t") {
				switch f {
				case "indicator":
					p.indicator = i
				case "indicator_type":
					p.typ = i
				case "meta.desc":
					p.desc = i
				}
			}
		}
		return ""
	}
	if p.indicator < 0 || p.typ < 0 {
		return "no #fields header with indicator and indicator_type before this line"
	}
	fields := strings.Split(s, "\t")
	if len(fields) <= max(p.indicator, p.typ, p.desc) {
		return "fewer fields than the #fields header"
	}
	if t := fields[p.typ]; t != zeekDomainType {
		return "indicator type " + t + " is not " + zeekDomainType
	}
	var e Entry
	if p.desc >= 0 && fields[p.desc] != "-" && fields[p.desc] != "(empty)" {
		e.Verdict, e.Scope, e.Note = parseDescription(fields[p.desc], zeekDomainDesc)
	}
	return addName(fields[p.indicator], e, add)
}

func (p *zeekParser) flush(func(Entry)) {}
