package parse

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/Velocidex/ordereddict"
	"www.velocidex.com/golang/evtx"

	"github.com/longtail/longtail/engine/record"
)

// evtx is a Windows event log file (.evtx), read with
// www.velocidex.com/golang/evtx. The logon events of the Security log
// become logon records: 4624 (success), 4625 (failure, its SubStatus or
// Status the reason), 4648 (a logon with explicit credentials), 4768 and
// 4771 (Kerberos ticket and pre-authentication, failed when their status
// is not 0) and 4776 (NTLM validation, likewise). Every other event is
// passed over. The source is IpAddress, or the workstation name when the
// address is "-"; the target is the event's Computer (4648: the server
// named).
//
// A record's "line" is its ordinal in the file (what a resumed read skips)
// and its offset that of its chunk. A chunk the library cannot read, the
// records of a chunk after one it cannot parse, and an event it cannot
// decode (no event id: the RDP 1149 sample here, which libevtx cannot
// decode either) are skipped and counted; a chunk slot of zeros is unused.
// The file is read whole into memory: the library needs to seek, and
// event logs are tens of megabytes (Windows' default cap is 20 MB).
// The library is a fork (third_party/evtx) bounded against crafted files.

func init() {
	register(12, Format{
		Name:   "evtx",
		Kind:   record.KindLogon,
		Detect: func(head []byte) bool { return bytes.HasPrefix(head, []byte("ElfFile\x00")) },
		Stream: streamEvtx,
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

// evtxLogons are the event ids read, with the result a success has.
var evtxLogons = map[uint16]string{4624: "success", 4625: "failure", 4648: "explicit", 4768: "success", 4771: "failure", 4776: "success"}

// event emits one record's logon, if it is one; a reason when it is broken.
// It reads the few fields it needs by their path in the library's tree,
// never the whole tree: crafted templates can make a record's tree share
// its branches so that a walk of it (a JSON encoding) never ends.
func (p *evtxParser) event(rec *evtx.EventRecord, no, off int64, out record.Output) string {
	sys := evtxAt(rec.Event, "Event", "System")
	id, ok := evtxEventID(evtxAt(sys, "EventID"))
	if !ok {
		return "undecodable event (no event id)"
	}
	result, logon := evtxLogons[id]
	if !logon {
		return ""
	}
	computer, _ := evtxAt(sys, "Computer").(string)
	created, _ := evtxAt(sys, "TimeCreated", "SystemTime").(float64)
	d := evtxData(evtxAt(rec.Event, "Event", "EventData"))
	r := &p.rec
	r.ResetLogon()
	r.EventID, r.Line, r.Offset = id, no, off
	r.Time = int64(created * 1e6)
	r.Account, r.AccountDomain = d("TargetUserName"), d("TargetDomainName")
	r.Target, r.LogonType, r.AuthPackage = []byte(strings.ToLower(computer)), d("LogonType"), d("AuthenticationPackageName")
	r.Client = d("IpAddress")
	if s := string(r.Client); s == "" || s == "-" {
		r.Client = d("WorkstationName")
		if len(r.Client) == 0 {
			r.Client = d("Workstation") // 4776
		}
	}
	r.Client = bytes.TrimPrefix(r.Client, []byte("::ffff:"))
	if string(r.Client) == "-" {
		r.Client = nil
	}
	status := d("SubStatus")
	if s := string(status); s == "" || s == "0x0" {
		status = d("Status")
	}
	switch id {
	case 4648:
		if t := d("TargetServerName"); len(t) > 0 {
			r.Target = bytes.ToLower(t)
		}
	case 4768, 4771:
		r.AuthPackage = []byte("Kerberos")
	case 4776:
		r.AuthPackage = d("PackageName")
	}
	if s := string(status); s != "" && s != "0x0" && (id == 4768 || id == 4771 || id == 4776 || id == 4625) {
		result, r.Reason = "failure", status
	}
	r.Result = []byte(result)
	out.Record(r)
	return ""
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

// evtxEventID reads EventID, a number or {"Value": number}.
func evtxEventID(v any) (uint16, bool) {
	if d, ok := v.(*ordereddict.Dict); ok {
		v, _ = d.Get("Value")
	}
	switch n := v.(type) {
	case uint16:
		return n, true
	case uint8, uint32, uint64:
		id, ok := evtxUint(n)
		return uint16(id), ok && id <= 0xffff
	}
	return 0, false
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

// evtxData returns a lookup of EventData's fields as text; status codes in
// the "0x…" form they are known by.
func evtxData(data any) func(string) []byte {
	return func(k string) []byte {
		v := evtxAt(data, k)
		if s, ok := v.(string); ok {
			return []byte(s)
		}
		n, ok := evtxUint(v)
		switch {
		case !ok:
			return nil
		case strings.Contains(k, "Status"):
			return []byte("0x" + strconv.FormatUint(n, 16))
		}
		return strconv.AppendUint(nil, n, 10)
	}
}
