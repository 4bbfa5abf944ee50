package gen

import (
	"bufio"
	"slices"
	"time"
)

const resolver = "10.0.0.53"

// Zeek dns.log, TSV with the header Zeek 4+ writes (rtt after trans_id).
const zeekFields = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n" +
	"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n"

const zeekStamp = "2006-01-02-15-04-05"

func zeekHeader(bw *bufio.Writer, g *generator) {
	bw.WriteString("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n#open\t")
	bw.WriteString(time.UnixMicro(g.start).UTC().Format(zeekStamp))
	bw.WriteString("\n" + zeekFields)
}

func zeekFooter(bw *bufio.Writer, g *generator) {
	bw.WriteString("#close\t" + time.UnixMicro(g.end).UTC().Format(zeekStamp) + "\n")
}

const uidAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func zeekLine(b []byte, g *generator, e *event) []byte {
	r := g.fmtRng
	b = appendEpoch(b, e.t)
	b = append(b, "\tC"...)
	for x, i := r.Uint64(), 0; i < 17; i, x = i+1, x/62 {
		if i == 10 {
			x = r.Uint64()
		}
		b = append(b, uidAlphabet[x%62])
	}
	b = append(b, '\t')
	b = append(b, g.w.clients[e.client]...)
	b = append(b, '\t')
	b = appendUint(b, 1024+r.Uint64N(64511))
	b = append(b, "\t"+resolver+"\t53\tudp\t"...)
	b = appendUint(b, r.Uint64N(65536))
	b = append(b, "\t0."...)
	b = appendPad(b, uint64(rtt(g)), 6)
	b = append(b, '\t')
	b = append(b, e.name...)
	b = append(b, "\t1\tC_INTERNET\t"...)
	b = appendUint(b, uint64(e.qtype))
	b = append(b, '\t')
	b = append(b, qtypeNames[e.qtype]...)
	b = append(b, '\t')
	b = appendUint(b, uint64(e.rcode))
	b = append(b, '\t')
	b = append(b, rcodeNames[e.rcode]...)
	b = append(b, "\tF\tF\tT\tT\t0\t"...)
	if e.rcode != 0 || e.qtype == 65 {
		return append(b, "-\t-\tF\n"...)
	}
	b = appendAnswer(b, e, zeekAnswers)
	b = append(b, '\t')
	b = appendUint(b, uint64(e.ttl))
	return append(b, ".000000\tF\n"...)
}

// rtt draws a resolver round trip in µs: mostly answered from cache, a
// fifth recursed.
func rtt(g *generator) int64 {
	if g.fmtRng.IntN(5) == 0 {
		return 8000 + g.fmtRng.Int64N(70000)
	}
	return 200 + g.fmtRng.Int64N(1800)
}

// response is a tcpdump response line waiting for its time.
type response struct {
	t    int64
	e    event
	port uint16
	id   uint16
	edns bool
}

var tcpdumpTypes = map[uint16]string{1: "A", 5: "CNAME", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 65: "Type65"}

// tcpdumpQuery writes the query line of `tcpdump -n -tttt` (run with TZ=UTC:
// -tttt prints local time) and queues the
// response, which is written when its time comes so that lines stay in
// time order as in a capture:
//
//	2024-03-04 09:19:54.740079 IP 10.0.1.23.43966 > 10.0.0.53.53: 22836+ [1au] A? www.example.com. (44)
func tcpdumpQuery(b []byte, g *generator, e *event) []byte {
	resp := g.newResponse(e)
	b = g.clock.appendISO(b, e.t)
	b = append(b, " IP "...)
	b = append(b, g.w.clients[e.client]...)
	b = append(b, '.')
	b = appendUint(b, uint64(resp.port))
	b = append(b, " > "+resolver+".53: "...)
	b = appendUint(b, uint64(resp.id))
	b = append(b, '+')
	if resp.edns {
		b = append(b, " [1au]"...)
	}
	b = append(b, ' ')
	b = append(b, tcpdumpTypes[e.qtype]...)
	b = append(b, "? "...)
	b = append(b, e.name...)
	b = append(b, ". ("...)
	b = appendUint(b, uint64(questionLen(e)+ednsLen(resp.edns)))
	g.queue(resp)
	return append(b, ")\n"...)
}

// newResponse draws the response to e: its time, the client's port, the
// message id and whether the client uses EDNS. Every format with packets
// draws them alike, so that a capture and tcpdump's text of the same seed
// are the same exchanges.
func (g *generator) newResponse(e *event) response {
	r := g.fmtRng
	return response{t: e.t + rtt(g), e: *e, port: uint16(1024 + r.IntN(64511)), id: uint16(r.Uint32()), edns: e.client%3 != 0}
}

// queue keeps resp until its time comes, in time order.
func (g *generator) queue(resp response) {
	i, _ := slices.BinarySearchFunc(g.pending, resp.t, func(p response, t int64) int {
		if p.t <= t {
			return -1
		}
		return 1
	})
	g.pending = slices.Insert(g.pending, i, resp)
}

func questionLen(e *event) int { return 12 + len(e.name) + 2 + 4 }

func ednsLen(edns bool) int {
	if edns {
		return 11
	}
	return 0
}

// tcpdumpResponses returns the due hook that writes queued responses:
//
//	2024-03-04 09:19:54.741079 IP 10.0.0.53.53 > 10.0.1.23.43966: 22836 1/0/1 A 192.0.2.7 (60)
//	2024-03-04 09:19:54.741079 IP 10.0.0.53.53 > 10.0.1.23.43966: 22836 NXDomain 0/1/0 (104)
func tcpdumpResponses(bw *bufio.Writer, g *generator) func(int64) {
	return responsesDue(bw, g, tcpdumpResponse)
}

// responsesDue returns the due hook that writes the queued responses whose
// time has come with write.
func responsesDue(bw *bufio.Writer, g *generator, write func(b []byte, g *generator, p *response) []byte) func(int64) {
	return func(now int64) {
		n := 0
		for ; n < len(g.pending) && g.pending[n].t <= now; n++ {
			bw.Write(write(bw.AvailableBuffer(), g, &g.pending[n]))
		}
		g.pending = slices.Delete(g.pending, 0, n)
	}
}

func tcpdumpResponse(b []byte, g *generator, p *response) []byte {
	e := &p.e
	b = g.clock.appendISO(b, p.t)
	b = append(b, " IP "+resolver+".53 > "...)
	b = append(b, g.w.clients[e.client]...)
	b = append(b, '.')
	b = appendUint(b, uint64(p.port))
	b = append(b, ": "...)
	b = appendUint(b, uint64(p.id))
	ar := byte('0')
	if p.edns {
		ar = '1'
	}
	size := questionLen(e) + ednsLen(p.edns)
	if e.rcode != 0 {
		b = append(b, " NXDomain 0/1/"...)
		size += 2 + 10 + 64 // the SOA of the zone in the authority section
		b = append(b, ar)
	} else {
		b = append(b, " 1/0/"...)
		b = append(b, ar, ' ')
		b = append(b, tcpdumpTypes[e.qtype]...)
		if e.qtype != 65 {
			b = append(b, ' ')
			b = appendAnswer(b, e, tcpdumpAnswers)
		}
		size += 2 + 10 + rdataLen(e)
	}
	b = append(b, " ("...)
	b = appendUint(b, uint64(size))
	return append(b, ")\n"...)
}

func rdataLen(e *event) int {
	switch e.qtype {
	case 1:
		return 4
	case 28:
		return 16
	case 16:
		return 1 + len(e.answer)
	case 15:
		return 2 + len(e.answer) + 2
	case 33:
		return 6 + len(e.answer) + 2
	case 65:
		return 10
	}
	return len(e.answer) + 2
}
