package parse

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/record"
)

// Counts for the acandeias sample (1000 PACKET lines, `grep -c ' PACKET '`),
// by awk over the whitespace-separated fields ($8 direction, $9 address,
// $10 xid, $11 "R" or opcode, $12 opcode after "R"):
//
//	awk '$8=="Rcv" && $11=="Q"{k=$9" "$10; p[k]; q++}
//	     $8=="Snd" && $11=="R" && $12=="Q"{k=$9" "$10; if(k in p){paired++; delete p[k]} else orphan++}
//	     END{print q, paired, orphan}'
//
// gives 386 client queries, 33 of them answered in the log, and 312
// answers whose query is not in the log: 386 + 312 = 698 records, of which
// 386 - 33 = 353 have no rcode. The same awk with the 30 s expiry of
// pending queries gives the same figures. The other 269 lines are upstream
// traffic (117 Snd Q, 141 Rcv R Q) and dynamic updates (6 Rcv U, 5 Snd R U).
const (
	winRecords = 698
	winNoRCode = 353
)

func TestWindowsDebugSample(t *testing.T) {
	data := sample(t, "dns/acandeias_windows_dns_debug_rawmsg_DERIVED.log")
	if got := detectedBy(data, myFormats...); !slices.Equal(got, []string{"windows-dns-debug"}) {
		t.Errorf("detected by %v", got)
	}
	out := parseText(t, "windows-dns-debug", data)
	checkWindowsSample(t, out, 0)
}

func TestWindowsSIEMSample(t *testing.T) {
	data := sample(t, "dns/acandeias_siem_export_windows_dns_debug.csv")
	if got := detectedBy(data, myFormats...); !slices.Equal(got, []string{"windows-dns-siem-csv"}) {
		t.Errorf("detected by %v", got)
	}
	// python3 csv.DictReader: 1000 rows whose rawmsg equals the lines of
	// the derived log, one line further down (the header).
	out := parseText(t, "windows-dns-siem-csv", data)
	checkWindowsSample(t, out, 1)
}

func checkWindowsSample(t *testing.T, out *gotOut, shift int64) {
	t.Helper()
	noRCode := 0
	for _, r := range out.recs {
		if r.RCode == record.NoRCode {
			noRCode++
		}
	}
	if len(out.recs) != winRecords || len(out.skips) != 0 || noRCode != winNoRCode {
		t.Fatalf("%d records, %d skips (%v), %d without rcode; want %d, 0, %d",
			len(out.recs), len(out.skips), out.skips, noRCode, winRecords, winNoRCode)
	}
	recs := []gotRec{
		// A query never answered in the log.
		{Time: micro("2017-05-08T11:16:08Z"), Client: "172.24.33.40", Name: "ib.3lift.com", QType: 1, RCode: -1, TTL: -1, Line: 1},
		// Line 32's query, answered on line 33.
		{Time: micro("2017-05-08T11:12:59Z"), Client: "172.24.4.31", Name: "scss-prod-ue1-notif-29.adobesc.com", QType: 1, RCode: 0, TTL: -1, Line: 32},
		// An answer alone, NXDOMAIN, flags "A DR".
		{Time: micro("2017-05-08T11:18:09Z"), Client: "172.24.34.41", Name: "wpad.global.com", QType: 1, RCode: 3, TTL: -1, Line: 1000},
		// A non-hex xid ("egcf").
		{Time: micro("2017-05-08T11:24:22Z"), Client: "172.21.215.222", Name: "t.wayfair.com", QType: 1, RCode: -1, TTL: -1, Line: 4},
		{Time: micro("2017-05-08T11:12:45Z"), Client: "172.21.215.196", Name: "_ldap._tcp.dc._msdcs.cignitiglobal.com", QType: 33, RCode: -1, TTL: -1, Line: 38},
	}
	for i := range recs {
		recs[i].Line += shift
	}
	checkRecords(t, out, recs...)
	for _, r := range out.recs {
		switch r.Line - shift {
		case 2, 33, 650: // Snd Q upstream, the answer paired with line 32, Snd Q
			t.Errorf("record for line %d: %+v", r.Line, r)
		}
	}
}

func TestWindowsDebugLines(t *testing.T) {
	in := strings.Join([]string{
		"DNS Server log file creation at 5/8/2017 11:00:00 AM",
		"Log file wrap at 5/8/2017 11:00:00 AM",
		"",
		"Message logging key (for packets - other items use a subset of these fields):",
		"\tField #  Information         Values",
		"5/8/2017 12:00:01 AM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 10.0.0.1        00a1   Q [0001   D   NOERROR] AAAA   (3)www(7)example(3)com(0)",
		"5/8/2017 12:00:01 AM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 10.0.0.2        00a1   Q [0001   D   NOERROR] TYPE65 (1)a(0)",
		"5/8/2017 12:00:02 AM 0EB0 PACKET  0000002233BAC1B0 UDP Snd 10.0.0.1        00a1 R Q [8183   DR SERVFAIL] AAAA   (3)www(7)example(3)com(0)",
		"UDP response info at 0000002233BAC1B0",
		"  Socket = 508",
		"5/8/2017 12:00:03 PM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 10.0.0.3        00b1   Q [0001   D   NOERROR] NS     (0)",
		"5/8/2017 12:00:03 PM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 10.0.0.3        00b1   Q [0001   D   NOERROR] A      (1)b(0)",
		"2017-05-08 13:00:04 0EB0 PACKET  0000002233BAC1B0 TCP Rcv 10.0.0.4        00c1   Q [0001   D   NOERROR] A      (1)c(0)",
		"5/8/2017 13:00:05 0EB0 PACKET  0000002233BAC1B0 TCP Rcv 10.0.0.4        00c2   Q [0001   D   NOERROR] A      (1)c(0)",
		"5/8/2017 13:00:40 0EB0 PACKET  0000002233BAC1B0 TCP Snd 10.0.0.4        00c2 R Q [8081   DR  NOERROR] A      (1)c(0)",
		"5/8/2017 13:00:41 0EB0 PACKET  0000002233BAC1B0 TCP Xyz 10.0.0.4        00c3   Q [0001   D   NOERROR] A      (1)c(0)",
		"5/8/2017 13:00:42 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 10.0.0.4        00c4   Q [0001   D   NOERROR] A      (1)c(9)",
		"5/8/2017 13:00:43 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 10.0.0.4        00c4   Q (1)c(0)",
		"13/45/2017 1:00:44 PM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 10.0.0.4        00c5   Q [0001   D   NOERROR] A      (1)c(0)",
	}, "\n")
	out := parseText(t, "windows-dns-debug", []byte(in))
	checkRecords(t, out,
		gotRec{Time: micro("2017-05-08T00:00:01Z"), Client: "10.0.0.1", Name: "www.example.com", QType: 28, RCode: 2, TTL: -1, Line: 6},
		gotRec{Time: micro("2017-05-08T00:00:01Z"), Client: "10.0.0.2", Name: "a", QType: 65, RCode: -1, TTL: -1, Line: 7},
		// The root; then the same client and xid again: two queries.
		gotRec{Time: micro("2017-05-08T12:00:03Z"), Client: "10.0.0.3", Name: ".", QType: 2, RCode: -1, TTL: -1, Line: 11},
		gotRec{Time: micro("2017-05-08T12:00:03Z"), Client: "10.0.0.3", Name: "b", QType: 1, RCode: -1, TTL: -1, Line: 12},
		// An ISO date with a 24-hour clock.
		gotRec{Time: micro("2017-05-08T13:00:04Z"), Client: "10.0.0.4", Name: "c", QType: 1, RCode: -1, TTL: -1, Line: 13},
		// The answer 35 s later comes after the query expired: two records.
		gotRec{Time: micro("2017-05-08T13:00:05Z"), Client: "10.0.0.4", Name: "c", QType: 1, RCode: -1, TTL: -1, Line: 14},
		gotRec{Time: micro("2017-05-08T13:00:40Z"), Client: "10.0.0.4", Name: "c", QType: 1, RCode: 0, TTL: -1, Line: 15},
	)
	var skips []string
	for _, s := range out.skips {
		skips = append(skips, fmt.Sprint(s.Line, " ", s.Reason))
	}
	want := []string{"16 bad direction", "17 bad name", "18 no [flags rcode]", "19 bad date or time"}
	if len(out.recs) != 7 || !slices.Equal(skips, want) {
		t.Errorf("%d records %+v, skips %q, want 7, %q", len(out.recs), out.recs, skips, want)
	}
	if got := detectedBy([]byte(in), myFormats...); !slices.Equal(got, []string{"windows-dns-debug"}) {
		t.Errorf("detected by %v", got)
	}
}

func TestDecodeWinName(t *testing.T) {
	for in, want := range map[string]string{
		"(2)ib(5)3lift(3)com(0)":      "ib.3lift.com",
		"(0)":                         ".",
		"(4)wpad(10) global(3)com(0)": "wpad. global.com", // as in the acandeias sample, line 650
		"(5)a(b)c(3)com(0)":           "a(b)c.com",
	} {
		if got, ok := decodeWinName(nil, []byte(in)); !ok || string(got) != want {
			t.Errorf("decodeWinName(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "www.example.com", "(3)www", "(3)www(0)x", "(x)a(0)", "(3)abc"} {
		if got, ok := decodeWinName(nil, []byte(in)); ok {
			t.Errorf("decodeWinName(%s) = %q, accepted", in, got)
		}
	}
}

func TestWindowsNotDetected(t *testing.T) {
	for _, head := range []string{
		"5/8/2017 11:16:08 AM 0EB0 EVENT   The DNS server has started.\n",
		"srcipv4,result,rawmsg\n1.2.3.4,ok,hello\n",
		"srcipv4,result\n1.2.3.4,ok\n",
	} {
		if got := detectedBy([]byte(head), myFormats...); len(got) != 0 {
			t.Errorf("%q detected as %v", head, got)
		}
	}
}

func FuzzWindowsDebug(f *testing.F) {
	f.Add([]byte("5/8/2017 11:16:08 AM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 172.24.33.40    fddb   Q [0001   D   NOERROR] A      (2)ib(5)3lift(3)com(0)\n" +
		"5/8/2017 11:16:09 AM 0EB0 PACKET  0000002233BAC1B0 UDP Snd 172.24.33.40    fddb R Q [8385 A DR NXDOMAIN] A      (2)ib(5)3lift(3)com(0)"))
	f.Add([]byte("2017-05-08 13:00:05 0EB0 PACKET  0 TCP Rcv ::1 1   Q [0001   D   NOERROR] 99 (0)"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLines(t, "windows-dns-debug", data)
	})
}

func FuzzWindowsSIEM(f *testing.F) {
	f.Add([]byte("srcipv4,rawmsg,x\n172.24.33.40,5/8/2017 11:16:08 AM 0EB0 PACKET  0000002233BAC1B0 UDP Rcv 172.24.33.40    fddb   Q [0001   D   NOERROR] A      (2)ib(5)3lift(3)com(0),\"a,\"\"b\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLines(t, "windows-dns-siem-csv", data)
	})
}
