package parse

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/gen"
)

// winJSONSample has one event of each kind read, in NXLog's flat shape
// and winlogbeat's nested one, with the events passed over and the lines
// skipped.
const winJSONSample = `{"@timestamp":"2020-10-22T08:29:53.908Z","EventID":4624,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"alice","TargetDomainName":"CORP","LogonType":"3","AuthenticationPackageName":"Kerberos","IpAddress":"10.0.2.17","WorkstationName":"-","Message":"An account was\r\n\tlogged on."}
{"@timestamp":"2020-10-22T08:29:54Z","EventID":4625,"Channel":"Security","Hostname":"WS5.corp.local","TargetUserName":"bob","TargetDomainName":"corp.local","LogonType":"2","AuthenticationPackageName":"MICROSOFT_AUTHENTICATION_PACKAGE_V1_0","IpAddress":"127.0.0.1","WorkstationName":"WS5","Status":"0xc000006d","SubStatus":"0xc000006a"}
{"@timestamp":"2020-10-22T08:29:55Z","EventID":4625,"Channel":"Security","Hostname":"WS5.corp.local","TargetUserName":"carol","TargetDomainName":"CORP","LogonType":"3","IpAddress":"10.0.2.99","WorkstationName":"WS7","Status":"0xc0000234","SubStatus":"0x0"}
{"@timestamp":"2020-10-22T08:29:56Z","EventID":4648,"Channel":"Security","Hostname":"WS5.corp.local","SubjectUserName":"alice","TargetUserName":"admin","TargetDomainName":"CORP","TargetServerName":"fs1.corp.local","IpAddress":"10.0.3.4"}
{"@timestamp":"2020-10-22T08:29:57Z","EventID":4672,"Channel":"Security","Hostname":"DC.corp.local","SubjectUserName":"admin","SubjectDomainName":"CORP","PrivilegeList":"SeDebugPrivilege\r\n\t\tSeBackupPrivilege"}
{"@timestamp":"2020-10-22T08:29:58Z","EventID":4768,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"nobody","TargetDomainName":"CORP.LOCAL","ServiceName":"krbtgt","IpAddress":"::ffff:10.0.2.17","Status":"0x6"}
{"@timestamp":"2020-10-22T08:29:59Z","EventID":4769,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"alice@CORP.LOCAL","TargetDomainName":"CORP.LOCAL","ServiceName":"sqlsvc","IpAddress":"::ffff:10.0.2.17","Status":"0x0"}
{"@timestamp":"2020-10-22T08:30:00Z","EventID":4771,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"bob","ServiceName":"krbtgt/CORP.LOCAL","IpAddress":"::ffff:10.0.2.99","Status":"0x18"}
{"@timestamp":"2020-10-22T08:30:01Z","EventID":4776,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"bob","Workstation":"\\\\WS9","PackageName":"MICROSOFT_AUTHENTICATION_PACKAGE_V1_0","Status":"0x0"}
{"@timestamp":"2020-10-22T08:30:02Z","winlog":{"channel":"Security","event_id":"4625","computer_name":"srv1.corp.local","event_data":{"TargetUserName":"d\u00e9j\u00e0\\x","TargetDomainName":"CORP","LogonType":"10","IpAddress":"192.0.2.7","Status":"0xc0000064"}},"event":{"code":"4625"}}
{"@timestamp":"2020-10-22T08:30:03Z","EventID":4634,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"alice","LogonType":"3"}
{"@timestamp":"2020-10-22T08:30:04Z","EventID":4624,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS5"}
{"@timestamp":"2020-10-22T08:30:05Z","EventID":12,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS5"}
{"@timestamp":"yesterday","EventID":4624,"Channel":"Security","TargetUserName":"alice"}
{"@timestamp":"2020-10-22T08:30:06Z","EventID":4624,"Channel":"Security","Hostname":"DC"}
{"@timestamp":"2020-10-22T08:30:07Z","EventID":4624,
`

// Each authentication event gives its record, its source the address or,
// for a local logon, the workstation; logoffs and other logs'
// events are passed over; only broken lines are skipped.
func TestWinJSONLines(t *testing.T) {
	out := parseText(t, "windows-json", []byte(winJSONSample))
	at := func(line int64, tm string, id uint16, l gotLogon) gotLogon {
		l.Line, l.Time, l.EventID = line, micro(tm), id
		return l
	}
	checkAt(t, out.logon, []gotLogon{
		at(1, "2020-10-22T08:29:53.908Z", 4624, gotLogon{Account: "alice", Domain: "CORP", Target: "DC.corp.local", Client: "10.0.2.17",
			Type: "3", Auth: "Kerberos", Result: "success"}),
		at(2, "2020-10-22T08:29:54Z", 4625, gotLogon{Account: "bob", Domain: "corp.local", Target: "WS5.corp.local", Client: "WS5",
			Type: "2", Auth: "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", Result: "failure", Reason: "0xc000006a"}),
		at(3, "2020-10-22T08:29:55Z", 4625, gotLogon{Account: "carol", Domain: "CORP", Target: "WS5.corp.local", Client: "10.0.2.99",
			Type: "3", Result: "failure", Reason: "0xc0000234"}),
		at(4, "2020-10-22T08:29:56Z", 4648, gotLogon{Account: "admin", Domain: "CORP", Target: "fs1.corp.local", Client: "WS5",
			Result: "success", Reason: "explicit credentials"}),
		at(5, "2020-10-22T08:29:57Z", 4672, gotLogon{Account: "admin", Domain: "CORP", Target: "DC.corp.local",
			Result: "success", Reason: "special privileges"}),
		at(6, "2020-10-22T08:29:58Z", 4768, gotLogon{Account: "nobody", Domain: "CORP.LOCAL", Target: "DC.corp.local", Client: "10.0.2.17",
			Auth: "Kerberos", Result: "failure", Reason: "0x6"}),
		at(7, "2020-10-22T08:29:59Z", 4769, gotLogon{Account: "alice@CORP.LOCAL", Domain: "CORP.LOCAL", Target: "sqlsvc", Client: "10.0.2.17",
			Auth: "Kerberos", Result: "success"}),
		at(8, "2020-10-22T08:30:00Z", 4771, gotLogon{Account: "bob", Target: "DC.corp.local", Client: "10.0.2.99",
			Auth: "Kerberos", Result: "failure", Reason: "0x18"}),
		at(9, "2020-10-22T08:30:01Z", 4776, gotLogon{Account: "bob", Target: "DC.corp.local", Client: "WS9",
			Auth: "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", Result: "success"}),
		at(10, "2020-10-22T08:30:02Z", 4625, gotLogon{Account: `déjà\x`, Domain: "CORP", Target: "srv1.corp.local", Client: "192.0.2.7",
			Type: "10", Result: "failure", Reason: "0xc0000064"}),
	})
	if len(out.logon) != 10 {
		t.Errorf("%d records, want 10", len(out.logon))
	}
	want := []string{"14 bad timestamp", "15 logon event without its account", "16 invalid JSON"}
	if got := out.skipList(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("skips %q, want %q", got, want)
	}
}

// Remote Desktop's events, in NXLog's flat shape and winlogbeat's (the
// data under user_data): 1149 and LocalSessionManager's 21, 24 and 25 are
// read under their own channels only; a console session has no source.
const winRDPSample = `{"@timestamp":"2021-03-01T10:00:00Z","EventID":1149,"Channel":"Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational","Hostname":"FS03.offsec.lan","Param1":"admmig","Param2":"OFFSEC","Param3":"10.23.123.11"}
{"@timestamp":"2021-03-01T10:00:01Z","winlog":{"channel":"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational","event_id":21,"computer_name":"FS03.offsec.lan","user_data":{"xml_name":"EventXML","User":"OFFSEC\\admmig","SessionID":"3","Address":"10.23.123.11"}}}
{"@timestamp":"2021-03-01T10:30:00Z","EventID":24,"Channel":"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational","Hostname":"FS03.offsec.lan","User":"OFFSEC\\admmig","SessionID":"3","Address":"10.23.123.11"}
{"@timestamp":"2021-03-01T11:00:00Z","EventID":25,"Channel":"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational","Hostname":"FS03.offsec.lan","User":"OFFSEC\\admmig","SessionID":"3","Address":"::ffff:10.23.123.12"}
{"@timestamp":"2021-03-01T11:05:00Z","EventID":21,"Channel":"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational","Hostname":"FS03.offsec.lan","User":"localadmin","SessionID":"1","Address":"LOCAL"}
{"@timestamp":"2021-03-01T11:06:00Z","EventID":24,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"FS03.offsec.lan","User":"OFFSEC\\admmig"}
{"@timestamp":"2021-03-01T11:07:00Z","EventID":1149,"Hostname":"FS03.offsec.lan","Param1":"admmig"}
{"@timestamp":"2021-03-01T11:08:00Z","EventID":21,"Channel":"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational","Hostname":"FS03.offsec.lan","Address":"10.0.0.1"}
`

func TestWinJSONRemoteDesktop(t *testing.T) {
	out := parseText(t, "windows-json", []byte(winRDPSample))
	at := func(line int64, tm string, id uint16, l gotLogon) gotLogon {
		l.Line, l.Time, l.EventID, l.Target, l.Account, l.Domain = line, micro("2021-03-01T"+tm+"Z"), id, "FS03.offsec.lan", "admmig", "OFFSEC"
		return l
	}
	checkAt(t, out.logon, []gotLogon{
		at(1, "10:00:00", 1149, gotLogon{Client: "10.23.123.11", Type: "10", Result: "success"}),
		at(2, "10:00:01", 21, gotLogon{Client: "10.23.123.11", Type: "10", Result: "success"}),
		at(3, "10:30:00", 24, gotLogon{Client: "10.23.123.11", Type: "10", Reason: "session disconnected"}),
		at(4, "11:00:00", 25, gotLogon{Client: "10.23.123.12", Type: "10", Result: "success", Reason: "session reconnected"}),
		{Line: 5, Time: micro("2021-03-01T11:05:00Z"), EventID: 21, Target: "FS03.offsec.lan", Account: "localadmin", Type: "2", Result: "success"},
	})
	if got := out.skipList(); len(out.logon) != 5 || len(got) != 1 || got[0] != "8 "+errNoAccount {
		t.Errorf("%d records, skips %q", len(out.logon), got)
	}
}

// The event ids read, as jq selects them.
var winJSONIDs = []int{4624, 4625, 4648, 4672, 4768, 4769, 4771, 4776}

// On OTRF's sample (a purple-team playbook on a small domain, Sysmon and
// PowerShell events among the Security ones) each event id gives as many
// records as jq counts Security events of it, with the failures' codes.
func TestWinJSONSample(t *testing.T) {
	data := detectedSample(t, "windows/otrf_purplesharp_ad_playbook_I_2020-10-22042947.json.gz", "windows-json")
	out := parseText(t, "windows-json", data)
	got := map[uint16]int64{}
	failures := 0
	for _, r := range out.logon {
		got[r.EventID]++
		if r.Result == "failure" {
			failures++
			if r.Reason != "0xc000006a" {
				t.Errorf("line %d: %s failed for %q, want the wrong password of the playbook's spray", r.Line, r.Account, r.Reason)
			}
		}
	}
	var total int64
	for _, id := range winJSONIDs {
		want := toolCount(t, data, "jq", "-n", `[inputs | select(.Channel == "Security" and .EventID == `+strconv.Itoa(id)+`)] | length`)
		if got[uint16(id)] != want {
			t.Errorf("event %d: %d records, jq counts %d", id, got[uint16(id)], want)
		}
		total += want
	}
	// Remote Desktop's events: none in this sample, whose Sysmon events
	// of the same ids (22 DNS queries, 23 file deletions) are not read.
	rdp := toolCount(t, data, "jq", "-n", `[inputs | select(.Channel == "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational" and .EventID == 1149 or
		.Channel == "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational" and (.EventID == 21 or .EventID == 24 or .EventID == 25))] | length`)
	sysmon := toolCount(t, data, "jq", "-n", `[inputs | select(.EventID >= 21 and .EventID <= 25 and (.Channel | test("Sysmon")))] | length`)
	if total += rdp; int64(len(out.logon)) != total || total != 123 || sysmon != 220 {
		t.Errorf("%d records, jq counts %d (the sample: 123) and %d Sysmon events 21 to 25 (220)", len(out.logon), total, sysmon)
	}
	// Each logon keeps its account's SID, as jq reads it (the null SID
	// and "-" are none).
	sids := map[string]bool{}
	for _, r := range out.logon {
		if r.EventID == 4624 && r.SID != "" {
			sids[r.Account+" "+r.SID] = true
		}
	}
	want := toolOutput(t, data, "jq", "-r", `select(.Channel == "Security" and .EventID == 4624 and (.TargetUserSid | startswith("S-1-") and . != "S-1-0-0")) | .TargetUserName + " " + .TargetUserSid`)
	wantSet := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		wantSet[l] = true
	}
	if len(wantSet) < 5 || fmt.Sprint(sids) != fmt.Sprint(wantSet) {
		t.Errorf("4624 account SIDs %v, jq reads %v", sids, wantSet)
	}
	// The spray: 7 accounts each failed once at WORKSTATION5 (4625) and at
	// the DC (4776).
	if failures != 14 {
		t.Errorf("%d failures, want 14", failures)
	}
	if len(out.skips) != 0 {
		t.Errorf("skips %q", out.skipList())
	}
}

// A logon whose strings are plain is read without allocating (line 9
// has an escape).
func TestWinJSONNoAllocs(t *testing.T) {
	noAllocs(t, &winParser{}, bytes.Split([]byte(winJSONSample), []byte("\n"))[:8])
}

// BenchmarkWinJSONGen measures the parser alone on `longtail gen logon`'s
// log, what BenchmarkIngestLogon ingests.
func BenchmarkWinJSONGen(b *testing.B) {
	var buf bytes.Buffer
	if _, err := gen.WriteLogon(&buf, gen.Options{Lines: 100_000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	benchParser(b, "windows-json", buf.Bytes())
}
