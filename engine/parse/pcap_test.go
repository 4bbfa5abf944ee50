package parse

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/longtail/longtail/engine/record"
)

// decodeCapture detects the format of b and streams it from from.
func decodeCapture(t testing.TB, b []byte, from Resume) (*gotOut, Position, error) {
	t.Helper()
	f, err := Detect(b[:min(len(b), HeadSize)])
	if err != nil || (f.Name != "pcap" && f.Name != "pcapng") {
		t.Fatalf("detected %q, %v; want pcap or pcapng", f.Name, err)
	}
	var c gotOut
	at, err := f.Stream(context.Background(), bytes.NewReader(b), from, &c)
	return &c, at.Read, err
}

// decodeSample decodes a capture from ../shared/data.
func decodeSample(t *testing.T, rel string) (*gotOut, Position) {
	t.Helper()
	b := sample(t, rel)
	c, pos, err := decodeCapture(t, b, Resume{})
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return c, pos
}

// TestPcapCounts checks the number of records, packets and skipped
// packets of real captures, without tshark (TestCaptureCountsMatchTshark
// compares every capture's count with tshark's). The numbers come from
// tshark 4.x:
//
//	q = tshark -r F -Y 'dns.flags.response == 0' | wc -l
//	u = tshark -r F -Y 'dns.flags.response == 1 && !dns.response_to && !dns.retransmission' | wc -l
//
// and want = q + u (every query, plus responses whose query is missing)
// unless the comment says why longtail differs. pkts is capinfos -c.
func TestPcapCounts(t *testing.T) {
	for _, tc := range []struct {
		file       string
		want, pkts int
		skips      int
	}{
		{"pcap/edgecases/tcpdump_LINKTYPE_RAW_ipv4.pcap", 1, 1, 0}, // q=1
		{"pcap/edgecases/tcpdump_dns-uri.pcap", 2, 4, 0},           // q=2
		{"pcap/edgecases/tcpdump_dns_tcp.pcap", 1, 11, 0},          // q=1
		{"pcap/edgecases/tcpdump_dns_udp.pcap", 1, 2, 0},           // q=1
		{"pcap/edgecases/tcpdump_dnssec.pcap", 3, 6, 0},            // q=3
		{"pcap/edgecases/tcpdump_edns-opts.pcap", 21, 42, 0},       // q=21
		{"pcap/edgecases/tcpdump_ssh.pcap", 0, 54, 0},
		// q=20 u=50; the first fragments of 4 responses are decoded from
		// what they hold.
		{"pcap/edgecases/zeek_dns-edns-ecs.pcap", 70, 89, 0},
		{"pcap/edgecases/zeek_dns-huge-ttl.pcap", 1, 1, 0},       // u=1
		{"pcap/edgecases/zeek_dns-two-responses.pcap", 1, 3, 1},  // q=1; the second response is reported
		{"pcap/edgecases/zeek_dns-txt-multiple.pcap", 1, 2, 0},   // q=1
		{"pcap/edgecases/zeek_dns53.pcap", 1, 1, 0},              // u=1
		{"pcap/edgecases/zeek_dns_dynamic-update.pcap", 2, 4, 0}, // q=2
		{"pcap/edgecases/zeek_dns_long-connection.pcap", 11, 22, 0},
		// q=12; multicast mDNS answers are not queries.
		{"pcap/edgecases/zeek_dns_mdns.pcap", 12, 24, 0},
		{"pcap/edgecases/zeek_dns_tkey.pcap", 1, 12, 0},
		{"pcap/ndpi/ndpi_bad-dns-traffic.pcap", 220, 382, 0}, // q=220
		// u=91, all first fragments cut by the snap length; 10 are cut
		// inside the header or question (tshark marks them malformed).
		{"pcap/ndpi/ndpi_badpackets.pcap", 83, 93, 10},
		// q=1; the response's name differs from the query's, so they
		// are not paired (tshark pairs by id alone).
		{"pcap/ndpi/ndpi_dns-invalid-chars.pcap", 2, 2, 0},
		{"pcap/ndpi/ndpi_dns.pcap", 3, 5, 0}, // q=2 u=1; the whatsapp pair is in VLAN+PPPoE
		{"pcap/ndpi/ndpi_dns_ambiguous_names.pcap", 10, 20, 0},
		{"pcap/ndpi/ndpi_dns_exfiltration.pcap", 150, 300, 0},
		{"pcap/ndpi/ndpi_dns_fragmented.pcap", 22, 66, 0},
		// q=1 r=1: an IQUERY (opcode 1) without question and its answer.
		{"pcap/ndpi/ndpi_dns_invert_query.pcapng", 0, 2, 2},
		{"pcap/ndpi/ndpi_dns_long_domainname.pcap", 1, 2, 0},
		{"pcap/ndpi/ndpi_dns_doh.pcap", 0, 142, 0},
		// q=2 u=2; the 4 responses have a second question over 255
		// bytes (tshark: "Name too long"), their queries stay unanswered.
		{"pcap/ndpi/ndpi_malformed_dns.pcap", 2, 6, 4},
		{"pcap/general/chrissanders/dns.pcap", 7, 7, 0}, // u=7, pcapng despite the name
		{"pcap/general/chrissanders/dns_axfr.pcapng", 1, 11, 0},
		{"pcap/general/chrissanders/dns_isp_hijack.pcapng", 2, 123, 0},
		{"pcap/general/chrissanders/dns_lab.pcapng", 11, 22, 0},
		{"pcap/general/chrissanders/dns_query_nonexistent.pcapng", 1, 2, 0},
		{"pcap/general/chrissanders/dns_reverse_lookup.pcapng", 1, 2, 0},
		{"pcap/general/chrissanders/dns_tcp.pcapng", 2, 14, 0},
		// q=4: two of them are the query quoted in an ICMP error, which
		// is not decoded.
		{"pcap/general/malcolm/malcolm_cve-2021-44228_log4j-dns_exfil.pcap", 2, 14, 0},
		{"tunnel/dmachard_dns2tcp.pcap", 22, 26, 0},
		{"tunnel/dmachard_dnscat2.pcap", 12, 24, 0},
		{"tunnel/dmachard_dnsextrator.pcap", 14, 28, 0},
		{"tunnel/dmachard_iodine.pcap", 12, 24, 0},
		{"tunnel/dmachard_sods.pcap", 493, 986, 0},
		{"tunnel/domainator_dnscat_handshake_240731.pcapng", 8, 20, 0},
		{"tunnel/domainator_dnscat_upload-big_240731.pcapng", 182, 364, 0},
		{"tunnel/domainator_iodine_handshake-fakenet_240904.pcapng", 35, 66, 0},
		{"tunnel/domainator_iodine_upload-big_240731.pcapng", 95, 188, 0}, // q=94 u=1
		{"tunnel/iodine_elastic_examples.pcap", 222, 438, 0},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			c, pos := decodeSample(t, tc.file)
			if len(c.recs) != tc.want || pos.Line != int64(tc.pkts) || len(c.skips) != tc.skips {
				t.Errorf("%d records, %d packets, %d skips %v; want %d, %d, %d",
					len(c.recs), pos.Line, len(c.skips), c.skips, tc.want, tc.pkts, tc.skips)
			}
			if fi, err := os.Stat(samplePath(t, tc.file)); err == nil && pos.Offset != fi.Size() {
				t.Errorf("position offset %d, file size %d", pos.Offset, fi.Size())
			}
		})
	}
}

// TestPcapRecords checks whole records, one per link type and transport.
// Fields from tshark -T fields -e frame.number -e frame.time_epoch -e ip.src
// -e ipv6.src -e dns.qry.name -e dns.qry.type -e dns.flags.rcode -e dns.a
// -e dns.resp.ttl, and -V for the answer section. pcap offsets are 24 + the
// sum of (16 + tshark frame.cap_len) of the packets before; the pcapng one
// comes from walking the block lengths with a few lines of Python.
func TestPcapRecords(t *testing.T) {
	for _, tc := range []struct {
		file string
		want gotRec
	}{
		{"pcap/edgecases/tcpdump_dns_udp.pcap", gotRec{1591780794740079, "192.168.1.11", "www.tcpdump.org", 1, 0, 60,
			"192.139.46.66,198.199.88.104", 1, 24}},
		{"pcap/edgecases/tcpdump_LINKTYPE_RAW_ipv4.pcap", gotRec{1751997551951226, "192.168.1.100", "example.com", 1, -1, -1, "", 1, 24}},
		// NULL/loopback link; the root name, an SOA answer.
		{"malformed/tcpdump_dns-badcookie.pcap", gotRec{1550020603306944, "127.0.0.1", ".", 6, 0, 85758, "SOA", 3, 216}},
		// Linux SLL.
		{"pcap/general/malcolm/malcolm_cve-2021-44228_log4j-dns_exfil.pcap", gotRec{1614581999538496, "172.16.238.10", "1qaz2wsx", 16, -1, -1, "", 6, 584}},
		// TCP, pcapng: DNSKEY answers, the response spread over segments.
		{"pcap/general/chrissanders/dns_tcp.pcapng", gotRec{1349705329607110, "192.168.11.62", "ripe.net", 255, 0, 311,
			"DNSKEY,DNSKEY,DNSKEY,DNSKEY,RRSIG,DS,DS,RRSIG", 6, 988}},
		// iodine's NULL answers: named like the question's type, not TYPE10.
		{"tunnel/dmachard_iodine.pcap", gotRec{1688392691884548, "192.168.1.17", "yrb0pe.t1.biillpi.com", 10, 0, 0, "NULL", 1, 24}},
		{"pcap/edgecases/tcpdump_dns_tcp.pcap", gotRec{1591780863847323, "192.168.1.11", "www.tcpdump.org", 1, 0, 60,
			"192.139.46.66,198.199.88.104", 4, 260}},
		// Ethernet, two 802.1Q tags, PPPoE, PPP.
		{"pcap/ndpi/ndpi_dns.pcap", gotRec{1484673025972667, "82.178.113.245", "e7.whatsapp.net", 1, 0, 0, "", 4, 0}},
		// IPv6, response only (client = its destination).
		{"pcap/edgecases/zeek_dns-edns-ecs.pcap", gotRec{1534836769578510, "2003:de:2016:120::a08:53", "atlas-ui.ripe.net", 1, 0, 0, "", 14, 0}},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			c, _ := decodeSample(t, tc.file)
			for _, r := range c.recs {
				if r.Line != tc.want.Line {
					continue
				}
				w := tc.want
				if w.Offset == 0 { // not worked out by hand: only the rest is checked
					w.Offset, w.TTL, w.Answers = r.Offset, r.TTL, r.Answers
				}
				if r != w {
					t.Errorf("got  %+v\nwant %+v", r, w)
				}
				return
			}
			t.Errorf("no record for packet %d in %+v", tc.want.Line, c.recs)
		})
	}
}

// Packets for generated captures. Checksums are left zero: nothing here
// checks them.

func dnsWire(id uint16, response bool, name string, qtype uint16, rcode int, ttl uint32, addrs ...[4]byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	flags := uint16(0x0100)
	if response {
		flags |= 0x8000 | uint16(rcode)
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(len(addrs)))
	b = append(b, 0, 0, 0, 0)
	for _, l := range strings.Split(name, ".") {
		b = append(append(b, byte(len(l))), l...)
	}
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, qtype)
	b = binary.BigEndian.AppendUint16(b, 1)
	for _, a := range addrs {
		b = append(b, 0xc0, 12, 0, 1, 0, 1) // pointer to the question name, A, IN
		b = binary.BigEndian.AppendUint32(b, ttl)
		b = append(append(b, 0, 4), a[:]...)
	}
	return b
}

func ipv4(src, dst string, proto byte, payload []byte) []byte {
	b := []byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(payload)))
	b = append(b, net.ParseIP(src).To4()...)
	b = append(b, net.ParseIP(dst).To4()...)
	return append(b, payload...)
}

func udp4(src, dst string, sp, dp uint16, payload []byte) []byte {
	u := binary.BigEndian.AppendUint16(nil, sp)
	u = binary.BigEndian.AppendUint16(u, dp)
	u = binary.BigEndian.AppendUint16(u, uint16(8+len(payload)))
	u = append(u, 0, 0)
	return ipv4(src, dst, 17, append(u, payload...))
}

func tcp4(src, dst string, sp, dp uint16, seq uint32, flags byte, payload []byte) []byte {
	h := binary.BigEndian.AppendUint16(nil, sp)
	h = binary.BigEndian.AppendUint16(h, dp)
	h = binary.BigEndian.AppendUint32(h, seq)
	h = append(h, 0, 0, 0, 0, 5<<4, flags, 0xff, 0xff, 0, 0, 0, 0)
	return ipv4(src, dst, 6, append(h, payload...))
}

func ether(ip []byte) []byte {
	return append([]byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}, ip...)
}

type capPkt struct {
	sec  float64 // seconds after t0
	data []byte
}

var t0 = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// writeCapture writes a pcap file with pcapgo.Writer.
func writeCapture(t testing.TB, lt layers.LinkType, pkts ...capPkt) []byte {
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(65535, lt); err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		ci := gopacket.CaptureInfo{Timestamp: t0.Add(time.Duration(p.sec * float64(time.Second))), CaptureLength: len(p.data), Length: len(p.data)}
		if err := w.WritePacket(ci, p.data); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

var (
	qry = dnsWire(7, false, "example.org", 1, 0, 0)
	rsp = dnsWire(7, true, "example.org", 1, 0, 300, [4]byte{192, 0, 2, 1}, [4]byte{192, 0, 2, 2})
	// answered is the record of qry paired with rsp, sent as packets 1 and 2.
	answered = gotRec{t0.UnixMicro(), "10.0.0.1", "example.org", 1, 0, 300, "192.0.2.1,192.0.2.2", 1, 24}
)

func TestPcapLinkTypes(t *testing.T) {
	q, r := udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry), udp4("10.0.0.53", "10.0.0.1", 53, 4444, rsp)
	null := func(ip []byte) []byte { return append([]byte{2, 0, 0, 0}, ip...) } // AF_INET, host order
	ppp := func(ip []byte) []byte { return append([]byte{0xff, 0x03, 0x00, 0x21}, ip...) }
	sll2 := func(ip []byte) []byte {
		return append([]byte{0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}, ip...)
	}
	vlan := func(ip []byte) []byte {
		return append([]byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0, 7, 0x08, 0x00}, ip...)
	}
	for _, tc := range []struct {
		name string
		lt   layers.LinkType
		wrap func([]byte) []byte
	}{
		{"null", layers.LinkTypeNull, null},
		{"ppp", layers.LinkTypePPP, ppp},
		{"sll2", layers.LinkTypeLinuxSLL2, sll2},
		{"vlan", layers.LinkTypeEthernet, vlan},
		{"raw12", 12, func(ip []byte) []byte { return ip }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := decodeCapture(t, writeCapture(t, tc.lt, capPkt{0, tc.wrap(q)}, capPkt{0.01, tc.wrap(r)}), Resume{})
			if err != nil || len(c.skips) != 0 || len(c.recs) != 1 || c.recs[0] != answered {
				t.Errorf("%v %+v %+v; want %+v", err, c.skips, c.recs, answered)
			}
		})
	}
}

func TestPcapUnsupportedLinkType(t *testing.T) {
	b := writeCapture(t, layers.LinkTypeIEEE802_11, capPkt{0, []byte{1, 2, 3}}, capPkt{1, []byte{4, 5, 6}})
	c, pos, err := decodeCapture(t, b, Resume{})
	if err != nil || pos.Line != 2 || len(c.skips) != 1 || !strings.Contains(c.skips[0].Reason, "not supported") {
		t.Errorf("%v %+v %+v: want one skip for the link type", err, pos, c.skips)
	}
}

// TestPcapPairing covers the pairing rules with packets whose times are
// known: every query is one event; a response pairs with the latest try of
// its query still waiting, a second response with the try before; a
// response whose query was answered already or given up on is reported,
// not an event; a response without any query is an event; unanswered
// queries are emitted after 30 s or at the end; a query sent to a
// multicast group (LLMNR) takes the answer of whoever responds.
func TestPcapPairing(t *testing.T) {
	q := func(id uint16, name string) []byte {
		return ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, dnsWire(id, false, name, 1, 0, 0)))
	}
	r := func(id uint16, name string, rcode int) []byte {
		return ether(udp4("10.0.0.53", "10.0.0.1", 53, 4444, dnsWire(id, true, name, 1, rcode, 0)))
	}
	b := writeCapture(t, layers.LinkTypeEthernet,
		capPkt{0, q(1, "lost.example")},       // 1: never answered in time
		capPkt{1, q(2, "retry.example")},      // 2: answered by 5
		capPkt{2, q(2, "retry.example")},      // 3: the retry, answered by 4
		capPkt{3, r(2, "retry.example", 2)},   // 4
		capPkt{3.1, r(2, "retry.example", 0)}, // 5
		capPkt{3.2, r(2, "retry.example", 2)}, // 6: one response too many
		capPkt{4, r(9, "orphan.example", 0)},  // 7: no query
		capPkt{5, q(4, "once.example")},       // 8: never answered
		capPkt{6, q(4, "once.example")},       // 9: the retry, answered by 10
		capPkt{6.02, r(4, "once.example", 0)}, // 10
		capPkt{40, q(3, "late.example")},      // 11: expires 1 and 8; unanswered at the end
		capPkt{41, r(1, "lost.example", 0)},   // 12: too late for 1
		capPkt{42, ether(udp4("10.0.0.1", "224.0.0.252", 5000, 5355, dnsWire(5, false, "printer", 1, 0, 0)))},                      // 13: LLMNR
		capPkt{42.1, ether(udp4("10.0.0.9", "10.0.0.1", 5355, 5000, dnsWire(5, true, "printer", 1, 0, 30, [4]byte{10, 0, 0, 9})))}, // 14
	)
	c, _, err := decodeCapture(t, b, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		name  string
		line  int64
		rcode int16
	}
	var got []ev
	for _, r := range c.recs {
		got = append(got, ev{r.Name, r.Line, r.RCode})
	}
	want := []ev{
		{"retry.example", 3, 2},
		{"retry.example", 2, 0},
		{"orphan.example", 7, 0},
		{"once.example", 9, 0},
		{"lost.example", 1, -1}, // expired when packet 11 (t=40s) arrives
		{"once.example", 8, -1},
		{"printer", 13, 0},
		{"late.example", 11, -1}, // flushed at the end
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if i := slices.Index(got, ev{"orphan.example", 7, 0}); i < 0 || c.recs[i].Client != "10.0.0.1" {
		t.Errorf("response-only client: want its destination 10.0.0.1 in %+v", c.recs)
	}
	if i := slices.Index(got, ev{"printer", 13, 0}); i < 0 || c.recs[i].Client != "10.0.0.1" || c.recs[i].Answers != "10.0.0.9" {
		t.Errorf("LLMNR: want client 10.0.0.1 answered 10.0.0.9 in %+v", c.recs)
	}
	wantSkips := []string{"6 " + lateResponse(true), "12 " + lateResponse(false)}
	if !slices.Equal(c.skipList(), wantSkips) {
		t.Errorf("skips %q, want %q", c.skipList(), wantSkips)
	}
}

// TestPcapTCPReassembly: two messages in one segment, one message split
// over three segments, a retransmission that must not count twice.
func TestPcapTCPReassembly(t *testing.T) {
	msg := func(m []byte) []byte { return append(binary.BigEndian.AppendUint16(nil, uint16(len(m))), m...) }
	q1, q2 := msg(dnsWire(1, false, "one.example", 1, 0, 0)), msg(dnsWire(2, false, "two.example", 28, 0, 0))
	r1 := msg(dnsWire(1, true, "one.example", 1, 0, 60, [4]byte{192, 0, 2, 9}))
	c2s := func(seq uint32, flags byte, p []byte) []byte {
		return ether(tcp4("10.0.0.1", "10.0.0.53", 5555, 53, seq, flags, p))
	}
	s2c := func(seq uint32, flags byte, p []byte) []byte {
		return ether(tcp4("10.0.0.53", "10.0.0.1", 53, 5555, seq, flags, p))
	}
	const syn, ack, fin = 0x02, 0x10, 0x01
	both := append(append([]byte{}, q1...), q2...)
	b := writeCapture(t, layers.LinkTypeEthernet,
		capPkt{0, c2s(100, syn, nil)},
		capPkt{0, s2c(900, syn|ack, nil)},
		capPkt{0, c2s(101, ack, both)},                      // 3: both queries
		capPkt{0, c2s(101, ack, both)},                      // 4: retransmitted
		capPkt{1, s2c(901, ack, r1[:1])},                    // 5: half of the length
		capPkt{1, s2c(902, ack, r1[1:20])},                  // 6
		capPkt{1, s2c(921, ack, r1[20:])},                   // 7: completes the response
		capPkt{2, c2s(101+uint32(len(both)), fin|ack, nil)}, // 8
	)
	c, _, err := decodeCapture(t, b, Resume{})
	if err != nil || len(c.skips) != 0 {
		t.Fatal(err, c.skips)
	}
	if len(c.recs) != 2 {
		t.Fatalf("records %+v, want 2", c.recs)
	}
	one, two := c.recs[0], c.recs[1]
	if one.Name != "one.example" || one.Answers != "192.0.2.9" || one.TTL != 60 || one.Line != 3 ||
		two.Name != "two.example" || two.QType != 28 || two.RCode != -1 || two.Line != 3 {
		t.Errorf("got %+v", c.recs)
	}
}

// TestPcapFragment: the first fragment of a large response is decoded from
// what it holds; the second fragment is not looked at.
func TestPcapFragment(t *testing.T) {
	var addrs [][4]byte
	for i := range 100 {
		addrs = append(addrs, [4]byte{192, 0, 2, byte(i)})
	}
	full := udp4("10.0.0.53", "10.0.0.1", 53, 4444, dnsWire(7, true, "example.org", 1, 0, 300, addrs...))
	first := append([]byte{}, full[:20+8+29+16*3+5]...) // cut inside the 4th answer
	first[6] = 0x20                                     // more fragments
	binary.BigEndian.PutUint16(first[2:], uint16(len(first)))
	second := append(append([]byte{}, full[:20]...), full[len(first):]...)
	binary.BigEndian.PutUint16(second[6:], uint16(len(first)-20)/8)
	b := writeCapture(t, layers.LinkTypeEthernet,
		capPkt{0, ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry))}, capPkt{0, ether(first)}, capPkt{0, ether(second)})
	c, _, _ := decodeCapture(t, b, Resume{})
	want := answered
	want.Answers = "192.0.2.0,192.0.2.1,192.0.2.2"
	if len(c.recs) != 1 || c.recs[0] != want || len(c.skips) != 0 {
		t.Errorf("got %+v %+v, want %+v", c.recs, c.skips, want)
	}
}

// TestPcapResume: a resumed decode emits exactly the records of the full
// decode whose query (or lone response) comes after the resume point.
func TestPcapResume(t *testing.T) {
	b := sample(t, "tunnel/dmachard_iodine.pcap")
	all, _, _ := decodeCapture(t, b, Resume{})
	for _, from := range []int64{1, 7, 23, 24} {
		got, pos, err := decodeCapture(t, b, Done(Position{Line: from}))
		var want []gotRec
		for _, r := range all.recs {
			if r.Line > from {
				want = append(want, r)
			}
		}
		if err != nil || pos.Line != 24 || len(got.recs) != len(want) {
			t.Fatalf("from %d: %v %+v, %d records, want %d", from, err, pos, len(got.recs), len(want))
		}
		for i := range want {
			if got.recs[i] != want[i] {
				t.Errorf("from %d: %+v, want %+v", from, got.recs[i], want[i])
			}
		}
	}
}

// TestPcapTruncatedAndBroken: a file cut inside its last packet loses that
// packet only; a broken file header is an error.
func TestPcapTruncatedAndBroken(t *testing.T) {
	b := writeCapture(t, layers.LinkTypeEthernet,
		capPkt{0, ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry))},
		capPkt{0.1, ether(udp4("10.0.0.53", "10.0.0.1", 53, 4444, rsp))})
	second := int64(24 + 16 + len(ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry))))
	for _, cut := range []int64{second + 10, second + 20} { // in the record header, in the data
		c, pos, err := decodeCapture(t, b[:cut], Resume{})
		want := answered
		want.RCode, want.TTL, want.Answers = -1, -1, ""
		if err != nil || pos != (Position{Line: 1, Offset: second}) || len(c.recs) != 1 || c.recs[0] != want ||
			len(c.skips) != 1 || c.skips[0].Line != 2 || c.skips[0].Offset != second {
			t.Errorf("cut at %d: %v %+v %+v %+v", cut, err, pos, c.recs, c.skips)
		}
	}
	broken := append([]byte{}, b[:24]...)
	broken[4] = 9 // major version
	f, _ := ByName("pcap")
	if _, err := f.Stream(context.Background(), bytes.NewReader(broken), Resume{}, &gotOut{}); err == nil {
		t.Error("broken header: no error")
	}
	ng, _ := ByName("pcapng")
	if _, err := ng.Stream(context.Background(), bytes.NewReader([]byte{0x0a, 0x0d, 0x0d, 0x0a, 1}), Resume{}, &gotOut{}); err == nil {
		t.Error("broken pcapng header: no error")
	}
}

func TestPcapDetect(t *testing.T) {
	for _, tc := range []struct {
		head     []byte
		pcap, ng bool
	}{
		{[]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0}, true, false},
		{[]byte{0xa1, 0xb2, 0xc3, 0xd4, 0, 2}, true, false},
		{[]byte{0x4d, 0x3c, 0xb2, 0xa1, 2, 0}, true, false},
		{[]byte{0xa1, 0xb2, 0x3c, 0x4d, 0, 2}, true, false},
		{[]byte{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a}, false, true},
		{[]byte{0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0x1c, 0x1a, 0x2b, 0x3c, 0x4d}, false, true},
		{[]byte("\\n\\r\\r\\nnot a capture"), false, false},
		{[]byte("#separator \\x09"), false, false},
	} {
		if isPcap(tc.head) != tc.pcap || isPcapng(tc.head) != tc.ng {
			t.Errorf("%q: pcap %v pcapng %v", tc.head, isPcap(tc.head), isPcapng(tc.head))
		}
	}
}

// TestPcapMalformed decodes every capture of malformed/: no panic, no
// error, every packet counted (capinfos -c), and the broken DNS reported.
// Skips are at least the DNS messages tshark marks malformed
// (tshark -r F -Y '_ws.malformed && dns' | wc -l) where we agree it is DNS.
func TestPcapMalformed(t *testing.T) {
	dir := samplePath(t, "malformed")
	files, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
	if len(files) == 0 {
		t.Skip("no captures")
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			c, pos, err := decodeCapture(t, b, Resume{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range c.skips {
				if s.Line < 1 || s.Line > pos.Line+1 || s.Reason == "" {
					t.Errorf("skip %+v outside packets 1..%d", s, pos.Line+1)
				}
			}
			t.Logf("%d packets, %d records, %d skips", pos.Line, len(c.recs), len(c.skips))
			if want, ok := malformedSkips[filepath.Base(p)]; ok && len(c.skips) < want {
				t.Errorf("%d skips %+v, want at least %d", len(c.skips), c.skips, want)
			}
		})
	}
}

// malformedSkips: captures of malformed/ whose broken DNS must be reported.
var malformedSkips = map[string]int{
	"tcpdump_dns-badlabel.pcap":                    1, // name too long (tshark: "Name too long")
	"tcpdump_dns_fwdptr.pcap":                      1,
	"zeek_dns_dns-invalid-names.pcap":              3, // tshark: 2 malformed + a pointer loop
	"tcpdump_dns-zlip-1.pcap":                      1, // compression loops
	"tcpdump_dns-zlip-2.pcap":                      1,
	"tcpdump_dns-zlip-3.pcap":                      1,
	"zeek_trunc_trunc-hdr.pcap":                    1, // cut in the first record
	"zeek_trunc_ipv4-truncated-broken-header.pcap": 1,
	"malcolm_dns_long_cname.pcap":                  1,
}

// sampleDNSPayloads extracts the UDP payloads to and from port 53 of a
// few real captures, as fuzz seeds.
func sampleDNSPayloads(f *testing.F) [][]byte {
	var out [][]byte
	for _, rel := range []string{"pcap/edgecases/tcpdump_dns_udp.pcap", "pcap/edgecases/tcpdump_dnssec.pcap",
		"pcap/edgecases/zeek_dns_mdns.pcap", "malformed/tcpdump_dns-zlip-1.pcap", "malformed/zeek_dns_dns-invalid-names.pcap",
		"malformed/zeek_dns_max-compression-depth.pcap", "tunnel/dmachard_iodine.pcap"} {
		fh, err := os.Open(filepath.Join("..", "..", "..", "shared", "data", rel))
		if err != nil {
			continue
		}
		r, err := pcapgo.NewReader(fh)
		if err == nil {
			src := gopacket.NewPacketSource(r, r.LinkType())
			for p := range src.Packets() {
				if u, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP); ok && (u.SrcPort == 53 || u.DstPort == 53 || u.SrcPort == 5353) {
					out = append(out, u.Payload)
				}
			}
		}
		fh.Close()
	}
	return out
}

func FuzzDNSMsg(f *testing.F) {
	f.Add(qry)
	f.Add(rsp)
	f.Add(dnsWire(1, true, "a.b", 16, 3, 1))
	for _, p := range sampleDNSPayloads(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m dnsMsg
		for _, cut := range []bool{false, true} {
			if err := m.parse(b, cut); err == nil && (len(m.name) == 0 || len(m.name) > maxNameWire) {
				t.Fatalf("name %q", m.name)
			}
		}
	})
}

func FuzzPcapStream(f *testing.F) {
	f.Add(writeCapture(f, layers.LinkTypeEthernet,
		capPkt{0, ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry))},
		capPkt{1, ether(tcp4("10.0.0.53", "10.0.0.1", 53, 4444, 1, 0x18, append([]byte{0, byte(len(rsp))}, rsp...)))},
		capPkt{2, ether(udp4("10.0.0.53", "10.0.0.1", 53, 4444, rsp))}))
	for _, b := range variantCaptures() {
		f.Add(b)
	}
	for _, rel := range []string{"pcap/edgecases/tcpdump_dns_tcp.pcap", "pcap/ndpi/ndpi_dns.pcap",
		"pcap/ndpi/ndpi_dns_invert_query.pcapng", "malformed/tcpdump_dns-badcookie.pcap", "pcap/edgecases/tcpdump_LINKTYPE_RAW_ipv4.pcap"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "data", rel)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, stream := range []func(context.Context, io.Reader, Resume, record.Output) (Resume, error){streamPcap, streamPcapng} {
			var c gotOut
			at, _ := stream(context.Background(), bytes.NewReader(b), Resume{}, &c)
			if pos := at.Read; pos.Offset > int64(len(b)) || int64(len(c.recs)) > 64*pos.Line+64 {
				t.Fatalf("position %+v, %d records of %d bytes", pos, len(c.recs), len(b))
			}
		}
	})
}

// capCount counts what it gets; the benchmark measures the decoder.
type capCount struct{ recs, skips int }

func (o *capCount) Record(*record.Record)     { o.recs++ }
func (o *capCount) Skip(int64, int64, string) { o.skips++ }

var benchCapture []byte

// BenchmarkPcapDecode decodes a generated capture of 1M packets: 500k
// queries and their responses on Ethernet/IPv4/UDP, 50k distinct names.
func BenchmarkPcapDecode(b *testing.B) {
	const pairs = 500_000
	if benchCapture == nil {
		benchCapture = dnsBenchCapture(pairs, nil)
	}
	benchDecode(b, benchCapture, pairs)
}

// dnsBenchCapture writes a capture of pairs DNS queries and their
// responses on Ethernet/IPv4/UDP, 50k distinct names, with the packets
// between(i) returns between query i and its response.
func dnsBenchCapture(pairs int, between func(i int) [][]byte) []byte {
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	_ = w.WriteFileHeader(65535, layers.LinkTypeEthernet)
	for i := range pairs {
		name := "host" + strconv.Itoa(i%50_000) + ".dept" + strconv.Itoa(i%97) + ".example.com"
		id := uint16(i)
		client := "10.1." + strconv.Itoa(i%200) + "." + strconv.Itoa(1+i%250)
		sp := uint16(1024 + i%60000)
		ts := t0.Add(time.Duration(i) * 100 * time.Microsecond)
		pkts := [][]byte{ether(udp4(client, "10.0.0.53", sp, 53, dnsWire(id, false, name, 1, 0, 0)))}
		if between != nil {
			pkts = append(pkts, between(i)...)
		}
		pkts = append(pkts, ether(udp4("10.0.0.53", client, 53, sp, dnsWire(id, true, name, 1, 0, 300, [4]byte{192, 0, 2, byte(i)}))))
		for _, p := range pkts {
			_ = w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(p), Length: len(p)}, p)
			ts = ts.Add(time.Millisecond)
		}
	}
	return buf.Bytes()
}

// benchDecode measures streamPcap on capture, which must give recs
// records.
func benchDecode(b *testing.B, capture []byte, recs int) {
	b.SetBytes(int64(len(capture)))
	b.ReportAllocs()
	b.ResetTimer()
	var pkts int64
	for range b.N {
		var o capCount
		at, err := streamPcap(context.Background(), bytes.NewReader(capture), Resume{}, &o)
		if err != nil || o.recs != recs {
			b.Fatalf("%v: %d records, %d skips, %+v", err, o.recs, o.skips, at)
		}
		pkts = at.Read.Line
	}
	b.ReportMetric(float64(pkts)*float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
	b.ReportMetric(float64(recs)*float64(b.N)/b.Elapsed().Seconds(), "recs/s")
}
