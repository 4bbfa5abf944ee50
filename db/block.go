package db

import (
	"encoding/binary"
	"errors"
)

// Event is one stored event, its strings replaced by dictionary ids.
type Event struct {
	Time   int64 // unix µs
	Name   uint32
	Client uint32
	Answer uint32
	Source uint32
	QType  uint16
	RCode  int16 // -1: no response seen
	TTL    int32 // -1: unknown
	Line   int64 // line or packet number in the source
	Offset int64 // byte offset in the source
}

// blockVersion is the first byte of every block; it lets a later format
// coexist with this one.
const blockVersion = 1

// maxBlockEvents caps a block so that reading the newest events of a busy
// name never decodes more than this many to get to them.
const maxBlockEvents = 32768

// encodeBlock appends the events (one name, one source, sorted by time) in
// delta-varint form: about 10 bytes an event instead of ~60 as a row.
func encodeBlock(dst []byte, evs []Event) []byte {
	dst = append(dst, blockVersion)
	var t, line, off int64 // the first event's line and offset go in whole
	if len(evs) > 0 {
		t = evs[0].Time // the row's tmin
	}
	for i := range evs {
		e := &evs[i]
		dst = binary.AppendUvarint(dst, uint64(e.Time-t))
		dst = binary.AppendUvarint(dst, uint64(e.Client))
		dst = binary.AppendUvarint(dst, uint64(e.Answer))
		dst = binary.AppendUvarint(dst, uint64(e.QType))
		dst = binary.AppendVarint(dst, int64(e.RCode))
		dst = binary.AppendVarint(dst, int64(e.TTL))
		dst = binary.AppendVarint(dst, e.Line-line)
		dst = binary.AppendVarint(dst, e.Offset-off)
		t, line, off = e.Time, e.Line, e.Offset
	}
	return dst
}

var errBadBlock = errors.New("corrupt event block")

// decodeBlock appends the n events of a block, or with n < 0 all the
// events its data holds (a scan that does not read the row's n column).
// tmin is the block's first time (stored in its row); name and source
// come from the row too.
func decodeBlock(dst []Event, data []byte, n int, tmin int64, name, source uint32) ([]Event, error) {
	if len(data) == 0 || data[0] != blockVersion {
		return dst, errBadBlock
	}
	p := data[1:]
	t, line, off := tmin, int64(0), int64(0)
	for i := 0; i < n || n < 0 && len(p) > 0; i++ {
		var v [8]int64
		for k := 0; k < 8; k++ {
			// Most fields fit one byte (a client, an answer, a type, a
			// code, the next line): read as binary.Uvarint would, without
			// its loop, they were half of decoding a workspace's blocks.
			var u uint64
			if len(p) > 0 && p[0] < 0x80 {
				u, p = uint64(p[0]), p[1:]
			} else {
				var w int
				if u, w = binary.Uvarint(p); w <= 0 {
					return dst, errBadBlock
				}
				p = p[w:]
			}
			if k < 4 {
				v[k] = int64(u)
			} else { // zig-zag, as binary.Varint
				x := int64(u >> 1)
				if u&1 != 0 {
					x = ^x
				}
				v[k] = x
			}
		}
		t += v[0]
		line += v[6]
		off += v[7]
		dst = append(dst, Event{Time: t, Name: name, Source: source, Client: uint32(v[1]), Answer: uint32(v[2]),
			QType: uint16(v[3]), RCode: int16(v[4]), TTL: int32(v[5]), Line: line, Offset: off})
	}
	return dst, nil
}

// blockTimes calls fn with the time of each of a block's n events, skipping
// the other fields: a busy name's per-minute series reads a million events
// and needs nothing else.
func blockTimes(data []byte, n int, tmin int64, fn func(t int64)) error {
	if len(data) == 0 || data[0] != blockVersion {
		return errBadBlock
	}
	p := data[1:]
	t := tmin
	for i := 0; i < n; i++ {
		dt, w := binary.Uvarint(p)
		if w <= 0 {
			return errBadBlock
		}
		p = p[w:]
		t += int64(dt)
		fn(t)
		// Skip the seven other varints: each ends at a byte below 0x80,
		// and is refused when it does not fit 64 bits, as decodeBlock
		// refuses it (so a corrupt block is corrupt to both).
		for k := 0; k < 7; k++ {
			j := 0
			for j < len(p) && p[j] >= 0x80 {
				j++
			}
			if j >= len(p) || j >= binary.MaxVarintLen64 || j == binary.MaxVarintLen64-1 && p[j] > 1 {
				return errBadBlock
			}
			p = p[j+1:]
		}
	}
	return nil
}
