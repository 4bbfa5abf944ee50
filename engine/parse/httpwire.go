package parse

import (
	"bytes"
	"errors"
	"strings"

	"github.com/longtail/longtail/engine/record"
)

// HTTP/1.x message heads as a capture carries them: the request line and
// headers of a request, the status line and headers of a response, and
// how long the body after each is (RFC 9112 section 6). Only what a record
// needs and what frames the next message is read; the rest of a head is
// skipped. Parsing is lenient where servers are (bare LF line ends, spaces
// inside a request target, repeated spaces), strict where being wrong
// would misframe the messages that follow (the length of a body).

// maxHTTPHead is the longest message head read (request or status line
// and headers); a longer one is not HTTP that any server accepts.
const maxHTTPHead = 32 << 10

// sniffMethods are the request methods whose "METHOD " at the start of a
// client's segment is enough to read its connection as HTTP, although the
// rest of the request line may come in the next segment. Other methods
// (any token) are read when the segment holds the whole request line,
// ending in " HTTP/1.x".
var sniffMethods = [...]string{"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "TRACE ", "PATCH ",
	"PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ", "MOVE ", "LOCK ", "UNLOCK ", "SEARCH ", "REPORT "}

// isTchar says whether b may be in a token (RFC 9110 5.6.2), such as a
// method or a header name.
func isTchar(b byte) bool { return tchars[b] }

var tchars = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0
	}
	return t
}()

// tokenLen is the length of the token at the start of b.
func tokenLen(b []byte) int {
	for i, c := range b {
		if !isTchar(c) {
			return i
		}
	}
	return len(b)
}

// sniffRequest says whether p, the first bytes a client sends on a
// connection not read yet, starts an HTTP/1.x request: a known method and
// a space (or, in a segment shorter than that, their start), or any method
// and a whole request line ending in " HTTP/1.x".
// It is called for every TCP segment of a connection not read, so it
// decides on the first bytes.
func sniffRequest(p []byte) bool {
	if len(p) == 0 || p[0] < 'A' || p[0] > 'Z' {
		return false
	}
	for _, m := range sniffMethods {
		// A segment shorter than the method may hold its start only.
		if n := min(len(p), len(m)); string(p[:n]) == m[:n] {
			return true
		}
	}
	n := tokenLen(p)
	if n == 0 || n == len(p) || p[n] != ' ' {
		return false
	}
	line := p
	if i := bytes.IndexByte(p, '\n'); i >= 0 {
		line = p[:i]
	} else {
		return false
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	_, _, version := splitRequestLine(line)
	return isHTTP1(version)
}

// requestStart says whether b (at least one byte, where a request must
// start) can be the start of a request line: a token, then a space. It
// rejects what is not a request as soon as the bytes show it, so that a
// connection out of step is not buffered up to maxHTTPHead.
func requestStart(b []byte) bool {
	n := tokenLen(b)
	switch {
	case n == 0:
		return false
	case n == len(b):
		return n <= 32 // the method may go on in the next segment
	}
	return b[n] == ' '
}

// isHTTP1 says whether v is an HTTP/1.x version; "HTTP/1." alone is
// taken, as servers take it.
func isHTTP1(v []byte) bool {
	return len(v) >= 7 && string(v[:7]) == "HTTP/1."
}

// splitRequestLine splits a request line at its first and last space: a
// target may hold spaces a client did not encode.
func splitRequestLine(line []byte) (method, target, version []byte) {
	i := bytes.IndexByte(line, ' ')
	j := bytes.LastIndexByte(line, ' ')
	if i < 0 || j == i {
		return nil, nil, nil
	}
	return line[:i], bytes.Trim(line[i+1:j], " "), line[j+1:]
}

// headEnd returns the length of the head at the start of b, up to and with
// the empty line that ends it, or -1 when b does not hold all of it. The
// search starts at from, so that a head that grows is not searched again.
func headEnd(b []byte, from int) int {
	for i := max(from, 0); i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		switch {
		case i < len(b) && b[i] == '\n':
			return i + 1
		case i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n':
			return i + 2
		}
	}
	return -1
}

// bodyKind is how the end of a message body is found.
type bodyKind uint8

const (
	bodyNone    bodyKind = iota // no body
	bodyLength                  // Content-Length bytes
	bodyChunked                 // chunked transfer coding
	bodyClose                   // everything until the connection closes (responses)
	bodyUnknown                 // cannot be told (a broken Content-Length, an unknown coding in a request)
)

// httpHead is what is kept of a message head. Its slices point into the
// head's bytes.
type httpHead struct {
	method, target       []byte // requests
	host, ua, referer    []byte // requests
	status               int    // responses
	size                 int64  // responses: the body's size as the head declares it, or record.NoBytes
	body                 bodyKind
	length               int64 // with bodyLength
	hasLength            bool  // a Content-Length was sent
	lengthBad, codingBad bool
}

var (
	errNotRequest  = errors.New("not an HTTP/1.x request line")
	errNotResponse = errors.New("not an HTTP/1.x status line")
)

// parseRequestHead reads a request head (request line to empty line).
func parseRequestHead(head []byte, h *httpHead) error {
	*h = httpHead{}
	line, rest := nextLine(head)
	method, target, version := splitRequestLine(line)
	if len(method) == 0 || tokenLen(method) != len(method) || len(target) == 0 || !isHTTP1(version) {
		return errNotRequest
	}
	h.method, h.target = method, target
	h.headers(rest, true)
	switch {
	case h.codingBad:
		h.body = bodyUnknown // a server answers 400
	case h.body == bodyChunked:
	case h.lengthBad:
		h.body = bodyUnknown
	case h.hasLength && h.length > 0:
		h.body = bodyLength
	}
	return nil
}

// parseResponseHead reads a response head; request is the method of the
// request it answers (nil when not known), which decides whether it has a
// body.
func parseResponseHead(head []byte, request []byte, h *httpHead) error {
	*h = httpHead{}
	line, rest := nextLine(head)
	if !isHTTP1(line) || len(line) < 12 || line[8] != ' ' {
		return errNotResponse
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return errNotResponse
		}
		h.status = h.status*10 + int(d-'0')
	}
	if len(line) > 12 && line[12] != ' ' && line[12] != '\r' || h.status < 100 {
		return errNotResponse
	}
	h.headers(rest, false)
	h.size = record.NoBytes
	switch {
	case string(request) == "HEAD", h.status < 200, h.status == 204, h.status == 304,
		string(request) == "CONNECT" && h.status < 300:
		h.body, h.size = bodyNone, 0
	case h.body == bodyChunked:
	case h.codingBad, h.lengthBad, !h.hasLength:
		h.body = bodyClose
	case h.length > 0:
		h.body, h.size = bodyLength, h.length
	default:
		h.size = 0
	}
	return nil
}

// nextLine splits the first line off b, without its line end.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	line, rest = b[:i], b[i+1:]
	return bytes.TrimSuffix(line, []byte("\r")), rest
}

// headers reads the header fields that matter: the first of each; a
// repeated Content-Length must repeat the same value.
func (h *httpHead) headers(b []byte, request bool) {
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || line[0] == ' ' || line[0] == '\t' {
			continue // the empty line, a folded line, or no header at all
		}
		name, value := line[:colon], bytes.Trim(line[colon+1:], " \t")
		switch {
		case request && bytes.EqualFold(name, []byte("host")):
			if h.host == nil {
				h.host = value
			}
		case request && bytes.EqualFold(name, []byte("user-agent")):
			if h.ua == nil {
				h.ua = value
			}
		case request && bytes.EqualFold(name, []byte("referer")):
			if h.referer == nil {
				h.referer = value
			}
		case bytes.EqualFold(name, []byte("content-length")):
			n, ok := parseLength(value)
			if !ok || h.hasLength && n != h.length {
				h.lengthBad = true
			}
			h.length, h.hasLength = n, true
		case bytes.EqualFold(name, []byte("transfer-encoding")):
			h.body, h.codingBad = bodyNone, true
			if i := bytes.LastIndexByte(value, ','); i >= 0 {
				value = bytes.TrimLeft(value[i+1:], " \t")
			}
			if bytes.EqualFold(value, []byte("chunked")) {
				h.body, h.codingBad = bodyChunked, false
			}
		}
	}
}

// parseLength reads a Content-Length value: decimal digits only, below
// 2^62.
func parseLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, d := range v {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	return n, true
}

// parseChunkSize reads a chunk-size line (hex digits, then extensions
// after ';'), without its line end.
func parseChunkSize(line []byte) (int64, bool) {
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = bytes.Trim(line, " \t")
	if len(line) == 0 || len(line) > 15 {
		return 0, false
	}
	var n int64
	for _, d := range line {
		switch {
		case '0' <= d && d <= '9':
			n = n<<4 | int64(d-'0')
		case 'a' <= d && d <= 'f':
			n = n<<4 | int64(d-'a'+10)
		case 'A' <= d && d <= 'F':
			n = n<<4 | int64(d-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}
