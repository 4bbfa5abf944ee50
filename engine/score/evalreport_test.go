package score

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
)

// evalCase is one workspace of the evaluation: the files it is made of
// (relative to ../shared/data, on top of the normal traffic when base is
// set) and the registered domains known to be bad in it.
type evalCase struct {
	name  string
	how   string // how it was made, for the report
	base  bool
	files []string
	bad   []string
}

// evalCases are the mixed workspaces of `make eval`. Each tunnel capture
// is mixed with all the normal traffic (normalTraffic); the others mix one
// tunnel capture into one network's own logs, so that its infrastructure
// (an AD domain under a public suffix, Microsoft's probes, mDNS, reverse
// zones) is what the tunnel must rank above.
func evalCases() []evalCase {
	var out []evalCase
	captures := slices.Sorted(func(yield func(string) bool) {
		for k := range tunnelDomains {
			if !yield(k) {
				return
			}
		}
	})
	for _, c := range captures {
		out = append(out, evalCase{name: strings.TrimSuffix(strings.TrimSuffix(c, ".pcapng"), ".pcap"), how: "the tunnel capture mixed with every normal capture and Zeek DNS log",
			base: true, files: []string{"tunnel/" + c}, bad: []string{tunnelDomains[c]}})
	}
	return append(out,
		evalCase{name: "slips+dnscat2", how: "Stratosphere slips test9 Zeek dns/http (felk.cvut.cz, an AD domain under a public suffix; Chrome probes; footprintdns probes) with dmachard_dnscat2.pcap",
			files: []string{"zeek/slips_test9-mixed-zeek-dir_dns.log", "zeek/slips_test9-mixed-zeek-dir_http.log", "tunnel/dmachard_dnscat2.pcap"}, bad: []string{"biillpi.com"}},
		evalCase{name: "slips-pcaps", how: "Stratosphere slips pcaps test7 (mDNS, reverse zones) and test-cc-capture-2 (DNSBL and RDAP look-ups) with the slips test9 Zeek dns.log: no known bad, false positives only",
			files: []string{"zeek/slips_test9-mixed-zeek-dir_dns.log", "pcap/general/slips/slips_test7-malicious.pcap", "pcap/general/slips/slips_test-cc-capture-2.pcap"}},
		evalCase{name: "wrccdc+iodine", how: "WRCCDC 2018 Zeek dns.log (53k queries of a competition's AD network) with domainator_iodine_upload-big",
			files: []string{"zeek/wrccdc2018_zeek_tsv_dns.log.gz", "tunnel/domainator_iodine_upload-big_240731.pcapng"}, bad: []string{"hacker-iodine.com"}},
		evalCase{name: "rita+otrf+dnscat2", how: "RITA's proxy rolling dns.log and OTRF's lsass campaign and APT29 dns.logs (Windows domain) with ndpi_bad-dns-traffic.pcap (dnscat2 to skullseclabs.org)",
			files: []string{"zeek/rita_proxy_rolling_dns.16_00_00-17_00_00.log.gz", "zeek/otrf_lsass_campaign01/dns.log", "zeek/otrf_apt29_day1_NASHUA_dns.log", "pcap/ndpi/ndpi_bad-dns-traffic.pcap"},
			bad:   []string{"skullseclabs.org"}},
	)
}

// TestEval is `make eval`: it builds each case's workspace, scores it and
// prints the rank of each known-bad domain, the precision at 10 and the
// top 10 false positives with their reasons. It reports; the assertions
// are TestTunnelCapturesRankFirst's and TestGeneratedAnomaliesOnTop's.
func TestEval(t *testing.T) {
	if os.Getenv("LONGTAIL_EVAL") == "" {
		t.Skip("make eval runs it (LONGTAIL_EVAL=1)")
	}
	if _, err := os.Stat(filepath.Join(sharedData, "tunnel")); err != nil {
		t.Skip("../shared/data is absent")
	}
	base := baseWorkspace(t)
	var summary []string
	var last fpList
	for _, c := range evalCases() {
		path := filepath.Join(t.TempDir(), "ws.db")
		var files []string
		for _, f := range c.files {
			files = append(files, filepath.Join(sharedData, f))
		}
		if c.base {
			copyFile(t, base, path)
		}
		d := build(t, path, files)
		summary = append(summary, report(t, d, c.name, c.how, c.bad, &last))
	}
	d, truth := genCase(t, 200_000, "zeek")
	summary = append(summary, report(t, d, "generated", "longtail gen dns --lines 200000 --seed 7 --format zeek (a tunnel, a beacon and DGA names planted)", planted(truth), &last))
	fmt.Println("\n| case | known bad: rank | precision at 10 | first false positive |\n|---|---|---|---|")
	for _, s := range summary {
		fmt.Println(s)
	}
}

// fpList is a case's top false positives as printed, and the case's name:
// the tunnel captures mixed with the same normal traffic share theirs,
// which are printed once.
type fpList struct{ name, lines string }

// report prints one case and returns its summary row.
func report(t *testing.T, d *db.DB, name, how string, bad []string, last *fpList) string {
	t.Helper()
	top, err := d.TopScoredDomains(context.Background(), subject.DNSName, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	ranks, p10 := rankOf(t, d, bad)
	fmt.Printf("\n== %s: %s\n", name, how)
	var got []string
	for _, b := range bad {
		got = append(got, fmt.Sprintf("%s #%d", b, ranks[b]))
	}
	fmt.Printf("known bad: %s; precision at 10 %.2f of %d scored domains\n", strings.Join(got, ", "), p10, len(top))
	fp, first := 0, "-"
	var lines strings.Builder
	for i, r := range top {
		if fp == 10 {
			break
		}
		if slices.Contains(bad, r.Name) {
			continue
		}
		fp++
		if first == "-" {
			first = fmt.Sprintf("#%d %s %.1f", i+1, r.Name, r.Score.Score)
		}
		fmt.Fprintf(&lines, "  FP #%d %s %.1f: %s\n", i+1, r.Name, r.Score.Score, reasons(r.Contribs))
	}
	if lines.String() == last.lines {
		fmt.Printf("  the same top 10 false positives as %s\n", last.name)
	} else {
		fmt.Print(lines.String())
		*last = fpList{name, lines.String()}
	}
	if len(got) > 3 {
		got = append(got[:3], fmt.Sprintf("(%d more)", len(got)-3))
	}
	if len(bad) == 0 {
		return fmt.Sprintf("| %s | none | - | %s |", name, first)
	}
	return fmt.Sprintf("| %s | %s | %.1f (at most %.1f) | %s |", name, strings.Join(got, ", "), p10, float64(min(len(bad), 10))/10, first)
}

// reasons is a score's contributions in a line.
func reasons(cs []db.Contribution) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %.1f: %s", c.Signal, c.Points, c.Why)
	}
	return b.String()
}
