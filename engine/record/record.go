// Package record defines the event as a parser sees it: one DNS query, one
// HTTP request or one logon with the raw strings of its source, before
// names are normalised and interned into the workspace's dictionaries.
package record

// Kind says what an event is: a DNS query, an HTTP request or a logon.
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

// NoBytes is the Bytes of an HTTP request whose response size is unknown.
const NoBytes int64 = -1

// Record is one event. The byte slices point into the parser's buffers and
// are valid only during the Output.Record call that hands the record over:
// a consumer that keeps them must copy. This keeps the hot path free of
// per-field allocations.
type Record struct {
	Time   int64  // unix microseconds, UTC
	Kind   Kind   // what the event is: the fields below it uses say so
	Client []byte // source address or host name of the asker; empty if unknown

	// DNS (KindDNS).
	Name    []byte // query name as written in the source (normalised later)
	QType   uint16 // DNS type number (1 A, 28 AAAA, 16 TXT ...); 0 if unknown
	RCode   int16  // DNS response code (0 NOERROR, 3 NXDOMAIN ...) or NoRCode
	TTL     int32  // smallest TTL among the answers, or NoTTL
	Answers []byte // answers joined by ','; empty when none

	// HTTP (KindHTTP). A request whose target is an absolute URL (a proxy
	// log) has its host split out by the parser; Path never holds the query.
	Method    []byte // GET, POST ...
	Host      []byte // virtual host or Host header; empty if the source does not say
	Path      []byte // URL path, without the query string
	Query     []byte // query string, without the '?'; empty when none
	Status    int16  // response status; 0 when no response was seen
	Bytes     int64  // response size in bytes, or NoBytes
	UserAgent []byte // User-Agent header as sent; empty if none
	Referer   []byte // Referer header as sent (a URL); empty if none

	// Logon (KindLogon): an authentication (a Windows logon, an sshd
	// login) or what a honeypot saw its attacker do. Client is the source
	// (address or workstation); every field is empty when the source does
	// not say.
	Account       []byte // user name as logged
	AccountDomain []byte // its domain (Windows); empty for a local account
	Target        []byte // host logged on to (syslog host, Computer, honeypot sensor)
	LogonType     []byte // Windows logon type number ("3", "10") or the protocol ("ssh")
	AuthPackage   []byte // NTLM, Kerberos, password, publickey ...
	Result        []byte // LogonSuccess, LogonFailure or LogonInvalidUser; empty for no logon
	Reason        []byte // why it failed: an NTSTATUS code ("0xC000006A") or words
	EventID       uint16 // Windows event id (4624 ...); 0 when none
	Password      []byte // the password tried (honeypots)
	Command       []byte // a command entered (honeypots)
	URL           []byte // a download's URL (honeypots)
	Hash          []byte // a download's hash (honeypots)
	Software      []byte // the client's software ("SSH-2.0-libssh2_1.7.0")
	SID           []byte // the account's security identifier (Windows: "S-1-5-21-…"), for the drill-down
	HASSH         []byte // the SSH client's HASSH: MD5 of the algorithms it offers, in hex

	Line   int64 // provenance: 1-based line number (text) or packet number (captures)
	Offset int64 // provenance: byte offset of that line or packet in the (decompressed) stream
}

// Reset clears r for reuse, keeping the capacity of nothing: parsers point the
// slices into their own buffers.
func (r *Record) Reset() {
	*r = Record{Kind: KindDNS, RCode: NoRCode, TTL: NoTTL, Bytes: NoBytes}
}

// ResetHTTP clears r for an HTTP request.
func (r *Record) ResetHTTP() {
	r.Reset()
	r.Kind = KindHTTP
}

// ResetLogon clears r for a logon.
func (r *Record) ResetLogon() {
	r.Reset()
	r.Kind = KindLogon
}

// The results of a logon (Record.Result).
var (
	LogonSuccess     = []byte("success")
	LogonFailure     = []byte("failure")
	LogonInvalidUser = []byte("invalid-user") // the server names the user unknown before any password
)

// Output receives what a parser finds.
type Output interface {
	// Record is called once per event, in source order.
	Record(r *Record)
	// Skip reports a line or packet that could not be used, with its position
	// and a short reason ("truncated DNS header", "7 fields, want 5").
	Skip(line, offset int64, reason string)
}
