package gen

import (
	"bufio"
	"time"
)

// A format turns events into the exact text a real tool writes. Lines are
// built by hand into the bufio.Writer's free space: fmt and time.Format
// would cost more than everything else together.
type format struct {
	header func(bw *bufio.Writer, g *generator)
	line   func(b []byte, g *generator, e *event) []byte
	footer func(bw *bufio.Writer, g *generator)
	// due, if set, is called before each event with its time.
	due func(bw *bufio.Writer, g *generator) func(int64)
}

var formats = map[string]format{
	"csv":     {line: csvLine},
	"zeek":    {header: zeekHeader, line: zeekLine, footer: zeekFooter},
	"tcpdump": {line: tcpdumpQuery, due: tcpdumpResponses},
	"pcap":    {header: pcapHeader, line: pcapQuery, due: pcapResponses},
}

func (f format) writeHeader(bw *bufio.Writer, g *generator) {
	if f.header != nil {
		f.header(bw, g)
	}
}

func (f format) writeFooter(bw *bufio.Writer, g *generator) {
	if f.footer != nil {
		f.footer(bw, g)
	}
}

func (f format) dueFunc(bw *bufio.Writer, g *generator) func(int64) {
	if f.due == nil {
		return nil
	}
	return f.due(bw, g)
}

var qtypeNames = map[uint16]string{1: "A", 5: "CNAME", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 65: "HTTPS"}

var rcodeNames = [...]string{0: "NOERROR", 3: "NXDOMAIN"}

// csvLine writes the OpenDNS 5-field form
// "08/25/2016 17:20:00,s1.mohito.com,A,360,78.24.161.76". The form has no
// response code: an NXDOMAIN is written with TTL 0 and an empty answer.
func csvLine(b []byte, g *generator, e *event) []byte {
	b = g.clock.appendUS(b, e.t)
	b = append(b, ',')
	b = append(b, e.name...)
	b = append(b, ',')
	b = append(b, qtypeNames[e.qtype]...)
	b = append(b, ',')
	if e.rcode != 0 {
		return append(b, "0,\n"...)
	}
	b = appendUint(b, uint64(e.ttl))
	b = append(b, ',')
	b = appendAnswer(b, e, csvAnswers)
	return append(b, '\n')
}

// answerStyle selects how the record types whose text differs by tool are
// written.
type answerStyle uint8

const (
	csvAnswers answerStyle = iota
	zeekAnswers
	tcpdumpAnswers
)

// appendAnswer writes the one answer of e in the given style (without the
// type prefix tcpdump adds).
func appendAnswer(b []byte, e *event, style answerStyle) []byte {
	switch e.qtype {
	case 1:
		return appendIPv4(b, e.hash)
	case 28:
		return appendIPv6(b, e.hash)
	case 16:
		switch style {
		case zeekAnswers:
			b = append(b, "TXT "...)
			b = appendUint(b, uint64(len(e.answer)))
			b = append(b, ' ')
		case tcpdumpAnswers:
			return append(append(append(b, '"'), e.answer...), '"')
		}
		return append(b, e.answer...)
	case 15:
		switch style {
		case csvAnswers:
			b = append(b, "10 "...)
		case tcpdumpAnswers:
			return append(append(b, e.answer...), ". 10"...)
		}
		return append(b, e.answer...)
	case 33:
		switch style {
		case csvAnswers:
			b = append(b, "0 100 389 "...)
		case tcpdumpAnswers:
			return append(append(b, e.answer...), ".:389 0 100"...)
		}
		return append(b, e.answer...)
	case 65:
		if style == csvAnswers {
			return append(b, "1 . alpn=h2"...)
		}
		return b
	}
	if style == tcpdumpAnswers {
		return append(append(b, e.answer...), '.')
	}
	return append(b, e.answer...)
}

// appendIPv4 derives a public-looking address from h: first octet in
// 13..223 and never a private or loopback network.
func appendIPv4(b []byte, h uint64) []byte {
	first := 13 + h%211
	switch first {
	case 100, 127, 169, 172, 192, 198:
		first = 104
	}
	b = appendUint(b, first)
	for i := 1; i < 4; i++ {
		b = append(b, '.')
		b = appendUint(b, h>>(8*i)&0xff)
	}
	return b
}

// appendIPv6 derives a 2xxx::/16 unicast address from h, printed the way
// Zeek and tcpdump print it (lower-case hex, "::" for the zero run).
func appendIPv6(b []byte, h uint64) []byte {
	b = append(b, "2a0"...)
	b = append(b, hexDigits[h&7])
	b = append(b, ':')
	b = appendHex(b, h>>8&0xffff|0x100)
	b = append(b, ':')
	b = appendHex(b, h>>24&0xffff|0x10)
	b = append(b, "::"...)
	return appendHex(b, h>>40&0xffff|1)
}

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, v uint64) []byte {
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = hexDigits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

func appendUint(b []byte, v uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// appendPad writes v with at least width digits.
func appendPad(b []byte, v uint64, width int) []byte {
	for p := pow10(width - 1); p > 1 && v < p; p /= 10 {
		b = append(b, '0')
	}
	return appendUint(b, v)
}

func pow10(n int) uint64 {
	p := uint64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// clock formats times, caching the date part: consecutive events share a
// day (or second) almost always.
type clock struct {
	day        int64  // unix day of the cached text
	usDate     []byte // "01/02/2006 "
	isoDate    []byte // "2006-01-02 "
	apacheDate []byte // "02/Jan/2006:"
}

func (c *clock) refresh(us int64) int64 {
	day := us / 86400e6
	if c.usDate == nil || day != c.day {
		t := time.UnixMicro(us).UTC()
		c.day = day
		c.usDate = t.AppendFormat(c.usDate[:0], "01/02/2006 ")
		c.isoDate = t.AppendFormat(c.isoDate[:0], "2006-01-02 ")
		c.apacheDate = t.AppendFormat(c.apacheDate[:0], "02/Jan/2006:")
	}
	return us - day*86400e6
}

func appendClock(b []byte, ofDay int64) []byte {
	s := ofDay / 1e6
	b = appendPad(b, uint64(s/3600), 2)
	b = append(b, ':')
	b = appendPad(b, uint64(s/60%60), 2)
	b = append(b, ':')
	return appendPad(b, uint64(s%60), 2)
}

// appendUS writes "08/25/2016 17:20:00".
func (c *clock) appendUS(b []byte, us int64) []byte {
	ofDay := c.refresh(us)
	return appendClock(append(b, c.usDate...), ofDay)
}

// appendISO writes "2016-08-25 17:20:00.123456" (tcpdump -tttt).
func (c *clock) appendISO(b []byte, us int64) []byte {
	ofDay := c.refresh(us)
	b = appendClock(append(b, c.isoDate...), ofDay)
	b = append(b, '.')
	return appendPad(b, uint64(ofDay%1e6), 6)
}

// appendEpoch writes "1286954335.115032" (Zeek ts).
func appendEpoch(b []byte, us int64) []byte {
	b = appendUint(b, uint64(us/1e6))
	b = append(b, '.')
	return appendPad(b, uint64(us%1e6), 6)
}
