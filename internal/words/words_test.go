package words

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{Count(1, "rule"), "1 rule"},
		{Count(0, "rule"), "0 rules"},
		{Count(int64(2), "event"), "2 events"},
		{CountOf(1, "entry", "entries"), "1 entry"},
		{CountOf(12, "entry", "entries"), "12 entries"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}
