package parse

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/record"
)

const tcpdumpSample = `2016-08-25 17:20:00.123456 IP 10.0.0.5.51234 > 8.8.8.8.53: 4242+ A? apple.com. (27)
2016-08-25 17:20:00.130000 IP 10.0.0.5.51235 > 8.8.8.8.53: 4243+ AAAA? nx.example. (28)
2016-08-25 17:20:00.140000 IP 8.8.8.8.53 > 10.0.0.5.51234: 4242 3/0/0 CNAME x.apple.com., A 1.2.3.4, A 5.6.7.8 (120)
2016-08-25 17:20:00.150000 IP 8.8.8.8.53 > 10.0.0.5.51235: 4243 NXDomain 0/1/0 (100)
2016-08-25 17:20:01.000000 IP6 2001:db8::1.40000 > 2001:db8::53.53: 7+% TXT? t.example. (30)
2016-08-25 17:20:01.100000 IP6 2001:db8::53.53 > 2001:db8::1.40000: 7 ServFail- 0/0/0 (30)
2016-08-25 17:20:02.000000 IP 10.0.0.6.33779 > 10.0.0.1.53: Flags [P.], seq 1:59, ack 1, win 64240, length 58 17177+ [1au] MX? mail.example. (56)
2016-08-25 17:20:02.100000 IP 10.0.0.1.53 > 10.0.0.6.33779: Flags [P.], seq 1:227, ack 59, win 64240, length 226 17177 Refused*- 0/0/0 (224)
2016-08-25 17:20:02.200000 IP 10.0.0.6.33779 > 10.0.0.1.53: Flags [.], ack 227, win 64014, length 0
2016-08-25 17:20:03.000000 ARP, Request who-has 10.0.0.1 tell 10.0.0.6, length 28
2016-08-25 17:20:03.500000 IP 10.0.0.9.5000 > 10.0.0.1.53: 99+ PTR? 1.0.0.10.in-addr.arpa. (39)
2016-08-25 17:20:40.000000 IP 8.8.8.8.53 > 10.0.0.5.6000: 555 1/0/0 A 9.9.9.9 (50)
2016-08-25 17:20:41.000000 IP 10.0.0.5.6001 > 8.8.8.8.53: 77+ A? late.example. (30)
`

func TestTcpdumpPairs(t *testing.T) {
	out := runLines(t, newTcpdumpParser(), []byte(tcpdumpSample))
	want := []gotRec{
		{micro("2016-08-25T17:20:00.123456Z"), "10.0.0.5", "apple.com.", 1, 0, record.NoTTL, "x.apple.com.,1.2.3.4,5.6.7.8", 1, 0},
		{micro("2016-08-25T17:20:00.130000Z"), "10.0.0.5", "nx.example.", 28, 3, record.NoTTL, "", 2, 89},
		{micro("2016-08-25T17:20:01.000000Z"), "2001:db8::1", "t.example.", 16, 2, record.NoTTL, "", 5, 0},
		{micro("2016-08-25T17:20:02.000000Z"), "10.0.0.6", "mail.example.", 15, 5, record.NoTTL, "", 7, 0},
		// Unanswered: flushed when a line 30 s later arrives.
		{micro("2016-08-25T17:20:03.500000Z"), "10.0.0.9", "1.0.0.10.in-addr.arpa.", 12, record.NoRCode, record.NoTTL, "", 11, 0},
		// Unanswered: flushed at the end.
		{micro("2016-08-25T17:20:41.000000Z"), "10.0.0.5", "late.example.", 1, record.NoRCode, record.NoTTL, "", 13, 0},
	}
	checkSequence(t, out, tcpdumpSample, want)
	reasons := out.skipReasons()
	// The TCP ack without payload and the ARP line are not DNS; the
	// response at 17:20:40 has no query and no name.
	if reasons["not DNS"] != 2 || reasons["DNS response without its query (tcpdump prints no name)"] != 1 || len(out.skips) != 3 {
		t.Errorf("skips = %+v", out.skips)
	}
}

func TestTcpdumpUndatedDayCounter(t *testing.T) {
	text := `23:59:59.900000 IP 10.0.0.5.1000 > 8.8.8.8.53: 1+ A? a.example. (27)
23:59:59.800000 IP 10.0.0.5.1001 > 8.8.8.8.53: 2+ A? b.example. (27)
00:00:00.100000 IP 10.0.0.5.1002 > 8.8.8.8.53: 3+ A? c.example. (27)
`
	out := runLines(t, newTcpdumpParser(), []byte(text))
	day := int64(86400 * 1_000_000)
	want := []int64{day - 100_000, day - 200_000, day + 100_000}
	if len(out.recs) != 3 {
		t.Fatalf("records: %+v", out.recs)
	}
	for i, w := range want {
		if out.recs[i].Time != w {
			t.Errorf("record %d time %d, want %d (a step back of 0.1 s is not a new day; midnight is)", i, out.recs[i].Time, w)
		}
	}
}

func TestTcpdumpVerbose(t *testing.T) {
	// tcpdump -n -vv: the packet is on the indented line after the header;
	// a response carries its question ("q:") and owner names.
	text := `09:19:54.740079 IP (tos 0x0, ttl 64, id 22989, offset 0, flags [none], proto UDP (17), length 84)
    192.168.1.11.43966 > 209.87.249.18.53: [udp sum ok] 22836+ [1au] A? www.tcpdump.org. ar: . OPT UDPsize=4096 [COOKIE 42f5d00996f90b13] (56)
09:19:54.870361 IP (tos 0x0, ttl 128, id 45, offset 0, flags [none], proto UDP (17), length 252)
    209.87.249.18.53 > 192.168.1.11.43966: [udp sum ok] 22836*- q: A? www.tcpdump.org. 2/2/5 www.tcpdump.org. A 192.139.46.66, www.tcpdump.org. A 198.199.88.104 ns: tcpdump.org. NS sns.cooperix.net. ar: . OPT UDPsize=4096 (224)
09:19:55.000000 IP (tos 0x0, ttl 128, id 46, offset 0, flags [none], proto UDP (17), length 252)
    209.87.249.18.53 > 192.168.1.12.5000: [udp sum ok] 9*- q: AAAA? orphan.example. 0/0/0 (30)
	0x0000:  4500 0054 59cd 4000 4011 5d4a c0a8 010b
`
	out := runLines(t, newTcpdumpParser(), []byte(text))
	want := []gotRec{
		{54*1_000_000 + 740079 + (9*60+19)*60*1_000_000, "192.168.1.11", "www.tcpdump.org.", 1, 0, record.NoTTL, "192.139.46.66,198.199.88.104", 2, 0},
		{55*1_000_000 + (9*60+19)*60*1_000_000, "192.168.1.12", "orphan.example.", 28, 0, record.NoTTL, "", 6, 0},
	}
	offsets := lineOffsets(text)
	for i := range want {
		want[i].Offset = offsets[want[i].Line]
	}
	if len(out.recs) != 2 || out.recs[0] != want[0] || out.recs[1] != want[1] || len(out.skips) != 0 {
		t.Fatalf("got %+v skips %+v\nwant %+v", out.recs, out.skips, want)
	}
}

// tcpdumpFixtures are outputs of `tcpdump -n -tttt -r` (tcpdump 4.99.3) on
// pcaps of the shared data, committed as testdata/tcpdump-text-*.txt, with
// the records expected from each, counted independently:
//   - dns_udp: tcpdump_dns_udp.pcap; tshark -r F -Y 'dns.flags.response==0' | wc -l → 1
//     query, answered with 2 A records.
//   - dns_tcp: tcpdump_dns_tcp.pcap; same tshark filter → 1 query over TCP;
//     the 9 handshake/ack/fin segments are not DNS.
//   - ndpi_dns: ndpi_dns.pcap (default time-only stamps, PPPoE); tshark
//     filter → 2 queries, plus one response whose query is not captured.
//   - dns_lab: chrissanders/dns_lab.pcapng; tshark filter → 11 queries.
var tcpdumpFixtures = []struct {
	file              string
	records, notDNS   int
	orphans           int
	firstName, answer string
}{
	{"tcpdump-text-dns_udp.txt", 1, 0, 0, "www.tcpdump.org.", "192.139.46.66,198.199.88.104"},
	{"tcpdump-text-dns_tcp.txt", 1, 9, 0, "www.tcpdump.org.", "192.139.46.66,198.199.88.104"},
	{"tcpdump-text-ndpi_dns.txt", 2, 0, 1, "www.example.com.", ""},
	{"tcpdump-text-dns_lab.txt", 11, 0, 0, "microsoft.com.", "104.43.195.251,23.100.122.175,23.96.52.53,191.239.213.197,104.40.211.35"},
}

func TestTcpdumpFixtures(t *testing.T) {
	for _, fx := range tcpdumpFixtures {
		t.Run(fx.file, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("testdata", fx.file))
			if err != nil {
				t.Fatal(err)
			}
			if f, err := Detect(text); err != nil || f.Name != "tcpdump-text" {
				t.Fatalf("detected %q, %v", f.Name, err)
			}
			out := runLines(t, newTcpdumpParser(), text)
			r := out.skipReasons()
			if len(out.recs) != fx.records || r["not DNS"] != fx.notDNS || r["DNS response without its query (tcpdump prints no name)"] != fx.orphans {
				t.Fatalf("%d records, skips %v", len(out.recs), r)
			}
			if out.recs[0].Name != fx.firstName || out.recs[0].Answers != fx.answer {
				t.Errorf("first record %+v", out.recs[0])
			}
		})
	}
}

// TestTcpdumpRealOutput runs tcpdump on sample pcaps and compares the
// records with the queries tshark counts in the same files.
func TestTcpdumpRealOutput(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Skip("tcpdump not installed")
	}
	cases := []struct {
		pcap    string
		queries int // tshark -r F -Y 'dns.flags.response==0' | wc -l
		rcode3  int // tshark -r F -Y 'dns.flags.rcode==3' | wc -l
	}{
		{"pcap/edgecases/tcpdump_dns_udp.pcap", 1, 0},
		{"pcap/edgecases/tcpdump_dns_tcp.pcap", 1, 0},
		{"pcap/ndpi/ndpi_dns.pcap", 2, 0},
		{"tunnel/dmachard_iodine.pcap", 12, 0},
		{"tunnel/iodine_elastic_examples.pcap", 222, 0},
		{"pcap/general/chrissanders/dns_lab.pcapng", 11, 1},
		{"pcap/general/chrissanders/dns_query_nonexistent.pcapng", 1, 1},
		{"pcap/general/chrissanders/dns_tcp.pcapng", 2, 0},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.pcap), func(t *testing.T) {
			text, err := exec.Command("tcpdump", "-n", "-tttt", "-r", samplePath(t, c.pcap)).Output()
			if err != nil {
				t.Fatal(err)
			}
			out := runLines(t, newTcpdumpParser(), text)
			nx := 0
			for _, r := range out.recs {
				if r.RCode == 3 {
					nx++
				}
				if r.Name == "" || r.Client == "" {
					t.Errorf("record without name or client: %+v", r)
				}
			}
			if len(out.recs) != c.queries || nx != c.rcode3 {
				t.Errorf("%d records (%d NXDOMAIN), want %d (%d); skips %v", len(out.recs), nx, c.queries, c.rcode3, out.skipReasons())
			}
		})
	}
}

func TestNamesList(t *testing.T) {
	path := samplePath(t, "dns/iodine_tunnel_tshark_text.txt")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := Detect(text); err != nil || f.Name != "names-list" {
		t.Fatalf("detected %q, %v", f.Name, err)
	}
	out := runLines(t, &namesParser{}, text)
	// wc -l → 26 lines, all names; grep -c '^pabqqlii' → 4.
	if len(out.recs) != 26 || len(out.skips) != 0 {
		t.Fatalf("%d records, %d skips", len(out.recs), len(out.skips))
	}
	if n := out.recs[1]; n.Name != "pabqalia.example.attack" || n.Time != 0 || n.RCode != record.NoRCode {
		t.Errorf("record 2 = %+v", n)
	}
	if !strings.HasPrefix(out.recs[0].Name, `02fds82\3122hb\276`) {
		t.Errorf("escapes not kept: %q", out.recs[0].Name)
	}
}

func TestNamesListRejects(t *testing.T) {
	for _, text := range []string{
		"hello world\nfoo bar\n",               // words with spaces
		"\x00\x01\x02binary\x7f\n\xff\xfe.x\n", // binary junk
		"just\nwords\nwithout\ndots\n",         // no dotted name
		"a.example\n{\"json\": 1}\n",           // a name, then not
	} {
		if detectNamesList([]byte(text)) {
			t.Errorf("names-list accepted %q", text)
		}
	}
	if !detectNamesList([]byte("example.com\nwww.example.org\nlocalhost\n")) {
		t.Error("names-list rejected a plain list")
	}
}

func FuzzTcpdump(f *testing.F) {
	f.Add([]byte(tcpdumpSample))
	f.Add([]byte("09:19:54.740079 IP (tos 0x0, proto UDP (17), length 84)\n    1.2.3.4.5 > 6.7.8.9.53: [udp sum ok] 1+ A? x. (5)\n"))
	f.Add([]byte("1472145600.123456 IP 1.2.3.4.5 > 6.7.8.9.53: 1 q: A? x. 1/0/0 x. A 1.2.3.4 (5)\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		out := runLines(t, newTcpdumpParser(), text)
		for _, r := range out.recs {
			if r.Name == "" {
				t.Fatalf("record without a name: %+v", r)
			}
		}
	})
}

func FuzzNamesList(f *testing.F) {
	f.Add([]byte("example.com\nwww.x\\312y.example\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		detectNamesList(text)
		runLines(t, &namesParser{}, text)
	})
}

func BenchmarkTcpdump(b *testing.B) {
	// A day of resolver traffic: queries and their responses, a few
	// NXDOMAIN, some unanswered.
	var buf bytes.Buffer
	for i := 0; buf.Len() < 8<<20; i++ {
		ts := fmt.Sprintf("2016-08-25 %02d:%02d:%02d.%06d", i/36000%24, i/600%60, i/10%60, i%10*100000)
		port, id := 1024+i%60000, i%65536
		fmt.Fprintf(&buf, "%s IP 10.0.%d.%d.%d > 8.8.8.8.53: %d+ A? host%d.example%d.com. (40)\n", ts, i%7, i%250, port, id, i%5000, i%97)
		switch i % 10 {
		case 9: // unanswered
		case 8:
			fmt.Fprintf(&buf, "%s IP 8.8.8.8.53 > 10.0.%d.%d.%d: %d NXDomain 0/1/0 (100)\n", ts, i%7, i%250, port, id)
		default:
			fmt.Fprintf(&buf, "%s IP 8.8.8.8.53 > 10.0.%d.%d.%d: %d 3/0/0 CNAME x%d.cdn.net., A 1.2.3.%d, A 5.6.7.%d (120)\n", ts, i%7, i%250, port, id, i, i%250, i%200)
		}
	}
	text := buf.Bytes()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		p := newTcpdumpParser()
		if _, err := ScanLines(context.Background(), bytes.NewReader(text), p, Position{}, Resume{}, true, tfDiscard{}); err != nil {
			b.Fatal(err)
		}
		p.Flush(tfDiscard{})
	}
}

type tfDiscard struct{}

func (tfDiscard) Record(*record.Record)     {}
func (tfDiscard) Skip(int64, int64, string) {}

// TestTextDetectorsStayInLane runs the detectors of tcpdump-text,
// names-list, bind-query and dnsmasq on the heads of the shared text
// samples: each may accept only the samples of its own format.
func TestTextDetectorsStayInLane(t *testing.T) {
	root := filepath.Dir(samplePath(t, "dns"))
	own := map[string]string{
		"dns/bazmonk_pihole.0236.log":        "dnsmasq",
		"dns/bazmonk_pihole_full_pihole.log": "dnsmasq",
		"dns/iodine_tunnel_dnsmasq.log":      "dnsmasq",
		"dns/crowdsec_bind9-logs.log":        "bind-query",
		"dns/crowdsec_bind9-refused.log":     "bind-query",
		"dns/crowdsec_bind9-syslog.log":      "bind-query",
		"dns/iodine_tunnel_tshark_text.txt":  "names-list",
	}
	detectors := []struct {
		name   string
		detect func([]byte) bool
	}{{"tcpdump-text", detectTcpdump}, {"names-list", detectNamesList}, {"bind-query", detectBind}, {"dnsmasq", detectDnsmasq}}
	checked := 0
	for _, dir := range []string{"dns", "zeek", "web", "auth", "honeypot", "windows", "malformed"} {
		files, _ := filepath.Glob(filepath.Join(root, dir, "*"))
		for _, f := range files {
			head := make([]byte, HeadSize)
			fh, err := os.Open(f)
			if err != nil {
				continue
			}
			n, _ := fh.Read(head)
			fh.Close()
			rel := dir + "/" + filepath.Base(f)
			for _, d := range detectors {
				if d.detect(head[:n]) != (own[rel] == d.name) {
					t.Errorf("%s: %s detector says %v", rel, d.name, !(own[rel] == d.name))
				}
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d samples checked", checked)
	}
}
