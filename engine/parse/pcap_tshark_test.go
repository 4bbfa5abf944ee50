package parse

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCaptureCountsMatchTshark decodes every capture of the sample data
// (pcap/ and tunnel/, recursively, and malformed/*.pcap*) and compares
// its number of events with what tshark finds in it:
//
//   - every query (dns.flags.response == 0; mDNS and LLMNR included, as
//     longtail reads them),
//   - plus every response for which tshark finds no query at all (no
//     dns.response_to, and not flagged as dns.retransmission): longtail
//     makes an event of it, with the response's destination as client,
//   - less the DNS messages tshark itself calls malformed: longtail skips
//     broken messages and reports them.
//
// A difference fails the test unless knownCountDiffs lists the file with
// exactly that difference and the reason for it.
func TestCaptureCountsMatchTshark(t *testing.T) {
	seen := eachSampleCapture(t, func(t *testing.T, tshark, path, rel string, c *gotOut) {
		want := tsharkCount(t, tshark, path)
		diff := len(c.recs) - want
		if known := knownCountDiffs[rel]; diff != known.diff {
			t.Errorf("%d events, tshark %d: a difference of %d, known %d (%s)", len(c.recs), want, diff, known.diff, known.why)
		}
	})
	for rel := range knownCountDiffs {
		if !seen[rel] {
			t.Errorf("knownCountDiffs lists %s, which is not a sample capture", rel)
		}
	}
}

// eachSampleCapture runs check on every capture of the sample data (pcap/
// and tunnel/, recursively, and malformed/*.pcap*), decoded, in parallel,
// and returns the captures it found (by path from the sample data). It
// skips the test under -short, without tshark, or without the data.
func eachSampleCapture(t *testing.T, check func(t *testing.T, tshark, path, rel string, c *gotOut)) map[string]bool {
	if testing.Short() {
		t.Skip("runs tshark on every sample capture (a minute or more)")
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	root := samplePath(t, ".")
	var files []string
	for _, dir := range []string{"pcap", "tunnel"} {
		filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				files = append(files, p)
			}
			return nil
		})
	}
	malformed, _ := filepath.Glob(filepath.Join(root, "malformed", "*.pcap*"))
	files = append(files, malformed...)
	if len(files) == 0 {
		t.Skip("no captures in the sample data")
	}
	seen := map[string]bool{}
	t.Run("files", func(t *testing.T) {
		for _, p := range files {
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			seen[rel] = true
			t.Run(rel, func(t *testing.T) {
				t.Parallel()
				c, _, err := decodeCapture(t, sample(t, rel), Resume{})
				if err != nil {
					t.Fatal(err)
				}
				check(t, tshark, p, rel, c)
			})
		}
	})
	return seen
}

// knownCountDiffs are the captures whose event count differs from
// tshark's (see TestCaptureCountsMatchTshark): longtail's count minus
// tshark's, and why.
var knownCountDiffs = map[string]struct {
	diff int
	why  string
}{
	// DNS that longtail does not decode (see pcap.go).
	"malformed/zeek_tunnels_geneve-vxlan-dns-truncated.pcap": {-2, "the DNS is inside VXLAN and Geneve tunnels"},
	"pcap/general/malcolm/malcolm_cve-2021-44228_log4j-dns_exfil.pcap": {-2,
		"two queries are the copies quoted in ICMP errors, not queries sent"},
	// Messages longtail skips and reports that tshark counts without
	// calling them malformed.
	"pcap/ndpi/ndpi_dns_invert_query.pcapng":                     {-1, "an inverse query (opcode 1) asks no question: no name to count"},
	"pcap/general/malcolm/malcolm_ripple20_dns_caa_records.pcap": {-1, "a 16-byte DNS-over-TCP message without a question"},
	"malformed/zeek_dns_dns-invalid-names.pcap":                  {-1, "a query name with a compression pointer loop"},
	"pcap/ndpi/ndpi_badpackets.pcap": {-8,
		"10 responses cut by the snap length inside their header or question (no name); tshark counts 8 of them"},
	// Messages tshark calls malformed for what longtail does not read.
	"malformed/zeek_dns_dns-edns-bad-length.pcap": {1, "the response's EDNS option, in the additional section, is broken"},
	// Pairing: longtail pairs a response with a query of the same name
	// only; tshark pairs by id.
	"pcap/ndpi/ndpi_dns-invalid-chars.pcap": {1, "the response's question is not the query's: they are two events"},
	// A fuzzer's mutations of a capture: labels, ports and lengths
	// changed at random, on which the two readers disagree packet by
	// packet (tshark decodes DNS on ports it saw in the conversation,
	// longtail reads names tshark calls malformed further on).
	"malformed/ndpi_fuzz-2006-06-26-2594.pcap": {19, "a fuzzer's output"},
}

// tsharkCount is what TestCaptureCountsMatchTshark compares with: the
// frames with a query, or with a response to no query tshark found, that
// tshark does not call malformed.
func tsharkCount(t *testing.T, tshark, path string) int {
	t.Helper()
	cmd := exec.Command(tshark, "-n", "-r", path, "-Y", "dns.flags.response",
		"-T", "fields", "-e", "dns.flags.response", "-e", "dns.response_to", "-e", "dns.retransmission", "-e", "_ws.malformed")
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatalf("tshark: %v", err)
	} else if err != nil {
		// A capture cut short: tshark says so, and counts what it read.
		t.Logf("tshark: %v: %s", err, stderr.Bytes())
	}
	n := 0
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimRight(line, "\r\n"), "\t")
		if len(f) < 4 || f[3] != "" {
			continue // malformed
		}
		// Booleans print as 0/1, or False/True in newer versions; a frame
		// may hold several messages (DNS over TCP).
		if slices.ContainsFunc(strings.Split(f[0], ","), func(s string) bool { return s == "0" || s == "False" }) ||
			f[1] == "" && f[2] == "" {
			n++
		}
	}
	return n
}

// TestCaptureHTTPMatchesTshark compares the HTTP requests of every sample
// capture (as TestCaptureCountsMatchTshark finds them) with the requests
// tshark finds over TCP (http.request && tcp: tshark also counts SSDP's
// M-SEARCH over UDP, which is no web traffic), one by one: method, host
// and target, as a multiset. tshark's absolute targets are cut to their
// path (longtail takes the host from them) and a CONNECT's target is its
// host. A difference fails the test unless knownHTTPDiffs explains it.
func TestCaptureHTTPMatchesTshark(t *testing.T) {
	seen := eachSampleCapture(t, func(t *testing.T, tshark, path, rel string, c *gotOut) {
		want := tsharkRequests(t, tshark, path)
		var got []string
		for _, r := range c.http {
			target := r.Path
			if r.Query != "" {
				target += "?" + r.Query
			}
			got = append(got, requestKey(r.Method, r.Host, target))
		}
		ours, theirs := multisetDiff(got, want)
		known := knownHTTPDiffs[rel]
		if len(ours) != known.ours || len(theirs) != known.tshark {
			t.Errorf("%d requests, tshark %d; only longtail's: %q; only tshark's: %q; known %d and %d (%s)",
				len(got), len(want), ours, theirs, known.ours, known.tshark, known.why)
		}
		if rel == "pcap/general/zeek/zeek_http_1000-requests-one-dropped-response.pcap.gz" && len(got) != 1000 {
			t.Errorf("%d requests, want 1000", len(got))
		}
	})
	for rel := range knownHTTPDiffs {
		if !seen[rel] {
			t.Errorf("knownHTTPDiffs lists %s, which is not a sample capture", rel)
		}
	}
}

// knownHTTPDiffs are the captures whose requests differ from tshark's
// (see TestCaptureHTTPMatchesTshark): how many only longtail finds, how
// many only tshark, and why.
var knownHTTPDiffs = map[string]struct {
	ours, tshark int
	why          string
}{
	// Requests whose body never arrives whole: tshark waits for the body
	// before it shows the request; longtail reads the head.
	"pcap/general/acandeias/spambot.pcap":           {1, 0, "a POST whose body is 2 bytes short, never answered"},
	"pcap/general/zeek/zeek_http_putty-upload.pcap": {1, 0, "a POST of 1.6 MB answered and reset after 82 kB"},
	"pcap/general/malcolm/malcolm_zeek-httpattacks_http.trace": {3, 0,
		"request smuggling probes (two Content-Lengths, an unknown coding, a Content-Length with chunked) answered 404"},
	// Request lines that are not HTTP/1.x: tshark shows any line that
	// starts with a method it knows.
	"pcap/general/zeek/zeek_http_methods.pcap": {2, 12, "10 request lines without a target or HTTP version " +
		"(\"GET /HTTP/1.1\", \"OPTIONS\"), and 2 \"CONNECT / HTTP/1.1\" whose target (\"/\", taken as the host) is not the Host header"},
	// Fields.
	"malformed/ndpi_fuzz-2006-09-29-28586.pcap": {1, 1, "a Host header with a NUL byte: tshark shows the text before it"},
	"pcap/ndpi/ndpi_http-manipulated.pcap": {1, 1,
		"\"GET<18 spaces>/aaa..._very_long_uri HTTP/1.1\": tshark reads an empty target, longtail the path"},
}

// requestKey is what TestCaptureHTTPMatchesTshark compares of a request.
func requestKey(method, host, target string) string {
	if method == "CONNECT" {
		target = ""
	}
	return method + " " + host + " " + strings.TrimSuffix(target, "?")
}

// tsharkRequests lists the HTTP requests over TCP tshark finds in a
// capture as requestKeys. A frame may hold several requests (pipelined),
// whose fields tshark joins with the aggregator.
func tsharkRequests(t *testing.T, tshark, path string) []string {
	t.Helper()
	const agg = "\x01"
	cmd := exec.Command(tshark, "-n", "-r", path, "-Y", "http.request && tcp", "-T", "fields", "-E", "aggregator="+agg,
		"-e", "http.request.method", "-e", "http.host", "-e", "http.request.uri")
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.Output()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatalf("tshark: %v", err)
	}
	var keys []string
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimRight(line, "\r\n"), "\t")
		if len(f) < 3 {
			continue
		}
		methods, hosts, uris := strings.Split(f[0], agg), strings.Split(f[1], agg), strings.Split(f[2], agg)
		for i, m := range methods {
			host, uri := "", ""
			if i < len(hosts) {
				host = hosts[i]
			}
			if i < len(uris) {
				uri = uris[i]
			}
			// An absolute target's path.
			if j := strings.Index(uri, "://"); j > 0 && !strings.ContainsAny(uri[:j], "/?") {
				uri = uri[j+3:]
				if k := strings.IndexAny(uri, "/?"); k >= 0 {
					uri = uri[k:]
				} else {
					uri = ""
				}
				if uri == "" || uri[0] == '?' {
					uri = "/" + uri
				}
			}
			keys = append(keys, requestKey(m, host, uri))
		}
	}
	return keys
}

// multisetDiff returns what only a holds and what only b holds, counting
// repeats.
func multisetDiff(a, b []string) (onlyA, onlyB []string) {
	n := map[string]int{}
	for _, s := range a {
		n[s]++
	}
	for _, s := range b {
		n[s]--
	}
	for s, k := range n {
		for ; k > 0; k-- {
			onlyA = append(onlyA, s)
		}
		for ; k < 0; k++ {
			onlyB = append(onlyB, s)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}
