package lists

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"

	"github.com/longtail/longtail/engine/rules"
)

// Readers of the formats that are little more than names: plain, hosts,
// Adblock-style, rank lists and Suricata string datasets.

// parseFunc adapts a stateless line function to lineParser.
type parseFunc func(s string, add func(Entry)) string

func (f parseFunc) line(s string, add func(Entry)) string { return f(s, add) }
func (parseFunc) flush(func(Entry))                       {}

// addName validates name and adds it with e's other fields; it returns the
// reason the name is unusable.
func addName(name string, e Entry, add func(Entry)) string {
	p, scope, err := rules.ParsePattern(name)
	if err != nil {
		return err.Error()
	}
	e.Name = p
	if scope == rules.Domain {
		e.Scope = rules.Domain
	}
	add(e)
	return ""
}

// Plain: one name per line; '#' starts a comment, which after a name
// becomes the entry's note.
func newPlainParser() lineParser {
	return parseFunc(func(s string, add func(Entry)) string {
		name, note := cutComment(s, '#')
		if name == "" {
			return ""
		}
		return addName(name, Entry{Note: note}, add)
	})
}

// Hosts: "address name [name...] [# comment]". The address is not kept:
// whether it is 0.0.0.0 or a redirect, the file names the hosts to divert.
func newHostsParser() lineParser {
	return parseFunc(func(s string, add func(Entry)) string {
		s, _ = cutComment(s, '#')
		if s == "" {
			return ""
		}
		addr, rest := nextField(s)
		if _, err := netip.ParseAddr(addr); err != nil {
			return "first field is not an IP address"
		}
		var reasons []string
		named := false
		for {
			var name string
			if name, rest = nextField(rest); name == "" {
				break
			}
			named = true
			if isLocalHostName(name) {
				continue
			}
			if r := addName(name, Entry{}, add); r != "" {
				reasons = append(reasons, r)
			}
		}
		if !named {
			return "no name after the address"
		}
		return strings.Join(reasons, "; ")
	})
}

// isLocalHostName reports the entries every hosts file carries for the
// machine itself; they are no verdict on anything.
func isLocalHostName(name string) bool {
	switch strings.ToLower(strings.TrimSuffix(name, ".")) {
	case "localhost", "localhost.localdomain", "local", "broadcasthost", "0.0.0.0":
		return true
	}
	// ip6-localhost, ip6-loopback, ip6-allnodes...: single labels only.
	return strings.HasPrefix(name, "ip6-") && !strings.Contains(name, ".")
}

// Adblock-style: "||name^" covers name and its subdomains, "|name^" the
// name only, "@@" in front makes it an exception (Good). "$options" are
// ignored; '!' and '#' lines are comments. Lines that filter URLs, paths or
// page elements are not name rules and are skipped.
func newAdblockParser() lineParser {
	return parseFunc(func(s string, add func(Entry)) string {
		s = strings.TrimSpace(s)
		if s == "" || s[0] == '!' || s[0] == '#' || s[0] == '[' {
			return ""
		}
		var e Entry
		if rest, ok := strings.CutPrefix(s, "@@"); ok {
			s, e.Verdict = rest, rules.Good
		}
		switch {
		case strings.HasPrefix(s, "||"):
			s, e.Scope = s[2:], rules.Domain
		case strings.HasPrefix(s, "|"):
			s = s[1:]
		default:
			return "not a domain rule (want ||name^)"
		}
		name, opts, ok := strings.Cut(s, "^")
		if !ok {
			return "no ^ after the name"
		}
		if opts != "" && opts[0] != '$' && opts != "|" {
			return "rule matches more than a name"
		}
		return addName(name, e, add)
	})
}

func adblockSigned(head []string) bool {
	return len(head) > 0 && strings.HasPrefix(head[0], "[Adblock")
}

// Rank lists: "rank,name" (Tranco, Umbrella top-1m). A header line
// ("rank,domain") is ignored.
func newRankParser() lineParser {
	first := true
	return parseFunc(func(s string, add func(Entry)) string {
		s = strings.TrimSpace(s)
		if s == "" || s[0] == '#' {
			return ""
		}
		wasFirst := first
		first = false
		rank, name, ok := strings.Cut(s, ",")
		if !ok {
			return "no comma (want rank,name)"
		}
		n, err := strconv.Atoi(rank)
		if err != nil {
			if wasFirst {
				return "" // a header
			}
			return "rank is not a number"
		}
		if n <= 0 {
			return "rank is not positive"
		}
		return addName(name, Entry{Rank: n}, add)
	})
}

// Suricata string datasets: each line one base64-encoded string (see
// writeSuricata). A "data,value" line is a datarep line; the value is
// ignored.
func newSuricataParser() lineParser {
	return parseFunc(func(s string, add func(Entry)) string {
		s = strings.TrimSpace(s)
		if s == "" {
			return ""
		}
		s, _, _ = strings.Cut(s, ",")
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "not base64"
		}
		return addName(string(b), Entry{}, add)
	})
}
