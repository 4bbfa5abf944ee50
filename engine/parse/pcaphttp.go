package parse

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/reassembly"

	"github.com/longtail/longtail/engine/record"
)

// HTTP/1.x requests in captures, read in the same pass as the DNS.
//
// Detection is by content, on any port but DNS's: a TCP connection is read
// from the first segment a client sends on it that starts a request (a
// known method and a space, or any method and a whole request line ending
// in " HTTP/1.x", see sniffRequest). A segment that does not is one
// comparison: a capture without HTTP pays nothing more, and HTTP on an
// odd port (a C2 channel, a proxy, a test server) is found. HTTPS is not
// decoded. SYNs make no state: a flood of them costs nothing.
//
// A connection read is reassembled by gopacket's reassembly package (both
// directions, out of order and retransmitted segments, IPv4 and IPv6) and
// its client side read as a sequence of requests (pipelined or one after
// another), each head up to its empty line, then its body skipped by its
// Content-Length or chunks. Responses come in the order of their requests:
// the first response head pairs with the oldest request waiting (if the
// server had received it, by the response's TCP acknowledgment), and gives
// it its status and the body size its head declares. A request is emitted
// when its response head comes, or without status when its connection
// closes, goes idle (httpIdle of capture time), or its response is lost to
// the capture. Responses lost are found by the TCP numbers of the next
// response (see answers); requests lost on the client side leave the
// responses after them unpaired. Records are therefore not in packet
// order; each has the time, number and offset of the packet its request
// starts in. A client's new connection on the ports of one being read
// retires it (see retire).
//
// Bounds: at most maxHTTPConns connections are read at once (a segment
// that would start one more is skipped and reported); the reassembler
// buffers at most httpPagesPerConn out-of-order pages a connection and
// httpPagesTotal in all, and gives up waiting for a missing segment after
// httpGapWait; message heads being gathered and requests waiting for their
// response hold at most httpMemBudget bytes (over it, or past maxPipelined
// on one connection, the oldest request of the connection is emitted
// without its status); idle connections are closed by capture time.
//
// Resume: a request waiting for its response is held like a DNS query (its
// packet bounds Resume.Held), and a request whose head is not complete yet
// is rebuilt by the replay that every resumed capture read starts with.
// Everything here depends only on the packets before, in order, so a
// replayed read holds the same state at the same packet.

const (
	maxHTTPConns     = 4096
	maxPipelined     = 64
	httpMemBudget    = 64 << 20
	httpPagesPerConn = 16   // pages of 1900 bytes
	httpPagesTotal   = 8192 // about 16 MB
	httpIdle         = pairWindow
	httpGapWait      = 5 * 1_000_000 // microseconds
	httpFlushEvery   = 1_000_000
)

// httpState reads the HTTP connections of one capture; it is made when
// the first request is seen.
type httpState struct {
	c         *capture
	asm       *reassembly.Assembler
	conns     map[connKey]*httpConn
	adding    *httpConn // the connection StreamFactory.New hands over
	retired   int       // connections left to the reassembler to close (see retire)
	gen       int64     // connections started
	ctxs      []pktCtx  // a slab the contexts of packets are taken from
	mem       int       // bytes of heads gathered and requests waiting
	nextFlush int64     // capture time of the next look for idle connections
	flushing  bool      // inside a flush: skips are sorted before they go out
	deferred  []skipNote
	head      httpHead // the head being read
}

// skipNote is a skip kept until a flush ends: the reassembler flushes
// connections in no set order, and skips must come out in the same order
// at every read.
type skipNote struct {
	at     mark
	reason string
}

func newHTTPState(c *capture) *httpState {
	h := &httpState{c: c, conns: map[connKey]*httpConn{}, nextFlush: c.now + httpFlushEvery}
	h.asm = reassembly.NewAssembler(reassembly.NewStreamPool(h))
	h.asm.MaxBufferedPagesPerConnection = httpPagesPerConn
	h.asm.MaxBufferedPagesTotal = httpPagesTotal
	return h
}

// mark is where a message starts: its packet's number, offset and time,
// and the packet's TCP sequence and acknowledgment numbers.
type mark struct {
	no, off, time int64
	seq, ack      uint32
	hasAck        bool
}

// pktCtx carries a packet's mark through the reassembler, which keeps it
// with the bytes it holds back; ReassembledSG finds it again by offset
// (as the CaptureInfo's ancillary data, which points back to it).
type pktCtx struct {
	mark
	anc [1]any
}

func (p *pktCtx) GetCaptureInfo() gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: time.UnixMicro(p.time), AncillaryData: p.anc[:]}
}

// ctx returns the context of the current packet, from a slab: the
// reassembler may keep it as long as it keeps the packet's bytes.
func (h *httpState) ctx() *pktCtx {
	if len(h.ctxs) == 0 {
		h.ctxs = make([]pktCtx, 256)
	}
	p := &h.ctxs[0]
	h.ctxs = h.ctxs[1:]
	c := h.c
	p.mark, p.anc[0] = mark{c.no, c.off, c.now, c.tcp.Seq, c.tcp.Ack, c.tcp.ACK}, p
	return p
}

// startsMessage says whether b starts a request (client) or response.
func startsMessage(b []byte, client bool) bool {
	if client {
		return sniffRequest(b)
	}
	return isHTTP1(b)
}

// nextSegment returns the offset of the first byte after from, in the n
// bytes of a reassembled chunk, that another packet than from's holds, or
// n.
func nextSegment(sg reassembly.ScatterGather, from, n int) int {
	p := packetAt(sg, from)
	lo, hi := from+1, n
	for lo < hi { // a packet's bytes are contiguous: search for the first byte of the next
		if mid := int(uint(lo+hi) >> 1); packetAt(sg, mid) == p {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// packetAt is the context of the packet that holds byte i of a
// reassembled chunk, or nil.
func packetAt(sg reassembly.ScatterGather, i int) *pktCtx {
	if a := sg.CaptureInfo(i).AncillaryData; len(a) > 0 {
		p, _ := a[0].(*pktCtx)
		return p
	}
	return nil
}

// markAt is the mark of the packet that holds byte i of a reassembled
// chunk.
func (h *httpState) markAt(sg reassembly.ScatterGather, i int) mark {
	if p := packetAt(sg, i); p != nil {
		return p.mark
	}
	return mark{no: h.c.no, off: h.c.off, time: h.c.now}
}

// connKey is a TCP connection, its two ends in a fixed order.
type connKey struct{ lo, hi netip.AddrPort }

func makeConnKey(a, b netip.AddrPort) connKey {
	if a.Compare(b) > 0 {
		a, b = b, a
	}
	return connKey{a, b}
}

// httpSegment handles a TCP segment of a port that is not DNS's.
func (c *capture) httpSegment(src, dst netip.Addr) {
	t := &c.tcp
	h := c.http
	if h == nil {
		if !sniffRequest(t.Payload) {
			return
		}
		h = newHTTPState(c)
		c.http = h
	}
	if c.now >= h.nextFlush {
		h.flushIdle()
	}
	if len(h.conns) == 0 && !sniffRequest(t.Payload) {
		return
	}
	from, to := netip.AddrPortFrom(src, uint16(t.SrcPort)), netip.AddrPortFrom(dst, uint16(t.DstPort))
	k := makeConnKey(from, to)
	s := h.conns[k]
	if s != nil && t.SYN && !t.ACK && from == s.client && t.Seq+1 != s.req.base {
		// A new connection on the same ports: its first sequence number
		// is not the one s started with (a SYN sent again, or the same
		// packets twice in the capture, are not new).
		h.retire(s)
		s = nil
	}
	if s == nil {
		if !sniffRequest(t.Payload) {
			return
		}
		if len(h.conns)+h.retired >= maxHTTPConns {
			c.skip("too many HTTP connections open, request not read")
			return
		}
		h.gen++
		s = &httpConn{h: h, key: k, client: from, flowType: gopacket.EndpointType(1<<32 + h.gen)}
		h.conns[k], h.adding = s, s
	}
	a, b := src.As16(), dst.As16()
	h.asm.AssembleWithContext(gopacket.NewFlow(s.flowType, a[:], b[:]), t, h.ctx())
	h.adding = nil
}

// retire ends the reading of s, whose client opens a new connection on
// the same addresses and ports: its requests still waiting go out without
// status. The reassembler keeps the connection until it closes it (after
// httpIdle if its halves were not both closed), under a key of its own:
// the new connection is another one to it.
func (h *httpState) retire(s *httpConn) {
	s.release(&s.req)
	s.release(&s.resp)
	s.req.state, s.resp.state = inIgnored, inIgnored
	s.unanswered()
	s.retired = true
	h.retired++
	delete(h.conns, s.key)
}

// New is the reassembler's StreamFactory: it starts a connection only
// when httpSegment has just decided to read it.
func (h *httpState) New(_, _ gopacket.Flow, _ *layers.TCP, _ reassembly.AssemblerContext) reassembly.Stream {
	if h.adding == nil {
		return nil
	}
	return h.adding
}

// flushIdle gives up waiting for missing segments after httpGapWait and
// closes the connections idle for httpIdle.
func (h *httpState) flushIdle() {
	now := h.c.now
	h.nextFlush = now + httpFlushEvery
	h.flushing = true
	h.asm.FlushWithOptions(reassembly.FlushOptions{T: time.UnixMicro(now - httpGapWait), TC: time.UnixMicro(now - httpIdle)})
	h.endFlush()
}

// flushAll ends every connection at the end of the capture.
func (h *httpState) flushAll() {
	h.flushing = true
	h.asm.FlushAll()
	h.endFlush()
}

func (h *httpState) endFlush() {
	h.flushing = false
	slices.SortStableFunc(h.deferred, func(a, b skipNote) int {
		return cmp.Or(cmp.Compare(a.at.no, b.at.no), cmp.Compare(a.reason, b.reason))
	})
	for _, s := range h.deferred {
		h.skip(s.at, s.reason)
	}
	clear(h.deferred)
	h.deferred = h.deferred[:0]
}

// skip reports what could not be read, at the packet where it starts.
func (h *httpState) skip(at mark, reason string) {
	switch {
	case h.flushing:
		h.deferred = append(h.deferred, skipNote{at, reason})
	case !h.c.replay:
		h.c.out.Skip(at.no, at.off, reason)
	}
}

// oldestLive returns the packet of the oldest request waiting for its
// response that an earlier read did not emit.
func (h *httpState) oldestLive() (int64, bool) {
	var line int64
	found := false
	for _, s := range h.conns {
		for i := range s.pend {
			if r := &s.pend[i]; !r.replayed {
				if !found || r.at.no < line {
					line, found = r.at.no, true
				}
				break
			}
		}
	}
	return line, found
}

// httpConn is one connection read as HTTP: a reassembly.Stream.
type httpConn struct {
	h         *httpState
	key       connKey
	client    netip.AddrPort
	flowType  gopacket.EndpointType // its own, in the reassembler's key: see retire
	retired   bool
	req, resp httpHalf
	pend      []httpReq // requests waiting for their response, oldest first
	lost      int       // responses still to come for requests emitted without them
	resync    bool      // responses were lost: the next one is placed by its TCP numbers
	pipelined bool      // the client sent a request before it had the response to the one before
	unpaired  bool      // responses can no longer be told apart: requests go out without status
}

// halfState is where a direction of a connection is in its messages.
type halfState uint8

const (
	inHead      halfState = iota // gathering a message head
	inBody                       // left bytes of body to pass
	inChunkSize                  // reading a chunk-size line
	inChunkData                  // left bytes of a chunk to pass
	inChunkEnd                   // reading the line end after a chunk
	inTrailer                    // reading trailer lines up to the empty one
	inResync                     // waiting for a segment that starts a message
	inIgnored                    // the rest of this direction is not read
)

// httpHalf is one direction of a connection.
type httpHalf struct {
	state halfState
	left  int64
	buf   []byte // a head or line begun in an earlier segment
	at    mark   // the packet where the head being read starts
	start int64  // and its position in the stream
	pos   int64  // bytes of the stream passed, missing ones included
	base  uint32 // TCP sequence number of the stream's first byte
	known bool   // server: base is known before its first byte is seen
}

// seq is the TCP sequence number of position p of the stream.
func (hf *httpHalf) seq(p int64) uint32 { return hf.base + uint32(p) }

// httpReq is a request waiting for its response.
type httpReq struct {
	at       mark
	end      uint32    // sequence number after its head
	data     []byte    // method, host, path, query, user agent, referer, one after another
	ends     [6]uint32 // where each ends in data
	replayed bool      // emitted by an earlier read
}

func (r *httpReq) field(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.data[start:r.ends[i]]
}

const (
	fMethod = iota
	fHost
	fPath
	fQuery
	fUA
	fReferer
)

// Accept takes every segment; a direction seen first in the middle of the
// stream (no SYN: the connection is read from its first request) starts
// where it is seen.
func (s *httpConn) Accept(_ *layers.TCP, _ gopacket.CaptureInfo, _ reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, _ reassembly.AssemblerContext) bool {
	if nextSeq < 0 {
		*start = true
	}
	return true
}

// ReassembledSG reads the next bytes of one direction, in order; skip > 0
// says that many bytes before them are missing from the capture.
func (s *httpConn) ReassembledSG(sg reassembly.ScatterGather, _ reassembly.AssemblerContext) {
	n, _ := sg.Lengths()
	dir, _, _, skip := sg.Info()
	client := dir == reassembly.TCPDirClientToServer
	hf := &s.resp
	if client {
		hf = &s.req
	}
	if n == 0 {
		return
	}
	skip = max(skip, 0)
	if hf.pos == 0 {
		skip = s.begin(hf, s.h.markAt(sg, 0), skip, client)
	}
	if skip > 0 {
		hf.pos += int64(skip)
		s.gap(hf, int64(skip), client, sg)
	}
	s.read(hf, sg.Fetch(n), client, sg)
}

// begin sets where the stream of hf starts, from the first packet it
// reads, first, after skip bytes missing, and returns how many are missing
// before it. The reassembler starts a direction at the first segment it
// gets; the server's starts where the client's first request acknowledged
// it, so that responses lost before the first one seen count as lost.
func (s *httpConn) begin(hf *httpHalf, first mark, skip int, client bool) int {
	start := first.seq - uint32(skip)
	if client {
		hf.base = start
		if first.hasAck {
			s.resp.base, s.resp.known = first.ack, true
		}
		return skip
	}
	if d := int32(start - hf.base); hf.known && d > 0 {
		return skip + int(d)
	}
	hf.base = start
	return skip
}

// ReassemblyComplete ends the connection: the requests still waiting go
// out without their status.
func (s *httpConn) ReassemblyComplete(_ reassembly.AssemblerContext) bool {
	if s.retired {
		s.h.retired--
		return true
	}
	if s.req.state == inHead && len(s.req.buf) > 0 {
		s.h.skip(s.req.at, "HTTP connection ended inside a request head")
	}
	s.release(&s.req)
	s.release(&s.resp)
	s.unanswered()
	delete(s.h.conns, s.key)
	return true
}

// gap handles n bytes missing before the next ones: inside a body they are
// passed over; anywhere else the next message is looked for at the start
// of a later segment (outOfStep).
func (s *httpConn) gap(hf *httpHalf, n int64, client bool, sg reassembly.ScatterGather) {
	switch hf.state {
	case inBody, inChunkData:
		if n <= hf.left {
			if hf.left -= n; hf.left == 0 {
				bodyDone(hf)
			}
			return
		}
	case inResync, inIgnored:
		return
	}
	at := s.h.markAt(sg, 0)
	if len(hf.buf) > 0 {
		at = hf.at
	}
	if client {
		s.h.skip(at, "TCP data missing from an HTTP connection, a request may be lost")
	} else {
		s.h.skip(at, "TCP data missing from an HTTP connection, a response may be lost")
	}
	s.outOfStep(hf, client)
}

// outOfStep makes a direction whose next message cannot be found wait for
// a segment that starts one. Requests may have been lost on the client
// side, and whether the responses after them answer the requests read
// cannot be told: responses are no longer paired. Responses lost on the
// server side leave requests without one: the next response is placed by
// its TCP numbers (see answers), unless the client pipelines.
func (s *httpConn) outOfStep(hf *httpHalf, client bool) {
	s.release(hf)
	hf.state = inResync
	if client || s.pipelined {
		s.unpair()
	} else {
		s.resync = true
	}
}

// unpair stops pairing responses with requests: the waiting ones, and
// every later one, go out without status.
func (s *httpConn) unpair() {
	s.unpaired = true
	s.resp.state = inIgnored
	s.release(&s.resp)
	s.unanswered()
}

// read handles data, the next bytes of one direction.
func (s *httpConn) read(hf *httpHalf, data []byte, client bool, sg reassembly.ScatterGather) {
	pos := hf.pos // of data[0]
	hf.pos += int64(len(data))
	for off := 0; off < len(data); {
		switch hf.state {
		case inIgnored:
			return
		case inResync:
			// Where a segment starts: the middle of a body may hold
			// anything.
			for !startsMessage(data[off:], client) {
				if off = nextSegment(sg, off, len(data)); off == len(data) {
					return
				}
			}
			hf.state = inHead
		case inBody, inChunkData:
			k := int(min(hf.left, int64(len(data)-off)))
			hf.left -= int64(k)
			off += k
			if hf.left == 0 {
				bodyDone(hf)
			}
		case inHead:
			if len(hf.buf) == 0 {
				for off < len(data) && (data[off] == '\r' || data[off] == '\n') {
					off++ // empty lines between messages
				}
				if off == len(data) {
					return
				}
				hf.at, hf.start = s.h.markAt(sg, off), pos+int64(off)
			}
			head, next, ok := s.take(hf, data, off, headEnd)
			off = next
			if !ok {
				if !s.plausible(hf, client) {
					s.notHTTP(hf, client)
				}
				continue
			}
			if client {
				s.request(hf, head, pos+int64(off))
			} else {
				s.response(hf, head)
			}
		default: // chunk-size line, line end after a chunk, trailer line
			if len(hf.buf) == 0 {
				hf.at = s.h.markAt(sg, off)
			}
			line, next, ok := s.take(hf, data, off, lineEnd)
			off = next
			if ok {
				s.chunkLine(hf, line, client)
			} else if len(hf.buf) >= 1024 {
				s.badFraming(hf, client)
			}
		}
	}
}

// bodyDone moves hf past a body or a chunk passed over.
func bodyDone(hf *httpHalf) {
	if hf.state == inChunkData {
		hf.state = inChunkEnd
	} else {
		hf.state = inHead
	}
}

// take returns the next head or line (whose end end finds) from what hf
// kept and data[off:], and the offset in data after it. When data ends
// before it does, its start is kept in hf.buf and ok is false.
func (s *httpConn) take(hf *httpHalf, data []byte, off int, end func([]byte, int) int) (unit []byte, next int, ok bool) {
	rest := data[off:]
	if len(hf.buf) == 0 {
		if e := end(rest, 0); e >= 0 {
			return rest[:e], off + e, true
		}
	}
	prev := len(hf.buf)
	add := rest[:min(len(rest), maxHTTPHead-prev)]
	if need := prev + len(add); need > cap(hf.buf) {
		// Grown by hand, so that it never holds more than a head.
		b := make([]byte, prev, min(max(need, 2*cap(hf.buf), 512), maxHTTPHead))
		copy(b, hf.buf)
		s.h.mem += cap(b) - cap(hf.buf)
		hf.buf = b
	}
	hf.buf = append(hf.buf, add...)
	if e := end(hf.buf, prev-2); e >= 0 {
		unit = hf.buf[:e]
		hf.buf = hf.buf[:0]
		return unit, off + e - prev, true
	}
	return nil, len(data), false
}

// lineEnd returns the length of the line at the start of b with its line
// end, or -1.
func lineEnd(b []byte, from int) int {
	for i := max(from, 0); i < len(b); i++ {
		if b[i] == '\n' {
			return i + 1
		}
	}
	return -1
}

// plausible says whether the head begun in hf can still be a message
// head: no longer than maxHTTPHead, starting as a request or response
// does, and within the memory budget.
func (s *httpConn) plausible(hf *httpHalf, client bool) bool {
	b := hf.buf
	switch {
	case len(b) >= maxHTTPHead, s.h.mem > httpMemBudget && !s.h.flushing:
		return false
	case client:
		return requestStart(b)
	}
	n := min(len(b), 5)
	return string(b[:n]) == "HTTP/"[:n]
}

// notHTTP gives up on a direction whose next bytes are no message head.
func (s *httpConn) notHTTP(hf *httpHalf, client bool) {
	if client {
		s.h.skip(hf.at, "not an HTTP/1.x request where one was due, connection read from its next request")
	} else {
		s.h.skip(hf.at, "not an HTTP/1.x response where one was due")
	}
	s.outOfStep(hf, client)
}

// badFraming gives up on a direction whose body cannot be passed over.
func (s *httpConn) badFraming(hf *httpHalf, client bool) {
	s.h.skip(hf.at, "broken chunked HTTP body")
	s.outOfStep(hf, client)
}

// release forgets what hf holds back.
func (s *httpConn) release(hf *httpHalf) {
	s.h.mem -= cap(hf.buf)
	hf.buf = nil
}

// chunkLine handles a line of a chunked body.
func (s *httpConn) chunkLine(hf *httpHalf, line []byte, client bool) {
	switch hf.state {
	case inChunkSize:
		line, _ = nextLine(line)
		n, ok := parseChunkSize(line)
		switch {
		case !ok:
			s.badFraming(hf, client)
		case n == 0:
			hf.state = inTrailer
		default:
			hf.state, hf.left = inChunkData, n
		}
	case inChunkEnd:
		hf.state = inChunkSize
	case inTrailer:
		if line, _ = nextLine(line); len(line) == 0 {
			hf.state = inHead
		}
	}
	if cap(hf.buf) > 4096 {
		s.release(hf)
	}
}

// frame sets hf to pass over the body a head announces.
func frame(hf *httpHalf, h *httpHead) {
	hf.state, hf.left = inHead, 0
	switch h.body {
	case bodyLength:
		hf.state, hf.left = inBody, h.length
	case bodyChunked:
		hf.state = inChunkSize
	case bodyClose, bodyUnknown:
		hf.state = inIgnored
	}
}

// request handles a complete request head, which ends at position end of
// the client's stream.
func (s *httpConn) request(hf *httpHalf, head []byte, end int64) {
	h := &s.h.head
	if err := parseRequestHead(head, h); err != nil {
		s.notHTTP(hf, true)
		return
	}
	s.wait(h, hf.at, hf.seq(end))
	frame(hf, h)
	switch {
	case h.body == bodyUnknown:
		s.h.skip(hf.at, "HTTP request body of unknown length, connection read from its next request")
		hf.state = inResync
	case string(h.method) == "CONNECT":
		hf.state = inResync // a tunnel's bytes, unless the proxy refused it
	}
	if cap(hf.buf) > 4096 {
		s.release(hf)
	}
}

// wait queues the request of head h, which starts at at and ends at
// sequence number end, for its response.
func (s *httpConn) wait(h *httpHead, at mark, end uint32) {
	host, path, query := splitTarget(h.method, h.target)
	if host == nil {
		host = h.host
	}
	fields := [...][]byte{h.method, host, path, query, h.ua, h.referer}
	r := httpReq{at: at, end: end, replayed: s.h.c.replay && at.no < s.h.c.held}
	n := 0
	for _, f := range fields {
		n += len(f)
	}
	r.data = make([]byte, 0, n)
	for i, f := range fields {
		r.data = append(r.data, f...)
		r.ends[i] = uint32(len(r.data))
	}
	s.pend = append(s.pend, r)
	s.h.mem += cap(r.data)
	switch {
	case s.unpaired:
		s.unanswered()
	case len(s.pend) > maxPipelined, s.h.mem > httpMemBudget && !s.h.flushing:
		// No room to wait: the oldest goes out now, and its response
		// is passed over when it comes.
		s.emit(0, 0, record.NoBytes)
		s.lost++
	}
}

// response handles a complete response head, which starts at hf.at.
func (s *httpConn) response(hf *httpHalf, head []byte) {
	i := s.answers(hf)
	if s.unpaired {
		return // the responses cannot be told apart: not read any more
	}
	var method []byte
	if i >= 0 {
		method = s.pend[i].field(fMethod)
	}
	h := &s.h.head
	if err := parseResponseHead(head, method, h); err != nil {
		s.notHTTP(hf, false)
		return
	}
	frame(hf, h)
	if cap(hf.buf) > 4096 {
		s.release(hf)
	}
	switch {
	case h.status < 200 && h.status != 101:
		return // interim: the final response follows
	case s.lost > 0:
		s.lost--
		return
	case i < 0:
		return // a response to no request read (a 408 before closing)
	}
	for range i {
		s.emit(0, 0, record.NoBytes) // their responses were lost
	}
	s.resync = false
	if h.status == 101 || string(method) == "CONNECT" && h.status < 300 {
		// The connection carries something else from here on.
		s.req.state, hf.state = inIgnored, inIgnored
	}
	s.emit(0, int16(h.status), h.size)
}

// answers returns which waiting request the response starting at hf.at
// answers, or -1. In step, it is the oldest, if the server had received
// it when it sent the response (a request lost before it, or read late,
// is not answered by the response to the one before). After responses
// were lost (on a connection whose client waits for each response before
// its next request: see pipelined) it is the one request the server had
// received whose client had, when it sent it, received everything before
// the response: it answers neither an earlier request, whose response came
// before, nor a later one. When several fit, the responses cannot be told
// apart any more.
func (s *httpConn) answers(hf *httpHalf) int {
	at, start := hf.at, hf.seq(hf.start)
	received := func(r *httpReq) bool { return !at.hasAck || int32(at.ack-r.end) >= 0 }
	sentAfter := func(r *httpReq) bool { return !r.at.hasAck || int32(start-r.at.ack) <= 0 }
	if s.lost > 0 || len(s.pend) == 0 {
		return -1
	}
	if !s.resync {
		if !received(&s.pend[0]) {
			return -1
		}
		if len(s.pend) > 1 && s.pend[1].at.hasAck && int32(s.pend[1].at.ack-start) <= 0 {
			s.pipelined = true // the next was sent before any of this response came
		}
		return 0
	}
	found := -1
	for i := range s.pend {
		if r := &s.pend[i]; received(r) && sentAfter(r) {
			if found >= 0 {
				s.unpair()
				return -1
			}
			found = i
		}
	}
	return found
}

// unanswered emits the requests still waiting, without status.
func (s *httpConn) unanswered() {
	for len(s.pend) > 0 {
		s.emit(0, 0, record.NoBytes)
	}
	s.lost = 0
}

// emit sends request i with its response status and body size, and takes
// it off the queue.
func (s *httpConn) emit(i int, status int16, size int64) {
	r := &s.pend[i]
	c := s.h.c
	if !c.replay && !r.replayed {
		c.rec.ResetHTTP()
		c.rec.Time, c.rec.Line, c.rec.Offset = r.at.time, r.at.no, r.at.off
		c.client = s.client.Addr().AppendTo(c.client[:0])
		c.rec.Client = c.client
		c.rec.Method, c.rec.Host, c.rec.Path = r.field(fMethod), r.field(fHost), r.field(fPath)
		c.rec.Query, c.rec.UserAgent, c.rec.Referer = r.field(fQuery), r.field(fUA), r.field(fReferer)
		c.rec.Status, c.rec.Bytes = status, size
		c.out.Record(&c.rec)
	}
	s.h.mem -= cap(r.data)
	s.pend = slices.Delete(s.pend, i, i+1)
}
