package score

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/subject"
)

// winLog writes Windows Security events as NXLog's JSON lines.
type winLog struct{ b strings.Builder }

// logon writes a 4624 of a logon type on host, from ip (or "-").
func (w *winLog) logon(t time.Time, host, user, typ, ip string) {
	fmt.Fprintf(&w.b, `{"@timestamp":%q,"EventID":4624,"Channel":"Security","Hostname":"%s.corp.local","TargetUserName":%q,"TargetDomainName":"CORP","LogonType":%q,"IpAddress":%q,"WorkstationName":"-"}`+"\n",
		t.UTC().Format(time.RFC3339), host, user, typ, ip)
}

// A machine account or a service account logging on at a keyboard or over
// remote desktop is flagged, on the account and its pair; a person who
// runs a scheduled task now and then is not.
func TestServiceAccountLogsOnInteractively(t *testing.T) {
	var w winLog
	at := recentMonday().Add(9 * time.Hour)
	for i := range 12 {
		t := at.Add(time.Duration(i) * time.Hour)
		w.logon(t, "SQL01", "svc_sql", "5", "-")                          // the service starts
		w.logon(t.Add(time.Minute), "FS01", "WS-0042$", "3", "10.0.0.42") // the workstation's machine account
		w.logon(t.Add(2*time.Minute), "APP01", "alice", "10", "10.0.0.5")
	}
	w.logon(at.Add(30*time.Minute), "APP01", "alice", "4", "-") // her scheduled task
	w.logon(at.Add(13*time.Hour), "SQL01", "svc_sql", "10", "10.0.0.66")
	w.logon(at.Add(14*time.Hour), "WS-0042", "WS-0042$", "2", "10.0.0.66")
	d := scoreFiles(t, writeLog(t, w.b.String()))
	accounts, pairs := ranked(t, d, subject.LogonAccount, false), ranked(t, d, subject.LogonPair, false)
	for _, c := range []struct {
		in           []rankedValue
		value, words string
	}{
		{accounts, "svc_sql@corp", "svc_sql@corp, a service account (12 service or batch logons), logged on type 10 remote interactive to SQL01.corp.local from 10.0.0.66"},
		{pairs, "svc_sql@corp ← 10.0.0.66", "a service account"},
		{accounts, "ws-0042$@corp", "ws-0042$@corp, a machine account, logged on type 2 interactive to WS-0042.corp.local from 10.0.0.66"},
		{pairs, "ws-0042$@corp ← 10.0.0.66", "a machine account"},
	} {
		r, ok := byName(c.in, c.value)
		if w := r.why(SigServiceLogon); !ok || !strings.Contains(w, c.words) {
			t.Errorf("%s: %q, want %q (%+v)", c.value, w, c.words, r.score)
		}
	}
	for _, r := range append(accounts, pairs...) {
		if strings.HasPrefix(r.name, "alice") && r.why(SigServiceLogon) != "" {
			t.Errorf("a person's account flagged: %+v", r.score)
		}
	}
}

// explicit writes a 4648: user's credentials typed on host for server.
func (w *winLog) explicit(t time.Time, host, user, server string) {
	fmt.Fprintf(&w.b, `{"@timestamp":%q,"EventID":4648,"Channel":"Security","Hostname":"%s.corp.local","SubjectUserName":"mallory","SubjectDomainName":"CORP","TargetUserName":%q,"TargetDomainName":"CORP","TargetServerName":%q,"IpAddress":"-"}`+"\n",
		t.UTC().Format(time.RFC3339), host, user, server)
}

// Explicit credentials for many accounts typed on one host within minutes
// are a spray, though none failed; an admin's scripts running as two
// service accounts all day are not.
func TestExplicitCredentialsSpray(t *testing.T) {
	var w winLog
	at := recentMonday().Add(9 * time.Hour)
	for i := range 10 {
		w.explicit(at.Add(time.Duration(i)*time.Hour), "WS-0007", "svc_sql", "SQL01")
		w.explicit(at.Add(time.Duration(i)*time.Hour+time.Minute), "WS-0007", "svc_backup", "FS01")
	}
	for i := range 12 {
		w.explicit(at.Add(2*time.Hour+time.Duration(i*25)*time.Second), "WS-0042", fmt.Sprintf("user%02d", i), "FS01")
	}
	d := scoreFiles(t, writeLog(t, sortedJSON(w.b.String())))
	sources := ranked(t, d, subject.LogonSource, false)
	r, _ := byName(sources, "ws-0042")
	if want := "explicit credentials for 12 accounts from ws-0042 within 4.6 min (user00@corp, user01@corp, user02@corp, user03@corp, …)"; r.why(SigSpray) != want {
		t.Errorf("ws-0042: %q, want %q (%+v)", r.why(SigSpray), want, r.score)
	}
	if r, ok := byName(sources, "ws-0007"); ok && r.why(SigSpray) != "" {
		t.Errorf("an admin's scripts flagged: %+v", r.score)
	}
}

// sortedJSON orders JSON lines by their @timestamp (the first field).
func sortedJSON(text string) string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}
