package parse

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/longtail/longtail/engine/record"
)

// Zeek's dns.log, as TSV (with its #fields header) and as JSON lines. A
// Zeek row already pairs a query with its response, so each row is one
// record. Other Zeek logs (conn, http ...) are not DNS and are left to
// other formats.

func init() {
	register(25, Format{
		Name:   "zeek-tsv",
		Detect: detectZeekTSV,
		Lines:  func() LineParser { return newZeekTSV() },
		Replay: true, // a resumed ingest needs the #fields header again
	})
	register(30, Format{
		Name:   "zeek-json",
		Detect: detectZeekJSON,
		Lines:  func() LineParser { return &zeekJSONParser{} },
	})
}

// zeekRow is what both Zeek forms extract from a row before it becomes a
// record; byte slices point into the line or the parser's buffers.
type zeekRow struct {
	time     int64
	client   []byte
	query    []byte
	hasQuery bool // query present and not unset
	qtype    uint16
	rcode    int16
	answers  []byte // joined by ','
	ttl      int32
	path     []byte // JSON "_path", when the row names its log
}

func (z *zeekRow) reset() {
	*z = zeekRow{rcode: record.NoRCode, ttl: record.NoTTL}
}

// setQType takes Zeek's numeric qtype.
func (z *zeekRow) setQType(b []byte) bool {
	n, ok := Atoi(b)
	ok = ok && n <= math.MaxUint16
	if ok {
		z.qtype = uint16(n)
	}
	return ok
}

// setRCode takes Zeek's numeric rcode (12 bits with EDNS).
func (z *zeekRow) setRCode(b []byte) bool {
	n, ok := Atoi(b)
	ok = ok && n <= 0xfff
	if ok {
		z.rcode = int16(n)
	}
	return ok
}

// emit turns a row into a record, or says why the row is not an event.
func (z *zeekRow) emit(rec *record.Record, no, off int64, out record.Output) {
	switch {
	case z.path != nil && string(z.path) != "dns":
		out.Skip(no, off, "zeek "+string(z.path)+" row, not dns")
		return
	case !z.hasQuery:
		// Zeek logs a row for a reply it could not match to a question;
		// without a name it says nothing the analyst can count.
		out.Skip(no, off, "no query")
		return
	}
	rec.Reset()
	rec.Time, rec.Client, rec.Name = z.time, z.client, z.query
	if len(rec.Name) == 0 {
		// Zeek writes the root name as the empty string.
		rec.Name = rootName
	}
	rec.QType, rec.RCode, rec.TTL, rec.Answers = z.qtype, z.rcode, z.ttl, z.answers
	rec.Line, rec.Offset = no, off
	out.Record(rec)
}

var rootName = []byte(".")

// parseEpoch parses Zeek's "1286954335.115032" (seconds since the epoch
// with up to microsecond precision) into microseconds.
func parseEpoch(b []byte) (int64, bool) {
	dot := bytes.IndexByte(b, '.')
	if dot < 0 {
		dot = len(b)
	}
	sec, ok := Atoi(b[:dot])
	if !ok || sec > math.MaxInt64/1_000_000-1 {
		return 0, false
	}
	t := sec * 1_000_000
	if dot == len(b) {
		return t, true
	}
	frac := b[dot+1:]
	if len(frac) == 0 {
		return 0, false
	}
	scale := int64(100_000)
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
		t += int64(c-'0') * scale
		scale /= 10
	}
	return t, true
}

// zeekTime parses a Zeek timestamp: epoch seconds, or ISO 8601 when the
// logger was configured for it.
func zeekTime(tp *timeParser, b []byte) (int64, bool) {
	if len(b) >= 19 && b[4] == '-' {
		return tp.parse(b)
	}
	return parseEpoch(b)
}

// ttlSeconds reads a TTL written as an interval ("60.000000", "3600.0"):
// the whole seconds count.
func ttlSeconds(b []byte) (int32, bool) {
	if dot := bytes.IndexByte(b, '.'); dot >= 0 {
		b = b[:dot]
	}
	return parseTTL(b)
}

// minTTL keeps the smaller known TTL.
func minTTL(cur, t int32) int32 {
	if cur == record.NoTTL || t < cur {
		return t
	}
	return cur
}

// zeekCols are the positions of the columns a DNS record needs in the
// declared #fields; -1 when absent.
type zeekCols struct {
	ts, client, query, qtype, rcode, answers, ttls int
	last                                           int // the highest of them
}

// zeekTSVParser reads Zeek's tab-separated logs, honouring the header's
// separator, set separator, empty and unset markers and field order. A new
// #separator line starts a new header (concatenated logs).
type zeekTSVParser struct {
	sep, setSep  byte
	empty, unset []byte
	cols         zeekCols
	haveFields   bool
	notDNS       string // why rows of this log are not events, if they are not
	fields       [][]byte
	ans          []byte
	tp           timeParser
	row          zeekRow
	rec          record.Record
}

func newZeekTSV() *zeekTSVParser {
	p := &zeekTSVParser{}
	p.resetHeader()
	return p
}

func (p *zeekTSVParser) resetHeader() {
	p.sep, p.setSep = '\t', ','
	p.empty, p.unset = append(p.empty[:0], "(empty)"...), append(p.unset[:0], '-')
	p.haveFields, p.notDNS = false, ""
}

func (p *zeekTSVParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if len(line) > 0 && line[0] == '#' {
		p.header(line)
		return
	}
	if replay || len(line) == 0 {
		return
	}
	switch {
	case !p.haveFields:
		out.Skip(no, off, "row before the #fields header")
	case p.notDNS != "":
		out.Skip(no, off, p.notDNS)
	default:
		if reason := p.parse(line); reason != "" {
			out.Skip(no, off, reason)
			return
		}
		p.row.emit(&p.rec, no, off, out)
	}
}

func (p *zeekTSVParser) Flush(record.Output) {}

// header applies one '#' line.
func (p *zeekTSVParser) header(line []byte) {
	if v, ok := bytes.CutPrefix(line, []byte("#separator ")); ok {
		p.resetHeader()
		p.sep = zeekSepByte(v, '\t')
		return
	}
	key, val, _ := bytes.Cut(line[1:], []byte{p.sep})
	switch string(key) {
	case "set_separator":
		p.setSep = zeekSepByte(val, ',')
	case "empty_field":
		p.empty = append(p.empty[:0], val...)
	case "unset_field":
		p.unset = append(p.unset[:0], val...)
	case "path":
		if string(val) != "dns" {
			p.notDNS = "zeek " + string(val) + " log, not dns"
		}
	case "fields":
		p.fieldsHeader(val)
	}
}

// zeekSepByte decodes a separator as the header writes it ("\x09" or the
// character itself); Zeek's separators are single bytes in practice.
func zeekSepByte(v []byte, def byte) byte {
	if len(v) == 4 && v[0] == '\\' && v[1] == 'x' {
		if n, ok := Hex(v[2:]); ok {
			return byte(n)
		}
	}
	if len(v) > 0 {
		return v[0]
	}
	return def
}

func (p *zeekTSVParser) fieldsHeader(val []byte) {
	c := zeekCols{-1, -1, -1, -1, -1, -1, -1, 0}
	for i := 0; len(val) > 0; i++ {
		name, rest, _ := bytes.Cut(val, []byte{p.sep})
		val = rest
		var slot *int
		switch string(name) {
		case "ts":
			slot = &c.ts
		case "id.orig_h":
			slot = &c.client
		case "query":
			slot = &c.query
		case "qtype":
			slot = &c.qtype
		case "rcode":
			slot = &c.rcode
		case "answers":
			slot = &c.answers
		case "TTLs":
			slot = &c.ttls
		default:
			continue
		}
		*slot = i
		c.last = max(c.last, i)
	}
	p.cols, p.haveFields = c, true
	if (c.query < 0 || c.ts < 0) && p.notDNS == "" {
		p.notDNS = "no ts or query in #fields, not a dns log"
	}
}

// parse reads a data row into p.row, or says why it cannot.
func (p *zeekTSVParser) parse(line []byte) string {
	f := p.fields[:0]
	for len(f) <= p.cols.last {
		i := bytes.IndexByte(line, p.sep)
		if i < 0 {
			f = append(f, line)
			break
		}
		f = append(f, line[:i])
		line = line[i+1:]
	}
	p.fields = f
	if len(f) <= p.cols.last {
		return strconv.Itoa(len(f)) + " fields, want at least " + strconv.Itoa(p.cols.last+1)
	}
	z := &p.row
	z.reset()
	var ok bool
	if z.time, ok = zeekTime(&p.tp, f[p.cols.ts]); !ok {
		return "bad ts"
	}
	if q := f[p.cols.query]; !bytes.Equal(q, p.unset) {
		z.hasQuery = true
		if !bytes.Equal(q, p.empty) {
			z.query = q
		}
	}
	if v := p.value(p.cols.client); v != nil {
		z.client = v
	}
	if v := p.value(p.cols.qtype); v != nil && !z.setQType(v) {
		return "bad qtype"
	}
	if v := p.value(p.cols.rcode); v != nil && !z.setRCode(v) {
		return "bad rcode"
	}
	if v := p.value(p.cols.answers); v != nil {
		z.answers = p.joinSet(v)
	}
	if v := p.value(p.cols.ttls); v != nil {
		for t := range bytes.SplitSeq(v, []byte{p.setSep}) {
			ttl, ok := ttlSeconds(t)
			if !ok || ttl == record.NoTTL {
				return "bad TTLs"
			}
			z.ttl = minTTL(z.ttl, ttl)
		}
	}
	return ""
}

// value returns column i of the current row, or nil when the column is
// absent, unset or empty.
func (p *zeekTSVParser) value(i int) []byte {
	if i < 0 {
		return nil
	}
	v := p.fields[i]
	if len(v) == 0 || bytes.Equal(v, p.unset) || bytes.Equal(v, p.empty) {
		return nil
	}
	return v
}

// joinSet rewrites a set/vector value with ',' between elements.
func (p *zeekTSVParser) joinSet(v []byte) []byte {
	if p.setSep == ',' {
		return v
	}
	p.ans = append(p.ans[:0], v...)
	for i, c := range p.ans {
		if c == p.setSep {
			p.ans[i] = ','
		}
	}
	return p.ans
}

// detectZeekTSV accepts a Zeek TSV header that declares a dns log: "#path
// dns", or, without #path, #fields naming query and trans_id.
func detectZeekTSV(head []byte) bool {
	if !bytes.HasPrefix(head, []byte("#separator ")) {
		return false
	}
	p := newZeekTSV()
	sawPath := false
	for line := range headLines(head) {
		if len(line) == 0 || line[0] != '#' {
			break
		}
		p.header(line)
		if bytes.HasPrefix(line[1:], []byte("path")) {
			sawPath = true
		}
	}
	if p.notDNS != "" {
		return false
	}
	if sawPath {
		return true
	}
	return p.haveFields && p.cols.query >= 0 && p.cols.qtype >= 0
}

// zeekJSONParser reads Zeek's JSON lines. Most rows go through a small
// scanner that picks the few keys a record needs without allocating; a row
// it does not understand (escapes, unusual numbers) is decoded again with
// encoding/json, so oddities cost time, never correctness.
type zeekJSONParser struct {
	tp  timeParser
	ans []byte
	row zeekRow
	rec record.Record
}

func (p *zeekJSONParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	line = bytes.TrimSpace(line)
	if replay || len(line) == 0 {
		return
	}
	if !p.scan(line) {
		if reason := p.decode(line); reason != "" {
			out.Skip(no, off, reason)
			return
		}
	}
	p.row.emit(&p.rec, no, off, out)
}

func (p *zeekJSONParser) Flush(record.Output) {}

// scan is the fast path; false means "use encoding/json".
func (p *zeekJSONParser) scan(line []byte) bool {
	z := &p.row
	z.reset()
	p.ans = p.ans[:0]
	s := jsonScanner{b: line}
	if !s.byte('{') {
		return false
	}
	if s.peek() == '}' {
		s.i++
		return s.end()
	}
	for {
		key, ok := s.plainString()
		if !ok || !s.byte(':') {
			return false
		}
		switch string(key) {
		case "ts":
			if s.peek() == '"' {
				v, ok := s.plainString()
				if !ok {
					return false
				}
				if z.time, ok = p.tp.parse(v); !ok {
					return false
				}
			} else if z.time, ok = parseEpoch(s.number()); !ok {
				return false
			}
		case "id.orig_h", "id_orig_h":
			if z.client, ok = s.plainString(); !ok {
				return false
			}
		case "query":
			if z.query, ok = s.plainString(); !ok {
				return false
			}
			z.hasQuery = true
		case "qtype":
			if !z.setQType(s.number()) {
				return false
			}
		case "rcode":
			if !z.setRCode(s.number()) {
				return false
			}
		case "answers":
			if !p.scanAnswers(&s) {
				return false
			}
		case "TTLs":
			if !p.scanTTLs(&s) {
				return false
			}
		case "_path":
			if z.path, ok = s.plainString(); !ok {
				return false
			}
		default:
			if !s.skipValue() {
				return false
			}
		}
		switch s.next() {
		case ',':
		case '}':
			return s.end()
		default:
			return false
		}
	}
}

func (p *zeekJSONParser) scanAnswers(s *jsonScanner) bool {
	return s.array(func() bool {
		v, ok := s.plainString()
		if !ok {
			return false
		}
		if len(p.ans) > 0 {
			p.ans = append(p.ans, ',')
		}
		p.ans = append(p.ans, v...)
		p.row.answers = p.ans
		return true
	})
}

func (p *zeekJSONParser) scanTTLs(s *jsonScanner) bool {
	return s.array(func() bool {
		t, ok := ttlSeconds(s.number())
		if !ok || t == record.NoTTL {
			return false
		}
		p.row.ttl = minTTL(p.row.ttl, t)
		return true
	})
}

// zeekJSONRow is the slow path's view of a row.
type zeekJSONRow struct {
	TS      json.RawMessage `json:"ts"`
	Orig    *string         `json:"id.orig_h"`
	OrigU   *string         `json:"id_orig_h"`
	Query   *string         `json:"query"`
	QType   *float64        `json:"qtype"`
	RCode   *float64        `json:"rcode"`
	Answers []string        `json:"answers"`
	TTLs    []float64       `json:"TTLs"`
	Path    *string         `json:"_path"`
}

// decode is the slow path: encoding/json on a row the scanner declined.
func (p *zeekJSONParser) decode(line []byte) string {
	var v zeekJSONRow
	if err := json.Unmarshal(line, &v); err != nil {
		return "invalid JSON"
	}
	z := &p.row
	z.reset()
	var ts string
	var ok bool
	switch {
	case len(v.TS) == 0:
		return "no ts"
	case json.Unmarshal(v.TS, &ts) == nil:
		z.time, ok = p.tp.parse([]byte(ts))
	default:
		var f float64
		if json.Unmarshal(v.TS, &f) == nil && f >= 0 && f < 1e13 {
			z.time, ok = int64(math.Round(f*1e6)), true
		}
	}
	if !ok {
		return "bad ts"
	}
	if v.Orig == nil {
		v.Orig = v.OrigU
	}
	if v.Orig != nil {
		z.client = []byte(*v.Orig)
	}
	if v.Query != nil {
		z.query, z.hasQuery = []byte(*v.Query), true
	}
	if v.Path != nil {
		z.path = []byte(*v.Path)
	}
	if v.QType != nil {
		if *v.QType < 0 || *v.QType > math.MaxUint16 {
			return "bad qtype"
		}
		z.qtype = uint16(*v.QType)
	}
	if v.RCode != nil {
		if *v.RCode < 0 || *v.RCode > 0xfff {
			return "bad rcode"
		}
		z.rcode = int16(*v.RCode)
	}
	p.ans = p.ans[:0]
	for i, a := range v.Answers {
		if i > 0 {
			p.ans = append(p.ans, ',')
		}
		p.ans = append(p.ans, a...)
	}
	if len(p.ans) > 0 {
		z.answers = p.ans
	}
	for _, t := range v.TTLs {
		if t < 0 || t > math.MaxInt32 {
			return "bad TTLs"
		}
		z.ttl = minTTL(z.ttl, int32(t))
	}
	return ""
}

// jsonScanner walks one JSON object just far enough for the fast path. It
// never unescapes: a string with a backslash makes plainString fail.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jsonScanner) next() byte {
	c := s.peek()
	if c != 0 {
		s.i++
	}
	return c
}

func (s *jsonScanner) byte(c byte) bool { return s.next() == c }

// end reports whether nothing but blanks follows.
func (s *jsonScanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// plainString reads a string without escapes and returns its content.
func (s *jsonScanner) plainString() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	rest := s.b[s.i:]
	q := bytes.IndexByte(rest, '"')
	if q < 0 || bytes.IndexByte(rest[:q], '\\') >= 0 {
		return nil, false
	}
	s.i += q + 1
	return rest[:q], true
}

// number returns the raw text of a number (or of true, false, null) at
// the cursor; the caller checks what follows.
func (s *jsonScanner) number() []byte {
	s.ws()
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E') {
			break
		}
		s.i++
	}
	return s.b[start:s.i]
}

// array calls elem for each element of an array at the cursor.
func (s *jsonScanner) array(elem func() bool) bool {
	if !s.byte('[') {
		return false
	}
	if s.peek() == ']' {
		s.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch s.next() {
		case ',':
		case ']':
			return true
		default:
			return false
		}
	}
}

// skipValue steps over any value, nested ones included.
func (s *jsonScanner) skipValue() bool {
	depth := 0
	for {
		switch s.peek() {
		case 0:
			return false
		case '"':
			s.i++
			if !s.skipStringBody() {
				return false
			}
		case '{', '[':
			s.i++
			depth++
			continue
		case '}', ']':
			if depth == 0 {
				return false
			}
			s.i++
			depth--
		case ',', ':':
			if depth == 0 {
				return false
			}
			s.i++
			continue
		default:
			if len(s.number()) == 0 {
				return false
			}
		}
		if depth == 0 {
			return true
		}
	}
}

// skipStringBody steps past the closing quote of a string whose opening
// quote was consumed, honouring backslash escapes.
func (s *jsonScanner) skipStringBody() bool {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return true
		}
		s.i++
	}
	return false
}

// detectZeekJSON accepts JSON lines that look like Zeek dns rows: "_path"
// is "dns", or a row holds Zeek's connection keys with DNS-only ones.
func detectZeekJSON(head []byte) bool {
	if len(head) == 0 || head[0] != '{' {
		return false
	}
	seen := 0
	for line := range headLines(head) {
		if len(line) == 0 {
			continue
		}
		if line[0] != '{' {
			return false
		}
		var p zeekJSONParser
		if p.scan(line) && p.row.path != nil {
			return string(p.row.path) == "dns"
		}
		has := func(k string) bool { return bytes.Contains(line, []byte(`"`+k+`"`)) }
		if has("ts") && has("uid") && has("trans_id") && (has("query") || has("qtype") || has("qclass")) {
			return true
		}
		if seen++; seen == 10 {
			break
		}
	}
	return false
}
