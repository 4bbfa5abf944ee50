// Package names normalises DNS query names and rolls them up to the domain
// an organisation registered, by the Public Suffix List.
//
// Names are kept in their wire spelling (lower-cased ASCII, punycode as is,
// no trailing dot) so that equal names compare equal as bytes; Display turns
// punycode into Unicode for people, and textsafe must still escape the
// result before it reaches a terminal.
package names

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// AppendNormalized appends the normal form of raw to dst: ASCII letters
// lower-cased (other bytes, including non-ASCII and escapes written by the
// source, left alone) and one trailing dot removed. It reports false, with
// dst unchanged, for a name that is empty or just ".".
//
// It is meant for the ingest's hot loop: with a reused dst
// (b, ok = AppendNormalized(b[:0], raw)) it never allocates, and the result
// can be looked up with m[string(b)], which does not allocate either.
func AppendNormalized(dst, raw []byte) ([]byte, bool) {
	if n := len(raw); n > 0 && raw[n-1] == '.' {
		raw = raw[:n-1]
	}
	if len(raw) == 0 {
		return dst, false
	}
	start := len(dst)
	dst = append(dst, raw...)
	for i, c := range dst[start:] {
		if 'A' <= c && c <= 'Z' {
			dst[start+i] = c + ('a' - 'A')
		}
	}
	return dst, true
}

// Normalize is AppendNormalized of a name a person typed, for callers off
// the hot path (lookups, the rules editor): a name in Unicode is taken in
// its punycode, the form logs carry (see Typed). The ingest uses
// AppendNormalized.
func Normalize(raw []byte) (string, bool) {
	var buf [256]byte // DNS names fit; longer garbage just grows the slice
	b, ok := AppendNormalized(buf[:0], []byte(Typed(string(raw))))
	return string(b), ok
}

// Roll-up targets that the Public Suffix List does not give.
const (
	// Reverse lookups: in-addr.arpa and ip6.arpa are public suffixes, so by
	// the list every PTR query would be its own "registered domain"
	// (4.3.2.1.in-addr.arpa → 1.in-addr.arpa, one per /8 and worse for
	// ip6.arpa nibbles), flooding the rare end of the list with names that
	// only say "someone looked up an address". Rolled up to one row each,
	// they can be judged (and expanded) as a group.
	reverseV4 = "in-addr.arpa"
	reverseV6 = "ip6.arpa"
	// ".local" is not in the list. It carries two things: mDNS, link-local
	// chatter whose services (_ipp._tcp.local, instance._ipp._tcp.local)
	// roll up to "local" where they can be allowlisted (or expanded) in
	// one go, its hosts (printer.local) being few; and an organisation's Active Directory domain
	// (dc01.corp.local, _ldap._tcp.dc._msdcs.corp.local), which rolls up
	// to its last two labels like any other domain, so that it is judged
	// against its own history and not lumped with every other network's
	// (see localDomain).
	mdns = "local"
)

// IsPublicSuffix says whether name is itself a public suffix of the ICANN
// section of the Public Suffix List (com, co.uk), where names are
// registered, not a name of its own.
func IsPublicSuffix(name string) bool {
	suffix, icann := publicsuffix.PublicSuffix(name)
	return icann && suffix == name
}

// RegisteredDomain returns the domain under which name was registered: the
// public suffix (ICANN or private section of the list, so
// x.user.github.io → user.github.io and d1.cloudfront.net →
// d1.cloudfront.net) plus one label. name must be normalised.
//
// Names with no registered domain stay as they are: single labels (wpad,
// localhost), IP literals, names that are a public suffix themselves
// (co.uk), names with an empty label, and names with a byte that cannot be
// part of a host name in the labels that would form the registered domain.
// Labels further left may hold any other byte: a tunnel's binary subdomains
// still roll up to the tunnel's domain, which is the point.
func RegisteredDomain(name string) string {
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		return name
	}
	switch tld := name[dot+1:]; tld {
	case "arpa":
		for _, rev := range [...]string{reverseV4, reverseV6} {
			if strings.HasSuffix(name, rev) && (len(name) == len(rev) || name[len(name)-len(rev)-1] == '.') {
				return rev
			}
		}
	case mdns:
		return localDomain(name, dot)
	case "":
		return name
	}
	if name[0] == '.' || strings.Contains(name, "..") {
		return name
	}
	if isIP(name) {
		return name
	}
	suffix, _ := publicsuffix.PublicSuffix(name)
	if len(suffix) >= len(name) {
		return name
	}
	i := len(name) - len(suffix) - 1
	if name[i] != '.' {
		return name
	}
	reg := name[strings.LastIndexByte(name[:i], '.')+1:]
	if !validHost(reg) {
		return name
	}
	return reg
}

// localDomain rolls a name under .local (dot: where ".local" starts) up
// to its last two labels (corp.local, printer.local), or to "local" when
// that label is a DNS-SD protocol (_tcp.local: the services of the link)
// or not a host name.
func localDomain(name string, dot int) string {
	org := strings.LastIndexByte(name[:dot], '.') + 1
	if org == dot || name[org] == '_' || !validHost(name[org:]) {
		return mdns
	}
	return name[org:]
}

// isIP reports whether name is an IPv4 or IPv6 literal. It checks the
// shape first because netip.ParseAddr allocates its error on failure and
// almost every name is not an address.
func isIP(name string) bool {
	c := name[len(name)-1]
	if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == ':' || c == ']') {
		return false
	}
	if !strings.ContainsRune(name, ':') {
		for i := 0; i < len(name); i++ {
			if c := name[i]; c != '.' && (c < '0' || c > '9') {
				return false
			}
		}
	}
	_, err := netip.ParseAddr(strings.Trim(name, "[]"))
	return err == nil
}

// validHost reports whether every label of s is non-empty and made of
// letters, digits, '-', '_' or (Unicode IDN written as such) valid
// non-ASCII UTF-8.
func validHost(s string) bool {
	label := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return false
			}
			i += n - 1
		case !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c >= 'A' && c <= 'Z'):
			return false
		}
		label++
	}
	return label > 0
}
