package parse

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/record"
)

// httpFormats are the formats of weblog.go, iis.go and zeekhttp.go.
var httpFormats = []string{"access-log", "iis-w3c", "iis-event-xml", "zeek-http-tsv", "zeek-http-json"}

// toolCount runs a second tool over data (on its standard input) and
// returns the number it prints, skipping the test when the tool is not
// installed: the counts the parsers give are checked against it.
func toolCount(t *testing.T, data []byte, tool string, args ...string) int64 {
	t.Helper()
	out := toolOutput(t, data, tool, args...)
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("%s %q printed %q", tool, args, out)
	}
	return n
}

// toolOutput runs tool on data and returns what it prints, skipping the
// test when the tool is not installed.
func toolOutput(t *testing.T, data []byte, tool string, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s not installed", tool)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %q: %v", tool, args, err)
	}
	return out
}

// awkRequest matches the access log lines that hold a request: a method
// in letters after the [time], then a path, a URL or an HTTP protocol;
// not "-", binary junk nor another protocol's probe ("GNUTELLA
// CONNECT/0.6", "t3 12.2.1").
const awkRequest = `/^[^ ]+ [^ ]+ [^ ]+ \[[^]]+\] "[A-Za-z]+ ([\/*]|[a-z]+:\/\/|.* HTTP\/)/`

func TestAccessLogSamples(t *testing.T) {
	for _, c := range []struct {
		file string
		want int // what awk is expected to count, to see the sample is the one meant
	}{
		{"web/elastic_examples_apache_logs.log", 10000},                        // combined
		{"web/crowdsec_apache-http-probing.log", 77},                           // common
		{"web/crowdsec_nginx-http-sqli-probing.log", 16},                       // nginx combined
		{"web/sbousseaden_web_attack_webshell_localhost_access_log.txt", 2637}, // Tomcat, CRLF
	} {
		t.Run(c.file, func(t *testing.T) {
			data := detectedSample(t, c.file, "access-log")
			out := parseText(t, "access-log", data)
			requests := toolCount(t, data, "awk", awkRequest+` {n++} END {print n+0}`)
			lines := toolCount(t, data, "awk", `NF {n++} END {print n+0}`)
			if requests != int64(c.want) {
				t.Fatalf("awk counts %d requests, want %d: another sample?", requests, c.want)
			}
			if int64(len(out.http)) != requests || int64(len(out.skips)) != lines-requests {
				t.Errorf("%d records, %d skips; awk: %d requests in %d lines", len(out.http), len(out.skips), requests, lines)
			}
		})
	}
}

// Logs of junk sent to web servers (TLS hellos, RAT beacons) are access
// logs whose every line is skipped, none a request.
func TestAccessLogMalformedSamples(t *testing.T) {
	for _, file := range []string{"malformed/logs/crowdsec_apache2-malformed.log", "malformed/logs/crowdsec_nginx-http-malformed.log"} {
		t.Run(file, func(t *testing.T) {
			data := detectedSample(t, file, "access-log")
			out := parseText(t, "access-log", data)
			lines := toolCount(t, data, "awk", `NF {n++} END {print n+0}`)
			requests := toolCount(t, data, "awk", awkRequest+` {n++} END {print n+0}`)
			if len(out.http) != 0 || requests != 0 || int64(out.skipReasons()["bad request line"]) != lines {
				t.Errorf("%d records, skips %v; awk: %d requests in %d lines", len(out.http), out.skipReasons(), requests, lines)
			}
		})
	}
}

// The Apache sample, field by field: sums and distinct counts that awk
// finds too, and two lines as they are written.
func TestAccessLogElastic(t *testing.T) {
	data := sample(t, "web/elastic_examples_apache_logs.log")
	out := parseText(t, "access-log", data)
	var size int64
	uas := map[string]bool{}
	for _, r := range out.http {
		if r.Bytes != record.NoBytes {
			size += r.Bytes
		}
		uas[r.UserAgent] = true
		if strings.Contains(r.Path, "?") {
			t.Errorf("line %d: path %q holds the query", r.Line, r.Path)
		}
	}
	// Fields split on '"': $3 is " status size ", $6 the user agent.
	if want := toolCount(t, data, "awk", `-F"`, `{split($3, a, " "); if (a[2] != "-") s += a[2]} END {printf "%.0f\n", s}`); size != want {
		t.Errorf("%d bytes in all, awk %d", size, want)
	}
	if want := toolCount(t, data, "awk", `-F"`, `$6 != "-" {u[$6]} END {for (k in u) n++; print n}`); int64(len(uas)-1) != want || !uas[""] {
		t.Errorf("%d user agents (and none: %v), awk %d", len(uas)-1, uas[""], want)
	}
	checkHTTP(t, out,
		gotHTTP{Time: micro("2015-05-17T10:05:03Z"), Client: "83.149.9.216", Method: "GET", Path: "/presentations/logstash-monitorama-2013/images/kibana-search.png",
			Status: 200, Bytes: 203023, Referer: "http://semicomplete.com/presentations/logstash-monitorama-2013/",
			UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36", Line: 1, Offset: 0},
		gotHTTP{Time: micro("2015-05-20T21:05:15Z"), Client: "46.105.14.53", Method: "GET", Path: "/blog/tags/puppet", Query: "flav=rss20",
			Status: 200, Bytes: 14872, UserAgent: "UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/", Line: 10000},
	)
}

// Tomcat does not escape the quotes of a request line; Apache does.
func TestAccessLogQuotesInRequest(t *testing.T) {
	out := parseText(t, "access-log", sample(t, "web/sbousseaden_web_attack_webshell_localhost_access_log.txt"))
	checkHTTP(t, out,
		gotHTTP{Time: micro("2018-07-11T06:32:27Z"), Client: "192.168.105.83", Method: "GET", Path: "/WebID/IISWebAgentIF.dll",
			Query: `postdata="><script>foo</script>`, Status: 404, Bytes: 997, Line: 879},
		gotHTTP{Time: micro("2018-07-11T05:41:28Z"), Client: "192.168.105.83", Method: "GET", Path: "/manager", Status: 302, Bytes: record.NoBytes, Line: 2, Offset: 76},
	)
	reasons := out.skipReasons()
	// nmap's probes: a TLS hello, GNUTELLA CONNECT (4), WebLogic's t3 (2),
	// "some invalid request" (2) and an overflow of "connect XXX…://".
	if reasons["no request"] != 14 || reasons["bad request line"] != 10 || len(reasons) != 2 {
		t.Errorf("skips %v, want 14 without a request, 10 not HTTP", reasons)
	}
	out = parseText(t, "access-log", sample(t, "web/crowdsec_apache-http-probing.log"))
	checkHTTP(t, out, gotHTTP{Time: micro("2021-09-29T12:37:05Z"), Client: "172.17.0.1", Method: "GET", Path: "/sys/code/box.inc.php",
		Query: `config[\\\"sipssys\\\"]=http://cirt.net/rfiinc.txt?`, Status: 404, Bytes: 196, Line: 45})
}

const accessLogTricky = `203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /a.php?x="><script> HTTP/1.1" 404 997
10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET http://proxy.example:8080/p/q?r=1&s HTTP/1.1" 200 5 "-" "curl/8.0"
10.0.0.1 - bob [10/Oct/2000:13:55:36 +0000] "CONNECT mail.example:443 HTTP/1.1" 200 - "-" "UA x"
2001:db8::1 - - [10/Oct/2000:13:55:36.250 +0130] "GET / HTTP/2.0" 304 0 "https://ref.example/x?y" "Mozilla/5.0 (X11)"
www.example.com:443 198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "POST /login HTTP/1.1" 302 12 "-" "Mozilla/5.0 \"quoted\""
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x\" 200 5 \"y HTTP/1.1" 200 7 "-" "-"
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "-" 408 -
not an access log line
198.51.100.7 - - [32/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 2000 1
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "\x16\x03\x01" 400 -
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "t3 12.2.1 " 400 -
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "GET http://user:pw@h.example?q=1 HTTP/1.0" 200 1
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "GET /old" 200 10
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "GET /cut HTTP/1.1" 200 10 "-" "Mozilla/5.0 (compatible; Googlebot/2.1
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "GET /tomcat?d HTTP/1.1" 200 5 123
a b c d e [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1
198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "GET /real HTTP/1.1" 200 7 "-" "sqlmap \" 200 5 \"x"
`

func TestAccessLogTricky(t *testing.T) {
	if got := detectedBy([]byte(accessLogSeed+accessLogTricky), append(slices.Clone(myFormats), httpFormats...)...); !slices.Equal(got, []string{"access-log"}) {
		t.Errorf("detected by %v", got)
	}
	out := parseText(t, "access-log", []byte(accessLogTricky))
	at := micro("2000-10-10T20:55:36Z")
	checkHTTP(t, out,
		gotHTTP{Time: at, Client: "203.0.113.9", Method: "GET", Path: "/a.php", Query: `x="><script>`, Status: 404, Bytes: 997, Line: 1},
		gotHTTP{Time: at, Client: "10.0.0.1", Method: "GET", Host: "proxy.example:8080", Path: "/p/q", Query: "r=1&s", Status: 200, Bytes: 5, UserAgent: "curl/8.0", Line: 2},
		gotHTTP{Time: micro("2000-10-10T13:55:36Z"), Client: "10.0.0.1", Method: "CONNECT", Host: "mail.example:443", Status: 200, Bytes: record.NoBytes, UserAgent: "UA x", Line: 3},
		gotHTTP{Time: micro("2000-10-10T12:25:36.25Z"), Client: "2001:db8::1", Method: "GET", Path: "/", Status: 304, Bytes: 0,
			Referer: "https://ref.example/x?y", UserAgent: "Mozilla/5.0 (X11)", Line: 4},
		gotHTTP{Time: at, Client: "198.51.100.7", Method: "POST", Host: "www.example.com:443", Path: "/login", Status: 302, Bytes: 12,
			UserAgent: `Mozilla/5.0 \"quoted\"`, Line: 5},
		gotHTTP{Time: at, Client: "198.51.100.7", Method: "GET", Path: `/x\" 200 5 \"y`, Status: 200, Bytes: 7, Line: 6},
		gotHTTP{Time: at, Client: "198.51.100.7", Method: "GET", Host: "h.example", Path: "/", Query: "q=1", Status: 200, Bytes: 1, Line: 13},
		gotHTTP{Time: at, Client: "198.51.100.7", Method: "GET", Path: "/old", Status: 200, Bytes: 10, Line: 14},
		gotHTTP{Time: at, Client: "198.51.100.7", Method: "GET", Path: "/cut", Status: 200, Bytes: 10, UserAgent: "Mozilla/5.0 (compatible; Googlebot/2.1", Line: 15},
		gotHTTP{Time: at, Client: "198.51.100.7", Method: "GET", Path: "/tomcat", Query: "d", Status: 200, Bytes: 5, Line: 16},
		// An escaped quote in the user agent is not where the request ends.
		gotHTTP{Time: at, Client: "198.51.100.7", Method: "GET", Path: "/real", Status: 200, Bytes: 7, UserAgent: `sqlmap \" 200 5 \"x`, Line: 18},
	)
	want := []string{"7 no request", "8 no [time]", "9 bad time", "10 no status and size after the request",
		"11 bad request line", "12 bad request line", "17 want client, ident and user (after a virtual host) before the [time]"}
	if skips := out.skipList(); len(out.http) != 11 || !slices.Equal(skips, want) {
		t.Errorf("%d records, skips %q, want 11, %q", len(out.http), skips, want)
	}
}

// A mixed head is not an access log; a head with one bad line among good
// ones is.
func TestAccessLogDetect(t *testing.T) {
	good := `10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1` + "\n"
	for _, c := range []struct {
		head string
		want bool
	}{
		{good, true},
		{strings.Repeat(good, 3) + "junk\n", true},
		{good + "junk\n", false},
		{"junk\n" + good + "junk\n", false},
		{"", false},
		{"[10/Oct/2000:13:55:36 -0700]\n", false},
	} {
		if got := detectAccessLog([]byte(c.head)); got != c.want {
			t.Errorf("detectAccessLog(%q) = %v, want %v", c.head, got, c.want)
		}
	}
}

// The record path does not allocate: every field points into the line.
func TestAccessLogNoAllocs(t *testing.T) {
	p := &accessParser{}
	lines := bytes.Split([]byte(accessLogTricky), []byte("\n"))
	if n := testing.AllocsPerRun(100, func() {
		for _, l := range lines[:6] {
			if p.parse(l) != "" {
				t.Fatalf("%q not parsed", l)
			}
		}
	}); n != 0 {
		t.Errorf("%v allocations a run", n)
	}
}

const accessLogSeed = `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"` + "\n"

// FuzzHTTPLines feeds any text to each HTTP parser (the byte picks which)
// and checks what every record must hold: a method, a path without its
// query, a status and size in range, a line and offset of the input.
func FuzzHTTPLines(f *testing.F) {
	for i, s := range []string{accessLogSeed + accessLogTricky, iisW3CSeed, iisEventSeed, zeekHTTPTSVSeed + zeekHTTPTSVRow, zeekHTTPJSONLine} {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		format := httpFormats[int(which)%len(httpFormats)]
		out := parseText(t, format, data)
		starts := lineStarts(data)
		for _, r := range out.http {
			if r.Method == "" || strings.Contains(r.Path, "?") || r.Status < 0 || r.Status > 999 || r.Bytes < record.NoBytes ||
				r.Line < 1 || r.Line > int64(len(starts)) || r.Offset != starts[r.Line-1] {
				t.Fatalf("%s: bad record %+v", format, r)
			}
		}
		for _, s := range out.skips {
			if s.Reason == "" || s.Line < 1 {
				t.Fatalf("%s: bad skip %+v", format, s)
			}
		}
		if len(out.http) > len(starts) || len(out.recs) > 0 {
			t.Fatalf("%s: %d http, %d dns records from %d lines", format, len(out.http), len(out.recs), len(starts))
		}
	})
}

// BenchmarkAccessLog measures the combined-log parser on lines like the
// Apache sample's; it reports records/s beside MB/s and allocs/op.
func BenchmarkAccessLog(b *testing.B) {
	var buf bytes.Buffer
	n := 0
	for ; buf.Len() < 8<<20; n++ {
		fmt.Fprintf(&buf, "10.%d.%d.%d - - [17/May/2015:10:%02d:%02d +0000] \"GET /presentations/logstash-%d/images/kibana-%d.png?v=%d HTTP/1.1\" %d %d \"http://semicomplete.com/presentations/logstash-monitorama-2013/\" \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.%d Safari/537.36\"\n",
			n%256, n/256%256, n%200, n/60%60, n%60, n%97, n%1009, n, 200+n%5, 1000+n%50000, n%557)
	}
	benchLines(b, "access-log", buf.Bytes())
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
