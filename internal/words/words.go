// Package words says counts in English for people: "1 rule", "2 rules".
package words

import "strconv"

// Count is n things in words: "1 rule", "2 rules", "0 rules". one is the
// singular; the plural adds an s (use CountOf for another).
func Count[N ~int | ~int64](n N, one string) string {
	return CountOf(n, one, one+"s")
}

// CountOf is n things in words with the plural given: "1 entry", "2
// entries".
func CountOf[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(int64(n), 10) + " " + many
}
