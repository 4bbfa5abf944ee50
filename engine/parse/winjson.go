package parse

import (
	"bytes"

	"github.com/longtail/longtail/engine/record"
)

// winjson is the Windows Security log as JSON lines, one event object a
// line, in the two shapes collectors write: flat, the event's data beside
// its system fields (NXLog's im_msvistalog, as in OTRF's Mordor data sets),
//
//	{"@timestamp":"2020-10-22T08:29:53.908Z","EventID":4624,"Channel":"Security","Hostname":"DC.corp.local",
//	 "TargetUserName":"alice","TargetDomainName":"CORP","LogonType":"3","IpAddress":"10.0.2.17", ...}
//
// and Elastic's winlogbeat, the data under winlog.event_data:
//
//	{"@timestamp":"...","winlog":{"event_id":4624,"channel":"Security","computer_name":"DC.corp.local",
//	 "event_data":{"TargetUserName":"alice", ...}}}
//
// Each authentication event becomes a logon record with its event id:
// 4624 and 4625 (a logon and a failed one, on the host logged on to), 4648
// (a logon with explicit credentials, on the host they were typed on),
// 4672 (the special privileges a new logon got), 4768, 4769 and 4771 (a
// Kerberos ticket granted, a service ticket, a failed pre-authentication,
// on a domain controller) and 4776 (an NTLM credential validation). A
// failure keeps its status code (the specific SubStatus of 4625 when the
// Status is the generic "bad user name or password"), which the result
// subject puts in words.
//
// Remote Desktop's own logs say who came from where when the Security log
// does not (a 4624 of type 10 names the gateway's or the tunnel's address,
// or auditing is off): TerminalServices-RemoteConnectionManager's 1149, a
// user authenticated for a session (Param1 the user, Param2 the domain,
// Param3 the source address, under UserData), and
// TerminalServices-LocalSessionManager's 21, 24 and 25, a session logged
// on, disconnected and reconnected (User "DOMAIN\user" and Address, the
// source or "LOCAL" at the console). They are logons of type 10 (remote
// interactive; 2 at the console); a reconnection is a success that says
// so, a disconnection is kept without a result (its account and source
// are listed, and the logon summary does not count it, as a honeypot's
// command). Their ids mean other things in other logs (Sysmon's 21 to 25),
// so they are read only under their own channel.
//
// Logoffs (4634, 4647) are passed over like every other event of the log
// (process, object access, Sysmon's and PowerShell's events in a collector's
// mixed file): a logoff names no source and no result, and every logon has
// one, so each would double its logon's counts without saying anything an
// analyst ranks by; a session's length needs the logoff matched to its
// logon by logon id, which is another feature. Passing over is what
// sshd-syslog does with an auth log's other lines: they are not broken, so
// they are not skipped. Only a line that is not a JSON object, or an
// authentication event without a time or an account, is skipped.
//
// The time is @timestamp (UTC; NXLog's is when it received the event,
// within seconds of it), or EventTime when there is none (NXLog's local
// time without a zone, taken as UTC).

func init() {
	register(28, Format{
		Name:   "windows-json",
		Kind:   record.KindLogon,
		Detect: detectWinJSON,
		Lines:  func() LineParser { return &winParser{} },
	})
}

// detectWinJSON accepts JSON lines one of whose first events is a Windows
// event: it has an event id and names its channel or its computer. A
// collector's file may start with other logs' events (Sysmon's): they are
// Windows events too.
func detectWinJSON(head []byte) bool {
	var p winParser
	found := false
	forCompleteLines(head, 20, func(line []byte) bool {
		if len(bytes.TrimSpace(line)) == 0 {
			return true
		}
		if !p.scan(line) {
			return false
		}
		f := &p.f
		found = f.hasID && (len(f.channel) > 0 || len(f.computer) > 0)
		return !found
	})
	return found
}

// winFields are the members of an event that a record takes.
type winFields struct {
	id                                                   int64
	hasID                                                bool
	channel, timestamp, eventTime, computer              []byte
	targetUser, targetDomain, subjectUser, subjectDomain []byte
	targetSID, subjectSID                                []byte
	ip, workstation, logonType, authPackage              []byte
	status, subStatus, service, server                   []byte
	param1, param2, param3, user, address                []byte // Remote Desktop's
}

type winParser struct {
	f   winFields
	tp  timeParser
	rec record.Record
}

// scan fills p.f from a line; false when it is not a JSON object.
func (p *winParser) scan(line []byte) bool {
	p.f = winFields{}
	s := jsonScanner{b: line}
	return s.object(func(key []byte) bool { return p.member(&s, key, 0) })
}

// member consumes one member's value, keeping it when the record needs it.
func (p *winParser) member(s *jsonScanner, key []byte, depth int) bool {
	f := &p.f
	var dst *[]byte
	switch string(key) {
	case "EventID", "event_id":
		return p.eventID(s)
	case "winlog", "event_data", "EventData", "user_data", "UserData", "EventXML":
		// winlogbeat's nesting: its members are read as if they were
		// the top level's.
		if depth < 2 && s.peek() == '{' {
			s.i++
			return s.members(func(key []byte) bool { return p.member(s, key, depth+1) })
		}
		return s.skipValue()
	case "@timestamp":
		dst = &f.timestamp
	case "EventTime":
		dst = &f.eventTime
	default:
		if dst = f.field(key); dst == nil {
			return s.skipValue()
		}
	}
	if s.peek() != '"' {
		return s.skipValue() // a number or null where a string was expected: not taken
	}
	v, ok := p.str(s)
	*dst = v
	return ok
}

// field is where an event's member goes, by its name (the same in every
// shape, EVTX's EventData included); nil for one no record takes.
func (f *winFields) field(key []byte) *[]byte {
	switch string(key) {
	case "Channel", "channel":
		return &f.channel
	case "Hostname", "Computer", "computer_name":
		return &f.computer
	case "TargetUserName":
		return &f.targetUser
	case "TargetDomainName":
		return &f.targetDomain
	case "SubjectUserName":
		return &f.subjectUser
	case "SubjectDomainName":
		return &f.subjectDomain
	case "TargetUserSid", "TargetSid":
		return &f.targetSID
	case "SubjectUserSid":
		return &f.subjectSID
	case "IpAddress":
		return &f.ip
	case "WorkstationName", "Workstation":
		return &f.workstation
	case "LogonType":
		return &f.logonType
	case "AuthenticationPackageName", "PackageName":
		return &f.authPackage
	case "Status":
		return &f.status
	case "SubStatus":
		return &f.subStatus
	case "ServiceName":
		return &f.service
	case "TargetServerName":
		return &f.server
	case "Param1":
		return &f.param1
	case "Param2":
		return &f.param2
	case "Param3":
		return &f.param3
	case "User":
		return &f.user
	case "Address":
		return &f.address
	}
	return nil
}

// eventID reads the event id, a number (NXLog, winlogbeat 7) or a string
// of one (winlogbeat 8).
func (p *winParser) eventID(s *jsonScanner) bool {
	var raw []byte
	if s.peek() == '"' {
		var ok bool
		if raw, ok = s.plainString(); !ok {
			return false
		}
	} else if raw = s.number(); len(raw) == 0 {
		return false
	}
	p.f.id, p.f.hasID = Atoi(raw)
	return true
}

// str reads the string at the cursor, whose quote the caller saw; one
// with escapes (a user name may hold any character) is decoded into
// memory of its own, which the rare line pays.
func (p *winParser) str(s *jsonScanner) ([]byte, bool) {
	s.i++
	rest := s.b[s.i:]
	if q := bytes.IndexByte(rest, '"'); q >= 0 && bytes.IndexByte(rest[:q], '\\') < 0 {
		s.i += q + 1
		return rest[:q], true
	}
	if !s.skipStringBody() {
		return nil, false
	}
	return appendUnescaped(nil, rest[:len(rest)-len(s.b[s.i:])-1])
}

// The events read, by id.
const (
	winLogon          = 4624
	winLogonFailed    = 4625
	winExplicit       = 4648
	winSpecial        = 4672
	winTGT            = 4768
	winServiceTicket  = 4769
	winPreAuthFailed  = 4771
	winNTLMValidation = 4776
	winRDPAuth        = 1149 // RemoteConnectionManager
	winRDPLogon       = 21   // LocalSessionManager
	winRDPDisconnect  = 24
	winRDPReconnect   = 25
)

var (
	winKerberos    = []byte("Kerberos")
	winExplicitW   = []byte("explicit credentials")
	winPrivileges  = []byte("special privileges")
	winSecurity    = []byte("Security")
	winGenericBad  = []byte("0xc000006d") // bad user name or password: the SubStatus says which
	winRestriction = []byte("0xc000006e") // account restriction: the SubStatus says which
	winRCM         = []byte("Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational")
	winLSM         = []byte("Microsoft-Windows-TerminalServices-LocalSessionManager/Operational")
	winRemote      = []byte("10") // remote interactive
	winConsole     = []byte("2")  // interactive
	winReconnected = []byte("session reconnected")
	winDisconnect  = []byte("session disconnected")
)

func (p *winParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if replay || len(bytes.TrimSpace(line)) == 0 {
		return
	}
	if !p.scan(line) {
		out.Skip(no, off, "invalid JSON")
		return
	}
	f := &p.f
	if !f.authentication() {
		return // passed over
	}
	ts := f.timestamp
	if len(ts) == 0 {
		ts = f.eventTime
	}
	t, ok := p.tp.parse(ts)
	if !ok {
		out.Skip(no, off, "bad timestamp")
		return
	}
	r := &p.rec
	r.ResetLogon()
	r.Time, r.Line, r.Offset, r.EventID = t, no, off, uint16(f.id)
	if !f.fill(r) {
		out.Skip(no, off, errNoAccount)
		return
	}
	out.Record(r)
}

const errNoAccount = "logon event without its account"

// authentication says whether the event is one of the Security log's that
// a logon record is made of; another log's event with the same id is not.
func (f *winFields) authentication() bool {
	switch f.id {
	case winLogon, winLogonFailed, winExplicit, winSpecial, winTGT, winServiceTicket, winPreAuthFailed, winNTLMValidation:
		return len(f.channel) == 0 || bytes.EqualFold(f.channel, winSecurity)
	case winRDPAuth:
		return bytes.EqualFold(f.channel, winRCM)
	case winRDPLogon, winRDPDisconnect, winRDPReconnect:
		return bytes.EqualFold(f.channel, winLSM)
	}
	return false
}

// fill sets what each event says of the logon; false when it names no
// account.
// winSID is a SID as logged, or nothing for the null SID ("S-1-0-0") and
// "-" that events without an account write.
func winSID(s []byte) []byte {
	if len(s) < 4 || string(s) == "S-1-0-0" || !bytes.HasPrefix(s, []byte("S-1-")) {
		return nil
	}
	return s
}

func (f *winFields) fill(r *record.Record) bool {
	r.Account, r.AccountDomain, r.SID = f.targetUser, f.targetDomain, winSID(f.targetSID)
	r.Target, r.Client = f.computer, winSource(f.ip, f.workstation)
	r.LogonType, r.AuthPackage = f.logonType, f.authPackage
	r.Result = record.LogonSuccess
	switch f.id {
	case winLogonFailed:
		r.Result, r.Reason = record.LogonFailure, f.status
		if (bytes.EqualFold(f.status, winGenericBad) || bytes.EqualFold(f.status, winRestriction)) && winCode(f.subStatus) {
			r.Reason = f.subStatus
		}
	case winExplicit:
		// Written where the credentials were typed: that host is the
		// source, named as the other events name a workstation (its
		// NetBIOS name, not its DNS one), the server they were used for
		// the target.
		r.Client, r.Reason = f.computer, winExplicitW
		if dot := bytes.IndexByte(r.Client, '.'); dot > 0 {
			r.Client = r.Client[:dot]
		}
		if len(f.server) > 0 && string(f.server) != "-" && !bytes.EqualFold(f.server, []byte("localhost")) {
			r.Target = f.server
		}
	case winSpecial:
		r.Account, r.AccountDomain, r.Client, r.Reason = f.subjectUser, f.subjectDomain, nil, winPrivileges
		r.SID = winSID(f.subjectSID)
	case winTGT, winServiceTicket, winPreAuthFailed:
		r.AuthPackage = winKerberos
		if f.id == winServiceTicket && len(f.service) > 0 {
			r.Target = f.service // the service a ticket was asked for, not the KDC
		}
		f.failed(r)
	case winNTLMValidation:
		f.failed(r)
	case winRDPAuth:
		r.Account, r.AccountDomain, r.Client, r.LogonType = f.param1, f.param2, winSource(f.param3, nil), winRemote
	case winRDPLogon, winRDPDisconnect, winRDPReconnect:
		f.session(r)
	}
	return len(r.Account) > 0
}

// session sets what a LocalSessionManager event says: the user, written
// "DOMAIN\user", and where from, "LOCAL" at the console.
func (f *winFields) session(r *record.Record) {
	r.Account = f.user
	if i := bytes.LastIndexByte(f.user, '\\'); i >= 0 {
		r.AccountDomain, r.Account = f.user[:i], f.user[i+1:]
	}
	r.Client, r.LogonType = winSource(f.address, nil), winRemote
	if bytes.EqualFold(f.address, []byte("LOCAL")) {
		r.Client, r.LogonType = nil, winConsole
	}
	switch f.id {
	case winRDPDisconnect:
		r.Result, r.Reason = nil, winDisconnect
	case winRDPReconnect:
		r.Reason = winReconnected
	}
}

// failed sets the result of an event whose Status is 0x0 on success.
func (f *winFields) failed(r *record.Record) {
	if winCode(f.status) {
		r.Result, r.Reason = record.LogonFailure, f.status
	}
}

// winCode says whether a status is a code other than success ("0x0",
// "0x00000000").
func winCode(s []byte) bool {
	if len(s) == 0 || string(s) == "-" {
		return false
	}
	s = bytes.TrimPrefix(bytes.TrimPrefix(s, []byte("0x")), []byte("0X"))
	return len(bytes.TrimLeft(s, "0")) > 0
}

var winMapped = []byte("::ffff:")

// winSource is a logon's source: its address (an IPv4 one without the
// IPv6 mapping Kerberos events give it), else the workstation it names.
// A loopback address (an interactive logon's) gives way to the
// workstation too: "alice ← WS-0042" says where she sat, "alice ←
// 127.0.0.1" says only that it was at the host logged on to.
func winSource(ip, workstation []byte) []byte {
	ip = bytes.TrimPrefix(ip, winMapped)
	workstation = bytes.TrimLeft(workstation, `\`)
	hasWS := len(workstation) > 0 && string(workstation) != "-"
	switch {
	case len(ip) > 0 && string(ip) != "-" && !(hasWS && (string(ip) == "127.0.0.1" || string(ip) == "::1")):
		return ip
	case hasWS:
		return workstation
	}
	return nil
}

func (p *winParser) Flush(record.Output) {}
