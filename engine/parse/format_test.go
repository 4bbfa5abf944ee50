package parse

import (
	"bytes"
	"context"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/longtail/longtail/engine/record"
)

// FuzzDetect: any input is refused, or given to the first registered
// format that accepts its head; that format then reads the whole input
// without panicking, gives at most one record and one skip a line (text),
// or a record per 12 bytes (a DNS header's size) and a skip per 2 bytes
// (captures), and says where each record came from with a line (or
// packet) of the input and, for text, the offset where that line starts.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{tcpdumpSample, bindSample, openDNSSample, dnsmasqSample, zeekTSVSeed + zeekTSVRow, zeekJSONLine,
		accessLogSeed, iisW3CSeed, iisEventSeed, zeekHTTPTSVSeed + zeekHTTPTSVRow, zeekHTTPJSONLine,
		"example.com\nwww.example.org\n", "\x00\x01garbage\n", ""} {
		f.Add([]byte(s))
	}
	f.Add(writeCapture(f, layers.LinkTypeEthernet,
		capPkt{0, ether(udp4("10.0.0.1", "10.0.0.53", 4444, 53, qry))}, capPkt{1, ether(udp4("10.0.0.53", "10.0.0.1", 53, 4444, rsp))}))
	f.Fuzz(func(t *testing.T, b []byte) {
		head := b[:min(len(b), HeadSize)]
		format, err := Detect(head)
		for _, g := range Formats() {
			if g.Detect(head) {
				if err != nil || g.Name != format.Name {
					t.Fatalf("detected %q, %v; %q is the first to accept the head", format.Name, err, g.Name)
				}
				break
			}
		}
		if err != nil {
			return
		}
		if format.Stream != nil {
			checkStreamed(t, format, b)
			return
		}
		out := runLines(t, format.Lines(), b)
		if format.Kind == record.KindHTTP && len(out.recs) > 0 || format.Kind != record.KindHTTP && len(out.http) > 0 {
			t.Fatalf("%s of kind %v gave %d dns and %d http records", format.Name, format.Kind, len(out.recs), len(out.http))
		}
		starts := lineStarts(b)
		lines := int64(len(starts))
		prov := out.provenance()
		if int64(len(prov)) > lines || int64(len(out.skips)) > lines {
			t.Fatalf("%s: %d records, %d skips from %d lines", format.Name, len(prov), len(out.skips), lines)
		}
		for _, r := range prov {
			if r[0] < 1 || r[0] > lines || r[1] != starts[r[0]-1] {
				t.Fatalf("%s: record at line %d, offset %d; lines start at %v", format.Name, r[0], r[1], starts)
			}
		}
	})
}

// lineStarts returns the offset of each line of b (the last may lack its
// newline).
func lineStarts(b []byte) []int64 {
	var starts []int64
	for off := 0; off < len(b); {
		starts = append(starts, int64(off))
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	return starts
}

// checkStreamed reads a capture of format f and checks its output's
// bounds and provenance.
func checkStreamed(t *testing.T, f Format, b []byte) {
	var out gotOut
	at, _ := f.Stream(context.Background(), bytes.NewReader(b), Resume{}, &out)
	pos := at.Read
	if pos.Offset > int64(len(b)) || len(out.recs) > len(b)/12 {
		t.Fatalf("%s: position %+v, %d records from %d bytes", f.Name, pos, len(out.recs), len(b))
	}
	for _, r := range out.recs {
		if r.Line < 1 || r.Line > pos.Line || r.Offset < 0 || r.Offset >= int64(len(b)) {
			t.Fatalf("%s: record %+v outside the %d packets and %d bytes read", f.Name, r, pos.Line, len(b))
		}
	}
	for _, s := range out.skips {
		if s.Line < 1 || s.Line > pos.Line+1 || s.Reason == "" {
			t.Fatalf("%s: skip %+v outside packets 1..%d", f.Name, s, pos.Line+1)
		}
	}
	if len(out.skips) > len(b)/2+1 {
		t.Fatalf("%s: %d skips from %d bytes", f.Name, len(out.skips), len(b))
	}
}
