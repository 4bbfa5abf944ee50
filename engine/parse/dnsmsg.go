package parse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"

	"github.com/longtail/longtail/engine/record"
)

// This file decodes one DNS message (RFC 1035 wire format) without
// allocating: names and answers are written into buffers the dnsMsg keeps
// between calls. gopacket's layers.DNS allocates per resource record and has
// crashed on hostile input, and a capture is exactly where hostile input is.

// Limits on name decoding. A name is at most 255 octets on the wire
// (RFC 1035 3.1); compression pointers may chain, but a chain longer than
// maxPointerJumps can only be a loop or an attack.
const (
	maxNameWire     = 255
	maxPointerJumps = 128
	dnsHeaderLen    = 12
)

// Errors name what was wrong with a message; they end up as skip reasons.
var (
	errDNSShort       = errors.New("truncated DNS header")
	errDNSNoQuestion  = errors.New("DNS message without question")
	errDNSTrunc       = errors.New("truncated DNS message")
	errDNSNameTrunc   = fmt.Errorf("%w: name cut off", errDNSTrunc)
	errDNSNameLong    = errors.New("DNS name longer than 255 bytes")
	errDNSPointerLoop = errors.New("DNS compression pointer loop")
	errDNSLabelType   = errors.New("bad DNS label type")
	errDNSQuestion    = fmt.Errorf("%w: question cut off", errDNSTrunc)
	errDNSAnswer      = fmt.Errorf("%w: answer cut off", errDNSTrunc)
	errDNSRData       = errors.New("bad DNS answer data")
)

// dnsMsg is the part of a DNS message longtail keeps. Its slices are reused
// by the next parse.
type dnsMsg struct {
	id       uint16
	response bool
	rcode    int16
	qtype    uint16
	name     []byte // first question's name, dotted, labels raw; "." for the root
	answers  []byte // answer RDATA joined by ','
	minTTL   int32  // smallest answer TTL or record.NoTTL
}

// parse decodes the header, the first question and the answer section of
// b. The authority and additional sections are not read: nothing longtail
// shows comes from them, and skipping them leaves less to go wrong.
//
// cut says b is known to be incomplete (a short snap length, the first IP
// fragment): answers that were cut off are then left out instead of making
// the whole message an error.
func (m *dnsMsg) parse(b []byte, cut bool) error {
	if len(b) < dnsHeaderLen {
		return errDNSShort
	}
	m.id = binary.BigEndian.Uint16(b)
	flags := binary.BigEndian.Uint16(b[2:])
	m.response = flags&0x8000 != 0
	m.rcode = int16(flags & 0xf)
	qd := int(binary.BigEndian.Uint16(b[4:]))
	an := int(binary.BigEndian.Uint16(b[6:]))
	m.answers = m.answers[:0]
	m.minTTL = record.NoTTL
	var (
		off int
		err error
	)
	switch {
	case qd > 0:
		if off, err = m.question(b, qd); err != nil {
			return err
		}
	case m.response && an > 0:
		// mDNS responses carry no question (RFC 6762 6): the first
		// answer names what was asked. Answers start right here.
		if _, err = m.question(b, 1); err != nil {
			return err
		}
		off = dnsHeaderLen
	default:
		return errDNSNoQuestion
	}
	// Only a standard query's answer section holds answers; an UPDATE's
	// holds prerequisites, often without data.
	if !m.response || flags>>11&0xf != 0 {
		return nil
	}
	for i := 0; i < an; i++ {
		if off, err = m.parseAnswer(b, off); err != nil {
			if cut && errors.Is(err, errDNSTrunc) {
				return nil
			}
			return err
		}
	}
	return nil
}

// question reads the name and type of the first of qd questions and
// returns the offset after the last. Further questions (legal, unseen in
// practice) are skipped.
func (m *dnsMsg) question(b []byte, qd int) (int, error) {
	var (
		off int
		err error
	)
	m.name, off, err = appendName(m.name[:0], b, dnsHeaderLen)
	if err != nil {
		return 0, err
	}
	if off+4 > len(b) {
		return 0, errDNSQuestion
	}
	m.qtype = binary.BigEndian.Uint16(b[off:])
	off += 4
	for i := 1; i < qd; i++ {
		if off, err = skipName(b, off); err != nil {
			return 0, err
		}
		if off += 4; off > len(b) {
			return 0, errDNSQuestion
		}
	}
	return off, nil
}

// parseAnswer appends the answer RR at off to m.answers and returns the
// offset after it.
func (m *dnsMsg) parseAnswer(b []byte, off int) (int, error) {
	off, err := skipName(b, off)
	if err != nil {
		return 0, err
	}
	if off+10 > len(b) {
		return 0, errDNSAnswer
	}
	typ := binary.BigEndian.Uint16(b[off:])
	ttl := binary.BigEndian.Uint32(b[off+4:])
	rdlen := int(binary.BigEndian.Uint16(b[off+8:]))
	off += 10
	end := off + rdlen
	if end > len(b) {
		return 0, errDNSAnswer
	}
	start := len(m.answers)
	if start > 0 {
		m.answers = append(m.answers, ',')
	}
	rd := b[off:end]
	switch typ {
	case 1: // A
		if rdlen != 4 {
			err = errDNSRData
			break
		}
		m.answers = netip.AddrFrom4([4]byte(rd)).AppendTo(m.answers)
	case 28: // AAAA
		if rdlen != 16 {
			err = errDNSRData
			break
		}
		m.answers = netip.AddrFrom16([16]byte(rd)).AppendTo(m.answers)
	case 2, 5, 12: // NS, CNAME, PTR
		m.answers, err = appendRDataName(m.answers, b, off, end)
	case 15: // MX: preference, then the exchange
		if rdlen < 3 {
			err = errDNSRData
			break
		}
		m.answers, err = appendRDataName(m.answers, b, off+2, end)
	case 16: // TXT: the first character-string, bytes kept raw
		if rdlen < 1 || 1+int(rd[0]) > rdlen {
			err = errDNSRData
			break
		}
		m.answers = append(m.answers, rd[1:1+int(rd[0])]...)
	default: // the type alone, named as in the question column (NULL, SOA)
		m.answers = append(m.answers, QTypeName(typ)...)
	}
	if err != nil {
		m.answers = m.answers[:start]
		return 0, err
	}
	// A TTL with the top bit set is out of range (RFC 2181 8); clamping
	// keeps it "very long" rather than wrapping to negative.
	t := int32(min(ttl, math.MaxInt32))
	if m.minTTL == record.NoTTL || t < m.minTTL {
		m.minTTL = t
	}
	return end, nil
}

// appendRDataName appends the name at off, which must end within the RDATA
// (before end); a compression pointer may lead anywhere in the message.
func appendRDataName(dst, b []byte, off, end int) ([]byte, error) {
	dst, next, err := appendName(dst, b, off)
	if err == nil && next > end {
		err = errDNSRData
	}
	return dst, err
}

// appendName appends the dotted form of the name at off to dst and returns
// the offset after the name in place (after the first pointer, if any).
// Label bytes are copied as they are, dots and control bytes included: the
// sanitiser deals with display. The root name is written as ".".
func appendName(dst, b []byte, off int) ([]byte, int, error) {
	start := len(dst)
	next := -1 // offset after the name where it was, once a pointer is followed
	wire := 0  // octets of the name so far, length bytes included
	jumps := 0
	for {
		if off >= len(b) {
			return dst, 0, errDNSNameTrunc
		}
		l := int(b[off])
		switch l & 0xc0 {
		case 0x00:
		case 0xc0:
			if off+1 >= len(b) {
				return dst, 0, errDNSNameTrunc
			}
			if jumps++; jumps > maxPointerJumps {
				return dst, 0, errDNSPointerLoop
			}
			if next < 0 {
				next = off + 2
			}
			off = int(binary.BigEndian.Uint16(b[off:]) & 0x3fff)
			continue
		default:
			return dst, 0, errDNSLabelType
		}
		if wire += l + 1; wire > maxNameWire {
			return dst, 0, errDNSNameLong
		}
		if l == 0 {
			off++
			break
		}
		if off+1+l > len(b) {
			return dst, 0, errDNSNameTrunc
		}
		if len(dst) > start {
			dst = append(dst, '.')
		}
		dst = append(dst, b[off+1:off+1+l]...)
		off += 1 + l
	}
	if len(dst) == start {
		dst = append(dst, '.')
	}
	if next < 0 {
		next = off
	}
	return dst, next, nil
}

// skipName returns the offset after the name at off without decoding it:
// owner names of answers are not kept, so their pointers are not followed.
func skipName(b []byte, off int) (int, error) {
	for wire := 0; ; {
		if off >= len(b) {
			return 0, errDNSNameTrunc
		}
		l := int(b[off])
		switch l & 0xc0 {
		case 0x00:
		case 0xc0:
			if off+2 > len(b) {
				return 0, errDNSNameTrunc
			}
			return off + 2, nil
		default:
			return 0, errDNSLabelType
		}
		if wire += l + 1; wire > maxNameWire {
			return 0, errDNSNameLong
		}
		off += 1 + l
		if l == 0 {
			return off, nil
		}
	}
}
