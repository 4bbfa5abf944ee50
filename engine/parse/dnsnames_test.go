package parse

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/record"
)

func TestQTypeByName(t *testing.T) {
	for name, want := range map[string]uint16{
		"A": 1, "aaaa": 28, "Cname": 5, "TXT": 16, "SRV": 33, "HTTPS": 65, "SVCB": 64, "ANY": 255,
		"NULL": 10, "CAA": 257, "NSEC3": 50, "TYPE123": 123, "type65": 65, "AXFR": 252, "IXFR": 251,
		"": 0, "BOGUS": 0, "TYPE": 0, "TYPE70000": 0, "AAAAAAAAAAAAAAAAAAAAAAAA": 0,
	} {
		if got := QTypeByName([]byte(name)); got != want {
			t.Errorf("QTypeByName(%q) = %d, want %d", name, got, want)
		}
	}
	for typ, want := range map[uint16]string{1: "A", 28: "AAAA", 65: "HTTPS", 0: "", 123: "TYPE123"} {
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
		time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		got := UnixMicro(int64(tm.Year()), int64(tm.Month()), int64(tm.Day()), int64(tm.Hour()), int64(tm.Minute()), int64(tm.Second()))
		if got != tm.UnixMicro() {
			t.Errorf("UnixMicro(%v) = %d, want %d", tm, got, tm.UnixMicro())
		}
	}
}

// The helpers below drive the parsers of csv.go, zeek.go and windowsdns.go
// the way the ingest does, and keep what they produce as plain values.

// gotRec is a record copied out of the parser's buffers.
type gotRec struct {
	Time    string // RFC 3339 UTC, to the microsecond
	Client  string
	Name    string
	QType   uint16
	RCode   int16
	TTL     int32
	Answers string
	Line    int64
	Offset  int64
}

type gotSkip struct {
	Line   int64
	Offset int64
	Reason string
}

type gotOut struct {
	recs  []gotRec
	skips []gotSkip
}

func (o *gotOut) Record(r *record.Record) {
	if r.Kind != record.KindDNS {
		panic("record kind is not dns")
	}
	o.recs = append(o.recs, gotRec{
		Time:    time.UnixMicro(r.Time).UTC().Format("2006-01-02T15:04:05.999999Z"),
		Client:  string(r.Client),
		Name:    string(r.Name),
		QType:   r.QType,
		RCode:   r.RCode,
		TTL:     r.TTL,
		Answers: string(r.Answers),
		Line:    r.Line,
		Offset:  r.Offset,
	})
}

func (o *gotOut) Skip(line, offset int64, reason string) {
	o.skips = append(o.skips, gotSkip{line, offset, reason})
}

// parseText runs the named format's line parser over data through
// ScanLines, as a finished file, and flushes it.
func parseText(t testing.TB, format string, data []byte) *gotOut {
	t.Helper()
	f, ok := ByName(format)
	if !ok || f.Lines == nil {
		t.Fatalf("format %q is not a registered text format", format)
	}
	out := &gotOut{}
	p := f.Lines()
	if _, err := ScanLines(context.Background(), bytes.NewReader(data), p, Position{}, Position{}, true, out); err != nil {
		t.Fatalf("ScanLines: %v", err)
	}
	p.Flush(out)
	return out
}

// sample reads a file of the shared sample data (gunzipping .gz), or skips
// the test when the data is not there.
func sample(t testing.TB, rel string) []byte {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", rel)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("sample data %s not available", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(rel, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

// checkRecords compares the records at the given lines with want.
func checkRecords(t *testing.T, out *gotOut, want ...gotRec) {
	t.Helper()
	byLine := make(map[int64]gotRec, len(out.recs))
	for _, r := range out.recs {
		byLine[r.Line] = r
	}
	for _, w := range want {
		got, ok := byLine[w.Line]
		if !ok {
			t.Errorf("no record for line %d", w.Line)
			continue
		}
		if w.Offset == 0 {
			w.Offset = got.Offset // not checked unless given
		}
		if got != w {
			t.Errorf("line %d:\n got %+v\nwant %+v", w.Line, got, w)
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
