package parse

import (
	"testing"

	"github.com/longtail/longtail/engine/record"
)

const bindSample = `19-Oct-2022 05:34:02.425 queries: info: client @0x7f65100ee4d8 192.168.1.1#3076 (example.com): query: example.com IN A +E(0)K (10.0.0.1)
19-Oct-2022 05:34:02.500 client 10.0.0.7#53211: query: old.example IN MX + (10.0.0.1)
19-Oct-2022 05:34:02.600 client 10.0.0.8#53212 (v.example): view internal: query: v.example IN TYPE65534 -E (10.0.0.1)
19-Oct-2022 05:34:03.000 general: info: zone example.com/IN: loaded serial 42
Nov 13 10:59:46 keira named[2075772]: client @0x7f8ac00071e8 2001:db8::22#62524 (example.com): zone transfer 'example.com/AXFR/IN' denied
Nov 13 10:59:47 keira named[2075772]: 19-Oct-2022 05:34:04.425 client 3.135.188.55#52617 (sl): query (cache) 'a/b.sl/ANY/IN' denied
03-Nov-2022 13:38:37.525 client @0x7fa0a4137838 ::1#61738 (example.com): bad zone transfer request: 'example.com/IN': non-authoritative zone (NOTAUTH)
19-Oct-2022 05:34:05.000 query-errors: info: client @0x7f 10.0.0.9#5 (x.example): query failed (SERVFAIL) for x.example/IN/A at query.c:7000
client @0x7f8ac00071e8 ::1#62524 (example.com): zone transfer 'example.com/AXFR/IN' denied
`

func TestBindQueries(t *testing.T) {
	if f, err := Detect([]byte(bindSample)); err != nil || f.Name != "bind-query" {
		t.Fatalf("detected %q, %v", f.Name, err)
	}
	p := &bindParser{syslogClock: syslogClock{now: fixedNow("2025-01-01")}}
	out := runLines(t, p, []byte(bindSample))
	want := []gotRec{
		{micro("2022-10-19T05:34:02.425000Z"), "192.168.1.1", "example.com", 1, record.NoRCode, record.NoTTL, "", 1, 0},
		{micro("2022-10-19T05:34:02.500000Z"), "10.0.0.7", "old.example", 15, record.NoRCode, record.NoTTL, "", 2, 0},
		{micro("2022-10-19T05:34:02.600000Z"), "10.0.0.8", "v.example", 65534, record.NoRCode, record.NoTTL, "", 3, 0},
		// Only the syslog stamp: its year is inferred (read on 2025-01-01).
		{micro("2024-11-13T10:59:46.0Z"), "2001:db8::22", "example.com", 252, 5, record.NoTTL, "", 5, 0},
		// BIND's own stamp wins over syslog's; the name may hold a '/'.
		{micro("2022-10-19T05:34:04.425000Z"), "3.135.188.55", "a/b.sl", 255, 5, record.NoTTL, "", 6, 0},
		{micro("2022-11-03T13:38:37.525000Z"), "::1", "example.com", 0, 9, record.NoTTL, "", 7, 0},
		// No stamp at all: Time 0 (unknown).
		{0, "::1", "example.com", 252, 5, record.NoTTL, "", 9, 0},
	}
	checkSequence(t, out, bindSample, want)
	// The zone load and the query-errors repeat are not queries.
	if len(out.skips) != 2 || out.skips[0].Line != 4 || out.skips[1].Line != 8 || out.skips[0].Reason != "not a query" {
		t.Errorf("skips %+v", out.skips)
	}
}

func TestBindSamples(t *testing.T) {
	cases := []struct {
		file             string
		queries, axfr    int // grep -c 'client ' FILE; grep -c "zone transfer '" FILE
		refused, notauth int // grep -c "' denied" FILE; grep -c NOTAUTH FILE
	}{
		{"dns/crowdsec_bind9-logs.log", 13, 6, 12, 1},
		{"dns/crowdsec_bind9-refused.log", 23, 4, 23, 0},
		{"dns/crowdsec_bind9-syslog.log", 12, 6, 11, 1},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			text := detectedSample(t, c.file, "bind-query")
			out := runLines(t, &bindParser{syslogClock: syslogClock{now: fixedNow("2025-01-01")}}, text)
			axfr, refused, notauth := 0, 0, 0
			for _, r := range out.recs {
				if r.QType == 252 {
					axfr++
				}
				switch r.RCode {
				case 5:
					refused++
				case 9:
					notauth++
				}
			}
			if len(out.recs) != c.queries || axfr != c.axfr || refused != c.refused || notauth != c.notauth || len(out.skips) != 0 {
				t.Errorf("%d records (%d AXFR, %d refused, %d notauth), skips %v", len(out.recs), axfr, refused, notauth, out.skips)
			}
		})
	}
}

func FuzzBind(f *testing.F) {
	f.Add([]byte(bindSample))
	f.Fuzz(func(t *testing.T, text []byte) {
		detectBind(text)
		out := runLines(t, &bindParser{syslogClock: syslogClock{now: fixedNow("2025-01-01")}}, text)
		for _, r := range out.recs {
			if r.Name == "" {
				t.Fatalf("record without a name: %+v", r)
			}
		}
	})
}
