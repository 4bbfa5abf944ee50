package parse

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/Velocidex/ordereddict"
	"www.velocidex.com/golang/evtx"

	"github.com/longtail/longtail/engine/record"
)

// evtx is a Windows event log file (.evtx), read with
// www.velocidex.com/golang/evtx. The Security log's authentication events
// and Remote Desktop's (1149, LocalSessionManager's 21, 24, 25) become
// logon records exactly as the same events written as JSON lines do
// (windows-json: the same fields, the same winFields.fill), so a
// collector's export and the file it came from list alike. Every other
// event is passed over.
//
// A record's "line" is its ordinal in the file (what a resumed read skips)
// and its offset that of its chunk. A chunk the library cannot read, the
// records of a chunk after one it cannot parse, and an event it cannot
// decode (no event id) are skipped and counted; a chunk slot of zeros is
// unused. A record is a template instance (the Security log's) or a whole
// BinXML document whose values are text (Remote Desktop's 1149): both
// are read.
// The file is read whole into memory: the library needs to seek, and
// event logs are tens of megabytes (Windows' default cap is 20 MB).
// The library is a fork (third_party/evtx) bounded against crafted files.

func init() {
	register(12, Format{
		Name:   "evtx",
		Kind:   record.KindLogon,
		Detect: func(head []byte) bool { return bytes.HasPrefix(head, []byte("ElfFile\x00")) },
		Stream: streamEvtx,
		Record: "record",
	})
}

const (
	evtxChunkSize  = 0x10000
	evtxHeaderSize = 0x1000
)

func streamEvtx(ctx context.Context, r io.Reader, from Resume, out record.Output) (Resume, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Resume{}, err
	}
	chunks, err := evtx.GetChunks(bytes.NewReader(data))
	if err != nil {
		return Resume{}, fmt.Errorf("evtx: %w", err)
	}
	var p evtxParser
	// GetChunks passes over a chunk whose header it cannot read: each is
	// counted here, at the offset where it was expected.
	next := int64(evtxHeaderSize)
	if len(data) >= 0x2a { // the file header's HeaderBlockSize
		next = int64(binary.LittleEndian.Uint16(data[0x28:]))
	}
	pos := Position{}
	for _, c := range chunks {
		if err := ctx.Err(); err != nil {
			return Done(pos), err
		}
		for ; next < c.Offset; next += evtxChunkSize {
			if pos.Line >= from.Read.Line && !unused(data, next) {
				out.Skip(pos.Line+1, next, "damaged chunk")
			}
		}
		next = c.Offset + evtxChunkSize
		pos = p.chunk(c, pos, from.Read.Line, out)
	}
	pos.Offset = int64(len(data))
	return Done(pos), nil
}

// unused is true for a chunk slot of zeros: never written (or cleared),
// not damaged.
func unused(data []byte, off int64) bool {
	end := min(off+8, int64(len(data)))
	return off >= end || bytes.Count(data[off:end], []byte{0}) == int(end-off)
}

type evtxParser struct {
	f   winFields
	rec record.Record
}

// chunk emits the logons of one chunk; records up to skip (a resumed
// read) were read before. It returns the position after the chunk.
func (p *evtxParser) chunk(c *evtx.Chunk, pos Position, skip int64, out record.Output) (end Position) {
	want := int64(c.Header.LastEventRecNumber) - int64(c.Header.FirstEventRecNumber) + 1
	if want < 0 || want > evtxChunkSize {
		want = 0
	}
	end = Position{Line: pos.Line + want, Offset: c.Offset}
	var recs []*evtx.EventRecord
	func() {
		defer func() {
			if recover() != nil {
				recs = nil // the library gave up on the chunk
			}
		}()
		recs, _ = c.Parse(0)
	}()
	for i, rec := range recs {
		no := pos.Line + int64(i) + 1
		if no <= skip {
			continue
		}
		if reason := p.event(rec, no, c.Offset, out); reason != "" {
			out.Skip(no, c.Offset, reason)
		}
	}
	if lost := want - int64(len(recs)); lost > 0 && pos.Line+int64(len(recs))+1 > skip {
		reason := "damaged record"
		if len(recs) == 0 {
			reason = "damaged chunk"
		}
		out.Skip(pos.Line+int64(len(recs))+1, c.Offset, fmt.Sprintf("%s (%d records lost)", reason, lost))
	}
	return end
}

// event emits one record's logon, if it is one; a reason when it is broken.
// The fields are those of the JSON lines form (winFields), read by their
// path in the library's tree, never by walking the whole tree: crafted
// templates can make a record's tree share its branches so that a walk of
// it (a JSON encoding) never ends.
func (p *evtxParser) event(rec *evtx.EventRecord, no, off int64, out record.Output) string {
	sys := evtxAt(rec.Event, "Event", "System")
	id, ok := evtxEventID(evtxAt(sys, "EventID"))
	if !ok {
		return "undecodable event (no event id)"
	}
	f := &p.f
	*f = winFields{id: int64(id), hasID: true}
	f.channel = evtxText(evtxAt(sys, "Channel"), "Channel")
	f.computer = evtxText(evtxAt(sys, "Computer"), "Computer")
	if !f.authentication() {
		return ""
	}
	f.data(evtxAt(rec.Event, "Event", "EventData"))
	// Remote Desktop's events hold theirs in UserData, under one element
	// (EventXML).
	if user, ok := evtxAt(rec.Event, "Event", "UserData").(*ordereddict.Dict); ok {
		for _, k := range user.Keys() {
			v, _ := user.Get(k)
			f.data(v)
		}
	}
	r := &p.rec
	r.ResetLogon()
	r.EventID, r.Line, r.Offset = id, no, off
	r.Time = evtxTime(evtxAt(sys, "TimeCreated", "SystemTime"))
	if !f.fill(r) {
		return errNoAccount
	}
	out.Record(r)
	return ""
}

// data takes the fields a record needs from an element of the event's
// data, by their names as the JSON lines form has them.
func (f *winFields) data(v any) {
	d, ok := v.(*ordereddict.Dict)
	if !ok {
		return
	}
	for _, k := range d.Keys() {
		if dst := f.field([]byte(k)); dst != nil {
			v, _ := d.Get(k)
			*dst = evtxText(v, k)
		}
	}
}

// evtxAt follows keys down the library's tree of ordered dicts; nil when
// the path is not there.
func evtxAt(v any, keys ...string) any {
	for _, k := range keys {
		d, ok := v.(*ordereddict.Dict)
		if !ok {
			return nil
		}
		v, _ = d.Get(k)
	}
	return v
}

// evtxEventID reads EventID, a number or {"Value": number}. A record
// written without a template (Remote Desktop's 1149) holds its values as
// the text of its XML: the number is a string there.
func evtxEventID(v any) (uint16, bool) {
	if d, ok := v.(*ordereddict.Dict); ok {
		v, _ = d.Get("Value")
	}
	switch n := v.(type) {
	case uint16:
		return n, true
	case string:
		id, err := strconv.ParseUint(n, 10, 16)
		return uint16(id), err == nil
	case uint8, uint32, uint64:
		id, ok := evtxUint(n)
		return uint16(id), ok && id <= 0xffff
	}
	return 0, false
}

// evtxTime reads SystemTime in microseconds: seconds since the epoch from
// a template's FILETIME, or the text of a record without a template
// ("2021-12-16T10:25:32.351835800Z"); 0 when it is neither.
func evtxTime(v any) int64 {
	switch t := v.(type) {
	case float64:
		return int64(t * 1e6)
	case string:
		if tm, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return tm.UnixMicro()
		}
	}
	return 0
}

// evtxUint reads an unsigned number of any width.
func evtxUint(v any) (uint64, bool) {
	switch n := v.(type) {
	case uint8:
		return uint64(n), true
	case uint16:
		return uint64(n), true
	case uint32:
		return uint64(n), true
	case uint64:
		return n, true
	}
	return 0, false
}

// evtxText is a field's value as the JSON lines form has it: status
// codes in the "0x…" form they are known by, other numbers in decimal.
func evtxText(v any, key string) []byte {
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	n, ok := evtxUint(v)
	switch {
	case !ok:
		return nil
	case strings.Contains(key, "Status"):
		return []byte("0x" + strconv.FormatUint(n, 16))
	}
	return strconv.AppendUint(nil, n, 10)
}
