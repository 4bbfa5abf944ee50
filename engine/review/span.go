package review

import (
	"fmt"
	"strconv"
	"time"
)

// ParseSpan reads a span of time as the screens offer them and the
// commands take them: a Go duration (15m, 1h30m) or whole days and weeks
// (1d, 7d, 1w), which time.ParseDuration does not take. A span is
// positive and at most a century (maxSpanDays), far from where it would
// overflow.
func ParseSpan(s string) (time.Duration, error) {
	var unit time.Duration
	if s != "" {
		unit = map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	}
	if unit == 0 {
		d, err := time.ParseDuration(s)
		if err == nil && d <= 0 {
			err = fmt.Errorf("%q: a span is longer than nothing", s)
		}
		return d, err
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n*int(unit/(24*time.Hour)) > maxSpanDays {
		return 0, fmt.Errorf("%q: want a span like 15m, 1h, 1d or 1w", s)
	}
	return time.Duration(n) * unit, nil
}

// maxSpanDays bounds a span (a century).
const maxSpanDays = 36_500
