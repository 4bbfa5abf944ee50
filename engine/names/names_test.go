package names

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"www.Example.COM.", "www.example.com", true},
		{"www.example.com", "www.example.com", true},
		{"WPAD", "wpad", true},
		{"xn--BCHER-kva.de", "xn--bcher-kva.de", true},
		{"a..b", "a..b", true},                                   // empty labels are kept; RegisteredDomain leaves them alone
		{"example.com..", "example.com.", true},                  // only one trailing dot goes
		{"BÜCHER.de\xff", "bÜcher.de\xff", true},                 // only ASCII letters change
		{`02fds82\312HB.example`, `02fds82\312hb.example`, true}, // source escapes are kept
		{"\x1bX", "\x1bx", true},
		{"", "", false},
		{".", "", false},
	}
	for _, c := range cases {
		got, ok := Normalize([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
		b, ok := AppendNormalized([]byte("keep:"), []byte(c.in))
		want := "keep:" + c.want
		if string(b) != want || ok != c.ok {
			t.Errorf("AppendNormalized(%q) = %q, %v; want %q, %v", c.in, b, ok, want, c.ok)
		}
	}
}

// A name typed as Display shows it is looked up in the punycode logs carry.
func TestNormalizeTakesATypedIDNInPunycode(t *testing.T) {
	for in, want := range map[string]string{"münchen.de": "xn--mnchen-3ya.de", "BÜCHER.de": "xn--bcher-kva.de", "www.Bücher.de.": "www.xn--bcher-kva.de"} {
		if got, ok := Normalize([]byte(in)); got != want || !ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestAppendNormalizedDoesNotAllocate(t *testing.T) {
	raw := []byte("Static.CDN.Example.co.uk.")
	buf := make([]byte, 0, 256)
	ids := map[string]uint32{"static.cdn.example.co.uk": 7}
	var id uint32
	n := testing.AllocsPerRun(100, func() {
		b, _ := AppendNormalized(buf[:0], raw)
		id = ids[string(b)]
	})
	if n != 0 || id != 7 {
		t.Errorf("normalise + lookup: %v allocations, id %d", n, id)
	}
}

func TestRegisteredDomain(t *testing.T) {
	cases := map[string]string{
		"www.example.com":      "example.com",
		"example.com":          "example.com",
		"a.b.c.example.co.uk":  "example.co.uk",
		"www.abc.com.au":       "abc.com.au",
		"x.user.github.io":     "user.github.io",       // private section
		"d1xyz.cloudfront.net": "d1xyz.cloudfront.net", // private section
		"foo.blogspot.com":     "foo.blogspot.com",
		"co.uk":                "co.uk", // a public suffix itself
		"com":                  "com",
		"wpad":                 "wpad",
		"localhost":            "localhost",
		"host.corp":            "host.corp", // unlisted TLD: default rule "*"
		"a.b.corp":             "b.corp",
		"192.168.1.10":         "192.168.1.10",
		"2001:db8::1":          "2001:db8::1",
		"::ffff:10.0.0.1":      "::ffff:10.0.0.1",
		"[2001:db8::1]":        "[2001:db8::1]",
		"1.2.3.4.5":            "4.5", // not an address: digits-only TLD by the default rule
		"4.3.2.1.in-addr.arpa": "in-addr.arpa",
		"in-addr.arpa":         "in-addr.arpa",
		"b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa": "ip6.arpa",
		"x.home.arpa":                           "x.home.arpa", // home.arpa is a listed suffix
		"notin-addr.arpa":                       "notin-addr.arpa",
		"printer.local":                         "printer.local",
		"_ipp._tcp.local":                       "local",
		"My Printer._ipp._tcp.local":            "local",
		"dc01.corp.local":                       "corp.local",
		"_ldap._tcp.dc._msdcs.corp.local":       "corp.local", // an AD domain is its own organisation
		"corp.local":                            "corp.local",
		"_tcp.local":                            "local",
		"a.b c.local":                           "local",
		"a..example.com":                        "a..example.com",
		"x.exa mple.com":                        "x.exa mple.com",
		"x.exa\xffmple.com":                     "x.exa\xffmple.com",
		"..com":                                 "..com",
		`02fds82\3122hb\276.x.example.attack`:   "example.attack", // binary tunnel labels still roll up
		"xn--85x722f.xn--55qx5d.cn":             "xn--85x722f.xn--55qx5d.cn",
		"_ldap._tcp.dc._msdcs.corp.example.com": "example.com",
	}
	for in, want := range cases {
		if got := RegisteredDomain(in); got != want {
			t.Errorf("RegisteredDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPublicSuffixVectors runs the official PSL test vectors
// (publicsuffix/list tests/tests.txt). The vectors use Unicode for IDN
// names; names on the wire are punycode, which is what x/net's table holds,
// so IDN vectors are converted with IDNA ToASCII first.
func TestPublicSuffixVectors(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "reference", "psl_tests.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("PSL test vectors not available: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		in, want, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad vector line %q", line)
		}
		if in == "null" {
			continue // the reference tests a null pointer; we have no such input
		}
		in, want = asciiVector(t, in), asciiVector(t, want)
		name, ok := Normalize([]byte(in))
		if !ok {
			t.Fatalf("Normalize(%q) rejected a vector", in)
		}
		if want == "null" {
			want = name // no registered domain: the name stays as it is
		}
		if got := RegisteredDomain(name); got != want {
			t.Errorf("RegisteredDomain(%q) = %q, want %q", name, got, want)
		}
		n++
	}
	if n < 70 {
		t.Errorf("only %d vectors read", n)
	}
}

func asciiVector(t *testing.T, s string) string {
	if s == "null" || !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return s
	}
	a, err := idna.Lookup.ToASCII(s)
	if err != nil {
		t.Fatalf("ToASCII(%q): %v", s, err)
	}
	return a
}

func TestDisplay(t *testing.T) {
	cases := map[string]string{
		"www.example.com":               "www.example.com",
		"xn--bcher-kva.de":              "bücher.de",
		"www.xn--85x722f.xn--55qx5d.cn": "www.食狮.公司.cn",
		"xn--zz.example.com":            "xn--zz.example.com", // not valid punycode
		"xn--pple-43d.com":              "xn--pple-43d.com",   // Cyrillic а in a Latin word
		"xn--bcher-kva-.de":             "xn--bcher-kva-.de",
		"XN--BCHER-KVA.de":              "XN--BCHER-KVA.de", // not normalised: left alone
		"":                              "",
	}
	for in, want := range cases {
		if got := Display(in); got != want {
			t.Errorf("Display(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCacheAgreesWithRegisteredDomain(t *testing.T) {
	c := NewCache(3) // small, so that it starts over during the test
	for range 3 {
		for _, n := range []string{"www.example.com", "api.example.com", "4.3.2.1.in-addr.arpa", "co.uk", "a.b.example.co.uk", "wpad"} {
			if got, want := c.RegisteredDomain([]byte(n)), RegisteredDomain(n); got != want {
				t.Errorf("Cache.RegisteredDomain(%q) = %q, want %q", n, got, want)
			}
		}
	}
	if len(c.byName) > 3 {
		t.Errorf("cache holds %d names, bound is 3", len(c.byName))
	}
	hit := []byte("www.example.com")
	if n := testing.AllocsPerRun(100, func() { c.RegisteredDomain(hit) }); n != 0 {
		t.Errorf("cache hit allocates %v times", n)
	}
}

var benchNames = []string{
	"www.google.com", "static.cdn.example-content.co.uk", "d1xyz2abc.cloudfront.net",
	"4.3.2.1.in-addr.arpa", "api.service.company.com.au", "wpad", "login.microsoftonline.com",
	"e5ttq2zd4ra3ggmr0ak5bxzvc7nmgayvtpdfqsvhprjnigsb6ed.tunnel-domain.info",
}

func BenchmarkRegisteredDomain(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		RegisteredDomain(benchNames[i%len(benchNames)])
	}
}

func BenchmarkCacheHit(b *testing.B) {
	c := NewCache(0)
	raw := make([][]byte, len(benchNames))
	for i, n := range benchNames {
		raw[i] = []byte(n)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.RegisteredDomain(raw[i%len(raw)])
	}
}

func BenchmarkAppendNormalized(b *testing.B) {
	raw := []byte("Static.CDN.Example-Content.co.uk.")
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendNormalized(buf[:0], raw)
	}
}

func FuzzRollUp(f *testing.F) {
	for _, s := range []string{"www.example.co.uk.", "4.3.2.1.in-addr.arpa", "co.uk", "a..b", "1.2.3.4", "[::1]", "xn--bcher-kva.de", "\xff.com", `x\312.example.attack`, "printer.local"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		n, ok := Normalize(raw)
		if !ok {
			return
		}
		// Only one trailing dot goes ("a.." → "a."), so a second pass may
		// strip another; otherwise normalising is idempotent.
		if again, _ := Normalize([]byte(n)); again != n && !strings.HasSuffix(n, ".") {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", raw, n, again)
		}
		r := RegisteredDomain(n)
		if !strings.HasSuffix(n, r) || (r != n && n[len(n)-len(r)-1] != '.') {
			t.Fatalf("RegisteredDomain(%q) = %q is not a label suffix", n, r)
		}
		if RegisteredDomain(r) != r {
			t.Fatalf("RegisteredDomain(%q) = %q, but that rolls up to %q", n, r, RegisteredDomain(r))
		}
		_ = Display(n)
	})
}

// A name IDNA would change (a zero-width space dropped) is typed as it
// is, not as the name it looks like: "\u200bwww.google.com" finds no
// www.google.com.
func TestTypedKeepsWhatIDNAWouldChange(t *testing.T) {
	for in, want := range map[string]string{"\u200bwww.google.com": "\u200bwww.google.com", "Bücher.de": "xn--bcher-kva.de", "example.com": "example.com"} {
		if got := Typed(in); got != want {
			t.Errorf("Typed(%q) = %q, want %q", in, got, want)
		}
	}
}
