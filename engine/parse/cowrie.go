package parse

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/longtail/longtail/engine/record"
)

// cowrie is the JSON log of the Cowrie SSH and telnet honeypot
// (cowrie.json), one event object a line:
//
//	{"eventid": "cowrie.login.failed", "username": "root", "password": "123456", "src_ip": "177.138.38.27",
//	 "timestamp": "2018-06-01T00:05:00.579453Z", "sensor": "920497a79896", "session": "7c45c7752419", ...}
//
// What an attacker does becomes a logon-kind record: a login (success or
// failure, with the user name and the password tried), a command entered,
// a file downloaded (its URL and SHA-256), a tunnel asked for (a
// direct-tcpip request, its destination as the URL "tcp://host:port") and
// the client's SSH version. The source is src_ip and the target the
// sensor. The session's other events (connect, close, terminal size, the
// data sent through a tunnel) are passed over.
//
// A tunnel's destination is kept as a URL because that is what it is: a
// place the attacker made the honeypot reach out to, like a download's.
// The url subject rolls both up to the registered domain, so a tunnel to
// a mail server and a download from its domain land in one group; the
// scheme tells them apart. The target stays the host logged on to.
// Lines whose strings hold escapes (commands often do) take a slower path
// through encoding/json; a line that is not JSON is skipped.

func init() {
	register(27, Format{
		Name:   "cowrie-json",
		Kind:   record.KindLogon,
		Detect: detectCowrie,
		Lines:  func() LineParser { return &cowrieParser{} },
	})
}

// detectCowrie accepts JSON lines whose first event is a Cowrie one.
func detectCowrie(head []byte) bool {
	var p cowrieParser
	found := false
	forCompleteLines(head, 20, func(line []byte) bool {
		if len(bytes.TrimSpace(line)) == 0 {
			return true
		}
		found = p.read(line) && bytes.HasPrefix(p.f.eventID, []byte("cowrie."))
		return false
	})
	return found
}

// cowrieFields are the members of an event that a record takes.
type cowrieFields struct {
	eventID, srcIP, sensor, timestamp, system       []byte
	username, password, input, url, shasum, version []byte
	dstIP, dstPort                                  []byte // a direct-tcpip request's destination
	hassh                                           []byte // cowrie.client.kex's own
	// The algorithms the client offered (kexAlgs, encCS, macCS, compCS),
	// each list joined by commas: its HASSH when Cowrie wrote none.
	algs   [4][]byte
	offers int // how many of the four lists the event had
}

type cowrieParser struct {
	f     cowrieFields
	tp    timeParser
	rec   record.Record
	url   []byte    // a tunnel's "tcp://host:port", rebuilt for each
	algs  [4][]byte // the buffers of f.algs, reused
	hassh [32]byte  // a HASSH computed, in hex
	h     []byte    // scratch: the HASSH's input
}

// read fills p.f from a line: the fast path when its strings are plain,
// encoding/json when they are not. False when the line is no JSON object.
func (p *cowrieParser) read(line []byte) bool {
	return p.scan(line) || p.decode(line)
}

func (p *cowrieParser) scan(line []byte) bool {
	f := &p.f
	*f = cowrieFields{}
	s := jsonScanner{b: line}
	return s.object(func(key []byte) bool {
		var dst *[]byte
		switch string(key) {
		case "eventid":
			dst = &f.eventID
		case "src_ip":
			dst = &f.srcIP
		case "sensor":
			dst = &f.sensor
		case "timestamp":
			dst = &f.timestamp
		case "system":
			dst = &f.system
		case "username":
			dst = &f.username
		case "password":
			dst = &f.password
		case "input":
			dst = &f.input
		case "url":
			dst = &f.url
		case "shasum":
			dst = &f.shasum
		case "version":
			dst = &f.version
		case "dst_ip":
			dst = &f.dstIP
		case "hassh":
			dst = &f.hassh
		case "kexAlgs", "encCS", "macCS", "compCS":
			return p.offered(&s, hasshLists[string(key)])
		case "dst_port":
			if n := s.number(); len(n) > 0 { // a number, as Cowrie writes it
				f.dstPort = n
				return true
			}
			dst = &f.dstPort
		default:
			return s.skipValue()
		}
		if s.peek() != '"' {
			return s.skipValue() // a number or null where a string was expected: not taken
		}
		var ok bool
		*dst, ok = s.plainString()
		return ok
	})
}

// hasshLists places each offered list in the HASSH's input, in its order.
var hasshLists = map[string]int{"kexAlgs": 0, "encCS": 1, "macCS": 2, "compCS": 3}

// offered reads an array of algorithm names into list i, joined by commas.
func (p *cowrieParser) offered(s *jsonScanner, i int) bool {
	if s.peek() != '[' {
		return s.skipValue()
	}
	b := p.algs[i][:0]
	ok := s.array(func() bool {
		name, ok := s.plainString()
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = append(b, name...)
		return ok
	})
	p.algs[i], p.f.algs[i] = b, b
	p.f.offers++
	return ok
}

// fingerprint is the client's HASSH: Cowrie's, or the MD5 of the four lists
// it offered joined by semicolons (https://github.com/salesforce/hassh);
// nil when the event has neither.
func (p *cowrieParser) fingerprint() []byte {
	f := &p.f
	if len(f.hassh) > 0 {
		return f.hassh
	}
	if f.offers < len(f.algs) {
		return nil
	}
	p.h = p.h[:0]
	for i, l := range f.algs {
		if i > 0 {
			p.h = append(p.h, ';')
		}
		p.h = append(p.h, l...)
	}
	sum := md5.Sum(p.h)
	hex.Encode(p.hassh[:], sum[:])
	return p.hassh[:]
}

// cowrieJSON is the slow path's view of an event. Non-string values are
// ignored as the fast path ignores them.
type cowrieJSON struct {
	EventID   any `json:"eventid"`
	SrcIP     any `json:"src_ip"`
	Sensor    any `json:"sensor"`
	Timestamp any `json:"timestamp"`
	System    any `json:"system"`
	Username  any `json:"username"`
	Password  any `json:"password"`
	Input     any `json:"input"`
	URL       any `json:"url"`
	Shasum    any `json:"shasum"`
	Version   any `json:"version"`
	DstIP     any `json:"dst_ip"`
	DstPort   any `json:"dst_port"`
	HASSH     any `json:"hassh"`
	// The offered algorithms, in the HASSH's order.
	KexAlgs, EncCS, MacCS, CompCS []any
}

func (p *cowrieParser) decode(line []byte) bool {
	var v cowrieJSON
	if json.Unmarshal(line, &v) != nil {
		return false
	}
	f := &p.f
	*f = cowrieFields{}
	for _, m := range []struct {
		dst *[]byte
		src any
	}{{&f.eventID, v.EventID}, {&f.srcIP, v.SrcIP}, {&f.sensor, v.Sensor}, {&f.timestamp, v.Timestamp}, {&f.system, v.System},
		{&f.username, v.Username}, {&f.password, v.Password}, {&f.input, v.Input}, {&f.url, v.URL}, {&f.shasum, v.Shasum}, {&f.version, v.Version},
		{&f.dstIP, v.DstIP}, {&f.dstPort, v.DstPort}, {&f.hassh, v.HASSH}} {
		switch s := m.src.(type) {
		case string:
			*m.dst = []byte(s)
		case float64:
			*m.dst = strconv.AppendFloat(nil, s, 'f', -1, 64)
		}
	}
	for i, l := range [][]any{v.KexAlgs, v.EncCS, v.MacCS, v.CompCS} {
		if l == nil {
			continue
		}
		names := make([]string, 0, len(l))
		for _, a := range l {
			if n, ok := a.(string); ok {
				names = append(names, n)
			}
		}
		p.algs[i] = append(p.algs[i][:0], strings.Join(names, ",")...)
		f.algs[i] = p.algs[i]
		f.offers++
	}
	return true
}

var (
	cowriePassword = []byte("password")
	cowrieSSH      = []byte("ssh")
	cowrieTelnet   = []byte("telnet")
)

func (p *cowrieParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if replay || len(bytes.TrimSpace(line)) == 0 {
		return
	}
	if !p.read(line) {
		out.Skip(no, off, "invalid JSON")
		return
	}
	p.emit(no, off, out)
}

// emit gives the record of the event in p.f, when it is a logon or what
// an attacker did; the text log's parser fills p.f with the same members.
func (p *cowrieParser) emit(no, off int64, out record.Output) {
	f := &p.f
	r := &p.rec
	r.ResetLogon()
	switch string(f.eventID) {
	case "cowrie.login.success":
		r.Result = record.LogonSuccess
	case "cowrie.login.failed":
		r.Result = record.LogonFailure
	case "cowrie.command.input":
		r.Command = f.input
	case "cowrie.session.file_download":
		r.URL, r.Hash = f.url, f.shasum
	case "cowrie.client.version":
		r.Software, r.HASSH = f.version, p.fingerprint()
	case "cowrie.client.kex":
		r.HASSH = p.fingerprint()
	case "cowrie.direct-tcpip.request":
		p.url = appendTunnel(p.url[:0], f.dstIP, f.dstPort)
		r.URL = p.url
	default:
		return // no logon, nor what an attacker did
	}
	if r.Result == nil && len(r.Command) == 0 && len(r.URL) == 0 && len(r.Hash) == 0 && len(r.Software) == 0 && len(r.HASSH) == 0 {
		return // an empty command line, a version not given: nothing done
	}
	t, ok := p.tp.parse(f.timestamp)
	if !ok {
		out.Skip(no, off, "bad timestamp")
		return
	}
	if r.Result != nil {
		r.Account, r.Password, r.AuthPackage = f.username, f.password, cowriePassword
	}
	switch {
	case bytes.Contains(f.system, []byte("Telnet")):
		r.LogonType = cowrieTelnet
	case bytes.Contains(f.system, []byte("SSH")):
		r.LogonType = cowrieSSH
	}
	r.Time, r.Line, r.Offset, r.Client, r.Target = t, no, off, f.srcIP, f.sensor
	out.Record(r)
}

func (p *cowrieParser) Flush(record.Output) {}

// appendTunnel appends "tcp://host:port" for a tunnel's destination, the
// host in brackets when it is an IPv6 address; nothing when the host is
// empty or holds a blank, or the port is no port number.
func appendTunnel(dst, host, port []byte) []byte {
	if n, ok := Atoi(port); !ok || n < 1 || n > 65535 || len(host) == 0 || bytes.ContainsAny(host, " \t/[]") {
		return dst
	}
	dst = append(dst, "tcp://"...)
	if bytes.IndexByte(host, ':') >= 0 {
		dst = append(append(append(dst, '['), host...), ']')
	} else {
		dst = append(dst, host...)
	}
	return append(append(dst, ':'), port...)
}
