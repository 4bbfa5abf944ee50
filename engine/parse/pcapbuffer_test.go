package parse

import (
	"testing"
	"time"
)

// TestPcapRecordsAcrossTheReadBuffer: a capture several times the read
// buffer, whose packet records straddle its refills, gives every exchange
// once with its query's time and skips nothing. Before the fix a record
// that straddled a refill took its seconds from the stale header bytes: its
// time was wrong, and as the capture's clock it expired the queries waiting
// (their responses were then skipped as over 30 s late).
func TestPcapRecordsAcrossTheReadBuffer(t *testing.T) {
	const pairs = 40_000 // 80k packets, about 7 MB: several refills of capBuffer
	capture := dnsBenchCapture(pairs, nil)
	if len(capture) < 4*capBuffer {
		t.Fatalf("the capture is %d bytes, want several read buffers", len(capture))
	}
	out, _, err := decodeCapture(t, capture, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.skips) != 0 || len(out.recs) != pairs {
		t.Fatalf("%d records and %d skipped (first: %v), want %d and none", len(out.recs), len(out.skips), out.skips[:min(1, len(out.skips))], pairs)
	}
	for i, r := range out.recs {
		if want := t0.Add(time.Duration(i) * 100 * time.Microsecond).UnixMicro(); r.Time != want {
			t.Fatalf("record %d (%s): time %d, want %d", i, r.Name, r.Time, want)
		}
	}
}
