package lists

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/longtail/longtail/engine/rules"
)

// referenceDir is ../shared/data/reference seen from the repository root.
func referenceDir(t testing.TB) string {
	dir := filepath.Join("..", "..", "..", "shared", "data", "reference")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("reference data not present:", dir)
	}
	return dir
}

func readFile(t testing.TB, path string) List {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := Read(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return l
}

// Counts were established outside Go, with the command beside each.
func TestReferenceLists(t *testing.T) {
	dir := referenceDir(t)
	for _, tc := range []struct {
		file   string
		format Format
		count  int
		first  string // first entry, from head
		last   string // last entry, from tail -1
	}{
		// grep -c . umbrella-top-100k.txt
		{"umbrella-top-100k.txt", Plain, 100000, "google.com", "98.206.52.in-addr.arpa"},
		// wc -l toplist_50k_rank_domain_kmikholap.csv (no header; tail -1 is rank 50526)
		{"toplist_50k_rank_domain_kmikholap.csv", Ranked, 50526, "google.com", "krasotaimedicina.ru"},
		// grep -c . opendns-top-domains.txt
		{"opendns-top-domains.txt", Plain, 10000, "google.com", ""},
		// grep -c '^0\.0\.0\.0 ' blp_hosts_*.txt (every data line; no other non-comment lines)
		{"blocklistproject/blp_hosts_ransomware.txt", Hosts, 1904, "25z5g623wpqpdwis.onion.to", ""},
		{"blocklistproject/blp_hosts_scam.txt", Hosts, 8527, "0-google.com", "zxnaster.com"},
		// grep -cvE '^(#|$)' blp_*-nl.txt
		{"blocklistproject/blp_crypto-nl.txt", Plain, 1272, "0slot.trade", ""},
		{"blocklistproject/blp_drugs-nl.txt", Plain, 26029, "000host.totaocimall.com", ""},
		{"blocklistproject/blp_phishing-nl.txt", Plain, 190215, "0.01.2.13.3.sydneypropertyinvestors.com", ""},
		{"blocklistproject/blp_piracy-nl.txt", Plain, 2154, "", ""},
		{"blocklistproject/blp_ransomware-nl.txt", Plain, 1904, "25z5g623wpqpdwis.onion.to", ""},
		{"blocklistproject/blp_scam-nl.txt", Plain, 8527, "0-google.com", "zxnaster.com"},
		{"blocklistproject/blp_torrent-nl.txt", Plain, 2620, "", ""},
		{"blocklistproject/blp_tracking-nl.txt", Plain, 143876, "", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			l := readFile(t, filepath.Join(dir, tc.file))
			if l.Format != tc.format || len(l.Entries) != tc.count || l.SkippedTotal != 0 {
				t.Fatalf("format %s, %d entries, %d skipped (%+v); want %s, %d, 0",
					l.Format, len(l.Entries), l.SkippedTotal, l.Skipped, tc.format, tc.count)
			}
			if tc.first != "" && l.Entries[0].Name != tc.first {
				t.Errorf("first entry %q, want %q", l.Entries[0].Name, tc.first)
			}
			if last := l.Entries[len(l.Entries)-1]; tc.last != "" && last.Name != tc.last {
				t.Errorf("last entry %q, want %q", last.Name, tc.last)
			}
			if tc.format == Ranked {
				for i, e := range l.Entries {
					if e.Rank != i+1 { // the file is ranked 1..N in order
						t.Fatalf("entry %d (%s) has rank %d", i, e.Name, e.Rank)
					}
				}
			}
		})
	}
}

func TestReferenceUT1Categories(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(referenceDir(t), "ut1_categories", "*.domains"))
	if len(files) == 0 {
		t.Skip("no UT1 lists")
	}
	total, domains := 0, 0
	for _, path := range files {
		l := readFile(t, path)
		if l.Format != Plain || l.SkippedTotal != 0 {
			t.Errorf("%s: format %s, skipped %+v", path, l.Format, l.Skipped)
		}
		total += len(l.Entries)
		for _, e := range l.Entries {
			if e.Scope == rules.Domain {
				domains++
			}
		}
	}
	// cat ut1_categories/*.domains | grep -c .   (64 files, IPv4 entries included)
	if total != 373295 {
		t.Errorf("%d entries in %d files, want 373295", total, len(files))
	}
	// grep -c '^\.' ut1_categories/*.domains: dynamic-dns has ".afshin.ir" and
	// ".giswebservice.com", UT1's way to say "and every subdomain".
	if domains != 2 {
		t.Errorf("%d domain-scope entries, want 2", domains)
	}
}

// TestReferenceReexport reads a real blocklist, exports it in every format
// and reads each back: every name must survive.
func TestReferenceReexport(t *testing.T) {
	l := readFile(t, filepath.Join(referenceDir(t), "blocklistproject", "blp_crypto-nl.txt"))
	rs := make([]rules.Rule, len(l.Entries))
	for i, e := range l.Entries {
		rs[i] = rules.Rule{ID: int64(i + 1), Pattern: e.Name, Scope: e.Scope, Verdict: rules.Bad, Origin: "blp_crypto-nl.txt"}
	}
	for _, f := range readableFormats() {
		var buf bytes.Buffer
		if _, err := Write(&buf, string(f), rs, ExportMeta{}); err != nil {
			t.Fatal(err)
		}
		back, err := Read(&buf)
		if err != nil || back.Format != f || len(back.Entries) != len(rs) {
			t.Errorf("%s: %s, %d entries, %v", f, back.Format, len(back.Entries), err)
			continue
		}
		for i, e := range back.Entries {
			if e.Name != rs[i].Pattern {
				t.Errorf("%s: entry %d is %q, want %q", f, i, e.Name, rs[i].Pattern)
				break
			}
		}
	}
}
