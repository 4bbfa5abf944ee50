package subject

import (
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/record"
)

func request() *record.Record {
	var r record.Record
	r.ResetHTTP()
	r.Client = []byte("192.0.2.77")
	r.Method = []byte("GET")
	r.Host = []byte("WWW.Example.COM:80")
	r.Path = []byte("/wp-admin/setup.php")
	r.Query = []byte("step=1")
	r.Status = 404
	r.Bytes = 512
	r.UserAgent = []byte("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)")
	r.Referer = []byte("https://user:pw@Search.Example.ORG/q?x=1")
	return &r
}

// Each HTTP subject takes its value from the request, normalised, and rolls
// it up to what an analyst groups it by.
func TestHTTPSubjects(t *testing.T) {
	r := request()
	want := map[Code][2]string{
		HTTPHost:    {"www.example.com", "example.com"},
		HTTPPath:    {"/wp-admin/setup.php", "/wp-admin/"},
		HTTPAgent:   {string(r.UserAgent), "Nmap Scripting Engine"},
		HTTPClient:  {"192.0.2.77", "192.0.2.0/24"},
		HTTPReferer: {"search.example.org", "example.org"},
		HTTPStatus:  {"404", "4xx"},
	}
	for _, s := range Of(record.KindHTTP) {
		v, ok := s.Append(nil, r)
		w, listed := want[s.Code]
		if !listed {
			t.Fatalf("subject %s not expected", s.Name)
		}
		if !ok || string(v) != w[0] || s.RollUp(string(v)) != w[1] {
			t.Errorf("%s: %q (ok %v) → %q, want %q → %q", s.Name, v, ok, s.RollUp(string(v)), w[0], w[1])
		}
	}
}

// What a request lacks is either absent (no host, no referer: nothing to
// count) or counted as "-" (no user agent, no response: the absence is
// the signal).
func TestMissingValues(t *testing.T) {
	var r record.Record
	r.ResetHTTP()
	for _, c := range []struct {
		code Code
		val  string
		ok   bool
	}{{HTTPHost, "", false}, {HTTPReferer, "", false}, {HTTPClient, "", false},
		{HTTPAgent, None, true}, {HTTPStatus, None, true}, {HTTPPath, None, true}} {
		v, ok := Must(c.code).Append(nil, &r)
		if ok != c.ok || string(v) != c.val {
			t.Errorf("%s: %q %v, want %q %v", Must(c.code).Name, v, ok, c.val, c.ok)
		}
	}
}

func TestHosts(t *testing.T) {
	for in, want := range map[string]string{
		"example.com:443": "example.com", "example.com:8080": "example.com:8080",
		"[2001:db8::1]:80": "[2001:db8::1]", "2001:db8::1": "2001:db8::1", "Example.COM.": "example.com",
	} {
		got, ok := appendHost(nil, []byte(in))
		if !ok || string(got) != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if got := rollUpHost("shop.example.co.uk:8080"); got != "example.co.uk" {
		t.Errorf("roll-up with a port: %q", got)
	}
	if got := rollUpAddr("2001:db8:1:2::5"); got != "2001:db8:1::/48" {
		t.Errorf("IPv6 network: %q", got)
	}
}

// The hot path of the ingest: a subject's value is appended to a reused
// buffer without allocating.
func TestAppendDoesNotAllocate(t *testing.T) {
	r := request()
	buf := make([]byte, 0, 512)
	for _, s := range All {
		if n := testing.AllocsPerRun(100, func() { buf, _ = s.Append(buf[:0], r) }); n != 0 {
			t.Errorf("%s: %v allocations", s.Name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { buf, _ = AppendHTTPDetail(buf[:0], r) }); n != 0 {
		t.Errorf("detail: %v allocations", n)
	}
}

// A separator inside a field (hostile input) cannot shift the fields after
// it.
func TestDetailRoundTrip(t *testing.T) {
	r := request()
	r.UserAgent = []byte("evil\x1fGET\x1fx")
	text, exact := AppendHTTPDetail(nil, r)
	if exact {
		t.Error("a user agent with a separator in it is said to be held exactly")
	}
	d := ParseHTTPDetail(string(text))
	want := HTTPDetail{Method: "GET", Host: "WWW.Example.COM:80", Path: "/wp-admin/setup.php", Query: "step=1",
		UserAgent: "evil?GET?x", Referer: string(r.Referer)}
	if d != want {
		t.Errorf("got %+v\nwant %+v", d, want)
	}
	if d.Target() != "/wp-admin/setup.php?step=1" {
		t.Errorf("target %q", d.Target())
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Code{"": HTTPHost, "ua": HTTPAgent, "http.path": HTTPPath, "user agent": HTTPAgent} {
		s, err := Parse(record.KindHTTP, in)
		if err != nil || s.Code != want {
			t.Errorf("%q: %v %v, want %d", in, s.Code, err, want)
		}
	}
	if _, err := Parse(record.KindDNS, "ua"); err == nil {
		t.Error("dns has no user agents")
	}
	if s, err := ParseQualified(""); err != nil || s.Code != DNSName {
		t.Errorf("a rule without a kind is for DNS names: %v %v", s.Code, err)
	}
	for _, s := range All {
		if back, err := ParseQualified(s.QualifiedName()); err != nil || back.Code != s.Code {
			t.Errorf("%s does not read back: %v", s.QualifiedName(), err)
		}
	}
}

func TestAgentFamilies(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 zgrab/0.x": "zgrab", "curl/8.4.0": "curl", "Mozilla/5.0": "Mozilla",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36": "Chrome",
		"-": "-", "(weird)": "weird", "": "(unknown)",
		// The parser turns a Perl module's "::" into two spaces.
		"LWP::Simple/6.00 libwww-perl/6.05": "LWP Simple",
		// Unknown to the parser: the first word that is a product.
		"Mozilla/5.0 [en] (X11, U; OpenVAS 8.0.4)": "OpenVAS",
		"Mozilla/5.0 \x1b]0;pwned\x07 evil":        "evil",
	} {
		if got := rollUpAgent(ua); got != want {
			t.Errorf("%q: %q, want %q", ua, got, want)
		}
	}
}

// Every subject counts one of its values in the singular: the Plural's
// stem, as Count takes it.
func TestCountSaysOneInTheSingular(t *testing.T) {
	want := map[Code]string{DNSName: "1 name", HTTPAgent: "1 user agent", HTTPStatus: "1 status", HTTPReferer: "1 referer host",
		LogonURL: "1 URL", LogonSoftware: "1 client version", LogonAuth: "1 package"}
	for _, s := range All {
		one := s.Count(1)
		if w, ok := want[s.Code]; ok && one != w {
			t.Errorf("%s: %q, want %q", s.QualifiedName(), one, w)
		}
		if stem := strings.TrimPrefix(one, "1 "); stem+"s" != s.Plural && stem+"es" != s.Plural {
			t.Errorf("%s: %q is not the singular of %q", s.QualifiedName(), one, s.Plural)
		}
		if got := s.Count(2); got != "2 "+s.Plural {
			t.Errorf("%s: %q", s.QualifiedName(), got)
		}
	}
}

// A group is named by its word, unless another subject of the kind is
// called so: a rule on root's pairs is not one on the account root.
func TestGroupWord(t *testing.T) {
	for sub, want := range map[Code]string{DNSName: "domain", LogonSource: "network", LogonPair: "pairs of account", HTTPAgent: "family", LogonResult: "result"} {
		if got := Must(sub).GroupWord(); got != want {
			t.Errorf("%v: %q, want %q", sub, got, want)
		}
	}
}
