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
// other formats. What every Zeek log shares (the TSV header, the JSON
// scanner, the time stamps) is here too, for those formats to use.

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
		Lines:  func() LineParser { return &zeekJSONLines{log: &zeekDNSJSON{}} },
	})
}

// zeekBase is what a row of any Zeek log gives its record: when and who.
// Byte slices point into the line or the parser's buffers.
type zeekBase struct {
	time   int64
	client []byte
	path   []byte // JSON "_path", when the row names its log
}

// other says why a row that names another log than log is not read, or "".
func (b *zeekBase) other(log string) string {
	if b.path != nil && string(b.path) != log {
		return "zeek " + string(b.path) + " row, not " + log
	}
	return ""
}

// zeekRow is what both Zeek forms extract from a dns row before it
// becomes a record.
type zeekRow struct {
	zeekBase
	query    []byte
	hasQuery bool // query present and not unset
	qtype    uint16
	rcode    int16
	answers  []byte // joined by ','
	ttl      int32
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
	if reason := z.other("dns"); reason != "" {
		out.Skip(no, off, reason)
		return
	}
	if !z.hasQuery {
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
	return zeekEpoch(b)
}

// zeekEpoch is parseEpoch within the years every parser keeps (inRange): a
// time in milliseconds was stored in the year 42751.
func zeekEpoch(b []byte) (int64, bool) {
	t, ok := parseEpoch(b)
	return t, ok && inRange(t)
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

// zeekTSV is what the readers of Zeek's TSV logs share: the header's
// separator, set separator, empty and unset markers and field order, and
// the split of a row into the columns of the fields a reader wants. A new
// #separator line starts a new header (concatenated logs); rows of a log
// with another #path are skipped.
type zeekTSV struct {
	path         string   // the #path read ("dns", "http")
	want         []string // the fields read, by slot
	need         []int    // the slots a log must declare to be read
	lacks        string   // the skip reason of rows whose #fields lack one
	sep, setSep  byte
	empty, unset []byte
	cols         []int // column of each slot, -1 when not declared
	last         int   // the highest of cols
	haveFields   bool
	notMine      string // why rows of this log are not events, if they are not
	fields       [][]byte
}

// newZeekTSVReader reads the log of #path path, the fields want by slot,
// and skips the rows of a header that lacks the slots need, saying lacks.
func newZeekTSVReader(path string, want []string, lacks string, need ...int) zeekTSV {
	h := zeekTSV{path: path, want: want, need: need, lacks: lacks, cols: make([]int, len(want))}
	h.resetHeader()
	return h
}

func (h *zeekTSV) resetHeader() {
	h.sep, h.setSep = '\t', ','
	h.empty, h.unset = append(h.empty[:0], "(empty)"...), append(h.unset[:0], '-')
	h.haveFields, h.notMine = false, ""
}

// dataRow applies a header line and reports whether line is a data row, split
// into h.fields, for the reader to read; a row that cannot be goes to
// out.Skip.
func (h *zeekTSV) dataRow(line []byte, no, off int64, replay bool, out record.Output) bool {
	if len(line) > 0 && line[0] == '#' {
		h.header(line)
		return false
	}
	if replay || len(line) == 0 {
		return false
	}
	reason := h.notMine
	switch {
	case !h.haveFields:
		reason = "row before the #fields header"
	case reason == "":
		reason = h.split(line)
	}
	if reason != "" {
		out.Skip(no, off, reason)
		return false
	}
	return true
}

// header applies one '#' line.
func (h *zeekTSV) header(line []byte) {
	if v, ok := bytes.CutPrefix(line, []byte("#separator ")); ok {
		h.resetHeader()
		h.sep = zeekSepByte(v, '\t')
		return
	}
	key, val, _ := bytes.Cut(line[1:], []byte{h.sep})
	switch string(key) {
	case "set_separator":
		h.setSep = zeekSepByte(val, ',')
	case "empty_field":
		h.empty = append(h.empty[:0], val...)
	case "unset_field":
		h.unset = append(h.unset[:0], val...)
	case "path":
		if string(val) != h.path {
			h.notMine = "zeek " + string(val) + " log, not " + h.path
		}
	case "fields":
		h.fieldsHeader(val)
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

func (h *zeekTSV) fieldsHeader(val []byte) {
	for s := range h.cols {
		h.cols[s] = -1
	}
	h.last = 0
	for i := 0; len(val) > 0; i++ {
		name, rest, _ := bytes.Cut(val, []byte{h.sep})
		val = rest
		for s, w := range h.want {
			if string(name) == w {
				h.cols[s] = i
				h.last = max(h.last, i)
			}
		}
	}
	h.haveFields = true
	for _, s := range h.need {
		if h.cols[s] < 0 && h.notMine == "" {
			h.notMine = h.lacks
		}
	}
}

// split cuts a data row into h.fields, as far as the last column wanted,
// or says why it cannot.
func (h *zeekTSV) split(line []byte) string {
	f := h.fields[:0]
	for len(f) <= h.last {
		i := bytes.IndexByte(line, h.sep)
		if i < 0 {
			f = append(f, line)
			break
		}
		f = append(f, line[:i])
		line = line[i+1:]
	}
	h.fields = f
	if len(f) <= h.last {
		return strconv.Itoa(len(f)) + " fields, want at least " + strconv.Itoa(h.last+1)
	}
	return ""
}

// col is the column of slot s as written; s must be a needed slot.
func (h *zeekTSV) col(s int) []byte { return h.fields[h.cols[s]] }

// value returns the column of slot s of the current row, or nil when the
// column is absent, unset or empty.
func (h *zeekTSV) value(s int) []byte {
	i := h.cols[s]
	if i < 0 {
		return nil
	}
	v := h.fields[i]
	if len(v) == 0 || bytes.Equal(v, h.unset) || bytes.Equal(v, h.empty) {
		return nil
	}
	return v
}

// ts reads the time stamp in the column of slot s into b.
func (h *zeekTSV) ts(s int, tp *timeParser, b *zeekBase) bool {
	var ok bool
	b.time, ok = zeekTime(tp, h.col(s))
	return ok
}

// detect reports whether the header lines at the start of head declare a
// log this reader reads: its #path, or without one, #fields that hold the
// hint slots.
func (h *zeekTSV) detect(head []byte, hint ...int) bool {
	if !bytes.HasPrefix(head, []byte("#separator ")) {
		return false
	}
	sawPath := false
	for line := range headLines(head) {
		if len(line) == 0 || line[0] != '#' {
			break
		}
		h.header(line)
		if bytes.HasPrefix(line[1:], []byte("path")) {
			sawPath = true
		}
	}
	switch {
	case h.notMine != "":
		return false
	case sawPath:
		return true
	case !h.haveFields:
		return false
	}
	for _, s := range hint {
		if h.cols[s] < 0 {
			return false
		}
	}
	return true
}

// The fields of a dns row, by slot.
var zeekDNSFields = []string{"ts", "id.orig_h", "query", "qtype", "rcode", "answers", "TTLs"}

const (
	dnsTS = iota
	dnsClient
	dnsQuery
	dnsQType
	dnsRCode
	dnsAnswers
	dnsTTLs
)

// zeekRowEmitter is a row of a Zeek log once read.
type zeekRowEmitter interface {
	// emit turns the row into a record, or says why it is not an event.
	emit(rec *record.Record, no, off int64, out record.Output)
}

// zeekTSVLines is the LineParser of a Zeek TSV log: the header and the
// split that every log shares, then the log's own reading of a row.
type zeekTSVLines struct {
	zeekTSV
	log zeekTSVLog
	rec record.Record
}

// zeekTSVLog reads the rows of one Zeek log as zeekTSV splits them.
type zeekTSVLog interface {
	// parse reads the row h holds, or says why it cannot.
	parse(h *zeekTSV) string
	zeekRowEmitter
}

func (p *zeekTSVLines) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if !p.dataRow(line, no, off, replay, out) {
		return
	}
	if reason := p.log.parse(&p.zeekTSV); reason != "" {
		out.Skip(no, off, reason)
		return
	}
	p.log.emit(&p.rec, no, off, out)
}

func (p *zeekTSVLines) Flush(record.Output) {}

// zeekDNSTSV reads the rows of Zeek's dns.log in TSV.
type zeekDNSTSV struct {
	zeekRow
	ans []byte
	tp  timeParser
}

func newZeekTSV() *zeekTSVLines {
	return &zeekTSVLines{zeekTSV: newZeekTSVReader("dns", zeekDNSFields, "no ts or query in #fields, not a dns log", dnsTS, dnsQuery), log: &zeekDNSTSV{}}
}

func (p *zeekDNSTSV) parse(h *zeekTSV) string {
	z := &p.zeekRow
	z.reset()
	if !h.ts(dnsTS, &p.tp, &z.zeekBase) {
		return "bad ts"
	}
	if q := h.col(dnsQuery); !bytes.Equal(q, h.unset) {
		z.hasQuery = true
		if !bytes.Equal(q, h.empty) {
			z.query = q
		}
	}
	if v := h.value(dnsClient); v != nil {
		z.client = v
	}
	if v := h.value(dnsQType); v != nil && !z.setQType(v) {
		return "bad qtype"
	}
	if v := h.value(dnsRCode); v != nil && !z.setRCode(v) {
		return "bad rcode"
	}
	if v := h.value(dnsAnswers); v != nil {
		z.answers = p.joinSet(h.setSep, v)
	}
	if v := h.value(dnsTTLs); v != nil {
		for t := range bytes.SplitSeq(v, []byte{h.setSep}) {
			ttl, ok := ttlSeconds(t)
			if !ok || ttl == record.NoTTL {
				return "bad TTLs"
			}
			z.ttl = minTTL(z.ttl, ttl)
		}
	}
	return ""
}

// joinSet rewrites a set/vector value with ',' between elements.
func (p *zeekDNSTSV) joinSet(setSep byte, v []byte) []byte {
	if setSep == ',' {
		return v
	}
	p.ans = append(p.ans[:0], v...)
	for i, c := range p.ans {
		if c == setSep {
			p.ans[i] = ','
		}
	}
	return p.ans
}

// detectZeekTSV accepts a Zeek TSV header that declares a dns log: "#path
// dns", or, without #path, #fields naming query and qtype.
func detectZeekTSV(head []byte) bool {
	p := newZeekTSV()
	return p.detect(head, dnsQuery, dnsQType)
}

// zeekJSONLines is the LineParser of a Zeek log in JSON lines. Most rows
// go through a small scanner that picks the few keys a record needs
// without allocating; a row it does not understand (escapes, unusual
// numbers) is decoded again with encoding/json, so oddities cost time,
// never correctness.
type zeekJSONLines struct {
	log zeekJSONLog
	rec record.Record
}

// zeekJSONLog reads the rows of one Zeek log.
type zeekJSONLog interface {
	// scan is the fast path; false means "use encoding/json".
	scan(line []byte) bool
	// decode is the slow path, or why the row cannot be read.
	decode(line []byte) string
	zeekRowEmitter
}

func (p *zeekJSONLines) Line(line []byte, no, off int64, replay bool, out record.Output) {
	line = bytes.TrimSpace(line)
	if replay || len(line) == 0 {
		return
	}
	if !p.log.scan(line) {
		if reason := p.log.decode(line); reason != "" {
			out.Skip(no, off, reason)
			return
		}
	}
	p.log.emit(&p.rec, no, off, out)
}

func (p *zeekJSONLines) Flush(record.Output) {}

// scanKey reads the value of a key every Zeek row may have (ts,
// id.orig_h, _path) into b; known is false for other keys, ok is false
// when the fast path declines the value.
func (b *zeekBase) scanKey(s *jsonScanner, tp *timeParser, key []byte) (known, ok bool) {
	switch string(key) {
	case "ts":
		if s.peek() != '"' {
			b.time, ok = zeekEpoch(s.number())
			return true, ok
		}
		var v []byte
		if v, ok = s.plainString(); ok {
			b.time, ok = tp.parse(v)
		}
		return true, ok
	case "id.orig_h", "id_orig_h":
		b.client, ok = s.plainString()
		return true, ok
	case "_path":
		b.path, ok = s.plainString()
		return true, ok
	}
	return false, true
}

// zeekJSONBaseRow is the slow path's view of the keys every row may have.
type zeekJSONBaseRow struct {
	TS    json.RawMessage `json:"ts"`
	Orig  *string         `json:"id.orig_h"`
	OrigU *string         `json:"id_orig_h"`
	Path  *string         `json:"_path"`
}

// base fills b from v, or says why it cannot.
func (v *zeekJSONBaseRow) base(tp *timeParser, b *zeekBase) string {
	var ts string
	var ok bool
	switch {
	case len(v.TS) == 0:
		return "no ts"
	case json.Unmarshal(v.TS, &ts) == nil:
		b.time, ok = tp.parse([]byte(ts))
	default:
		var f float64
		if json.Unmarshal(v.TS, &f) == nil && f >= 0 && f < 1e13 {
			b.time = int64(math.Round(f * 1e6))
			ok = inRange(b.time)
		}
	}
	if !ok {
		return "bad ts"
	}
	if v.Orig == nil {
		v.Orig = v.OrigU
	}
	if v.Orig != nil {
		b.client = []byte(*v.Orig)
	}
	if v.Path != nil {
		b.path = []byte(*v.Path)
	}
	return ""
}

// zeekDNSJSON reads the rows of Zeek's dns.log as JSON lines.
type zeekDNSJSON struct {
	zeekRow
	tp  timeParser
	ans []byte
}

func (p *zeekDNSJSON) scan(line []byte) bool {
	z := &p.zeekRow
	z.reset()
	p.ans = p.ans[:0]
	s := jsonScanner{b: line}
	return s.object(func(key []byte) bool {
		if known, ok := z.scanKey(&s, &p.tp, key); known {
			return ok
		}
		switch string(key) {
		case "query":
			var ok bool
			z.query, ok = s.plainString()
			z.hasQuery = true
			return ok
		case "qtype":
			return z.setQType(s.number())
		case "rcode":
			return z.setRCode(s.number())
		case "answers":
			return p.scanAnswers(&s)
		case "TTLs":
			return p.scanTTLs(&s)
		}
		return s.skipValue()
	})
}

func (p *zeekDNSJSON) scanAnswers(s *jsonScanner) bool {
	return s.array(func() bool {
		v, ok := s.plainString()
		if !ok {
			return false
		}
		if len(p.ans) > 0 {
			p.ans = append(p.ans, ',')
		}
		p.ans = append(p.ans, v...)
		p.answers = p.ans
		return true
	})
}

func (p *zeekDNSJSON) scanTTLs(s *jsonScanner) bool {
	return s.array(func() bool {
		t, ok := ttlSeconds(s.number())
		if !ok || t == record.NoTTL {
			return false
		}
		p.ttl = minTTL(p.ttl, t)
		return true
	})
}

// zeekJSONDNSRow is the slow path's view of a dns row.
type zeekJSONDNSRow struct {
	zeekJSONBaseRow
	Query   *string   `json:"query"`
	QType   *float64  `json:"qtype"`
	RCode   *float64  `json:"rcode"`
	Answers []string  `json:"answers"`
	TTLs    []float64 `json:"TTLs"`
}

func (p *zeekDNSJSON) decode(line []byte) string {
	var v zeekJSONDNSRow
	if err := json.Unmarshal(line, &v); err != nil {
		return "invalid JSON"
	}
	z := &p.zeekRow
	z.reset()
	if reason := v.base(&p.tp, &z.zeekBase); reason != "" {
		return reason
	}
	if v.Query != nil {
		z.query, z.hasQuery = []byte(*v.Query), true
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

// object calls field for the key of each member of an object at the
// cursor; field consumes the value. It reports whether the object is well
// formed, every field said yes and nothing but blanks follows it.
func (s *jsonScanner) object(field func(key []byte) bool) bool {
	return s.byte('{') && s.members(field) && s.end()
}

// members is object's walk of the members of an object whose '{' was
// consumed, up to and with its '}': an object nested in a value.
func (s *jsonScanner) members(field func(key []byte) bool) bool {
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		key, ok := s.plainString()
		if !ok || !s.byte(':') || !field(key) {
			return false
		}
		switch s.next() {
		case ',':
		case '}':
			return true
		default:
			return false
		}
	}
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
	return detectZeekJSONLog(head, "dns", func(has func(string) bool) bool {
		return has("ts") && has("uid") && has("trans_id") && (has("query") || has("qtype") || has("qclass"))
	})
}

// detectZeekJSONLog accepts JSON lines of Zeek's log: the first row that
// names its log ("_path") names this one, or, among the first ten rows
// that do not, one whose keys are this log's (keys asks has about them).
func detectZeekJSONLog(head []byte, log string, keys func(has func(key string) bool) bool) bool {
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
		if path, ok := zeekJSONPath(line); ok && path != nil {
			return string(path) == log
		}
		if keys(func(k string) bool { return bytes.Contains(line, []byte(`"`+k+`"`)) }) {
			return true
		}
		if seen++; seen == 10 {
			break
		}
	}
	return false
}

// zeekJSONPath returns the "_path" of a row (nil when it has none), ok
// false when the fast scanner cannot read the row.
func zeekJSONPath(line []byte) (path []byte, ok bool) {
	s := jsonScanner{b: line}
	ok = s.object(func(key []byte) bool {
		if string(key) != "_path" {
			return s.skipValue()
		}
		var ok bool
		path, ok = s.plainString()
		return ok
	})
	return path, ok
}
