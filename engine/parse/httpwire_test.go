package parse

import (
	"testing"

	"github.com/longtail/longtail/engine/record"
)

func TestSniffRequest(t *testing.T) {
	for in, want := range map[string]bool{
		"GET / HTTP/1.1\r\n":                 true,
		"GET /a":                             true, // the rest of the line comes later
		"GE":                                 true,
		"P":                                  true,
		"PROPFIND /dav HTTP/1.1\r\n":         true,
		"CCM_POST / HTTP/1.1\r\nHost: x\r\n": true, // any method with a whole request line
		"CCM_POST / HTTP/1.1":                false,
		"CCM_POST /HTTP/1.1\r\n":             false,
		"DESCRIBE rtsp://cam/ RTSP/1.0\r\n":  false,
		"OPTIONS\r\n":                        false,
		"get / HTTP/1.1\r\n":                 false,
		"HTTP/1.1 200 OK\r\n":                false,
		"SSH-2.0-OpenSSH_9.6\r\n":            false,
		"\x16\x03\x01\x02\x00\x01":           false,
		"":                                   false,
	} {
		if got := sniffRequest([]byte(in)); got != want {
			t.Errorf("sniffRequest(%q) = %v", in, got)
		}
	}
}

func TestParseRequestHead(t *testing.T) {
	type want struct {
		method, target, host, ua, referer string
		body                              bodyKind
		length                            int64
	}
	for _, tc := range []struct {
		head string
		want want
		err  bool
	}{
		{"GET /a?b HTTP/1.1\r\nHost: h\r\nUser-Agent: ua/1 (x)\r\nReferer: http://r/\r\nhost: second\r\n\r\n",
			want{"GET", "/a?b", "h", "ua/1 (x)", "http://r/", bodyNone, 0}, false},
		{"POST /p HTTP/1.0\nContent-Length:  12 \n\n", want{"POST", "/p", "", "", "", bodyLength, 12}, false},
		{"POST /p HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n", want{"POST", "/p", "", "", "", bodyChunked, 5}, false},
		{"POST /p HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", want{"POST", "/p", "", "", "", bodyUnknown, 0}, false},
		{"POST /p HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", want{"POST", "/p", "", "", "", bodyUnknown, 6}, false},
		{"POST /p HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", want{"POST", "/p", "", "", "", bodyLength, 5}, false},
		{"POST /p HTTP/1.1\r\nContent-Length: -1\r\n\r\n", want{"POST", "/p", "", "", "", bodyUnknown, 0}, false},
		{"GET   /a b   HTTP/1.1\r\n\r\n", want{"GET", "/a b", "", "", "", bodyNone, 0}, false}, // spaces a client did not encode
		{"GET / HTTP/1.\r\n\r\n", want{"GET", "/", "", "", "", bodyNone, 0}, false},
		{"GET /HTTP/1.1\r\n\r\n", want{}, true},
		{"GET / RTSP/1.0\r\n\r\n", want{}, true},
		{"G(T / HTTP/1.1\r\n\r\n", want{}, true},
		{"\r\n\r\n", want{}, true},
	} {
		var h httpHead
		err := parseRequestHead([]byte(tc.head), &h)
		got := want{string(h.method), string(h.target), string(h.host), string(h.ua), string(h.referer), h.body, h.length}
		if (err != nil) != tc.err || !tc.err && got != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.head, got, err, tc.want)
		}
	}
}

func TestParseResponseHead(t *testing.T) {
	for _, tc := range []struct {
		head, method string
		status       int
		body         bodyKind
		size         int64
		err          bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "GET", 200, bodyLength, 10, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD", 200, bodyNone, 0, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "GET", 200, bodyNone, 0, false},
		{"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", "GET", 304, bodyNone, 0, false},
		{"HTTP/1.1 204\r\n\r\n", "GET", 204, bodyNone, 0, false},
		{"HTTP/1.1 100 Continue\r\n\r\n", "POST", 100, bodyNone, 0, false},
		{"HTTP/1.1 200 Connection established\r\n\r\n", "CONNECT", 200, bodyNone, 0, false},
		{"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\n", "CONNECT", 407, bodyLength, 3, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 10\r\n\r\n", "GET", 200, bodyChunked, record.NoBytes, false},
		{"HTTP/1.0 200 OK\r\n\r\n", "GET", 200, bodyClose, record.NoBytes, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "GET", 200, bodyClose, record.NoBytes, false},
		{"HTTP/1.1 200 OK\nTransfer-Encoding: br\n\n", "", 200, bodyClose, record.NoBytes, false},
		{"HTTP/1.1 99 Low\r\n\r\n", "GET", 0, 0, 0, true},
		{"HTTP/1.1 2000 OK\r\n\r\n", "GET", 0, 0, 0, true},
		{"HTTP/2 200\r\n\r\n", "GET", 0, 0, 0, true},
		{"ICY 200 OK\r\n\r\n", "GET", 0, 0, 0, true},
	} {
		var h httpHead
		err := parseResponseHead([]byte(tc.head), []byte(tc.method), &h)
		if (err != nil) != tc.err || !tc.err && (h.status != tc.status || h.body != tc.body || h.size != tc.size) {
			t.Errorf("%q after %s: status %d body %d size %d, %v", tc.head, tc.method, h.status, h.body, h.size, err)
		}
	}
}

// TestSplitTarget: every HTTP reader (captures, access logs, IIS, Zeek,
// format files) splits a request target here.
func TestSplitTarget(t *testing.T) {
	for _, tc := range []struct{ method, target, host, path, query string }{
		{"GET", "/a/b?c=d&e", "", "/a/b", "c=d&e"},
		{"GET", "/a?", "", "/a", ""},
		{"GET", "/a?b?c", "", "/a", "b?c"},
		{"GET", "http://www.example.com:8080/x?y", "www.example.com:8080", "/x", "y"},
		{"GET", "HTTP://user:pw@h.example", "h.example", "/", ""},
		{"GET", "ftp://h.example?q", "h.example", "/", "q"},
		{"GET", "/redirect?to=http://evil.example/", "", "/redirect", "to=http://evil.example/"},
		{"OPTIONS", "*", "", "*", ""},
		{"CONNECT", "h.example:443", "h.example:443", "", ""},
		{"GET", "/a?b=c#d", "", "/a", "b=c"}, // a fragment (a log of URLs) is no part of the request
		{"GET", "weird:/nothing//here", "", "weird:/nothing//here", ""},
	} {
		h, p, q := splitTarget([]byte(tc.method), []byte(tc.target))
		if string(h) != tc.host || string(p) != tc.path || string(q) != tc.query {
			t.Errorf("%s %s: host %q path %q query %q", tc.method, tc.target, h, p, q)
		}
	}
}

func TestParseChunkSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1a": 26, "FF ; ext=1": 255, " 10 ": 16, "x": -1, "": -1, "1234567890abcdef": -1} {
		n, ok := parseChunkSize([]byte(in))
		if !ok {
			n = -1
		}
		if n != want {
			t.Errorf("parseChunkSize(%q) = %d, want %d", in, n, want)
		}
	}
}

func TestHeadEnd(t *testing.T) {
	for in, want := range map[string]int{"a\r\n\r\nb": 5, "a\n\nb": 3, "a\r\nb\r\n\r\n": 8, "a\r\nb\r\n": -1, "\n\n": 2, "": -1} {
		if got := headEnd([]byte(in), 0); got != want {
			t.Errorf("headEnd(%q) = %d, want %d", in, got, want)
		}
	}
}
