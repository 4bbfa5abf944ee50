package parse

import (
	"bytes"
	"math"
	"time"

	"github.com/longtail/longtail/engine/record"
)

// dnsmasq is the query log of dnsmasq (log-queries), which Pi-hole writes
// as pihole.log:
//
//	May  9 02:36:02 dnsmasq[71314]: query[A] thunder.dropbox.com from fd08:4711::5
//	May  9 02:36:02 dnsmasq[71314]: cached thunder.dropbox.com is <CNAME>
//	May  9 02:36:02 dnsmasq[71314]: cached bolt.v.dropbox.com is 162.125.40.1
//
// One record per query[...] line, completed by the answer lines ("reply",
// "cached", "cached-stale", "config", "/etc/hosts", "gravity blocked",
// "special domain" ... "NAME is VALUE") that follow for its name and its
// CNAME chain. A chain's target names are answers too ("bolt.v.dropbox.com,
// 162.125.40.1"). NXDOMAIN gives RCode 3, NODATA RCode 0 without answers;
// a blocked name keeps NOERROR and the 0.0.0.0 or :: that dnsmasq says it
// answered. dnsmasq's own DNSSEC queries (dnssec-query[DS]) are not client
// queries. Pi-hole's FTL.log is a different log and is not accepted.
//
// Unlike the formats that pair by key, dnsmasq is no Waiter (format.go): an
// answer goes to the oldest open query of its name, so which query it
// completes can depend on queries far back in the log (one reply line for
// two queries shifts every later answer of that name by one). A read that
// stops emits what it holds, unanswered, rather than risk losing a query by
// resuming without that history.

func init() {
	register(30, Format{
		Name:   "dnsmasq",
		Detect: detectDnsmasq,
		Lines:  func() LineParser { return newDnsmasqParser(time.Now) },
	})
}

func detectDnsmasq(head []byte) bool {
	found := false
	forCompleteLines(head, 400, func(line []byte) bool {
		msg, ok := dnsmasqMessage(line)
		found = ok && bytes.HasPrefix(msg, []byte("query["))
		return !found
	})
	return found
}

// sysStamp is what a syslog line's stamp says: month, day and microseconds
// since midnight for the BSD stamp, which has no year, or, dated, the time
// itself (UTC microseconds) for an RFC 3339 one.
type sysStamp struct {
	mon, day, tod int64
	at            int64
	dated         bool
}

// syslogStamp parses the stamp a syslog line starts with and returns what
// follows its space. The BSD stamp is "May  9 02:36:02 ", or "May 9
// 02:36:02 " as some senders write a one-digit day; rsyslog's default
// since Debian 12 and journalctl -o short-iso write RFC 3339
// ("2023-11-14T00:20:42.738197+01:00 ", "2024-03-05T10:00:00+0000 "),
// whose zone is honoured.
func syslogStamp(b []byte) (s sysStamp, rest []byte, ok bool) {
	if len(b) > 0 && '0' <= b[0] && b[0] <= '9' {
		return isoSyslogStamp(b)
	}
	if len(b) < 15 || b[3] != ' ' {
		return sysStamp{}, nil, false
	}
	day, clock := b[4:6], b[7:]
	switch {
	case b[5] == ' ': // "May 9 02:36:02"
		day, clock = b[4:5], b[6:]
	case b[6] != ' ':
		return sysStamp{}, nil, false
	case day[0] == ' ': // "May  9 02:36:02"
		day = day[1:]
	}
	s.mon = monthNumber(b[:3])
	s.day, ok = Atoi(day)
	if s.mon == 0 || !ok || s.day < 1 || s.day > 31 {
		return sysStamp{}, nil, false
	}
	s.tod, rest, ok = clockMicro(clock)
	return s, rest, ok
}

// isoSyslogStamp parses an RFC 3339 stamp, "T" between date and time, up
// to its space: "2023-11-14T00:20:42.738197+01:00 ". One without a zone
// is taken as UTC, as every time without one.
func isoSyslogStamp(b []byte) (s sysStamp, rest []byte, ok bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp < len("2006-01-02T15:04:05") || sp > len("2006-01-02T15:04:05.000000000+07:00") || b[10] != 'T' {
		return sysStamp{}, nil, false
	}
	var tp timeParser
	if s.at, ok = tp.parse(b[:sp]); !ok {
		return sysStamp{}, nil, false
	}
	s.dated = true
	return s, b[sp+1:], true
}

func monthNumber(b []byte) int64 {
	switch string(b) {
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}

// syslogClock gives syslog stamps a year. The log does not say which, and
// 1970 would put every event on the wrong weekday in the heatmaps, so the
// first stamp gets the current year, or the year before when that would
// put it more than a day in the future (a log from December read in
// January). The year then advances when the month falls back by half a
// year or more (December to January), unless that would put the line
// more than a day after an anchor that dates the last line too (the
// file's time, the present: a log holds nothing from after it was
// written, and a collection of sample lines in no order put events a
// year into the future); smaller steps back are late lines, and a line
// its year would put after such an anchor is the year before's. A year
// given dates the first line only. Stamps are local time without a
// zone, taken as UTC.
type syslogClock struct {
	now         func() time.Time
	year, month int64
	// unbounded: the anchor dates the first line only (a year given), not
	// the last (the file's time, the present).
	unbounded bool
	// end is the stamp of the log's last line when it was read first
	// (DateFrom's tail): month 0 when unknown.
	end struct{ mon, day, tod int64 }
}

// latest is the last time a stamp may take: a day past the anchor (time
// zones).
func (c *syslogClock) latest() int64 { return c.now().UnixMicro() + 86400*1_000_000 }

// bound is the last time a later line may take: latest, unless the anchor
// dates the first line only.
func (c *syslogClock) bound() int64 {
	if c.unbounded {
		return math.MaxInt64
	}
	return c.latest()
}

// DateFrom anchors the first line's year at t (see Dated).
func (c *syslogClock) DateFrom(t time.Time, last bool, tail []byte) {
	c.now, c.unbounded = func() time.Time { return t }, !last
	c.end.mon = 0
	for len(tail) > 0 {
		i := bytes.LastIndexByte(tail[:len(tail)-1], '\n')
		// A dated stamp needs no year, and says nothing of the
		// undated ones' (a log whose sender changed its stamps).
		if s, _, ok := syslogStamp(tail[i+1:]); ok && !s.dated {
			c.end.mon, c.end.day, c.end.tod = s.mon, s.day, s.tod
			return
		}
		if i < 0 {
			return
		}
		tail = tail[:i+1]
	}
}

// firstYear is the year of the first line's stamp: the one that puts the
// log's last line no later than the anchor when that line is known and the
// anchor bounds it (the year before for a first line half a year or more
// later in the year than the last, the fall back micro takes for a new
// year: a log from July to January written on January 2 began last year;
// a few minutes back, as concatenated runs of one day give, is the same
// year); otherwise the one that puts the first line itself no later.
func (c *syslogClock) firstYear(mon, day, tod int64) int64 {
	year := int64(c.now().UTC().Year())
	if c.end.mon == 0 || c.unbounded {
		if !fits(year, mon, day, tod, c.latest()) {
			year--
		}
		return year
	}
	e := c.end
	if !fits(year, e.mon, e.day, e.tod, c.latest()) {
		year--
	}
	if mon-e.mon >= 6 { // the fall back that turns a year in micro
		year--
	}
	return year
}

// noSuchDay is the skip reason of a syslog stamp whose day its month does
// not have in the year the clock gives it.
const noSuchDay = "no such day in the year of the log"

// fits says whether a stamp in year y is no later than bound. A day its
// month does not have that year compares as the day it would roll to.
func fits(y, mon, day, tod, bound int64) bool {
	t, _ := stampTime(y, mon, day, tod)
	return t <= bound
}

// stampTime is the time of a stamp in year y, and whether that year has
// its day (29 Feb).
func stampTime(y, mon, day, tod int64) (int64, bool) {
	t, ok := UnixMicro(y, mon, day, 0, 0, 0)
	return t + tod, ok
}

// at is the time of a stamp: a dated one's own, an undated one's in the
// year the clock gives it. It is not ok for a day the month does not have
// (30 Feb, or 29 Feb in the year given): the line has no time to store.
func (c *syslogClock) at(s sysStamp) (int64, bool) {
	if s.dated {
		return s.at, true
	}
	return c.micro(s.mon, s.day, s.tod)
}

func (c *syslogClock) micro(mon, day, tod int64) (int64, bool) {
	switch {
	case c.year == 0:
		c.year = c.firstYear(mon, day, tod)
	case c.month == 1 && mon == 12 && day >= 30:
		// The last days of December after January: a line written late
		// across New Year (syslog takes lines from several processes),
		// not a jump of eleven months; the lines after it are January's
		// still.
		return stampTime(c.year-1, mon, day, tod)
	case c.month-mon >= 6 && fits(c.year+1, mon, day, tod, c.bound()):
		c.year++
	}
	c.month = mon
	if !fits(c.year, mon, day, tod, c.bound()) {
		// Out of order: a line the anchor's year would put after it
		// is the year before's.
		return stampTime(c.year-1, mon, day, tod)
	}
	return stampTime(c.year, mon, day, tod)
}

// dnsmasqMessage returns what follows "dnsmasq[pid]: " on a line that
// starts with a syslog or ISO stamp (an optional host name between them).
func dnsmasqMessage(line []byte) ([]byte, bool) {
	rest, ok := afterStamp(line)
	if !ok {
		return nil, false
	}
	i := bytes.Index(rest, []byte("dnsmasq"))
	if i < 0 || i > 64 || (i > 0 && rest[i-1] != ' ') {
		return nil, false
	}
	rest = rest[i+7:]
	if len(rest) > 0 && rest[0] == '[' {
		end := bytes.IndexByte(rest, ']')
		if end < 0 {
			return nil, false
		}
		if _, ok := Atoi(rest[1:end]); !ok {
			return nil, false
		}
		rest = rest[end+1:]
	}
	if !bytes.HasPrefix(rest, []byte(": ")) {
		return nil, false
	}
	return rest[2:], true
}

// afterStamp skips a leading syslog or "2024-05-09 02:36:02[.fff]" stamp.
func afterStamp(line []byte) ([]byte, bool) {
	if _, rest, ok := syslogStamp(line); ok {
		return rest, true
	}
	if _, rest, dated, ok := tcpdumpStamp(line); ok && dated {
		return rest, true
	}
	return nil, false
}

// dmQuery is a query line waiting for its answers.
type dmQuery struct {
	time, line, off int64
	qtype           uint16
	rcode           int16
	buf             []byte // client then name
	client          int    // end of the client in buf
	serial          int64  // log-queries=extra query id, or 0
	answers         []byte
	chain           []byte // the name of the last answer line
	answered        bool   // an answer line arrived
	cnameOpen       bool   // the last answer was <CNAME>: the next name continues the chain
	done            bool
}

type dnsmasqParser struct {
	syslogClock            // its DateFrom makes the parser Dated
	queue       []*dmQuery // open queries, arrival order
	free        []*dmQuery
	last        *dmQuery // the query the previous line answered
	rec         record.Record
}

func newDnsmasqParser(now func() time.Time) *dnsmasqParser {
	return &dnsmasqParser{syslogClock: syslogClock{now: now}}
}

func (p *dnsmasqParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if len(line) == 0 {
		return
	}
	var t int64
	s, _, ok := syslogStamp(line)
	dated := true
	if ok {
		t, dated = p.syslogClock.at(s)
	} else if t, _, _, ok = tcpdumpStamp(line); !ok {
		if !replay {
			out.Skip(no, off, "no timestamp")
		}
		return
	}
	if !dated && !replay {
		out.Skip(no, off, noSuchDay)
		return
	}
	if replay {
		return
	}
	msg, ok := dnsmasqMessage(line)
	if !ok {
		out.Skip(no, off, "not a dnsmasq line")
		return
	}
	serial := int64(0)
	if len(msg) > 0 && '0' <= msg[0] && msg[0] <= '9' {
		// log-queries=extra: "1234 192.168.1.5/54321 query[A] ...".
		if sp1 := bytes.IndexByte(msg, ' '); sp1 > 0 {
			if sp2 := bytes.IndexByte(msg[sp1+1:], ' '); sp2 > 0 && bytes.IndexByte(msg[sp1+1:sp1+1+sp2], '/') > 0 {
				serial, _ = Atoi(msg[:sp1])
				msg = msg[sp1+1+sp2+1:]
			}
		}
	}
	p.expire(t, out)
	switch {
	case bytes.HasPrefix(msg, []byte("query[")):
		p.complete(out)
		p.query(msg, serial, t, no, off, out)
	default:
		name, value, ok := answerLine(msg)
		if !ok {
			p.complete(out)
			if !notice(msg) {
				out.Skip(no, off, "not a query")
			}
			return
		}
		p.answer(name, value, serial, out)
	}
}

// dnsmasqNotices start the messages of dnsmasq's own work: a query
// forwarded upstream, its DNSSEC checks (a Pi-hole with DNSSEC logs one
// line or more a query), its start and its servers. They hold no query of
// a client and are passed over; any other line that is no query counts as
// skipped.
var dnsmasqNotices = [][]byte{[]byte("forwarded "), []byte("validation result is "), []byte("dnssec-query["),
	[]byte("dnssec-retry["), []byte("started, version "), []byte("compile time options: "), []byte("using nameserver "),
	[]byte("using local addresses "), []byte("using only locally-known addresses "), []byte("read "),
	[]byte("reading "), []byte("cleared cache"), []byte("exiting on receipt of "), []byte("reducing DNS packet size "),
	[]byte("DNSSEC validation "), []byte("DNSSEC signature timestamps "), []byte("nameserver "), []byte("reply is truncated")}

// notice says whether a dnsmasq message is one of dnsmasqNotices.
func notice(msg []byte) bool {
	for _, n := range dnsmasqNotices {
		if bytes.HasPrefix(msg, n) {
			return true
		}
	}
	return false
}

// query starts a record from "query[TYPE] NAME from CLIENT".
func (p *dnsmasqParser) query(msg []byte, serial, t, no, off int64, out record.Output) {
	end := bytes.IndexByte(msg, ']')
	from := bytes.LastIndex(msg, []byte(" from "))
	if end < 0 || from < end+2 {
		out.Skip(no, off, "query line without name or client")
		return
	}
	if len(p.queue) >= maxPending {
		p.expire(t, out)
	}
	q := p.alloc()
	client, name := msg[from+6:], msg[end+2:from]
	q.time, q.line, q.off, q.serial = t, no, off, serial
	q.qtype = QTypeByName(msg[6:end])
	q.buf = append(append(q.buf[:0], client...), name...)
	q.client = len(client)
	p.queue = append(p.queue, q)
}

func (p *dnsmasqParser) alloc() *dmQuery {
	q := reuse(&p.free)
	*q = dmQuery{buf: q.buf[:0], answers: q.answers[:0], chain: q.chain[:0], rcode: record.NoRCode}
	return q
}

// answerLine splits "SOURCE... NAME is VALUE". A name dnsmasq could not
// print is written "<name unprintable>", with a space.
func answerLine(msg []byte) (name, value []byte, ok bool) {
	is := bytes.LastIndex(msg, []byte(" is "))
	if is < 0 || bytes.HasPrefix(msg, []byte("validation ")) {
		return nil, nil, false
	}
	value, head := msg[is+4:], msg[:is]
	start := bytes.LastIndexByte(head, ' ')
	if len(head) > 0 && head[len(head)-1] == '>' {
		start = bytes.LastIndexByte(head, '<') - 1
	}
	if start < 0 || start+1 >= len(head) || len(value) == 0 {
		return nil, nil, false
	}
	return head[start+1:], value, true
}

// answer attaches an answer line to the query it belongs to: the one the
// previous line answered (same name, or the next link of its CNAME chain),
// else the oldest unanswered query for that name (or with that serial). An
// answer for no open query (a refresh after a stale answer was served,
// dnsmasq's own DNSSEC lookups) is not an event.
func (p *dnsmasqParser) answer(name, value []byte, serial int64, out record.Output) {
	q := p.last
	if q == nil || q.serial != serial || !(q.cnameOpen || bytes.Equal(q.chain, name)) {
		p.complete(out)
		q = nil
		for _, c := range p.queue {
			if !c.done && !c.answered && (serial != 0 && c.serial == serial || serial == 0 && bytes.Equal(c.buf[c.client:], name)) {
				q = c
				break
			}
		}
		if q == nil {
			return
		}
	}
	p.last = q
	if !bytes.Equal(name, q.buf[q.client:]) && !bytes.Equal(name, q.chain) {
		q.answers = appendAnswer(q.answers, name) // a CNAME target
	}
	q.chain = append(q.chain[:0], name...)
	q.answered, q.cnameOpen = true, string(value) == "<CNAME>"
	q.rcode = 0
	switch {
	case value[0] == '<': // <CNAME>, <SRV>, <HTTPS>: a type without data
	case bytes.HasPrefix(value, []byte("NODATA")):
	default:
		if c := RCodeByName(value); c >= 0 {
			q.rcode = c
		} else {
			q.answers = appendAnswer(q.answers, value)
		}
	}
}

func appendAnswer(dst, a []byte) []byte {
	if len(dst) > 0 {
		dst = append(dst, ',')
	}
	return append(dst, a...)
}

// complete emits the query the previous line answered: its answer block
// is over.
func (p *dnsmasqParser) complete(out record.Output) {
	if q := p.last; q != nil {
		p.last = nil
		p.emit(q, out)
	}
}

func (p *dnsmasqParser) emit(q *dmQuery, out record.Output) {
	q.done = true
	p.rec.Reset()
	p.rec.Time, p.rec.Client, p.rec.Name, p.rec.QType = q.time, q.buf[:q.client], q.buf[q.client:], q.qtype
	p.rec.RCode, p.rec.Answers, p.rec.Line, p.rec.Offset = q.rcode, q.answers, q.line, q.off
	out.Record(&p.rec)
}

// expire emits the queries that waited more than pairWindow before now
// without an answer (or while too many wait) and recycles finished ones.
func (p *dnsmasqParser) expire(now int64, out record.Output) {
	n := 0
	for _, q := range p.queue {
		if !q.done && (q == p.last || now-q.time <= pairWindow && len(p.queue)-n < maxPending) {
			break
		}
		if !q.done {
			p.emit(q, out)
		}
		n++
	}
	p.queue, p.free = retire(p.queue, p.free, n)
}

func (p *dnsmasqParser) Flush(out record.Output) {
	p.complete(out)
	p.expire(1<<62, out)
}
