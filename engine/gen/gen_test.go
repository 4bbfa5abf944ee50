package gen

import (
	"bufio"
	"bytes"
	"cmp"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/names"
)

// generated caches one 1M-event log per format: big enough for the
// statistics to hold, generated once per test binary.
var generated = map[string]*struct {
	once  sync.Once
	out   []byte
	truth Truth
}{"csv": {}, "zeek": {}, "tcpdump": {}}

const testLines = 1_000_000

func gen(t *testing.T, format string) ([]byte, Truth) {
	g := generated[format]
	g.once.Do(func() {
		var buf bytes.Buffer
		tr, err := Write(&buf, Options{Lines: testLines, Seed: 42, Format: format})
		if err != nil {
			t.Fatalf("Write %s: %v", format, err)
		}
		g.out, g.truth = buf.Bytes(), tr
	})
	if g.out == nil {
		t.Fatalf("no %s output", format)
	}
	return g.out, g.truth
}

// ev is a line parsed back by the few lines of test code below (the real
// parsers live in engine/parse and are not used here on purpose).
type ev struct {
	t                   time.Time
	client, name, qtype string
	rcode               string // "" when the format does not say
	ttl                 int
	answer              string
}

func lines(b []byte) []string { return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") }

func parseCSV(t *testing.T, b []byte) []ev {
	var out []ev
	for i, l := range lines(b) {
		f := strings.Split(l, ",")
		if len(f) != 5 {
			t.Fatalf("csv line %d: %d fields: %q", i+1, len(f), l)
		}
		ts, err := time.Parse("01/02/2006 15:04:05", f[0])
		ttl, err2 := strconv.Atoi(f[3])
		if err != nil || err2 != nil || f[1] == "" {
			t.Fatalf("csv line %d: %q: %v %v", i+1, l, err, err2)
		}
		e := ev{t: ts, name: f[1], qtype: f[2], ttl: ttl, answer: f[4]}
		if f[4] == "" {
			e.rcode = "NXDOMAIN"
		}
		checkAnswer(t, i+1, e)
		out = append(out, e)
	}
	return out
}

func parseZeek(t *testing.T, b []byte) []ev {
	ls := lines(b)
	if !strings.HasPrefix(ls[0], "#separator \\x09") || !strings.HasPrefix(ls[len(ls)-1], "#close\t") {
		t.Fatalf("zeek header/footer wrong: %q ... %q", ls[0], ls[len(ls)-1])
	}
	var out []ev
	for i, l := range ls {
		if strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 24 {
			t.Fatalf("zeek line %d: %d fields: %q", i+1, len(f), l)
		}
		sec, frac, _ := strings.Cut(f[0], ".")
		s, err := strconv.ParseInt(sec, 10, 64)
		us, err2 := strconv.ParseInt(frac, 10, 64)
		if err != nil || err2 != nil || len(frac) != 6 || len(f[1]) != 18 || f[1][0] != 'C' || f[6] != "udp" || f[10] != "1" {
			t.Fatalf("zeek line %d malformed: %q", i+1, l)
		}
		if n, _ := strconv.Atoi(f[12]); qtypeNames[uint16(n)] != f[13] {
			t.Fatalf("zeek line %d: qtype %s named %s", i+1, f[12], f[13])
		}
		if (f[14] == "3") != (f[15] == "NXDOMAIN") || (f[14] == "3" && f[21] != "-") {
			t.Fatalf("zeek line %d: rcode/answers disagree: %q", i+1, l)
		}
		e := ev{t: time.UnixMicro(s*1e6 + us).UTC(), client: f[2], name: f[9], qtype: f[13], rcode: f[15], answer: f[21]}
		if f[21] != "-" {
			ttl, _, _ := strings.Cut(f[22], ".")
			e.ttl, _ = strconv.Atoi(ttl)
			checkAnswer(t, i+1, e)
		}
		out = append(out, e)
	}
	return out
}

func checkAnswer(t *testing.T, line int, e ev) {
	if e.rcode == "NXDOMAIN" {
		return
	}
	switch e.qtype {
	case "A", "AAAA":
		a, err := netip.ParseAddr(e.answer)
		if err != nil || a.Is4() != (e.qtype == "A") || a.IsPrivate() || a.IsLoopback() {
			t.Fatalf("line %d: bad %s answer %q", line, e.qtype, e.answer)
		}
	}
}

func TestCSVShapeAndPopularity(t *testing.T) {
	out, truth := gen(t, "csv")
	evs := parseCSV(t, out)
	if len(evs) != testLines {
		t.Fatalf("%d lines, want %d", len(evs), testLines)
	}
	start, end := DefaultStart, DefaultStart.AddDate(0, 0, 7)
	anomalous := func(n string) bool {
		return n == truth.BeaconName || slices.Contains(truth.DGANames, n) || strings.HasSuffix(n, "."+truth.TunnelDomain)
	}
	counts := map[string]int{}
	cache := names.NewCache(0)
	nx := 0
	for i, e := range evs {
		if e.t.Before(start) || !e.t.Before(end) || i > 0 && e.t.Before(evs[i-1].t) {
			t.Fatalf("line %d: time %v out of order or span", i+1, e.t)
		}
		if e.rcode == "NXDOMAIN" {
			nx++
		}
		if !anomalous(e.name) {
			counts[cache.RegisteredDomain([]byte(e.name))]++
		}
	}
	if share := float64(nx) / float64(len(evs)); share < 0.015 || share > 0.05 {
		t.Errorf("NXDOMAIN share %.3f, want 2-4%%", share)
	}

	// Heavy tail: the top 1% of domains hold a large share; most are rare.
	doms := slices.Collect(maps.Keys(counts))
	slices.SortFunc(doms, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	top, rare := 0, 0
	for i, d := range doms {
		if i < len(doms)/100 {
			top += counts[d]
		}
		if counts[d] <= 3 {
			rare++
		}
	}
	t.Logf("%d registered domains; top 1%% hold %.1f%%; %.1f%% seen ≤ 3 times", len(doms), 100*float64(top)/float64(len(evs)), 100*float64(rare)/float64(len(doms)))
	if len(doms) < 50_000 {
		t.Errorf("only %d registered domains", len(doms))
	}
	if float64(top) < 0.4*float64(len(evs)) {
		t.Errorf("top 1%% of domains hold only %d of %d events", top, len(evs))
	}
	if rare < len(doms)/2 {
		t.Errorf("only %d of %d domains seen ≤ 3 times", rare, len(doms))
	}
	if len(truth.Popular) != 50 {
		t.Fatalf("Truth.Popular has %d names", len(truth.Popular))
	}
	want := doms[:50]
	slices.Sort(want)
	got := slices.Sorted(slices.Values(truth.Popular))
	if !slices.Equal(got, want) {
		t.Errorf("Truth.Popular = %v\nrecount gives %v", got, want)
	}
}

func TestDiurnalRhythm(t *testing.T) {
	out, _ := gen(t, "csv")
	var perHour [7][24]int
	for _, e := range parseCSV(t, out) {
		perHour[int(e.t.Sub(DefaultStart)/(24*time.Hour))][e.t.Hour()]++
	}
	day := func(d int) (total, office, night int) {
		for h, n := range perHour[d] {
			total += n
			if h >= 10 && h < 16 {
				office += n
			}
			if h >= 1 && h < 5 {
				night += n
			}
		}
		return
	}
	for d := 0; d < 5; d++ { // Monday to Friday
		total, office, night := day(d)
		if office/6 < 5*(night/4) {
			t.Errorf("day %d: office hours %d/h, night %d/h: no day/night rhythm", d, office/6, night/4)
		}
		if sat, _, _ := day(5); sat*2 > total {
			t.Errorf("Saturday %d events vs weekday %d: weekend not quieter", sat, total)
		}
	}
}

func TestAnomalies(t *testing.T) {
	out, truth := gen(t, "zeek")
	evs := parseZeek(t, out)
	if len(evs) != testLines {
		t.Fatalf("%d events, want %d", len(evs), testLines)
	}
	planted := 0

	// Tunnel: thousands of unique long encoded names, mostly TXT, one or two clients.
	tunnelNames, tunnelClients, txt, tn := map[string]bool{}, map[string]bool{}, 0, 0
	enc := regexp.MustCompile(`^[a-z2-7]{40,60}$`)
	// Beacon: one client, one name, every 60 s ± a few seconds.
	var beacon []ev
	dga := map[string]int{}
	dgaNX := 0
	for _, e := range evs {
		switch {
		case strings.HasSuffix(e.name, "."+truth.TunnelDomain):
			tn++
			tunnelNames[e.name] = true
			tunnelClients[e.client] = true
			if e.qtype == "TXT" {
				txt++
			}
			if l, _, _ := strings.Cut(e.name, "."); !enc.MatchString(l) {
				t.Fatalf("tunnel label %q not 40-60 base32 chars", l)
			}
			if strings.Count(e.name, ".") < 3 {
				t.Fatalf("tunnel name %q has too few labels", e.name)
			}
		case e.name == truth.BeaconName:
			beacon = append(beacon, e)
		case slices.Contains(truth.DGANames, e.name):
			dga[e.name]++
			if e.rcode == "NXDOMAIN" {
				dgaNX++
			}
		default:
			continue
		}
		planted++
	}
	if names.RegisteredDomain(truth.TunnelDomain) != truth.TunnelDomain {
		t.Errorf("tunnel domain %q is not a registered domain", truth.TunnelDomain)
	}
	if len(tunnelNames) < 1000 || len(tunnelNames) < tn*9/10 || len(tunnelClients) > 2 || txt*2 < tn {
		t.Errorf("tunnel: %d events, %d unique names, %d clients, %d TXT", tn, len(tunnelNames), len(tunnelClients), txt)
	}
	if n := 7 * 1440; len(beacon) < n-2 || len(beacon) > n+2 {
		t.Errorf("beacon seen %d times, want about %d", len(beacon), n)
	}
	for i, e := range beacon {
		if e.client != truth.BeaconClient {
			t.Fatalf("beacon asked by %s, want %s", e.client, truth.BeaconClient)
		}
		if d := e.t.Sub(beacon[max(i-1, 0)].t); i > 0 && (d < 54*time.Second || d > 66*time.Second) {
			t.Fatalf("beacon interval %v at %v", d, e.t)
		}
	}
	if len(truth.DGANames) < 5 || len(dga) != len(truth.DGANames) {
		t.Errorf("%d DGA names planted, %d seen", len(truth.DGANames), len(dga))
	}
	for n, c := range dga {
		if c < 1 || c > 2 || !regexp.MustCompile(`^[a-z0-9]{10,17}\.[a-z]+$`).MatchString(n) {
			t.Errorf("DGA name %q seen %d times", n, c)
		}
	}
	total := 0
	for _, c := range dga {
		total += c
	}
	if dgaNX*2 < total {
		t.Errorf("only %d of %d DGA queries NXDOMAIN", dgaNX, total)
	}
	if planted*50 > len(evs) {
		t.Errorf("planted events are %d of %d lines: not a tiny share", planted, len(evs))
	}
}

var (
	tdQuery = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}) IP (10\.0\.\d+\.\d+)\.(\d+) > 10\.0\.0\.53\.53: (\d+)\+( \[1au\])? (A|AAAA|TXT|MX|PTR|SRV|CNAME|Type65)\? (\S+)\. \((\d+)\)$`)
	tdResp  = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}) IP 10\.0\.0\.53\.53 > (10\.0\.\d+\.\d+)\.(\d+): (\d+) (NXDomain 0/1/[01]|1/0/[01] (A|AAAA|TXT|MX|PTR|SRV|CNAME|Type65)( .+)?) \((\d+)\)$`)
)

func TestTcpdumpShape(t *testing.T) {
	var buf bytes.Buffer
	const n = 100_000
	if _, err := Write(&buf, Options{Lines: n, Seed: 3, Format: "tcpdump"}); err != nil {
		t.Fatal(err)
	}
	open := map[string]string{} // client.port/id → qtype
	queries, prev := 0, ""
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		l := sc.Text()
		if l[:26] < prev {
			t.Fatalf("line out of time order: %q after %s", l, prev)
		}
		prev = l[:26]
		if m := tdQuery.FindStringSubmatch(l); m != nil {
			queries++
			open[m[2]+"."+m[3]+"/"+m[4]] = m[6]
			continue
		}
		m := tdResp.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("malformed line %q", l)
		}
		key := m[2] + "." + m[3] + "/" + m[4]
		if q, ok := open[key]; !ok || m[6] != "" && m[6] != q {
			t.Fatalf("response %q answers no open query (%q)", l, q)
		}
		delete(open, key)
	}
	if queries != n || len(open) != 0 {
		t.Errorf("%d queries, %d without response", queries, len(open))
	}
}

func TestDeterministic(t *testing.T) {
	run := func(seed int64) ([]byte, Truth) {
		var buf bytes.Buffer
		tr, err := Write(&buf, Options{Lines: 20_000, Seed: seed, Format: "zeek", Days: 2})
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), tr
	}
	a, ta := run(9)
	b, tb := run(9)
	if !bytes.Equal(a, b) || !slices.Equal(ta.DGANames, tb.DGANames) || ta.TunnelDomain != tb.TunnelDomain || !slices.Equal(ta.Popular, tb.Popular) {
		t.Error("same seed, different output")
	}
	if c, _ := run(10); bytes.Equal(a, c) {
		t.Error("different seeds, same output")
	}
}

func TestFormatsCarryTheSameEvents(t *testing.T) {
	write := func(f string) Truth {
		tr, err := Write(&bytes.Buffer{}, Options{Lines: 5000, Seed: 1, Format: f})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	if a, b := write("csv"), write("tcpdump"); !slices.Equal(a.Popular, b.Popular) || a.BeaconName != b.BeaconName {
		t.Error("csv and tcpdump runs of one seed differ")
	}
	if _, err := Write(&bytes.Buffer{}, Options{Lines: 1, Format: "json"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestSmallLogsStayMostlyNormal(t *testing.T) {
	var buf bytes.Buffer
	tr, err := Write(&buf, Options{Lines: 10_000, Seed: 5, Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	evs := parseCSV(t, buf.Bytes())
	planted := 0
	for _, e := range evs {
		if e.name == tr.BeaconName || strings.HasSuffix(e.name, "."+tr.TunnelDomain) || slices.Contains(tr.DGANames, e.name) {
			planted++
		}
	}
	if len(evs) != 10_000 || planted > 500 {
		t.Errorf("%d lines, %d planted", len(evs), planted)
	}
}

func BenchmarkWriteCSV(b *testing.B)     { benchWrite(b, "csv") }
func BenchmarkWriteZeek(b *testing.B)    { benchWrite(b, "zeek") }
func BenchmarkWriteTcpdump(b *testing.B) { benchWrite(b, "tcpdump") }

// benchWrite reports throughput for a 2M-event log, world building
// included.
func benchWrite(b *testing.B, format string) {
	var size countWriter
	for b.Loop() {
		size = 0
		if _, err := Write(&size, Options{Lines: 2_000_000, Seed: 1, Format: format}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(size))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2e6, "ns/line")
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
