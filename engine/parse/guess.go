package parse

import (
	"bytes"
	"encoding/json"
	"regexp"
)

// Guess names the kind of a log that no format detects, from its head:
// "a web server error log", "a Zeek conn log", "a Windows event log
// (XML)"…, or "" when it looks like nothing known. It names only kinds
// that no format reads (access logs, IIS logs, EVTX files, sshd's syslog
// lines and Zeek's dns and http logs are read), so that it never says a
// readable kind is not. It only lets the ingest say "this is X, longtail does not
// read it yet" instead of listing the formats it tried; it is not a parser
// and reads no record.
func Guess(head []byte) string {
	if bytes.HasPrefix(head, []byte("SQLite format 3\x00")) {
		return "an SQLite database (another workspace?)"
	}
	for _, line := range guessLines(head, 5) {
		if kind := guessLine(line); kind != "" {
			return kind
		}
	}
	return ""
}

// zeekRead are the Zeek logs that formats read.
var zeekRead = map[string]bool{"dns": true, "http": true}

var (
	zeekPath      = regexp.MustCompile(`^#path\s+(\S+)`)
	apacheError   = regexp.MustCompile(`^\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [^\]]+\] \[\w+\] `)
	syslogLine    = regexp.MustCompile(`^(?:[A-Z][a-z]{2}  ?\d?\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) \S+ ([\w./-]+)(\(\w+\))?(\[\d+\])?: `)
	authPrograms  = regexp.MustCompile(`^(sudo|su|login|systemd-logind|CRON|cron|passwd|useradd|groupadd)$`)
	windowsXMLEvt = []byte(`<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"`)
)

// guessLine names the kind of log one line belongs to, or "".
func guessLine(line []byte) string {
	switch {
	case bytes.HasPrefix(line, windowsXMLEvt):
		return "a Windows event log (XML)"
	case apacheError.Match(line):
		return "a web server error log"
	}
	if m := zeekPath.FindSubmatch(line); m != nil {
		if zeekRead[string(m[1])] {
			return ""
		}
		return "a Zeek " + string(m[1]) + " log"
	}
	if m := syslogLine.FindSubmatch(line); m != nil {
		if authPrograms.Match(m[1]) {
			return "an auth log (" + string(m[1]) + " via syslog)"
		}
		return "a syslog log"
	}
	if line[0] == '{' {
		return guessZeekJSON(line)
	}
	return ""
}

// guessZeekJSON names a Zeek JSON log other than dns and http by its
// fields.
func guessZeekJSON(line []byte) string {
	var rec map[string]json.RawMessage
	if json.Unmarshal(line, &rec) != nil || rec["id.orig_h"] == nil {
		return ""
	}
	for _, k := range []struct{ field, path string }{
		{"conn_state", "conn"}, {"cipher", "ssl"}, {"auth_success", "ssh"},
		{"mac", "dhcp"}, {"request_type", "kerberos"}, {"fuid", "files"},
	} {
		if rec[k.field] != nil {
			return "a Zeek " + k.path + " log"
		}
	}
	return "a Zeek log (not dns or http)"
}

// guessLines is the first n lines of head that hold something, without a
// last line that may be cut.
func guessLines(head []byte, n int) [][]byte {
	var out [][]byte
	for len(head) > 0 && len(out) < n {
		line, rest, found := bytes.Cut(head, []byte("\n"))
		if !found && len(out) > 0 {
			break
		}
		if line = bytes.TrimSpace(line); len(line) > 0 && !bytes.HasPrefix(line, []byte("#separator")) {
			out = append(out, line)
		}
		head = rest
	}
	return out
}
