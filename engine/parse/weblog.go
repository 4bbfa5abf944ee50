package parse

import (
	"bytes"

	"github.com/longtail/longtail/engine/record"
)

// Web server access logs in the NCSA layout that Apache, nginx and Tomcat
// share: common ("client ident user [time] "request" status bytes"),
// combined (the same with "referer" "user agent" after it), each with or
// without a leading virtual host as Apache's vhost_combined writes it
// ("www.example.com:443 client ..."). Tomcat's AccessLogValve writes the
// common form by default. Each line is one request.
//
// Apache and nginx escape a '"' inside the request line, Tomcat does not,
// and attack traffic puts one there: the request is not cut at its first
// quote but ends at the last quote followed by a status and a size.
// Strings are kept as the server wrote them, its escapes included.

func init() {
	register(50, Format{
		Name:   "access-log",
		Kind:   record.KindHTTP,
		Detect: detectAccessLog,
		Lines:  func() LineParser { p := &accessParser{}; return rowLines{p.parse, &p.rec} },
	})
}

// accessLine is a line split into its parts; the slices point into it.
type accessLine struct {
	vhost, client []byte
	stamp         []byte // between the brackets
	request       []byte // between the quotes
	status        int16
	size          int64
	tail          []byte // what follows the size: combined's referer and user agent
}

// split cuts line into its parts, or says why it cannot: the layout only,
// not whether the request line is a request.
func (a *accessLine) split(line []byte) string {
	lb := bytes.Index(line, []byte(" ["))
	if lb < 0 {
		return "no [time]"
	}
	who := line[:lb]
	a.vhost = nil
	switch bytes.Count(who, []byte(" ")) {
	case 2: // client ident user
	case 3: // vhost client ident user
		sp := bytes.IndexByte(who, ' ')
		a.vhost, who = who[:sp], who[sp+1:]
	default:
		return "want client, ident and user (after a virtual host) before the [time]"
	}
	a.client = who[:bytes.IndexByte(who, ' ')]
	rest := line[lb+2:]
	rb := bytes.IndexByte(rest, ']')
	if rb < 0 || !bytes.HasPrefix(rest[rb+1:], []byte(` "`)) {
		return `no "request" after the [time]`
	}
	a.stamp, rest = rest[:rb], rest[rb+3:]
	// From the right: the last unescaped quote that a status and a size
	// follow ends the request.
	for end := len(rest); ; {
		q := bytes.LastIndexByte(rest[:end], '"')
		if q < 0 {
			return "no status and size after the request"
		}
		if !escaped(rest, q) && a.statusSize(rest[q+1:]) {
			a.request = rest[:q]
			return ""
		}
		end = q
	}
}

// statusSize reads " 200 1234" (or " 200 -") at the start of b into a,
// with what follows it as the tail.
func (a *accessLine) statusSize(b []byte) bool {
	if len(b) < 6 || b[0] != ' ' || b[4] != ' ' {
		return false
	}
	st, ok := Atoi(b[1:4])
	if !ok || st < 100 {
		return false
	}
	size := b[5:]
	if sp := bytes.IndexByte(size, ' '); sp >= 0 {
		size = size[:sp]
	}
	a.tail = b[5+len(size):]
	a.status, a.size = int16(st), record.NoBytes
	if string(size) == "-" {
		return true
	}
	a.size, ok = Atoi(size)
	return ok
}

// escaped reports whether the byte at i is escaped by a backslash: an odd
// number of them before it.
func escaped(b []byte, i int) bool {
	n := 0
	for i > 0 && b[i-1] == '\\' {
		n++
		i--
	}
	return n%2 == 1
}

// accessParser reads one access log line into rec. No allocation: every
// field points into the line.
type accessParser struct {
	line accessLine
	rec  record.Record
}

func (p *accessParser) parse(line []byte) string {
	a := &p.line
	if reason := a.split(line); reason != "" {
		return reason
	}
	r := &p.rec
	r.ResetHTTP()
	var ok bool
	if r.Time, ok = clfTime(a.stamp); !ok {
		return "bad time"
	}
	if r.Method, r.Host, r.Path, r.Query, ok = requestLine(a.request); !ok {
		if len(a.request) == 0 || string(a.request) == "-" {
			return "no request"
		}
		return "bad request line"
	}
	if len(r.Host) == 0 {
		r.Host = a.vhost
	}
	r.Client, r.Status, r.Bytes = a.client, a.status, a.size
	ref, rest := quotedField(a.tail)
	r.Referer = dash(ref)
	ua, _ := quotedField(rest)
	r.UserAgent = dash(ua)
	return ""
}

// dash is b, or nothing when b is the "-" that logs write for a missing
// value.
func dash(b []byte) []byte {
	if len(b) == 1 && b[0] == '-' {
		return nil
	}
	return b
}

// quotedField reads a '"'-quoted field after blanks at the start of b,
// stepping over backslash escapes, and returns its content and what
// follows it. A field whose closing quote is missing (a line cut short)
// runs to the end; a field that is not quoted is not read.
func quotedField(b []byte) (field, rest []byte) {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	if len(b) == 0 || b[0] != '"' {
		return nil, nil
	}
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return b[1:i], b[i+1:]
		}
	}
	return b[1:], nil
}

// requestLine splits "GET /p?q HTTP/1.1" into its method and the host,
// path and query of its target. A request line without a protocol (HTTP/0.9,
// or one cut short) is read as method and target when the target has an
// HTTP form; the target keeps any blanks an unescaping server left in it.
func requestLine(req []byte) (method, host, path, query []byte, ok bool) {
	sp := bytes.IndexByte(req, ' ')
	if sp <= 0 || sp > 32 || !isToken(req[:sp]) {
		return nil, nil, nil, nil, false
	}
	method, target := req[:sp], req[sp+1:]
	proto := false
	if last := bytes.LastIndexByte(target, ' '); last >= 0 && bytes.HasPrefix(target[last+1:], []byte("HTTP/")) {
		target, proto = target[:last], true
	}
	if len(target) == 0 || !proto && !httpTarget(method, target) {
		return nil, nil, nil, nil, false
	}
	host, path, query = splitTarget(method, target)
	return method, host, path, query, true
}

// httpTarget reports whether target has one of the forms of an HTTP
// request's: what tells a request line without a protocol from another
// protocol's greeting (WebLogic's "t3 12.2.1").
func httpTarget(method, target []byte) bool {
	return target[0] == '/' || target[0] == '*' || schemeLen(target) > 0 || string(method) == "CONNECT"
}

// isToken reports whether b is an HTTP token (a method), as far as logs
// go: letters, digits and the few marks methods use.
func isToken(b []byte) bool {
	for _, c := range b {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

var slash = []byte("/")

// splitTarget splits a request target into the host it names, its path and
// its query (without the '?'). Only an absolute URL (a proxy's request)
// and a CONNECT's host:port name a host; a URL's user information is
// dropped from it, and a fragment (which a browser never sends, but a log
// of URLs may hold) from the target. Ports are kept: the normaliser of
// hosts decides. Every parser of HTTP requests splits targets here.
func splitTarget(method, target []byte) (host, path, query []byte) {
	if string(method) == "CONNECT" {
		return target, nil, nil
	}
	n := schemeLen(target)
	if n > 0 {
		rest := target[n:]
		end := bytes.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		host, target = rest[:end], rest[end:]
		if at := bytes.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
	}
	target, _, _ = bytes.Cut(target, []byte("#"))
	path, query, _ = bytes.Cut(target, []byte("?"))
	if n > 0 && len(path) == 0 {
		path = slash // "http://host?q": an absolute URL's empty path is "/"
	}
	return host, path, query
}

// schemeLen is the length of "scheme://" at the start of target, or 0.
// Schemes are short words: a long one is an overflow probe, not a URL.
func schemeLen(target []byte) int {
	for i, c := range target[:min(len(target), 16)] {
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':' && bytes.HasPrefix(target[i:], []byte("://")):
			return i + 3
		default:
			return 0
		}
	}
	return 0
}

// clfTime parses the access log stamp "10/Oct/2000:13:55:36 -0700" (a
// fraction of a second allowed) into unix microseconds.
func clfTime(b []byte) (int64, bool) {
	if len(b) < 20 || b[2] != '/' || b[6] != '/' || b[11] != ':' {
		return 0, false
	}
	d, ok1 := digits2(b[0:2])
	y, ok2 := Atoi(b[7:11])
	mo := monthNumber(b[3:6])
	day, ok3 := UnixMicro(y, mo, d, 0, 0, 0)
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	tod, zone, ok := clockMicro(b[12:])
	if !ok {
		return 0, false
	}
	off, ok := zoneOffset(zone)
	t := day + tod - off
	// A zone may carry the first or the last hours out of range.
	return t, ok && inRange(t)
}

// detectAccessLog accepts a head whose first lines (up to ten) are access
// log lines but for one in four at most.
func detectAccessLog(head []byte) bool {
	var a accessLine
	good, bad := 0, 0
	for line := range headLines(head) {
		if len(line) == 0 {
			continue
		}
		// The layout and the time make an access log line, whatever
		// its request.
		ok := a.split(line) == ""
		if ok {
			_, ok = clfTime(a.stamp)
		}
		if ok {
			good++
		} else {
			bad++
		}
		if good+bad == 10 {
			break
		}
	}
	return good > 0 && bad*3 <= good
}
