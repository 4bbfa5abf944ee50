package parse

import (
	"bytes"
	"encoding/json"
	"regexp"
)

// Guess names the kind of a log that no format detects, from its head:
// "a web server access log", "a Zeek conn log", "a Windows event log
// (EVTX)"…, or "" when it looks like nothing known. It only lets the
// ingest say "this is X, longtail does not read it yet" instead of listing
// the formats it tried; it is not a parser and reads no record.
func Guess(head []byte) string {
	if bytes.HasPrefix(head, []byte("ElfFile\x00")) {
		return "a Windows event log (EVTX)"
	}
	for _, line := range guessLines(head, 5) {
		if kind := guessLine(line); kind != "" {
			return kind
		}
	}
	return ""
}

var (
	zeekPath      = regexp.MustCompile(`^#path\s+(\S+)`)
	accessLog     = regexp.MustCompile(`^\S+ \S+ \S+ \[[^\]]+\] "[A-Z]+ \S+`)
	apacheError   = regexp.MustCompile(`^\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [^\]]+\] \[\w+\] `)
	iisW3C        = regexp.MustCompile(`^#(Software: Microsoft Internet Information Services|Fields: date time s-)`)
	syslogLine    = regexp.MustCompile(`^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ ([\w./-]+)(\(\w+\))?(\[\d+\])?: `)
	authPrograms  = regexp.MustCompile(`^(sshd|sudo|su|login|systemd-logind|CRON|cron|passwd|useradd|groupadd)$`)
	windowsXMLEvt = []byte(`<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"`)
)

// guessLine names the kind of log one line belongs to, or "".
func guessLine(line []byte) string {
	switch {
	case bytes.HasPrefix(line, windowsXMLEvt):
		return "a Windows event log (XML)"
	case iisW3C.Match(line):
		return "an IIS web server log (W3C)"
	case accessLog.Match(line):
		return "a web server access log"
	case apacheError.Match(line):
		return "a web server error log"
	}
	if m := zeekPath.FindSubmatch(line); m != nil {
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

// guessZeekJSON names a Zeek JSON log other than dns by its fields.
func guessZeekJSON(line []byte) string {
	var rec map[string]json.RawMessage
	if json.Unmarshal(line, &rec) != nil || rec["id.orig_h"] == nil {
		return ""
	}
	for _, k := range []struct{ field, path string }{
		{"method", "http"}, {"conn_state", "conn"}, {"cipher", "ssl"}, {"auth_success", "ssh"},
		{"mac", "dhcp"}, {"request_type", "kerberos"}, {"fuid", "files"},
	} {
		if rec[k.field] != nil {
			return "a Zeek " + k.path + " log"
		}
	}
	return "a Zeek log (not dns)"
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
