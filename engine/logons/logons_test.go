package logons

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/internal/testws"
)

// authLog: root fails twice (wrong password) and then succeeds from
// 10.0.2.18, the second failure logged as "message repeated 3 times" (3
// attempts); an unknown admin is announced ("Invalid user", not counted)
// and fails once; alice succeeds with a key from 10.0.2.5.
const authLog = `Mar 27 13:07:01 web1 sshd[1300]: Invalid user admin from 10.0.2.18 port 50690
Mar 27 13:07:02 web1 sshd[1301]: Failed password for invalid user admin from 10.0.2.18 port 50691 ssh2
Mar 27 13:07:03 web1 sshd[1302]: Failed password for root from 10.0.2.18 port 50692 ssh2
Mar 27 13:07:09 web1 sshd[1302]: message repeated 3 times: [ Failed password for root from 10.0.2.18 port 50692 ssh2]
Mar 27 13:09:00 web1 sshd[1303]: Accepted password for root from 10.0.2.18 port 50693 ssh2
Mar 27 14:00:00 web1 sshd[1304]: Accepted publickey for alice from 10.0.2.5 port 50694 ssh2
Mar 27 14:00:01 web1 sshd[1305]: Received disconnect from 10.0.2.5 port 50694:11: disconnected by user
`

// winLog: bob fails twice from 10.0.2.99 on DC (wrong password once,
// locked out once: a tie, the words first in order win) and succeeds once
// there over the network, spelled "BOB" in "corp.local"; carol fails once
// with no such user; a logoff is no logon.
const winLog = `{"@timestamp":"2020-10-22T08:00:00Z","EventID":4625,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"bob","TargetDomainName":"CORP","LogonType":"3","IpAddress":"10.0.2.99","Status":"0xc000006d","SubStatus":"0xc000006a"}
{"@timestamp":"2020-10-22T08:01:00Z","EventID":4625,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"bob","TargetDomainName":"CORP","LogonType":"3","IpAddress":"10.0.2.99","Status":"0xc0000234","SubStatus":"0x0"}
{"@timestamp":"2020-10-22T08:02:00Z","EventID":4624,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"BOB","TargetDomainName":"corp.local","LogonType":"3","AuthenticationPackageName":"NTLM","IpAddress":"10.0.2.99"}
{"@timestamp":"2020-10-22T08:03:00Z","EventID":4625,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"carol","TargetDomainName":"CORP","LogonType":"10","IpAddress":"192.0.2.7","Status":"0xc0000064"}
{"@timestamp":"2020-10-22T08:04:00Z","EventID":4634,"Channel":"Security","Hostname":"DC.corp.local","TargetUserName":"bob","LogonType":"3"}
`

// workspace ingests the logs, written to files, into a new workspace.
func workspace(t *testing.T, logs map[string]string) *db.DB {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for name, text := range logs {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return ingestInto(t, filepath.Join(dir, "ws.db"), paths...)
}

func ingestInto(t *testing.T, ws string, paths ...string) *db.DB {
	t.Helper()
	if err := testws.Ingest(ws, paths...); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ws, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func at(s string) int64 {
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return tm.UnixMicro()
}

// Each account × source × target × type is one row, with the counts, the
// span and the commonest reason counted by hand from the logs above.
func TestSummaryByHand(t *testing.T) {
	d := workspace(t, map[string]string{"auth.log": authLog, "security.json": winLog})
	rows, err := Summary(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Row{}
	for _, r := range rows {
		got[r.Account+" "+r.Source+" "+r.Target+" "+r.Type] = r
	}
	want := []struct {
		key, pair, reason string
		ok, failed        int64
	}{
		{"root 10.0.2.18 web1 ssh", "root ← 10.0.2.18", "wrong password", 1, 4},
		{"admin 10.0.2.18 web1 ssh", "admin ← 10.0.2.18", "no such user", 0, 1},
		{"alice 10.0.2.5 web1 ssh", "alice ← 10.0.2.5", "", 1, 0},
		{"bob@corp 10.0.2.99 dc.corp.local 3 network", "bob@corp ← 10.0.2.99", "locked out", 1, 2},
		{"carol@corp 192.0.2.7 dc.corp.local 10 remote interactive", "carol@corp ← 192.0.2.7", "no such user", 0, 1},
	}
	if len(rows) != len(want) {
		t.Errorf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for _, w := range want {
		r, ok := got[w.key]
		if !ok {
			t.Errorf("no row %q in %+v", w.key, rows)
			continue
		}
		if r.Pair != w.pair || r.Reason != w.reason || r.Successes != w.ok || r.Failures != w.failed {
			t.Errorf("%s: %+v, want pair %q, %d ok, %d failed, reason %q", w.key, r, w.pair, w.ok, w.failed, w.reason)
		}
	}
	if b := got["bob@corp 10.0.2.99 dc.corp.local 3 network"]; b.First != at("2020-10-22T08:00:00Z") || b.Last != at("2020-10-22T08:02:00Z") {
		t.Errorf("bob seen %d–%d", b.First, b.Last)
	}
	if r := got["root 10.0.2.18 web1 ssh"]; time.UnixMicro(r.Last).Sub(time.UnixMicro(r.First)) != 117*time.Second {
		t.Errorf("root seen %v–%v, want 13:07:03–13:09:00", time.UnixMicro(r.First), time.UnixMicro(r.Last))
	}
	if rows[0].Account != "root" || rows[1].Account != "bob@corp" {
		t.Errorf("by failures: %s, %s first", rows[0].Account, rows[1].Account)
	}
}

// The sort keys order the rows as they say, ties by account.
func TestSort(t *testing.T) {
	rows := []Row{
		{Account: "b", Successes: 5, Failures: 1, Last: 3},
		{Account: "a", Successes: 1, Failures: 1, Last: 9},
		{Account: "c", Successes: 0, Failures: 7, Last: 1},
	}
	for k, want := range map[SortKey]string{ByFailures: "cba", BySuccesses: "bac", ByLast: "abc", ByAccount: "abc"} {
		Sort(rows, k)
		var got string
		for _, r := range rows {
			got += r.Account
		}
		if got != want {
			t.Errorf("by %s: %s, want %s", k, got, want)
		}
		if p, err := ParseSort(k.String()); err != nil || p != k {
			t.Errorf("ParseSort(%q) = %v, %v", k, p, err)
		}
	}
	if _, err := ParseSort("score"); err == nil {
		t.Error("an unknown sort is accepted")
	}
}

// On the real sshd samples (those read as sshd logs), the summary's successes and failures add up
// to the Accepted and Failed lines awk counts (a "message repeated N
// times" line being N failures, a client gone while authenticating one).
func TestSummarySshdSamples(t *testing.T) {
	var logs []string
	for _, f := range []string{"elastic_examples_suspicious_login_auth.log", "loghub_OpenSSH_2k.log", "crowdsec_sshd-success-logs.log",
		"crowdsec_ssh-slow-bf.log", "crowdsec_ssh-time-based-bf.log", "crowdsec_sshd-logs.log"} {
		p := filepath.Join("..", "..", "..", "shared", "data", "auth", f)
		if _, err := os.Stat(p); err == nil {
			logs = append(logs, p)
		}
	}
	if len(logs) == 0 {
		t.Skip("no sshd samples in ../shared/data/auth")
	}
	d := ingestInto(t, filepath.Join(t.TempDir(), "ws.db"), logs...)
	rows, err := Summary(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	var ok, failed int64
	for _, r := range rows {
		ok += r.Successes
		failed += r.Failures
	}
	wantOK := awk(t, `/sshd(-session)?\[[0-9]+\]: Accepted / {n++} END {print n+0}`, logs)
	// A client that hung up while authenticating is a failure, once a
	// session that logged no attempt (as the sshd parser's test counts).
	wantFailed := awk(t, `FNR == 1 {split("", tried)}
		/sshd(-session)?\[[0-9]+\]: Failed / {n++}
		/sshd(-session)?\[[0-9]+\]: message repeated [0-9]+ times: \[ Failed / {match($0, /repeated [0-9]+/); n += substr($0, RSTART+9, RLENGTH-9)}
		/sshd(-session)?\[[0-9]+\]: (Accepted|Failed|Invalid user) / {match($0, /\[[0-9]+\]/); tried[substr($0, RSTART, RLENGTH)] = 1}
		/^([A-Z][a-z][a-z]  ?[0-9]?[0-9] |[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T).*sshd(-session)?\[[0-9]+\]: (Disconnected from|Connection closed by|Connection reset by) (authenticating|invalid) user .* port [0-9]+ \[preauth\] *$/ {
			match($0, /\[[0-9]+\]/); pid = substr($0, RSTART, RLENGTH); if (!(pid in tried)) {n++; tried[pid] = 1}}
		END {print n+0}`, logs)
	if ok != wantOK || failed != wantFailed || ok == 0 || failed == 0 {
		t.Errorf("%d successes, %d failures; awk counts %d Accepted, %d Failed", ok, failed, wantOK, wantFailed)
	}
}

// awk runs prog over the files and returns the number it prints.
func awk(t *testing.T, prog string, files []string) int64 {
	t.Helper()
	out, err := exec.Command("awk", append([]string{prog}, files...)...).Output()
	if err != nil {
		t.Skipf("awk: %v", err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
