package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Display returns name for people: each label in punycode ("xn--...") that
// is valid IDNA (by the registration rules) is shown in Unicode; any other
// label is left as is. A label that would mix Latin, Greek, Cyrillic or
// Armenian letters also stays in punycode, because that is the classic
// look-alike trick (Cyrillic "а" in "pаypal"); a label written entirely in
// one look-alike script is not caught.
//
// The result can hold any Unicode the decoder accepts and must still go
// through textsafe before it reaches a terminal.
func Display(name string) string {
	if !strings.Contains(name, "xn--") {
		return name
	}
	labels := strings.Split(name, ".")
	for i, l := range labels {
		if !strings.HasPrefix(l, "xn--") {
			continue
		}
		u, err := idna.Registration.ToUnicode(l)
		if err != nil || u == l || mixesConfusableScripts(u) {
			continue
		}
		labels[i] = u
	}
	return strings.Join(labels, ".")
}

// confusable are the alphabets whose letters are easily mistaken for each
// other's.
var confusable = []*unicode.RangeTable{unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Armenian}

func mixesConfusableScripts(label string) bool {
	seen := -1
	for _, r := range label {
		for i, t := range confusable {
			if unicode.Is(t, r) {
				if seen >= 0 && seen != i {
					return true
				}
				seen = i
			}
		}
	}
	return false
}

// Typed returns a name a person typed in its wire spelling: a name in
// Unicode ("münchen.de", as Display shows it) in punycode
// ("xn--mnchen-3ya.de"); any other name, and one IDNA would change
// (Punycode), as it is: "\u200bwww.google.com" is not www.google.com.
func Typed(name string) string {
	if isASCII(name) {
		return name
	}
	// Typed in capitals, as people do: IDNA would fold them, which
	// Punycode refuses.
	if a, ok := Punycode(strings.ToLower(name)); ok {
		return a
	}
	return name
}

// Punycode returns the ASCII form (punycode) of an internationalised name
// in UTF-8, as a person types it or a log may hold it; ok is false for any
// other name, and for one that IDNA's mapping would change (a zero-width
// space dropped, a full-width letter narrowed, a capital folded): a name
// stands for what was typed or seen, never for a lookalike of it. An ASCII
// name costs one pass over its bytes.
func Punycode(name string) (string, bool) {
	if isASCII(name) || !utf8.ValidString(name) {
		return "", false
	}
	a, err := idna.Lookup.ToASCII(name)
	if err != nil {
		return "", false
	}
	if back, err := idna.Lookup.ToUnicode(a); err != nil || back != name {
		return "", false
	}
	return a, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
