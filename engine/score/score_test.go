package score

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

func TestSelectK(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 60; n++ {
		xs := make([]int64, n)
		for i := range xs {
			xs[i] = rng.Int64N(10) // many duplicates
		}
		sorted := slices.Sorted(slices.Values(xs))
		for k := 0; k < n; k++ {
			if got := selectK(slices.Clone(xs), k); got != sorted[k] {
				t.Fatalf("n=%d k=%d: got %d, want %d", n, k, got, sorted[k])
			}
		}
	}
}

func times(start, step, jitter int64, n int, rng *rand.Rand) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = start + int64(i)*step
		if jitter > 0 {
			out[i] += rng.Int64N(2*jitter+1) - jitter
		}
	}
	return out
}

func TestBeaconRegularVersusHuman(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s beaconScratch
	// Every 60 s ± 3 s for a day: a timer.
	timer := s.measure(1, times(0, 60e6, 3e6, 1440, rng))
	if timer.strength < 0.8 || timer.hours != 24 || math.Abs(timer.median-60e6) > 2e6 {
		t.Errorf("timer: %+v", timer)
	}
	// Exponential gaps (a person, or many): no timer.
	var human []int64
	tm := int64(0)
	for range 500 {
		tm += int64(rng.ExpFloat64() * 300e6)
		human = append(human, tm)
	}
	if h := s.measure(1, human); h.strength > 0.1 {
		t.Errorf("poisson queries scored as a beacon: %+v", h)
	}
	// Too few check-ins, and retries merged: A+AAAA pairs every minute
	// are one check-in each.
	if few := s.measure(1, times(0, 60e6, 0, MinBeaconEvents-1, rng)); few.strength != 0 {
		t.Errorf("%d check-ins scored %v", MinBeaconEvents-1, few.strength)
	}
	var pairs []int64
	for _, x := range times(0, 60e6, 0, 200, rng) {
		pairs = append(pairs, x, x+1000)
	}
	if p := s.measure(1, pairs); p.queries != 200 || p.mad != 0 || p.strength < 0.3 {
		t.Errorf("A+AAAA pairs: %+v", p)
	}
}

func wordy(rng *rand.Rand) string {
	words := []string{"blue", "river", "cloud", "stone", "market", "news", "shop", "data", "home", "green", "light", "mail", "tech", "sun", "star"}
	return words[rng.IntN(len(words))] + words[rng.IntN(len(words))]
}

func TestModelJudgesRandomLabels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var train []string
	for range 400 {
		train = append(train, wordy(rng))
	}
	m := Train(train)
	if m.Labels() < minTraining {
		t.Fatalf("trained on %d labels", m.Labels())
	}
	if z := m.Z("greenriver"); z > 1 {
		t.Errorf("a normal-looking label: z = %.2f", z)
	}
	if z := m.Z("xkqzvbtrwpl"); z < 3 {
		t.Errorf("a random label: z = %.2f", z)
	}
	if small := Train(train[:10]); small.Z("xkqzvbtrwpl") != 0 {
		t.Error("a model of 10 labels judged anyway")
	}
}

func TestCombinePointsAddUp(t *testing.T) {
	sc := combine(1, []evidence{{SigTunnel, 0.8, "t", nil}, {SigRare, 1, "r", nil}, {SigNew, 0.5, "", func() string { return "n" }}})
	sum := 0.0
	for _, c := range sc.Contribs {
		sum += c.Points
	}
	if math.Abs(sum-sc.Score) > 0.3 || sc.Score <= 0 || sc.Score > 100 {
		t.Errorf("score %.1f, points add to %.1f", sc.Score, sum)
	}
	if sc.Contribs[0].Signal != SigTunnel || sc.Contribs[len(sc.Contribs)-1].Why != "n" {
		t.Errorf("contributions: %+v", sc.Contribs)
	}
	if combine(2, nil).Score != 0 {
		t.Error("no evidence, some score")
	}
}

// workspace is a hand-made workspace: names with their events.
type workspace struct {
	domains []db.DomainRow
	names   []db.NameRow
	events  [][]db.Event
}

func (w *workspace) add(name, domain string, evs []db.Event) {
	did := uint32(0)
	for _, d := range w.domains {
		if d.Name == domain {
			did = d.ID
		}
	}
	if did == 0 {
		did = uint32(len(w.domains) + 1)
		w.domains = append(w.domains, db.DomainRow{ID: did, Name: domain})
	}
	d := &w.domains[did-1]
	id := uint32(len(w.names) + 1)
	clients := map[uint32]bool{}
	for i := range evs {
		evs[i].Name = id
		clients[evs[i].Client] = true
	}
	n := db.NameRow{ID: id, Kind: 1, Name: name, DomainID: did, Domain: domain, Count: int64(len(evs)),
		Clients: int64(len(clients)), First: evs[0].Time, Last: evs[len(evs)-1].Time}
	d.Count += n.Count
	d.Clients = max(d.Clients, n.Clients)
	d.Names++
	if d.First == 0 || n.First < d.First {
		d.First = n.First
	}
	d.Last = max(d.Last, n.Last)
	w.names = append(w.names, n)
	w.events = append(w.events, evs)
}

func (w *workspace) score(rs []rules.Rule) (Result, map[string]db.Score) {
	return w.scoreWith(rs, nil)
}

// scoreWith is score with the n-gram model m (nil: none, too few names
// to train one).
func (w *workspace) scoreWith(rs []rules.Rule, m *Model) (Result, map[string]db.Score) {
	ctx := db.ScoreContext{Clients: 50, First: 0, Last: 7 * 86400e6}
	s := NewScorer(Inputs{Rules: rules.NewMatcher(rs, subject.DNSName), Names: w.names, Pairs: w.pairs(ctx.Clients)})
	// Events come a block at a time, and a name's blocks in any order.
	for i := len(w.names) - 1; i >= 0; i-- {
		evs := w.events[i]
		half := len(evs) / 2
		s.Add(w.names[i].ID, evs[half:])
		s.Add(w.names[i].ID, evs[:half])
	}
	res := s.Finish(FinishInputs{Context: ctx, Domains: w.domains, Model: m})
	byName := map[string]db.Score{}
	for _, sc := range res.Domains {
		byName[w.domains[sc.ID-1].Name] = sc
	}
	for _, sc := range res.Names {
		byName[w.names[sc.ID-1].Name] = sc
	}
	return res, byName
}

// pairs are the beacon candidates, as db.RepeatedPairs selects them.
func (w *workspace) pairs(clients int64) []uint64 {
	var out []uint64
	for i, n := range w.names {
		if n.Clients > BeaconClients(clients) {
			continue
		}
		per := map[uint32]int{}
		for _, e := range w.events[i] {
			per[e.Client]++
		}
		for c, k := range per {
			if k >= MinBeaconEvents {
				out = append(out, uint64(n.ID)<<32|uint64(c))
			}
		}
	}
	return out
}

func ev(t int64, client uint32, qtype uint16, rcode int16, answer uint32) db.Event {
	return db.Event{Time: t, Client: client, QType: qtype, RCode: rcode, Answer: answer, TTL: 60}
}

// smallWorld: busy normal names from many clients, a tunnel, a beacon,
// a DGA-looking NXDOMAIN name, and a quiet rare name.
func smallWorld() *workspace {
	rng := rand.New(rand.NewPCG(7, 8))
	w := &workspace{}
	for i := range 30 {
		label := wordy(rng)
		var evs []db.Event
		for j := range 200 {
			evs = append(evs, ev(int64(j)*3000e6+int64(i)*7e6, uint32(1+rng.IntN(50)), 1, 0, uint32(100+i)))
		}
		w.add("www."+label+".com", label+".com", evs)
	}
	b32 := "abcdefghijklmnopqrstuvwxyz234567"
	for i := range 300 {
		sub := make([]byte, 50)
		for k := range sub {
			sub[k] = b32[rng.IntN(len(b32))]
		}
		w.add(string(sub)+".t.exfil.net", "exfil.net", []db.Event{ev(86400e6+int64(i)*500e3, 7, 16, 0, uint32(1000+i))})
	}
	w.add("sync.quietbeacon.org", "quietbeacon.org", func() []db.Event {
		var evs []db.Event
		for _, tm := range times(0, 300e6, 5e6, 2000, rng) {
			evs = append(evs, ev(tm, 9, 1, 0, 5))
		}
		return evs
	}())
	w.add("qxzvkrtpwmbd.biz", "qxzvkrtpwmbd.biz", []db.Event{ev(5*86400e6, 11, 1, 3, 0)})
	w.add("bluestone.com", "bluestone.com", []db.Event{ev(2*86400e6, 12, 1, 0, 77), ev(2*86400e6+5e6, 12, 1, 0, 77)})
	return w
}

func TestScorerRanksPlantedAnomalies(t *testing.T) {
	w := smallWorld()
	res, by := w.score(nil)
	top := map[string]bool{}
	for _, sc := range res.Domains[:3] {
		top[w.domains[sc.ID-1].Name] = true
	}
	for _, want := range []string{"exfil.net", "quietbeacon.org", "qxzvkrtpwmbd.biz"} {
		if !top[want] {
			t.Errorf("%s not in the top 3 domains: %+v", want, res.Domains[:5])
		}
	}
	if got := by["exfil.net"]; got.Contribs[0].Signal != SigTunnel || !strings.Contains(got.Contribs[0].Why, "300 unique subdomains") ||
		!strings.Contains(got.Contribs[0].Why, "100% TXT") {
		t.Errorf("exfil.net: %+v", got)
	}
	if got := by["quietbeacon.org"]; got.Contribs[0].Signal != SigBeacon || !strings.Contains(got.Contribs[0].Why, "every 5.0 min") {
		t.Errorf("quietbeacon.org: %+v", got)
	}
	for _, sc := range res.Domains {
		if sc.Score > by["exfil.net"].Score && !top[w.domains[sc.ID-1].Name] {
			t.Errorf("%s outranks the tunnel", w.domains[sc.ID-1].Name)
		}
	}
}

func TestVerdictsFeedBack(t *testing.T) {
	w := smallWorld()
	_, before := w.score(nil)
	rs := []rules.Rule{
		{ID: 1, Pattern: "exfil.net", Scope: rules.Domain, Verdict: rules.Good},
		{ID: 2, Pattern: "qxzvkrtpwmbd.biz", Scope: rules.Name, Verdict: rules.Bad},
	}
	// bluestone.com (the last name) is asked by the bad name's client 11.
	for i := range w.events[len(w.events)-1] {
		w.events[len(w.events)-1][i].Client = 11
	}
	res, after := w.score(rs)
	if _, ok := after["exfil.net"]; ok {
		t.Error("a known-good domain is still ranked")
	}
	for _, sc := range res.Names {
		if strings.HasSuffix(w.names[sc.ID-1].Name, ".exfil.net") {
			t.Fatal("a name under a known-good domain is still ranked")
		}
	}
	b, a := before["bluestone.com"], after["bluestone.com"]
	if a.Score <= b.Score || !slices.ContainsFunc(a.Contribs, func(c db.Contribution) bool {
		return c.Signal == SigRelated && strings.Contains(c.Why, "qxzvkrtpwmbd.biz")
	}) {
		t.Errorf("the bad name's client did not raise bluestone.com: before %+v, after %+v", b, a)
	}

	// When one client asked every name (a home resolver's log), its
	// bad name relates it to all of them, which is to none.
	for _, evs := range w.events {
		for i := range evs {
			evs[i].Client = 11
		}
	}
	_, alone := w.score(rs)
	if slices.ContainsFunc(alone["bluestone.com"].Contribs, func(c db.Contribution) bool {
		return c.Signal == SigRelated && strings.Contains(c.Why, "asked by")
	}) {
		t.Errorf("the only client's bad name raised bluestone.com: %+v", alone["bluestone.com"])
	}
}

// A short number on a word is a naming scheme: the word is judged, not
// the digits that the network's names seldom hold; a random label keeps
// its evidence with a number on it, and a long number is judged.
func TestNumberedWordsAreJudgedByTheirLetters(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	w := &workspace{}
	var labels []string
	for seen := map[string]bool{}; len(seen) < 100; {
		label := wordy(rng)
		if seen[label] {
			continue
		}
		seen[label] = true
		labels = append(labels, label)
		var evs []db.Event
		for j := range 20 {
			evs = append(evs, ev(int64(j)*3000e6, uint32(1+rng.IntN(50)), 1, 0, 1))
		}
		w.add(label+".com", label+".com", evs)
	}
	w.add("greenriver17.com", "greenriver17.com", []db.Event{ev(5*86400e6, 11, 1, 3, 0)})
	w.add("xkqzvbtrwpl42.biz", "xkqzvbtrwpl42.biz", []db.Event{ev(5*86400e6, 12, 1, 3, 0)})
	w.add("ab12345678.biz", "ab12345678.biz", []db.Event{ev(5*86400e6, 13, 1, 3, 0)})
	_, by := w.scoreWith(nil, Train(labels))
	if p := points(by["greenriver17.com"], SigDGA); p > 5 {
		t.Errorf("greenriver17.com: %.1f generated-name points: %+v", p, by["greenriver17.com"].Contribs)
	}
	random := by["xkqzvbtrwpl42.biz"]
	if p := points(random, SigDGA); p < 20 || !slices.ContainsFunc(random.Contribs, func(c db.Contribution) bool {
		return c.Signal == SigDGA && strings.Contains(c.Why, `"xkqzvbtrwpl42" (judged as "xkqzvbtrwpl"): `) && strings.Contains(c.Why, "11 letters")
	}) {
		t.Errorf("xkqzvbtrwpl42.biz: %.1f generated-name points: %+v", p, random.Contribs)
	}
	// A long number is no naming scheme: it is judged with its letters.
	if long := by["ab12345678.biz"]; points(long, SigDGA) < 10 {
		t.Errorf("ab12345678.biz: %+v", long.Contribs)
	}
}
