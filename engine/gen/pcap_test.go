package gen

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

const pcapTestLines = 3000

// writeFormat writes the pcapTestLines-event log of seed 3 in format to a
// file of the test's temporary directory.
func writeFormat(t *testing.T, format string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Write(&buf, Options{Lines: pcapTestLines, Seed: 3, Format: format}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dns."+format)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, buf.Bytes()
}

// TestPcapIsTheTcpdumpText: tcpdump prints the capture as exactly the
// lines of the tcpdump format of the same seed: every packet, its time,
// addresses, ports, id, flags, record counts, question, answer and size.
func TestPcapIsTheTcpdumpText(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Skip("tcpdump not installed")
	}
	capture, _ := writeFormat(t, "pcap")
	_, text := writeFormat(t, "tcpdump")
	cmd := exec.Command("tcpdump", "-n", "-tttt", "-r", capture)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	got, want := lines(out), lines(text)
	if len(got) != 2*pcapTestLines || len(want) != 2*pcapTestLines {
		t.Fatalf("tcpdump printed %d packets, the text format has %d lines; want %d each", len(got), len(want), 2*pcapTestLines)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("packet %d: tcpdump prints\n%s\nthe tcpdump format has\n%s", i+1, got[i], want[i])
		}
	}
}

// TestPcapTshark: tshark finds one query and one response for every event
// of the CSV of the same seed, with its name, and nothing malformed.
func TestPcapTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed")
	}
	capture, _ := writeFormat(t, "pcap")
	_, csv := writeFormat(t, "csv")
	out, err := exec.Command("tshark", "-n", "-r", capture, "-T", "fields", "-e", "dns.flags.response", "-e", "dns.qry.name", "-e", "_ws.malformed").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	var queries, responses []string
	for i, l := range lines(out) {
		f := strings.Split(l, "\t")
		if len(f) != 3 || f[2] != "" {
			t.Fatalf("tshark line %d: %q", i+1, l)
		}
		switch f[0] {
		case "False", "0":
			queries = append(queries, f[1])
		case "True", "1":
			responses = append(responses, f[1])
		default:
			t.Fatalf("tshark line %d: response flag %q", i+1, f[0])
		}
	}
	var want []string
	for _, l := range lines(csv) {
		want = append(want, strings.Split(l, ",")[1])
	}
	slices.Sort(want)
	for what, got := range map[string][]string{"queries": queries, "responses": responses} {
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("tshark's %s: %d names, the CSV's %d; they differ", what, len(got), len(want))
		}
	}
}

// FuzzPcapPacket: whatever the event, the query and response records are
// well framed (record, IP and UDP lengths agree, IP checksum valid), decode
// as DNS, and carry the event's name when a message can.
func FuzzPcapPacket(f *testing.F) {
	f.Add("www.example.com", uint16(1), uint8(0), "", uint32(300), uint64(12345), uint16(40000), uint16(7), true, int64(1709542800123456))
	f.Add("example.com", uint16(16), uint8(0), "v=spf1 include:_spf.example.com ~all", uint32(60), uint64(0), uint16(1024), uint16(0), false, int64(0))
	f.Add("nope.example", uint16(1), uint8(3), "", uint32(0), uint64(0), uint16(5353), uint16(65535), true, int64(1))
	f.Add("a..b.", uint16(33), uint8(0), "dc01.corp.example.com", uint32(600), uint64(9), uint16(53), uint16(1), false, int64(7e15))
	f.Fuzz(func(t *testing.T, name string, qtype uint16, rcode uint8, answer string, ttl uint32, hash uint64, port, id uint16, edns bool, ts int64) {
		qtype = []uint16{1, 5, 12, 15, 16, 28, 33, 65}[qtype%8]
		ts = max(ts, 0) % (1 << 50)
		p := response{t: ts + 1000, port: port, id: id, edns: edns,
			e: event{t: ts, client: 0, qtype: qtype, rcode: rcode & 0xf, ttl: ttl, name: name, answer: answer, hash: hash}}
		for _, reply := range []bool{false, true} {
			rec := appendPacket(nil, [4]byte{10, 0, 1, 10}, &p, reply)
			checkPacket(t, rec, &p, reply)
		}
	})
}

func checkPacket(t *testing.T, rec []byte, p *response, reply bool) {
	t.Helper()
	le := binary.LittleEndian
	if len(rec) < pcapHeadLen+12 || int(le.Uint32(rec[8:])) != len(rec)-pcapRecordLen || le.Uint32(rec[12:]) != le.Uint32(rec[8:]) {
		t.Fatalf("record of %d bytes says %d captured, %d long", len(rec), le.Uint32(rec[8:]), le.Uint32(rec[12:]))
	}
	if ipChecksum(rec[pcapRecordLen+etherLen:][:ipv4Len]) != 0 {
		t.Fatal("IP header checksum does not verify")
	}
	// The UDP payload is decoded as DNS whatever the ports (gopacket
	// would take some client ports for other protocols).
	var (
		eth layers.Ethernet
		ip  layers.IPv4
		udp layers.UDP
		dns layers.DNS
	)
	var decoded []gopacket.LayerType
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip, &udp)
	parser.IgnoreUnsupported = true
	if err := parser.DecodeLayers(rec[pcapRecordLen:], &decoded); err != nil || len(decoded) != 3 {
		t.Fatalf("decode: %v (layers %v)", err, decoded)
	}
	if err := dns.DecodeFromBytes(udp.Payload, gopacket.NilDecodeFeedback); err != nil {
		t.Fatalf("DNS: %v", err)
	}
	if int(ip.Length) != len(rec)-pcapRecordLen-etherLen || int(udp.Length) != len(rec)-pcapRecordLen-etherLen-ipv4Len {
		t.Fatalf("IP length %d, UDP length %d in a %d-byte record", ip.Length, udp.Length, len(rec))
	}
	if dns.QR != reply || dns.ID != p.id || len(dns.Questions) != 1 || dns.Questions[0].Type != layers.DNSType(p.e.qtype) {
		t.Fatalf("DNS: QR %v id %d questions %v; want QR %v id %d type %d", dns.QR, dns.ID, dns.Questions, reply, p.id, p.e.qtype)
	}
	if reply && dns.ResponseCode != layers.DNSResponseCode(p.e.rcode) {
		t.Fatalf("rcode %d, want %d", dns.ResponseCode, p.e.rcode)
	}
	if wireable(p.e.name) && string(dns.Questions[0].Name) != p.e.name {
		t.Fatalf("name %q, want %q", dns.Questions[0].Name, p.e.name)
	}
}

// wireable reports whether a DNS message carries name as it is: labels of
// 1 to 63 bytes, 253 bytes in all.
func wireable(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, l := range strings.Split(name, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
	}
	return true
}
