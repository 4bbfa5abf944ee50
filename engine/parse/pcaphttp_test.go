package parse

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/internal/hostile"
)

// httpByProvenance sorts HTTP records by packet, and those of one packet
// (pipelined requests) by what they hold.
func httpByProvenance(recs []gotHTTP) []gotHTTP {
	recs = slices.Clone(recs)
	slices.SortFunc(recs, func(a, b gotHTTP) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Offset, b.Offset), cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Query, b.Query), cmp.Compare(a.Method, b.Method), cmp.Compare(a.Host, b.Host),
			cmp.Compare(a.Status, b.Status), cmp.Compare(a.Bytes, b.Bytes), cmp.Compare(a.UserAgent, b.UserAgent),
			cmp.Compare(a.Referer, b.Referer), cmp.Compare(a.Time, b.Time), cmp.Compare(a.Client, b.Client))
	})
	return recs
}

// tcp6 is a TCP segment in an IPv6 packet on Ethernet (checksums left
// zero).
func tcp6(src, dst string, sp, dp uint16, seq, ack uint32, flags byte, payload []byte) []byte {
	h := binary.BigEndian.AppendUint16(nil, sp)
	h = binary.BigEndian.AppendUint16(h, dp)
	h = binary.BigEndian.AppendUint32(h, seq)
	h = binary.BigEndian.AppendUint32(h, ack)
	h = append(h, 5<<4, flags, 0xff, 0xff, 0, 0, 0, 0)
	h = append(h, payload...)
	ip := []byte{0x60, 0, 0, 0, 0, 0, 6, 64}
	binary.BigEndian.PutUint16(ip[4:], uint16(len(h)))
	ip = append(ip, net.ParseIP(src).To16()...)
	ip = append(ip, net.ParseIP(dst).To16()...)
	return append([]byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd}, append(ip, h...)...)
}

// TCP flags.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpPSH = 0x08
	tcpACK = 0x10
)

// conv writes the packets of one TCP connection, keeping its sequence
// numbers (each side acknowledges all the other sent) and a clock.
type conv struct {
	cli, srv     string
	cport, sport uint16
	cseq, sseq   uint32
	sec          float64 // time of the next packet
}

func newConv(cli, srv string, cport, sport uint16) *conv {
	return &conv{cli: cli, srv: srv, cport: cport, sport: sport, cseq: 1000, sseq: 9000}
}

func (cv *conv) packet(fromClient bool, seq uint32, flags byte, p string) capPkt {
	src, dst, sp, dp, ack := cv.cli, cv.srv, cv.cport, cv.sport, cv.sseq
	if !fromClient {
		src, dst, sp, dp, ack = dst, src, dp, sp, cv.cseq
	}
	var b []byte
	if strings.Contains(src, ":") {
		b = tcp6(src, dst, sp, dp, seq, ack, flags, []byte(p))
	} else {
		b = ether(tcp4(src, dst, sp, dp, seq, flags, []byte(p)))
		binary.BigEndian.PutUint32(b[14+20+8:], ack)
	}
	pkt := capPkt{cv.sec, b}
	cv.sec += 0.001
	return pkt
}

// c sends p from the client, s from the server.
func (cv *conv) c(p string) capPkt {
	pkt := cv.packet(true, cv.cseq, tcpACK|tcpPSH, p)
	cv.cseq += uint32(len(p))
	return pkt
}

func (cv *conv) s(p string) capPkt {
	pkt := cv.packet(false, cv.sseq, tcpACK|tcpPSH, p)
	cv.sseq += uint32(len(p))
	return pkt
}

// open is the three-way handshake.
func (cv *conv) open() []capPkt {
	pkts := []capPkt{cv.packet(true, cv.cseq-1, tcpSYN, ""), cv.packet(false, cv.sseq-1, tcpSYN|tcpACK, ""), cv.packet(true, cv.cseq, tcpACK, "")}
	return pkts
}

// close is a FIN from each side.
func (cv *conv) close() []capPkt {
	return []capPkt{cv.packet(true, cv.cseq, tcpFIN|tcpACK, ""), cv.packet(false, cv.sseq, tcpFIN|tcpACK, "")}
}

// pkts joins packet lists.
func pkts(lists ...any) []capPkt {
	var out []capPkt
	for _, l := range lists {
		switch l := l.(type) {
		case capPkt:
			out = append(out, l)
		case []capPkt:
			out = append(out, l...)
		}
	}
	return out
}

// decodeHTTP writes pkts as a capture and decodes it.
func decodeHTTP(t testing.TB, p []capPkt) *gotOut {
	t.Helper()
	c, _, err := decodeCapture(t, writeCapture(t, layers.LinkTypeEthernet, p...), Resume{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// req is a record as the tests below write it: only the fields that
// matter, Time, Client and Offset left out.
type req struct {
	Method, Host, Path, Query string
	Status                    int16
	Bytes                     int64
	UserAgent, Referer        string
	Line                      int64
}

func reqs(recs []gotHTTP) []req {
	var out []req
	for _, r := range httpByProvenance(recs) {
		out = append(out, req{r.Method, r.Host, r.Path, r.Query, r.Status, r.Bytes, r.UserAgent, r.Referer, r.Line})
	}
	return out
}

func TestCaptureHTTP(t *testing.T) {
	get := "GET /index.html?a=1&b=%20 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.0\r\nReferer: http://ref.example/x\r\nAccept: */*\r\n\r\n"
	ok5 := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"
	for _, tc := range []struct {
		name  string
		pkts  func() []capPkt
		want  []req
		skips []string
	}{{
		name: "one request and its response",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			return pkts(cv.open(), cv.c(get), cv.s(ok5), cv.close())
		},
		want: []req{{"GET", "www.example.com", "/index.html", "a=1&b=%20", 200, 5, "curl/8.0", "http://ref.example/x", 4}},
	}, {
		name: "IPv6, odd port, a body that ends with the connection",
		pkts: func() []capPkt {
			cv := newConv("2001:db8::1", "2001:db8::80", 40000, 31337)
			return pkts(cv.open(), cv.c("GET / HTTP/1.0\r\nHost: [2001:db8::80]:31337\r\n\r\n"),
				cv.s("HTTP/1.0 200 OK\r\n\r\n"), cv.s("body until close"), cv.close())
		},
		want: []req{{"GET", "[2001:db8::80]:31337", "/", "", 200, record.NoBytes, "", "", 4}},
	}, {
		name: "pipelined: a HEAD, a chunked response, a 100 Continue, a request body",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 8080)
			return pkts(cv.open(),
				cv.c("GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\nPOST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"),
				cv.s("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
				cv.s("HTTP/1.1 100 Continue\r\n\r\n"),
				cv.c("ab"), cv.c("cd\r\nGET /d HTTP/1.1\r\n"), cv.c("Host: h\r\n\r\n"),
				cv.s("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n"),
				cv.s("A\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
				cv.close())
		},
		want: []req{
			{"GET", "h", "/a", "", 200, 3, "", "", 4},
			{"HEAD", "h", "/b", "", 200, 0, "", "", 4},
			{"POST", "h", "/c", "", 201, record.NoBytes, "", "", 4},
			{"GET", "h", "/d", "", 404, 0, "", "", 8},
		},
	}, {
		name: "a request line and a user agent split over segments",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			return pkts(cv.open(), cv.c("GE"), cv.c("T /s?q=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: Moz"), cv.c("illa/5.0\r\n"), cv.c("\r\n"),
				cv.s("HTTP/1.1 204 No Content\r\n\r\n"), cv.close())
		},
		want: []req{{"GET", "h", "/s", "q=1", 204, 0, "Mozilla/5.0", "", 4}},
	}, {
		name: "segments out of order and retransmitted",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			open := cv.open()
			first, second := cv.c("GET /o HTTP/1.1\r\nHo"), cv.c("st: h\r\n\r\n")
			r1, r2 := cv.s("HTTP/1.1 302 Found\r\nConten"), cv.s("t-Length: 2\r\n\r\nok")
			return pkts(open, first, r1, second, first, r2, r1, cv.close())
		},
		want: []req{{"GET", "h", "/o", "", 302, 2, "", "", 4}},
	}, {
		name: "a proxy's absolute URL and a CONNECT tunnel",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.3", 40000, 3128)
			return pkts(cv.open(),
				cv.c("GET http://user:pw@www.example.com:8080?x=1 HTTP/1.1\r\nHost: other.example\r\n\r\n"),
				cv.s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
				cv.c("CONNECT secure.example:443 HTTP/1.1\r\nHost: secure.example:443\r\n\r\n"),
				cv.s("HTTP/1.1 200 Connection established\r\n\r\n"),
				cv.c("\x16\x03\x01\x02\x00GET / HTTP/1.1\r\n\r\n"), cv.s("\x16\x03\x03HTTP/1.1 500\r\n\r\n"),
				cv.close())
		},
		want: []req{
			{"GET", "www.example.com:8080", "/", "x=1", 200, 0, "", "", 4},
			{"CONNECT", "secure.example:443", "", "", 200, 0, "", "", 6},
		},
	}, {
		name: "a websocket upgrade",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			return pkts(cv.open(), cv.c("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n"),
				cv.s("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"), cv.c("\x81\x05hello"), cv.s("\x81\x02hi"), cv.close())
		},
		want: []req{{"GET", "h", "/ws", "", 101, 0, "", "", 4}},
	}, {
		name: "no response in the capture",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			return pkts(cv.c("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"), cv.c("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"))
		},
		want: []req{{"GET", "h", "/1", "", 0, record.NoBytes, "", "", 1}, {"GET", "h", "/2", "", 0, record.NoBytes, "", "", 2}},
	}, {
		name: "not HTTP: TLS, SSH, a method without HTTP/1.x",
		pkts: func() []capPkt {
			tls, ssh, rtsp := newConv("10.0.0.1", "10.0.0.2", 40000, 443), newConv("10.0.0.1", "10.0.0.2", 40001, 22), newConv("10.0.0.1", "10.0.0.2", 40002, 554)
			return pkts(tls.c("\x16\x03\x01\x00\x05hello"), ssh.s("SSH-2.0-OpenSSH_9.6\r\n"), ssh.c("SSH-2.0-OpenSSH_9.6\r\n"),
				rtsp.c("DESCRIBE rtsp://cam/ RTSP/1.0\r\nCSeq: 1\r\n\r\n"))
		},
	}, {
		name: "a missing segment between requests: the requests after it have no status",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			one := cv.c("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n")
			cv.c("GET /lost HTTP/1.1\r\nHost: h\r\n\r\n") // not captured
			return pkts(one, cv.c("GET /3 HTTP/1.1\r\nHost: h\r\n\r\n"),
				cv.s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), cv.close())
		},
		// The first response is the first request's; the second, which
		// answers the request lost, comes before the segment after the
		// loss is given up on: it pairs with nothing.
		want:  []req{{"GET", "h", "/1", "", 200, 0, "", "", 1}, {"GET", "h", "/3", "", 0, record.NoBytes, "", "", 2}},
		skips: []string{"2 TCP data missing from an HTTP connection, a request may be lost"},
	}, {
		name: "a response lost: the next one answers the request sent after the client had all before it",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			p := pkts(cv.c("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"))
			cv.s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") // lost
			return append(p, pkts(cv.c("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"), cv.s("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
				cv.c("GET /3 HTTP/1.1\r\nHost: h\r\n\r\n"), cv.s("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))...)
		},
		want: []req{{"GET", "h", "/1", "", 0, record.NoBytes, "", "", 1}, {"GET", "h", "/2", "", 404, 0, "", "", 2},
			{"GET", "h", "/3", "", 403, 0, "", "", 4}},
		skips: []string{"3 TCP data missing from an HTTP connection, a response may be lost"},
	}, {
		name: "a response lost among pipelined requests",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			p := pkts(cv.c("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"))
			cv.s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") // lost
			return append(p, pkts(cv.s("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
				cv.c("GET /3 HTTP/1.1\r\nHost: h\r\n\r\n"), cv.s("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))...)
		},
		// Neither was sent after the client had all before the 404: the
		// 404 answers none of them; the 403 is the third's.
		want: []req{{"GET", "h", "/1", "", 0, record.NoBytes, "", "", 1}, {"GET", "h", "/2", "", 0, record.NoBytes, "", "", 1},
			{"GET", "h", "/3", "", 403, 0, "", "", 3}},
		skips: []string{"2 TCP data missing from an HTTP connection, a response may be lost"},
	}, {
		name: "a response lost on a connection seen pipelining",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			p := pkts(cv.c("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"),
				cv.s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
			cv.s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") // lost
			return append(p, pkts(cv.c("GET /3 HTTP/1.1\r\nHost: h\r\n\r\n"), cv.s("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))...)
		},
		want: []req{{"GET", "h", "/1", "", 200, 0, "", "", 1}, {"GET", "h", "/2", "", 0, record.NoBytes, "", "", 1},
			{"GET", "h", "/3", "", 0, record.NoBytes, "", "", 3}},
		skips: []string{"4 TCP data missing from an HTTP connection, a response may be lost"},
	}, {
		name: "something else where a request was due",
		pkts: func() []capPkt {
			cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
			return pkts(cv.c("GET /1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nabc"), cv.c("\x00\x01 junk"),
				cv.c("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"), cv.s("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
		},
		want:  []req{{"GET", "h", "/1", "", 0, record.NoBytes, "", "", 1}, {"GET", "h", "/2", "", 0, record.NoBytes, "", "", 3}},
		skips: []string{"1 not an HTTP/1.x request where one was due, connection read from its next request"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c := decodeHTTP(t, tc.pkts())
			if got := reqs(c.http); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tc.want)
			}
			if got := c.skipList(); !slices.Equal(got, tc.skips) {
				t.Errorf("skips %q, want %q", got, tc.skips)
			}
		})
	}
}

// mixedCapture is DNS and HTTP over several connections, with what
// holds requests across packets: heads split over segments, a response
// lost (the next placed by its TCP numbers), requests that wait for a
// response across a minute of silence, and some that never get one.
func mixedCapture(t testing.TB) []byte {
	a, b := newConv("10.0.0.1", "10.0.0.80", 40000, 80), newConv("2001:db8::1", "2001:db8::80", 40001, 8080)
	idle := newConv("10.0.0.2", "10.0.0.80", 40002, 80)
	dq := func(id uint16, name string) capPkt {
		return capPkt{a.sec, ether(udp4("10.0.0.1", "10.0.0.53", 5000+id, 53, dnsWire(id, false, name, 1, 0, 0)))}
	}
	dr := func(id uint16, name string) capPkt {
		return capPkt{a.sec, ether(udp4("10.0.0.53", "10.0.0.1", 53, 5000+id, dnsWire(id, true, name, 1, 0, 60, [4]byte{192, 0, 2, 1})))}
	}
	var p []capPkt
	add := func(l ...any) { p = append(p, pkts(l...)...) }
	add(dq(1, "www.example.com"), a.open(), dr(1, "www.example.com"))
	add(a.c("GET /1 HTTP/1.1\r\nHost: www.example.com\r\n\r\n"), b.c("POST /up"))
	add(a.s("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), b.c("load HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\n\r\nabc"))
	add(a.c("GET /2 HTTP/1.1\r\nHo"), a.c("st: www.example.com\r\nUser-Agent: x\r\n\r\n"), idle.c("GET /idle HTTP/1.1\r\nHost: i\r\n\r\n"))
	a.s("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") // lost
	add(dq(2, "b.example"), b.s("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n"))
	add(a.c("GET /3 HTTP/1.1\r\nHost: www.example.com\r\n\r\n"), b.s("0\r\n\r\n"), dr(2, "b.example"))
	add(a.s("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
	a.sec, b.sec, idle.sec = 100, 100, 100 // the idle connection is closed
	add(a.c("GET /4 HTTP/1.1\r\nHost: www.example.com\r\n\r\n"), b.c("GET /5 HTTP/1.1\r\nHost: b\r\n\r\n"))
	add(a.s("HTTP/1.1 304 Not Modified\r\n\r\n"), a.c("GET /never HTTP/1.1\r\nHost: www.example.com\r\n\r\n"))
	add(b.c("GET /split HTTP/1.1\r\nHost: b\r\n"))
	add(dq(3, "gone.example"))
	return writeCapture(t, layers.LinkTypeEthernet, p...)
}

// A capture read killed after any packet and resumed gives the records and
// skips of one read: the requests waiting for their response, and those
// whose head was cut by the kill, are emitted once, by the read after it.
func TestCaptureHTTPResumeAtEveryPacket(t *testing.T) {
	b := mixedCapture(t)
	one, _, err := decodeCapture(t, b, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	want := []req{
		{"GET", "www.example.com", "/1", "", 200, 2, "", "", 6},
		{"POST", "b", "/upload", "", 201, record.NoBytes, "", "", 7},
		{"GET", "www.example.com", "/2", "", 0, record.NoBytes, "x", "", 10},
		{"GET", "i", "/idle", "", 0, record.NoBytes, "", "", 12},
		{"GET", "www.example.com", "/3", "", 404, 0, "", "", 15},
		{"GET", "www.example.com", "/4", "", 304, 0, "", "", 19},
		{"GET", "b", "/5", "", 0, record.NoBytes, "", "", 20},
		{"GET", "www.example.com", "/never", "", 0, record.NoBytes, "", "", 22},
	}
	if got := reqs(one.http); !slices.Equal(got, want) || len(one.recs) != 3 {
		t.Fatalf("got %d DNS records and\n%+v\nwant 3 and\n%+v", len(one.recs), got, want)
	}
	if got := one.skipList(); !slices.Equal(got, []string{"18 TCP data missing from an HTTP connection, a response may be lost",
		"23 HTTP connection ended inside a request head"}) {
		t.Errorf("skips %q", got)
	}
	cuts, held := checkKilledAnywhere(t, b, one, 0)
	if held < cuts/2 {
		t.Errorf("%d of %d cuts with requests waiting", held, cuts)
	}
	for _, rel := range []string{"pcap/general/zeek/zeek_http_pipelined-requests.pcap", "pcap/ndpi/ndpi_http-lines-split.pcap"} {
		b := sample(t, rel)
		one, _, err := decodeCapture(t, b, Resume{})
		if err != nil || len(one.http) == 0 {
			t.Fatalf("%s: %v, %d requests", rel, err, len(one.http))
		}
		checkKilledAnywhere(t, b, one, 0)
	}
}

// A capture read to its end and read again once it grew: the request
// emitted without response at the first end is not emitted again when its
// response comes in the new part, and a request whose head was cut by the
// first end is emitted by the second read.
func TestCaptureHTTPGrown(t *testing.T) {
	cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
	first := pkts(cv.open(), cv.c("GET /answered-late HTTP/1.1\r\nHost: h\r\n\r\n"), cv.c("GET /cut HTTP/1.1\r\n"))
	rest := pkts(cv.c("Host: h\r\n\r\n"), cv.s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
	small := writeCapture(t, layers.LinkTypeEthernet, first...)
	grown := writeCapture(t, layers.LinkTypeEthernet, append(first, rest...)...)
	one, end, err := decodeCapture(t, small, Resume{})
	if err != nil || !slices.Equal(reqs(one.http), []req{{"GET", "h", "/answered-late", "", 0, record.NoBytes, "", "", 4}}) {
		t.Fatalf("first read: %v %+v", err, one.http)
	}
	two, _, err := decodeCapture(t, grown, Done(end))
	if err != nil || !slices.Equal(reqs(two.http), []req{{"GET", "h", "/cut", "", 200, 0, "", "", 5}}) {
		t.Fatalf("second read: %v %+v", err, two.http)
	}
}

// httpScriptCapture makes a capture from a script of 3 bytes a packet, so
// that the fuzzer explores what holds requests across packets: requests
// and responses (whole, split over two segments, lost to the capture,
// retransmitted, broken) on three connections (one over IPv6), closes,
// DNS between them, and time steps up to minutes.
func httpScriptCapture(t testing.TB, script []byte) []byte {
	requests := []string{"GET /a HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", "GET /b?q=1 HTTP/1.1\r\nHost: b\r\nUser-Agent: u\r\n\r\n",
		"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "CONNECT x:443 HTTP/1.1\r\n\r\n",
		"junk\x00\r\n", "GET /x HTTP/1.1\r\n"}
	responses := []string{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.1 100 Continue\r\n\r\n",
		"HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nrest", "HTTP/1.1 101 Switching Protocols\r\n\r\n", "garbage\r\n\r\n", "HTTP/1.1 304 Not Modified\r\n\r\n"}
	convs := []*conv{newConv("10.0.0.1", "10.0.0.80", 40000, 80), newConv("10.0.0.2", "10.0.0.80", 40001, 8080),
		newConv("2001:db8::1", "2001:db8::80", 40002, 80)}
	var p []capPkt
	sec := 0.0
	for ; len(script) >= 3; script = script[3:] {
		op, arg, dt := script[0], script[1], script[2]
		if dt < 200 {
			sec += float64(dt) / 100
		} else {
			sec += float64(dt-200) * 2
		}
		cv := convs[int(arg&3)%len(convs)]
		cv.sec = sec
		rq, rs := requests[arg>>2&7], responses[arg>>2&7]
		half := len(rq) / 2
		switch op & 7 {
		case 0:
			p = append(p, cv.c(rq))
		case 1:
			p = append(p, cv.c(rq[:half]), cv.c(rq[half:]))
		case 2:
			p = append(p, cv.s(rs))
		case 3:
			p = append(p, cv.s(rs[:len(rs)/2]), cv.s(rs[len(rs)/2:]))
		case 4:
			cv.s(rs) // lost to the capture
		case 5:
			p = append(p, cv.close()...)
		case 6:
			if len(p) > 0 {
				p = append(p, capPkt{sec, p[len(p)-1].data}) // retransmitted
			}
		case 7:
			id := uint16(arg)
			p = append(p, capPkt{sec, ether(udp4("10.0.0.1", "10.0.0.53", 5000+id, 53, dnsWire(id, false, "a.example", 1, 0, 0)))})
			if op&0x80 != 0 {
				p = append(p, capPkt{sec, ether(udp4("10.0.0.53", "10.0.0.1", 53, 5000+id, dnsWire(id, true, "a.example", 1, 0, 60)))})
			}
		}
	}
	return writeCapture(t, layers.LinkTypeEthernet, p...)
}

// A capture of HTTP (and DNS) read killed twice anywhere and resumed gives
// the records and skips of one read. The input is a capture, or a script
// for httpScriptCapture.
func FuzzCaptureResumeHTTP(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 0, 1, 1, 4, 1, 3, 12, 1, 4, 0, 1, 0, 8, 1, 2, 8, 1, 5, 0, 1}, uint16(3), uint16(1))
	f.Add([]byte{1, 0, 1, 1, 1, 1, 2, 1, 250, 7, 1, 1, 0x87, 2, 1, 2, 0, 1, 6, 0, 1, 2, 1, 1}, uint16(2), uint16(5))
	f.Add([]byte{0, 0, 1, 0, 4, 1, 0, 12, 1, 4, 0, 1, 2, 4, 1, 3, 12, 1, 0, 16, 1, 2, 20, 1}, uint16(4), uint16(2))
	f.Add(mixedCapture(f), uint16(7), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, k1, k2 uint16) {
		b := data
		if !isPcap(b) && !isPcapng(b) {
			b = httpScriptCapture(t, data)
		}
		resumedTwice(t, b, k1, k2)
	})
}

// FuzzHTTPStream reads a client's and a server's byte streams, each sent
// whole and sent cut into segments (some of them reordered): the reading
// never fails, gives no more requests than the bytes can hold, and, when
// neither reading reported anything broken, gives the same requests
// whatever the segments.
func FuzzHTTPStream(f *testing.F) {
	f.Add([]byte("GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nPOST /c HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
		[]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"),
		uint64(0x123456789))
	f.Add([]byte("GET / HTTP/1.1\r\nUser-Agent: a\r\n b\r\n\r\n\r\nGET /x?y HTTP/1.0\n\n"), []byte("HTTP/1.1 404 NF\r\nContent-Length: 0\r\n\r\nHTTP/1.0 200 OK\r\n\r\n..."), uint64(7))
	f.Add([]byte("GET http://h:1/p?q HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;e\r\nabcde\r\n0\r\nT: 1\r\n\r\nCONNECT h:443 HTTP/1.1\r\n\r\n\x16\x03"),
		[]byte("HTTP/1.1 302 Found\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n\r\n\x16\x03"), uint64(1<<40+99))
	f.Fuzz(func(t *testing.T, client, server []byte, seed uint64) {
		if len(client)+len(server) > 1<<16 {
			return
		}
		client = append([]byte("GET "), client...) // read from the first segment, however cut
		whole := readStreams(t, client, server, 0)
		cut := readStreams(t, client, server, seed|1)
		for _, c := range []*gotOut{whole, cut} {
			if len(c.http) > len(client)/8+1 {
				t.Fatalf("%d requests from %d bytes", len(c.http), len(client))
			}
			for _, r := range c.http {
				if r.Status != 0 && (r.Status < 100 || r.Status > 999) || r.Bytes < record.NoBytes {
					t.Fatalf("record %+v", r)
				}
			}
		}
		if len(whole.skips) > 0 || len(cut.skips) > 0 {
			return
		}
		w, c := whole.http, cut.http
		for _, l := range [][]gotHTTP{w, c} {
			for i := range l {
				l[i].Time, l[i].Line, l[i].Offset = 0, 0, 0
			}
		}
		if w, c := httpByProvenance(w), httpByProvenance(c); !slices.Equal(w, c) {
			t.Fatalf("whole: %+v\ncut: %+v", w, c)
		}
	})
}

// readStreams sends client then server over one connection, each in one
// segment (seed 0) or cut at places the seed picks, a few pairs of
// segments swapped, and reads the capture.
func readStreams(t *testing.T, client, server []byte, seed uint64) *gotOut {
	cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
	segments := func(b []byte, send func(string) capPkt) []capPkt {
		var out []capPkt
		for len(b) > 0 {
			n := len(b)
			if seed != 0 {
				seed = seed*6364136223846793005 + 1442695040888963407
				n = min(n, 1+int(seed>>58)) // 1 to 64 bytes
			}
			out = append(out, send(string(b[:n])))
			b = b[n:]
		}
		for i := 1; seed != 0 && i+1 < len(out); i += 2 { // the first comes first: the connection is read from it
			if seed>>(i%64)&1 != 0 {
				out[i], out[i+1] = out[i+1], out[i]
			}
		}
		return out
	}
	p := append(segments(client, cv.c), segments(server, cv.s)...)
	return decodeHTTP(t, p)
}

// Real captures: a request line and a user agent each split over two
// segments, IPv6, pipelining, and a response lost to the capture.
// Packets, fields and statuses checked with tshark (its frame is where a
// request ends, longtail's where it starts).
func TestCaptureHTTPSamples(t *testing.T) {
	mozilla := "Mozilla/5.0 (Linux; Android 6.0.1; SM-T805 Build/MMB29K; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/61.0.3163.98 Safari/537.36"
	for _, tc := range []struct {
		file   string
		n      int
		some   []req
		client string // of the first of some
	}{
		{"pcap/ndpi/ndpi_http-lines-split.pcap", 1, []req{{"GET", "toni.lan:31337", "/", "", 200, 1476, "uclient-fetch", "", 4}}, "192.168.0.1"},
		{"pcap/ndpi/ndpi_http_ua_splitted_in_two_pkts.pcapng", 37, []req{{"GET", "va.origin.startappservice.com", "/tracking/adClose",
			"d=IAAAAAAgAAA6X1tPSEVEX1lYX11MQkVYS1dYR01QQ", 200, 0, mozilla, "", 33}}, "254.125.135.128"},
		{"pcap/general/chrissanders/http_ip4and6.pcapng", 2, []req{{"GET", "[2001:db8:1:2::1000]", "/", "", 200, 298, "curl/7.35.0", "", 14}}, "2001:db8:1:2::1002"},
		{"pcap/general/zeek/zeek_http_pipelined-requests.pcap", 5, []req{{"GET", "www.mozilla.org", "/script/urchin.js", "", 200, 6716,
			"Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5", "http://www.mozilla.org/projects/calendar/", 6}}, "192.168.1.104"},
		{"pcap/general/zeek/zeek_http_1000-requests-one-dropped-response.pcap.gz", 1000,
			[]req{{"GET", "localhost", "/", "", 0, record.NoBytes, "python-requests/2.28.1", "", 4}, {"GET", "localhost", "/", "", 200, 615, "python-requests/2.28.1", "", 9}}, "::1"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			c, _ := decodeSample(t, tc.file)
			got := reqs(c.http)
			if len(got) != tc.n {
				t.Fatalf("%d requests, want %d", len(got), tc.n)
			}
			for _, w := range tc.some {
				i := slices.IndexFunc(got, func(r req) bool { return r.Line == w.Line })
				if i < 0 || !matches(got[i], w) {
					t.Errorf("at packet %d: %+v, want %+v", w.Line, got[max(i, 0)], w)
				}
			}
			if i := slices.IndexFunc(c.http, func(r gotHTTP) bool { return r.Line == tc.some[0].Line }); i >= 0 && c.http[i].Client != tc.client {
				t.Errorf("client %q, want %q", c.http[i].Client, tc.client)
			}
		})
	}
}

// matches compares a request with one the tests want, whose Query is a
// prefix.
func matches(got, want req) bool {
	ok := strings.HasPrefix(got.Query, want.Query)
	got.Query = want.Query
	return ok && got == want
}

// feed decodes packets one by one, as runCapture does, so that a test can
// look at the decoder's state between them.
func feed(c *capture, p ...capPkt) {
	for _, pkt := range p {
		c.no++
		c.now = t0.Add(time.Duration(pkt.sec * float64(time.Second))).UnixMicro()
		c.packet(pkt.data, layers.LinkTypeEthernet)
	}
}

// The memory the HTTP reading holds is bounded, whatever the capture.
func TestCaptureHTTPBounds(t *testing.T) {
	t.Run("a SYN flood makes no state", func(t *testing.T) {
		c := newCapture(&gotOut{})
		for i := range 20000 {
			cv := newConv("10.9.0.1", "10.0.0.80", uint16(1024+i), 80)
			feed(c, cv.open()[0])
		}
		if c.http != nil {
			t.Errorf("HTTP state for SYNs only")
		}
	})
	t.Run("connections never answered nor closed", func(t *testing.T) {
		out := &gotOut{}
		c := newCapture(out)
		for i := range maxHTTPConns + 100 {
			cv := newConv(fmt.Sprintf("10.9.%d.%d", i>>8, i&255), "10.0.0.80", 40000, 80)
			feed(c, cv.open()[0], cv.c("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
			if len(c.http.conns) > maxHTTPConns {
				t.Fatalf("%d connections open", len(c.http.conns))
			}
		}
		if n := out.skipReasons()["too many HTTP connections open, request not read"]; n != 100 || len(out.http) != 0 {
			t.Errorf("%d refused, %d requests emitted; want 100, 0", n, len(out.http))
		}
		late := newConv("10.8.0.1", "10.0.0.80", 40000, 80)
		late.sec = 2 * httpIdle / 1e6
		feed(c, late.c("GET / HTTP/1.1\r\nHost: h\r\n\r\n")) // every other connection is idle
		if len(c.http.conns) != 1 || len(out.http) != maxHTTPConns {
			t.Errorf("%d connections open, %d requests emitted; want 1, %d", len(c.http.conns), len(out.http), maxHTTPConns)
		}
	})
	t.Run("a head that never ends", func(t *testing.T) {
		out := &gotOut{}
		c := newCapture(out)
		cv := newConv("10.9.0.1", "10.0.0.80", 40000, 80)
		feed(c, cv.c("GET /"))
		for range 200 {
			feed(c, cv.c(strings.Repeat("a", 1000)))
			if c.http.mem > maxHTTPHead {
				t.Fatalf("%d bytes held", c.http.mem)
			}
		}
		if c.http.mem != 0 || len(out.skips) != 1 {
			t.Errorf("%d bytes held, skips %q", c.http.mem, out.skipList())
		}
	})
	t.Run("a long body is passed over", func(t *testing.T) {
		c := newCapture(&gotOut{})
		cv := newConv("10.9.0.1", "10.0.0.80", 40000, 80)
		feed(c, cv.c("POST / HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n"))
		for range 200 {
			feed(c, cv.c(strings.Repeat("a", 1400)))
		}
		if mem := c.http.mem; mem > 64 {
			t.Errorf("%d bytes held", mem)
		}
	})
	t.Run("requests pipelined without response", func(t *testing.T) {
		out := &gotOut{}
		c := newCapture(out)
		cv := newConv("10.9.0.1", "10.0.0.80", 40000, 80)
		for range 3 * maxPipelined {
			feed(c, cv.c("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
		}
		for _, s := range c.http.conns {
			if len(s.pend) > maxPipelined || len(out.http) != 2*maxPipelined {
				t.Errorf("%d waiting, %d emitted", len(s.pend), len(out.http))
			}
		}
	})
}

// The hostile names of internal/hostile in HTTP requests reach the records
// byte for byte (the screens and exports sanitise them); a name with a
// line break breaks its request line, which is skipped and reported.
func TestCaptureHTTPHostile(t *testing.T) {
	b, err := os.ReadFile("../../testdata/hostile/http.pcap")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := decodeCapture(t, b, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	byHost := map[string]gotHTTP{}
	for _, r := range c.http {
		byHost[r.Host] = r
	}
	broken := 0
	for _, n := range append(hostile.Strings(), "www.example.com") {
		if strings.ContainsRune(n, '\n') {
			broken++
			continue
		}
		r, ok := byHost[n]
		if !ok || r.Path != "/"+n || r.Query != "q="+n || r.UserAgent != n || r.Referer != "http://"+n+"/" || r.Status != 404 || r.Client != "10.9.9.9" {
			t.Errorf("%q: %+v", n, r)
		}
	}
	if len(c.http) != len(hostile.Names)+1-broken || len(c.skips) != broken {
		t.Errorf("%d requests, %d skips %q; want %d, %d", len(c.http), len(c.skips), c.skipList(), len(hostile.Names)+1-broken, broken)
	}
}

// A client that resets a connection and opens another on the same ports
// before the server's side of the first is closed: both are read.
func TestCaptureHTTPPortReused(t *testing.T) {
	one, two := newConv("10.0.0.1", "10.0.0.80", 40000, 80), newConv("10.0.0.1", "10.0.0.80", 40000, 80)
	two.cseq, two.sseq = 777000, 888000
	rst := one.packet(true, one.cseq, tcpRST, "")
	c := decodeHTTP(t, pkts(one.open(), one.c("GET /first HTTP/1.1\r\nHost: h\r\n\r\n"), rst,
		two.open(), two.c("GET /second HTTP/1.1\r\nHost: h\r\n\r\n"), two.s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), two.close()))
	want := []req{{"GET", "h", "/first", "", 0, record.NoBytes, "", "", 4}, {"GET", "h", "/second", "", 200, 0, "", "", 9}}
	if got := reqs(c.http); !slices.Equal(got, want) || len(c.skips) != 0 {
		t.Errorf("got %+v %q, want %+v", got, c.skipList(), want)
	}
}

// The packets of a connection twice in a capture (its SYN sent again
// included) give its request once.
func TestCaptureHTTPConnectionTwice(t *testing.T) {
	cv := newConv("10.0.0.1", "10.0.0.80", 40000, 80)
	p := pkts(cv.open(), cv.c("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), cv.s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
	c := decodeHTTP(t, append(p, p...))
	if got := reqs(c.http); !slices.Equal(got, []req{{"GET", "h", "/", "", 200, 0, "", "", 4}}) || len(c.skips) != 0 {
		t.Errorf("got %+v %q", got, c.skipList())
	}
}
