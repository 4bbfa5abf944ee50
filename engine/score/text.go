package score

import (
	"math"
	"strings"
)

// Character classes of the n-gram model: a–z, 0–9, '-', '_', anything
// else, and the label boundary.
const (
	symDash  = 36
	symUnder = 37
	symOther = 38
	symEdge  = 39
	symbols  = 40
)

func symbol(c byte) int {
	switch {
	case 'a' <= c && c <= 'z':
		return int(c - 'a')
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case '0' <= c && c <= '9':
		return 26 + int(c-'0')
	case c == '-':
		return symDash
	case c == '_':
		return symUnder
	}
	return symOther
}

// splitName returns the part of name left of its registered domain (""
// for the bare domain) and the registered domain's own label ("google" of
// google.co.uk; "" when the domain has no public suffix part, as for IPs
// and single labels).
func splitName(name, domain string) (sub, label string) {
	if name != domain && strings.HasSuffix(name, "."+domain) {
		sub = name[:len(name)-len(domain)-1]
	}
	if dot := strings.IndexByte(domain, '.'); dot > 0 && !isReverse(domain) {
		label = domain[:dot]
	}
	return sub, label
}

// isReverse reports reverse-lookup names (under in-addr.arpa and
// ip6.arpa): nobody chose them, so they say nothing about generated
// names, and their many short labels are not data. The rest of .arpa is
// not reverse: home.arpa is a home network's own zone (wpad.home.arpa is
// a proxy lookup), ipv4only.arpa a NAT64 probe.
func isReverse(domain string) bool {
	for _, zone := range [...]string{"in-addr.arpa", "ip6.arpa"} {
		if domain == zone || strings.HasSuffix(domain, "."+zone) {
			return true
		}
	}
	return false
}

// labelStats are the shape of a subdomain part.
type labelStats struct {
	longest int // longest label, bytes
	length  int // bytes, dots excluded
}

func subStats(sub string) labelStats {
	var s labelStats
	run := 0
	for i := 0; i <= len(sub); i++ {
		if i == len(sub) || sub[i] == '.' {
			s.longest = max(s.longest, run)
			run = 0
			continue
		}
		run++
		s.length++
	}
	return s
}

// histogram counts the characters of the subdomain labels of a domain's
// distinct names: the entropy of what is carried, not of how often it is
// asked.
type histogram [symbols]int32

func (h *histogram) add(sub string) {
	for i := 0; i < len(sub); i++ {
		if sub[i] != '.' {
			h[symbol(sub[i])]++
		}
	}
}

// entropy in bits per character, and the number of characters counted.
func (h *histogram) entropy() (bits float64, n int64) {
	for _, c := range h {
		n += int64(c)
	}
	if n == 0 {
		return 0, 0
	}
	for _, c := range h {
		if c > 0 {
			p := float64(c) / float64(n)
			bits -= p * math.Log2(p)
		}
	}
	return bits, n
}

// shape is what a generated label looks like without any model: the
// longest consonant run, letter–digit alternations, and length.
type shape struct {
	consonants int // longest run of consonants (y counts as a vowel)
	switches   int // changes between letters and digits
	length     int
}

func labelShape(label string) shape {
	s := shape{length: len(label)}
	run, prev := 0, byte(0) // prev: 'a' letter, '0' digit
	for i := 0; i < len(label); i++ {
		c := label[i]
		kind := byte(0)
		switch {
		case 'a' <= c && c <= 'z':
			kind = 'a'
			if strings.IndexByte("aeiouy", c) < 0 {
				run++
				s.consonants = max(s.consonants, run)
			} else {
				run = 0
			}
		case '0' <= c && c <= '9':
			kind = '0'
			run = 0
		default:
			run = 0
		}
		if kind != 0 && prev != 0 && kind != prev {
			s.switches++
		}
		if kind != 0 {
			prev = kind
		}
	}
	return s
}
