package parse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// The capture file variants, written by hand here: pcapgo writes only
// little-endian microsecond pcap and little-endian pcapng.

// byteOrder is binary.LittleEndian or binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// pcapFileHeader is a pcap file header with the given magic number,
// version and link type, in byte order bo.
func pcapFileHeader(bo byteOrder, magic uint32, major, minor uint16, lt layers.LinkType) []byte {
	b := bo.AppendUint32(nil, magic)
	b = bo.AppendUint16(b, major)
	b = bo.AppendUint16(b, minor)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0) // thiszone, sigfigs
	b = bo.AppendUint32(b, 65535)
	return bo.AppendUint32(b, uint32(lt))
}

// pcapRecord appends one packet record of a file made by pcapFileHeader.
// The packet is said to have been wire bytes long on the wire: more than
// len(data) marks it cut by the snap length. Versions before 2.3 (and
// some 2.3 writers) put the wire length before the captured one.
func pcapRecord(b []byte, bo byteOrder, magic uint32, minor uint16, ts time.Time, wire int, data []byte) []byte {
	frac := ts.Nanosecond() / 1000
	if magic == pcapNano {
		frac = ts.Nanosecond()
	}
	b = bo.AppendUint32(b, uint32(ts.Unix()))
	b = bo.AppendUint32(b, uint32(frac))
	first, second := uint32(len(data)), uint32(wire)
	if minor < 4 {
		first, second = second, first
	}
	b = bo.AppendUint32(b, first)
	b = bo.AppendUint32(b, second)
	if magic == pcapModified {
		b = append(b, 0, 0, 0, 2, 0x08, 0x00, 0, 0) // interface index, protocol, packet type, padding
	}
	return append(b, data...)
}

// Every pcap variant libpcap reads gives the same records.
func TestPcapVariants(t *testing.T) {
	q := ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry))
	r := ether(udp4("10.0.0.53", "10.0.0.1", 53, 4444, rsp))
	// A query at a time with nanoseconds: microsecond files hold it
	// truncated, longtail keeps microseconds of nanosecond files.
	tq := t0.Add(123456789 * time.Nanosecond)
	for _, tc := range []struct {
		name         string
		magic        uint32
		major, minor uint16
	}{
		{"micro", pcapMicro, 2, 4},
		{"nano", pcapNano, 2, 4},
		{"modified", pcapModified, 2, 4},
		{"v2.2", pcapMicro, 2, 2},
		{"v2.3", pcapMicro, 2, 3},
	} {
		for _, bo := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
			t.Run(fmt.Sprintf("%s-%s", tc.name, bo), func(t *testing.T) {
				b := pcapFileHeader(bo, tc.magic, tc.major, tc.minor, layers.LinkTypeEthernet)
				b = pcapRecord(b, bo, tc.magic, tc.minor, tq, len(q), q)
				second := int64(len(b))
				// The response lost its last 4 bytes on the wire (an FCS, say):
				// read wrongly, its lengths would misalign the file.
				b = pcapRecord(b, bo, tc.magic, tc.minor, tq.Add(time.Millisecond), len(r)+4, r)
				c, pos, err := decodeCapture(t, b, Resume{})
				want := answered
				want.Time = t0.UnixMicro() + 123456
				if err != nil || len(c.skips) != 0 || len(c.recs) != 1 || c.recs[0] != want {
					t.Fatalf("%v %+v %+v; want %+v", err, c.skips, c.recs, want)
				}
				if pos != (Position{Line: 2, Offset: int64(len(b))}) {
					t.Errorf("position %+v, want 2 packets, %d bytes", pos, len(b))
				}
				// A resumed read knows where the second record starts.
				o := &cutOut{}
				f, _ := Detect(b)
				f.Stream(t.Context(), bytes.NewReader(b), Resume{}, o)
				if len(o.cuts) == 0 || o.cuts[0].at.Read != (Position{Line: 1, Offset: second}) {
					t.Errorf("checkpoints %+v: want one after packet 1 at byte %d", o.cuts, second)
				}
			})
		}
	}
}

// A pcap header of a version libpcap does not read is refused.
func TestPcapVersionRefused(t *testing.T) {
	for _, v := range [][2]uint16{{1, 0}, {2, 5}, {3, 4}, {543, 1}} {
		b := pcapFileHeader(binary.LittleEndian, pcapMicro, v[0], v[1], layers.LinkTypeEthernet)
		if _, _, err := decodeCapture(t, b, Resume{}); err == nil {
			t.Errorf("version %d.%d read", v[0], v[1])
		}
	}
	// DG/UX tcpdump's 543.0 is 2.2's layout.
	b := pcapFileHeader(binary.BigEndian, pcapMicro, 543, 0, layers.LinkTypeEthernet)
	b = pcapRecord(b, binary.BigEndian, pcapMicro, 2, t0, 60, ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry)))
	if c, _, err := decodeCapture(t, b, Resume{}); err != nil || len(c.recs) != 1 {
		t.Errorf("543.0: %v %+v", err, c.recs)
	}
}

// ngBuilder writes pcapng blocks by hand, in either byte order, and notes
// where each packet block starts.
type ngBuilder struct {
	b       []byte
	bo      byteOrder
	packets []int64
}

func (n *ngBuilder) block(typ uint32, body []byte) {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	size := uint32(12 + len(body))
	n.b = n.bo.AppendUint32(n.b, typ)
	n.b = n.bo.AppendUint32(n.b, size)
	n.b = append(n.b, body...)
	n.b = n.bo.AppendUint32(n.b, size)
}

// section starts a section in byte order bo.
func (n *ngBuilder) section(bo byteOrder) {
	n.bo = bo
	body := bo.AppendUint32(nil, 0x1a2b3c4d)
	body = bo.AppendUint16(body, 1)
	body = bo.AppendUint16(body, 0)
	body = bo.AppendUint64(body, ^uint64(0)) // section length not given
	n.block(0x0a0d0d0a, body)
}

// iface describes an interface: its link type, its if_tsresol (0: the
// default, microseconds) and its if_tsoffset in seconds.
func (n *ngBuilder) iface(lt layers.LinkType, tsresol byte, tsoffset int64) {
	body := n.bo.AppendUint16(nil, uint16(lt))
	body = append(body, 0, 0)
	body = n.bo.AppendUint32(body, 65535)
	if tsresol != 0 {
		body = n.bo.AppendUint16(body, 9)
		body = n.bo.AppendUint16(body, 1)
		body = append(body, tsresol, 0, 0, 0)
	}
	if tsoffset != 0 {
		body = n.bo.AppendUint16(body, 14)
		body = n.bo.AppendUint16(body, 8)
		body = n.bo.AppendUint64(body, uint64(tsoffset))
	}
	body = append(body, 0, 0, 0, 0) // end of options
	n.block(1, body)
}

// packet writes an enhanced packet block on interface i, its timestamp
// ts already in the interface's units.
func (n *ngBuilder) packet(i uint32, ts uint64, data []byte) {
	n.packets = append(n.packets, int64(len(n.b)))
	body := n.bo.AppendUint32(nil, i)
	body = n.bo.AppendUint32(body, uint32(ts>>32))
	body = n.bo.AppendUint32(body, uint32(ts))
	body = n.bo.AppendUint32(body, uint32(len(data)))
	body = n.bo.AppendUint32(body, uint32(len(data)))
	n.block(6, append(body, data...))
}

// A pcapng file of two sections, one in each byte order, with interfaces
// of different link types and timestamp resolutions: each packet is read
// with its interface's link type and time, queries pair with responses
// captured on another interface, and offsets are those of the blocks.
func TestPcapngInterfacesAndSections(t *testing.T) {
	q1 := udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry)
	r1 := ether(udp4("10.0.0.53", "10.0.0.1", 53, 4444, rsp))
	q2msg := dnsWire(8, false, "two.example", 28, 0, 0)
	r2msg := dnsWire(8, true, "two.example", 28, 3, 0)
	q2 := ether(udp4("10.0.0.2", "10.0.0.53", 5555, 53, q2msg))
	sll := func(ip []byte) []byte {
		return append([]byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00}, ip...)
	}
	r2 := sll(udp4("10.0.0.53", "10.0.0.2", 53, 5555, r2msg))
	t1 := t0.Add(10 * time.Second)

	for _, order := range [][2]byteOrder{{binary.LittleEndian, binary.BigEndian}, {binary.BigEndian, binary.LittleEndian}} {
		t.Run(fmt.Sprint(order[0], "-", order[1]), func(t *testing.T) {
			var n ngBuilder
			n.section(order[0])
			n.iface(layers.LinkTypeEthernet, 0, 0)
			n.iface(layers.LinkTypeRaw, 9, 0) // nanoseconds
			n.packet(1, uint64(t0.UnixNano()+123456789), q1)
			n.packet(0, uint64(t0.UnixMicro()+130000), r1)
			n.section(order[1])                             // interfaces start again from 0
			n.iface(layers.LinkTypeEthernet, 0x80|10, 3600) // 2^-10 s, an hour later than it says
			n.iface(layers.LinkTypeLinuxSLL, 3, 0)          // milliseconds
			n.packet(0, uint64(t1.Unix()-3600)<<10, q2)
			n.packet(1, uint64(t1.UnixMilli()+20), r2)

			c, pos, err := decodeCapture(t, n.b, Resume{})
			if err != nil || len(c.skips) != 0 || pos != (Position{Line: 4, Offset: int64(len(n.b))}) {
				t.Fatalf("%v %+v %+v", err, c.skips, pos)
			}
			first := answered
			first.Time, first.Offset = t0.UnixMicro()+123456, n.packets[0]
			second := gotRec{t1.UnixMicro(), "10.0.0.2", "two.example", 28, 3, -1, "", 3, n.packets[2]}
			if len(c.recs) != 2 || c.recs[0] != first || c.recs[1] != second {
				t.Errorf("got  %+v\nwant %+v", c.recs, []gotRec{first, second})
			}
		})
	}
}

// variantCaptures are captures in the variants above, as fuzz seeds: a
// query and its response in modified big-endian pcap, nanosecond pcap and
// version 2.2 pcap, and in a pcapng file of two sections.
func variantCaptures() [][]byte {
	q := ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry))
	r := ether(udp4("10.0.0.53", "10.0.0.1", 53, 4444, rsp))
	var out [][]byte
	for _, v := range []struct {
		bo    byteOrder
		magic uint32
		minor uint16
	}{{binary.BigEndian, pcapModified, 4}, {binary.LittleEndian, pcapNano, 4}, {binary.LittleEndian, pcapMicro, 2}} {
		b := pcapFileHeader(v.bo, v.magic, 2, v.minor, layers.LinkTypeEthernet)
		b = pcapRecord(b, v.bo, v.magic, v.minor, t0, len(q), q)
		out = append(out, pcapRecord(b, v.bo, v.magic, v.minor, t0.Add(time.Millisecond), len(r)+4, r))
	}
	var n ngBuilder
	n.section(binary.BigEndian)
	n.iface(layers.LinkTypeEthernet, 9, 0)
	n.packet(0, uint64(t0.UnixNano()), q)
	n.section(binary.LittleEndian)
	n.iface(layers.LinkTypeEthernet, 0x80|10, 60)
	n.packet(0, uint64(t0.Unix()-60)<<10, r)
	return append(out, n.b)
}
