package parse

import (
	"bytes"
	"time"

	"github.com/longtail/longtail/engine/record"
)

// sshd is OpenSSH's log in syslog form (/var/log/auth.log, /var/log/secure,
// and journalctl's default short output, which is the same form):
//
//	Mar 27 13:06:56 host sshd[1291]: Accepted password for alice from 10.0.2.17 port 50690 ssh2
//	Mar 27 13:07:01 host sshd[1292]: Failed password for invalid user admin from 10.0.2.17 port 50691 ssh2
//	Mar 27 13:07:01 host sshd[1292]: Invalid user admin from 10.0.2.17 port 50691
//	Mar 29 23:18:33 host sshd[6402]: message repeated 5 times: [ Failed password for root from 10.0.2.17 port 56338 ssh2]
//
// One logon record per Accepted or Failed line (a "message repeated N
// times" line is N of them: each was an attempt) and per "Invalid user"
// line, which sshd writes before it asks for a password and whose
// "Failed ... for invalid user" follows when the attacker sends one. The
// host is the target; the method (password, publickey, none,
// keyboard-interactive/pam) the authentication package. The other lines of
// an auth log (PAM, sudo, CRON, sshd's connection notes) are no logons
// and are passed over; only a line without a syslog stamp is skipped.
// The stamp may also be RFC 3339 (rsyslog's default since Debian 12,
// journalctl -o short-iso), whose year and zone are its own; the year the
// classic stamp lacks is inferred as for dnsmasq (syslogClock).
//
// Before OpenSSH logged its own failures (Red Hat's sshd of the 2000s),
// PAM wrote them under "sshd(pam_unix)":
//
//	Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root
//	Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown
//
// Each "authentication failure" is a failed password from rhost, for
// user= when PAM knew it, for no such user when a "user unknown" of the
// same process came before it. Newer systems write the same PAM line under
// sshd[pid] beside sshd's own "Failed password": there it is passed over,
// or every failure would count twice.

func init() {
	register(32, Format{
		Name:   "sshd-syslog",
		Kind:   record.KindLogon,
		Detect: detectSshd,
		Lines:  func() LineParser { return newSshdParser(time.Now) },
	})
}

// detectSshd accepts a syslog log with an sshd line in its head: an auth
// log, or sshd's lines alone. One without a logon in it (a scan that
// never got to a password) is still sshd's, read to no events.
func detectSshd(head []byte) bool {
	found := false
	forCompleteLines(head, 2000, func(line []byte) bool {
		_, _, _, _, found = sshdMessage(line)
		return !found
	})
	return found
}

// sshdMessage splits a syslog line of sshd (or sshd-session, which writes
// the logons since OpenSSH 9.8) into its stamp's rest, host and message.
// pid is the process id; pam says the line is PAM's "sshd(pam_unix)".
func sshdMessage(line []byte) (host, pid, msg []byte, pam, ok bool) {
	_, rest, ok := syslogStamp(line)
	if !ok {
		return nil, nil, nil, false, false
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return nil, nil, nil, false, false
	}
	host, prog := rest[:sp], rest[sp+1:]
	switch {
	case bytes.HasPrefix(prog, []byte("sshd[")):
		prog = prog[5:]
	case bytes.HasPrefix(prog, []byte("sshd-session[")):
		prog = prog[13:]
	case bytes.HasPrefix(prog, []byte("sshd(pam_unix)[")):
		prog, pam = prog[15:], true
	default:
		return nil, nil, nil, false, false
	}
	end := bytes.Index(prog, []byte("]: "))
	if end < 0 {
		return nil, nil, nil, false, false
	}
	if _, ok := Atoi(prog[:end]); !ok {
		return nil, nil, nil, false, false
	}
	return host, prog[:end], prog[end+3:], pam, true
}

// sshdKind is which logon line a message is.
type sshdKind uint8

const (
	sshdAccepted sshdKind = iota + 1
	sshdFailed
	sshdInvalid
)

// sshdEvent says whether msg is a logon line, and which.
func sshdEvent(msg []byte) (sshdKind, bool) {
	switch {
	case bytes.HasPrefix(msg, []byte("Accepted ")):
		return sshdAccepted, true
	case bytes.HasPrefix(msg, []byte("Failed ")):
		return sshdFailed, true
	case bytes.HasPrefix(msg, []byte("Invalid user ")):
		return sshdInvalid, true
	}
	return 0, false
}

type sshdParser struct {
	syslogClock // its DateFrom makes the parser Dated
	rec         record.Record
	// unknown is the pid of the last PAM "user unknown": its process's
	// next failure is for no such user.
	unknown []byte
	// tried are the last sessions (pids) that logged an attempt: their
	// "Connection closed by authenticating user … [preauth]" is not one
	// more.
	tried     [64]int64
	triedNext int
}

func newSshdParser(now func() time.Time) *sshdParser {
	return &sshdParser{syslogClock: syslogClock{now: now}}
}

var (
	sshdRepeated = []byte("message repeated ")
	sshdFrom     = []byte(" from ")
	sshdFor      = []byte(" for ")
	sshdInvUser  = []byte("invalid user ")
)

func (p *sshdParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if len(line) == 0 {
		return
	}
	s, _, ok := syslogStamp(line)
	if !ok {
		if !replay {
			out.Skip(no, off, "no syslog timestamp")
		}
		return
	}
	t, dated := p.syslogClock.at(s) // every line keeps the clock's year right
	host, pid, msg, pam, ok := sshdMessage(line)
	if !ok || replay {
		return
	}
	if !dated {
		out.Skip(no, off, noSuchDay)
		return
	}
	if pam {
		p.pam(t, host, pid, msg, no, off, out)
		return
	}
	times := int64(1)
	if bytes.HasPrefix(msg, sshdRepeated) {
		// "message repeated 5 times: [ Failed password ...]"
		n, rest, found := bytes.Cut(msg[len(sshdRepeated):], []byte(" times: [ "))
		if !found {
			return
		}
		if times, ok = Atoi(n); !ok || times < 1 || times > 1000 {
			out.Skip(no, off, "bad repeat count")
			return
		}
		msg = bytes.TrimSuffix(rest, []byte("]"))
	}
	pidNo, _ := Atoi(pid)
	if user, src, invalid, ok := sshdGaveUp(msg); ok {
		p.gaveUp(t, host, pidNo, user, src, invalid, no, off, out)
		return
	}
	kind, ok := sshdEvent(msg)
	if !ok {
		return
	}
	p.attempted(pidNo)
	r := &p.rec
	r.ResetLogon()
	r.Time, r.Line, r.Offset, r.Target, r.LogonType = t, no, off, host, sshProto
	if !p.fill(r, kind, msg) {
		out.Skip(no, off, "sshd logon line without its source")
		return
	}
	for range times {
		out.Record(r)
	}
}

var (
	sshProto       = []byte("ssh")
	sshPassword    = []byte("password")
	wrongPassword  = []byte("wrong password")
	noSuchUser     = []byte("no such user")
	keyRefused     = []byte("key refused")
	sshdPortSuffix = []byte(" port ")
)

// fill reads the account, source, method and result of a logon message;
// false when it names no source. The source follows the last " from ": a
// user name (hostile input) may hold one, an address cannot.
func (p *sshdParser) fill(r *record.Record, kind sshdKind, msg []byte) bool {
	// What names the account: "Invalid user admin", "Accepted publickey
	// for alice", "Failed password for invalid user admin". It keeps the
	// space before the account, so that an empty one is seen.
	var head []byte
	if kind == sshdInvalid {
		head = msg[len("Invalid user"):]
	} else {
		head = msg[bytes.IndexByte(msg, ' '):]
	}
	from := bytes.LastIndex(head, sshdFrom)
	if from < 0 {
		return false
	}
	src := head[from+len(sshdFrom):]
	if i := bytes.Index(src, sshdPortSuffix); i >= 0 {
		src = src[:i]
	} else if i := bytes.IndexByte(src, ' '); i >= 0 {
		src = src[:i]
	}
	if len(src) == 0 {
		return false
	}
	r.Client, head = src, head[:from]
	if kind == sshdInvalid {
		r.Account, r.Result = head[min(1, len(head)):], record.LogonInvalidUser
		return true
	}
	f := bytes.Index(head, sshdFor)
	if f < 1 {
		return false
	}
	r.AuthPackage, r.Account = head[1:f], head[f+len(sshdFor):]
	switch {
	case kind == sshdAccepted:
		r.Result = record.LogonSuccess
	case bytes.HasPrefix(r.Account, sshdInvUser):
		r.Account, r.Result, r.Reason = r.Account[len(sshdInvUser):], record.LogonFailure, noSuchUser
	default:
		r.Result = record.LogonFailure
		if bytes.HasPrefix(r.AuthPackage, []byte("password")) || bytes.HasPrefix(r.AuthPackage, []byte("keyboard-interactive")) {
			r.Reason = wrongPassword
		} else if bytes.Equal(r.AuthPackage, []byte("publickey")) {
			r.Reason = keyRefused
		}
	}
	return true
}

// sshdGaveUps are how sshd logs a client that left while authenticating:
// after a failed attempt of its session, or without one (a brute force
// whose tool hangs up at the password prompt, which is all some logs
// show of it: crowdsec's ssh-invalid-bf sample).
var sshdGaveUps = [...]string{"Disconnected from ", "Connection closed by ", "Connection reset by "}

// sshdGaveUp reads "Connection closed by authenticating user root
// 203.0.113.9 port 45362 [preauth]" (or "invalid user"): the user, the
// source and whether the user does not exist.
func sshdGaveUp(msg []byte) (user, src []byte, invalid, ok bool) {
	if !bytes.HasSuffix(bytes.TrimSpace(msg), []byte("[preauth]")) {
		return nil, nil, false, false
	}
	for _, p := range sshdGaveUps {
		if rest, found := bytes.CutPrefix(msg, []byte(p)); found {
			msg = rest
			break
		}
	}
	switch {
	case bytes.HasPrefix(msg, []byte("authenticating user ")):
		msg = msg[len("authenticating user "):]
	case bytes.HasPrefix(msg, []byte("invalid user ")):
		msg, invalid = msg[len("invalid user "):], true
	default:
		return nil, nil, false, false
	}
	port := bytes.LastIndex(msg, sshdPortSuffix)
	if port < 0 {
		return nil, nil, false, false
	}
	sp := bytes.LastIndexByte(msg[:port], ' ')
	if sp < 0 {
		return nil, nil, false, false
	}
	return msg[:sp], msg[sp+1 : port], invalid, true
}

// attempted notes that session pid logged an attempt.
func (p *sshdParser) attempted(pid int64) {
	p.tried[p.triedNext] = pid
	p.triedNext = (p.triedNext + 1) % len(p.tried)
}

// gaveUp emits a client that left while authenticating as a failure, once
// per session, unless its session logged an attempt already (counted).
func (p *sshdParser) gaveUp(t int64, host []byte, pid int64, user, src []byte, invalid bool, no, off int64, out record.Output) {
	for _, q := range p.tried {
		if q == pid && pid != 0 {
			return
		}
	}
	p.attempted(pid)
	r := &p.rec
	r.ResetLogon()
	r.Time, r.Line, r.Offset, r.Target, r.LogonType = t, no, off, host, sshProto
	r.Client, r.Account, r.Result, r.Reason = src, user, record.LogonFailure, gaveUpWords
	if invalid {
		r.Reason = noSuchUser
	}
	out.Record(r)
}

var gaveUpWords = []byte("left before authenticating")

var (
	pamFailure = []byte("authentication failure;")
	pamUnknown = []byte("check pass; user unknown")
	pamRhost   = []byte(" rhost=")
	pamUser    = []byte(" user=")
)

// pam reads a line of the PAM form: a failure, or the "user unknown" that
// says what the failure after it was.
func (p *sshdParser) pam(t int64, host, pid, msg []byte, no, off int64, out record.Output) {
	if bytes.HasPrefix(msg, pamUnknown) {
		p.unknown = append(p.unknown[:0], pid...)
		return
	}
	if !bytes.HasPrefix(msg, pamFailure) {
		return // sessions opened and closed: no source, and no attempt
	}
	r := &p.rec
	r.ResetLogon()
	r.Time, r.Line, r.Offset, r.Target, r.LogonType = t, no, off, host, sshProto
	r.AuthPackage, r.Result, r.Reason = sshPassword, record.LogonFailure, wrongPassword
	r.Client, r.Account = pamField(msg, pamRhost), pamField(msg, pamUser)
	if bytes.Equal(pid, p.unknown) {
		r.Reason, p.unknown = noSuchUser, p.unknown[:0]
	}
	if len(r.Client) == 0 {
		out.Skip(no, off, "sshd logon line without its source")
		return
	}
	out.Record(r)
}

// pamField is the value of " key=" in a PAM message, up to the next space.
func pamField(msg, key []byte) []byte {
	i := bytes.Index(msg, key)
	if i < 0 {
		return nil
	}
	v := msg[i+len(key):]
	if sp := bytes.IndexByte(v, ' '); sp >= 0 {
		v = v[:sp]
	}
	return v
}

func (p *sshdParser) Flush(record.Output) {}
