package gen

import (
	"bufio"
	"encoding/binary"
	"net/netip"
	"strings"
)

// The pcap format writes the exchanges of the tcpdump format as packets: a
// classic libpcap file (microsecond timestamps, little-endian, Ethernet)
// with each query from its client to the resolver and the resolver's
// response, in time order. `tcpdump -n -tttt -r` (TZ=UTC) prints the same
// lines as the tcpdump format of the same seed, which the tests check.
// Written by hand rather than with gopacket's serialisers: a bench capture
// has tens of millions of packets, and each here is a few appends.

// Fixed header sizes of a packet record.
const (
	pcapRecordLen = 16
	etherLen      = 14
	ipv4Len       = 20
	udpLen        = 8
	pcapHeadLen   = pcapRecordLen + etherLen + ipv4Len + udpLen // before the DNS message
)

var (
	resolverIP  = netip.MustParseAddr(resolver).As4()
	clientMAC   = [6]byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	resolverMAC = [6]byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x35}
)

// pcapHeader writes the libpcap file header: magic, version 2.4, no time
// zone offset, snap length 65535, link type Ethernet.
func pcapHeader(bw *bufio.Writer, _ *generator) {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 65535)
	binary.LittleEndian.PutUint32(h[20:], 1)
	bw.Write(h[:])
}

// pcapQuery writes the query packet of e and queues its response.
func pcapQuery(b []byte, g *generator, e *event) []byte {
	resp := g.newResponse(e)
	g.queue(resp)
	return appendPacket(b, g.clientIP(e.client), &resp, false)
}

func pcapResponses(bw *bufio.Writer, g *generator) func(int64) {
	return responsesDue(bw, g, func(b []byte, g *generator, p *response) []byte {
		return appendPacket(b, g.clientIP(p.e.client), p, true)
	})
}

// clientIP is the address of client c as four bytes.
func (g *generator) clientIP(c uint8) [4]byte {
	if g.clientIPs == nil {
		g.clientIPs = make([][4]byte, len(g.w.clients))
		for i, s := range g.w.clients {
			g.clientIPs[i] = netip.MustParseAddr(s).As4()
		}
	}
	return g.clientIPs[c]
}

// appendPacket appends the pcap record of the query of p (at p.e.t) or of
// its response (at p.t) between client and the resolver.
func appendPacket(b []byte, client [4]byte, p *response, reply bool) []byte {
	start := len(b)
	b = append(b, make([]byte, pcapHeadLen)...)
	e := &p.e
	if reply {
		b = appendDNSResponse(b, p)
	} else {
		b = appendDNSQuery(b, p)
	}
	rec := b[start:]
	t := e.t
	src, dst, sport, dport := client, resolverIP, p.port, uint16(53)
	smac, dmac := clientMAC, resolverMAC
	if reply {
		t = p.t
		src, dst, sport, dport = dst, src, dport, sport
		smac, dmac = dmac, smac
	}
	frame := len(rec) - pcapRecordLen
	le := binary.LittleEndian
	le.PutUint32(rec[0:], uint32(t/1e6))
	le.PutUint32(rec[4:], uint32(t%1e6))
	le.PutUint32(rec[8:], uint32(frame))
	le.PutUint32(rec[12:], uint32(frame))
	eth := rec[pcapRecordLen:]
	copy(eth[0:], dmac[:])
	copy(eth[6:], smac[:])
	eth[12], eth[13] = 0x08, 0x00
	ip := eth[etherLen:]
	be := binary.BigEndian
	ip[0] = 0x45
	be.PutUint16(ip[2:], uint16(frame-etherLen))
	be.PutUint16(ip[4:], p.id)
	ip[6] = 0x40 // don't fragment
	ip[8] = 64   // TTL
	ip[9] = 17   // UDP
	copy(ip[12:], src[:])
	copy(ip[16:], dst[:])
	be.PutUint16(ip[10:], ipChecksum(ip[:ipv4Len]))
	udp := ip[ipv4Len:]
	be.PutUint16(udp[0:], sport)
	be.PutUint16(udp[2:], dport)
	be.PutUint16(udp[4:], uint16(frame-etherLen-ipv4Len))
	// The UDP checksum is left 0: optional over IPv4.
	return b
}

func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// appendDNSHeader appends the 12-byte message header.
func appendDNSHeader(b []byte, id, flags, an, ns, ar uint16) []byte {
	b = binary.BigEndian.AppendUint16(b, id)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint16(b, an)
	b = binary.BigEndian.AppendUint16(b, ns)
	return binary.BigEndian.AppendUint16(b, ar)
}

// appendQuestion appends the question of e and returns where, from the
// message's start, its last label begins (the zone an NXDOMAIN's SOA is
// of), or -1 for the root.
func appendQuestion(b []byte, e *event) ([]byte, int) {
	msg := len(b) - 12
	b, last := appendWireName(b, e.name)
	if last >= 0 {
		last -= msg
	}
	b = binary.BigEndian.AppendUint16(b, e.qtype)
	return binary.BigEndian.AppendUint16(b, 1), last // class IN
}

// ednsOPT is the OPT record of a client that uses EDNS: root owner, type
// 41, a 1232-byte UDP payload, no options.
var ednsOPT = []byte{0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0}

func appendDNSQuery(b []byte, p *response) []byte {
	ar := uint16(0)
	if p.edns {
		ar = 1
	}
	b = appendDNSHeader(b, p.id, 0x0100, 0, 0, ar) // RD
	b, _ = appendQuestion(b, &p.e)
	if p.edns {
		b = append(b, ednsOPT...)
	}
	return b
}

// soaRData is the SOA the .com servers answer an NXDOMAIN with: 64 bytes,
// as the tcpdump format counts them.
var soaRData = func() []byte {
	b, _ := appendWireName(nil, "a.gtld-servers.net")
	b, _ = appendWireName(b, "nstld.verisign-grs.com")
	return append(b, 0x71, 0x2c, 0x4b, 0x8c, 0, 0, 0x07, 0x08, 0, 0, 0x03, 0x84, 0, 0x09, 0x3a, 0x80, 0, 0, 0x03, 0x84)
}()

// appendDNSResponse appends the resolver's answer to p: one record, or for
// an NXDOMAIN the SOA of the name's top-level zone in the authority
// section.
func appendDNSResponse(b []byte, p *response) []byte {
	e := &p.e
	ar := uint16(0)
	if p.edns {
		ar = 1
	}
	if e.rcode != 0 {
		b = appendDNSHeader(b, p.id, 0x8180|uint16(e.rcode&0xf), 0, 1, ar)
	} else {
		b = appendDNSHeader(b, p.id, 0x8180, 1, 0, ar) // QR RD RA
	}
	b, last := appendQuestion(b, e)
	if e.rcode != 0 {
		if last < 0 {
			b = append(b, 0) // the root
		} else {
			b = binary.BigEndian.AppendUint16(b, 0xc000|uint16(last))
		}
		b = appendRRHead(b, 6, 900)
		b = binary.BigEndian.AppendUint16(b, uint16(len(soaRData)))
		b = append(b, soaRData...)
	} else {
		b = binary.BigEndian.AppendUint16(b, 0xc00c) // the question's name
		b = appendRRHead(b, e.qtype, e.ttl)
		at := len(b)
		b = append(b, 0, 0)
		b = appendRData(b, e)
		binary.BigEndian.PutUint16(b[at:], uint16(len(b)-at-2))
	}
	if p.edns {
		b = append(b, ednsOPT...)
	}
	return b
}

// appendRRHead appends a record's type, class IN and TTL.
func appendRRHead(b []byte, typ uint16, ttl uint32) []byte {
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, 1)
	return binary.BigEndian.AppendUint32(b, ttl)
}

// appendRData appends the answer of e in wire form: the same values the
// text formats print (appendAnswer).
func appendRData(b []byte, e *event) []byte {
	switch e.qtype {
	case 1:
		first := byte(13 + e.hash%211)
		switch first {
		case 100, 127, 169, 172, 192, 198:
			first = 104
		}
		return append(b, first, byte(e.hash>>8), byte(e.hash>>16), byte(e.hash>>24))
	case 28:
		h := e.hash
		for _, g := range [8]uint64{0x2a00 | h&7, h>>8&0xffff | 0x100, h>>24&0xffff | 0x10, 0, 0, 0, 0, h>>40&0xffff | 1} {
			b = binary.BigEndian.AppendUint16(b, uint16(g))
		}
		return b
	case 16:
		txt := e.answer[:min(len(e.answer), 255)]
		return append(append(b, byte(len(txt))), txt...)
	case 15:
		b = binary.BigEndian.AppendUint16(b, 10)
		b, _ = appendWireName(b, e.answer)
		return b
	case 33:
		b = append(b, 0, 0, 0, 100, 389>>8, 389&0xff) // priority, weight, port
		b, _ = appendWireName(b, e.answer)
		return b
	case 65:
		return append(b, 0, 1, 0, 0, 1, 0, 3, 2, 'h', '2') // 1 . alpn=h2
	}
	b, _ = appendWireName(b, e.answer)
	return b
}

// appendWireName appends name as DNS labels and returns where its last
// label starts (-1 for the root). A name a message cannot carry is cut to
// fit: empty labels are dropped, labels cut to 63 bytes and the name to
// 255 bytes with its terminator; the generator's names never are.
func appendWireName(b []byte, name string) ([]byte, int) {
	last, size := -1, 1
	for len(name) > 0 {
		label := name
		if i := strings.IndexByte(name, '.'); i >= 0 {
			label, name = name[:i], name[i+1:]
		} else {
			name = ""
		}
		label = label[:min(len(label), 63)]
		if label == "" || size+1+len(label) > 255 {
			continue
		}
		size += 1 + len(label)
		last = len(b)
		b = append(append(b, byte(len(label))), label...)
	}
	return append(b, 0), last
}
