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

func TestInt(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1204: "-1,204"} {
		if got := Int(n); got != want {
			t.Errorf("Int(%d) = %q, want %q", n, got, want)
		}
	}
	if got := CountOf(1204, "entry", "entries"); got != "1,204 entries" {
		t.Errorf("CountOf(1204) = %q", got)
	}
}
