package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/subject"
)

func TestVerdictWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Verdict
	}{
		{"good", Good}, {"known-good", Good}, {"Allow", Good},
		{"suspicious", Suspicious},
		{"bad", Bad}, {"block", Bad}, {" MALICIOUS ", Bad},
	} {
		got, err := ParseVerdict(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseVerdict(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "none", "evil", "goodish"} {
		if _, err := ParseVerdict(bad); err == nil {
			t.Errorf("ParseVerdict(%q) accepted", bad)
		}
	}
	for _, v := range []Verdict{Good, Suspicious, Bad} {
		if back, err := ParseVerdict(v.String()); err != nil || back != v {
			t.Errorf("%v does not round-trip through String: %v, %v", v, back, err)
		}
	}
}

func TestScopeWords(t *testing.T) {
	for _, s := range []Scope{Name, Domain} {
		if back, err := ParseScope(s.String()); err != nil || back != s {
			t.Errorf("%v does not round-trip: %v, %v", s, back, err)
		}
	}
	if _, err := ParseScope("subtree"); err == nil {
		t.Error("ParseScope accepted an unknown word")
	}
}

func TestParsePattern(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	name253 := strings.Repeat(long63+".", 3) + strings.Repeat("b", 61) // 3*64+61 = 253
	for _, tc := range []struct {
		in    string
		want  string
		scope Scope
	}{
		{"Example.COM.", "example.com", Name},
		{"  example.com  ", "example.com", Name},
		{"*.Example.com", "example.com", Domain},
		{".example.com", "example.com", Domain},
		{"_dmarc.example.com", "_dmarc.example.com", Name},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", Name},
		{"*.Bücher.example.", "xn--bcher-kva.example", Domain}, // an IDN typed as shown: its punycode
		{"MÜNCHEN.de", "xn--mnchen-3ya.de", Name},
		{"wpad", "wpad", Name},
		{"1.2.3.4", "1.2.3.4", Name},
		{long63 + ".com", long63 + ".com", Name},
		{name253, name253, Name},
	} {
		got, scope, err := ParsePattern(tc.in)
		if err != nil || got != tc.want || scope != tc.scope {
			t.Errorf("ParsePattern(%q) = %q, %v, %v; want %q, %v", tc.in, got, scope, err, tc.want, tc.scope)
		}
	}
	for _, bad := range []string{
		"", ".", "*.", "*", "a b.com", "a..b", "..a.com", "*..a.com", "a.com..", "ex!ample.com",
		"a.*.com", "bücher!.example", "a\x00b", "a/b", "http://a.com",
		// What IDNA's mapping would change is not the name typed: a
		// zero-width space dropped, full-width letters narrowed.
		"\u200bwww.google.com", "www.goo\u00adgle.com", "ｅｘａｍｐｌｅ.com",
		long63 + "a.com", name253 + "b",
	} {
		if got, _, err := ParsePattern(bad); err == nil {
			t.Errorf("ParsePattern(%q) accepted as %q", bad, got)
		}
	}
	if got, err := NormalizePattern("*.A.b."); err != nil || got != "a.b" {
		t.Errorf("NormalizePattern = %q, %v", got, err)
	}
}

func TestParsePatternNormalFormDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _, _, _ = ParsePattern("www.example.com") }); n != 0 {
		t.Errorf("ParsePattern allocated %v times on a normal name", n)
	}
}

func TestMatcherMostSpecificWins(t *testing.T) {
	m := NewMatcher([]Rule{
		{ID: 1, Pattern: "example.com", Scope: Domain, Verdict: Good},
		{ID: 2, Pattern: "evil.example.com", Scope: Domain, Verdict: Bad},
		{ID: 3, Pattern: "watch.evil.example.com", Scope: Name, Verdict: Suspicious},
		{ID: 4, Pattern: "com", Scope: Domain, Verdict: Suspicious},
		{ID: 5, Pattern: "only.example.org", Scope: Name, Verdict: Bad},
	}, subject.DNSName)
	for _, tc := range []struct {
		name string
		id   int64 // 0: no rule
	}{
		{"example.com", 1}, // the bare name is covered by its Domain rule
		{"www.example.com", 1},
		{"evil.example.com", 2},
		{"a.b.evil.example.com", 2},
		{"watch.evil.example.com", 3}, // exact beats a longer-matching domain rule
		{"x.watch.evil.example.com", 2},
		{"notexample.com", 4}, // label boundary: not under example.com
		{"other.com", 4},
		{"only.example.org", 5},
		{"sub.only.example.org", 0}, // Name scope does not reach subdomains
		{"example.org", 0},
		{"example.com.", 1}, // trailing dot tolerated
		{"", 0},
	} {
		r, ok := m.Match(tc.name)
		if got := map[bool]int64{true: r.ID}[ok]; got != tc.id {
			t.Errorf("Match(%q) = rule %d, want %d", tc.name, got, tc.id)
		}
	}
}

// A host an HTTP log names with its port (the Host header
// "shop.example:8443") is decided by a rule on the host: no typed pattern
// can hold a port, and the tester's rule on shop.example covered none of
// its requests. An exact rule on the value with its port (a mark in the
// screen) still comes first, and a DNS name keeps its colon.
func TestMatcherHostOnAPort(t *testing.T) {
	rs := []Rule{
		{ID: 1, Pattern: "shop.example", Verdict: Good, Kind: subject.HTTPHost},
		{ID: 2, Pattern: "evil.example", Scope: Domain, Verdict: Bad, Kind: subject.HTTPHost},
		{ID: 3, Pattern: "shop.example:9000", Verdict: Suspicious, Kind: subject.HTTPHost},
		{ID: 4, Pattern: "shop.example", Verdict: Bad},
	}
	m := NewMatcher(rs, subject.HTTPHost)
	for _, tc := range []struct {
		host string
		id   int64
	}{
		{"shop.example:8443", 1},
		{"shop.example", 1},
		{"shop.example:9000", 3},
		{"a.evil.example:8080", 2},
		{"evil.example:1", 2},
		{"[::1]:8080", 0},
		{"other.example:8443", 0},
	} {
		r, ok := m.Match(tc.host)
		if got := map[bool]int64{true: r.ID}[ok]; got != tc.id {
			t.Errorf("Match(%q) = rule %d, want %d", tc.host, got, tc.id)
		}
	}
	if r, ok := NewMatcher(rs, subject.DNSName).Match("shop.example:53"); ok {
		t.Errorf("a DNS name with a colon was decided by rule %d", r.ID)
	}
	if _, _, err := ParsePattern("shop.example:8443"); err == nil || !strings.Contains(err.Error(), `give "shop.example"`) {
		t.Errorf("a typed host:port: %v, want the host asked for", err)
	}
}

func TestMatcherDuplicatePatternNewestWins(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rs := []Rule{
		{ID: 7, Pattern: "a.example", Scope: Domain, Verdict: Bad, Created: t0.Add(time.Hour)},
		{ID: 9, Pattern: "a.example", Scope: Domain, Verdict: Good, Created: t0},
		{ID: 3, Pattern: "b.example", Verdict: Bad, Created: t0},
		{ID: 4, Pattern: "b.example", Verdict: Good, Created: t0},
	}
	for _, order := range [][]Rule{rs, {rs[3], rs[2], rs[1], rs[0]}} {
		m := NewMatcher(order, subject.DNSName)
		if r, _ := m.Match("x.a.example"); r.ID != 7 {
			t.Errorf("later Created should win, got rule %d", r.ID)
		}
		if r, _ := m.Match("b.example"); r.ID != 4 {
			t.Errorf("same time: higher ID should win, got rule %d", r.ID)
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	for _, rs := range [][]Rule{
		{{Pattern: "example.com", Scope: Domain}, {Pattern: "x.org"}},
		{{Pattern: "example.com", Scope: Domain}, {Pattern: "x.org"}, {Pattern: "xn--r8jz45g.jp", Scope: Domain}},
	} {
		m := NewMatcher(rs, subject.DNSName)
		for _, name := range []string{"a.b.c.example.com", "x.org", "nothing.here.net"} {
			if n := testing.AllocsPerRun(100, func() { m.Match(name) }); n != 0 {
				t.Errorf("Match(%q) allocated %v times", name, n)
			}
		}
	}
}

// TestMatcherUnicodeNames: a name a log holds in UTF-8 is decided by a
// rule typed in Unicode (held in punycode), the most specific rule of
// either spelling winning; a lookalike IDNA would rewrite is not.
func TestMatcherUnicodeNames(t *testing.T) {
	m := NewMatcher([]Rule{
		{ID: 1, Pattern: "jp", Scope: Domain, Verdict: Suspicious},
		{ID: 2, Pattern: "xn--r8jz45g.jp", Scope: Domain, Verdict: Bad},  // *.例え.jp
		{ID: 3, Pattern: "xn--wgv71a119e.xn--r8jz45g.jp", Verdict: Good}, // 日本語.例え.jp
		{ID: 4, Pattern: "www.google.com", Verdict: Good},
		{ID: 5, Pattern: "raw.例え.jp", Verdict: Bad}, // a name from the data, as stored
	}, subject.DNSName)
	for _, tc := range []struct {
		name string
		id   int64 // 0: no rule
	}{
		{"日本語.例え.jp", 3},
		{"日本語.例え.jp.", 3},
		{"xn--wgv71a119e.xn--r8jz45g.jp", 3},
		{"他.例え.jp", 2},
		{"raw.例え.jp", 5},
		{"sub.raw.例え.jp", 2},
		{"例え.jp", 2},
		{"他.jp", 1},
		{"\u200bwww.google.com", 0},
		{"日本語.例え.jp\u200b", 0},
	} {
		r, ok := m.Match(tc.name)
		if got := map[bool]int64{true: r.ID}[ok]; got != tc.id {
			t.Errorf("Match(%q) = rule %d, want %d", tc.name, got, tc.id)
		}
	}
	if r, ok := m.MatchGroup("例え.jp"); !ok || r.ID != 2 {
		t.Errorf("MatchGroup(例え.jp) = %+v, %v", r, ok)
	}
}

// BenchmarkMatch applies a 100k-rule matcher to 400k names, the size of one
// workspace's distinct names; one op is all 400k lookups.
func BenchmarkMatch(b *testing.B) { benchmarkMatch(b, nil) }

// BenchmarkMatchIDNRule is BenchmarkMatch with a rule for a name in
// punycode, so that every missed name is looked at for Unicode too.
func BenchmarkMatchIDNRule(b *testing.B) {
	benchmarkMatch(b, []Rule{{Pattern: "xn--r8jz45g.jp", Scope: Domain, Verdict: Bad}})
}

func benchmarkMatch(b *testing.B, more []Rule) {
	rs := make([]Rule, 100_000)
	for i := range rs {
		rs[i] = Rule{ID: int64(i), Pattern: fmt.Sprintf("d%d.example%d.com", i, i%97), Scope: Scope(i % 2), Verdict: Good}
	}
	m := NewMatcher(append(rs, more...), subject.DNSName)
	names := make([]string, 400_000)
	for i := range names {
		// A quarter hit a rule below it, the rest miss after walking 5 labels.
		if i%4 == 0 {
			names[i] = fmt.Sprintf("www.d%d.example%d.com", i/4, (i/4)%97)
		} else {
			names[i] = fmt.Sprintf("a%d.b.c%d.example%d.net", i, i%13, i%89)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	for b.Loop() {
		for _, n := range names {
			if _, ok := m.Match(n); ok {
				hits++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(names)), "ns/name")
}

// TestCheckKeepsAVerdictOnAnyNameButOnlyExportsValidOnes: the one
// validation every stored rule passes keeps a verdict on any name or
// domain the workspace stores; only ValidName ones may be exported.
func TestCheckKeepsAVerdictOnAnyNameButOnlyExportsValidOnes(t *testing.T) {
	for _, tc := range []struct {
		r         Rule
		ok, valid bool
	}{
		{Rule{Pattern: "evil.example", Verdict: Bad}, true, true},
		{Rule{Pattern: "evil.example", Scope: Domain, Verdict: Good}, true, true},
		// Names and domains from the data, as the workspace stores them.
		{Rule{Pattern: "a.evil.com\n*.c2.net cname rpz-passthru.\nc.evil.com", Verdict: Bad}, true, false},
		{Rule{Pattern: "\x1b]0;t\x07.evil.com", Verdict: Suspicious}, true, false},
		{Rule{Pattern: "bad\xff.evil.com", Verdict: Bad}, true, false},
		{Rule{Pattern: "a..b.example", Scope: Domain, Verdict: Bad}, true, false},
		{Rule{Pattern: "a.b.example.", Verdict: Bad}, true, false}, // Zeek's "a.b.example.."
		{Rule{Pattern: ".", Verdict: Bad}, true, false},
		{Rule{Pattern: "*.teams.microsoft.com", Verdict: Bad}, true, false},
		{Rule{Pattern: strings.Repeat("a", 1500), Verdict: Bad}, true, false},
		// Not a rule at all.
		{Rule{Pattern: "", Verdict: Bad}, false, false},
		{Rule{Pattern: strings.Repeat("a", MaxRawName+1), Verdict: Bad}, false, false},
		{Rule{Pattern: "evil.example"}, false, true}, // no verdict
	} {
		err := tc.r.Check()
		if (err == nil) != tc.ok {
			t.Errorf("Check(%.40q, %v) = %v, want ok=%v", tc.r.Pattern, tc.r.Scope, err, tc.ok)
		}
		if (ValidName(tc.r.Pattern) == nil) != tc.valid {
			t.Errorf("ValidName(%.40q) = %v, want valid=%v", tc.r.Pattern, ValidName(tc.r.Pattern), tc.valid)
		}
	}
	if err := (&Rule{Pattern: "\x1b[2J", Verdict: 9}).Check(); err == nil || strings.ContainsRune(err.Error(), 0x1b) {
		t.Errorf("message holds a raw ESC: %q", err)
	}
	if _, _, err := ParsePattern("bü cher.example"); err == nil || !strings.Contains(err.Error(), `'\u00fc'`) {
		t.Errorf("ParsePattern names the wrong character: %v", err)
	}
}

// A rule is for one subject: a known-good user agent decides no DNS name,
// and a rule for a family (domain scope) decides its user agents unless a
// rule for the agent itself says otherwise.
func TestRulesOfOtherSubjects(t *testing.T) {
	rs := []Rule{
		{ID: 1, Kind: subject.HTTPAgent, Pattern: "curl", Scope: Domain, Verdict: Good},
		{ID: 2, Kind: subject.HTTPAgent, Pattern: "curl/7.1 evil", Scope: Name, Verdict: Bad},
		{ID: 3, Pattern: "example.com", Scope: Domain, Verdict: Suspicious},
	}
	ua := NewMatcher(rs, subject.HTTPAgent)
	for _, c := range []struct {
		value, group string
		isGroup      bool
		want         int64
	}{
		{"curl/8.0", "curl", false, 1}, {"curl/7.1 evil", "curl", false, 2}, {"", "curl", true, 1},
		{"curl", "Chrome", false, 0}, // a value named like a family is not the family
		{"www.example.com", "example.com", false, 0},
	} {
		r, ok := ua.MatchRow(c.value, c.group, c.isGroup)
		if (c.want == 0 && ok) || (c.want != 0 && r.ID != c.want) {
			t.Errorf("%q in %q: rule %d %v, want %d", c.value, c.group, r.ID, ok, c.want)
		}
	}
	dns := NewMatcher(rs, subject.DNSName)
	if r, ok := dns.MatchRow("www.example.com", "example.com", false); !ok || r.ID != 3 {
		t.Errorf("DNS name: %+v %v", r, ok)
	}
	if _, ok := dns.Match("curl"); ok || dns.Len() != 1 {
		t.Errorf("the DNS matcher took another subject's rules (%d)", dns.Len())
	}
}

// A Name rule on a bare registered domain decides that one name, not the
// domain: the domain row stands for all its names, which only a Domain rule
// (or one above it) decides.
func TestNameRuleOnADomainDoesNotDecideTheGroup(t *testing.T) {
	m := NewMatcher([]Rule{
		{ID: 1, Pattern: "wrccdc.org", Scope: Name, Verdict: Good},
		{ID: 2, Pattern: "org", Scope: Domain, Verdict: Suspicious},
	}, subject.DNSName)
	if r, _ := m.MatchRow("wrccdc.org", "wrccdc.org", false); r.ID != 1 {
		t.Errorf("the bare name: rule %d, want 1", r.ID)
	}
	if r, _ := m.MatchRow("ise.wrccdc.org", "wrccdc.org", false); r.ID != 2 {
		t.Errorf("a name below it: rule %d, want 2", r.ID)
	}
	if r, _ := m.MatchRow("", "wrccdc.org", true); r.ID != 2 {
		t.Errorf("the domain row: rule %d, want 2 (the Domain rule above it)", r.ID)
	}
	if r, ok := NewMatcher(m.rules[:1], subject.DNSName).MatchGroup("wrccdc.org"); ok {
		t.Errorf("the domain decided by a Name rule: %+v", r)
	}
}

// Check, which every stored rule passes, refuses a domain rule on a whole
// public suffix, whatever made it (a category import with --verdict did);
// an exact rule on it and the reverse-lookup zones are made.
func TestCheckRefusesADomainRuleOnAPublicSuffix(t *testing.T) {
	for _, r := range []Rule{{Pattern: "com", Scope: Domain}, {Pattern: "co.uk", Scope: Domain}, {Pattern: "ck", Scope: Domain}} {
		r.Verdict = Bad
		if err := r.Check(); err == nil || !strings.Contains(err.Error(), "is a public suffix") {
			t.Errorf("%s: %v", r.Pattern, err)
		}
	}
	for _, r := range []Rule{{Pattern: "com"}, {Pattern: "in-addr.arpa", Scope: Domain}, {Pattern: "example.com", Scope: Domain},
		{Pattern: "com", Scope: Domain, Kind: subject.HTTPAgent}} {
		r.Verdict = Good
		if err := r.Check(); err != nil {
			t.Errorf("%s %v: %v", r.Pattern, r.Scope, err)
		}
	}
}
