package parse

import (
	"strings"
	"testing"
)

func TestGuessNamesLogsNoFormatReads(t *testing.T) {
	for _, c := range []struct{ head, want string }{
		{"[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok\n", "web server error log"},
		{"Sep 30 12:11:33 ip-172-31-43-28 sudo[22789]: alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls\n", "auth log (sudo"},
		{"Jun 14 15:16:01 combo kernel: Linux version 2.6.5\n", "syslog"},
		// The stamps syslogStamp reads: one-digit day, RFC 3339.
		{"Jun 4 15:16:01 combo kernel: Linux version 2.6.5\n", "syslog"},
		{"2023-11-14T00:20:42.738197+01:00 combo kernel: Linux version 6.1\n", "syslog"},
		{"2024-03-05T10:00:00+0000 h sudo[1]: alice : TTY=pts/0 ; COMMAND=/bin/ls\n", "auth log (sudo"},
		{"SQLite format 3\x00\x10\x00\x02\x02", "SQLite database"},
		{"#separator \\x09\n#set_separator\t,\n#path\tconn\n#fields\tts\tuid\n", "Zeek conn log"},
		{`{"ts": 1517422328.1, "uid": "C", "id.orig_h": "10.55.100.105", "cipher": "TLS_AES_128_GCM_SHA256"}` + "\n", "Zeek ssl log"},
		{`{"ts": 1517422328.1, "uid": "C", "id.orig_h": "10.55.100.105", "hassh": "x"}` + "\n", "Zeek log (not dns or http)"},
		// Kinds that formats read are not named, even where their
		// format does not take the head.
		{`172.17.0.1 - - [29/Sep/2021:12:37:05 +0000] "GET /x.php HTTP/1.1" 404 196` + "\n", ""},
		{"#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n", ""},
		{"Sep 30 12:11:33 ip-172-31-43-28 sshd[22789]: Connection closed by 103.100.210.198 port 56762\n", "a syslog log"},
		{"#separator \\x09\n#set_separator\t,\n#path\thttp\n", ""},
		{"#separator \\x09\n#set_separator\t,\n#path\tdns\n", ""},
		{`{"ts": 1517422328.1, "uid": "C", "id.orig_h": "10.55.100.105", "method": "GET", "host": "x"}` + "\n", "Zeek log (not dns or http)"},
		{"03/20/2024 10:00:01,www.example.com,A,300,192.0.2.1\n", ""},
		{"", ""},
	} {
		got := Guess([]byte(c.head))
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("Guess(%.40q) = %q, want %q", c.head, got, c.want)
		}
	}
}

// The real samples of logs longtail does not read are named, not matched
// to a format.
func TestGuessOnTheSamples(t *testing.T) {
	for rel, want := range map[string]string{
		"web/loghub_Apache_2k.log":               "web server error log",
		"zeek/rita_proxy_conn.log":               "Zeek conn log",
		"zeek/rita_json_with_all_fields_ssl.log": "Zeek ssl log",
	} {
		head := sample(t, rel)
		head = head[:min(len(head), 64<<10)]
		if _, err := Detect(head); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want it named %q", rel, err, want)
		}
	}
}
