package parse

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// readInTwo reads data the way a live log is ingested by two runs: the
// first stops after line k without flushing what its parser holds, the
// second resumes where the first's oldest waiting query starts (or from
// the beginning for a format that replays) and reads to the end.
func readInTwo(t *testing.T, format string, data []byte, k int) *gotOut {
	t.Helper()
	f, _ := ByName(format)
	lines := bytes.SplitAfter(data, []byte("\n"))
	out := &gotOut{}
	p := f.Lines()
	end, err := ScanLines(context.Background(), bytes.NewReader(bytes.Join(lines[:k], nil)), p, Position{}, Resume{}, false, out)
	if err != nil || end.Line != int64(k) {
		t.Fatalf("first read: %v, stopped at %+v, want line %d", err, end, k)
	}
	from := ResumeAt(p, end)
	start := from.Warm
	if f.Replay {
		start = Position{}
	}
	p = f.Lines()
	if _, err := ScanLines(context.Background(), bytes.NewReader(data[start.Offset:]), p, start, from, true, out); err != nil {
		t.Fatal(err)
	}
	p.Flush(out)
	return out
}

func byProvenance(recs []gotRec) []gotRec {
	recs = slices.Clone(recs)
	slices.SortFunc(recs, func(a, b gotRec) int { return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Offset, b.Offset)) })
	return recs
}

// A log read in two runs, split at any line, gives the records of one
// read: a query whose response is in the second part is neither lost (a
// kill after a batch) nor counted twice (once unanswered, once answered).
func TestReadInTwoEqualsReadInOne(t *testing.T) {
	type input struct {
		name, format string
		data         func(t *testing.T) []byte
	}
	text := func(s string) func(*testing.T) []byte { return func(*testing.T) []byte { return []byte(s) } }
	file := func(rel string) func(*testing.T) []byte { return func(t *testing.T) []byte { return sample(t, rel) } }
	tcpdump := func(pcap, flag string) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			if _, err := exec.LookPath("tcpdump"); err != nil {
				t.Skip("tcpdump not installed")
			}
			out, err := exec.Command("tcpdump", "-n", flag, "-r", samplePath(t, pcap)).Output()
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	inputs := []input{
		{"tcpdump", "tcpdump-text", text(tcpdumpSample)},
		{"windows-debug", "windows-dns-debug", file("dns/acandeias_windows_dns_debug_rawmsg_DERIVED.log")},
		{"windows-siem", "windows-dns-siem-csv", file("dns/acandeias_siem_export_windows_dns_debug.csv")},
		{"iodine-tcpdump", "tcpdump-text", tcpdump("tunnel/iodine_elastic_examples.pcap", "-tttt")},
		{"iodine-tcpdump-v", "tcpdump-text", tcpdump("tunnel/iodine_elastic_examples.pcap", "-v")},
		{"dns_lab-tcpdump-v", "tcpdump-text", tcpdump("pcap/general/chrissanders/dns_lab.pcapng", "-v")},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			data := in.data(t)
			one := parseText(t, in.format, data)
			if len(one.recs) == 0 {
				t.Fatal("no records")
			}
			want := byProvenance(one.recs)
			n := bytes.Count(data, []byte("\n"))
			step := max(1, n/60)
			for k := 1; k < n; k += step {
				two := readInTwo(t, in.format, data, k)
				got := byProvenance(two.recs)
				if !slices.Equal(got, want) {
					t.Fatalf("split after line %d: %d records, want %d; first difference: %s", k, len(got), len(want), firstDiff(got, want))
				}
				if len(two.skips) != len(one.skips) {
					t.Fatalf("split after line %d: %d skipped, want %d", k, len(two.skips), len(one.skips))
				}
			}
		})
	}
}

func firstDiff[R comparable](got, want []R) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("got %+v, want %+v", got[i], want[i])
		}
	}
	if len(got) > len(want) {
		return fmt.Sprintf("extra %+v", got[len(want)])
	}
	if len(want) > len(got) {
		return fmt.Sprintf("missing %+v", want[len(got)])
	}
	return "none"
}

// Any text split anywhere gives the records of one read.
func FuzzReadInTwo(f *testing.F) {
	f.Add([]byte(tcpdumpSample), uint16(5), uint8(0))
	f.Add([]byte("5/8/2017 11:16:08 AM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 172.24.33.40    fddb   Q [0001   D   NOERROR] A      (2)ib(5)3lift(3)com(0)\n"+
		"5/8/2017 11:16:08 AM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 172.24.33.41    fddc   Q [0001   D   NOERROR] A      (2)ib(5)3lift(3)com(0)\n"+
		"5/8/2017 11:16:09 AM 0EB0 PACKET  0000002233BAC1B0 UDP Snd 172.24.33.40    fddb R Q [8385 A DR NXDOMAIN] A      (2)ib(5)3lift(3)com(0)\n"), uint16(1), uint8(1))
	formats := []string{"tcpdump-text", "windows-dns-debug"}
	f.Fuzz(func(t *testing.T, data []byte, split uint16, which uint8) {
		format := formats[int(which)%len(formats)]
		n := bytes.Count(data, []byte("\n"))
		if n < 2 {
			return
		}
		two := readInTwo(t, format, data, 1+int(split)%(n-1))
		one := parseText(t, format, data)
		if got, want := byProvenance(two.recs), byProvenance(one.recs); !slices.Equal(got, want) {
			t.Fatalf("%d records, want %d; first difference: %s", len(got), len(want), firstDiff(got, want))
		}
	})
}

// cutOut commits like the ingest: at the first checkpoint after every
// `every` records it notes how many records a batch ending there holds,
// and how a read killed right after resumes.
type cutOut struct {
	gotOut
	every, next int
	cuts        []cut
}

// cut is a batch end: the DNS records, HTTP records and skips before it.
type cut struct {
	n, h, skips int
	at          Resume
}

func (o *cutOut) Checkpoint(resume func() Resume) {
	if n := len(o.recs) + len(o.http); n >= o.next {
		o.cuts = append(o.cuts, cut{len(o.recs), len(o.http), len(o.skips), resume()})
		o.next = n + o.every
	}
}

// A capture read killed after any committed batch and read again gives the
// records of one read: the queries and requests still waiting at the kill
// are emitted once their response comes, none twice.
func TestCaptureKilledAnywhereResumesToOneRead(t *testing.T) {
	for _, rel := range []string{
		"tunnel/iodine_elastic_examples.pcap",
		"tunnel/dmachard_sods.pcap",
		"tunnel/domainator_dnscat_upload-big_240731.pcapng",
		"pcap/general/chrissanders/dns_lab.pcapng",
		"pcap/ndpi/ndpi_dns.pcap",
		"pcap/general/zeek/zeek_http_pipelined-requests.pcap",
		"pcap/general/zeek/zeek_http_1000-requests-one-dropped-response.pcap.gz",
		"pcap/general/chrissanders/http_espn.pcapng",
		"pcap/ndpi/ndpi_http_ua_splitted_in_two_pkts.pcapng",
	} {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			b := sample(t, rel)
			one, _, err := decodeCapture(t, b, Resume{})
			if err != nil || len(one.recs)+len(one.http) == 0 {
				t.Fatalf("one read: %v, %d records", err, len(one.recs))
			}
			cuts, held := checkKilledAnywhere(t, b, one, max(1, (len(one.recs)+len(one.http))/40))
			t.Logf("%d cut points, %d with queries waiting", cuts, held)
		})
	}
}

// Retries of a query, their responses and one response too many, killed
// after any packet and resumed, give the records and skips of one read:
// the retries waiting at the kill take their responses after it, in
// order, and none is emitted twice.
func TestCaptureResumeWithRetries(t *testing.T) {
	q := func(id uint16, name string) []byte {
		return ether(udp4("10.0.0.1", "10.0.0.53", 4000+id, 53, dnsWire(id, false, name, 1, 0, 0)))
	}
	r := func(id uint16, name string) []byte {
		return ether(udp4("10.0.0.53", "10.0.0.1", 53, 4000+id, dnsWire(id, true, name, 1, 2, 60)))
	}
	b := writeCapture(t, layers.LinkTypeEthernet,
		capPkt{0, q(1, "slow.example")}, // waits across kills
		capPkt{0.1, q(2, "retry.example")},
		capPkt{0.2, q(2, "retry.example")},
		capPkt{0.3, q(2, "retry.example")},
		capPkt{0.4, r(1, "slow.example")},
		capPkt{0.5, r(2, "retry.example")},
		capPkt{0.6, r(2, "retry.example")},
		capPkt{0.7, r(2, "retry.example")},
		capPkt{0.8, r(2, "retry.example")}, // one too many: skipped
		capPkt{0.9, r(7, "orphan.example")},
		capPkt{1, q(3, "gone.example")},
		capPkt{1.1, q(3, "gone.example")},
		capPkt{50, r(3, "gone.example")}, // after both were given up on: skipped
	)
	one, _, _ := decodeCapture(t, b, Resume{})
	if len(one.recs) != 7 || len(one.skips) != 2 {
		t.Fatalf("one read: %+v %+v; want 7 records, 2 skips", one.recs, one.skips)
	}
	checkKilledAnywhere(t, b, one, 0)
}

// checkKilledAnywhere kills a read of capture b after every `every`
// records (0: at every packet), resumes it, and checks that the records and
// skips of both parts are those of one read.
func checkKilledAnywhere(t *testing.T, b []byte, one *gotOut, every int) (cuts, held int) {
	t.Helper()
	want, wantHTTP := byProvenance(one.recs), httpByProvenance(one.http)
	f, _ := Detect(b[:min(len(b), HeadSize)])
	o := &cutOut{every: every}
	if _, err := f.Stream(context.Background(), bytes.NewReader(b), Resume{}, o); err != nil {
		t.Fatal(err)
	}
	for _, c := range o.cuts {
		if c.at.Held <= c.at.Read.Line {
			held++
		}
		rest, _, err := decodeCapture(t, b, c.at)
		if err != nil {
			t.Fatal(err)
		}
		got := byProvenance(append(slices.Clone(o.recs[:c.n]), rest.recs...))
		if !slices.Equal(got, want) {
			t.Fatalf("killed after %d records (resume %+v): %d records, want %d; first difference: %s", c.n, c.at, len(got), len(want), firstDiff(got, want))
		}
		if got := httpByProvenance(append(slices.Clone(o.http[:c.h]), rest.http...)); !slices.Equal(got, wantHTTP) {
			t.Fatalf("killed after %d HTTP records (resume %+v): %d records, want %d; first difference: %s", c.h, c.at, len(got), len(wantHTTP), firstDiff(got, wantHTTP))
		}
		if skips := append(slices.Clone(o.skips[:c.skips]), rest.skips...); !slices.Equal(skips, one.skips) {
			t.Fatalf("killed after %d records (resume %+v): skips %+v, want %+v", c.n, c.at, skips, one.skips)
		}
	}
	return len(o.cuts), held
}

// throughBatch is what the ingest keeps of a read's Resume in the batch it
// commits and how it resumes from that (engine/ingest): the queries held
// are kept only when some are waiting.
func throughBatch(at Resume) Resume {
	from := Done(at.Read)
	if at.Held <= at.Read.Line {
		from.Held, from.Warm = at.Held, at.Warm
	}
	return from
}

// scriptCapture makes a capture of DNS packets from a script of 3 bytes a
// packet, so that the fuzzer explores the pairing: queries, retries,
// responses (also too many or too late), a few names, ids, clients and
// servers, LLMNR queries to the multicast group, and time steps up to
// minutes.
func scriptCapture(t testing.TB, script []byte) []byte {
	names := []string{"a.example", "b.example", "c.example.org", "wpad"}
	var pkts []capPkt
	sec := 0.0
	for ; len(script) >= 3; script = script[3:] {
		op, ids, dt := script[0], script[1], script[2]
		if dt < 200 {
			sec += float64(dt) / 100
		} else {
			sec += float64(dt-200) * 2
		}
		name := names[op&3]
		id := uint16(ids & 3)
		client := fmt.Sprintf("10.0.0.%d", 1+ids>>2&1)
		server := fmt.Sprintf("10.0.1.%d", 1+ids>>3&1)
		cport, sport := 4000+uint16(ids>>4&1), uint16(53)
		response := op&0x80 != 0
		if op&0x40 != 0 { // LLMNR: asked of the group, answered by a host
			sport = 5355
			if !response {
				server = "224.0.0.252"
			}
		}
		var p []byte
		if response {
			p = udp4(server, client, sport, cport, dnsWire(id, true, name, 1, int(ids>>6), 60, [4]byte{192, 0, 2, op}))
		} else {
			p = udp4(client, server, cport, sport, dnsWire(id, false, name, 1, 0, 0))
		}
		pkts = append(pkts, capPkt{sec, ether(p)})
	}
	return writeCapture(t, layers.LinkTypeEthernet, pkts...)
}

// A capture read killed after any packet, resumed as the ingest resumes
// it, killed again after any later packet and resumed again, gives the
// records and skips of one read. The input is a capture, or a script for
// scriptCapture.
func FuzzCaptureResume(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 0, 1, 0x80, 0, 1, 0x81, 0, 1, 0x81, 0, 1}, uint16(2), uint16(1))
	f.Add([]byte{0, 4, 0, 0, 4, 10, 0x40, 0, 5, 0xc0, 0, 5, 1, 1, 250, 0x81, 1, 1, 0x80, 4, 0}, uint16(3), uint16(2))
	f.Add(writeCapture(f, layers.LinkTypeEthernet,
		capPkt{0, ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry))},
		capPkt{1, ether(tcp4("10.0.0.53", "10.0.0.1", 53, 4444, 1, 0x18, append([]byte{0, byte(len(rsp))}, rsp...)))},
		capPkt{2, ether(udp4("10.0.0.53", "10.0.0.1", 53, 4444, rsp))}), uint16(1), uint16(0))
	for _, b := range variantCaptures() {
		f.Add(b, uint16(1), uint16(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, k1, k2 uint16) {
		b := data
		if !isPcap(b) && !isPcapng(b) {
			b = scriptCapture(t, data)
		}
		resumedTwice(t, b, k1, k2)
	})
}

// resumedTwice reads capture b killed after any packet (the k1-th place a
// batch may end), resumed as the ingest resumes it, killed again (the k2-th
// place) and resumed again, and checks that it gives the records and skips
// of one read.
func resumedTwice(t *testing.T, b []byte, k1, k2 uint16) {
	format, _ := Detect(b[:min(len(b), HeadSize)])
	one := &gotOut{}
	if _, err := format.Stream(context.Background(), bytes.NewReader(b), Resume{}, one); err != nil {
		return // no capture header: nothing to resume
	}
	var recs []gotRec
	var reqs []gotHTTP
	var skips []gotSkip
	from := Resume{}
	for _, k := range []uint16{k1, k2} {
		o := &cutOut{}
		format.Stream(context.Background(), bytes.NewReader(b), from, o)
		if len(o.cuts) == 0 {
			break
		}
		c := o.cuts[int(k)%len(o.cuts)]
		recs, reqs, skips = append(recs, o.recs[:c.n]...), append(reqs, o.http[:c.h]...), append(skips, o.skips[:c.skips]...)
		from = throughBatch(c.at)
	}
	rest := &gotOut{}
	format.Stream(context.Background(), bytes.NewReader(b), from, rest)
	got, want := byProvenance(append(recs, rest.recs...)), byProvenance(one.recs)
	if !slices.Equal(got, want) {
		t.Fatalf("resumed at %+v: %d records, want %d; first difference: %s", from, len(got), len(want), firstDiff(got, want))
	}
	if got, want := httpByProvenance(append(reqs, rest.http...)), httpByProvenance(one.http); !slices.Equal(got, want) {
		t.Fatalf("resumed at %+v: %d HTTP records, want %d; first difference: %s", from, len(got), len(want), firstDiff(got, want))
	}
	if skips = append(skips, rest.skips...); !slices.Equal(skips, one.skips) {
		t.Fatalf("resumed at %+v: skips %+v, want %+v", from, skips, one.skips)
	}
}
