package score

import (
	"context"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
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
	// synth, when set, writes files of the test's own into dir (a channel
	// no public capture holds) to mix with files.
	synth func(t *testing.T, dir string) []string
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
		evalCase{name: "wrccdc+txt-download", how: "WRCCDC 2018 Zeek dns.log with a download channel written by the test (one of its clients fetches 300 numbered chunks of base64 in TXT answers from updates-mirror.net: short names, data in the answers)",
			files: []string{"zeek/wrccdc2018_zeek_tsv_dns.log.gz"}, bad: []string{"updates-mirror.net"}, synth: downloadLog("TXT", 16)},
		evalCase{name: "rita+otrf+cname-download", how: "RITA's proxy rolling dns.log and OTRF's lsass campaign and APT29 dns.logs with a download channel written by the test (one client fetches 300 chunks as base32 CNAME targets from cdn-refresh.com, a type the answers signal does not read)",
			files: []string{"zeek/rita_proxy_rolling_dns.16_00_00-17_00_00.log.gz", "zeek/otrf_lsass_campaign01/dns.log", "zeek/otrf_apt29_day1_NASHUA_dns.log"}, bad: []string{"cdn-refresh.com"}, synth: downloadLog("CNAME", 5)},
	)
}

// downloadLog writes a Zeek dns.log of a download channel over the given
// answer type (TXT: base64 chunks; CNAME: base32 chunks as a host name
// under the domain): 300 numbered chunk names, each asked once by one
// client, in the hour WRCCDC's log covers.
func downloadLog(qtypeName string, qtype int) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		domain, client := "updates-mirror.net", "10.47.6.154"
		if qtypeName == "CNAME" {
			domain, client = "cdn-refresh.com", "10.0.2.15"
		}
		var b strings.Builder
		b.WriteString("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n")
		b.WriteString("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n")
		b.WriteString("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n")
		rng := rand.New(rand.NewPCG(14, 30))
		for k := range 300 {
			chunk := make([]byte, 150)
			for i := range chunk {
				chunk[i] = byte(rng.IntN(256))
			}
			var answer string
			if qtypeName == "TXT" {
				data := base64.StdEncoding.EncodeToString(chunk)
				answer = fmt.Sprintf("TXT %d %s", len(data), data)
			} else {
				data := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(chunk))
				for len(data) > 63 {
					answer += data[:63] + "."
					data = data[63:]
				}
				answer += data + "." + domain
			}
			fmt.Fprintf(&b, "%.6f\tC%d\t%s\t%d\t10.0.0.100\t53\tudp\t%d\t0.01\t%d.%s\t1\tC_INTERNET\t%d\t%s\t0\tNOERROR\tF\tF\tT\tT\t0\t%s\t60.000000\tF\n",
				1521911800+float64(k)*3.7, k, client, 40000+k, k, k, domain, qtype, qtypeName, answer)
		}
		f := filepath.Join(dir, "download_"+qtypeName+"_dns.log")
		if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{f}
	}
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
		if c.synth != nil {
			files = append(files, c.synth(t, t.TempDir())...)
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
	others, firstOther := 0, ""
	for i, r := range top {
		if slices.Contains(bad, r.Name) {
			fmt.Printf("  BAD #%d %s %.1f: %s\n", i+1, r.Name, r.Score.Score, reasons(r.Contribs))
			continue
		}
		if slices.ContainsFunc(r.Contribs, func(c db.Contribution) bool { return c.Signal == SigBytes }) {
			if others++; others == 1 {
				firstOther = fmt.Sprintf(" (the first #%d %s %.1f)", i+1, r.Name, r.Score.Score)
			}
		}
	}
	fmt.Printf("  other domains with bytes-per-client evidence: %d%s\n", others, firstOther)
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
