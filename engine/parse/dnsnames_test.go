package parse

import (
	"testing"
	"time"

	"github.com/longtail/longtail/engine/record"
)

func TestQTypeByName(t *testing.T) {
	for name, want := range map[string]uint16{
		"A": 1, "aaaa": 28, "Cname": 5, "TXT": 16, "SRV": 33, "HTTPS": 65, "SVCB": 64, "ANY": 255,
		"NULL": 10, "CAA": 257, "NSEC3": 50, "TYPE123": 123, "type65": 65, "AXFR": 252, "IXFR": 251,
		"SIG": 24, "KEY": 25, "LOC": 29, "NXT": 30, "CERT": 37, "A6": 38, "DNAME": 39, "APL": 42,
		"SSHFP": 44, "IPSECKEY": 45, "TKEY": 249, "TSIG": 250, "URI": 256, "NSAP-PTR": 23,
		"NSAP_PTR": 23, "OPENPGPKEY": 61, "NSEC3PARAM": 51, "MAILB": 253, "DLV": 32769,
		"": 0, "BOGUS": 0, "TYPE": 0, "TYPE70000": 0, "AAAAAAAAAAAAAAAAAAAAAAAA": 0,
	} {
		if got := QTypeByName([]byte(name)); got != want {
			t.Errorf("QTypeByName(%q) = %d, want %d", name, got, want)
		}
	}
	for typ, want := range map[uint16]string{1: "A", 28: "AAAA", 65: "HTTPS", 0: "", 123: "TYPE123", 24: "SIG", 256: "URI", 250: "TSIG"} {
		if got := QTypeName(typ); got != want {
			t.Errorf("QTypeName(%d) = %q, want %q", typ, got, want)
		}
	}
	// Every name maps back to its number.
	for n, s := range qtypeNames {
		if got := QTypeByName([]byte(s)); got != n {
			t.Errorf("QTypeByName(%q) = %d, want %d", s, got, n)
		}
	}
}

func TestRCodeByName(t *testing.T) {
	for name, want := range map[string]int16{
		"NOERROR": 0, "formerr": 1, "ServFail": 2, "NXDOMAIN": 3, "NOTIMP": 4, "NOTIMPL": 4, "REFUSED": 5,
		"NOTAUTH": 9, "BADVERS": 16, "": record.NoRCode, "nope": record.NoRCode,
	} {
		if got := RCodeByName([]byte(name)); got != want {
			t.Errorf("RCodeByName(%q) = %d, want %d", name, got, want)
		}
	}
	for c, want := range map[int16]string{0: "NOERROR", 3: "NXDOMAIN", record.NoRCode: "", 11: "RCODE11"} {
		if got := RCodeName(c); got != want {
			t.Errorf("RCodeName(%d) = %q, want %q", c, got, want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "42": 42, "999999999999999999": 999999999999999999} {
		if got, ok := Atoi([]byte(in)); !ok || got != want {
			t.Errorf("Atoi(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "-1", "1a", "1000000000000000000", " 1"} {
		if _, ok := Atoi([]byte(in)); ok {
			t.Errorf("Atoi(%q) accepted", in)
		}
	}
	if n, ok := Hex([]byte("fDdb")); !ok || n != 0xfddb {
		t.Errorf("Hex(fDdb) = %x, %v", n, ok)
	}
	if _, ok := Hex([]byte("xyz")); ok {
		t.Error("Hex(xyz) accepted")
	}
}

func TestUnixMicro(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC),
		time.Date(2016, 8, 25, 17, 20, 0, 0, time.UTC),
		time.Date(2100, 3, 1, 1, 2, 3, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		got, ok := UnixMicro(int64(tm.Year()), int64(tm.Month()), int64(tm.Day()), int64(tm.Hour()), int64(tm.Minute()), int64(tm.Second()))
		if got != tm.UnixMicro() || !ok {
			t.Errorf("UnixMicro(%v) = %d %v, want %d", tm, got, ok, tm.UnixMicro())
		}
	}
	// A day its month does not have, a field out of range or a year the
	// tool does not take is no time, never the day it would roll to.
	for _, f := range [][6]int64{
		{2024, 2, 30, 0, 0, 0}, {2023, 2, 29, 0, 0, 0}, {2100, 2, 29, 0, 0, 0}, {2024, 4, 31, 0, 0, 0},
		{2024, 13, 1, 0, 0, 0}, {2024, 0, 1, 0, 0, 0}, {2024, 1, 0, 0, 0, 0}, {2024, 1, 1, 24, 0, 0},
		{2024, 1, 1, 0, 60, 0}, {2024, 1, 1, 0, 0, 61}, {1969, 12, 31, 0, 0, 0}, {10000, 1, 1, 0, 0, 0},
	} {
		if _, ok := UnixMicro(f[0], f[1], f[2], f[3], f[4], f[5]); ok {
			t.Errorf("UnixMicro%v accepted", f)
		}
	}
}

// detectedBy lists which of the formats named accept head.
func detectedBy(head []byte, names ...string) []string {
	if len(head) > HeadSize {
		head = head[:HeadSize]
	}
	var got []string
	for _, n := range names {
		if f, ok := ByName(n); ok && f.Detect(head) {
			got = append(got, n)
		}
	}
	return got
}

// myFormats are the formats of csv.go, zeek.go and windowsdns.go.
var myFormats = []string{"opendns-csv", "umbrella-csv", "zeek-tsv", "zeek-json", "windows-dns-debug", "windows-dns-siem-csv"}

// A stamp of a day its month does not have, or of a year the tool does not
// take, is a skipped line in the built-in formats, never the day it would
// roll to. Syslog stamps have no year: 29 Feb is skipped in a year the
// clock gives that has none.
func TestImpossibleDates(t *testing.T) {
	for _, c := range []struct{ format, line, reason string }{
		{"access-log", `10.0.0.1 - - [30/Feb/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 1`, "bad time"},
		{"access-log", `10.0.0.1 - - [01/Jan/1970:00:30:00 +0100] "GET / HTTP/1.1" 200 1`, "bad time"},
		{"opendns-csv", "02/30/2024 17:20:00,a.example,A,360,1.2.3.4", "bad time"},
		{"opendns-csv", "2023-02-29 17:20:00,a.example,A,360,1.2.3.4", "bad time"},
		{"opendns-csv", "1969-12-31 23:59:00,a.example,A,360,1.2.3.4", "bad time"},
		{"tcpdump-text", "2024-04-31 17:20:00.000000 IP 10.0.0.1.5353 > 10.0.0.2.53: 1+ A? a.example. (27)", "no tcpdump timestamp"},
		{"sshd-syslog", "Feb 29 10:00:00 web1 sshd[1]: Failed password for root from 1.2.3.4 port 5 ssh2", noSuchDay},
	} {
		f, _ := ByName(c.format)
		p := f.Lines()
		if d, ok := p.(Dated); ok {
			d.DateFrom(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), false, nil)
		}
		out := runLines(t, p, []byte(c.line+"\n"))
		if len(out.recs)+len(out.http)+len(out.logon) != 0 || out.skipReasons()[c.reason] != 1 {
			t.Errorf("%s %q: records %+v %+v %+v, skips %q, want skipped: %s", c.format, c.line, out.recs, out.http, out.logon, out.skipList(), c.reason)
		}
	}
}
