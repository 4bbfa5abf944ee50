package parse

import (
	"slices"
	"testing"
)

// A byte order mark at the start of a file (Notepad, PowerShell's
// Out-File, Excel) changes nothing: the same format is detected and the
// same records are read, at the same lines.
func TestAByteOrderMarkChangesNothing(t *testing.T) {
	for rel, format := range map[string]string{
		"web/sbousseaden_Tunna_rdp_tunnel_IIS.log": "iis-w3c",
		"zeek/acandeias_dns.log":                   "zeek-tsv",
		"auth/loghub_OpenSSH_2k.log":               "sshd-syslog",
	} {
		plain := detectedSample(t, rel, format)
		marked := append([]byte("\xef\xbb\xbf"), plain...)
		if f, err := Detect(marked[:min(len(marked), HeadSize)]); err != nil || f.Name != format {
			t.Errorf("%s with a byte order mark: detected %q, %v", rel, f.Name, err)
			continue
		}
		want, got := parseText(t, format, plain), parseText(t, format, marked)
		if len(want.recs)+len(want.http)+len(want.logon) == 0 || !slices.Equal(got.skipList(), want.skipList()) ||
			len(got.recs) != len(want.recs) || len(got.http) != len(want.http) || len(got.logon) != len(want.logon) {
			t.Errorf("%s: %d/%d/%d records, skips %v; without the mark %d/%d/%d, skips %v", rel,
				len(got.recs), len(got.http), len(got.logon), got.skipList(),
				len(want.recs), len(want.http), len(want.logon), want.skipList())
			continue
		}
		// Each record at its line, and at its byte in the file: the mark's
		// three bytes before it, but for the first line's, which starts at 0.
		gp, wp := got.provenance(), want.provenance()
		for i := range wp {
			shift := int64(3)
			if wp[i][1] == 0 {
				shift = 0
			}
			if gp[i][0] != wp[i][0] || gp[i][1] != wp[i][1]+shift {
				t.Errorf("%s: record %d at line %d byte %d, without the mark line %d byte %d", rel, i, gp[i][0], gp[i][1], wp[i][0], wp[i][1])
				break
			}
		}
	}
}
