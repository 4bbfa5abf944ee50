package score

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
)

// TestBytesPerClient: the client that downloads through TXT answers
// (windowsWorld's mailsync.net) is named with the data it received, and
// the download ranks first; a busy CDN whose distinct answers all go to
// one proxy (host names and addresses, not data; random tenant tokens in
// CNAMEs), the SPF look-ups and the domains every client asks get less
// than 5 points from the signal.
func TestBytesPerClient(t *testing.T) {
	w := windowsWorld(t)
	rng := rand.New(rand.NewPCG(14, 21))
	for k := range 400 {
		name := fmt.Sprintf("%s%d.cdn-edge.net", randomLetters(rng, 6, "abcdefghijklmnopqrstuvwxyz"), k)
		w.dns(start+rng.Int64N(2*day), "10.0.0.49", name, qA, 0, fmt.Sprintf("e%d.dscb.akamaiedge.net,23.%d.%d.%d", 1000+k, rng.IntN(255), rng.IntN(255), rng.IntN(255)))
	}
	// A proxy's look-ups of a CDN's tenants: random tokens in CNAMEs.
	for k := range 400 {
		token := randomLetters(rng, 14, "abcdefghijklmnopqrstuvwxyz0123456789")
		w.dns(start+rng.Int64N(2*day), "10.0.0.48", fmt.Sprintf("img%d.shopfront.com", k), qA, 0, token+".cloudfront.net,"+fmt.Sprintf("13.%d.%d.%d", rng.IntN(255), rng.IntN(255), rng.IntN(255)))
	}
	d := w.done()
	doms := ranked(t, d, subject.DNSName, true)
	seen := false
	for i, r := range doms {
		why := r.why(SigBytes)
		switch {
		case r.name == downloadDomain:
			seen = true
			if i != 0 || !strings.Contains(why, "one client (10.0.0.31) received about 48 KB of answers (200 distinct answers of 240 bytes") || !strings.Contains(why, "100% of the domain's") {
				t.Errorf("%s ranks %d: %+v (top: %+v)", r.name, i+1, r.score, doms[:3])
			}
		case why != "" && points(r.score, SigBytes) >= 5:
			t.Errorf("%s has bytes evidence: %+v", r.name, r.score)
		case why != "":
			t.Logf("%s: %+v", r.name, r.score)
		}
	}
	if !seen {
		t.Fatalf("%s not scored", downloadDomain)
	}
	for _, r := range ranked(t, d, subject.DNSName, false) {
		if strings.HasSuffix(r.name, "."+downloadDomain) && !strings.Contains(r.why(SigBytes), "under a domain from which one client (10.0.0.31)") && r.score.Score >= MinExplained {
			t.Errorf("%s: %+v", r.name, r.score)
		}
	}
}

// points are a score's points from one signal.
func points(sc db.Score, signal string) float64 {
	for _, c := range sc.Contribs {
		if c.Signal == signal {
			return c.Points
		}
	}
	return 0
}
