package db

import (
	"cmp"
	"encoding/binary"
	"slices"
	"testing"
)

// eventsFrom makes events of one name and source out of arbitrary bytes,
// 40 bytes an event, sorted by time as encodeBlock wants them.
func eventsFrom(b []byte) []Event {
	var evs []Event
	for ; len(b) >= 40; b = b[40:] {
		le := binary.LittleEndian
		evs = append(evs, Event{
			Time: int64(le.Uint64(b)), Name: 7, Source: 2,
			Client: le.Uint32(b[8:]), Answer: le.Uint32(b[12:]),
			QType: le.Uint16(b[16:]), RCode: int16(le.Uint16(b[18:])), TTL: int32(le.Uint32(b[20:])),
			Line: int64(le.Uint64(b[24:])), Offset: int64(le.Uint64(b[32:])),
		})
	}
	slices.SortStableFunc(evs, func(a, b Event) int { return cmp.Compare(a.Time, b.Time) })
	return evs
}

// FuzzBlock checks the event-block codec on any bytes: events made from
// them survive encoding and decoding (and encode to the same bytes again);
// the events a block holds are those it was given (n < 0); the bytes
// read as a stored block decode to an error or to exactly the n events
// asked for, never to more than the bytes can hold; and blockTimes
// agrees with decodeBlock on every block, good or corrupt.
func FuzzBlock(f *testing.F) {
	f.Add(encodeBlock(nil, []Event{{Time: 5, Client: 3, Answer: 9, QType: 1, TTL: 300, Line: 10, Offset: 900},
		{Time: 9, RCode: -1, TTL: -1, Line: 5, Offset: 100}}), uint16(2), int64(5))
	// A client id whose varint runs past 64 bits.
	f.Add([]byte{blockVersion, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0, 0, 0, 0, 0, 0}, uint16(1), int64(0))
	f.Fuzz(func(t *testing.T, data []byte, n uint16, tmin int64) {
		in := eventsFrom(data)
		if len(in) > 0 {
			enc := encodeBlock(nil, in)
			out, err := decodeBlock(nil, enc, len(in), in[0].Time, 7, 2)
			if err != nil || !slices.Equal(out, in) {
				t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, out, in)
			}
			if all, err := decodeBlock(nil, enc, -1, in[0].Time, 7, 2); err != nil || !slices.Equal(all, in) {
				t.Fatalf("all the block holds: %v\n got %+v\nwant %+v", err, all, in)
			}
			if again := encodeBlock(nil, out); string(again) != string(enc) {
				t.Fatalf("re-encoded differently: %x, was %x", again, enc)
			}
			checkTimes(t, enc, len(in), in[0].Time, out, nil)
		}

		evs, err := decodeBlock(nil, data, int(n), tmin, 7, 2)
		switch {
		case err == nil && len(evs) != int(n):
			t.Fatalf("%d events decoded, %d asked for", len(evs), n)
		case len(evs) > max(0, len(data)-1)/8:
			t.Fatalf("%d events out of %d bytes: an event takes at least 8", len(evs), len(data))
		}
		for _, e := range evs {
			if e.Name != 7 || e.Source != 2 {
				t.Fatalf("event %+v: name and source come from the row", e)
			}
		}
		checkTimes(t, data, int(n), tmin, evs, err)
	})
}

// checkTimes checks that blockTimes reads the block as decodeBlock did:
// the same times, and an error exactly when decodeBlock had one.
func checkTimes(t *testing.T, data []byte, n int, tmin int64, evs []Event, decodeErr error) {
	t.Helper()
	var times []int64
	err := blockTimes(data, n, tmin, func(t int64) { times = append(times, t) })
	if (err == nil) != (decodeErr == nil) {
		t.Fatalf("blockTimes: %v, decodeBlock: %v", err, decodeErr)
	}
	if err == nil {
		if len(times) != len(evs) {
			t.Fatalf("blockTimes read %d times, decodeBlock %d events", len(times), len(evs))
		}
		for i, e := range evs {
			if times[i] != e.Time {
				t.Fatalf("time %d: blockTimes %d, decodeBlock %d", i, times[i], e.Time)
			}
		}
	}
}
