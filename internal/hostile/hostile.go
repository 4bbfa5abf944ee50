// Package hostile holds the names an attacker can put in the data longtail
// reads, and writes the fixtures in testdata/hostile that carry them in a
// capture and in logs. Every package that takes names from the data to a
// screen, a file or a query tests itself against these: a name in a DNS
// label can hold any byte, so it can hold a record separator of every
// export format, an escape sequence, a bidi override or invalid UTF-8.
//
// The fixtures are written by this package (go test ./internal/hostile
// -update) and checked against it on every run, so the files and the code
// that made them never drift apart.
package hostile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"time"
	"unicode/utf8"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Name is one hostile query name and what it attacks.
type Name struct {
	Name string // as it stands in the data, lower case
	Why  string
}

// Names are the hostile names, as the workspace stores them (lower case,
// no trailing dot). The first four are export injections: marked bad as
// they are, each would add a record of its own to one export format.
var Names = []Name{
	{"a.evil.com\n*.c2-attacker.net cname rpz-passthru.\nc.evil.com", "RPZ: a passthru record for an attacker's domain"},
	{"x.evil.com\n@@||c2-attacker.net^", "Adblock: an allow rule"},
	{"y.evil.com\n0.0.0.0 www.google.com", "hosts: blocks a real name"},
	{"z.evil.com\nwww.google.com\tintel::domain\tlongtail\tgood", "Zeek Intel: an indicator on a real name"},
	{"q.evil.com\",\"domain\",\"good", "CSV: a field separator and quotes"},
	{"\x1b]0;pwned\x07title.evil.com", "OSC 0: retitles the terminal"},
	{"\x1b[2j\x1b[hclear.evil.com", "CSI: clears the screen"},
	{"\x1b]52;c;chduzwq=\x07clip.evil.com", "OSC 52: writes the clipboard"},
	{"\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07.evil.com", "OSC 8: a hidden hyperlink"},
	{"c1\u009b31mred.evil.com", "C1 CSI (U+009B) in UTF-8"},
	{"raw\x9b31m.evil.com", "a raw 0x9b byte: CSI on 8-bit terminals, invalid UTF-8"},
	{"moc.\u202egoogle.evil.com", "bidi override: reads as another name"},
	{"zero\u200bwidth.evil.com", "zero-width space: looks like zerowidth"},
	{"bad\xff\xfeutf8.evil.com", "invalid UTF-8"},
	{"nul\x00byte.evil.com", "a NUL byte"},
	{"tab\tname.evil.com", "a tab"},
	{"space name.evil.com", "a space"},
	{"semi;colon.evil.com", "a zone-file comment marker"},
	{"back\\slash.evil.com", "a backslash"},
	{"32.1.0.0.127.rpz-ip", "an RPZ IP trigger, not a name"},
	{"1.2.3.4", "an address, not a host name"},
	{string(bytes.Repeat([]byte("l"), 64)) + ".evil.com", "a label over 63 bytes"},
	{"www.\x1b[2j\x1b[31mred.com", "CSI in the registered domain's label: its own domain row"},
	{"a\u2066b\u2069.evil.com", "bidi isolates (LRI, PDI)"},
	{"\u200bwww.google.com", "a zero-width space before a real name"},
	{"del\x7f.bel\x07.evil.com", "DEL and BEL"},
	{"cr\rx.evil.com", "a carriage return: rewrites the start of the line"},
	{"日本語.例え.jp", "an internationalised name in UTF-8, wide characters"},
	{string(bytes.Repeat([]byte("long-label-"), 30)) + ".evil.net", "a name far over 253 bytes"},
}

// Client and Answer are a client address and an answer as hostile as the
// names, for the screens that show clients and answers: OSC 52 would set
// the clipboard; colour and a bidi override.
const (
	Client = "10.9.9.9\x1b]52;c;aGk=\x07"
	Answer = "1.2.3.4\x1b[31mred\u202e"
)

// Strings returns the names alone.
func Strings() []string {
	out := make([]string, len(Names))
	for i, n := range Names {
		out[i] = n.Name
	}
	return out
}

// Start is the time of the first event in the fixtures.
var Start = time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)

// ZeekJSON is a Zeek dns.log in JSON lines with one query of each hostile
// name that JSON can carry (invalid UTF-8 cannot be: encoding/json would
// turn it into U+FFFD, so those names are only in the capture), asked by
// Client and answered with Answer, followed by one ordinary query, so a
// reader can see the good line after them.
func ZeekJSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	client := Client
	row := func(i int, name string) {
		enc.Encode(map[string]any{
			"ts": float64(Start.Add(time.Duration(i)*time.Second).UnixMicro()) / 1e6, "uid": fmt.Sprintf("C%05d", i),
			"id.orig_h": client, "id.orig_p": 40000 + i, "id.resp_h": "10.0.0.1", "id.resp_p": 53,
			"proto": "udp", "trans_id": i, "query": name, "qclass": 1, "qclass_name": "C_INTERNET",
			"qtype": 1, "qtype_name": "A", "rcode": 0, "rcode_name": "NOERROR",
			"answers": []string{Answer}, "TTLs": []float64{60},
		})
	}
	n := 0
	for _, h := range Names {
		if utf8.ValidString(h.Name) {
			row(n, h.Name)
			n++
		}
	}
	client = "10.0.0.7"
	row(n, "www.example.com")
	return b.Bytes()
}

// Pcap is a capture of one query and its NXDOMAIN response for each
// hostile name, bytes exactly as listed, then one ordinary query and
// response. A label of the wire format is at most 63 bytes, so the long
// label is cut to its first 63 in the packet: the DNS wire cannot carry
// more, which is why that name only reaches longtail from text logs.
func Pcap() ([]byte, error) {
	return exchanges(func(i int, name string, reply bool) ([]byte, error) {
		return packet(uint16(i+1), wireName(name), reply)
	})
}

// exchanges writes a capture of a packet from a client and the server's
// reply a millisecond later (made by pair) for each hostile name, then for
// an ordinary one, a second apart.
func exchanges(pair func(i int, name string, reply bool) ([]byte, error)) ([]byte, error) {
	var out bytes.Buffer
	w := pcapgo.NewWriter(&out)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return nil, err
	}
	names := append(Strings(), "www.example.com")
	for i, name := range names {
		t := Start.Add(time.Duration(i) * time.Second)
		for j, reply := range []bool{false, true} {
			pkt, err := pair(i, name, reply)
			if err != nil {
				return nil, fmt.Errorf("name %d: %w", i, err)
			}
			ci := gopacket.CaptureInfo{Timestamp: t.Add(time.Duration(j) * time.Millisecond), CaptureLength: len(pkt), Length: len(pkt)}
			if err := w.WritePacket(ci, pkt); err != nil {
				return nil, err
			}
		}
	}
	return out.Bytes(), nil
}

// wireName cuts labels to the 63 bytes the wire allows.
func wireName(name string) []byte {
	labels := bytes.Split([]byte(name), []byte("."))
	for i, l := range labels {
		if len(l) > 63 {
			labels[i] = l[:63]
		}
	}
	return bytes.Join(labels, []byte("."))
}

// packet builds one DNS query or response between a client and a resolver.
func packet(id uint16, name []byte, response bool) ([]byte, error) {
	cport, sport := layers.UDPPort(40000+id), layers.UDPPort(53)
	udp := &layers.UDP{SrcPort: cport, DstPort: sport}
	dns := &layers.DNS{ID: id, RD: true, Questions: []layers.DNSQuestion{{Name: name, Type: layers.DNSTypeA, Class: layers.DNSClassIN}}}
	if response {
		udp.SrcPort, udp.DstPort = sport, cport
		dns.QR, dns.RA, dns.ResponseCode = true, true, layers.DNSResponseCodeNXDomain
	}
	return frame(net.IPv4(10, 0, 0, 7), net.IPv4(10, 0, 0, 1), response, udp, dns)
}

// transport is a UDP or TCP layer, whose checksum covers the IP header.
type transport interface {
	gopacket.SerializableLayer
	SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
}

// frame builds an Ethernet frame of an IPv4 packet from client to server,
// or back when reply is set, that carries t and payload.
func frame(client, server net.IP, reply bool, t transport, payload gopacket.SerializableLayer) ([]byte, error) {
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{0, 1, 2, 3, 4, 5}, DstMAC: net.HardwareAddr{0, 1, 2, 3, 4, 6}, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: client, DstIP: server}
	if _, ok := t.(*layers.TCP); ok {
		ip.Protocol = layers.IPProtocolTCP
	}
	if reply {
		ip.SrcIP, ip.DstIP = server, client
	}
	if err := t.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, t, payload); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
