package parse

import (
	"bytes"

	"github.com/longtail/longtail/engine/record"
)

// The Windows DNS Server debug log ("Log packets for debugging"), and a
// SIEM's CSV export that keeps each of its lines in a rawmsg column. A
// packet line reads
//
//	5/8/2017 11:16:08 AM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 172.24.33.40    fddb   Q [0001   D   NOERROR] A      (2)ib(5)3lift(3)com(0)
//
// date, time, thread, PACKET, context, protocol, Snd/Rcv, remote address,
// xid, R for a response (blank for a query), opcode, [flags rcode], type
// and name in length-prefixed labels. The server logs four packets per
// recursive lookup: the client's query (Rcv Q), its own query upstream
// (Snd Q), the upstream answer (Rcv R Q) and its answer to the client
// (Snd R Q). Only the client side is the event: a client's query paired
// with the answer sent back to the same address and xid. Upstream traffic,
// dynamic updates and notifies are not queries of a client and are passed
// over, as are the non-packet lines (the header, blank lines, details).

func init() {
	register(35, Format{
		Name:   "windows-dns-debug",
		Detect: detectWindowsDebug,
		Lines:  func() LineParser { return newWinDebug() },
	})
	register(36, Format{
		Name:   "windows-dns-siem-csv",
		Detect: detectWindowsSIEM,
		Lines:  func() LineParser { return &winSIEMParser{col: -1, dbg: newWinDebug()} },
		Replay: true, // the header says which column holds the line
	})
}

const (
	// winPairWindow is how long a client's query waits for its answer,
	// in source time, before it is emitted unanswered.
	winPairWindow = 30 * 1_000_000
	// winMaxPending bounds the queries waiting for an answer.
	winMaxPending = 100_000
)

// winPacket is one parsed PACKET line; slices point into the line or the
// parser's name buffer.
type winPacket struct {
	time     int64
	send     bool // Snd: the server sent it; Rcv: the server received it
	addr     []byte
	xid      []byte // hex as a rule, but logs seen in the wild hold other tokens: opaque
	response bool
	opcode   byte
	rcode    int16
	qtype    uint16
	name     []byte
}

// winKey is the remote address and xid, space-separated.
type winKey string

// winQuery is a client's query waiting for the server's answer.
type winQuery struct {
	key          winKey
	time         int64
	client, name []byte // in buf
	qtype        uint16
	line, off    int64
	done         bool // answered or emitted; still in the queue until popped
	buf          []byte
}

type winDebugParser struct {
	pk      winPacket
	nameBuf []byte
	pending map[winKey]*winQuery
	queue   []*winQuery // in arrival order, for eviction
	head    int
	free    []*winQuery
	rec     record.Record
	heldBack
}

func newWinDebug() *winDebugParser {
	return &winDebugParser{pending: make(map[winKey]*winQuery)}
}

func (p *winDebugParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if replay {
		return
	}
	isPacket, reason := p.parse(line)
	switch {
	case !isPacket:
		return
	case reason != "":
		out.Skip(no, off, reason)
		return
	}
	pk := &p.pk
	p.evict(pk.time, out)
	if pk.opcode != 'Q' {
		return
	}
	switch {
	case !pk.send && !pk.response:
		p.query(no, off, out)
	case pk.send && pk.response:
		p.answer(no, off, out)
	}
}

// query holds a client's query until its answer comes.
func (p *winDebugParser) query(no, off int64, out record.Output) {
	pk := &p.pk
	key := winKey(string(pk.addr) + " " + string(pk.xid))
	if old, ok := p.pending[key]; ok {
		// The client reused the xid (a retry): the first query stays
		// unanswered as far as this log can tell.
		p.emitQuery(old, record.NoRCode, out)
	}
	q := p.alloc()
	q.key, q.time, q.qtype, q.line, q.off, q.done = key, pk.time, pk.qtype, no, off, false
	q.buf = append(append(q.buf[:0], pk.addr...), pk.name...)
	q.client, q.name = q.buf[:len(pk.addr)], q.buf[len(pk.addr):]
	p.pending[key] = q
	p.queue = append(p.queue, q)
}

// answer pairs the server's answer with the client's query, or, when the
// query is not in the log, makes a record of the answer alone.
func (p *winDebugParser) answer(no, off int64, out record.Output) {
	pk := &p.pk
	if q, ok := p.pending[winKey(string(pk.addr)+" "+string(pk.xid))]; ok && bytes.Equal(q.name, pk.name) {
		p.emitQuery(q, pk.rcode, out)
		return
	}
	r := &p.rec
	r.Reset()
	r.Time, r.Client, r.Name, r.QType, r.RCode = pk.time, pk.addr, pk.name, pk.qtype, pk.rcode
	r.Line, r.Offset = no, off
	out.Record(r)
}

func (p *winDebugParser) emitQuery(q *winQuery, rcode int16, out record.Output) {
	q.done = true
	delete(p.pending, q.key)
	if p.emitted(q.line) {
		return // an earlier read emitted it
	}
	r := &p.rec
	r.Reset()
	r.Time, r.Client, r.Name, r.QType, r.RCode = q.time, q.client, q.name, q.qtype, rcode
	r.Line, r.Offset = q.line, q.off
	out.Record(r)
}

func (p *winDebugParser) alloc() *winQuery {
	if n := len(p.free); n > 0 {
		q := p.free[n-1]
		p.free = p.free[:n-1]
		return q
	}
	return &winQuery{}
}

// evict emits the queries that waited too long, in arrival order. The log
// is written by several threads and is not strictly in time order, so a
// query only expires relative to the time of the line at hand.
func (p *winDebugParser) evict(now int64, out record.Output) {
	for p.head < len(p.queue) {
		q := p.queue[p.head]
		if !q.done {
			if q.time >= now-winPairWindow && len(p.pending) <= winMaxPending {
				break
			}
			p.emitQuery(q, record.NoRCode, out)
		}
		p.queue[p.head] = nil
		p.head++
		p.free = append(p.free, q)
	}
	if p.head > 1024 && p.head*2 > len(p.queue) {
		n := copy(p.queue, p.queue[p.head:])
		clear(p.queue[n:])
		p.queue, p.head = p.queue[:n], 0
	}
}

// Flush emits the queries still waiting: unanswered as far as the log
// shows.
func (p *winDebugParser) Flush(out record.Output) {
	for _, q := range p.queue[p.head:] {
		if !q.done {
			p.emitQuery(q, record.NoRCode, out)
		}
	}
	p.queue, p.head = p.queue[:0], 0
}

// Waiting is the oldest query still without its answer.
func (p *winDebugParser) Waiting() (int64, Position, bool) {
	for _, q := range p.queue[p.head:] {
		if !q.done && !p.emitted(q.line) {
			return q.line, Position{Line: q.line - 1, Offset: q.off}, true
		}
	}
	return 0, Position{}, false
}

// parse reads a PACKET line into p.pk. isPacket is false for any other
// line; reason says why a packet line is unusable.
func (p *winDebugParser) parse(line []byte) (isPacket bool, reason string) {
	date, rest := nextToken(line)
	clock, rest := nextToken(rest)
	thread, rest := nextToken(rest)
	var ampm []byte
	if string(thread) == "AM" || string(thread) == "PM" {
		ampm = thread
		thread, rest = nextToken(rest)
	}
	word, rest := nextToken(rest)
	if string(word) != "PACKET" || len(thread) == 0 {
		return false, ""
	}
	pk := &p.pk
	*pk = winPacket{}
	var ok bool
	if pk.time, ok = winTime(date, clock, ampm); !ok {
		return true, "bad date or time"
	}
	var ctx, proto, dir, op []byte
	ctx, rest = nextToken(rest)
	proto, rest = nextToken(rest)
	dir, rest = nextToken(rest)
	pk.addr, rest = nextToken(rest)
	pk.xid, rest = nextToken(rest)
	op, rest = nextToken(rest)
	if len(ctx) == 0 || (string(proto) != "UDP" && string(proto) != "TCP") {
		return true, "bad packet header"
	}
	switch string(dir) {
	case "Snd":
		pk.send = true
	case "Rcv":
	default:
		return true, "bad direction"
	}
	if len(pk.addr) == 0 || len(pk.xid) == 0 {
		return true, "no remote address or xid"
	}
	if string(op) == "R" {
		pk.response = true
		op, rest = nextToken(rest)
	}
	if len(op) != 1 {
		return true, "bad opcode"
	}
	pk.opcode = op[0]
	rest = bytes.TrimLeft(rest, " ")
	end := bytes.IndexByte(rest, ']')
	if len(rest) == 0 || rest[0] != '[' || end < 0 {
		return true, "no [flags rcode]"
	}
	pk.rcode = record.NoRCode
	flags := bytes.TrimRight(rest[1:end], " ")
	if sp := bytes.LastIndexByte(flags, ' '); sp >= 0 {
		pk.rcode = RCodeByName(flags[sp+1:])
	}
	qtype, name := nextToken(rest[end+1:])
	pk.qtype = qtypeOf(qtype)
	if p.nameBuf, ok = decodeWinName(p.nameBuf[:0], bytes.TrimSpace(name)); !ok {
		return true, "bad name"
	}
	pk.name = p.nameBuf
	return true, ""
}

// nextToken splits off the next space-separated token.
func nextToken(b []byte) (tok, rest []byte) {
	b = bytes.TrimLeft(b, " \t")
	i := bytes.IndexAny(b, " \t")
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i:]
}

// winTime parses "5/8/2017" (or "2017-05-08") "11:16:08" and an optional
// "AM"/"PM". The log is written in the server's local time and locale
// without a zone; it is taken as UTC, and a date with slashes as
// month/day/year (the US format the server writes by default).
func winTime(date, clock, ampm []byte) (int64, bool) {
	var y, mo, d int64
	var ok1, ok2, ok3 bool
	if len(date) == 10 && date[4] == '-' && date[7] == '-' {
		y, ok1 = Atoi(date[:4])
		mo, ok2 = Atoi(date[5:7])
		d, ok3 = Atoi(date[8:])
	} else {
		var rest []byte
		mo, rest, ok1 = smallNumber(date, '/')
		d, rest, ok2 = smallNumber(rest, '/')
		y, ok3 = Atoi(rest)
	}
	h, rest, ok4 := smallNumber(clock, ':')
	mi, rest, ok5 := smallNumber(rest, ':')
	s, ok6 := Atoi(rest)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return 0, false
	}
	switch string(ampm) {
	case "AM", "PM":
		if h < 1 || h > 12 {
			return 0, false
		}
		h %= 12
		if ampm[0] == 'P' {
			h += 12
		}
	}
	return UnixMicro(y, mo, d, h, mi, s)
}

// smallNumber reads one or two digits followed by sep.
func smallNumber(b []byte, sep byte) (n int64, rest []byte, ok bool) {
	i := bytes.IndexByte(b, sep)
	if i < 1 || i > 2 {
		return 0, nil, false
	}
	n, ok = Atoi(b[:i])
	return n, b[i+1:], ok
}

// decodeWinName turns "(2)ib(5)3lift(3)com(0)" into "ib.3lift.com" (and
// "(0)" into "."). A label is normally as long as its prefix says; when it
// is not (the server writes some bytes of odd labels differently), it runs
// to the next '('.
func decodeWinName(dst, b []byte) ([]byte, bool) {
	for {
		if len(b) == 0 || b[0] != '(' {
			return dst, false
		}
		c := bytes.IndexByte(b, ')')
		if c < 0 {
			return dst, false
		}
		n, ok := Atoi(b[1:c])
		if !ok {
			return dst, false
		}
		b = b[c+1:]
		if n == 0 {
			break
		}
		l := int(n)
		if l > len(b) || (l < len(b) && b[l] != '(') {
			if l = bytes.IndexByte(b, '('); l < 0 {
				return dst, false
			}
		}
		if len(dst) > 0 {
			dst = append(dst, '.')
		}
		dst = append(dst, b[:l]...)
		b = b[l:]
	}
	if len(b) != 0 {
		return dst, false
	}
	if len(dst) == 0 {
		dst = append(dst, '.')
	}
	return dst, true
}

// detectWindowsDebug accepts the log's header block, or a head whose first
// lines (up to five) are all PACKET lines.
func detectWindowsDebug(head []byte) bool {
	if bytes.HasPrefix(head, []byte("DNS Server log file creation at ")) ||
		bytes.Contains(head, []byte("Message logging key (for packets")) {
		return true
	}
	p := newWinDebug()
	seen := 0
	for line := range headLines(head) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if isPacket, reason := p.parse(line); !isPacket || reason != "" {
			return false
		}
		if seen++; seen == 5 {
			break
		}
	}
	return seen > 0
}

// winSIEMParser reads a CSV export whose rawmsg column holds debug log
// lines; the first row is the header naming the columns.
type winSIEMParser struct {
	csv csvSplitter
	col int // index of rawmsg; -1 until the header is read
	dbg *winDebugParser
}

func (p *winSIEMParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if len(line) == 0 {
		return
	}
	f, ok := p.csv.split(line)
	if p.col < 0 {
		if p.col = rawmsgColumn(f); p.col < 0 && !replay {
			out.Skip(no, off, "no rawmsg column in the header")
		}
		return
	}
	switch {
	case replay:
	case !ok:
		out.Skip(no, off, "unbalanced quotes")
	case len(f) <= p.col:
		out.Skip(no, off, "row shorter than the header")
	default:
		p.dbg.Line(f[p.col], no, off, false, out)
	}
}

func (p *winSIEMParser) Flush(out record.Output) { p.dbg.Flush(out) }

func (p *winSIEMParser) Waiting() (int64, Position, bool) { return p.dbg.Waiting() }

func (p *winSIEMParser) Hold(held int64) { p.dbg.Hold(held) }

func rawmsgColumn(header [][]byte) int {
	for i, h := range header {
		if string(h) == "rawmsg" {
			return i
		}
	}
	return -1
}

// detectWindowsSIEM accepts a header row with a rawmsg column whose first
// data row holds a PACKET line.
func detectWindowsSIEM(head []byte) bool {
	var p winSIEMParser
	col := -1
	for line := range headLines(head) {
		f, ok := p.csv.split(line)
		if !ok {
			return false
		}
		if col < 0 {
			if col = rawmsgColumn(f); col < 0 {
				return false
			}
			continue
		}
		if len(f) <= col {
			return false
		}
		isPacket, reason := newWinDebug().parse(f[col])
		return isPacket && reason == ""
	}
	return false
}
