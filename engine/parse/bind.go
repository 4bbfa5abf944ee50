package parse

import (
	"bytes"
	"time"

	"github.com/longtail/longtail/engine/record"
)

// bind-query is the query log of BIND 9 (the "queries" category) and the
// denials it logs for clients (query and zone transfer refused), plain or
// through syslog:
//
//	19-Oct-2022 05:34:02.425 queries: info: client @0x7f65100ee4d8 192.168.1.1#3076 (example.com): query: example.com IN A +E(0)K (10.0.0.1)
//	Nov 13 10:59:46 keira named[2075772]: 19-Oct-2022 05:34:02.425 client 104.219.136.31#3076 (example.com): query (cache) 'example.com/ANY/IN' denied
//
// BIND's own timestamp wins over the syslog one; a classic syslog stamp
// alone gets its year from syslogClock; a line with neither has Time 0 (unknown). A
// query line carries no response: RCode is NoRCode. A denial is still a
// query, with RCode REFUSED; "bad zone transfer request ... (NOTAUTH)" is
// one with the rcode in its parentheses. Every other named message
// (including query-errors, which repeat a logged query) is skipped as "not
// a query" and never makes the file fail.

func init() {
	register(40, Format{
		Name:   "bind-query",
		Detect: detectBind,
		Lines:  func() LineParser { return &bindParser{syslogClock: syslogClock{now: time.Now}} },
	})
}

func detectBind(head []byte) bool {
	found := false
	forCompleteLines(head, 200, func(line []byte) bool {
		var ev bindEvent
		found = ev.parse(line)
		return !found
	})
	return found
}

// bindEvent is what one line says.
type bindEvent struct {
	bindTime               int64 // BIND's own stamp, when hasBindTime
	hasBindTime, hasSyslog bool
	sys                    sysStamp // when hasSyslog
	client, name           []byte
	qtype                  uint16
	rcode                  int16
}

// parse reads a line into ev and reports whether it is a query event.
func (ev *bindEvent) parse(line []byte) bool {
	rest := line
	if s, r, ok := syslogStamp(rest); ok {
		// "HOST named[PID]: " follows the syslog stamp.
		i := bytes.Index(r, []byte(": "))
		if i < 0 {
			return false
		}
		ev.hasSyslog, ev.sys = true, s
		rest = r[i+2:]
	}
	if t, r, ok := bindStamp(rest); ok {
		ev.hasBindTime, ev.bindTime, rest = true, t, r
	}
	// Category and severity: "queries: info: ", "security: error: ".
	for range 3 {
		i := bytes.Index(rest, []byte(": "))
		if i <= 0 || !isLowerWord(rest[:i]) {
			break
		}
		rest = rest[i+2:]
	}
	if !bytes.HasPrefix(rest, []byte("client ")) {
		return false
	}
	rest = rest[7:]
	if bytes.HasPrefix(rest, []byte("@0x")) {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return false
		}
		rest = rest[sp+1:]
	}
	// "ADDR#PORT (NAME): ", "ADDR#PORT: " in BIND before 9.10.
	hash := bytes.IndexByte(rest, '#')
	if hash <= 0 || bytes.IndexByte(rest[:hash], ' ') >= 0 {
		return false
	}
	ev.client = rest[:hash]
	rest = rest[hash+1:]
	i := bytes.Index(rest, []byte(": "))
	if i < 0 {
		return false
	}
	rest = rest[i+2:]
	if bytes.HasPrefix(rest, []byte("view ")) {
		if i := bytes.Index(rest, []byte(": ")); i >= 0 {
			rest = rest[i+2:]
		}
	}
	switch {
	case bytes.HasPrefix(rest, []byte("query: ")):
		return ev.query(rest[7:])
	case bytes.HasPrefix(rest, []byte("query (cache) '")),
		bytes.HasPrefix(rest, []byte("query '")),
		bytes.HasPrefix(rest, []byte("zone transfer '")):
		return ev.denied(rest)
	case bytes.HasPrefix(rest, []byte("bad zone transfer request: '")):
		return ev.badTransfer(rest)
	}
	return false
}

// query reads "NAME CLASS TYPE FLAGS (SERVER)".
func (ev *bindEvent) query(b []byte) bool {
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 {
		return false
	}
	ev.name, b = b[:sp], b[sp+1:]
	sp = bytes.IndexByte(b, ' ') // the class
	if sp < 0 {
		return false
	}
	b = b[sp+1:]
	if sp = bytes.IndexByte(b, ' '); sp >= 0 {
		b = b[:sp]
	}
	ev.qtype, ev.rcode = QTypeByName(b), record.NoRCode
	return true
}

// denied reads "... 'NAME/TYPE/CLASS' denied".
func (ev *bindEvent) denied(b []byte) bool {
	quoted, ok := quotedPart(b)
	if !ok || !bytes.Contains(b, []byte("' denied")) {
		return false
	}
	c := bytes.LastIndexByte(quoted, '/')
	if c <= 0 {
		return false
	}
	t := bytes.LastIndexByte(quoted[:c], '/')
	if t <= 0 {
		return false
	}
	ev.name, ev.qtype, ev.rcode = quoted[:t], QTypeByName(quoted[t+1:c]), 5
	return true
}

// badTransfer reads "bad zone transfer request: 'NAME/CLASS': why (RCODE)";
// it does not say whether AXFR or IXFR was asked: QType 0.
func (ev *bindEvent) badTransfer(b []byte) bool {
	quoted, ok := quotedPart(b)
	c := bytes.LastIndexByte(quoted, '/')
	if !ok || c <= 0 {
		return false
	}
	ev.name, ev.qtype, ev.rcode = quoted[:c], 0, record.NoRCode
	if o := bytes.LastIndexByte(b, '('); o >= 0 && b[len(b)-1] == ')' {
		ev.rcode = RCodeByName(b[o+1 : len(b)-1])
	}
	return true
}

// quotedPart returns the text between the first two single quotes.
func quotedPart(b []byte) ([]byte, bool) {
	o := bytes.IndexByte(b, '\'')
	if o < 0 {
		return nil, false
	}
	e := bytes.IndexByte(b[o+1:], '\'')
	if e < 0 {
		return nil, false
	}
	return b[o+1 : o+1+e], true
}

func isLowerWord(b []byte) bool {
	if len(b) > 16 {
		return false
	}
	for _, c := range b {
		if (c < 'a' || c > 'z') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// bindStamp parses BIND's "19-Oct-2022 05:34:02.425 " (local time without
// zone, taken as UTC).
func bindStamp(b []byte) (int64, []byte, bool) {
	if len(b) < 21 || b[2] != '-' || b[6] != '-' || b[11] != ' ' {
		return 0, nil, false
	}
	d, ok1 := Atoi(b[0:2])
	mon := monthNumber(b[3:6])
	y, ok2 := Atoi(b[7:11])
	tod, rest, ok3 := clockMicro(b[12:])
	day, ok4 := UnixMicro(y, mon, d, 0, 0, 0)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, nil, false
	}
	return day + tod, rest, true
}

type bindParser struct {
	syslogClock // its DateFrom makes the parser Dated
	rec         record.Record
}

func (p *bindParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if len(line) == 0 {
		return
	}
	var ev bindEvent
	ok := ev.parse(line)
	t, dated := int64(0), true
	switch {
	case ev.hasBindTime:
		t = ev.bindTime
	case ev.hasSyslog:
		t, dated = p.syslogClock.at(ev.sys)
	}
	if replay {
		return
	}
	switch {
	case !ok:
		out.Skip(no, off, "not a query")
		return
	case !dated:
		out.Skip(no, off, noSuchDay)
		return
	}
	p.rec.Reset()
	p.rec.Time, p.rec.Client, p.rec.Name, p.rec.QType, p.rec.RCode = t, ev.client, ev.name, ev.qtype, ev.rcode
	p.rec.Line, p.rec.Offset = no, off
	out.Record(&p.rec)
}

func (p *bindParser) Flush(record.Output) {}
