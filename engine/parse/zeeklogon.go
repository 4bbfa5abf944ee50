package parse

import (
	"bytes"
	"encoding/json"

	"github.com/longtail/longtail/engine/record"
)

// Zeek's kerberos.log, ntlm.log and ssh.log, in TSV and as JSON lines:
// what a network sensor saw of the logons it watched, as logon records
// beside the hosts' own logs. Each row is one authentication, the source
// its client (id.orig_h, an address, as the Windows events' IpAddress).
// They read Zeek's header, rows and JSON with zeek.go's readers; a log per
// format, as dns.log and http.log are, so that each declares its own #path
// (or _path). Both forms read a row into the same slots, and one reading
// of each log's slots makes its record.
//
// A row whose outcome Zeek saw is a logon with its result. A row that
// names an account (or, in ssh.log, a client version) but whose outcome
// Zeek did not see is kept without a result, as a honeypot's command is:
// its account, source and software are listed, and the logon summary does
// not count it. A row that says neither is passed over: a probe, not an
// attempt, and not broken either.
//
// kerberos.log: a request for a ticket-granting ticket (AS) is the logon,
// on the KDC (id.resp_h, as 4768 is written on the domain controller); a
// service ticket (TGS) is a logon to its service, the target (as 4769's
// ServiceName). client is "user/REALM": the account and its domain. A
// failure's error_msg is its reason ("KDC_ERR_PREAUTH_FAILED", which the
// result subject says as "wrong password"), except KDC_ERR_PREAUTH_REQUIRED,
// the KDC's normal first answer, which every client retries with
// pre-authentication: that row is passed over, or each logon would read as
// a failure first.
//
// ntlm.log: the target is the server as it names itself in its challenge,
// by its DNS name (the Computer of the Windows events it writes, so that a
// host seen by the sensor and in its own log is one target), else its
// NetBIOS name, else id.resp_h. (Where networks reuse names, as the
// WRCCDC teams' copies of one network do, hosts of one name list as one
// target; their addresses stay in each event's source file.) A success
// without a user name is a null session: kept, with no account.
//
// ssh.log: no account (the user name is encrypted); auth_success T is a
// success, F a failure. A row is one logon whatever its auth_attempts:
// Zeek infers the attempts from the sizes of encrypted packets, and a
// client that offers three keys before the right one counts as three, so
// the count is no number of failed logons. The client's version is the
// software. The method is not seen either, so the authentication package
// is left empty rather than set to a word that would only repeat the type.

func init() {
	for i, l := range zeekLogonLogs {
		register(33+i, Format{
			Name:   "zeek-" + l.path + "-tsv",
			Kind:   record.KindLogon,
			Detect: func(head []byte) bool { return newZeekLogonTSV(l).detect(head, l.hint...) },
			Lines:  func() LineParser { return newZeekLogonTSV(l) },
			Replay: true, // a resumed ingest needs the #fields header again
		})
		register(33+i, Format{
			Name:   "zeek-" + l.path + "-json",
			Kind:   record.KindLogon,
			Detect: func(head []byte) bool { return detectZeekJSONLog(head, l.path, l.keys) },
			Lines:  func() LineParser { return newZeekLogonJSON(l) },
		})
	}
}

// zeekLogonLog is one of the logon logs: its #path, the fields it reads by
// slot (ts and id.orig_h first), and the slots that, without a #path,
// say a header is this log's (keys, a JSON row's).
type zeekLogonLog struct {
	path  string
	want  []string
	hint  []int
	keys  func(has func(key string) bool) bool
	lacks string
	read  func(v zeekValues, z *zeekLogonRow) string
}

// zeekValues is a row read into slots: the value of slot s, nil when the
// row has none (absent, unset or empty); a boolean is "T" or "F".
type zeekValues interface{ value(s int) []byte }

// The slots every logon log has first.
const (
	logonTS = iota
	logonClient
	logonServer
	logonFirst // the log's own fields
)

var zeekLogonLogs = []*zeekLogonLog{
	{
		path: "kerberos",
		want: []string{"ts", "id.orig_h", "id.resp_h", "request_type", "client", "service", "success", "error_msg"},
		hint: []int{logonFirst, logonFirst + 1, logonFirst + 2},
		keys: func(has func(string) bool) bool {
			return has("ts") && has("uid") && has("request_type")
		},
		lacks: "no ts or request_type in #fields, not a kerberos log",
		read:  readZeekKerberos,
	},
	{
		path: "ntlm",
		want: []string{"ts", "id.orig_h", "id.resp_h", "username", "domainname", "server_nb_computer_name", "server_dns_computer_name", "success"},
		hint: []int{logonFirst, logonFirst + 2},
		keys: func(has func(string) bool) bool {
			return has("ts") && has("uid") && (has("server_nb_computer_name") || has("server_dns_computer_name"))
		},
		lacks: "no ts or username in #fields, not an ntlm log",
		read:  readZeekNTLM,
	},
	{
		path: "ssh",
		want: []string{"ts", "id.orig_h", "id.resp_h", "auth_success", "client"},
		hint: []int{logonFirst, logonFirst + 1},
		keys: func(has func(string) bool) bool {
			return has("ts") && has("uid") && has("auth_attempts")
		},
		lacks: "no ts or auth_success in #fields, not an ssh log",
		read:  readZeekSSH,
	},
}

func newZeekLogonTSV(l *zeekLogonLog) *zeekTSVLines {
	return &zeekTSVLines{zeekTSV: newZeekTSVReader(l.path, l.want, l.lacks, logonTS, logonFirst), log: &zeekLogonTSV{zeekLogonReader{log: l}}}
}

func newZeekLogonJSON(l *zeekLogonLog) *zeekJSONLines {
	return &zeekJSONLines{log: &zeekLogonJSON{zeekLogonReader: zeekLogonReader{log: l}, vals: make([][]byte, len(l.want))}}
}

// zeekLogonRow is what a logon log's row gives its record.
type zeekLogonRow struct {
	zeekBase
	pass                                 bool // no logon: passed over
	account, domain, target, auth, ltype []byte
	result, reason, software             []byte
}

// zeekLogonReader is what both forms of a logon log share: the row read
// and its record.
type zeekLogonReader struct {
	log *zeekLogonLog
	row zeekLogonRow
	tp  timeParser
}

// zeekLogonTSV reads the rows of one logon log in TSV.
type zeekLogonTSV struct{ zeekLogonReader }

func (p *zeekLogonTSV) parse(h *zeekTSV) string {
	z := &p.row
	*z = zeekLogonRow{}
	if !h.ts(logonTS, &p.tp, &z.zeekBase) {
		return "bad ts"
	}
	z.client = h.value(logonClient)
	return p.log.read(h, z)
}

func (p *zeekLogonReader) emit(rec *record.Record, no, off int64, out record.Output) {
	z := &p.row
	if reason := z.other(p.log.path); reason != "" {
		out.Skip(no, off, reason)
		return
	}
	if z.pass || z.result == nil && len(z.account) == 0 && len(z.software) == 0 {
		return
	}
	if len(z.client) == 0 {
		out.Skip(no, off, "zeek "+p.log.path+" row without its source")
		return
	}
	rec.ResetLogon()
	rec.Time, rec.Line, rec.Offset, rec.Client = z.time, no, off, z.client
	rec.Account, rec.AccountDomain, rec.Target = z.account, z.domain, z.target
	rec.AuthPackage, rec.LogonType, rec.Result, rec.Reason, rec.Software = z.auth, z.ltype, z.result, z.reason, z.software
	out.Record(rec)
}

var (
	zeekKerberos       = []byte("Kerberos")
	zeekNTLM           = []byte("NTLM")
	zeekNetwork        = []byte("network")
	zeekPreAuthNeeded  = []byte("KDC_ERR_PREAUTH_REQUIRED")
	zeekServiceRequest = []byte("TGS")
)

// zeekResult reads a success column (T, F or unset) into z.result.
func zeekResult(v []byte, z *zeekLogonRow) bool {
	switch string(v) {
	case "T":
		z.result = record.LogonSuccess
	case "F":
		z.result = record.LogonFailure
	case "":
	default:
		return false
	}
	return true
}

// readZeekKerberos reads a kerberos.log row.
func readZeekKerberos(h zeekValues, z *zeekLogonRow) string {
	const reqType, client, service, success, errMsg = logonFirst, logonFirst + 1, logonFirst + 2, logonFirst + 3, logonFirst + 4
	if !zeekResult(h.value(success), z) {
		return "bad success"
	}
	z.reason = h.value(errMsg)
	if bytes.Equal(z.reason, zeekPreAuthNeeded) {
		z.pass = true
		return ""
	}
	if len(z.reason) > 0 {
		z.result = record.LogonFailure
	}
	if c := h.value(client); c != nil {
		z.account, z.domain = c, nil
		if i := bytes.LastIndexByte(c, '/'); i >= 0 {
			z.account, z.domain = c[:i], c[i+1:]
		}
	}
	z.target = h.value(logonServer)
	if s := h.value(service); s != nil && bytes.Equal(h.value(reqType), zeekServiceRequest) {
		z.target = s
	}
	z.auth, z.ltype = zeekKerberos, zeekNetwork
	return ""
}

// readZeekNTLM reads an ntlm.log row.
func readZeekNTLM(h zeekValues, z *zeekLogonRow) string {
	const user, domain, nbName, dnsName, success = logonFirst, logonFirst + 1, logonFirst + 2, logonFirst + 3, logonFirst + 4
	if !zeekResult(h.value(success), z) {
		return "bad success"
	}
	z.account, z.domain = h.value(user), h.value(domain)
	z.target = h.value(dnsName)
	if z.target == nil {
		z.target = h.value(nbName)
	}
	if z.target == nil {
		z.target = h.value(logonServer)
	}
	z.auth, z.ltype = zeekNTLM, zeekNetwork
	return ""
}

// readZeekSSH reads an ssh.log row.
func readZeekSSH(h zeekValues, z *zeekLogonRow) string {
	const success, client = logonFirst, logonFirst + 1
	if !zeekResult(h.value(success), z) {
		return "bad auth_success"
	}
	z.target, z.software, z.ltype = h.value(logonServer), h.value(client), sshProto
	return ""
}

// zeekLogonJSON reads the rows of one logon log as JSON lines into the
// slots the TSV form has, for the same reading.
type zeekLogonJSON struct {
	zeekLogonReader
	vals [][]byte // by slot
}

func (p *zeekLogonJSON) value(s int) []byte { return p.vals[s] }

// slot is the slot of a key, or -1.
func (p *zeekLogonJSON) slot(key []byte) int {
	if string(key) == "id_resp_h" {
		key = []byte("id.resp_h")
	}
	for i, w := range p.log.want[logonServer:] {
		if string(key) == w {
			return logonServer + i
		}
	}
	return -1
}

// start readies the row and the slots for a line.
func (p *zeekLogonJSON) start() {
	p.row = zeekLogonRow{}
	clear(p.vals)
}

var (
	zeekTrue  = []byte("T")
	zeekFalse = []byte("F")
)

func (p *zeekLogonJSON) scan(line []byte) bool {
	p.start()
	z := &p.row
	s := jsonScanner{b: line}
	haveTS := false
	ok := s.object(func(key []byte) bool {
		if known, ok := z.scanKey(&s, &p.tp, key); known {
			haveTS = haveTS || string(key) == "ts"
			return ok
		}
		i := p.slot(key)
		switch {
		case i < 0:
			return s.skipValue()
		case s.peek() == '"':
			var ok bool
			p.vals[i], ok = s.plainString()
			return ok
		}
		switch string(s.number()) {
		case "true":
			p.vals[i] = zeekTrue
		case "false":
			p.vals[i] = zeekFalse
		case "null":
		default:
			return false // the slow path says what is wrong
		}
		return true
	})
	return ok && haveTS && p.read() == ""
}

// read reads the slots, as the TSV form does, once the line is scanned.
func (p *zeekLogonJSON) read() string {
	for i, v := range p.vals {
		if len(v) == 0 {
			p.vals[i] = nil
		}
	}
	return p.log.read(p, &p.row)
}

func (p *zeekLogonJSON) decode(line []byte) string {
	var base zeekJSONBaseRow
	var m map[string]json.RawMessage
	if json.Unmarshal(line, &base) != nil || json.Unmarshal(line, &m) != nil {
		return "invalid JSON"
	}
	p.start()
	if reason := base.base(&p.tp, &p.row.zeekBase); reason != "" {
		return reason
	}
	for k, raw := range m {
		i := p.slot([]byte(k))
		if i < 0 {
			continue
		}
		var str string
		var b bool
		switch {
		case json.Unmarshal(raw, &str) == nil:
			p.vals[i] = []byte(str)
		case json.Unmarshal(raw, &b) == nil:
			p.vals[i] = zeekFalse
			if b {
				p.vals[i] = zeekTrue
			}
		case string(raw) == "null":
		default:
			return "bad " + k
		}
	}
	return p.read()
}
