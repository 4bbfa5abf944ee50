package score

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// authLog writes sshd lines in syslog form, in time order.
type authLog struct {
	b    strings.Builder
	pid  int
	port int
}

func (a *authLog) line(t time.Time, format string, args ...any) {
	a.pid++
	a.port++
	fmt.Fprintf(&a.b, "%s server sshd[%d]: %s\n", t.UTC().Format(time.Stamp), 1000+a.pid, fmt.Sprintf(format, args...))
}

func (a *authLog) accepted(t time.Time, user, from string) {
	a.line(t, "Accepted password for %s from %s port %d ssh2", user, from, 40000+a.port)
}

func (a *authLog) failed(t time.Time, user, from string) {
	a.line(t, "Failed password for %s from %s port %d ssh2", user, from, 40000+a.port)
}

func (a *authLog) invalid(t time.Time, user, from string) {
	a.line(t, "Invalid user %s from %s port %d", user, from, 40000+a.port)
}

// scoreFiles ingests the files into a new workspace and scores it.
func scoreFiles(t *testing.T, files ...string) *db.DB {
	t.Helper()
	return build(t, filepath.Join(t.TempDir(), "ws.db"), files)
}

// writeLog writes text to a file.
func writeLog(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "auth.log")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// recentMonday is a Monday about a month ago: a syslog line has no year,
// and the ingest gives it the one that puts it in the past year.
func recentMonday() time.Time {
	d := time.Now().UTC().AddDate(0, 0, -30).Truncate(24 * time.Hour)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// byName finds a value among ranked values.
func byName(rs []rankedValue, name string) (rankedValue, bool) {
	for _, r := range rs {
		if r.name == name {
			return r, true
		}
	}
	return rankedValue{}, false
}

// Addresses and accounts of the logon world.
const (
	office    = "10.0.0.5"
	vpn       = "10.8.0.1" // a gateway many users come through
	sprayer   = "198.51.100.77"
	bruter    = "203.0.113.9"
	enumerate = "192.0.2.50"
	newSource = "10.0.0.99"
)

// logonWorld is three weeks of an office's sshd log: alice, bob and carol
// (and a backup account, from carol's workstation) log on from their
// workstations on weekdays between 08:00 and 17:00
// (alice mistypes her password every other day), and eight users through
// a VPN gateway (each mistypes once), with planted in it a spray
// that worked, a brute force, a user enumeration, a logon at night and a
// logon from a source alice never used.
func logonWorld(t *testing.T) (string, time.Time) {
	var a authLog
	first := recentMonday()
	users := map[string]string{"alice": office, "bob": "10.0.0.6", "carol": "10.0.0.7", "backup": "10.0.0.7"}
	order := []string{"alice", "bob", "carol", "backup"}
	for d := range 21 {
		day := first.AddDate(0, 0, d)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		for i, u := range order {
			morning := day.Add(time.Duration(8*60+7*i+d%5) * time.Minute)
			if u == "alice" && d%2 == 0 {
				a.failed(morning.Add(-time.Minute), u, users[u])
			}
			a.accepted(morning, u, users[u])
			a.accepted(day.Add(time.Duration(13*60+11*i+d%7)*time.Minute), u, users[u])
		}
		for k := range 8 { // the gateway's users, each mistyping on a day of their own
			u, at := fmt.Sprintf("remote%d", k), day.Add(time.Duration(9*60+k*10)*time.Minute)
			if d == k+1 {
				a.failed(at.Add(-30*time.Second), u, vpn)
			}
			a.accepted(at, u, vpn)
		}
		switch d {
		case 3: // at carol's workstation both its accounts mistype, then carol logs on
			at := day.Add(11 * time.Hour)
			a.failed(at, "backup", users["backup"])
			a.failed(at.Add(time.Minute), "carol", users["carol"])
			a.accepted(at.Add(2*time.Minute), "carol", users["carol"])
		case 7: // a spray over 41 accounts, once each, then one that works
			at := day.Add(11 * time.Hour)
			for k := range 41 {
				a.failed(at.Add(time.Duration(k*4)*time.Second), fmt.Sprintf("user%02d", k), sprayer)
			}
			a.accepted(at.Add(170*time.Second), "administrator", sprayer)
		case 9: // a brute force on carol, in vain
			at := day.Add(12 * time.Hour)
			for k := range 30 {
				a.failed(at.Add(time.Duration(k*2)*time.Second), "carol", bruter)
			}
		case 10: // user names tried against an sshd that has none of them
			at := day.Add(14 * time.Hour)
			for k, u := range []string{"oracle", "postgres", "git", "test", "ftp", "pi", "ubnt", "admin"} {
				a.invalid(at.Add(time.Duration(k)*time.Second), u, enumerate)
			}
		case 14: // bob at three in the night, from his own workstation
			a.accepted(day.Add(3*time.Hour+10*time.Minute), "bob", users["bob"])
		case 16: // alice from a workstation she never used
			a.accepted(day.Add(10*time.Hour+30*time.Minute), "alice", newSource)
		}
	}
	return writeLog(t, sortedLines(a.b.String())), first
}

// sortedLines orders syslog lines by their time (the planted events were
// written after the day's normal ones).
func sortedLines(text string) string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	at := func(l string) time.Time {
		t, _ := time.Parse(time.Stamp, l[:len(time.Stamp)])
		return t
	}
	slices.SortStableFunc(lines, func(x, y string) int { return at(x).Compare(at(y)) })
	return strings.Join(lines, "\n") + "\n"
}

func TestLogonSignalsFire(t *testing.T) {
	path, first := logonWorld(t)
	night := first.AddDate(0, 0, 14).Add(3*time.Hour + 10*time.Minute).Format("Mon 2006-01-02 15:04")
	d := scoreFiles(t, path)
	sources := ranked(t, d, subject.LogonSource, false)
	accounts := ranked(t, d, subject.LogonAccount, false)
	pairs := ranked(t, d, subject.LogonPair, false)
	if len(sources) == 0 || sources[0].name != sprayer {
		t.Fatalf("top source %v, want the spray that worked (%s)", sources, sprayer)
	}
	cases := []struct {
		what          string
		in            []rankedValue
		value, signal string
		words         string
		min           float64
	}{
		{"success after a spray, on the source", sources, sprayer, SigBreakIn, "administrator succeeded from " + sprayer + " after 41 failures on 41 accounts within 2.8 min", 60},
		{"success after a spray, on the pair", pairs, "administrator ← " + sprayer, SigBreakIn, "after 41 failures", 60},
		{"success after a spray, on the account", accounts, "administrator", SigBreakIn, "after 41 failures", 60},
		{"spray", sources, sprayer, SigSpray, "41 accounts failed from here (once each) within 2.7 min", 0},
		{"brute force, on the source", sources, bruter, SigBrute, "30 failed logons for carol from " + bruter + " within 58 s", 30},
		{"brute force, on the pair", pairs, "carol ← " + bruter, SigBrute, "30 failed logons", 30},
		{"brute force, on the account", accounts, "carol", SigBrute, "31 failed logons from 2 sources, most from " + bruter + " (30)", 30},
		{"enumeration", sources, enumerate, SigEnumeration, "8 failures for 8 accounts that do not exist", 30},
		{"off hours, on the account", accounts, "bob", SigOffHours, "logged on " + night + " UTC, 5 h from the hours its 31 ssh logons over 15 days used (08–13 h)", 30},
		{"off hours, on the pair", pairs, "bob ← 10.0.0.6", SigOffHours, "03:10 UTC", 30},
		{"rare pair", pairs, "alice ← " + newSource, SigRare, "once of the account's 31 logons came from here (2 sources in all)", 30},
	}
	for _, c := range cases {
		r, ok := byName(c.in, c.value)
		if !ok {
			t.Errorf("%s: %s not scored", c.what, c.value)
			continue
		}
		if w := r.why(c.signal); !strings.Contains(w, c.words) {
			t.Errorf("%s: %s's %s reason %q, want %q (%+v)", c.what, c.value, c.signal, w, c.words, r.score)
		}
		if r.score.Score < c.min {
			t.Errorf("%s: %s scored %.1f, want %.0f or more", c.what, c.value, r.score.Score, c.min)
		}
	}
	// The normal logons: the workstations (carol's, where two accounts
	// that log on there mistyped before a logon), their pairs and accounts,
	// alice's typos (one failure, then her success: nine in three weeks
	// are no brute force), and the gateway whose users mistype (no spray).
	for _, n := range []struct {
		in    []rankedValue
		value string
	}{
		{sources, office}, {sources, "10.0.0.6"}, {sources, "10.0.0.7"},
		{pairs, "alice ← " + office}, {pairs, "carol ← 10.0.0.7"}, {accounts, "alice"},
		{sources, vpn}, {accounts, "remote3"},
	} {
		if r, ok := byName(n.in, n.value); ok && r.score.Score > 0 {
			t.Errorf("normal %s scored %.1f: %+v", n.value, r.score.Score, r.score.Contribs)
		}
	}
	// The networks take the strongest of their sources.
	nets := ranked(t, d, subject.LogonSource, true)
	if len(nets) == 0 || !strings.HasPrefix(nets[0].why(SigBreakIn), sprayer+": ") {
		t.Errorf("top network %+v, want the sprayer's", nets)
	}
}

// Without enough history an account has no hour profile, and a pair is
// not rare among too few logons.
func TestLogonProfileNeedsHistory(t *testing.T) {
	var a authLog
	at := recentMonday().Add(9 * time.Hour)
	for d := range 4 {
		a.accepted(at.AddDate(0, 0, d), "dave", office)
	}
	a.accepted(at.AddDate(0, 0, 4).Add(-6*time.Hour), "dave", office)
	a.accepted(at.AddDate(0, 0, 5), "dave", newSource)
	d := scoreFiles(t, writeLog(t, a.b.String()))
	for _, r := range append(ranked(t, d, subject.LogonAccount, false), ranked(t, d, subject.LogonPair, false)...) {
		if r.why(SigOffHours) != "" || r.why(SigRare) != "" {
			t.Errorf("%s judged on 6 logons: %+v", r.name, r.score.Contribs)
		}
	}
}

// authSample is a file of ../shared/data/auth, skipped when absent.
func authSample(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(sharedData, dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no %s: %v", p, err)
	}
	return p
}

// grepCount counts the lines of a file holding s, by grep.
func grepCount(t *testing.T, path, s string) int {
	t.Helper()
	out, err := exec.Command("grep", "-cF", s, path).Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("grep %q: %v", s, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The crowdsec sshd test logs, each flagged as what it is.
func TestCrowdsecSSHSamples(t *testing.T) {
	cases := []struct {
		file, source, signal, words string
	}{
		// 22 tries of one user name, one every 30 s: a (slow) brute force.
		{"crowdsec_ssh-slow-bf.log", "103.100.210.198", SigBrute, "22 failed logons for hadoop from 103.100.210.198 within 10.4 min"},
		// Sources trying a few user names each, slowly; one of them got in.
		{"crowdsec_ssh-time-based-bf.log", "10.0.0.102", SigBreakIn, "test succeeded from 10.0.0.102 after 2 failures on 2 accounts within 15.0 min"},
		{"crowdsec_ssh-time-based-bf.log", "10.0.0.101", SigEnumeration, "4 failures for 4 accounts that do not exist (mysql, oracle, postgres, root) within 60.0 min"},
		{"crowdsec_ssh-time-based-bf.log", "10.0.0.103", SigEnumeration, "4 failures for 4 accounts"},
	}
	for _, c := range cases {
		t.Run(c.file+"/"+c.source, func(t *testing.T) {
			p := authSample(t, "auth", c.file)
			d := scoreFiles(t, p)
			r, ok := byName(ranked(t, d, subject.LogonSource, false), c.source)
			if !ok {
				t.Fatalf("%s not scored", c.source)
			}
			if w := r.why(c.signal); !strings.Contains(w, c.words) {
				t.Errorf("%s reason %q, want %q (%+v)", c.signal, w, c.words, r.score)
			}
		})
	}
	// Successful publickey and password logons from one address: nothing.
	d := scoreFiles(t, authSample(t, "auth", "crowdsec_sshd-success-logs.log"))
	for _, code := range []subject.Code{subject.LogonSource, subject.LogonAccount, subject.LogonPair} {
		for _, r := range ranked(t, d, code, false) {
			if r.score.Score > 0 {
				t.Errorf("normal logons: %s scored %.1f: %+v", r.name, r.score.Score, r.score.Contribs)
			}
		}
	}
}

// The Elastic auth.log: 147 failed passwords for elastic_user_0 from one
// of the addresses its users share, then its success, is what the log
// was published to show; the address is the top source.
func TestElasticAuthLog(t *testing.T) {
	p := authSample(t, "auth", "elastic_examples_suspicious_login_auth.log")
	const src = "24.151.103.17"
	n := grepCount(t, p, "Failed password for elastic_user_0 from "+src)
	d := scoreFiles(t, p)
	sources := ranked(t, d, subject.LogonSource, false)
	if len(sources) == 0 || sources[0].name != src {
		t.Fatalf("top sources %v, want %s", sources[:min(3, len(sources))], src)
	}
	want := fmt.Sprintf("%d failed logons for elastic_user_0 from %s", n, src)
	if w := sources[0].why(SigBrute); !strings.Contains(w, want) {
		t.Errorf("brute force reason %q, want %q", w, want)
	}
	if w := sources[0].why(SigBreakIn); !strings.Contains(w, "elastic_user_0 succeeded from "+src) {
		t.Errorf("success after failures: %q", w)
	}
}

// A cowrie honeypot log: every source that logged on is flagged as such,
// every one that downloaded and every one that ran a command (counted by
// jq; a broken line is left out by both).
func TestCowrieSources(t *testing.T) {
	p := authSample(t, "honeypot", "scriptzteam_cowrie.json")
	count := func(filter string) int {
		out, err := exec.Command("jq", "-rR", "fromjson? | select("+filter+") | .src_ip", p).Output()
		if err != nil {
			t.Skipf("jq: %v", err)
		}
		ips := strings.Fields(string(out))
		slices.Sort(ips)
		return len(slices.Compact(ips))
	}
	logins := count(`.eventid == "cowrie.login.success"`)
	downloads := count(`.eventid == "cowrie.session.file_download" and (.url // "") != ""`)
	commands := count(`.eventid == "cowrie.command.input" and (.input // "" | gsub("^\\s+|\\s+$"; "")) != ""`)
	d := scoreFiles(t, p)
	var got [3]int
	for _, r := range ranked(t, d, subject.LogonSource, false) {
		for i, s := range []string{SigHoneypot, SigDownload, SigCommand} {
			if r.why(s) != "" {
				got[i]++
			}
		}
	}
	if want := [3]int{logins, downloads, commands}; got != want {
		t.Errorf("sources flagged as logged on, downloading, running commands: %v, jq counts %v", got, want)
	}
	if logins == 0 || downloads == 0 {
		t.Errorf("the sample has %d sources that logged on and %d that downloaded", logins, downloads)
	}
}

// A pair first seen after a baseline snapshot is new; one seen before it
// is not, however late it comes back.
func TestLogonPairNewSinceBaseline(t *testing.T) {
	at := recentMonday().Add(9 * time.Hour)
	var before, after authLog
	before.accepted(at, "alice", office)
	after.accepted(at.AddDate(0, 0, 1), "alice", office)
	after.accepted(at.AddDate(0, 0, 1).Add(time.Hour), "alice", newSource)
	after.failed(at.AddDate(0, 0, 1).Add(2*time.Hour), "bob", newSource) // a typo: bob did not log on from there
	d := scoreFiles(t, writeLog(t, before.b.String()))
	ctx := context.Background()
	if _, err := d.CreateSnapshot(ctx, "s0"); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, d, []string{writeLog(t, after.b.String())}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, d); err != nil {
		t.Fatal(err)
	}
	pairs := ranked(t, d, subject.LogonPair, false)
	if r, _ := byName(pairs, "alice ← "+newSource); r.why(SigNew) != "new since the baseline snapshot" {
		t.Errorf("new pair: %+v", r)
	}
	if r, _ := byName(pairs, "alice ← "+office); r.why(SigNew) != "" {
		t.Errorf("old pair new: %+v", r)
	}
	if r, _ := byName(pairs, "bob ← "+newSource); r.score.Score > 0 {
		t.Errorf("a pair that never logged on judged: %+v", r)
	}
}

// A source marked known-good (a penetration tester's, say) leaves the
// ranking, as an HTTP client does; the others stay.
func TestLogonKnownGood(t *testing.T) {
	path, _ := logonWorld(t)
	d := scoreFiles(t, path)
	ctx := context.Background()
	if _, _, err := d.PutRules(ctx, []rules.Rule{{Kind: subject.LogonSource, Pattern: sprayer, Scope: rules.Name, Verdict: rules.Good}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, d); err != nil {
		t.Fatal(err)
	}
	sources := ranked(t, d, subject.LogonSource, false)
	if _, ok := byName(sources, sprayer); ok {
		t.Errorf("known-good %s still scored", sprayer)
	}
	if r, ok := byName(sources, bruter); !ok || r.why(SigBrute) == "" {
		t.Errorf("%s no longer a brute force: %+v", bruter, r)
	}
}

// A Windows account is scored under the value it is listed by: Kerberos
// pre-authentication failures name it without a domain and in the case
// it was typed ("Administrator"), which the account subject lower-cases
// for a Windows event. The brute force lands on "administrator", and on
// its pair.
func TestWindowsBruteForceOnTheListedAccount(t *testing.T) {
	var b strings.Builder
	at := recentMonday().Add(10 * time.Hour)
	for i := range 8 {
		fmt.Fprintf(&b, `{"@timestamp":%q,"EventID":4771,"Channel":"Security","Hostname":"DC1.corp.local","TargetUserName":"Administrator","IpAddress":"::ffff:10.0.0.66","Status":"0x18"}`+"\n",
			at.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
	}
	d := scoreFiles(t, writeLog(t, b.String()))
	for _, c := range []struct {
		code  subject.Code
		value string
	}{{subject.LogonAccount, "administrator"}, {subject.LogonPair, "administrator ← 10.0.0.66"}} {
		r, ok := byName(ranked(t, d, c.code, false), c.value)
		if !ok || !strings.Contains(r.why(SigBrute), "8 failed logons") {
			t.Errorf("%s: %+v, want a brute force of 8 failures", c.value, r.score)
		}
	}
}

// A source whose failures name no account (a scanner trying an empty
// user name on a honeypot) is a brute force too: it scored 0 beside
// sources of a fifth of its failures.
func TestFailuresWithoutAUserNameAreABruteForce(t *testing.T) {
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, `{"eventid": "cowrie.login.failed", "username": "", "password": "root", "timestamp": "2018-06-01T00:%02d:04Z", "src_ip": "185.222.209.108", "sensor": "hp1"}`+"\n", i)
	}
	p := filepath.Join(t.TempDir(), "cowrie.json")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	rs := ranked(t, scoreFiles(t, p), subject.LogonSource, false)
	if len(rs) != 1 || !strings.Contains(rs[0].why(SigBrute), "20 failed logons giving no user name from 185.222.209.108") {
		t.Errorf("the source's score: %+v", rs)
	}
}

// A honeypot's text log names no sensor: the reason says "a honeypot"
// instead of leaving a gap where its name would be.
func TestHoneypotEvidenceWithoutSensor(t *testing.T) {
	for target, want := range map[string]string{
		"":    `logged on to a honeypot as root with password "admin"`,
		"hp1": `logged on to honeypot hp1 as root with password "admin"`,
	} {
		if got := honeypotEvidence(&logonFacts{account: "root", password: "admin", target: target}).why; got != want {
			t.Errorf("target %q: %q, want %q", target, got, want)
		}
	}
}
