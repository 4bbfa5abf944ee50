package parse

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/longtail/longtail/engine/record"
)

// Packet captures: pcap files are read by pcapFile (below), pcapng files by
// gopacket's pure-Go reader; the link, IP and transport layers are decoded
// with a DecodingLayerParser over preallocated layers, and DNS messages
// with dnsMsg (dnsmsg.go).
//
// pcap is read in every variant libpcap reads: micro- or nanosecond
// timestamps, either byte order, versions 2.0 to 2.4 (with caplen and len
// swapped as libpcap swaps them) and Alexey Kuznetsov's modified format
// (magic a1b2cd34, 24-byte record headers). pcapng sections may have any
// number of interfaces, each with its link type and timestamp resolution
// and offset, and a file may hold several sections.
//
// DNS is UDP or TCP with port 53, 5353 (mDNS) or 5355 (LLMNR) on either
// side; pcappair.go pairs queries with responses. The record of a pair is
// emitted when the response arrives, so records are not in packet order.
// Queries never answered are emitted with NoRCode once they are 30 s of
// capture time old, when too many are waiting, or at the end.
//
// HTTP/1.x requests are read in the same pass from TCP on any other port
// (pcaphttp.go): a segment that starts no request costs one comparison.
//
// IP fragments are not reassembled: the first fragment of a DNS datagram is
// decoded from what it holds (header and question always fit; answers that
// were cut off are left out), later fragments are ignored. Not decoded:
// tunnels (VXLAN, GRE, Geneve), ICMP-quoted packets, 802.11.
// Other packets are not reported: a capture is mostly other traffic, and
// listing it would bury the broken DNS and HTTP in the ingest report.
//
// Offsets: a pcap record's offset is exact (records are contiguous); a
// pcapng packet's offset is found by walking block headers in the read
// buffer and is 0 when that walk cannot tell. A gzip-compressed capture
// must be decompressed by the caller (offsets are of the plain stream).

func init() {
	both := []record.Kind{record.KindDNS, record.KindHTTP} // read in one pass
	register(10, Format{Name: "pcap", Kinds: both, Detect: isPcap, Stream: streamPcap})
	register(11, Format{Name: "pcapng", Kinds: both, Detect: isPcapng, Stream: streamPcapng})
}

const (
	// maxTCPFlows bounds the DNS-over-TCP streams reassembled at once. A
	// stream buffers at most one message (<= 65537 bytes with its length
	// prefix), so this also bounds the reassembly memory.
	maxTCPFlows = 1024
	// maxSnap is the largest packet record believed (libpcap's maximum)
	// unless the file header declares a larger snap length.
	maxSnap = 262144
	// capBuffer is the read buffer of a capture: a pcap record is handed
	// over from it without a copy, so it bounds the largest record.
	capBuffer = 1 << 20
)

// The magic numbers of a pcap file, as read in the file's byte order.
const (
	pcapMicro    = 0xa1b2c3d4
	pcapNano     = 0xa1b23c4d
	pcapModified = 0xa1b2cd34 // Kuznetsov's patched libpcap: µs, 8 more bytes a record header
)

// pcapMagic returns the byte order and magic number of a pcap file header.
func pcapMagic(head []byte) (binary.ByteOrder, uint32, bool) {
	if len(head) >= 4 {
		for _, bo := range [...]binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			switch m := bo.Uint32(head); m {
			case pcapMicro, pcapNano, pcapModified:
				return bo, m, true
			}
		}
	}
	return nil, 0, false
}

func isPcap(head []byte) bool {
	_, _, ok := pcapMagic(head)
	return ok
}

func isPcapng(head []byte) bool {
	if len(head) < 12 || binary.LittleEndian.Uint32(head) != 0x0a0d0d0a {
		return false
	}
	bom := binary.LittleEndian.Uint32(head[8:])
	return bom == 0x1a2b3c4d || bom == 0x4d3c2b1a
}

// capInput counts the bytes taken from the stream, so that the position of a
// packet record is known although the readers buffer ahead.
type capInput struct {
	r  io.Reader
	n  int64
	br *bufio.Reader
}

func newCapInput(r io.Reader) *capInput {
	in := &capInput{r: r}
	// pcapgo wraps its reader in a bufio.Reader unless it already is one
	// of at least 4 KiB: this one is used as is.
	in.br = bufio.NewReaderSize(in, capBuffer)
	return in
}

func (in *capInput) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	in.n += int64(n)
	return n, err
}

// consumed is the offset of the first byte the reader has not used yet.
func (in *capInput) consumed() int64 { return in.n - int64(in.br.Buffered()) }

// capPacket is one packet as a capture reader hands it over.
type capPacket struct {
	data []byte // valid until the next read
	time int64  // unix µs; 0 when the record has none (pcapng simple packets)
	cut  bool   // captured shorter than it was on the wire
	lt   layers.LinkType
	off  int64 // offset of its record in the stream
}

// nextPacket reads the next packet into p; p.off is set also when the
// record cannot be read.
type nextPacket func(p *capPacket) error

// capSource is where runCapture takes its packets from.
type capSource struct {
	next     nextPacket
	consumed func() int64 // offset of the first byte not used yet
	// live: packets from a network interface (StreamPackets). next may
	// return ErrNoPacket, and ends the read itself when stopped (io.EOF):
	// what waits is emitted then, as at the end of a file, for nothing
	// resumes it.
	live bool
}

// source reads the packets of a capture file with next.
func (in *capInput) source(next nextPacket) capSource {
	return capSource{next: next, consumed: in.consumed}
}

// pcapFile reads the records of a pcap file straight from the read buffer.
type pcapFile struct {
	br    *bufio.Reader
	bo    binary.ByteOrder
	nano  bool // fractions of a second are nanoseconds
	hdr   int  // record header size
	swap  lengthOrder
	limit uint32 // the largest record believed
	lt    layers.LinkType
}

// lengthOrder says how a pcap version orders a record's captured and wire
// lengths: libpcap swapped them at version 2.3, and some 2.3 writers did not.
type lengthOrder uint8

const (
	lengthsAsWritten lengthOrder = iota
	lengthsSwapped
	lengthsMaybeSwapped // swapped when the captured length is the larger
)

// openPcap reads the file header.
func openPcap(br *bufio.Reader) (*pcapFile, error) {
	h, err := br.Peek(24)
	if err != nil {
		return nil, errors.New("file header cut short")
	}
	bo, magic, ok := pcapMagic(h)
	if !ok {
		return nil, errors.New("no pcap magic number")
	}
	f := &pcapFile{br: br, bo: bo, nano: magic == pcapNano, hdr: 16, limit: maxSnap, lt: layers.LinkType(bo.Uint32(h[20:]))}
	if magic == pcapModified {
		f.hdr = 24 // index, protocol, packet type and padding follow the lengths
	}
	switch major, minor := bo.Uint16(h[4:]), bo.Uint16(h[6:]); {
	case major == 2 && minor < 3, major == 543 && minor == 0: // 543.0: DG/UX tcpdump
		f.swap = lengthsSwapped
	case major == 2 && minor == 3:
		f.swap = lengthsMaybeSwapped
	case major == 2 && minor == 4:
	default:
		return nil, fmt.Errorf("version %d.%d not supported", major, minor)
	}
	if snap := bo.Uint32(h[16:]); snap > f.limit {
		f.limit = min(snap, uint32(capBuffer-f.hdr))
	}
	_, err = br.Discard(24)
	return f, err
}

// next reads one record. Its data is handed over from the read buffer.
func (f *pcapFile) next(p *capPacket) error {
	h, err := f.br.Peek(f.hdr)
	if err != nil {
		if len(h) > 0 && err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	caplen, wire := f.bo.Uint32(h[8:]), f.bo.Uint32(h[12:])
	if f.swap == lengthsSwapped || f.swap == lengthsMaybeSwapped && caplen > wire {
		caplen, wire = wire, caplen
	}
	if caplen > f.limit {
		return fmt.Errorf("packet record of %d bytes, more than the capture can hold", caplen)
	}
	n := f.hdr + int(caplen)
	b, err := f.br.Peek(n) // h is not to be read after this: a refill moves the buffer
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	// Discarding what Peek returned reads nothing: b stays valid until
	// the next Peek.
	if _, err := f.br.Discard(n); err != nil {
		return err
	}
	// Some writers store a wire length shorter than what they captured:
	// the record is intact, and read whole.
	p.data, p.cut, p.lt = b[f.hdr:], caplen < wire, f.lt
	frac := int64(f.bo.Uint32(b[4:]))
	if f.nano {
		frac /= 1000
	}
	p.time = int64(f.bo.Uint32(b))*1_000_000 + frac
	return nil
}

func streamPcap(ctx context.Context, r io.Reader, from Resume, out record.Output) (Resume, error) {
	in := newCapInput(r)
	f, err := openPcap(in.br)
	if err != nil {
		return Done(Position{}), fmt.Errorf("pcap file header: %w", err)
	}
	return runCapture(ctx, in.source(func(p *capPacket) error {
		p.off = in.consumed() // records are contiguous
		return f.next(p)
	}), from, out)
}

func streamPcapng(ctx context.Context, r io.Reader, from Resume, out record.Output) (Resume, error) {
	in := newCapInput(r)
	shb, _ := in.br.Peek(12)
	bo := ngByteOrder(shb) // the reader takes the section header
	nr, err := pcapgo.NewNgReader(in.br, pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
	if err != nil {
		return Done(Position{}), fmt.Errorf("pcapng section header: %w", err)
	}
	return runCapture(ctx, in.source(func(p *capPacket) error {
		p.off = ngPacketOffset(in, &bo)
		data, ci, err := nr.ZeroCopyReadPacketData()
		p.data, p.cut, p.lt, p.time = data, ci.CaptureLength < ci.Length, layers.LinkTypeEthernet, 0
		if len(ci.AncillaryData) > 0 {
			p.lt, _ = ci.AncillaryData[0].(layers.LinkType)
		}
		if !ci.Timestamp.IsZero() {
			p.time = ci.Timestamp.UnixMicro()
		}
		return err
	}), from, out)
}

// ngByteOrder returns the byte order a section header block declares, or
// little endian (the common case) when shb is not one.
func ngByteOrder(shb []byte) binary.ByteOrder {
	if len(shb) >= 12 && binary.BigEndian.Uint32(shb[8:]) == 0x1a2b3c4d {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// ngPacketOffset finds the file offset of the next packet block by walking
// the block headers ahead in the read buffer (interface and statistics
// blocks may come first). It is best effort: 0 when the walk cannot see
// far enough or the headers make no sense, and it relies on bo, the byte
// order of the current section, which it updates when it passes a section
// header.
func ngPacketOffset(in *capInput, bo *binary.ByteOrder) int64 {
	start := in.consumed()
	for off := 0; off < 1<<16; {
		h, err := in.br.Peek(off + 12)
		if err != nil {
			return 0
		}
		h = h[off:]
		typ := (*bo).Uint32(h)
		switch typ {
		case 0x0a0d0d0a: // section header: palindromic, read in any order
			*bo = ngByteOrder(h)
		case 2, 3, 6: // obsolete packet, simple packet, enhanced packet
			return start + int64(off)
		}
		n := int((*bo).Uint32(h[4:]))
		if n < 12 || n%4 != 0 {
			return 0
		}
		off += n
	}
	return 0
}

// runCapture reads packets until the end of the stream and decodes them.
func runCapture(ctx context.Context, src capSource, from Resume, out record.Output) (Resume, error) {
	c := newCapture(out)
	c.held = from.Held
	cp, _ := out.(Checkpointer)
	pos := Position{Offset: src.consumed()}
	var p capPacket
	for {
		if !src.live && pos.Line&0xfff == 0 && ctx.Err() != nil {
			// Stopped: the queries still waiting are left for the read
			// that resumes.
			c.at = pos
			return c.resumeAt(), ctx.Err()
		}
		if cp != nil && pos.Line > from.Read.Line {
			// Between packets: a batch may end here.
			c.at = pos
			cp.Checkpoint(c.resume)
		}
		err := src.next(&p)
		if err == ErrNoPacket {
			c.idle()
			continue
		}
		if err == io.EOF {
			pos.Offset = src.consumed() // trailing blocks (pcapng statistics)
			break
		}
		if err != nil {
			if pos.Line >= from.Read.Line {
				c.out.Skip(pos.Line+1, p.off, recordError(err))
			}
			break
		}
		pos.Line++
		c.replay = pos.Line <= from.Read.Line
		c.no, c.off, c.cut, c.now = pos.Line, p.off, p.cut, p.time
		c.packet(p.data, p.lt)
		pos.Offset = src.consumed()
	}
	c.replay = false // what is still waiting was not emitted, even when the last packet was replayed
	c.flush()
	return Done(pos), nil
}

// recordError is the skip reason for a packet record that cannot be read;
// nothing after it can be trusted, so the capture ends there.
func recordError(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "truncated packet record at end of capture"
	}
	return "unreadable packet record, rest of capture ignored: " + err.Error()
}

// first layers a DecodingLayerParser can start at.
const (
	firstEthernet = iota
	firstSLL
	firstSLL2
	firstLoopback
	firstIPv4
	firstIPv6
	nFirst
)

var firstLayerTypes = [nFirst]gopacket.LayerType{
	layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLinuxSLL2,
	layers.LayerTypeLoopback, layers.LayerTypeIPv4, layers.LayerTypeIPv6,
}

// capture is the decoding state of one stream.
type capture struct {
	out    record.Output
	replay bool  // packet was ingested before: update state, emit nothing
	held   int64 // queries from packets before it were emitted by an earlier read
	at     Position
	resume func() Resume // c.resumeAt, made once: a checkpoint is offered at every packet
	no     int64         // current packet number
	off    int64         // current packet's record offset
	now    int64         // current packet's time, unix µs
	cut    bool          // current packet was captured shorter than it was

	eth     layers.Ethernet
	dot1q   layers.Dot1Q
	sll     layers.LinuxSLL
	sll2    layers.LinuxSLL2
	loop    layers.Loopback
	ip4     layers.IPv4
	ip6     layers.IPv6
	udp     layers.UDP
	tcp     layers.TCP
	parsers [nFirst]*gopacket.DecodingLayerParser
	decoded []gopacket.LayerType

	msg     dnsMsg
	rec     record.Record
	client  []byte
	pending pendingSet
	recent  recentSet
	flows   map[flowKey]*tcpFlow
	http    *httpState               // nil until a segment starts an HTTP request
	badLink map[layers.LinkType]bool // unsupported link types already reported
}

func newCapture(out record.Output) *capture {
	c := &capture{out: out, flows: map[flowKey]*tcpFlow{}, badLink: map[layers.LinkType]bool{}}
	for i, t := range firstLayerTypes {
		p := gopacket.NewDecodingLayerParser(t)
		p.SetDecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
		for _, l := range []gopacket.DecodingLayer{&c.eth, &c.dot1q, &c.sll, &c.sll2, &c.loop, &c.ip4, &c.ip6, &c.udp, &c.tcp} {
			p.AddDecodingLayer(l)
		}
		// Decoding stops quietly at the first layer we do not decode
		// (ARP, ICMP, the DNS payload itself).
		p.IgnoreUnsupported = true
		c.parsers[i] = p
	}
	c.pending.init()
	c.resume = c.resumeAt
	return c
}

// resumeAt is how a read stopped at c.at resumes: the capture is decoded
// again from its start, and the queries from the oldest one still waiting
// on are emitted when their response comes (see Waiter).
func (c *capture) resumeAt() Resume {
	line, ok := c.pending.oldestLive()
	if c.http != nil {
		if l, waits := c.http.oldestLive(); waits && (!ok || l < line) {
			line, ok = l, true
		}
	}
	if ok {
		return Resume{Read: c.at, Held: line}
	}
	return Done(c.at)
}

func (c *capture) skip(reason string) {
	if !c.replay {
		c.out.Skip(c.no, c.off, reason)
	}
}

// startLayer picks where decoding starts for link type lt, stripping a PPP
// header itself (gopacket's PPP is not a DecodingLayer). ok is false for
// link types not decoded.
func startLayer(lt layers.LinkType, data []byte) (int, []byte, bool) {
	switch lt {
	case layers.LinkTypeEthernet:
		return firstEthernet, data, true
	case layers.LinkTypeLinuxSLL:
		return firstSLL, data, true
	case layers.LinkTypeLinuxSLL2:
		return firstSLL2, data, true
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return firstLoopback, data, true
	case layers.LinkTypeIPv4:
		return firstIPv4, data, true
	case layers.LinkTypeIPv6:
		return firstIPv6, data, true
	case layers.LinkTypeRaw, 12, 14: // raw IP: 12 and 14 are DLT_RAW on some BSDs
		if len(data) > 0 && data[0]>>4 == 6 {
			return firstIPv6, data, true
		}
		return firstIPv4, data, true
	case layers.LinkTypePPP, layers.LinkTypePPP_HDLC:
		return pppPayload(data)
	}
	return 0, nil, false
}

// pppPayload strips the PPP address/control bytes and protocol field.
// Packets that are not IP (LCP, IPCP ...) yield ok=false with no data.
func pppPayload(data []byte) (int, []byte, bool) {
	if len(data) >= 2 && data[0] == 0xff && data[1] == 0x03 {
		data = data[2:]
	}
	var proto uint16
	switch {
	case len(data) >= 1 && data[0]&1 == 1: // compressed one-byte protocol
		proto, data = uint16(data[0]), data[1:]
	case len(data) >= 2:
		proto, data = binary.BigEndian.Uint16(data), data[2:]
	}
	switch proto {
	case 0x21:
		return firstIPv4, data, true
	case 0x57:
		return firstIPv6, data, true
	}
	return 0, nil, true
}

// packet decodes one captured packet.
func (c *capture) packet(data []byte, lt layers.LinkType) {
	c.expire()
	fl, data, ok := startLayer(lt, data)
	if !ok {
		if !c.badLink[lt] {
			c.badLink[lt] = true
			c.skip(fmt.Sprintf("link type %s not supported, its packets are ignored", lt))
		}
		return
	}
	if data == nil {
		return
	}
	err := c.parsers[fl].DecodeLayers(data, &c.decoded)
	if err == nil {
		if pay := c.pppoeSession(); pay != nil {
			if fl, data, _ = pppPayload(pay); data != nil {
				err = c.parsers[fl].DecodeLayers(data, &c.decoded)
			}
		}
	}
	if err != nil {
		c.skip("bad packet: " + err.Error())
		return
	}
	var src, dst netip.Addr
	for _, t := range c.decoded {
		switch t {
		case layers.LayerTypeIPv4:
			src, _ = netip.AddrFromSlice(c.ip4.SrcIP)
			dst, _ = netip.AddrFromSlice(c.ip4.DstIP)
			if c.ip4.Flags&layers.IPv4MoreFragments != 0 || c.ip4.FragOffset != 0 {
				if c.ip4.FragOffset == 0 {
					c.firstFragment(src, dst, c.ip4.Protocol, c.ip4.Payload)
				}
				return
			}
		case layers.LayerTypeIPv6:
			src, _ = netip.AddrFromSlice(c.ip6.SrcIP)
			dst, _ = netip.AddrFromSlice(c.ip6.DstIP)
			if p := c.ip6.Payload; c.ip6.NextHeader == layers.IPProtocolIPv6Fragment && len(p) >= 8 {
				// Fragment header: next header, reserved, offset<<3 | flags.
				if binary.BigEndian.Uint16(p[2:])&^7 == 0 {
					c.firstFragment(src, dst, layers.IPProtocol(p[0]), p[8:])
				}
				return
			}
		case layers.LayerTypeUDP:
			c.datagram(src, dst, uint16(c.udp.SrcPort), uint16(c.udp.DstPort), c.udp.Payload, false)
			return
		case layers.LayerTypeTCP:
			c.tcpSegment(src, dst)
			return
		}
	}
}

// pppoeSession returns the PPP frame of a PPPoE session packet, where the
// DecodingLayerParser stopped (gopacket's PPPoE is not a DecodingLayer).
func (c *capture) pppoeSession() []byte {
	if len(c.decoded) == 0 {
		return nil
	}
	var (
		et  layers.EthernetType
		pay []byte
	)
	switch c.decoded[len(c.decoded)-1] {
	case layers.LayerTypeEthernet:
		et, pay = c.eth.EthernetType, c.eth.Payload
	case layers.LayerTypeDot1Q:
		et, pay = c.dot1q.Type, c.dot1q.Payload
	case layers.LayerTypeLinuxSLL:
		et, pay = c.sll.EthernetType, c.sll.Payload
	}
	if et != layers.EthernetTypePPPoESession || len(pay) < 6 {
		return nil
	}
	return pay[6:] // version/type, code, session id, length
}

// firstFragment decodes what the first fragment of a fragmented DNS
// datagram holds: the header and question always fit, answers may be cut.
// Later fragments are not looked at (no reassembly): they carry no ports.
func (c *capture) firstFragment(src, dst netip.Addr, proto layers.IPProtocol, p []byte) {
	if len(p) < 8 {
		return
	}
	sp, dp := binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:])
	switch proto {
	case layers.IPProtocolUDP:
		c.datagram(src, dst, sp, dp, p[8:], true)
	case layers.IPProtocolTCP:
		if isDNSPort(sp) || isDNSPort(dp) {
			c.skip("IP fragment of a DNS-over-TCP segment (not reassembled)")
		}
	}
}

// isDNSPort says whether a port is DNS's, mDNS's or LLMNR's.
func isDNSPort(p uint16) bool { return p == 53 || p == 5353 || p == 5355 }

// datagram handles a UDP payload; cut says it is known to be incomplete.
func (c *capture) datagram(src, dst netip.Addr, sp, dp uint16, payload []byte, cut bool) {
	if !isDNSPort(sp) && !isDNSPort(dp) {
		return
	}
	c.message(payload, netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp), cut || c.cut)
}

// flush emits every query and request still waiting, oldest first.
func (c *capture) flush() {
	if c.http != nil {
		c.http.flushAll()
	}
	for q := c.pending.oldest(); q != nil; q = c.pending.oldest() {
		c.unanswered(q)
	}
	for k, f := range c.flows {
		if len(f.buf) > 0 {
			c.skip("capture ended inside a DNS-over-TCP message")
		}
		delete(c.flows, k)
	}
}

// flowKey is one direction of a TCP connection.
type flowKey struct{ src, dst netip.AddrPort }

// tcpFlow reassembles the DNS messages of one direction of a connection.
type tcpFlow struct {
	next   uint32 // sequence number expected next
	synced bool   // next is known
	buf    []byte // start of a message whose rest has not arrived
	last   int64  // capture time of the last segment
}

// tcpSegment handles a TCP segment: DNS over TCP is a stream of messages,
// each after a 2-byte length (RFC 1035 4.2.2), cut into segments anywhere.
func (c *capture) tcpSegment(src, dst netip.Addr) {
	t := &c.tcp
	sp, dp := uint16(t.SrcPort), uint16(t.DstPort)
	if !isDNSPort(sp) && !isDNSPort(dp) {
		if c.http != nil || len(t.Payload) > 0 && 'A' <= t.Payload[0] && t.Payload[0] <= 'Z' {
			c.httpSegment(src, dst) // a request starts with a method in capitals
		}
		return
	}
	k := flowKey{netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp)}
	f := c.flows[k]
	switch {
	case t.SYN:
		if f == nil {
			f = c.newFlow(k)
		}
		if f != nil {
			f.next, f.synced, f.buf = t.Seq+1, true, f.buf[:0]
		}
	case len(t.Payload) > 0:
		if f == nil {
			f = c.newFlow(k) // picked up mid-connection
		}
		if f == nil {
			// No room to reassemble: take the messages the segment
			// holds whole, lose the rest.
			c.tcpMessages(t.Payload, k)
			break
		}
		c.reassemble(f, k)
	}
	if f != nil && (t.FIN || t.RST) {
		if len(f.buf) > 0 {
			c.skip("DNS-over-TCP connection closed inside a message")
		}
		delete(c.flows, k)
	}
}

func (c *capture) reassemble(f *tcpFlow, k flowKey) {
	t := &c.tcp
	data := t.Payload
	if f.synced {
		switch d := int32(t.Seq - f.next); {
		case d < 0 && int(-d) >= len(data):
			return // retransmission of what we have
		case d < 0:
			data = data[-d:] // partly retransmitted
		case d > 0 && len(f.buf) > 0:
			c.skip("DNS-over-TCP segment missing from capture, message lost")
			f.buf = f.buf[:0]
		}
	}
	f.next, f.synced, f.last = t.Seq+uint32(len(t.Payload)), true, c.now
	if len(f.buf) == 0 {
		rest := c.tcpMessages(data, k)
		f.buf = append(f.buf, rest...)
		return
	}
	f.buf = append(f.buf, data...)
	rest := c.tcpMessages(f.buf, k)
	f.buf = f.buf[:copy(f.buf, rest)]
}

// tcpMessages handles the complete messages at the start of data and
// returns the incomplete rest.
func (c *capture) tcpMessages(data []byte, k flowKey) []byte {
	for len(data) >= 2 {
		n := 2 + int(binary.BigEndian.Uint16(data))
		if len(data) < n {
			break
		}
		c.message(data[2:n], k.src, k.dst, false)
		data = data[n:]
	}
	return data
}

// newFlow starts reassembly for k, making room by dropping idle flows;
// nil when there is no room.
func (c *capture) newFlow(k flowKey) *tcpFlow {
	if len(c.flows) >= maxTCPFlows {
		for fk, f := range c.flows {
			if c.now-f.last > pairWindow {
				delete(c.flows, fk)
			}
		}
	}
	if len(c.flows) >= maxTCPFlows {
		c.skip("too many DNS-over-TCP connections, segment not reassembled")
		return nil
	}
	f := &tcpFlow{last: c.now}
	c.flows[k] = f
	return f
}
