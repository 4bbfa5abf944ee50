package parse

import (
	"bytes"
	"testing"
)

// Logs copied off Windows machines end their lines with CRLF: every text
// format must read them exactly as it reads the LF original (only the byte
// offsets move, by one per line before).
func TestCRLFLinesReadAsLF(t *testing.T) {
	for _, c := range []struct{ rel, format string }{
		{"dns/crowdsec_bind9-logs.log", "bind-query"},
		{"dns/bazmonk_pihole.0236.log", "dnsmasq"},
		{"dns/elastic_integrations_test-umbrella-dnslogs.log", "umbrella-csv"},
		{"dns/acandeias_siem_export_windows_dns_debug.csv", "windows-dns-siem-csv"},
		{"dns/acandeias_windows_dns_debug_rawmsg_DERIVED.log", "windows-dns-debug"},
		{"zeek/acandeias_dns.log", "zeek-tsv"},
		{"zeek/rita_json_with_all_fields_dns.log", "zeek-json"},
	} {
		t.Run(c.format, func(t *testing.T) {
			lf := bytes.ReplaceAll(sample(t, c.rel), []byte("\r\n"), []byte("\n"))
			crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
			want, got := parseText(t, c.format, lf), parseText(t, c.format, crlf)
			if len(want.recs) == 0 || len(got.recs) != len(want.recs) || len(got.skips) != len(want.skips) {
				t.Fatalf("CRLF: %d records, %d skipped; LF: %d, %d", len(got.recs), len(got.skips), len(want.recs), len(want.skips))
			}
			for i := range want.recs {
				w, g := want.recs[i], got.recs[i]
				if g.Offset != w.Offset+g.Line-1 {
					t.Errorf("record %d at byte %d, want %d", i, g.Offset, w.Offset+g.Line-1)
				}
				w.Offset, g.Offset = 0, 0
				if g != w {
					t.Errorf("record %d:\n CRLF %+v\n LF   %+v", i, g, w)
				}
			}
		})
	}
}
