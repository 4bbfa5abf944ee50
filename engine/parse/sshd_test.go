package parse

import (
	"bytes"
	"strings"
	"testing"
)

const sshdSample = `Mar 27 13:06:56 web1 sshd[1291]: Server listening on 0.0.0.0 port 22.
Mar 27 13:07:00 web1 sshd[1300]: Accepted publickey for alice from 10.0.2.17 port 50690 ssh2: RSA SHA256:aC2UQe4p
Mar 27 13:07:01 web1 sshd[1301]: Invalid user admin from 10.0.2.18 port 50691
Mar 27 13:07:02 web1 sshd[1301]: Failed password for invalid user admin from 10.0.2.18 port 50691 ssh2
Mar 27 13:07:03 web1 sshd[1302]: Failed password for root from 2001:db8::7 port 50692 ssh2
Mar 27 13:07:04 web1 sshd[1303]: message repeated 3 times: [ Failed password for root from 10.0.2.19 port 56338 ssh2]
Mar 27 13:07:05 web1 sshd[1304]: Invalid user  from 10.0.2.20 port 50693
Mar 27 13:07:06 web1 sudo[1305]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls
Mar 27 13:07:07 web1 sshd-session[1306]: Failed publickey for bob from 10.0.2.21 port 50694 ssh2: RSA SHA256:x
Mar 27 13:07:08 web1 sshd[1307]: Failed none for invalid user 0 from 10.0.2.22 port 49811 ssh2
Mar 27 13:07:09 web1 sshd[1308]: Accepted password for carol from 10.0.2.23
not a syslog line
Mar 27 13:07:10 web1 sshd[1309]: Failed password for dave
`

// Each logon line gives its account, source, method and result; a repeated
// message is as many attempts; other lines of an auth log are no logons.
func TestSshdLines(t *testing.T) {
	out := runLines(t, newSshdParser(fixedNow("2024-06-01")), []byte(sshdSample))
	at := func(s string) int64 { return micro("2024-03-27T" + s + "Z") }
	base := gotLogon{Target: "web1", Type: "ssh"}
	logon := func(line int64, tm, client, account, auth, result, reason string) gotLogon {
		l := base
		l.Line, l.Time, l.Client, l.Account, l.Auth, l.Result, l.Reason = line, at(tm), client, account, auth, result, reason
		return l
	}
	checkAt(t, out.logon, []gotLogon{
		logon(2, "13:07:00", "10.0.2.17", "alice", "publickey", "success", ""),
		logon(3, "13:07:01", "10.0.2.18", "admin", "", "invalid-user", ""),
		logon(4, "13:07:02", "10.0.2.18", "admin", "password", "failure", "no such user"),
		logon(5, "13:07:03", "2001:db8::7", "root", "password", "failure", "wrong password"),
		logon(6, "13:07:04", "10.0.2.19", "root", "password", "failure", "wrong password"),
		logon(7, "13:07:05", "10.0.2.20", "", "", "invalid-user", ""),
		logon(9, "13:07:07", "10.0.2.21", "bob", "publickey", "failure", "key refused"),
		logon(10, "13:07:08", "10.0.2.22", "0", "none", "failure", "no such user"),
		logon(11, "13:07:09", "10.0.2.23", "carol", "password", "success", ""),
	})
	if len(out.logon) != 11 { // line 6 three times
		t.Errorf("%d records, want 11", len(out.logon))
	}
	want := []string{"12 no syslog timestamp", "13 sshd logon line without its source"}
	if got := out.skipList(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("skips %q, want %q", got, want)
	}
}

// The year a syslog stamp lacks advances at the turn of the year.
func TestSshdYear(t *testing.T) {
	text := "Dec 31 23:59:59 h sshd[1]: Accepted password for a from 10.0.0.1 port 1 ssh2\n" +
		"Jan  1 00:00:01 h sshd[1]: Accepted password for a from 10.0.0.1 port 2 ssh2\n"
	out := runLines(t, newSshdParser(fixedNow("2025-01-05")), []byte(text))
	if len(out.logon) != 2 || out.logon[0].Time != micro("2024-12-31T23:59:59Z") || out.logon[1].Time != micro("2025-01-01T00:00:01Z") {
		t.Errorf("times %+v", out.logon)
	}
}

// awkSshd are the awk programs that count what the parser must find:
// successes, invalid-user notes, and failures with each "message repeated
// N times" line counted N times (each was an attempt).
var awkSshd = [3]string{
	`/sshd(-session)?\[[0-9]+\]: Accepted / {n++} END {print n+0}`,
	`/sshd(-session)?\[[0-9]+\]: Invalid user / {n++} END {print n+0}`,
	`/sshd(-session)?\[[0-9]+\]: Failed / {n++}
	 /sshd(-session)?\[[0-9]+\]: message repeated [0-9]+ times: \[ Failed / {match($0, /repeated [0-9]+/); n += substr($0, RSTART+9, RLENGTH-9)}
	 ` + awkPamFailure + ` {n++}
	 ` + awkGaveUp + `
	 END {print n+0}`,
}

// awkGaveUp counts the clients that left while authenticating ("Connection
// closed by authenticating user root 203.0.113.9 port 45362 [preauth]"),
// once a session, in sessions that logged no attempt before (those are
// counted already), on lines with a syslog stamp.
const awkGaveUp = `/sshd(-session)?\[[0-9]+\]: (Accepted|Failed|Invalid user) / {match($0, /\[[0-9]+\]/); tried[substr($0, RSTART, RLENGTH)] = 1}
	 /^([A-Z][a-z][a-z]  ?[0-9]?[0-9] |[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T).*sshd(-session)?\[[0-9]+\]: (Disconnected from|Connection closed by|Connection reset by) (authenticating|invalid) user .* port [0-9]+ \[preauth\] *$/ {
		match($0, /\[[0-9]+\]/); pid = substr($0, RSTART, RLENGTH); if (!(pid in tried)) {n++; tried[pid] = 1}}`

// awkUnstamped counts the lines without a syslog stamp: classic, with
// one or two spaces before the day, or RFC 3339.
const awkUnstamped = `NF && !/^([A-Z][a-z][a-z]  ?[0-9]?[0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] |[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][^ ]* )/ {n++} END {print n+0}`

// awkPamFailure matches the failures of the PAM form, with their source.
const awkPamFailure = `/sshd\(pam_unix\)\[[0-9]+\]: authentication failure;.* rhost=[^ ]/`

// awkPamNoSuchUser counts the PAM failures after a "user unknown" of the
// same process.
const awkPamNoSuchUser = `/sshd\(pam_unix\)\[[0-9]+\]: check pass; user unknown/ {match($0, /\[[0-9]+\]/); u = substr($0, RSTART, RLENGTH)}
	` + awkPamFailure + ` {match($0, /\[[0-9]+\]/); if (substr($0, RSTART, RLENGTH) == u) {n++; u = ""}}
	END {print n+0}`

// The PAM form of sshd's failures (Red Hat's sshd of the 2000s): a failure
// from rhost, for user= or, after a "user unknown" of the same process,
// for no such user; the same PAM line under sshd[pid] (beside sshd's own
// "Failed password" on newer systems) and sessions are passed over.
func TestSshdPamLines(t *testing.T) {
	text := `Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown
Jun 14 15:16:02 combo sshd(pam_unix)[19937]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 
Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root
Jun 15 02:05:00 combo sshd[20883]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.0.9  user=root
Jun 15 02:05:01 combo sshd(pam_unix)[20884]: session opened for user test by (uid=509)
Jun 15 02:05:02 combo sshd(pam_unix)[20885]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost= 
`
	out := runLines(t, newSshdParser(fixedNow("2005-07-01")), []byte(text))
	base := gotLogon{Target: "combo", Type: "ssh", Auth: "password", Result: "failure"}
	first, second := base, base
	first.Line, first.Time, first.Client, first.Reason = 2, micro("2005-06-14T15:16:02Z"), "218.188.2.4", "no such user"
	second.Line, second.Time, second.Client, second.Account, second.Reason = 3, micro("2005-06-15T02:04:59Z"), "220-135-151-1.hinet-ip.hinet.net", "root", "wrong password"
	checkAt(t, out.logon, []gotLogon{first, second})
	if len(out.logon) != 2 {
		t.Errorf("%d records, want 2: %+v", len(out.logon), out.logon)
	}
	if got := out.skipList(); len(got) != 1 || got[0] != "6 sshd logon line without its source" {
		t.Errorf("skips %q", got)
	}
}

func TestSshdSamples(t *testing.T) {
	for _, c := range []struct {
		file string
		want [3]int64 // success, invalid user, failure: what awk is expected to count, to see the sample is the one meant
	}{
		// 226 "Accepted", 178 "Invalid user"; 632 "Failed" lines (628
		// password, 4 publickey) and 85 "message repeated N times: [
		// Failed password" lines holding 410 attempts: 713 "Failed
		// password" lines in all.
		{"auth/elastic_examples_suspicious_login_auth.log", [3]int64{226, 178, 1042}},
		{"auth/loghub_OpenSSH_2k.log", [3]int64{1, 113, 532}},
		{"auth/crowdsec_sshd-success-logs.log", [3]int64{4, 0, 0}},
		{"auth/crowdsec_ssh-slow-bf.log", [3]int64{0, 22, 0}},
		{"auth/crowdsec_ssh-time-based-bf.log", [3]int64{1, 14, 0}},
		// One-digit days after one space ("Feb 8 17:15:01": a client
		// that gave up) and an RFC 3339 stamp among classic ones.
		{"auth/crowdsec_sshd-logs.log", [3]int64{0, 4, 5}},
		// Only clients that hang up while authenticating: a brute force.
		{"auth/crowdsec_sshd-invalid-bf.log", [3]int64{0, 0, 6}},
		{"auth/crowdsec_sshd-bad-keyexchange-bf.log", [3]int64{0, 0, 0}},
		// A whole syslog of 2005 whose sshd failures are PAM's.
		{"auth/loghub_Linux_2k.log", [3]int64{0, 0, 489}},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := detectedSample(t, c.file, "sshd-syslog")
			out := parseText(t, "sshd-syslog", data)
			var got, awk [3]int64
			for _, r := range out.logon {
				switch r.Result {
				case "success":
					got[0]++
				case "invalid-user":
					got[1]++
				case "failure":
					got[2]++
				default:
					t.Fatalf("result %q", r.Result)
				}
				if r.Client == "" || r.Type != "ssh" || r.Target == "" {
					t.Fatalf("record %+v", r)
				}
			}
			for i, prog := range awkSshd {
				awk[i] = toolCount(t, data, "awk", prog)
			}
			if got != awk || awk != c.want {
				t.Errorf("success, invalid user, failure = %v, awk counts %v, want %v", got, awk, c.want)
			}
			// Every line has a stamp awk sees: none is skipped.
			if n := toolCount(t, data, "awk", awkUnstamped); int64(len(out.skips)) != n || n != 0 {
				t.Errorf("%d lines skipped (%v), %d without a stamp to awk", len(out.skips), out.skipList(), n)
			}
			if n := bytes.Count(data, []byte("Failed password")); c.want == [3]int64{226, 178, 1042} && n != 713 {
				t.Errorf("%d Failed password lines, want 713", n)
			}
			if c.file != "auth/loghub_Linux_2k.log" {
				return
			}
			noUser := int64(0)
			for _, r := range out.logon {
				if r.Reason == "no such user" {
					noUser++
				}
			}
			if want := toolCount(t, data, "awk", awkPamNoSuchUser); noUser != want || want != 113 {
				t.Errorf("%d PAM failures for no such user, awk counts %d, want 113", noUser, want)
			}
		})
	}
}

// A logon line is read without allocating.
func TestSshdNoAllocs(t *testing.T) {
	noAllocs(t, newSshdParser(fixedNow("2024-06-01")), bytes.Split([]byte(sshdSample), []byte("\n")))
}

// noAllocs checks that p reads the lines, giving records, without
// allocating.
func noAllocs(t *testing.T, p LineParser, lines [][]byte) {
	t.Helper()
	var out countOut
	if n := testing.AllocsPerRun(100, func() {
		for i, l := range lines {
			p.Line(l, int64(i+1), 0, false, &out)
		}
	}); n != 0 {
		t.Errorf("%v allocations a run", n)
	}
	if out.recs == 0 {
		t.Error("no records")
	}
}

// FuzzLogonLines feeds any text to each logon parser (the byte picks
// which) and checks what every record must hold: a result or what an
// attacker did, a line and offset of the input.
// cowrieHASSHSeed is a client's offered algorithms, with its version as
// the older logs give them and in a kex event as newer ones do.
const cowrieHASSHSeed = `{"eventid":"cowrie.client.version","version":"SSH-2.0-libssh2_1.4.3","kexAlgs":["diffie-hellman-group14-sha1"],"encCS":["aes128-ctr","3des-cbc"],"macCS":["hmac-sha1"],"compCS":["none"],"src_ip":"10.0.0.9","timestamp":"2017-11-15T00:00:06.911084Z"}
{"eventid":"cowrie.client.kex","hassh":"ec7378c1a92f5a8dde7e8b7a1ddf33d1","kexAlgs":["x\u0041"],"encCS":[],"macCS":["z"],"compCS":["none"],"src_ip":"10.0.0.9","timestamp":"2017-11-15T00:00:07Z"}
`

func FuzzLogonLines(f *testing.F) {
	for i, s := range []string{sshdSample, cowrieSample, winJSONSample, zeekKerberosSample, zeekNTLMSample, zeekSSHSample,
		zeekKerberosJSONSeed, zeekNTLMJSONSample, zeekSSHJSONSeed, cowrieTextSample, cowrieHASSHSeed} {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		format := logonFormats[int(which)%len(logonFormats)]
		f, _ := ByName(format)
		f.Detect(data)
		out := parseText(t, format, data)
		starts := lineStarts(data)
		for _, r := range out.logon {
			if r.Result == "" && r.Command == "" && r.URL == "" && r.Hash == "" && r.Software == "" && r.HASSH == "" && strings.HasPrefix(format, "cowrie-") ||
				r.Result == "" && format == "sshd-syslog" ||
				(r.Result == "" && r.EventID != winRDPDisconnect || r.EventID == 0 || r.Account == "") && format == "windows-json" ||
				(r.Result == "" && r.Account == "" && r.Software == "" || r.Client == "") && strings.HasPrefix(format, "zeek-") ||
				r.Line < 1 || r.Line > int64(len(starts)) || r.Offset != starts[r.Line-1] {
				t.Fatalf("%s: bad record %+v", format, r)
			}
		}
		for _, s := range out.skips {
			if s.Reason == "" || s.Line < 1 {
				t.Fatalf("%s: bad skip %+v", format, s)
			}
		}
		if len(out.recs) > 0 || len(out.http) > 0 {
			t.Fatalf("%s: records of another kind", format)
		}
	})
}

// logonFormats are the formats of sshd.go, cowrie.go, winjson.go,
// zeeklogon.go and cowrietext.go.
var logonFormats = []string{"sshd-syslog", "cowrie-json", "windows-json", "zeek-kerberos-tsv", "zeek-ntlm-tsv", "zeek-ssh-tsv",
	"zeek-kerberos-json", "zeek-ntlm-json", "zeek-ssh-json", "cowrie-text"}

// BenchmarkLogonParsers measures the logon parsers on their samples; it
// reports records/s beside MB/s and allocs/op. OTRF's Windows sample is
// mostly other events, with their rendered messages, passed over.
func BenchmarkLogonParsers(b *testing.B) {
	for _, c := range []struct{ format, file string }{
		{"sshd-syslog", "auth/elastic_examples_suspicious_login_auth.log"},
		{"cowrie-json", "honeypot/cowrie.json.2018-06-01"},
		{"cowrie-text", "honeypot/cowrie.log.2018-06-16"},
		{"windows-json", "windows/otrf_purplesharp_ad_playbook_I_2020-10-22042947.json.gz"},
	} {
		b.Run(c.format, func(b *testing.B) { benchParser(b, c.format, sample(b, c.file)) })
	}
}

// benchParser runs format's parser over data, line by line, b.N times.
func benchParser(b *testing.B, format string, data []byte) {
	f, _ := ByName(format)
	lines := bytes.Split(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var out countOut
	for b.Loop() {
		p := f.Lines()
		for i, l := range lines {
			p.Line(l, int64(i+1), 0, false, &out)
		}
	}
	b.ReportMetric(float64(out.recs)/b.Elapsed().Seconds(), "records/s")
}

// A client that hangs up while authenticating is a failure once a session,
// and none when its session logged its failed attempt already.
func TestSshdGaveUp(t *testing.T) {
	text := `Mar 27 13:07:01 web1 sshd[5]: Failed password for root from 10.0.0.1 port 1 ssh2
Mar 27 13:07:02 web1 sshd[5]: Connection closed by authenticating user root 10.0.0.1 port 1 [preauth]
Mar 27 13:07:03 web1 sshd[6]: Disconnected from invalid user ftp 10.0.0.2 port 2 [preauth]
Mar 27 13:07:03 web1 sshd[6]: Disconnected from authenticating user ftp 10.0.0.2 port 2 [preauth]
Mar 27 13:07:04 web1 sshd[7]: Connection reset by authenticating user root 10.0.0.3 port 3 [preauth]
`
	out := runLines(t, newSshdParser(fixedNow("2024-06-01")), []byte(text))
	var got []string
	for _, r := range out.logon {
		got = append(got, r.Account+" "+r.Client+" "+r.Result+" "+r.Reason)
	}
	want := []string{"root 10.0.0.1 failure wrong password", "ftp 10.0.0.2 failure no such user", "root 10.0.0.3 failure left before authenticating"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("logons %q, want %q", got, want)
	}
}
