package parse

import (
	"bytes"
	"math"
	"strconv"

	"github.com/longtail/longtail/engine/record"
)

// CSV exports of DNS resolvers: OpenDNS's five-field form and Cisco
// Umbrella's quoted DNS log. The quoted-field splitter and the date parser
// here are shared with the Windows SIEM export and Zeek.

func init() {
	register(60, Format{
		Name:   "opendns-csv",
		Detect: detectOpenDNS,
		Lines:  func() LineParser { p := &openDNSParser{}; return rowLines{p.parse, &p.rec} },
	})
	register(40, Format{
		Name:   "umbrella-csv",
		Detect: detectUmbrella,
		Lines:  func() LineParser { p := &umbrellaParser{}; return rowLines{p.parse, &p.rec} },
	})
}

// rowLines is the LineParser of a CSV format, where each line is one
// record on its own: parse fills rec from a line or says why it cannot.
type rowLines struct {
	parse func(line []byte) string
	rec   *record.Record
}

func (l rowLines) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if replay || len(line) == 0 {
		return
	}
	if reason := l.parse(line); reason != "" {
		out.Skip(no, off, reason)
		return
	}
	l.rec.Line, l.rec.Offset = no, off
	out.Record(l.rec)
}

func (rowLines) Flush(record.Output) {}

// timeParser parses "YYYY-MM-DD HH:MM:SS" and "MM/DD/YYYY HH:MM:SS", with
// an optional 'T' separator, fraction of a second and zone ("Z", "+01:00",
// "-0500"). A time without a zone is taken as UTC: the sources do not say
// and the analyst's machine's zone is no better a guess. It remembers the
// last date-to-minute prefix, because consecutive log lines almost always
// share it and the calendar arithmetic is the costly part.
type timeParser struct {
	key  [16]byte
	base int64 // unix microseconds of key's minute
	ok   bool
}

func (p *timeParser) parse(b []byte) (int64, bool) {
	if len(b) < 19 || b[16] != ':' {
		return 0, false
	}
	if !p.ok || string(b[:16]) != string(p.key[:]) {
		base, ok := minuteOf(b[:16])
		if !ok {
			return 0, false
		}
		copy(p.key[:], b[:16])
		p.base, p.ok = base, true
	}
	sec, ok := digits2(b[17:19])
	if !ok || sec > 60 {
		return 0, false
	}
	t := p.base + sec*1_000_000
	rest := b[19:]
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		var us int64
		n := 1
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			if n <= 6 {
				us = us*10 + int64(rest[n]-'0')
			}
			n++
		}
		if n == 1 {
			return 0, false
		}
		for i := n; i <= 6; i++ {
			us *= 10
		}
		t += us
		rest = rest[n:]
	}
	off, ok := zoneOffset(rest)
	// A zone may carry the first or the last minutes out of range.
	return t - off, ok && inRange(t-off)
}

// minuteOf parses "YYYY-MM-DD HH:MM" or "MM/DD/YYYY HH:MM" (either with 'T'
// in place of the space).
func minuteOf(b []byte) (int64, bool) {
	var y, mo, d int64
	var ok1, ok2, ok3 bool
	switch {
	case b[4] == '-' && b[7] == '-':
		y, ok1 = Atoi(b[0:4])
		mo, ok2 = digits2(b[5:7])
		d, ok3 = digits2(b[8:10])
	case b[2] == '/' && b[5] == '/':
		mo, ok1 = digits2(b[0:2])
		d, ok2 = digits2(b[3:5])
		y, ok3 = Atoi(b[6:10])
	default:
		return 0, false
	}
	if !ok1 || !ok2 || !ok3 || (b[10] != ' ' && b[10] != 'T') || b[13] != ':' {
		return 0, false
	}
	h, ok1 := digits2(b[11:13])
	mi, ok2 := digits2(b[14:16])
	if !ok1 || !ok2 {
		return 0, false
	}
	return UnixMicro(y, mo, d, h, mi, 0)
}

// zoneOffset parses what may follow the seconds: nothing, "Z", or a
// numeric offset, returning the offset in microseconds.
func zoneOffset(b []byte) (int64, bool) {
	switch {
	case len(b) == 0:
		return 0, true
	case len(b) == 1 && (b[0] == 'Z' || b[0] == 'z'):
		return 0, true
	case b[0] != '+' && b[0] != '-':
		return 0, false
	}
	var h, m int64
	var ok1, ok2 bool
	switch len(b) {
	case 6: // +01:00
		h, ok1 = digits2(b[1:3])
		m, ok2 = digits2(b[4:6])
		ok2 = ok2 && b[3] == ':'
	case 5: // +0100
		h, ok1 = digits2(b[1:3])
		m, ok2 = digits2(b[3:5])
	default:
		return 0, false
	}
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	off := (h*60 + m) * 60 * 1_000_000
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// digits2 parses exactly two decimal digits.
func digits2(b []byte) (int64, bool) {
	a, c := b[0]-'0', b[1]-'0'
	if a > 9 || c > 9 {
		return 0, false
	}
	return int64(a)*10 + int64(c), true
}

// parseTTL parses a TTL in whole seconds; empty means the source does not
// say. Values beyond int32 are not TTLs (RFC 2181 caps them at 2^31-1).
func parseTTL(b []byte) (int32, bool) {
	if len(b) == 0 {
		return record.NoTTL, true
	}
	n, ok := Atoi(b)
	if !ok || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}

// qtypeOf reads a type given as a mnemonic or as a number.
func qtypeOf(b []byte) uint16 {
	if n, ok := Atoi(b); ok && n <= math.MaxUint16 {
		return uint16(n)
	}
	return QTypeByName(b)
}

// openDNSParser reads "08/25/2016 17:20:00,s1.mohito.com,A,360,78.24.161.76":
// time, name, type, TTL, answer. This is the bulk format of the benchmark,
// so it splits with IndexByte and parses numbers by hand: no allocation per
// line.
type openDNSParser struct {
	tp  timeParser
	rec record.Record
}

// parse fills p.rec from line or says why it cannot.
func (p *openDNSParser) parse(line []byte) string {
	var f [5][]byte
	rest := line
	for i := range 4 {
		c := bytes.IndexByte(rest, ',')
		if c < 0 {
			return strconv.Itoa(i+1) + " fields, want 5"
		}
		f[i], rest = rest[:c], rest[c+1:]
	}
	if bytes.IndexByte(rest, ',') >= 0 {
		return strconv.Itoa(5+bytes.Count(rest, []byte{','})) + " fields, want 5"
	}
	f[4] = rest
	r := &p.rec
	r.Reset()
	var ok bool
	if r.Time, ok = p.tp.parse(f[0]); !ok {
		return "bad time"
	}
	if len(f[1]) == 0 {
		return "empty name"
	}
	r.Name = f[1]
	if r.QType = qtypeOf(f[2]); r.QType == 0 && len(f[2]) > 0 {
		return "unknown query type"
	}
	if r.TTL, ok = parseTTL(f[3]); !ok {
		return "bad TTL"
	}
	r.Answers = f[4]
	if len(r.Answers) > 0 {
		// The form has no response code, but an answer can only come
		// with NOERROR.
		r.RCode = 0
	}
	return ""
}

// detectOpenDNS accepts a head whose first lines (up to five) all parse as
// the five-field form with a known query type.
func detectOpenDNS(head []byte) bool {
	var p openDNSParser
	seen := 0
	for line := range headLines(head) {
		if len(line) == 0 {
			continue
		}
		if p.parse(line) != "" || p.rec.QType == 0 {
			return false
		}
		if seen++; seen == 5 {
			break
		}
	}
	return seen > 0
}

// headLines yields the lines of a detection head without their
// terminators. A head shorter than HeadSize is the whole stream, so its
// last line counts even without a newline; in a full head it may be cut
// and is left out.
func headLines(head []byte) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		whole := len(head) < HeadSize
		for len(head) > 0 {
			nl := bytes.IndexByte(head, '\n')
			if nl < 0 {
				if whole {
					yield(bytes.TrimRight(head, "\r"))
				}
				return
			}
			if !yield(bytes.TrimRight(head[:nl], "\r")) {
				return
			}
			head = head[nl+1:]
		}
	}
}

// csvSplitter splits a CSV line into fields, following RFC 4180 quoting
// ("a,b" is one field, "" inside quotes is a quote) and tolerating blanks
// around a quoted field, which some exporters write after the comma. A
// field holding "" is unescaped into buf; other fields point into the line.
// The zero value splits on commas with double quotes, as the built-in
// formats need; a custom format sets its own delimiter and quote, or none.
type csvSplitter struct {
	sep    byte // 0 is ','
	quote  byte // 0 is '"'
	plain  bool // no quoting at all (TSV): split on sep only
	fields [][]byte
	buf    []byte
}

// split returns the fields of line, valid until the next call, or ok=false
// when a quote is not closed or is followed by something other than the
// delimiter.
func (s *csvSplitter) split(line []byte) (fields [][]byte, ok bool) {
	s.fields = s.fields[:0]
	sep, quote := s.sep, s.quote
	if sep == 0 {
		sep = ','
	}
	if quote == 0 {
		quote = '"'
	}
	if s.plain {
		for {
			c := bytes.IndexByte(line, sep)
			if c < 0 {
				return append(s.fields, line), true
			}
			s.fields = append(s.fields, line[:c])
			line = line[c+1:]
		}
	}
	if cap(s.buf) < len(line) {
		// Unescaped text is never longer than the line, so buf never
		// grows (and moves) while fields point into it.
		s.buf = make([]byte, 0, len(line))
	}
	s.buf = s.buf[:0]
	for {
		i := 0
		for i < len(line) && line[i] != sep && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) || line[i] != quote {
			c := bytes.IndexByte(line, sep)
			if c < 0 {
				s.fields = append(s.fields, line)
				return s.fields, true
			}
			s.fields = append(s.fields, line[:c])
			line = line[c+1:]
			continue
		}
		field, rest, ok := s.quoted(line[i+1:], quote)
		if !ok {
			return nil, false
		}
		s.fields = append(s.fields, field)
		for len(rest) > 0 && rest[0] != sep && (rest[0] == ' ' || rest[0] == '\t') {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			return s.fields, true
		}
		if rest[0] != sep {
			return nil, false
		}
		line = rest[1:]
	}
}

// quoted reads a quoted field's content from b (just after the opening
// quote) and returns it with what follows the closing quote.
func (s *csvSplitter) quoted(b []byte, quote byte) (field, rest []byte, ok bool) {
	q := bytes.IndexByte(b, quote)
	if q < 0 {
		return nil, nil, false
	}
	if q+1 >= len(b) || b[q+1] != quote {
		return b[:q], b[q+1:], true
	}
	start := len(s.buf)
	for {
		q = bytes.IndexByte(b, quote)
		if q < 0 {
			return nil, nil, false
		}
		s.buf = append(s.buf, b[:q]...)
		if q+1 < len(b) && b[q+1] == quote {
			s.buf = append(s.buf, quote)
			b = b[q+2:]
			continue
		}
		return s.buf[start:], b[q+1:], true
	}
}

// Umbrella DNS log columns (the export has 10 to 13 of them; later columns
// vary by version and are not needed).
const (
	umbTime     = 0
	umbInternal = 3
	umbQType    = 6
	umbRCode    = 7
	umbDomain   = 8
	umbMinCols  = 9
)

// umbrellaParser reads Cisco Umbrella's DNS log export:
// "timestamp","most granular identity","identities","internal ip",
// "external ip","action","query type","response code","domain.",...
type umbrellaParser struct {
	tp  timeParser
	csv csvSplitter
	rec record.Record
}

func (p *umbrellaParser) parse(line []byte) string {
	f, ok := p.csv.split(line)
	if !ok {
		return "unbalanced quotes"
	}
	if len(f) < umbMinCols {
		return strconv.Itoa(len(f)) + " fields, want at least 9"
	}
	r := &p.rec
	r.Reset()
	if r.Time, ok = p.tp.parse(f[umbTime]); !ok {
		return "bad time"
	}
	if len(f[umbDomain]) == 0 {
		return "empty domain"
	}
	r.Name = f[umbDomain]
	r.Client = f[umbInternal]
	if r.QType, ok = qtypeText(f[umbQType]); !ok {
		return "bad query type"
	}
	if rc := f[umbRCode]; len(rc) > 0 {
		if r.RCode = RCodeByName(rc); r.RCode == record.NoRCode {
			return "unknown response code"
		}
	}
	return ""
}

// qtypeText reads "1 (A)", "28 (AAAA)" (Umbrella), or a bare number or
// mnemonic.
func qtypeText(b []byte) (uint16, bool) {
	if sp := bytes.IndexByte(b, ' '); sp >= 0 {
		b = b[:sp]
	}
	if len(b) == 0 {
		return 0, true
	}
	t := qtypeOf(b)
	return t, t != 0
}

// detectUmbrella accepts a head whose first line is a fully quoted Umbrella
// row: a timestamp, a "N (TYPE)" query type and a domain.
func detectUmbrella(head []byte) bool {
	for line := range headLines(head) {
		if len(line) == 0 || line[0] != '"' {
			return false
		}
		var p umbrellaParser
		if p.parse(line) != "" {
			return false
		}
		f, _ := p.csv.split(line)
		qt := f[umbQType]
		return bytes.IndexByte(qt, '(') > 0 && qt[len(qt)-1] == ')'
	}
	return false
}
