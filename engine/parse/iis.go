package parse

import (
	"bytes"
	"strconv"

	"github.com/longtail/longtail/engine/record"
)

// IIS request logs: the W3C extended log files IIS writes by default,
// whose "#Fields:" header declares the columns (a restarted server starts
// a new header in the same file), and the events IIS sends to the
// Microsoft-IIS-Logging/Logs channel when logging goes to ETW, as exported
// to XML one event a line. Both name their fields the W3C way; IIS writes
// date and time in UTC.

func init() {
	register(45, Format{
		Name:   "iis-w3c",
		Kind:   record.KindHTTP,
		Detect: detectIISW3C,
		Lines:  func() LineParser { return newIISW3C() },
		Replay: true, // a resumed ingest needs the #Fields header again
	})
	register(46, Format{
		Name:   "iis-event-xml",
		Kind:   record.KindHTTP,
		Detect: detectIISEventXML,
		Lines:  func() LineParser { p := &iisEventParser{}; return rowLines{p.read, &p.rec} },
	})
}

// The fields a request needs, by slot.
const (
	iisDate = iota
	iisTime
	iisClient
	iisMethod
	iisStem
	iisQuery
	iisHost
	iisUserAgent
	iisReferer
	iisStatus
	iisBytes
	iisSlots
)

// iisSlot is the slot of a W3C field, under the name of the log file's
// header or of the ETW event, or -1.
func iisSlot(name []byte) int {
	switch string(name) {
	case "date":
		return iisDate
	case "time":
		return iisTime
	case "c-ip":
		return iisClient
	case "cs-method":
		return iisMethod
	case "cs-uri-stem":
		return iisStem
	case "cs-uri-query":
		return iisQuery
	case "cs-host":
		return iisHost
	case "cs(User-Agent)", "csUser-Agent":
		return iisUserAgent
	case "cs(Referer)", "csReferer":
		return iisReferer
	case "sc-status":
		return iisStatus
	case "sc-bytes":
		return iisBytes
	}
	return -1
}

// iisRequest turns the fields of one request into a record. A field
// absent or written "-" is unknown. The buffer holds the user agent with
// the '+' that IIS writes for each blank turned back into one.
type iisRequest struct {
	f   [iisSlots][]byte
	tp  timeParser
	ua  []byte
	rec record.Record
}

func (q *iisRequest) reset() { q.f = [iisSlots][]byte{} }

func (q *iisRequest) get(slot int) []byte { return dash(q.f[slot]) }

// parse fills q.rec from q.f, or says why the fields are not a request.
func (q *iisRequest) parse() string {
	r := &q.rec
	r.ResetHTTP()
	var stamp [48]byte
	date, clock := q.get(iisDate), q.get(iisTime)
	if len(date)+1+len(clock) > len(stamp) {
		return "bad date or time"
	}
	n := copy(stamp[:], date)
	stamp[n] = ' '
	n += 1 + copy(stamp[n+1:], clock)
	var ok bool
	if r.Time, ok = q.tp.parse(stamp[:n]); !ok {
		return "bad date or time"
	}
	r.Method = q.get(iisMethod)
	stem := q.get(iisStem)
	if len(r.Method) == 0 || len(stem) == 0 {
		return "no request"
	}
	r.Host, r.Path, r.Query = splitTarget(r.Method, stem)
	if v := q.get(iisQuery); v != nil {
		r.Query = v
	}
	if len(r.Host) == 0 {
		r.Host = q.get(iisHost)
	}
	r.Client, r.Referer = q.get(iisClient), q.get(iisReferer)
	if ua := q.get(iisUserAgent); bytes.IndexByte(ua, '+') >= 0 {
		q.ua = append(q.ua[:0], ua...)
		for i, c := range q.ua {
			if c == '+' {
				q.ua[i] = ' '
			}
		}
		r.UserAgent = q.ua
	} else {
		r.UserAgent = ua
	}
	if v := q.get(iisStatus); v != nil {
		st, ok := Atoi(v)
		if !ok || st > 999 {
			return "bad sc-status"
		}
		r.Status = int16(st)
	}
	if v := q.get(iisBytes); v != nil {
		if r.Bytes, ok = Atoi(v); !ok {
			return "bad sc-bytes"
		}
	}
	return ""
}

// iisW3CParser reads a W3C extended log, honouring each #Fields header.
type iisW3CParser struct {
	iisRequest
	rows       rowLines
	slotAt     []int // the slot of each declared column, -1 for those not needed
	haveFields bool
	notHTTP    string // why the rows under this header are not requests, if they are not
}

func newIISW3C() *iisW3CParser {
	p := &iisW3CParser{}
	p.rows = rowLines{p.row, &p.rec}
	return p
}

func (p *iisW3CParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if len(line) > 0 && line[0] == '#' {
		if v, ok := bytes.CutPrefix(line, []byte("#Fields:")); ok {
			p.fields(v)
		}
		return
	}
	if replay || len(bytes.TrimSpace(line)) == 0 {
		return
	}
	p.rows.Line(line, no, off, false, out)
}

func (p *iisW3CParser) Flush(record.Output) {}

// fields applies a #Fields header: space-separated W3C field names.
func (p *iisW3CParser) fields(v []byte) {
	p.slotAt, p.haveFields, p.notHTTP = p.slotAt[:0], true, ""
	var declared [iisSlots]bool
	for _, name := range bytes.Fields(v) {
		s := iisSlot(name)
		p.slotAt = append(p.slotAt, s)
		if s >= 0 {
			declared[s] = true
		}
	}
	// Columns after the last one needed are not read.
	for len(p.slotAt) > 0 && p.slotAt[len(p.slotAt)-1] < 0 {
		p.slotAt = p.slotAt[:len(p.slotAt)-1]
	}
	if !declared[iisDate] || !declared[iisTime] || !declared[iisMethod] || !declared[iisStem] {
		p.notHTTP = "no date, time, cs-method or cs-uri-stem in #Fields"
	}
}

// row reads a data row into p.rec, or says why it cannot.
func (p *iisW3CParser) row(line []byte) string {
	switch {
	case !p.haveFields:
		return "row before the #Fields header"
	case p.notHTTP != "":
		return p.notHTTP
	}
	p.reset()
	n, more := 0, true
	for ; n < len(p.slotAt) && more; n++ {
		var v []byte
		v, line, more = bytes.Cut(line, []byte(" "))
		if s := p.slotAt[n]; s >= 0 {
			p.f[s] = v
		}
	}
	if n < len(p.slotAt) {
		return strconv.Itoa(n) + " fields, want at least " + strconv.Itoa(len(p.slotAt))
	}
	return p.parse()
}

// detectIISW3C accepts a head whose header lines declare, in #Fields, the
// fields of a request.
func detectIISW3C(head []byte) bool {
	if !bytes.HasPrefix(head, []byte("#")) {
		return false
	}
	p := newIISW3C()
	for line := range headLines(head) {
		if len(line) == 0 || line[0] != '#' {
			break
		}
		p.Line(line, 0, 0, true, discard{})
	}
	return p.haveFields && p.notHTTP == ""
}

// iisEventParser reads an IIS logging event exported as XML, one event a
// line: <Data Name="cs-method">GET</Data> and so on. Values are unescaped
// into a buffer as long as the line, so that none moves while the line is
// read.
type iisEventParser struct {
	iisRequest
	buf []byte
}

var (
	iisProvider = []byte(`<Provider Name="Microsoft-Windows-IIS-Logging"`)
	xmlData     = []byte(`<Data Name="`)
	xmlDataEnd  = []byte(`</Data>`)
)

// read reads an event line into p.rec, or says why it cannot.
func (p *iisEventParser) read(line []byte) string {
	line = bytes.TrimSpace(line)
	if !bytes.HasPrefix(line, []byte("<Event")) || !bytes.Contains(line, iisProvider) {
		return "not an IIS logging event"
	}
	p.event(line)
	return p.parse()
}

// event collects the Data elements of an event line into p.f.
func (p *iisEventParser) event(line []byte) {
	p.reset()
	if cap(p.buf) < len(line) {
		p.buf = make([]byte, 0, len(line))
	}
	p.buf = p.buf[:0]
	for {
		i := bytes.Index(line, xmlData)
		if i < 0 {
			return
		}
		line = line[i+len(xmlData):]
		name, rest, ok := bytes.Cut(line, []byte(`"`))
		if !ok {
			return
		}
		line = rest
		if !bytes.HasPrefix(line, []byte(">")) {
			continue // <Data Name="x" />: empty
		}
		v, rest, ok := bytes.Cut(line[1:], xmlDataEnd)
		if !ok {
			return
		}
		line = rest
		if s := iisSlot(name); s >= 0 {
			start := len(p.buf)
			p.buf = appendXMLText(p.buf, v)
			p.f[s] = p.buf[start:]
		}
	}
}

// appendXMLText appends text with its character and entity references
// resolved; one it does not know is kept as written. It never appends
// more bytes than text holds.
func appendXMLText(dst, text []byte) []byte {
	for {
		amp := bytes.IndexByte(text, '&')
		if amp < 0 {
			return append(dst, text...)
		}
		dst = append(dst, text[:amp]...)
		text = text[amp:]
		// References are short: "&#x1F;" at the longest resolved here.
		if semi := bytes.IndexByte(text[:min(len(text), 8)], ';'); semi > 0 {
			if c, ok := xmlEntity(text[1:semi]); ok {
				dst = append(dst, c)
				text = text[semi+1:]
				continue
			}
		}
		dst = append(dst, '&')
		text = text[1:]
	}
}

// xmlEntity resolves the name of a reference (between '&' and ';') to the
// ASCII byte it stands for.
func xmlEntity(name []byte) (byte, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	var n uint64
	ok := false
	if v, isHex := bytes.CutPrefix(name, []byte("#x")); isHex {
		n, ok = Hex(v)
	} else if v, isDec := bytes.CutPrefix(name, []byte("#")); isDec {
		var d int64
		d, ok = Atoi(v)
		n = uint64(d)
	}
	return byte(n), ok && 0 < n && n < 0x80
}

// detectIISEventXML accepts a head whose first line is an IIS logging
// event: an export of other events is left to what names it.
func detectIISEventXML(head []byte) bool {
	for line := range headLines(head) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			return bytes.HasPrefix(line, []byte("<Event")) && bytes.Contains(line, iisProvider)
		}
	}
	return false
}
