package score

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/subject"
)

// A honeypot's passwords and commands used by one source of many are
// ranked; those every source uses (the botnets' lists) are not.
func TestHoneypotRareAcrossSources(t *testing.T) {
	var b strings.Builder
	at := recentMonday().Add(9 * time.Hour)
	event := func(src, kind, fields string) {
		at = at.Add(time.Second)
		fmt.Fprintf(&b, `{"eventid": "cowrie.%s", "timestamp": %q, "src_ip": %q, "session": "s%s", "sensor": "hp1", %s}`+"\n",
			kind, at.UTC().Format("2006-01-02T15:04:05.000000Z"), src, strings.ReplaceAll(src, ".", ""), fields)
	}
	for i := range 12 {
		src := fmt.Sprintf("198.51.100.%d", 10+i)
		event(src, "login.failed", `"username": "root", "password": "123456"`)
		event(src, "login.success", `"username": "root", "password": "admin"`)
		event(src, "command.input", `"input": "uname -a"`)
		if i == 7 {
			event(src, "login.failed", `"username": "deploy", "password": "Winter2024!corp"`)
			event(src, "command.input", `"input": "cat /home/deploy/.ssh/id_rsa"`)
		}
	}
	d := scoreFiles(t, writeLog(t, b.String()))
	for _, c := range []struct {
		code         subject.Code
		rare, common string
		words        string
	}{
		{subject.LogonPassword, "Winter2024!corp", "123456", "tried by 1 of the 12 sources that tried passwords (198.51.100.17, as deploy)"},
		{subject.LogonCommand, "cat /home/deploy/.ssh/id_rsa", "uname -a", "run by 1 of the 12 sources that ran commands (198.51.100.17)"},
	} {
		rs := ranked(t, d, c.code, false)
		if len(rs) == 0 || rs[0].name != c.rare || rs[0].why(SigRare) != c.words {
			t.Errorf("top %s %+v, want %q: %q", subject.Must(c.code).Name, rs, c.rare, c.words)
		}
		if r, _ := byName(rs, c.common); r.score.Score > 0 {
			t.Errorf("%q, used by every source, scored: %+v", c.common, r.score)
		}
	}
}

// On the scriptzteam honeypot log, the passwords flagged as tried by one
// source are those jq finds tried by exactly one src_ip.
func TestCowriePasswordsByOneSource(t *testing.T) {
	p := authSample(t, "honeypot", "scriptzteam_cowrie.json")
	out, err := exec.Command("jq", "-rRs", `[split("\n")[] | fromjson? | select(.eventid == "cowrie.login.success" or .eventid == "cowrie.login.failed") | select((.password // "") != "")]
		| group_by(.password) | map(select(([.[].src_ip] | unique | length) == 1)) | length`, p).Output()
	if err != nil {
		t.Skipf("jq: %v", err)
	}
	want, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	d := scoreFiles(t, p)
	got := 0
	for _, r := range ranked(t, d, subject.LogonPassword, false) {
		if strings.HasPrefix(r.why(SigRare), "tried by 1 of") {
			got++
		}
	}
	if got != want || want == 0 {
		t.Errorf("%d passwords flagged as tried by one source, jq finds %d", got, want)
	}
}
