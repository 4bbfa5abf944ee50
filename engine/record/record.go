// Package record defines the event as a parser sees it: one query (or, later,
// one HTTP request or logon) with the raw strings of its source, before names
// are normalised and interned into the workspace's dictionaries.
package record

// Kind says what an event is. Only DNS is produced today; the other kinds are
// reserved so that HTTP and logon sources fit the same stream later.
type Kind uint8

const (
	KindDNS   Kind = 1
	KindHTTP  Kind = 2
	KindLogon Kind = 3
)

func (k Kind) String() string {
	switch k {
	case KindDNS:
		return "dns"
	case KindHTTP:
		return "http"
	case KindLogon:
		return "logon"
	}
	return "unknown"
}

// Unknown values for the numeric DNS fields.
const (
	NoRCode int16 = -1 // no response seen (or the source does not say)
	NoTTL   int32 = -1 // the source does not say
)

// Record is one event. The byte slices point into the parser's buffers and
// are valid only during the Output.Record call that hands the record over:
// a consumer that keeps them must copy. This keeps the hot path free of
// per-field allocations.
type Record struct {
	Time    int64  // unix microseconds, UTC
	Kind    Kind   // KindDNS for every DNS format
	Client  []byte // source address or host name of the asker; empty if unknown
	Name    []byte // query name as written in the source (normalised later)
	QType   uint16 // DNS type number (1 A, 28 AAAA, 16 TXT ...); 0 if unknown
	RCode   int16  // DNS response code (0 NOERROR, 3 NXDOMAIN ...) or NoRCode
	TTL     int32  // smallest TTL among the answers, or NoTTL
	Answers []byte // answers joined by ','; empty when none
	Line    int64  // provenance: 1-based line number (text) or packet number (captures)
	Offset  int64  // provenance: byte offset of that line or packet in the (decompressed) stream
}

// Reset clears r for reuse, keeping the capacity of nothing: parsers point the
// slices into their own buffers.
func (r *Record) Reset() {
	*r = Record{Kind: KindDNS, RCode: NoRCode, TTL: NoTTL}
}

// Output receives what a parser finds.
type Output interface {
	// Record is called once per event, in source order.
	Record(r *Record)
	// Skip reports a line or packet that could not be used, with its position
	// and a short reason ("truncated DNS header", "7 fields, want 5").
	Skip(line, offset int64, reason string)
}
