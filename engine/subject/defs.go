package subject

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"unicode"

	"github.com/mileusna/useragent"

	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/record"
)

// None is the value of a subject the event lacks but whose absence is worth
// counting: a request without a user agent, without a response.
const None = "-"

var (
	dnsName = Subject{
		Code: DNSName, Scored: true, Kind: record.KindDNS, Name: "name", Title: "DNS names", Plural: "names", Column: "name",
		Group: "registered domain", Groups: "domains", Primary: true, Hostname: true,
		Append: func(dst []byte, r *record.Record) ([]byte, bool) { return names.AppendNormalized(dst, r.Name) },
		RollUp: names.RegisteredDomain,
	}
	httpHost = Subject{
		Code: HTTPHost, Scored: true, Kind: record.KindHTTP, Name: "host", Title: "HTTP hosts", Plural: "hosts", Column: "host",
		Group: "registered domain", Groups: "domains", Hostname: true, Ported: true,
		Append: func(dst []byte, r *record.Record) ([]byte, bool) { return appendHost(dst, r.Host) },
		RollUp: rollUpHost,
	}
	httpPath = Subject{
		Code: HTTPPath, Scored: true, Kind: record.KindHTTP, Name: "path", Title: "HTTP paths", Plural: "paths", Column: "path",
		Group: "section", Groups: "sections", Primary: true,
		Append: func(dst []byte, r *record.Record) ([]byte, bool) { return appendOr(dst, r.Path), true },
		RollUp: rollUpPath,
	}
	httpAgent = Subject{
		Code: HTTPAgent, Scored: true, Kind: record.KindHTTP, Name: "ua", Title: "HTTP user agents", Plural: "user agents", Column: "user agent",
		Group: "family", Groups: "families",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) { return appendOr(dst, r.UserAgent), true },
		RollUp: rollUpAgent, Brief: briefAgent,
	}
	httpClient = Subject{
		Code: HTTPClient, Scored: true, Kind: record.KindHTTP, Name: "client", Title: "HTTP clients", Plural: "clients", Column: "client",
		Group: "network", Groups: "networks",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) {
			return append(dst, r.Client...), len(r.Client) > 0
		},
		RollUp: rollUpAddr,
	}
	httpReferer = Subject{
		Code: HTTPReferer, Kind: record.KindHTTP, Name: "referer", Title: "HTTP referer hosts", Plural: "referer hosts", Column: "referer host",
		Group: "registered domain", Groups: "domains", Hostname: true, Ported: true,
		Append: func(dst []byte, r *record.Record) ([]byte, bool) { return appendHost(dst, urlHost(r.Referer)) },
		RollUp: rollUpHost,
	}
	httpStatus = Subject{
		Code: HTTPStatus, Kind: record.KindHTTP, Name: "status", Title: "HTTP statuses", Plural: "statuses", Column: "status",
		Group: "class", Groups: "classes",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) {
			if r.Status <= 0 {
				return append(dst, None...), true
			}
			return strconv.AppendInt(dst, int64(r.Status), 10), true
		},
		RollUp: func(v string) string {
			if len(v) == 3 && v[0] >= '1' && v[0] <= '9' {
				return v[:1] + "xx"
			}
			return v
		},
	}
)

// appendOr appends b, or None when it is empty or the log's "-".
func appendOr(dst, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, None...)
	}
	return append(dst, b...)
}

// appendHost appends a host name normalised like a DNS name, without the
// port a Host header or URL carries for the default ports: example.com:80
// and example.com are one site, example.com:8080 another.
func appendHost(dst, host []byte) ([]byte, bool) {
	if len(host) == 0 || string(host) == None {
		return dst, false
	}
	if i := lastColon(host); i >= 0 {
		if p := string(host[i+1:]); p == "80" || p == "443" {
			host = host[:i]
		}
	}
	return names.AppendNormalized(dst, host)
}

// lastColon finds the port separator of host[:port], not a colon inside an
// IPv6 literal ("[::1]:80" has one, "::1" none). It takes a record's bytes
// and a stored value's string alike, without converting either.
func lastColon[T string | []byte](host T) int {
	i := len(host) - 1
	for i >= 0 && host[i] != ':' {
		i--
	}
	switch {
	case i < 0:
		return -1
	case host[0] == '[':
		if host[i-1] != ']' {
			return -1
		}
	default:
		for j := range i { // a bare IPv6 address has another
			if host[j] == ':' {
				return -1
			}
		}
	}
	return i
}

// urlHost returns the host of an absolute URL ("https://a.example/x" →
// "a.example"); nothing for a relative one or "-".
func urlHost(u []byte) []byte {
	i := bytes.Index(u, []byte("://"))
	if i < 0 {
		return nil
	}
	h := u[i+3:]
	for j, c := range h {
		if c == '/' || c == '?' || c == '#' {
			h = h[:j]
			break
		}
	}
	if j := bytes.LastIndexByte(h, '@'); j >= 0 { // user:password@host
		h = h[j+1:]
	}
	return h
}

// rollUpHost rolls a host up to its registered domain, without a port.
func rollUpHost(h string) string {
	return names.RegisteredDomain(strings.Trim(WithoutPort(h), "[]"))
}

// WithoutPort is a host value without the port it was reached on
// ("shop.example:8443" → "shop.example"); an IPv6 literal keeps its
// brackets.
func WithoutPort(h string) string {
	if i := lastColon(h); i >= 0 {
		return h[:i]
	}
	return h
}

// rollUpPath keeps a path's first segment: "/wp-admin/x.php" →
// "/wp-admin/"; a file at the root ("/index.php") is in "/".
func rollUpPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return p // "*" (OPTIONS), "-", an authority (CONNECT)
	}
	if i := strings.IndexByte(p[1:], '/'); i >= 0 {
		return p[:i+2]
	}
	return "/"
}

// rollUpAgent names a user agent's product family ("Chrome", "curl",
// "Googlebot") by github.com/mileusna/useragent, a maintained parser: the
// families a hand-written list would miss are the rare ones that matter.
func rollUpAgent(ua string) string {
	if ua == None {
		return None
	}
	name := agentName(useragent.Parse(ua))
	if name != "" && !strings.Contains(name, "/") && printable(name) {
		return name
	}
	// An agent the parser does not know (it then names the whole string):
	// the first word that looks like a product and is not the
	// "Mozilla/5.0" every agent claims, as "Mozilla/5.0 zgrab/0.x" is
	// zgrab and "Mozilla/5.0 [en] (X11, U; OpenVAS 8.0.4)" OpenVAS.
	fields := strings.Fields(ua)
	for i, f := range fields {
		product, _, _ := strings.Cut(f, "/")
		if isProduct(product) && (product != "Mozilla" || i == len(fields)-1) {
			return product
		}
	}
	if name != "" && printable(name) {
		return name
	}
	return "(unknown)"
}

// isProduct says whether a word of a user agent looks like a product's
// name: a letter, then letters, digits, dots, dashes and underscores.
// A language tag ("[en]"), a comment's "(X11," or "U;", a version, an
// escape sequence are not.
func isProduct(w string) bool {
	for i, c := range w {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
			return false
		}
	}
	return w != ""
}

// printable says whether a family name has no control characters: one
// made of an escape sequence in the agent ("\x1b]0;pwned\x07") is no
// family.
func printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) })
}

// agentName is the parser's name of an agent, its spaces single: it turns
// the "::" of a Perl module (LWP::Simple) into two.
func agentName(u useragent.UserAgent) string {
	return strings.Join(strings.Fields(u.Name), " ")
}

// briefAgent puts what tells browsers apart first: every one of them
// starts "Mozilla/5.0 (", which is all a list at 80 columns would show.
func briefAgent(ua string) string {
	u := useragent.Parse(ua)
	b := agentName(u)
	if b == "" || strings.Contains(b, "/") {
		return ua
	}
	if v, _, _ := strings.Cut(u.Version, "."); v != "" {
		b += " " + v
	}
	if u.OS != "" {
		b += " · " + u.OS
	}
	return b + " · " + ua
}

// rollUpAddr rolls an address up to its network: a /24 for IPv4, a /48 for
// IPv6 (what one site is usually given); a host name stays itself.
func rollUpAddr(a string) string {
	ip, err := netip.ParseAddr(a)
	if err != nil {
		return a
	}
	bits := 24
	if ip.Is6() && !ip.Is4In6() {
		bits = 48
	}
	p, err := ip.Unmap().Prefix(bits)
	if err != nil {
		return a
	}
	return p.String()
}
