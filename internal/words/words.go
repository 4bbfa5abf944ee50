// Package words says counts in English for people: "1 rule", "1,204
// rules".
package words

import "strconv"

// Count is n things in words: "1 rule", "2 rules", "0 rules". one is the
// singular; the plural adds an s (use CountOf for another).
func Count[N ~int | ~int64](n N, one string) string {
	return CountOf(n, one, one+"s")
}

// CountOf is n things in words with the plural given: "1 entry", "1,204
// entries".
func CountOf[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Int(n) + " " + many
}

// Int writes n in full with thousands separators: 1,234,567.
func Int[N ~int | ~int64](n N) string {
	s := strconv.FormatInt(int64(n), 10)
	b := make([]byte, 0, len(s)+len(s)/3)
	if n < 0 {
		b, s = append(b, '-'), s[1:]
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}
