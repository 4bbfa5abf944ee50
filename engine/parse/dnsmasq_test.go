package parse

import (
	"testing"
	"time"

	"github.com/longtail/longtail/engine/record"
)

func fixedNow(s string) func() time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t }
}

const dnsmasqSample = `Dec 31 23:59:58 dnsmasq[7]: query[A] thunder.dropbox.com from 10.0.0.5
Dec 31 23:59:58 dnsmasq[7]: cached thunder.dropbox.com is <CNAME>
Dec 31 23:59:58 dnsmasq[7]: cached bolt.v.dropbox.com is 162.125.40.1
Dec 31 23:59:58 dnsmasq[7]: cached bolt.v.dropbox.com is 162.125.40.2
Dec 31 23:59:59 dnsmasq[7]: query[AAAA] nx.example from 10.0.0.6
Dec 31 23:59:59 dnsmasq[7]: forwarded nx.example to 127.0.0.1#5335
Dec 31 23:59:59 dnsmasq[7]: validation result is INSECURE
Jan  1 00:00:01 dnsmasq[7]: query[A] ads.example from 10.0.0.7
Jan  1 00:00:01 dnsmasq[7]: gravity blocked ads.example is 0.0.0.0
Jan  1 00:00:01 dnsmasq[7]: reply nx.example is NXDOMAIN
Jan  1 00:00:02 dnsmasq[7]: query[AAAA] v4only.example from 10.0.0.5
Jan  1 00:00:02 dnsmasq[7]: reply v4only.example is NODATA-IPv6
Jan  1 00:00:02 dnsmasq[7]: query[A] printer.lan from 10.0.0.5
Jan  1 00:00:02 dnsmasq[7]: /etc/hosts printer.lan is 10.0.0.9
Jan  1 00:00:03 dnsmasq[7]: query[TXT] <name unprintable> from 10.0.0.8
Jan  1 00:00:03 dnsmasq[7]: dnssec-query[DS] example to 127.0.0.1#5335
Jan  1 00:00:04 dnsmasq[7]: query[SRV] lost.example from 10.0.0.8
Jan  1 00:00:04 dnsmasq[7]: forwarded lost.example to 127.0.0.1#5335
Jan  1 00:01:00 dnsmasq[7]: query[A] late.example from 10.0.0.8
Jan  1 00:01:00 dnsmasq[7]: config late.example is NXDOMAIN
`

func TestDnsmasqPairs(t *testing.T) {
	if f, err := Detect([]byte(dnsmasqSample)); err != nil || f.Name != "dnsmasq" {
		t.Fatalf("detected %q, %v", f.Name, err)
	}
	// Read in March 2025: December is last year's, and January comes after it.
	out := runLines(t, newDnsmasqParser(fixedNow("2025-03-01")), []byte(dnsmasqSample))
	dec31 := micro("2024-12-31T23:59:58.0Z")
	jan1 := micro("2025-01-01T00:00:00.0Z")
	want := []gotRec{
		{dec31, "10.0.0.5", "thunder.dropbox.com", 1, 0, record.NoTTL, "bolt.v.dropbox.com,162.125.40.1,162.125.40.2", 1, 0},
		{jan1 + 1e6, "10.0.0.7", "ads.example", 1, 0, record.NoTTL, "0.0.0.0", 8, 0},
		{dec31 + 1e6, "10.0.0.6", "nx.example", 28, 3, record.NoTTL, "", 5, 0},
		{jan1 + 2e6, "10.0.0.5", "v4only.example", 28, 0, record.NoTTL, "", 11, 0},
		{jan1 + 2e6, "10.0.0.5", "printer.lan", 1, 0, record.NoTTL, "10.0.0.9", 13, 0},
		// No answer, 30 s passed: emitted without an rcode.
		{jan1 + 3e6, "10.0.0.8", "<name unprintable>", 16, record.NoRCode, record.NoTTL, "", 15, 0},
		{jan1 + 4e6, "10.0.0.8", "lost.example", 33, record.NoRCode, record.NoTTL, "", 17, 0},
		{jan1 + 60e6, "10.0.0.8", "late.example", 1, 3, record.NoTTL, "", 19, 0},
	}
	checkSequence(t, out, dnsmasqSample, want)
	// "validation result" and "dnssec-query" are dnsmasq's own work, not
	// client queries, and not broken lines either.
	if len(out.skips) != 0 {
		t.Errorf("skips %+v", out.skips)
	}
	// A message that is none of its known notices is skipped, counted.
	odd := "Jan  1 00:00:05 dnsmasq[1]: something else entirely\n"
	if out := runLines(t, newDnsmasqParser(fixedNow("2025-03-01")), []byte(odd)); out.skipReasons()["not a query"] != 1 {
		t.Errorf("an unknown message: skips %+v", out.skips)
	}
}

// stamp is c.micro of a day its month has.
func (c *syslogClock) stamp(t *testing.T, mon, day, tod int64) int64 {
	t.Helper()
	us, ok := c.micro(mon, day, tod)
	if !ok {
		t.Errorf("month %d day %d: no such day", mon, day)
	}
	return us
}

func TestSyslogClockYear(t *testing.T) {
	// Read on 2025-05-08, a log from May 10 would be in the future: last year.
	c := syslogClock{now: fixedNow("2025-05-08")}
	if got, want := c.stamp(t, 5, 10, 0), micro("2024-05-10T00:00:00.0Z"); got != want {
		t.Errorf("May 10 read on May 8: %d, want %d", got, want)
	}
	// A line a month back is a late line, not a new year.
	if got, want := c.stamp(t, 4, 30, 0), micro("2024-04-30T00:00:00.0Z"); got != want {
		t.Errorf("late line: %d, want %d", got, want)
	}
	// Within a day ahead (time zones): this year.
	c = syslogClock{now: fixedNow("2025-05-08")}
	if got, want := c.stamp(t, 5, 8, 20*3600e6), micro("2025-05-08T20:00:00.0Z"); got != want {
		t.Errorf("May 8 20:00 read on May 8: %d, want %d", got, want)
	}
	// A fall back of half a year that a new year would put after the
	// file was written is a line out of order (a collection of samples,
	// like crowdsec's sshd-logs.log: Feb, Nov, Dec, then Feb again).
	c = syslogClock{now: fixedNow("2025-12-06")}
	for _, step := range []struct {
		mon, day int64
		want     string
	}{{2, 12, "2025-02-12"}, {11, 19, "2025-11-19"}, {12, 12, "2024-12-12"}, {2, 3, "2025-02-03"}} {
		if got, want := c.stamp(t, step.mon, step.day, 0), micro(step.want+"T00:00:00.0Z"); got != want {
			t.Errorf("month %d day %d: %s, want %s", step.mon, step.day, time.UnixMicro(got).UTC(), step.want)
		}
	}
	// A year given (--year 2024) dates the first line only: a log that
	// runs on into the next January goes on into 2025.
	c = syslogClock{}
	c.DateFrom(time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC), false, nil)
	c.stamp(t, 12, 30, 0)
	if got, want := c.stamp(t, 1, 2, 0), micro("2025-01-02T00:00:00.0Z"); got != want {
		t.Errorf("Jan 2 after Dec 30 of the year given: %s, want 2025-01-02", time.UnixMicro(got).UTC())
	}
	// A line written a second late across New Year is December's, and
	// the lines after it January's, with a year given or not.
	for _, last := range []bool{false, true} {
		c = syslogClock{}
		c.DateFrom(time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC), last, nil)
		for i, step := range [][2]int64{{12, 31}, {1, 1}, {12, 31}, {1, 1}} {
			want := []string{"2025-12-31", "2026-01-01", "2025-12-31", "2026-01-01"}[i]
			if got := c.stamp(t, step[0], step[1], 0); got != micro(want+"T00:00:00.0Z") {
				t.Errorf("bounded %v, stamp %d: %s, want %s", last, i, time.UnixMicro(got).UTC(), want)
			}
		}
	}
}

// A log whose end is known is dated from its last line: one running from
// January to December, written on January 2, is last year's from its
// first line on (dated from its first line, January 1 was this year's).
func TestSyslogClockDatesFromTheLastLine(t *testing.T) {
	tail := []byte("Dec 20 10:00:00 host sshd[1]: Accepted password for a from 10.0.0.1 port 22 ssh2\nDec 20 10:00:01 host sshd[1]: pam_unix(sshd:session): session opened\n")
	for _, tc := range []struct {
		name  string
		tail  []byte
		steps [][2]int64 // month, day
		want  []string
	}{
		{"a year's log written on January 2", tail, [][2]int64{{1, 1}, {6, 1}, {12, 20}}, []string{"2025-01-01", "2025-06-01", "2025-12-20"}},
		{"a log over New Year", []byte("Jan  1 09:00:00 host sshd[1]: x\n"), [][2]int64{{12, 30}, {1, 1}}, []string{"2025-12-30", "2026-01-01"}},
		{"a last line without its newline", []byte("Dec 20 10:00:00 host x\nDec 21 10:00:00 host y"), [][2]int64{{1, 1}, {12, 21}}, []string{"2025-01-01", "2025-12-21"}},
		{"a last line a day before the first (runs concatenated)", []byte("Aug  7 18:30:11 dnsmasq[10]: x\n"), [][2]int64{{8, 8}}, []string{"2025-08-08"}},
		{"no stamp in the tail: from the first line", []byte("garbage\n"), [][2]int64{{1, 1}}, []string{"2026-01-01"}},
		// An RFC 3339 stamp needs no year: the last classic one dates the log.
		{"an RFC 3339 last line", []byte("Dec 20 10:00:00 host x\n2025-12-21T10:00:00+01:00 host y\n"), [][2]int64{{1, 1}, {12, 20}}, []string{"2025-01-01", "2025-12-20"}},
	} {
		var c syslogClock
		c.DateFrom(time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC), true, tc.tail)
		for i, st := range tc.steps {
			if got, want := c.stamp(t, st[0], st[1], 0), micro(tc.want[i]+"T00:00:00.0Z"); got != want {
				t.Errorf("%s: month %d day %d: %s, want %s", tc.name, st[0], st[1], time.UnixMicro(got).UTC(), tc.want[i])
			}
		}
	}
}

func TestDnsmasqExtraSerials(t *testing.T) {
	// log-queries=extra prefixes a query id and the client's address/port,
	// which pair forwarded replies that arrive interleaved.
	text := `May  9 02:36:02 dnsmasq[1]: 11 10.0.0.1/5000 query[A] a.example from 10.0.0.1
May  9 02:36:02 dnsmasq[1]: 11 10.0.0.1/5000 forwarded a.example to 1.1.1.1
May  9 02:36:02 dnsmasq[1]: 12 10.0.0.2/5001 query[A] a.example from 10.0.0.2
May  9 02:36:02 dnsmasq[1]: 12 10.0.0.2/5001 forwarded a.example to 1.1.1.1
May  9 02:36:03 dnsmasq[1]: 12 10.0.0.2/5001 reply a.example is 5.5.5.5
May  9 02:36:03 dnsmasq[1]: 11 10.0.0.1/5000 reply a.example is NXDOMAIN
`
	out := runLines(t, newDnsmasqParser(fixedNow("2025-06-01")), []byte(text))
	if len(out.recs) != 2 || len(out.skips) != 0 {
		t.Fatalf("records %+v skips %+v", out.recs, out.skips)
	}
	got := map[string]gotRec{out.recs[0].Client: out.recs[0], out.recs[1].Client: out.recs[1]}
	if r := got["10.0.0.2"]; r.Answers != "5.5.5.5" || r.RCode != 0 || r.Line != 3 {
		t.Errorf("10.0.0.2: %+v", r)
	}
	if r := got["10.0.0.1"]; r.Answers != "" || r.RCode != 3 || r.Line != 1 {
		t.Errorf("10.0.0.1: %+v", r)
	}
}

func TestDnsmasqSamples(t *testing.T) {
	cases := []struct {
		file    string
		queries int // grep -c ': query\[' FILE
		skipped int // lines that are neither queries, their answers nor dnsmasq's notices
	}{
		// grep -vcE ': (query\[|forwarded |reply |cached|gravity |special |config |validation result is |
		// dnssec-query\[|started, version |compile time options: |using nameserver |read |nameserver )' FILE:
		// 0 in each (the notices of DNSSEC, startup and upstream servers are passed over).
		{"dns/bazmonk_pihole.0236.log", 402, 0},
		{"dns/bazmonk_pihole_full_pihole.log", 552, 0},
		{"dns/iodine_tunnel_dnsmasq.log", 21, 0},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			text := detectedSample(t, c.file, "dnsmasq")
			out := runLines(t, newDnsmasqParser(fixedNow("2025-01-01")), text)
			if len(out.recs) != c.queries || len(out.skips) != c.skipped {
				t.Errorf("%d records, %d skips (%v); want %d, %d", len(out.recs), len(out.skips), out.skipReasons(), c.queries, c.skipped)
			}
		})
	}
}

func TestDnsmasqPiholeDetails(t *testing.T) {
	text := sample(t, "dns/bazmonk_pihole.0236.log")
	out := runLines(t, newDnsmasqParser(fixedNow("2025-01-01")), text)
	blocked := 0
	for _, r := range out.recs {
		if r.Answers == "0.0.0.0" {
			blocked++
		}
		// Line 82: query[PTR] lb._dns-sd._udp.4.0.100.10.in-addr.arpa,
		// forwarded, answered "reply ... is NXDOMAIN" four lines later.
		if r.Line == 82 && (r.RCode != 3 || r.QType != 12 || r.Time != micro("2024-05-09T02:36:09.0Z")) {
			t.Errorf("line 82: %+v", r)
		}
	}
	// grep -c 'gravity blocked .* is 0\.0\.0\.0$' → 77 (one per blocked A query).
	if blocked != 77 {
		t.Errorf("%d records answered 0.0.0.0, want 77", blocked)
	}
}

// Pi-hole's FTL.log mentions queries but is not a query log.
func TestDnsmasqRejectsFTL(t *testing.T) {
	text := sample(t, "dns/bazmonk_pihole_FTL.0236.log")
	if len(text) > HeadSize {
		text = text[:HeadSize]
	}
	if f, err := Detect(text); err == nil {
		t.Errorf("FTL.log detected as %q", f.Name)
	}
}

func FuzzDnsmasq(f *testing.F) {
	f.Add([]byte(dnsmasqSample))
	f.Add([]byte("May  9 02:36:02 dnsmasq[1]: 11 10.0.0.1/5000 query[A] a from b\nMay  9 02:36:02 dnsmasq[1]: reply <x is y\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		detectDnsmasq(text)
		out := runLines(t, newDnsmasqParser(fixedNow("2025-01-01")), text)
		for _, r := range out.recs {
			if r.Line < 1 {
				t.Fatalf("record without a line: %+v", r)
			}
		}
	})
}

// A syslog stamp is the classic one, with one space before a one-digit
// day as some senders write it, or RFC 3339 (rsyslog since Debian 12,
// journalctl -o short-iso), whose zone and year are the stamp's own.
func TestSyslogStamp(t *testing.T) {
	for _, c := range []struct {
		line string
		want int64 // 0: no stamp
	}{
		{"May  9 02:36:02 h x", micro("2024-05-09T02:36:02Z")},
		{"May 19 02:36:02 h x", micro("2024-05-19T02:36:02Z")},
		{"May 09 02:36:02 h x", micro("2024-05-09T02:36:02Z")},
		{"Nov 2 15:40:16 h x", micro("2024-11-02T15:40:16Z")},
		{"Nov 2 15:40:16.250 h x", micro("2024-11-02T15:40:16.25Z")},
		{"2023-11-14T00:20:42.738197+01:00 h x", micro("2023-11-13T23:20:42.738197Z")},
		{"2024-03-05T10:00:00+0000 h x", micro("2024-03-05T10:00:00Z")},
		{"2024-03-05T10:00:00-0530 h x", micro("2024-03-05T15:30:00Z")},
		{"2024-03-05T10:00:00Z h x", micro("2024-03-05T10:00:00Z")},
		{"2024-03-05T10:00:00 h x", micro("2024-03-05T10:00:00Z")},
		{"2024-03-05T10:00:00.123456789+02:00 h x", micro("2024-03-05T08:00:00.123456Z")},
		{"Nov  2  15:40:16 h x", 0},
		{"Nov 2 15:40:16", 0},
		{"Nov 32 15:40:16 h x", 0},
		{"2024-03-05 10:00:00 h x", 0}, // tcpdump's form: dnsmasq reads it on its own
		{"2024-03-05T10:00:00+01 h x", 0},
		{"2024-13-05T10:00:00Z h x", 0},
		{"19-Oct-2022 05:34:02.425 client", 0},
	} {
		c0 := syslogClock{now: fixedNow("2024-12-01")}
		s, rest, ok := syslogStamp([]byte(c.line))
		if got, dated := c0.at(s); ok != (c.want != 0) || ok && (got != c.want || !dated || string(rest) != "h x") {
			t.Errorf("%q: %v %d %q, want %d", c.line, ok, got, rest, c.want)
		}
	}
}

// Each format with syslog stamps detects a log whose stamps are all
// RFC 3339 or of a one-digit day, and dates its lines by them.
func TestSyslogFormatsNewStamps(t *testing.T) {
	for _, c := range []struct{ format, text string }{
		{"sshd-syslog", "2024-03-05T10:00:00+0100 web1 sshd[1]: Failed password for root from 1.2.3.4 port 5 ssh2\n"},
		{"sshd-syslog", "Mar 5 09:00:00 web1 sshd[1]: Failed password for root from 1.2.3.4 port 5 ssh2\n"},
		{"dnsmasq", "2024-03-05T10:00:00.000000+01:00 pi dnsmasq[7]: query[A] a.example from 10.0.0.5\n"},
		{"dnsmasq", "Mar 5 09:00:00 dnsmasq[7]: query[A] a.example from 10.0.0.5\n"},
		{"bind-query", "2024-03-05T10:00:00+01:00 ns1 named[2]: client @0x7f 10.0.0.5#3076 (a.example): query: a.example IN A + (10.0.0.1)\n"},
		{"bind-query", "Mar 5 09:00:00 ns1 named[2]: client @0x7f 10.0.0.5#3076 (a.example): query: a.example IN A + (10.0.0.1)\n"},
	} {
		f, err := Detect([]byte(c.text))
		if err != nil || f.Name != c.format {
			t.Errorf("%q: detected %q, %v", c.text, f.Name, err)
			continue
		}
		p := f.Lines()
		p.(Dated).DateFrom(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), true, nil)
		out := runLines(t, p, []byte(c.text))
		var times []int64
		for _, r := range out.recs {
			times = append(times, r.Time)
		}
		for _, r := range out.logon {
			times = append(times, r.Time)
		}
		if len(times) != 1 || times[0] != micro("2024-03-05T09:00:00Z") || len(out.skips) != 0 {
			t.Errorf("%q: times %v, skips %+v", c.text, times, out.skips)
		}
	}
}
