package score

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/subject"
)

// dns stores a DNS query with its type and answer text.
func (w *webWorkspace) dns(tm int64, client, name string, qtype uint16, rcode int16, answer string) {
	in := w.l.Interner
	w.lines++
	w.batch.Events = append(w.batch.Events, db.Event{Time: tm, Name: in.Name(uint8(subject.DNSName), []byte(name), names.RegisteredDomain),
		Client: in.Client([]byte(client)), Answer: in.Answer([]byte(answer)), Source: w.batch.Source, QType: qtype, RCode: rcode, TTL: 60, Line: w.lines})
	w.batch.Records++
}

const (
	qA, qPTR, qTXT, qSRV = 1, 12, 16, 33
	nx                   = 3
)

func randomLetters(rng *rand.Rand, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// Planted in windowsWorld.
const (
	downloadDomain = "mailsync.net"                               // numeric labels, base64 TXT answers
	randomSub      = "q7fz2kxm9wpl4tbr.onrec.net"                 // a random label under a plain domain
	hiddenTunnel   = "exfil-cdn.com"                              // data labels behind an underscore label
	lookAlike      = "login.microsoftonline.com.signin-check.net" // a whole name before a domain, resolving
	mdnsInstance   = "black-pearl [b8:27:eb:c7:e9:c9]._workstation._tcp.local"
)

// windowsWorld is two days of a Windows domain's DNS: 40 clients
// browsing ordinary sites, their domain controller's locator queries,
// browser probes, reverse lookups, printers announced over mDNS and WPAD
// lookups; and, from single clients, a download channel in TXT answers,
// a random label under a short domain and a tunnel that hides behind an
// underscore label.
func windowsWorld(t *testing.T) *webWorkspace {
	rng := rand.New(rand.NewPCG(14, 1))
	w := newWebWorkspace(t)
	client := func(i int) string { return fmt.Sprintf("10.0.0.%d", 10+i) }
	const clients = 40
	for i := range 80 {
		label := wordy(rng)
		for range 40 {
			w.dns(start+rng.Int64N(2*day), client(rng.IntN(clients)), "www."+label+".com", qA, 0, fmt.Sprintf("93.184.%d.%d", i, 1+i%7))
		}
	}
	// Long labels below ordinary domains: words, and a hex id that half
	// the network asks.
	for range 30 {
		name := wordy(rng) + wordy(rng) + "." + wordy(rng) + ".com"
		for range 20 {
			w.dns(start+rng.Int64N(2*day), client(rng.IntN(clients)), name, qA, 0, "192.0.2.80")
		}
	}
	for c := range clients / 2 {
		w.dns(start+rng.Int64N(2*day), client(c), "3f9a1c7e5b2d4f60.statsgreen.com", qA, 0, "192.0.2.81")
	}
	// The domain controller's locator, every 30 min from every client;
	// the PDC lookups fail (48% NXDOMAIN in all).
	site := "_ldap._tcp.default-first-site-name._sites.dc._msdcs.corp.local"
	for c := range clients {
		for k := range 96 {
			tm := start + int64(k)*30*minute + rng.Int64N(minute)
			w.dns(tm, client(c), "_ldap._tcp.dc._msdcs.corp.local", qSRV, 0, "0 100 389 dc01.corp.local")
			w.dns(tm+1e5, client(c), site, qSRV, 0, "0 100 389 dc01.corp.local")
			w.dns(tm+2e5, client(c), "_ldap._tcp.pdc._msdcs.corp.local", qSRV, nx, "")
			w.dns(tm+3e5, client(c), "_ldap._tcp.5d8e1a2c-3b4f-4c6d-8e9f-0a1b2c3d4e5f.domains._msdcs.corp.local", qSRV, nx, "")
			w.dns(tm+4e5, client(c), "dc01.corp.local", qA, 0, "10.0.0.2")
		}
		// Browser probes at start-up and network changes: random single
		// labels, and one with the search suffix.
		for k := range 4 {
			tm := start + int64(k)*12*60*minute + rng.Int64N(60*minute)
			for range 3 {
				w.dns(tm, client(c), randomLetters(rng, 7+rng.IntN(9), "abcdefghijklmnopqrstuvwxyz"), qA, nx, "")
			}
			w.dns(tm, client(c), randomLetters(rng, 7+rng.IntN(9), "abcdefghijklmnopqrstuvwxyz")+".corp.local", qA, nx, "")
		}
		// The search suffix appended to names it resolves.
		w.dns(start+rng.Int64N(2*day), client(c), "d2x7kq9zpl4mwv.cloudfront.net.corp.local", qA, nx, "")
		w.dns(start+rng.Int64N(2*day), client(c), "www.bluestone.com.corp.local", qA, nx, "")
		// Reverse lookups of the hosts it talks to.
		for range 20 {
			rc := int16(0)
			if rng.IntN(2) == 0 {
				rc = nx
			}
			w.dns(start+rng.Int64N(2*day), client(c), fmt.Sprintf("%d.%d.168.192.in-addr.arpa", rng.IntN(254)+1, rng.IntN(254)+1), qPTR, rc, "")
		}
	}
	// A printer's services every 60 min, WPAD every 10 min, both from one
	// client: timers, and WPAD always fails.
	for k := range 48 {
		w.dns(start+int64(k)*60*minute, client(5), "_ipp._tcp.local", qPTR, 0, "printer._ipp._tcp.local")
		w.dns(start+int64(k)*60*minute+1e6, client(5), "printer.local", qA, 0, "10.0.0.3")
		w.dns(start+int64(k)*60*minute+2e6, client(6), mdnsInstance, 255, 0, "")
	}
	for k := range 288 {
		w.dns(start+int64(k)*10*minute, client(7), "wpad.corp.local", qA, nx, "")
		w.dns(start+int64(k)*10*minute+1e6, client(8), "wpad.home.arpa", qA, nx, "")
		w.dns(start+int64(k)*10*minute+2e6, client(9), "ipv4only.arpa", 28, 0, "")
	}
	// Everyday TXT: a mail server checks SPF and site verifications.
	for k := range 300 {
		w.dns(start+rng.Int64N(2*day), client(2), "bluemarket.com", qTXT, 0, fmt.Sprintf("v=spf1 include:_spf.mail%d.example ip4:192.0.2.%d ~all", k%6, k%6))
	}
	// The download channel: numbered chunks, each a long base64 TXT.
	for k := range 200 {
		chunk := make([]byte, 180)
		for i := range chunk {
			chunk[i] = byte(rng.IntN(256))
		}
		w.dns(start+day+int64(k)*3e6, client(21), fmt.Sprintf("%d.%s", k, downloadDomain), qTXT, 0, base64.StdEncoding.EncodeToString(chunk))
	}
	// A random label under a short, unremarkable domain, asked now and
	// then by one client.
	for range 6 {
		w.dns(start+rng.Int64N(2*day), client(22), randomSub, qA, 0, "198.51.100.7")
	}
	// A look-alike that holds a whole name, and resolves.
	for range 5 {
		w.dns(start+rng.Int64N(2*day), client(24), lookAlike, qA, 0, "203.0.113.10")
	}
	// A tunnel behind an underscore label: its data labels give it away.
	b32 := "abcdefghijklmnopqrstuvwxyz234567"
	for k := range 150 {
		w.dns(start+day+int64(k)*2e6, client(23), randomLetters(rng, 50, b32)+"._tcp."+hiddenTunnel, qA, 0, "203.0.113.9")
	}
	return w
}

// TestInfrastructureDiscounted: the locator, probes, reverse lookups, mDNS
// and WPAD are recognised and say so, score nothing on their shape, and
// rank below what was planted; corp.local is its own domain.
func TestInfrastructureDiscounted(t *testing.T) {
	w := windowsWorld(t)
	d := w.done()
	doms := ranked(t, d, subject.DNSName, true)
	rank := map[string]int{}
	for i, r := range doms {
		rank[r.name] = i
	}
	if _, ok := rank["corp.local"]; !ok {
		t.Fatalf("corp.local is not a domain of its own: %v", doms[:min(10, len(doms))])
	}
	for _, r := range doms {
		if r.name == "signin-check.net" && r.why(SigDiscounted) != "" {
			t.Errorf("a look-alike was discounted as a search-list expansion: %+v", r.score)
		}
		if r.name == hiddenTunnel {
			if r.why(SigDiscounted) != "" || r.score.Score < 50 {
				t.Errorf("the tunnel behind _tcp was discounted: %+v", r.score)
			}
			continue
		}
		if !internal(r.name) && !isReverse(r.name) && strings.Contains(r.name, ".") {
			continue
		}
		if r.why(SigDiscounted) == "" && r.name != "corp.local" {
			t.Errorf("%s: no discount: %+v", r.name, r.score)
		}
		if r.score.Score > 5 {
			t.Errorf("%s scores %.1f: %+v", r.name, r.score.Score, r.score)
		}
	}
	if rank["corp.local"] < rank[hiddenTunnel] {
		t.Errorf("corp.local outranks the tunnel")
	}
	want := map[string]string{
		"_ldap._tcp.dc._msdcs.corp.local":                                           "service discovery",
		"_ldap._tcp.5d8e1a2c-3b4f-4c6d-8e9f-0a1b2c3d4e5f.domains._msdcs.corp.local": "service discovery",
		"_ipp._tcp.local": "service discovery",
		"wpad.corp.local": "service discovery",
		"wpad.home.arpa":  "service discovery", // under .arpa, and no reverse lookup
		"ipv4only.arpa":   "service discovery",
		"printer.local":   ".local",
		mdnsInstance:      "service discovery",
		"d2x7kq9zpl4mwv.cloudfront.net.corp.local": "search-list expansion",
		"www.bluestone.com.corp.local":             "search-list expansion",
	}
	found := map[string]bool{}
	for _, r := range ranked(t, d, subject.DNSName, false) {
		class := want[r.name]
		switch {
		case strings.HasSuffix(r.name, ".in-addr.arpa"):
			class = "reverse lookup"
		case !strings.Contains(r.name, ".") || strings.HasSuffix(r.name, ".corp.local") && probeLabel(strings.TrimSuffix(r.name, ".corp.local")):
			class = "resolver probe"
		}
		if class == "" {
			continue
		}
		found[class] = true
		if why := r.why(SigDiscounted); !strings.Contains(why, class) || r.score.Score != 0 {
			t.Errorf("%s: want a %q discount and no score: %+v", r.name, class, r.score)
		}
	}
	if len(found) != 5 {
		t.Errorf("classes seen: %v", found)
	}
}

// TestDownloadChannelInAnswers: short numbered names whose TXT answers
// carry base64 rank near the top, with the reason; everyday TXT does not.
func TestDownloadChannelInAnswers(t *testing.T) {
	d := windowsWorld(t).done()
	doms := ranked(t, d, subject.DNSName, true)
	for i, r := range doms {
		if r.name == "bluemarket.com" && r.why(SigAnswers) != "" {
			t.Errorf("SPF lookups carry data: %+v", r.score)
		}
		if r.name != downloadDomain {
			continue
		}
		if why := r.why(SigAnswers); i > 1 || r.score.Score < 50 || !strings.Contains(why, "200 distinct answers of 240 bytes") || !strings.Contains(why, "100% TXT") {
			t.Errorf("%s ranks %d: %+v (top: %+v)", r.name, i+1, r.score, doms[:3])
		}
		return
	}
	t.Fatalf("%s not scored", downloadDomain)
}

// TestRandomLabelBelowDomain: a random label under a plain domain is
// judged by itself, ranks among the first and says which label; long
// word labels and a hex id much of the network asks do not outrank it.
func TestRandomLabelBelowDomain(t *testing.T) {
	d := windowsWorld(t).done()
	doms := ranked(t, d, subject.DNSName, true)
	_, reg, _ := strings.Cut(randomSub, ".")
	for i, r := range doms {
		if r.name != reg {
			continue
		}
		if i > 2 || !strings.Contains(r.why(SigDGA), `label "q7fz2kxm9wpl4tbr"`) {
			t.Errorf("%s ranks %d: %+v (top: %+v)", r.name, i+1, r.score, doms[:4])
		}
	}
	nms := ranked(t, d, subject.DNSName, false)
	for _, r := range nms {
		if r.name == randomSub {
			break
		}
		if !strings.HasSuffix(r.name, hiddenTunnel) && !strings.HasSuffix(r.name, downloadDomain) {
			t.Errorf("%s (%.1f: %+v) outranks %s", r.name, r.score.Score, r.score.Contribs, randomSub)
		}
	}
}

// TestPollutedNormal: most of the log's queries and domains are one
// botnet's generated names, from three infected clients, most failing;
// the 20 that resolved must still rank above every ordinary domain, as
// the model learns normal from what many clients ask.
func TestPollutedNormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 4))
	w := newWebWorkspace(t)
	client := func(i int) string { return fmt.Sprintf("10.1.0.%d", 10+i) }
	normal := map[string]bool{}
	for i := range 150 {
		name := wordy(rng) + fmt.Sprint(i%3) + ".com"
		normal[name] = true
		for range 2 + rng.IntN(8) {
			w.dns(start+rng.Int64N(2*day), client(3+rng.IntN(27)), "www."+name, qA, 0, fmt.Sprintf("192.0.2.%d", i))
		}
	}
	resolved := map[string]bool{}
	for i := range 2000 {
		name := randomLetters(rng, 12+rng.IntN(5), "abcdefghijklmnopqrstuvwxyz") + ".net"
		rc := int16(nx)
		if i%100 == 0 {
			rc, resolved[name] = 0, true
		}
		for c := range 3 {
			for range 10 {
				w.dns(start+rng.Int64N(2*day), client(c), name, qA, rc, "")
			}
		}
	}
	d := w.done()
	doms := ranked(t, d, subject.DNSName, true)
	seen := 0
	for i, r := range doms {
		if resolved[r.name] {
			seen++
			if !slices.ContainsFunc(r.score.Contribs, func(c db.Contribution) bool { return c.Signal == SigDGA && c.Points >= 10 }) {
				t.Errorf("%s (rank %d): %+v", r.name, i+1, r.score)
			}
		}
		if normal[r.name] && seen < len(resolved) {
			t.Fatalf("%s (%.1f: %+v) ranks %d, above %d of the %d generated names that resolved", r.name, r.score.Score, r.score.Contribs, i+1, len(resolved)-seen, len(resolved))
		}
	}
}

// Planted in cloudWorld.
const (
	storageTenant = "st7q2kd9vm4pl3wx.blob.core.windows.net" // a storage account: a tenant, not a generated name
	adDomain      = "hq.contoso-corp.com"                    // an AD domain under a public suffix
)

// cloudWorld is windowsWorld with what a Windows network asks of clouds:
// a storage account and a CDN distribution (tenants under suffixes of
// the PSL's private section), Windows' network-footprint probes (a
// 32-hex-digit identifier per query, answered with a CDN's CNAME) from
// every client, and a second AD domain, under a public suffix, whose
// locator queries and browser probes (random labels with its suffix
// appended) come from every client.
func cloudWorld(t *testing.T) *webWorkspace {
	w := windowsWorld(t)
	rng := rand.New(rand.NewPCG(14, 9))
	client := func(i int) string { return fmt.Sprintf("10.0.0.%d", 10+i) }
	for range 8 {
		w.dns(start+rng.Int64N(2*day), client(30), storageTenant, qA, 0, "20.60.1.4")
		w.dns(start+rng.Int64N(2*day), client(31), "d9xk2mq7vz4pwl.cloudfront.net", qA, 0, "198.51.100.90")
	}
	for c := range 40 {
		for range 3 {
			tm := start + rng.Int64N(2*day)
			w.dns(tm, client(c), randomLetters(rng, 32, "0123456789abcdef")+".clo.footprintdns.com", qA, 0, "cq1prdapp01-canary.cloudapp.net")
		}
		for k := range 8 {
			tm := start + int64(k)*6*60*minute + rng.Int64N(minute)
			w.dns(tm, client(c), "_ldap._tcp.dc._msdcs."+adDomain, qSRV, 0, "0 100 389 dc1."+adDomain)
			w.dns(tm+1e5, client(c), randomLetters(rng, 7+rng.IntN(9), "abcdefghijklmnopqrstuvwxyz")+"."+adDomain, qA, nx, "")
		}
	}
	return w
}

// TestCloudAndADDiscounted: tenants under a provider's suffix are not
// judged as generated names, Windows' footprint probes are not a tunnel,
// and browser probes under an AD domain with a public suffix are probes;
// each says why, and the planted channels stay on top.
func TestCloudAndADDiscounted(t *testing.T) {
	d := cloudWorld(t).done()
	doms := ranked(t, d, subject.DNSName, true)
	rank := map[string]int{}
	for i, r := range doms {
		rank[r.name] = i + 1
		switch r.name {
		case storageTenant, "d9xk2mq7vz4pwl.cloudfront.net":
			if r.why(SigDGA) != "" || !strings.Contains(r.why(SigDiscounted), "tenant") {
				t.Errorf("%s (rank %d): %+v", r.name, i+1, r.score)
			}
		case "footprintdns.com":
			if r.score.Score != 0 || !strings.Contains(r.why(SigDiscounted), "identifier probe") {
				t.Errorf("%s (rank %d): %+v", r.name, i+1, r.score)
			}
		case "contoso-corp.com":
			if r.score.Score > 5 || !strings.Contains(r.why(SigDiscounted), "of its names are infrastructure") {
				t.Errorf("%s (rank %d): %+v", r.name, i+1, r.score)
			}
		}
	}
	probes := 0
	for _, r := range ranked(t, d, subject.DNSName, false) {
		if strings.HasSuffix(r.name, "."+adDomain) && !strings.HasPrefix(r.name, "_") {
			probes++
			if r.score.Score != 0 || !strings.Contains(r.why(SigDiscounted), "resolver probe") {
				t.Errorf("%s: %+v", r.name, r.score)
			}
		}
	}
	if probes < 100 {
		t.Errorf("%d probes under %s", probes, adDomain)
	}
	for _, want := range []string{hiddenTunnel, downloadDomain} {
		if r := rank[want]; r < 1 || r > 2 {
			t.Errorf("%s ranks %d, want 1 or 2 (top: %+v)", want, r, doms[:3])
		}
	}
	for _, n := range []string{storageTenant, "footprintdns.com", "contoso-corp.com"} {
		if rank[n] == 0 {
			t.Errorf("%s not scored", n)
		}
	}
}

// TestEveryPointExplained: every contribution of every score says why in
// words, low scores too (their words are each signal's in brief), and
// every signal of every kind has those words.
func TestEveryPointExplained(t *testing.T) {
	for _, ws := range []map[string]float64{weights, httpWeights, logonWeights} {
		for sig := range ws {
			if briefWhy[sig] == "" {
				t.Errorf("signal %s has no words in brief", sig)
			}
		}
	}
	d := cloudWorld(t).done()
	low := 0
	for _, groups := range []bool{false, true} {
		for _, r := range ranked(t, d, subject.DNSName, groups) {
			for _, c := range r.score.Contribs {
				if c.Why == "" {
					t.Errorf("%s %.1f: %s %.1f has no reason", r.name, r.score.Score, c.Signal, c.Points)
				}
				if r.score.Score < MinExplained && c.Points > 0 {
					low++
				}
			}
		}
	}
	if low == 0 {
		t.Error("no score under MinExplained with points to explain")
	}
}
