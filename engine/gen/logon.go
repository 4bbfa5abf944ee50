package gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// The logon side: a week of a Windows domain's Security log, as NXLog
// forwards it in JSON lines (the shape of OTRF's Mordor data sets, without
// the rendered Message text most collectors are told to drop): 200 users
// at their workstations, file, database and web servers, service
// accounts, admins on their admin workstations, two domain controllers
// granting tickets; with a password spray, a brute force that succeeds, an
// admin logging on from a workstation it never used and a logon in the
// middle of the night hidden among them.

// LogonTruth is what was planted in a logon log.
type LogonTruth struct {
	Events int64  // events written: Options.Lines, or the planted ones when they are more
	Domain string // the NetBIOS name the logons carry ("CORP")
	// SprayClient failed to log on to SprayAccounts accounts, once each,
	// within minutes, then logged on as SprayAccount.
	SprayClient, SprayAccount string
	SprayAccounts             int
	// BruteClient failed BruteFailures times as BruteAccount, then
	// succeeded (a remote desktop logon, type 10).
	BruteClient, BruteAccount string
	BruteFailures             int
	// AdminAccount, which logs on from AdminUsualClient only, logged on to
	// a domain controller from AdminNewClient (another user's workstation).
	AdminAccount, AdminUsualClient, AdminNewClient string
	// OffHoursAccount, who logs on interactively in office hours only, did
	// at OffHoursTime on OffHoursClient, its own workstation.
	OffHoursAccount, OffHoursClient string
	OffHoursTime                    time.Time
}

const (
	logonUsers    = 200
	logonAdmins   = 5
	logonIT       = 8 // the users who run scripts with other credentials
	logonNetBIOS  = "CORP"
	logonRealm    = "CORP.EXAMPLE.COM"
	logonSuffix   = ".corp.example.com"
	logonSpray    = "10.10.7.203"
	logonBrute    = "203.0.113.50"
	logonBruteAcc = "administrator"
	logonNTLM     = "NTLM"
	logonKerberos = "Kerberos"
	logonMSV      = "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0"
	logonNego     = "Negotiate"
)

var (
	logonFirst = []string{"a", "b", "c", "d", "e", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "y"}
	logonLast  = []string{"smith", "jones", "chen", "garcia", "miller", "davis", "khan", "nguyen", "wilson", "moore",
		"taylor", "anderson", "thomas", "jackson", "white", "harris", "martin", "lopez", "lee", "walker",
		"hall", "allen", "young", "king", "wright", "scott", "green", "baker", "adams", "nelson",
		"hill", "campbell", "mitchell", "roberts", "carter", "phillips", "evans", "turner", "torres", "parker"}
	logonServers = []string{"FS01", "FS02", "SQL01", "WEB01", "EXCH01", "APP01", "RDS01"}
	logonDCs     = []string{"DC01", "DC02"}
	logonSvc     = []struct{ account, server string }{
		{"svc_sql", "SQL01"}, {"svc_backup", "FS01"}, {"svc_backup", "FS02"}, {"svc_iis", "WEB01"},
		{"svc_exch", "EXCH01"}, {"svc_monitor", "APP01"},
	}
)

// logonUser is an account and where it sits.
type logonUser struct {
	name, ws, ip string
}

// logonWorld is the domain.
type logonWorld struct {
	users, admins []logonUser
}

func newLogonWorld(rng *rand.Rand) *logonWorld {
	w := &logonWorld{}
	seen := map[string]bool{}
	for len(w.users) < logonUsers {
		n := logonFirst[rng.IntN(len(logonFirst))] + logonLast[rng.IntN(len(logonLast))]
		if seen[n] {
			continue
		}
		seen[n] = true
		i := len(w.users)
		w.users = append(w.users, logonUser{name: n, ws: fmt.Sprintf("WS-%04d", 101+i), ip: fmt.Sprintf("10.10.%d.%d", 2+i/200, 10+i%200)})
	}
	for i := range logonAdmins {
		u := w.users[i*37]
		w.admins = append(w.admins, logonUser{name: "adm_" + u.name, ws: fmt.Sprintf("PAW-%02d", i+1), ip: fmt.Sprintf("10.10.1.%d", 10+i)})
	}
	return w
}

// winEvent is one event of the Security log.
type winEvent struct {
	t                          int64
	id                         int
	host                       string // the computer that logged it (without the domain suffix)
	user, domain               string
	ip, ws                     string
	logonType, auth            string
	status, subStatus, service string
	subject                    string // 4648's account that used the credentials
	failure                    bool
}

// WriteLogon writes o.Lines events of a Windows Security log in NXLog's
// JSON lines (o.Format is not used).
func WriteLogon(w io.Writer, o Options) (LogonTruth, error) {
	if err := o.defaults(); err != nil {
		return LogonTruth{}, err
	}
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x6c6f676f6e))
	world := newLogonWorld(rng)
	planted, truth := plantLogon(rng, world, o)
	truth.Events = max(o.Lines, int64(len(planted)))
	bw := bufio.NewWriterSize(w, 1<<20)
	var line []byte
	var c clock
	rec := uint64(1_000_000)
	write := func(e *winEvent) {
		rec++
		line = appendWinEvent(line[:0], &c, rec, e)
		bw.Write(line)
	}
	pi := 0
	normal := max(o.Lines-int64(len(planted)), 0)
	spread(o, normal, func(t int64) {
		var e winEvent
		world.normal(rng, &e, t)
		for pi < len(planted) && planted[pi].t <= t {
			write(&planted[pi])
			pi++
		}
		write(&e)
	})
	for ; pi < len(planted); pi++ {
		write(&planted[pi])
	}
	return truth, bw.Flush()
}

// officeHours says whether t is a weekday between 7:00 and 19:00, when
// this domain's users log on at their desks; the morning, when they
// arrive, gives the most interactive logons.
func officeHours(t int64) (office, morning bool) {
	tm := time.UnixMicro(t).UTC()
	h := tm.Hour()
	if wd := tm.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false, false
	}
	return h >= 7 && h < 19, h >= 7 && h < 10
}

// normal is an ordinary event at t: mostly network logons to the file
// servers and the tickets that go with them, interactive logons at the
// desks in office hours, service and machine accounts at any hour, now
// and then a mistyped password.
func (w *logonWorld) normal(rng *rand.Rand, e *winEvent, t int64) {
	u := &w.users[rng.IntN(len(w.users))]
	dc := logonDCs[rng.IntN(len(logonDCs))]
	*e = winEvent{t: t, user: u.name, domain: logonNetBIOS, ip: u.ip, ws: u.ws, host: dc}
	r := rng.IntN(1000)
	office, morning := officeHours(t)
	desk := 0
	if office {
		desk = 40
		if morning {
			desk = 140
		}
	}
	switch {
	case r < desk: // at the desk
		e.id, e.host, e.logonType, e.auth, e.ip = 4624, u.ws, "2", logonNego, "127.0.0.1"
	case r < 360: // a share on a file server
		e.id, e.host, e.logonType, e.auth = 4624, logonServers[rng.IntN(2)], "3", logonKerberos
	case r < 600: // the ticket for it, or for another service
		e.id, e.domain, e.auth = 4769, logonRealm, logonKerberos
		e.user += "@" + logonRealm
		e.service = logonServers[rng.IntN(len(logonServers))] + "$"
		if rng.IntN(5) == 0 {
			e.service = logonSvc[rng.IntN(len(logonSvc))].account
		}
		e.status = "0x0"
	case r < 680:
		e.id, e.domain, e.auth, e.service, e.status = 4768, logonRealm, logonKerberos, "krbtgt", "0x0"
	case r < 760: // a service account starting its service
		s := logonSvc[rng.IntN(len(logonSvc))]
		e.id, e.host, e.user, e.logonType, e.auth, e.ip, e.ws = 4624, s.server, s.account, "5", logonNego, "-", "-"
	case r < 800: // a workstation's machine account
		e.id, e.user, e.logonType, e.auth = 4624, u.ws+"$", "3", logonKerberos
	case r < 860: // a logoff
		e.id, e.host, e.logonType = 4634, logonServers[rng.IntN(2)], "3"
	case r < 900: // an NTLM logon's validation at the domain controller
		e.id, e.auth, e.status = 4776, logonMSV, "0x0"
	case r < 915: // a mistyped password
		e.id, e.host, e.logonType, e.auth, e.failure = 4625, logonServers[rng.IntN(2)], "3", logonNTLM, true
		e.status, e.subStatus = "0xc000006d", "0xc000006a"
	case r < 925:
		e.id, e.auth, e.status, e.service, e.failure = 4771, logonKerberos, "0x18", "krbtgt/"+logonRealm, true
	case r < 945: // an admin at a server, from the admin's workstation
		a := &w.admins[rng.IntN(len(w.admins))]
		e.user, e.ip, e.ws, e.host = a.name, a.ip, a.ws, logonServers[rng.IntN(len(logonServers))]
		e.id, e.logonType, e.auth = 4624, "10", logonKerberos
		if r >= 935 {
			e.id = 4672
		}
	case r < 950: // IT's scripts run with a service account's credentials
		it := &w.users[rng.IntN(logonIT)]
		e.id, e.host, e.subject, e.user = 4648, it.ws, it.name, logonSvc[rng.IntN(len(logonSvc))].account
		e.service = logonServers[2+rng.IntN(len(logonServers)-2)] + logonSuffix
	case r < 958: // an account that is locked, disabled or whose password expired
		e.id, e.host, e.logonType, e.auth, e.failure = 4625, logonServers[rng.IntN(2)], "3", logonNTLM, true
		e.status, e.subStatus = "0xc000006e", []string{"0xc0000234", "0xc0000072", "0xc0000071"}[rng.IntN(3)]
		if e.subStatus == "0xc0000234" {
			e.status, e.subStatus = "0xc0000234", "0x0"
		}
	default: // a web or database application, with NTLM
		e.id, e.host, e.logonType, e.auth = 4624, logonServers[2+rng.IntN(2)], "3", logonNTLM
	}
}

// plantLogon makes the planted events, sorted by time.
func plantLogon(rng *rand.Rand, w *logonWorld, o Options) ([]winEvent, LogonTruth) {
	start := o.Start.UnixMicro()
	const hour = int64(3_600_000_000)
	day := 24 * hour
	fail := func(t int64, user, ip, host, typ string) winEvent {
		return winEvent{t: t, id: 4625, host: host, user: user, domain: logonNetBIOS, ip: ip, ws: "-", logonType: typ, auth: logonNTLM,
			status: "0xc000006d", subStatus: "0xc000006a", failure: true}
	}
	var out []winEvent
	// The spray: 45 accounts, one password each, from a machine in the
	// office network that is nobody's, in three minutes of a Tuesday
	// morning; the last one works.
	tr := LogonTruth{Domain: logonNetBIOS, SprayClient: logonSpray, SprayAccounts: 45, BruteClient: logonBrute, BruteAccount: logonBruteAcc}
	t := start + day + 10*hour + 5*60_000_000
	for i, p := range rng.Perm(len(w.users))[:tr.SprayAccounts] {
		out = append(out, fail(t, w.users[p].name, logonSpray, "DC01", "3"))
		t += int64(2_000_000 + rng.IntN(3_000_000))
		if i == tr.SprayAccounts-1 {
			tr.SprayAccount = w.users[p].name
		}
	}
	out = append(out, winEvent{t: t + 30_000_000, id: 4624, host: "DC01", user: tr.SprayAccount, domain: logonNetBIOS, ip: logonSpray, ws: "-",
		logonType: "3", auth: logonNTLM})
	// The brute force: 400 passwords for the administrator over remote
	// desktop, from outside, on Thursday night, then the session.
	t = start + 3*day + 1*hour + 30*60_000_000
	for range 400 {
		out = append(out, fail(t, logonBruteAcc, logonBrute, "RDS01", "3"))
		t += int64(3_000_000 + rng.IntN(4_000_000))
	}
	tr.BruteFailures = 400
	out = append(out, winEvent{t: t + 10_000_000, id: 4624, host: "RDS01", user: logonBruteAcc, domain: logonNetBIOS, ip: logonBrute, ws: "-",
		logonType: "10", auth: logonNego})
	// The new admin pair: an admin at a domain controller from a user's
	// workstation, on Friday afternoon.
	a, v := w.admins[0], w.users[rng.IntN(len(w.users))]
	for v.ws == a.ws {
		v = w.users[rng.IntN(len(w.users))]
	}
	tr.AdminAccount, tr.AdminUsualClient, tr.AdminNewClient = a.name, a.ip, v.ip
	t = start + 4*day + 14*hour + 20*60_000_000
	out = append(out,
		winEvent{t: t, id: 4624, host: "DC01", user: a.name, domain: logonNetBIOS, ip: v.ip, ws: v.ws, logonType: "10", auth: logonKerberos},
		winEvent{t: t + 1000, id: 4672, host: "DC01", user: a.name, domain: logonNetBIOS})
	// The night: a user who works office hours at her desk on Saturday at
	// 3:12.
	u := w.users[1+rng.IntN(len(w.users)-1)]
	tr.OffHoursAccount, tr.OffHoursClient = u.name, u.ws
	t = start + 5*day + 3*hour + 12*60_000_000
	tr.OffHoursTime = time.UnixMicro(t).UTC()
	out = append(out, winEvent{t: t, id: 4624, host: u.ws, user: u.name, domain: logonNetBIOS, ip: "127.0.0.1", ws: u.ws, logonType: "2", auth: logonNego})
	return out, tr
}

// appendWinEvent writes one event as NXLog writes it: its system fields
// and its event data side by side.
func appendWinEvent(b []byte, c *clock, rec uint64, e *winEvent) []byte {
	ofDay := c.refresh(e.t)
	b = append(b, `{"@timestamp":"`...)
	b = append(b, c.isoDate[:10]...)
	b = appendClock(append(b, 'T'), ofDay)
	b = appendPad(append(b, '.'), uint64(ofDay%1e6/1000), 3) // milliseconds, as NXLog gives them
	b = append(b, `Z","EventTime":"`...)
	b = appendClock(append(b, c.isoDate...), ofDay)
	b = append(b, `","Hostname":"`...)
	b = append(b, e.host...)
	b = append(b, logonSuffix...)
	b = append(b, `","SourceName":"Microsoft-Windows-Security-Auditing","Channel":"Security","EventID":`...)
	b = strconv.AppendInt(b, int64(e.id), 10)
	b = append(b, `,"EventType":"AUDIT_`...)
	if e.failure {
		b = append(b, `FAILURE"`...)
	} else {
		b = append(b, `SUCCESS"`...)
	}
	b = append(b, `,"RecordNumber":`...)
	b = strconv.AppendUint(b, rec, 10)
	field := func(k, v string) {
		b = append(b, `,"`...)
		b = append(b, k...)
		b = append(b, `":"`...)
		b = append(b, v...)
		b = append(b, '"')
	}
	switch e.id {
	case 4624, 4625, 4634:
		field("TargetUserName", e.user)
		field("TargetDomainName", e.domain)
		field("LogonType", e.logonType)
		if e.id == 4634 {
			break
		}
		field("AuthenticationPackageName", e.auth)
		field("WorkstationName", e.ws)
		field("IpAddress", e.ip)
		if e.id == 4625 {
			field("Status", e.status)
			field("SubStatus", e.subStatus)
		}
	case 4648:
		field("SubjectUserName", e.subject)
		field("SubjectDomainName", e.domain)
		field("TargetUserName", e.user)
		field("TargetDomainName", e.domain)
		field("TargetServerName", e.service)
		field("IpAddress", "-")
	case 4672:
		field("SubjectUserName", e.user)
		field("SubjectDomainName", e.domain)
		field("PrivilegeList", `SeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeDebugPrivilege`)
	case 4768, 4769, 4771:
		field("TargetUserName", e.user)
		if e.id != 4771 {
			field("TargetDomainName", e.domain)
		}
		field("ServiceName", e.service)
		field("IpAddress", "::ffff:"+e.ip)
		field("Status", e.status)
	case 4776:
		field("PackageName", e.auth)
		field("TargetUserName", e.user)
		field("Workstation", e.ws)
		field("Status", e.status)
	}
	return append(b, "}\n"...)
}
