package parse

import (
	"bytes"

	"github.com/longtail/longtail/engine/record"
)

// tcpdump-text is what `tcpdump -n` prints for DNS traffic, the form the
// talk logged all day (`tcpdump -i eth1 port 53 -tttt >> tcpdump.log`):
//
//	2016-08-25 17:20:00.123456 IP 10.0.0.5.51234 > 8.8.8.8.53: 4242+ A? apple.com. (27)
//	2016-08-25 17:20:00.140000 IP 8.8.8.8.53 > 10.0.0.5.51234: 4242 2/0/0 CNAME x., A 1.2.3.4 (120)
//
// Queries and responses are paired by (client, server, DNS id) into one
// record. tcpdump prints no name in a response (unless -v, where "q:" gives
// it), so a response whose query is not in the log is skipped: a record
// without a name would count as a name of its own. TTLs are never printed
// by tcpdump: TTL is always NoTTL.

func init() {
	register(60, Format{
		Name:   "tcpdump-text",
		Detect: detectTcpdump,
		Lines:  func() LineParser { return newTcpdumpParser() },
		// Time-only stamps (tcpdump without -tttt) carry a day counter that
		// only the lines before a resume point can rebuild.
		Replay: true,
	})
	register(95, Format{
		Name:   NamesList,
		Detect: detectNamesList,
		Lines:  func() LineParser { return &namesParser{} },
	})
}

// detectTcpdump accepts a head whose first packet lines start with a
// tcpdump timestamp followed by a link or network layer, at least one of
// them IP or IP6.
func detectTcpdump(head []byte) bool {
	ip, other := 0, 0
	forCompleteLines(head, 50, func(line []byte) bool {
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			return true // -v continuation lines
		}
		switch tcpdumpShape(line) {
		case shapePacket:
			ip++
		case shapeNone:
			other++
		}
		return other < 3
	})
	return ip > 0 && other <= ip/4
}

const (
	shapeNone   = iota // not tcpdump's
	shapeOther         // a tcpdump line for another protocol (ARP ...)
	shapePacket        // an IP or IP6 packet line
)

// tcpdumpShape classifies a line for detection, more strictly than the
// parser: tcpdump prints 6 (or, with --nano, 9) fraction digits, and an
// IP line goes on with "(tos ", "(flowlabel ", "(hlim " (-v) or
// "src > dst: ".
func tcpdumpShape(line []byte) int {
	_, rest, _, ok := tcpdumpStamp(line)
	if !ok {
		return shapeNone
	}
	n := len(line) - len(rest)
	if !(n >= 8 && line[n-8] == '.' || n >= 11 && line[n-11] == '.') {
		return shapeNone
	}
	i := protoStart(rest)
	if i < 0 {
		return shapeOther
	}
	rest = rest[i:]
	if bytes.HasPrefix(rest, []byte("(tos ")) || bytes.HasPrefix(rest, []byte("(flowlabel ")) || bytes.HasPrefix(rest, []byte("(hlim ")) {
		return shapePacket
	}
	if gt := bytes.Index(rest, []byte(" > ")); gt > 0 && bytes.Contains(rest[gt:], []byte(": ")) {
		return shapePacket
	}
	return shapeNone
}

// forCompleteLines calls f with each line of head except a last one cut
// off by the head's end, at most max lines, until f returns false.
func forCompleteLines(head []byte, max int, f func(line []byte) bool) {
	for n := 0; n < max; n++ {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			return
		}
		if !f(bytes.TrimRight(head[:i], "\r")) {
			return
		}
		head = head[i+1:]
	}
}

// tcpdumpStamp parses the leading timestamp of a line in one of the forms
// tcpdump writes: -tttt "2016-08-25 17:20:00.123456", the default
// "17:20:00.123456" (dated=false: no date) and -tt "1472145600.123456".
// It returns the time in microseconds (since the epoch, or since midnight
// when undated) and the rest of the line after the separating space.
func tcpdumpStamp(b []byte) (t int64, rest []byte, dated, ok bool) {
	switch {
	case len(b) > 11 && b[4] == '-' && b[7] == '-' && b[10] == ' ':
		y, ok1 := Atoi(b[0:4])
		mo, ok2 := Atoi(b[5:7])
		d, ok3 := Atoi(b[8:10])
		tod, rest, ok4 := clockMicro(b[11:])
		day, ok5 := UnixMicro(y, mo, d, 0, 0, 0)
		if !(ok1 && ok2 && ok3 && ok4 && ok5) {
			return 0, nil, false, false
		}
		return day + tod, rest, true, true
	case len(b) > 8 && b[2] == ':':
		tod, rest, ok := clockMicro(b)
		return tod, rest, false, ok
	}
	dot := bytes.IndexByte(b, '.')
	sp := bytes.IndexByte(b, ' ')
	if dot < 1 || sp < dot {
		return 0, nil, false, false
	}
	sec, ok1 := Atoi(b[:dot])
	us, ok2 := fractionMicro(b[dot+1 : sp])
	if !ok1 || !ok2 || sec > 1<<40 {
		return 0, nil, false, false
	}
	return sec*1_000_000 + us, b[sp+1:], true, true
}

// clockMicro parses "HH:MM:SS[.fraction] " into microseconds since midnight
// and the rest after the space.
func clockMicro(b []byte) (int64, []byte, bool) {
	if len(b) < 9 || b[2] != ':' || b[5] != ':' {
		return 0, nil, false
	}
	h, ok1 := Atoi(b[0:2])
	m, ok2 := Atoi(b[3:5])
	s, ok3 := Atoi(b[6:8])
	if !(ok1 && ok2 && ok3) || h > 23 || m > 59 || s > 60 {
		return 0, nil, false
	}
	us := int64(0)
	rest := b[8:]
	if rest[0] == '.' || rest[0] == ',' {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return 0, nil, false
		}
		var ok bool
		if us, ok = fractionMicro(rest[1:sp]); !ok {
			return 0, nil, false
		}
		rest = rest[sp:]
	}
	if len(rest) == 0 || rest[0] != ' ' {
		return 0, nil, false
	}
	return ((h*60+m)*60+s)*1_000_000 + us, rest[1:], true
}

// fractionMicro turns the digits after a decimal point (milli-, micro- or
// nanoseconds) into microseconds.
func fractionMicro(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n, ok := Atoi(b)
	if !ok {
		return 0, false
	}
	for i := len(b); i < 6; i++ {
		n *= 10
	}
	for i := len(b); i > 6; i-- {
		n /= 10
	}
	return n, true
}

// protoStart returns the index just after "IP " or "IP6 " in the part of a
// packet line after the timestamp, which may start with link-layer words
// ("PPPoE  [ses 0x556a] IP ..."), or -1. For `tcpdump -e` lines it returns
// the index after the link header ("ethertype IPv4 (0x0800), length 98: ").
func protoStart(rest []byte) int {
	if bytes.HasPrefix(rest, []byte("IP ")) {
		return 3
	}
	if bytes.HasPrefix(rest, []byte("IP6 ")) {
		return 4
	}
	if i := bytes.Index(rest, []byte(" IP ")); i >= 0 {
		return i + 4
	}
	if i := bytes.Index(rest, []byte(" IP6 ")); i >= 0 {
		return i + 5
	}
	if i := bytes.Index(rest, []byte("ethertype IPv")); i >= 0 {
		if j := bytes.Index(rest[i:], []byte(": ")); j >= 0 {
			return i + j + 2
		}
	}
	return -1
}

// tdQuery is a query waiting for its response. Its strings live in buf,
// which is reused when the entry is recycled.
type tdQuery struct {
	key       uint64
	time      int64
	line, off int64
	at        Position // before the line its packet starts on (a -v header)
	qtype     uint16
	buf       []byte // client address, client port, server, name
	client    int    // end of the client address in buf
	peers     int    // end of "client.port>server.port" in buf
	done      bool
}

type tcpdumpParser struct {
	day, lastTOD int64 // day counter for undated stamps
	undatedSeen  bool
	vTime        int64 // the stamp of a -v header whose packet is on the next, indented line
	vPending     bool
	vAt          Position // before that header's line
	packetAt     Position // before the line the packet at hand starts on
	heldBack

	pending map[uint64]*tdQuery
	queue   []*tdQuery // arrival order, for expiry
	free    []*tdQuery
	rec     record.Record
	answers []byte
	peers   []byte
}

func newTcpdumpParser() *tcpdumpParser {
	return &tcpdumpParser{pending: make(map[uint64]*tdQuery)}
}

func (p *tcpdumpParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if len(line) == 0 {
		return
	}
	if line[0] == ' ' || line[0] == '\t' {
		// With -v the packet's addresses and DNS text are on an indented
		// line after the header; other indented lines (hex dumps, IP
		// options) belong to the packet above and are not events.
		if p.vPending && !replay {
			p.vPending, p.packetAt = false, p.vAt
			p.packet(bytes.TrimLeft(line, " \t"), p.vTime, no, off, out)
			p.expire(p.vTime, out)
		}
		return
	}
	p.vPending = false
	t, rest, dated, ok := tcpdumpStamp(line)
	if !ok {
		if !replay {
			out.Skip(no, off, "no tcpdump timestamp")
		}
		return
	}
	if !dated {
		t = p.undated(t)
	}
	if replay {
		return
	}
	i := protoStart(rest)
	if i < 0 {
		out.Skip(no, off, "not DNS")
		return
	}
	rest = rest[i:]
	if len(rest) > 0 && rest[0] == '(' {
		// -v: "IP (tos 0x0, ttl 64, ..., length 84)"; IP6 keeps the
		// addresses on the same line after the parenthesis.
		rest = afterParens(rest)
		if len(rest) == 0 {
			p.vTime, p.vPending, p.vAt = t, true, Position{Line: no - 1, Offset: off}
			return
		}
	}
	p.packetAt = Position{Line: no - 1, Offset: off}
	p.packet(rest, t, no, off, out)
	p.expire(t, out)
}

// undated turns a time of day into a time on 1970-01-01 plus a day counter
// that advances when the clock jumps back by more than 12 hours (midnight):
// tcpdump's default stamps carry no date, and smaller steps back are
// reordered packets, not a new day. The ingest may offer a --date later.
func (p *tcpdumpParser) undated(tod int64) int64 {
	if p.undatedSeen && tod < p.lastTOD-12*3600*1_000_000 {
		p.day++
	}
	p.undatedSeen = true
	p.lastTOD = tod
	return p.day*86400*1_000_000 + tod
}

// afterParens skips a balanced parenthesised group and the space after it.
func afterParens(b []byte) []byte {
	depth := 0
	for i, c := range b {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return bytes.TrimLeft(b[i+1:], " ")
			}
		}
	}
	return nil
}

// packet handles "src.port > dst.port: payload".
func (p *tcpdumpParser) packet(b []byte, t, no, off int64, out record.Output) {
	gt := bytes.Index(b, []byte(" > "))
	if gt <= 0 {
		out.Skip(no, off, "not DNS")
		return
	}
	colon := bytes.Index(b[gt+3:], []byte(": "))
	if colon < 0 {
		out.Skip(no, off, "not DNS")
		return
	}
	src, dst := b[:gt], b[gt+3:gt+3+colon]
	payload := b[gt+3+colon+2:]
	if bytes.HasPrefix(payload, []byte("Flags [")) {
		// TCP: the DNS message, if any, follows "length N ".
		i := bytes.Index(payload, []byte(", length "))
		if i < 0 {
			out.Skip(no, off, "not DNS")
			return
		}
		payload = payload[i+9:]
		sp := bytes.IndexByte(payload, ' ')
		if sp < 0 {
			out.Skip(no, off, "not DNS")
			return
		}
		payload = payload[sp+1:]
	}
	for len(payload) > 0 && payload[0] == '[' { // -vv "[udp sum ok] "
		end := bytes.IndexByte(payload, ']')
		if end < 0 {
			break
		}
		payload = bytes.TrimLeft(payload[end+1:], " ")
	}
	var m dnsText
	if !m.parse(payload) {
		if len(payload) > 0 && '0' <= payload[0] && payload[0] <= '9' && bytes.Contains(payload, []byte("[|domain]")) {
			out.Skip(no, off, "truncated DNS message")
		} else {
			out.Skip(no, off, "not DNS")
		}
		return
	}
	if m.response {
		p.response(&m, src, dst, t, no, off, out)
		return
	}
	if len(m.name) == 0 {
		out.Skip(no, off, "DNS query without a question")
		return
	}
	p.query(&m, src, dst, t, no, off, out)
}

// dnsText is the DNS part of a tcpdump line.
type dnsText struct {
	id       uint16
	response bool
	rcode    int16
	qtype    uint16
	name     []byte
	answers  []byte // the answer section as printed: "A 1.2.3.4, A 5.6.7.8"
}

// dnsFlags are the characters tcpdump appends to the id (and to an rcode).
const dnsFlags = "+*-|$%"

// parse reads "4242+ [1au] A? apple.com. (27)" or "4242*- NXDomain 0/1/0
// (100)" (see print-domain.c). The question of a response appears only
// with -v ("q: A? x.").
func (m *dnsText) parse(b []byte) bool {
	b = bytes.TrimSuffix(b, []byte(" [|domain]")) // truncated capture
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	id, ok := Atoi(b[:i])
	if !ok || id > 0xffff || (i < len(b) && b[i] != ' ' && bytes.IndexByte([]byte(dnsFlags), b[i]) < 0) {
		return false
	}
	m.id, m.rcode = uint16(id), 0
	var typeTok []byte
	for rest := b[i:]; len(rest) > 0; {
		rest = bytes.TrimLeft(rest, " ")
		end := bytes.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		tok := rest[:end]
		rest = rest[end:]
		switch {
		case len(tok) == 0:
		case tok[len(tok)-1] == '?' && m.name == nil:
			// "A? name", "PTR (QM)? name", "A (Class 3)? name"
			if w := tok[:len(tok)-1]; len(w) > 0 && w[len(w)-1] != ')' {
				typeTok = w
			}
			m.qtype = QTypeByName(typeTok)
			rest = bytes.TrimLeft(rest, " ")
			end = bytes.IndexByte(rest, ' ')
			if end < 0 {
				end = len(rest)
			}
			m.name, rest = rest[:end], rest[end:]
		case isCounts(tok):
			m.response = true
			m.answers = answerSection(rest)
			return true
		case tok[0] == '[' || tok[0] == '(':
		default:
			typeTok = tok
			if c := RCodeByName(bytes.TrimRight(tok, dnsFlags)); c >= 0 {
				m.rcode = c
			}
		}
	}
	return m.name != nil
}

// isCounts reports whether tok is a response's "an/ns/ar" counts.
func isCounts(tok []byte) bool {
	slashes := 0
	for i, c := range tok {
		switch {
		case c == '/':
			if i == 0 || tok[i-1] == '/' {
				return false
			}
			slashes++
		case c < '0' || c > '9':
			return false
		}
	}
	return slashes == 2 && tok[len(tok)-1] != '/'
}

// answerSection cuts the answers out of what follows the counts: it drops
// the trailing "(length)" and the -v authority and additional sections.
func answerSection(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, ' '); i >= 0 && len(b) > 2 && b[len(b)-1] == ')' && b[i+1] == '(' {
		b = b[:i]
	} else if len(b) > 0 && b[0] == '(' && b[len(b)-1] == ')' {
		b = nil
	}
	if i := bytes.Index(b, []byte(" ns: ")); i >= 0 {
		b = b[:i]
	}
	if i := bytes.Index(b, []byte(" ar: ")); i >= 0 {
		b = b[:i]
	}
	return b
}

// appendAnswers appends the data of each printed answer ("CNAME x., A
// 1.2.3.4"; with -v "owner. A 1.2.3.4") joined by ','. A TXT answer that
// itself holds ", " is split there: tcpdump's text does not say better.
func appendAnswers(dst, section []byte) []byte {
	for len(section) > 0 {
		item := section
		if i := bytes.Index(section, []byte(", ")); i >= 0 {
			item, section = section[:i], section[i+2:]
		} else {
			section = nil
		}
		item = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(item), []byte(",")))
		// Drop the owner name (-v), "(Cache flush)" or "(Class n)", and
		// the type mnemonic: what is left is the data.
		if sp := bytes.IndexByte(item, ' '); sp > 0 && item[sp-1] == '.' {
			item = item[sp+1:]
		}
		for len(item) > 0 && item[0] == '(' {
			end := bytes.IndexByte(item, ')')
			if end < 0 {
				break
			}
			item = bytes.TrimLeft(item[end+1:], " ")
		}
		sp := bytes.IndexByte(item, ' ')
		if sp < 0 {
			continue // a type without data ("NULL", "RRSIG")
		}
		item = bytes.TrimSpace(item[sp+1:])
		if len(item) == 0 {
			continue
		}
		if len(dst) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, item...)
	}
	return dst
}

// pairKey hashes (client, server, id) with FNV-1a; a match is confirmed
// against the stored text, so a collision cannot mis-pair.
func pairKey(peers []byte, id uint16) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range peers {
		h = (h ^ uint64(c)) * 1099511628211
	}
	h = (h ^ uint64(id&0xff)) * 1099511628211
	return (h ^ uint64(id>>8)) * 1099511628211
}

// hostOf strips the ".port" from "10.0.0.5.51234" or "2001:db8::1.53".
func hostOf(addrPort []byte) []byte {
	if i := bytes.LastIndexByte(addrPort, '.'); i > 0 {
		return addrPort[:i]
	}
	return addrPort
}

// take sets p.peers to "client>server" and removes and returns the query
// pending for it with this id, if any, with its key.
func (p *tcpdumpParser) take(client, server []byte, id uint16) (*tdQuery, uint64) {
	p.peers = append(append(append(p.peers[:0], client...), '>'), server...)
	key := pairKey(p.peers, id)
	q, ok := p.pending[key]
	if !ok || string(q.buf[:q.peers]) != string(p.peers) {
		return nil, key
	}
	delete(p.pending, key)
	q.done = true
	return q, key
}

func (p *tcpdumpParser) query(m *dnsText, src, dst []byte, t, no, off int64, out record.Output) {
	old, key := p.take(src, dst, m.id)
	if old != nil {
		// The same query again before any answer (a retry, as the pcap
		// reader treats it): the first one stays unanswered.
		p.emitQuery(old, record.NoRCode, nil, out)
	}
	if len(p.pending) >= maxPending {
		p.expire(t, out)
	}
	q := p.alloc()
	q.key, q.time, q.line, q.off, q.at, q.qtype = key, t, no, off, p.packetAt, m.qtype
	q.buf = append(append(append(q.buf[:0], p.peers...), hostOf(src)...), m.name...)
	q.peers = len(p.peers)
	q.client = q.peers + len(hostOf(src))
	p.pending[key] = q
	p.queue = append(p.queue, q)
}

func (p *tcpdumpParser) alloc() *tdQuery {
	q := reuse(&p.free)
	*q = tdQuery{buf: q.buf[:0]}
	return q
}

// reuse pops a finished query off free (for the caller to reset, keeping
// its buffers) or makes a new one: the text formats that pair queries
// recycle them so that a long log does not allocate per query.
func reuse[Q any](free *[]*Q) *Q {
	n := len(*free)
	if n == 0 {
		return new(Q)
	}
	q := (*free)[n-1]
	*free = (*free)[:n-1]
	return q
}

// retire moves the first n queries of queue, all emitted, to free.
func retire[Q any](queue, free []*Q, n int) ([]*Q, []*Q) {
	if n == 0 {
		return queue, free // the common case: nothing expired
	}
	free = append(free, queue[:n]...)
	k := copy(queue, queue[n:])
	clear(queue[k:])
	return queue[:k], free
}

func (p *tcpdumpParser) response(m *dnsText, src, dst []byte, t, no, off int64, out record.Output) {
	if q, _ := p.take(dst, src, m.id); q != nil {
		p.answers = appendAnswers(p.answers[:0], m.answers)
		p.emitQuery(q, m.rcode, p.answers, out)
		return
	}
	if len(m.name) == 0 {
		out.Skip(no, off, "DNS response without its query (tcpdump prints no name)")
		return
	}
	p.answers = appendAnswers(p.answers[:0], m.answers)
	p.emit(t, hostOf(dst), m.name, m.qtype, m.rcode, p.answers, no, off, out)
}

func (p *tcpdumpParser) emit(t int64, client, name []byte, qtype uint16, rcode int16, answers []byte, no, off int64, out record.Output) {
	p.rec.Reset()
	p.rec.Time, p.rec.Client, p.rec.Name, p.rec.QType = t, client, name, qtype
	p.rec.RCode, p.rec.Answers, p.rec.Line, p.rec.Offset = rcode, answers, no, off
	out.Record(&p.rec)
}

func (p *tcpdumpParser) emitQuery(q *tdQuery, rcode int16, answers []byte, out record.Output) {
	if p.emitted(q.line) {
		return // an earlier read emitted it
	}
	p.emit(q.time, q.buf[q.peers:q.client], q.buf[q.client:], q.qtype, rcode, answers, q.line, q.off, out)
}

// expire emits, in arrival order, the queries that waited longer than
// pairWindow before now (or all while too many wait) without a response.
func (p *tcpdumpParser) expire(now int64, out record.Output) {
	n := 0
	for _, q := range p.queue {
		if !q.done && now-q.time <= pairWindow && len(p.pending) < maxPending {
			break
		}
		if !q.done {
			if p.pending[q.key] == q {
				delete(p.pending, q.key)
			}
			p.emitQuery(q, record.NoRCode, nil, out)
		}
		n++
	}
	p.queue, p.free = retire(p.queue, p.free, n)
}

func (p *tcpdumpParser) Flush(out record.Output) {
	p.expire(1<<62, out)
}

// Waiting is the oldest query still without its response, or a -v header
// whose packet line is still to come.
func (p *tcpdumpParser) Waiting() (int64, Position, bool) {
	for _, q := range p.queue {
		if !q.done && !p.emitted(q.line) {
			return q.line, q.at, true
		}
	}
	return p.vAt.Line + 1, p.vAt, p.vPending
}

// NamesList is the name of the plain list of query names: a list of names
// beside the logs of a folder is passed over (engine/ingest).
const NamesList = "names-list"

// names-list is a plain list of query names, one per line, as
// `tshark -T fields -e dns.qry.name` prints them (non-printable bytes as
// octal escapes like \312, kept as they are: the sanitiser shows them).
// It has no time (Time 0), type or client, and every line is an event
// (queries and responses alike, which tshark does not tell apart here).
// It is the most lenient format and is tried last.

// detectNamesList accepts a head whose complete lines all look like host
// names: one printable token each, most of them dotted.
func detectNamesList(head []byte) bool {
	lines, dotted, good := 0, 0, true
	forCompleteLines(head, 200, func(line []byte) bool {
		if len(line) == 0 {
			return true
		}
		lines++
		if !looksLikeName(line) {
			good = false
			return false
		}
		if bytes.IndexByte(line, '.') > 0 {
			dotted++
		}
		return true
	})
	return good && lines > 0 && dotted*2 >= lines
}

// looksLikeName reports whether b is a single printable token made mostly
// of host-name characters.
func looksLikeName(b []byte) bool {
	if len(b) > 1100 { // 255 bytes, each escaped as \ooo
		return false
	}
	hostChars := 0
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return false
		}
		if c == '.' || c == '-' || c == '_' || c == '\\' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			hostChars++
		}
	}
	return hostChars*10 >= len(b)*9
}

type namesParser struct{ rec record.Record }

func (p *namesParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	line = bytes.TrimSpace(line)
	if replay || len(line) == 0 {
		return
	}
	if !looksLikeName(line) {
		out.Skip(no, off, "not a host name")
		return
	}
	p.rec.Reset()
	p.rec.Name, p.rec.Line, p.rec.Offset = line, no, off
	out.Record(&p.rec)
}

func (p *namesParser) Flush(record.Output) {}
