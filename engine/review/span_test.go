package review

import (
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	for in, want := range map[string]time.Duration{"15m": 15 * time.Minute, "1h30m": 90 * time.Minute, "1d": 24 * time.Hour,
		"7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour} {
		if got, err := ParseSpan(in); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0d", "-1d", "x", "1y", "0s", "-5m", "99999999999w", "36501d"} {
		if got, err := ParseSpan(in); err == nil {
			t.Errorf("%q: %v taken", in, got)
		}
	}
}
