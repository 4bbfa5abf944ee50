package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

const authLog = `Mar 27 13:07:00 web1 sshd[1300]: Accepted publickey for alice from 10.0.2.17 port 50690 ssh2
Mar 27 13:07:01 web1 sshd[1301]: Invalid user admin from 10.0.2.18 port 50691
Mar 27 13:07:02 web1 sshd[1301]: Failed password for invalid user admin from 10.0.2.18 port 50691 ssh2
Mar 27 13:07:03 web1 sshd[1302]: Failed password for root from 10.0.2.18 port 50692 ssh2
Mar 27 13:07:06 web1 sudo[1305]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls
Mar 27 13:08:04 web1 sshd[1303]: message repeated 2 times: [ Failed password for root from 10.0.2.18 port 56338 ssh2]
`

// A logon is stored once per subject it has, but the workspace's events,
// traffic and clients count it once (by its source); each subject has its
// own counts and groups, and the drill-down reads the logon back.
func TestLogonIsStoredPerSubjectAndCountedOnce(t *testing.T) {
	d := openWS(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "auth.log")
	if err := os.WriteFile(path, []byte(authLog), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := ingestOne(t, d, path, Options{})
	if rep.Format != "sshd-syslog" || rep.Events != 6 || rep.Skipped != 0 {
		t.Fatalf("report %+v", rep)
	}
	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != 6 || st.Clients != 2 {
		t.Errorf("stats %+v: want 6 logons from 2 sources", st)
	}
	for _, c := range []struct {
		code         subject.Code
		value, group string
		count        int64
	}{
		{subject.LogonAccount, "root", subject.Local, 3},
		{subject.LogonAccount, "admin", subject.Local, 2},
		{subject.LogonSource, "10.0.2.18", "10.0.2.0/24", 5},
		{subject.LogonPair, "admin ← 10.0.2.18", "admin", 2},
		{subject.LogonTarget, "web1", subject.Local, 6},
		{subject.LogonType, "ssh", "remote", 6},
		{subject.LogonResult, "failure · wrong password", "failure", 3},
		{subject.LogonResult, "failure · no such user", "failure", 1},
		{subject.LogonResult, "invalid-user", "invalid-user", 1},
		{subject.LogonResult, "success", "success", 1},
		{subject.LogonAuth, "publickey", "publickey", 1},
	} {
		n, err := d.NameByText(ctx, c.code, c.value)
		if err != nil || n.Count != c.count || n.Domain != c.group {
			t.Errorf("%s %q: %+v %v, want %d in %q", subject.Must(c.code).Name, c.value, n, err, c.count, c.group)
		}
	}
	root, _ := d.NameByText(ctx, subject.LogonAccount, "root")
	evs, total, err := d.Events(ctx, root.ID, 0)
	if err != nil || total != 3 || len(evs) != 3 {
		t.Fatalf("events of root: %d of %d, %v", len(evs), total, err)
	}
	e := evs[0]
	if e.Kind != record.KindLogon || e.Client != "10.0.2.18" || e.Logon.Result != "failure" || e.Logon.Reason != "wrong password" ||
		e.Logon.Auth != "password" || e.Logon.Target != "web1" || e.Line != 6 {
		t.Errorf("newest event of root: %+v", e)
	}
}

// Honeypot logs go the same way: the password and the command are
// subjects of their own.
func TestCowrieIngest(t *testing.T) {
	d := openWS(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cowrie.json")
	text := `{"eventid": "cowrie.login.failed", "username": "root", "password": "123456", "timestamp": "2018-06-01T00:05:00Z", "src_ip": "192.0.2.7", "sensor": "s1"}
{"eventid": "cowrie.login.success", "username": "root", "password": "admin", "timestamp": "2018-06-01T00:05:01Z", "src_ip": "192.0.2.7", "sensor": "s1"}
{"eventid": "cowrie.command.input", "input": "uname -a", "timestamp": "2018-06-01T00:05:02Z", "src_ip": "192.0.2.7", "sensor": "s1"}
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep := ingestOne(t, d, path, Options{}); rep.Format != "cowrie-json" || rep.Events != 3 {
		t.Fatalf("report %+v", rep)
	}
	for code, want := range map[subject.Code]string{subject.LogonPassword: "123456", subject.LogonCommand: "uname -a", subject.LogonPair: "root ← 192.0.2.7"} {
		if n, err := d.NameByText(ctx, code, want); err != nil || n.Count < 1 {
			t.Errorf("%s %q: %+v %v", subject.Must(code).Name, want, n, err)
		}
	}
	if st, _ := d.Stats(ctx); st.Events != 3 {
		t.Errorf("%d events, want 3", st.Events)
	}
}

// A gzipped Windows Security log in JSON lines is read through the same
// path as a plain one: its subjects carry the domain, the logon type's
// name and the failure's status in words, and its events keep their ids.
func TestWindowsJSONGzip(t *testing.T) {
	d := openWS(t)
	ctx := context.Background()
	text := `{"@timestamp":"2020-10-22T08:29:53Z","EventID":4624,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"Alice","TargetDomainName":"CORP","LogonType":"3","AuthenticationPackageName":"Kerberos","IpAddress":"10.0.2.17"}
{"@timestamp":"2020-10-22T08:29:54Z","EventID":4625,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"bob","TargetDomainName":"CORP","LogonType":"3","IpAddress":"10.0.2.17","Status":"0xc000006d","SubStatus":"0xc000006a"}
{"@timestamp":"2020-10-22T08:29:55Z","EventID":4634,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"Alice","LogonType":"3"}
`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	path := filepath.Join(t.TempDir(), "security.json.gz")
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep := ingestOne(t, d, path, Options{}); rep.Format != "windows-json" || rep.Events != 2 || rep.Skipped != 0 {
		t.Fatalf("report %+v", rep)
	}
	for _, c := range []struct {
		code  subject.Code
		value string
		count int64
	}{
		{subject.LogonPair, "alice@corp ← 10.0.2.17", 1}, {subject.LogonType, "3 network", 2},
		{subject.LogonResult, "failure · wrong password", 1}, {subject.LogonAuth, "kerberos", 1},
	} {
		if n, err := d.NameByText(ctx, c.code, c.value); err != nil || n.Count != c.count {
			t.Errorf("%s %q: %+v %v, want %d", subject.Must(c.code).Name, c.value, n, err, c.count)
		}
	}
	bob, _ := d.NameByText(ctx, subject.LogonAccount, "bob@corp")
	if evs, _, err := d.Events(ctx, bob.ID, 0); err != nil || len(evs) != 1 || evs[0].Logon.EventID != 4625 {
		t.Errorf("events of bob: %+v %v", evs, err)
	}
}

// Windows names a workstation in the case each event gives it: SCORPIA
// and scorpia are one source, one pair, one client.
func TestALogonSourceIsOneWhateverItsCase(t *testing.T) {
	d := openWS(t)
	ctx := context.Background()
	text := `{"@timestamp":"2020-10-22T08:29:53Z","EventID":4625,"Channel":"Security","Hostname":"DC","TargetUserName":"bob","LogonType":"3","WorkstationName":"SCORPIA","Status":"0xc000006d"}
{"@timestamp":"2020-10-22T08:29:54Z","EventID":4625,"Channel":"Security","Hostname":"DC","TargetUserName":"bob","LogonType":"3","WorkstationName":"scorpia","Status":"0xc000006d"}
{"@timestamp":"2020-10-22T08:29:55Z","EventID":4624,"Channel":"Security","Hostname":"DC","TargetUserName":"bob","LogonType":"3","WorkstationName":"Scorpia"}
`
	path := filepath.Join(t.TempDir(), "security.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep := ingestOne(t, d, path, Options{}); rep.Events != 3 {
		t.Fatalf("report %+v", rep)
	}
	for _, c := range []struct {
		code  subject.Code
		value string
	}{{subject.LogonSource, "scorpia"}, {subject.LogonPair, "bob ← scorpia"}} {
		if n, err := d.NameByText(ctx, c.code, c.value); err != nil || n.Count != 3 {
			t.Errorf("%s %q: %+v %v, want 3 logons", subject.Must(c.code).Name, c.value, n, err)
		}
	}
	if st, err := d.Stats(ctx); err != nil || st.Clients != 1 {
		t.Errorf("stats %+v %v: want one client", st, err)
	}
}

// A syslog auth.log has no years in its stamps. One that runs past New
// Year is dated from its modification time, which its last line does not
// pass: its first months are of the year before. Dated from the present
// instead (December), its last months were put in the next year, in the
// future. --year (Options.Year) names the first line's year.
func TestSyslogYearFromTheFilesTime(t *testing.T) {
	const text = `Nov 30 06:39:00 web1 sshd[1]: Accepted password for alice from 10.0.2.17 port 1 ssh2
Jan  2 08:00:00 web1 sshd[2]: Accepted password for alice from 10.0.2.17 port 2 ssh2
Apr  6 20:52:00 web1 sshd[3]: Accepted password for alice from 10.0.2.17 port 3 ssh2
`
	path := filepath.Join(t.TempDir(), "auth.log")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	written := time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, written, written); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		year        int
		first, last string
	}{
		{0, "2025-11-30T06:39:00Z", "2026-04-06T20:52:00Z"},
		{2019, "2019-11-30T06:39:00Z", "2020-04-06T20:52:00Z"},
	} {
		d := openWS(t)
		ingestOne(t, d, path, Options{Year: c.year})
		alice, err := d.NameByText(context.Background(), subject.LogonAccount, "alice")
		first, last := time.UnixMicro(alice.First).UTC().Format(time.RFC3339), time.UnixMicro(alice.Last).UTC().Format(time.RFC3339)
		if err != nil || first != c.first || last != c.last {
			t.Errorf("year %d: alice from %s to %s (%v), want %s to %s", c.year, first, last, err, c.first, c.last)
		}
	}
}

// A logon like one seen before takes its subjects' values from the memo,
// but only one that is alike in everything its values come from: another
// source gives another source and pair, and an account holding the detail
// text's separator (hostile input, which the text replaces by '?') never
// takes the values of the account spelt with the '?'.
func TestLogonsAlikeShareValuesOnlyWhenAlike(t *testing.T) {
	d := openWS(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "auth.log")
	log := "Mar 27 13:07:03 web1 sshd[1302]: Failed password for root from 10.0.2.18 port 50692 ssh2\n" +
		"Mar 27 13:07:04 web1 sshd[1303]: Failed password for root from 10.0.2.19 port 50693 ssh2\n" +
		"Mar 27 13:07:05 web1 sshd[1304]: Failed password for root from 10.0.2.18 port 50694 ssh2\n" +
		"Mar 27 13:07:06 web1 sshd[1305]: Failed password for a?b from 10.0.2.18 port 50695 ssh2\n" +
		"Mar 27 13:07:07 web1 sshd[1306]: Failed password for a\x1fb from 10.0.2.18 port 50696 ssh2\n"
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep := ingestOne(t, d, path, Options{}); rep.Events != 5 || rep.Skipped != 0 {
		t.Fatalf("report %+v", rep)
	}
	for _, c := range []struct {
		code  subject.Code
		value string
		count int64
	}{
		{subject.LogonPair, "root ← 10.0.2.18", 2},
		{subject.LogonPair, "root ← 10.0.2.19", 1},
		{subject.LogonSource, "10.0.2.19", 1},
		{subject.LogonAccount, "a?b", 1},
		{subject.LogonAccount, "a\x1fb", 1},
	} {
		if n, err := d.NameByText(ctx, c.code, c.value); err != nil || n.Count != c.count {
			t.Errorf("%s %q: %+v %v, want %d", subject.Must(c.code).Name, c.value, n, err, c.count)
		}
	}
}
