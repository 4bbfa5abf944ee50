package networks

import (
	"bytes"
	"compress/gzip"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func referenceDir(t testing.TB) string {
	dir := filepath.Join("..", "..", "..", "shared", "data", "reference")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("reference data not present:", dir)
	}
	return dir
}

// count runs a shell pipeline (a second tool) and returns the number it prints.
func count(t *testing.T, pipeline string) int {
	t.Helper()
	for _, tool := range []string{"sh", "zcat", "awk", "jq", "grep"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool, "not installed")
		}
	}
	out, err := exec.Command("sh", "-c", pipeline).Output()
	if err != nil {
		t.Fatalf("%s: %v", pipeline, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("%s: %q", pipeline, out)
	}
	return n
}

func readSample(t *testing.T, path string) *File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skip("sample not present:", err)
	}
	defer f.Close()
	tab, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// TestReadReferenceTables reads every open table in the reference data and
// checks its counts against awk, grep and jq over the same files.
func TestReadReferenceTables(t *testing.T) {
	dir := referenceDir(t)
	for _, c := range []struct {
		file          string
		format        Format
		v4, v6, names string            // pipelines counting what Read must find
		known         map[string]uint32 // addresses and their AS, as grep finds them in the file
	}{
		{"iptoasn_subset_ip2asn-v4.tsv", IPtoASN,
			`awk -F'\t' '$3 != 0' %s | wc -l`, `echo 0`, `awk -F'\t' '$3 != 0 {print $3}' %s | sort -u | wc -l`,
			map[string]uint32{"8.8.8.8": 15169, "8.8.4.4": 15169, "1.1.1.1": 7497, "1.1.1.0": 13335, "1.1.1.255": 13335, "8.8.7.255": 0}},
		{"pyasn_routeviews_ipasn_20140513.dat.gz", PyASN,
			`zcat %s | grep -v '^;' | grep -vc :`, `zcat %s | grep -v '^;' | grep -c : || true`, `echo 0`,
			map[string]uint32{"8.8.8.8": 15169, "1.1.1.0": 15169}},
		{"pyasn_routeviews_ipasn_v4v6_20151101.dat.gz", PyASN,
			`zcat %s | grep -v '^;' | grep -vc :`, `zcat %s | grep -v '^;' | grep -c :`, `echo 0`,
			// 1.1.1.1/32 inside 1.1.1.0/24: the longest prefix wins.
			map[string]uint32{"8.8.8.8": 15169, "2001:4860:4860::8888": 15169, "1.1.1.1": 45899, "1.1.1.2": 15169}},
		{"pyasn_asnames.json.gz", ASNames,
			`echo 0`, `echo 0`, `zcat %s | jq '[keys[] | select(. != "0")] | length'`, nil},
	} {
		t.Run(c.file, func(t *testing.T) {
			if testing.Short() && c.file == "pyasn_routeviews_ipasn_20140513.dat.gz" {
				t.Skip("the v4v6 dump covers the format in -short")
			}
			path := filepath.Join(dir, c.file)
			tab := readSample(t, path)
			if tab.Format != c.format {
				t.Fatalf("format %q, want %q", tab.Format, c.format)
			}
			var v4, v6 int
			for _, r := range tab.Ranges {
				if r.First.Is4() {
					v4++
				} else {
					v6++
				}
			}
			q := func(p string) int { return count(t, strings.ReplaceAll(p, "%s", "'"+path+"'")) }
			if want := q(c.v4); v4 != want {
				t.Errorf("%d IPv4 ranges, awk/grep count %d", v4, want)
			}
			if want := q(c.v6); v6 != want {
				t.Errorf("%d IPv6 ranges, grep counts %d", v6, want)
			}
			if want := q(c.names); len(tab.Names) != want {
				t.Errorf("%d AS names, awk/jq count %d", len(tab.Names), want)
			}
			if tab.Skipped > 1 {
				t.Errorf("%d entries skipped", tab.Skipped)
			}
			for _, n := range tab.Names { // as jq '."15169"' shows it
				if n.ASN == 15169 && c.format == ASNames && (n.Name != "GOOGLE - Google Inc." || n.Country != "US") {
					t.Errorf("AS15169 named %q, %q", n.Name, n.Country)
				}
			}
			flat := Flatten(tab.Ranges)
			for addr, want := range c.known {
				if got := find(flat, netip.MustParseAddr(addr)).ASN; got != want {
					t.Errorf("%s: AS%d, the file says AS%d", addr, got, want)
				}
			}
		})
	}
}

// find is the range of a in disjoint sorted ranges, by a linear scan: the
// obvious answer the lookups are checked against.
func find(rs []Range, a netip.Addr) Range {
	for _, r := range rs {
		if !a.Less(r.First) && !r.Last.Less(a) {
			return r
		}
	}
	return Range{}
}

func TestDetect(t *testing.T) {
	for in, want := range map[string]Format{
		"1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET\n": IPtoASN,
		"; IP-ASN32-DAT file\n; \n1.0.0.0/24\t15169\n":   PyASN,
		"2001:db8::/32\t64500\n":                         PyASN,
		` {"15169": "GOOGLE - Google Inc., US"}`:         ASNames,
		"example.com\n":                                  "",
		"1.0.0.0/24,15169\n":                             "",
	} {
		got, ok := Detect([]byte(in))
		if got != want || ok != (want != "") {
			t.Errorf("Detect(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestReadGzipAndBadLines reads a gzipped dump with broken lines: they are
// skipped and counted, the rest is read.
func TestReadGzipAndBadLines(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("; Converted on  : Thu Nov 19 19:03:21 2015\n10.0.0.0/8\t64500\nnot a line\n10.1.0.0/16\tx\n2001:db8::/32\t64501\r\n"))
	zw.Close()
	tab, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Format != PyASN || len(tab.Ranges) != 2 || tab.Skipped != 2 || tab.Dated != "Thu Nov 19 19:03:21 2015" {
		t.Fatalf("%+v", tab)
	}
	if r := tab.Ranges[1]; r.Last != netip.MustParseAddr("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff") {
		t.Errorf("last of 2001:db8::/32: %s", r.Last)
	}
}
