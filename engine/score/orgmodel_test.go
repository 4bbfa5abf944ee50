package score

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
)

// Planted in orgWorld.
const (
	orgRandom   = "q7kx2mzt9vbw4pnr.corp.local" // a random host among the scheme's
	orgScheme   = "bosvmprt0311.corp.local"     // the scheme's, asked by one client
	orgRetired  = "chivmsql0007.corp.local"     // the scheme's, retired: fails
	orgExternal = "nycvmsql0147.example-hosting.net"
)

// orgWorld is windowsWorld whose AD domain, corp.local, names its
// servers by a scheme (site, "vm", role, number: nycvmsql0147), which
// reads as generated to the public model; one client asks a random host
// under it, one a host of the scheme no one else asks, and some retired
// hosts of the scheme fail as the organisation's stale names do.
func orgWorld(t *testing.T) *webWorkspace {
	w := windowsWorld(t)
	rng := rand.New(rand.NewPCG(14, 40))
	client := func(i int) string { return fmt.Sprintf("10.0.0.%d", 10+i) }
	sites, roles := []string{"nyc", "bos", "chi"}, []string{"sql", "web", "app", "fs", "prt", "dc"}
	for k := range 45 {
		host := fmt.Sprintf("%svm%s%04d.corp.local", sites[k%3], roles[k%6], rng.IntN(2000))
		rc := int16(0)
		if k%5 == 0 { // retired, still asked: the organisation's normal failures
			rc = nx
		}
		for range 3 + rng.IntN(6) {
			w.dns(start+rng.Int64N(2*day), client(rng.IntN(40)), host, qA, rc, fmt.Sprintf("10.1.%d.%d", k/200, k%200+1))
		}
	}
	for range 4 {
		w.dns(start+rng.Int64N(2*day), client(25), orgRandom, qA, 0, "10.1.9.9")
		w.dns(start+rng.Int64N(2*day), client(26), orgScheme, qA, 0, "10.1.9.10")
		w.dns(start+rng.Int64N(2*day), client(26), orgExternal, qA, 0, "198.51.100.77")
	}
	for range 3 {
		w.dns(start+rng.Int64N(2*day), client(27), orgRetired, qA, nx, "")
	}
	return w
}

// TestOrgOwnHistory: names under the AD domain are judged against its own
// names: the random host stands out, says so and outranks every other
// name of corp.local; the scheme's hosts do not (the same label under a
// public domain still does), the locator is not judged, no name of it is
// judged by the public tunnel shape, and a retired host's failures are
// weighed against the organisation's own.
func TestOrgOwnHistory(t *testing.T) {
	d := orgWorld(t).done()
	got := map[string]db.Score{}
	rank := map[string]int{}
	for i, r := range ranked(t, d, subject.DNSName, false) {
		got[r.name], rank[r.name] = r.score, i+1
	}
	why := func(name, signal string) string {
		for _, c := range got[name].Contribs {
			if c.Signal == signal {
				return c.Why
			}
		}
		return ""
	}
	if w := why(orgRandom, SigDGA); !strings.Contains(w, `label "q7kx2mzt9vbw4pnr"`) || !strings.Contains(w, "the other names of corp.local") || points(got[orgRandom], SigDGA) < 20 {
		t.Errorf("%s (rank %d): %+v", orgRandom, rank[orgRandom], got[orgRandom])
	}
	if p := points(got[orgScheme], SigDGA); p >= 5 || rank[orgScheme] < rank[orgRandom] {
		t.Errorf("%s (rank %d) judged as generated: %+v", orgScheme, rank[orgScheme], got[orgScheme])
	}
	if p := points(got[orgExternal], SigDGA); p < 10 {
		t.Errorf("the scheme's label under a public domain is not judged by the public model: %+v", got[orgExternal])
	}
	for name, sc := range got {
		if strings.HasSuffix(name, ".corp.local") && name != orgRandom && sc.Score >= got[orgRandom].Score {
			t.Errorf("%s (%+v) outranks %s", name, sc, orgRandom)
		}
		if strings.HasSuffix(name, ".corp.local") && why(name, SigTunnel) != "" {
			t.Errorf("%s is judged by the public tunnel shape: %+v", name, sc)
		}
	}
	if w := why("_ldap._tcp.dc._msdcs.corp.local", SigDGA); w != "" {
		t.Errorf("the locator judged as generated: %s", w)
	}
	if w := why(orgRetired, SigFailure); !strings.Contains(w, "the other names of corp.local fail 1% of theirs") {
		t.Errorf("%s: %+v", orgRetired, got[orgRetired])
	}
}

// TestOrgOf: the organisation of a name is the AD domain it is under,
// else its registered domain under a suffix nobody registers, else that
// suffix; public names have none.
func TestOrgOf(t *testing.T) {
	ad := []string{"hq.contoso-corp.com", "corp.local"}
	for _, c := range []struct{ name, domain, want string }{
		{"ws-0231.hq.contoso-corp.com", "contoso-corp.com", "hq.contoso-corp.com"},
		{"www.contoso-corp.com", "contoso-corp.com", ""},
		{"dc01.corp.local", "corp.local", "corp.local"},
		{"nas.corp.lan", "corp.lan", "corp.lan"},
		{"nas.home.arpa", "nas.home.arpa", "home.arpa"},
		{"srv.corp", "srv.corp", "corp"},
		{"www.example.com", "example.com", ""},
	} {
		if got := orgOf(c.name, c.domain, ad); got != c.want {
			t.Errorf("orgOf(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestOrgNotSpoofed: a tunnel's client that asks a locator name under the
// tunnel's domain does not make it an organisation with a history of its
// own: an AD domain under a public suffix is one only when a quarter of
// the clients or more ask its registered domain.
func TestOrgNotSpoofed(t *testing.T) {
	w := windowsWorld(t)
	w.dns(start+day, "10.0.0.33", "_ldap._tcp.dc._msdcs."+hiddenTunnel, qSRV, nx, "")
	d := w.done()
	for _, r := range ranked(t, d, subject.DNSName, true) {
		if r.name == hiddenTunnel {
			if r.why(SigTunnel) == "" || r.score.Score < 50 {
				t.Errorf("the tunnel escaped as an organisation's names: %+v", r.score)
			}
			return
		}
	}
	t.Fatalf("%s not scored", hiddenTunnel)
}

// spoofScores builds windowsWorld with plant's names twice, the second
// time with one locator query for ad (_ldap._tcp.dc._msdcs.ad) from
// client, and returns each time the best score of the rows (domains with
// groups) that match picks; match is told which time it is.
func spoofScores(t *testing.T, plant func(w *webWorkspace, rng *rand.Rand), client, ad string, groups bool,
	match func(r rankedValue, spoofed bool) bool) (plain, spoofed float64) {
	t.Helper()
	world := func(spoof bool) float64 {
		w := windowsWorld(t)
		plant(w, rand.New(rand.NewPCG(3, 3)))
		if spoof {
			w.dns(start+day, client, "_ldap._tcp.dc._msdcs."+ad, qSRV, nx, "")
		}
		best := -1.0
		for _, r := range ranked(t, w.done(), subject.DNSName, groups) {
			if match(r, spoof) {
				best = max(best, r.score.Score)
			}
		}
		if best < 0 {
			t.Fatal("nothing planted was scored")
		}
		return best
	}
	return world(false), world(true)
}

// One locator query does not make a domain an Active Directory's: a C2
// whose client asks _ldap._tcp.dc._msdcs under its domain keeps its
// failing random single labels judged, not discounted as a browser's
// resolver probes under the network's own domain.
func TestADNotSpoofedForProbes(t *testing.T) {
	const c2 = "c2-relay.com"
	plain, spoofed := spoofScores(t, func(w *webWorkspace, rng *rand.Rand) {
		for i := range 60 {
			label := make([]byte, 8+i%7)
			for j := range label {
				label[j] = byte('a' + rng.IntN(26))
			}
			w.dns(start+int64(i)*60_000_000, "10.0.0.77", string(label)+"."+c2, qA, nx, "")
		}
	}, "10.0.0.77", c2, true, func(r rankedValue, spoofed bool) bool {
		if why := r.why(SigDiscounted); r.name == c2 && spoofed && strings.Contains(why, "probe") {
			t.Errorf("its names taken for probes after one locator query: %s", why)
		}
		return r.name == c2
	})
	if plain < 30 || spoofed < plain-5 {
		t.Errorf("%s scored %.1f, and %.1f after one locator query", c2, plain, spoofed)
	}
}

// TestPublicSuffixNotAnOrg: a locator query for a public suffix
// (_ldap._tcp.dc._msdcs.co.uk, one line from the tunnel's client) does
// not make the suffix an organisation that a popular domain under it
// vouches for: the tunnel's names under exfil-cdn.co.uk would be judged
// against the suffix's labels, mostly their own, not the public model's.
func TestPublicSuffixNotAnOrg(t *testing.T) {
	const tunnel = "exfil-cdn.co.uk"
	plain, spoofed := spoofScores(t, func(w *webWorkspace, rng *rand.Rand) {
		for c := range 40 {
			w.dns(start+rng.Int64N(2*day), fmt.Sprintf("10.0.0.%d", 10+c), "www.newsdesk.co.uk", qA, 0, "192.0.2.90")
		}
		for k := range 150 {
			w.dns(start+day+int64(k)*2e6, "10.0.0.33", randomLetters(rng, 40, "abcdefghijklmnopqrstuvwxyz234567")+"."+tunnel, qA, 0, "203.0.113.19")
		}
	}, "10.0.0.33", "co.uk", false, func(r rankedValue, _ bool) bool { return strings.HasSuffix(r.name, "."+tunnel) })
	if spoofed < plain-5 {
		t.Errorf("%s's best name scored %.1f, and %.1f after one locator query", tunnel, plain, spoofed)
	}
}

// One locator query does not make a domain the network's own, whose
// names a log without answers would take for search-list expansions: a
// tunnel's labels shaped as names (data.com.exfil-q.net), asked by its
// one client, stay judged.
func TestADNotSpoofedForSearchExpansions(t *testing.T) {
	const tunnel = "exfil-q.net"
	plain, spoofed := spoofScores(t, func(w *webWorkspace, rng *rand.Rand) {
		for k := range 150 {
			w.dns(start+day+int64(k)*2e6, "10.0.0.44", randomLetters(rng, 40, "abcdefghijklmnopqrstuvwxyz234567")+".com."+tunnel, qA, -1, "")
		}
	}, "10.0.0.44", tunnel, true, func(r rankedValue, _ bool) bool { return r.name == tunnel })
	if plain < 30 || spoofed < plain-5 {
		t.Errorf("%s scored %.1f, and %.1f after one locator query", tunnel, plain, spoofed)
	}
}

// A C2's client that asks a locator name under its domain, and one name
// of it a month apart, does not buy its burst of failing random labels a
// month of a browser's probes: they are as many as a browser sends in the
// days they came in.
func TestADNotSpoofedForProbesByASpan(t *testing.T) {
	const c2 = "c2-burst.com"
	plain, spoofed := spoofScores(t, func(w *webWorkspace, rng *rand.Rand) {
		w.dns(start, "10.0.0.78", "www."+c2, qA, 0, "198.51.100.8")
		w.dns(start+30*day, "10.0.0.78", "www."+c2, qA, 0, "198.51.100.8")
		for i := range 60 {
			w.dns(start+day+int64(i)*60_000_000, "10.0.0.78", randomLetters(rng, 8+i%7, "abcdefghijklmnopqrstuvwxyz")+"."+c2, qA, nx, "")
		}
	}, "10.0.0.78", c2, true, func(r rankedValue, _ bool) bool { return r.name == c2 })
	if plain < 30 || spoofed < plain-5 {
		t.Errorf("%s scored %.1f, and %.1f after one locator query", c2, plain, spoofed)
	}
}
