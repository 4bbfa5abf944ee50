// Package score ranks names and registered domains by how likely they are
// to be bad — DNS tunnels, generated (DGA) domains, beacons — and says why,
// so the analyst confirms instead of hunts. It reads nothing and writes
// nothing itself: Scorer is fed each name with its events and returns
// scores; Run drives it over a workspace and stores the result.
//
// # Signals
//
// Each signal is a strength s in [0, 1] with its evidence kept in words.
//
//   - tunnel (per registered domain; a name inherits its domain's, scaled by
//     its own longest label): 1 − (1 − byShape)·(1 − byType), where
//     byShape = shape·(0.35 + 0.4·volume + 0.25·once), byType = 0.4·common·
//     shape + 0.9·clamp(10·rare)·clamp(names with rare types/5), shape = 0.5·clamp((mean longest
//     label − 8)/24) + 0.25·clamp((longest label − 16)/32) +
//     0.25·clamp((entropy − 3.2)/1.3) (entropy in bits/char over the
//     subdomain labels of the distinct names, used from 64 characters on),
//     volume = the largest of log10(unique subdomains)/3, log10(bytes in
//     subdomains/100)/4 and log10(peak queries per minute)/2, once = share
//     of the subdomains asked at most twice (tunnels never repeat a name),
//     rare = share of NULL and private-type queries (no everyday use),
//     common = share of TXT/MX/CNAME/ANY queries (everyday, so only as far
//     as the names look like data).
//   - dga (the registered domain's own label, 6+ chars): with a trained
//     model 0.6·clamp((z − 1.5)/3) + 0.2·clamp((consonant run − 3)/3) +
//     0.1·clamp((letter/digit switches − 1)/3) + 0.1·clamp((length − 8)/10),
//     z being how many standard deviations the label's trigram surprisal
//     lies above that of this workspace's normal labels (Model); without a
//     model (under 50 training labels) 0.5·run + 0.3·switches + 0.2·length.
//     Multiplied by (1 − share of clients)²: a random-looking name half
//     the network asks is a CDN, not malware.
//   - beacon (per client and name, the strongest pair counts): with at
//     least MinBeaconEvents check-ins (queries 2 s apart or more) and a
//     median interval of 10 s or more, clamp(1 − (MAD/median)/0.25) ×
//     (0.6 + 0.4·clamp((check-ins − 20)/80)) × (0.5 + 0.5·hours of the day
//     covered/24).
//   - failure: share of NXDOMAIN/SERVFAIL among answered queries ×
//     (0.6 + 0.4·the highest failure share of a client that asked it, for
//     names with at most 4 clients and clients with 20+ answers).
//   - related (verdict feedback): 0.8 for a name under the registered
//     domain of a name marked bad, 0.7 for a name that got the same answer
//     as a bad name (answers shared by more than 50 names are ignored),
//     0.6 × share of its clients that asked a bad name for a name asked by
//     at most 4 clients.
//   - new: with a baseline snapshot 1 for a name created after it;
//     otherwise (position of first seen in the workspace's span)², over a
//     span of a day or more.
//   - rare: (1 − share of clients that asked)⁴, with 5 clients or more.
//
// # Combination
//
// The strengths combine as a noisy OR: score = 100·(1 − Π(1 − wᵢ·sᵢ)),
// with weights tunnel 0.95, beacon 0.9, dga 0.85, related 0.8, failure
// 0.3, new 0.1, rare 0.1. One strong signal is enough to rank high,
// several moderate ones compound, and no signal can push past 100. Each
// signal's points are its share of the score in proportion to
// −ln(1 − wᵢ·sᵢ), so the points add up to the score.
//
// Known-good names (and domains) are not scored: they leave the ranking,
// and they train the n-gram model.
package score

import (
	"math"
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
)

// Signal names, as stored in the contributions.
const (
	SigTunnel  = "tunnel"
	SigDGA     = "dga"
	SigBeacon  = "beacon"
	SigFailure = "failure"
	SigRelated = "related"
	SigNew     = "new"
	SigRare    = "rare"
)

var weights = map[string]float64{
	SigTunnel: 0.95, SigBeacon: 0.9, SigDGA: 0.85, SigRelated: 0.8,
	SigFailure: 0.3, SigNew: 0.1, SigRare: 0.1,
}

// Inputs are what a Scorer needs besides the events.
type Inputs struct {
	Rules   *rules.Matcher
	Model   *Model
	Context db.ScoreContext
	Domains []db.DomainRow
	// Rate returns a domain's busiest minute (queries) for the few domains
	// whose names look like a tunnel; nil: not used.
	Rate func(domain uint32) int64
	// Texts resolves client and answer ids for the explanations; nil:
	// ids are shown as "#id".
	Texts func(clients, answers []uint32) (map[uint32]string, map[uint32]string)
}

// maxSketch is how many clients and answers are kept per name: enough to
// relate the rare names, which are the ones that matter.
const maxSketch = 4

type nameSig struct {
	row        db.NameRow
	verdict    rules.Verdict
	odd        int64 // queries of tunnel-friendly types
	answered   int64
	failed     int64 // NXDOMAIN or SERVFAIL
	nx         int64
	longest    int // longest subdomain label
	beacon     beacon
	clients    [maxSketch]uint32 // the first distinct clients (0: none)
	answers    [maxSketch]uint32
	manyClient bool // more than maxSketch clients
}

type domAcc struct {
	row        *db.DomainRow
	verdict    rules.Verdict
	events     int64
	types      [len(oddTypes)]int64
	answered   int64
	failed     int64
	nx         int64
	subNames   int64 // distinct names with a subdomain part
	once       int64 // ... asked at most twice
	sumLongest int64
	maxLabel   int
	subBytes   int64 // Σ subdomain length × queries
	rareNames  int64 // names asked with a NULL or private type
	chars      *histogram
	minNameID  uint32
}

// oddTypes are the query types tunnels use to carry data back; the last
// slot counts private and reserved types (iodine's 65399 and the like).
var oddTypes = [...]uint16{16, 10, 5, 15, 255, 0}

const (
	oddNull    = 1
	oddPrivate = len(oddTypes) - 1
)

var oddTypeNames = [...]string{"TXT", "NULL", "CNAME", "MX", "ANY", "private-type"}

func oddType(q uint16) int {
	if q >= 65280 || q == 0 {
		return len(oddTypes) - 1
	}
	for i, t := range oddTypes[:len(oddTypes)-1] {
		if q == t {
			return i
		}
	}
	return -1
}

// Scorer accumulates the workspace name by name (AddName) and scores it
// (Finish). It is not safe for concurrent use.
type Scorer struct {
	in      Inputs
	domains []domAcc
	names   []nameSig

	clientAnswered, clientFailed []int32 // by client id

	badClients  map[uint32]int // client → index in names of a bad name it asked
	badAnswers  map[uint32]int // answer → index in names of a bad name that got it
	badByDomain map[uint32]int // registered domain → index in names of a bad name under it
	answerUse   map[uint32]int32

	// per-name scratch
	slotOf  []int32  // client id → slot, valid when stamp matches
	stamp   []uint32 // client id → name generation
	gen     uint32
	slots   []slot
	times   []int64
	scratch beaconScratch
}

type slot struct {
	client uint32
	n, at  int32
}

// NewScorer prepares a scorer.
func NewScorer(in Inputs) *Scorer {
	if in.Rules == nil {
		in.Rules = rules.NewMatcher(nil)
	}
	if in.Model == nil {
		in.Model = Train(nil)
	}
	s := &Scorer{in: in, badClients: map[uint32]int{}, badAnswers: map[uint32]int{}, badByDomain: map[uint32]int{}, answerUse: map[uint32]int32{}}
	for i := range in.Domains {
		d := &in.Domains[i]
		for int(d.ID) >= len(s.domains) {
			s.domains = append(s.domains, domAcc{})
		}
		a := &s.domains[d.ID]
		a.row = d
		if r, ok := in.Rules.Match(d.Name); ok {
			a.verdict = r.Verdict
		}
	}
	return s
}

// AddName folds one name and its events (sorted by time).
func (s *Scorer) AddName(n db.NameRow, evs []db.Event) {
	for int(n.DomainID) >= len(s.domains) {
		s.domains = append(s.domains, domAcc{})
	}
	sig := nameSig{row: n}
	if r, ok := s.in.Rules.Match(n.Name); ok {
		sig.verdict = r.Verdict
	}
	idx := len(s.names)
	s.gen++
	s.slots = s.slots[:0]
	nanswers := 0
	for i := range evs {
		e := &evs[i]
		if e.RCode >= 0 {
			sig.answered++
			if e.RCode == 2 || e.RCode == 3 {
				sig.failed++
				if e.RCode == 3 {
					sig.nx++
				}
			}
		}
		if oddType(e.QType) >= 0 {
			sig.odd++
		}
		if e.Answer != 0 && nanswers < maxSketch && !slices.Contains(sig.answers[:nanswers], e.Answer) {
			sig.answers[nanswers] = e.Answer
			nanswers++
		}
		s.countClient(e)
	}
	for _, a := range sig.answers[:nanswers] {
		s.answerUse[a]++
	}
	known := 0
	for _, sl := range s.slots {
		if sl.client == 0 {
			continue
		}
		if known < maxSketch {
			sig.clients[known] = sl.client
		}
		known++
	}
	sig.manyClient = known > maxSketch
	if sig.verdict == rules.Bad {
		s.badByDomain[n.DomainID] = idx
		for i := range evs {
			if evs[i].Client != 0 {
				s.badClients[evs[i].Client] = idx
			}
			if evs[i].Answer != 0 {
				s.badAnswers[evs[i].Answer] = idx
			}
		}
	}
	sig.beacon = s.bestBeacon(evs)

	d := &s.domains[n.DomainID]
	if d.minNameID == 0 || n.ID < d.minNameID {
		d.minNameID = n.ID
	}
	if sig.verdict != rules.Good {
		s.foldDomain(d, &sig, evs)
	}
	s.names = append(s.names, sig)
}

func (s *Scorer) countClient(e *db.Event) {
	c := e.Client
	for int(c) >= len(s.stamp) {
		grow := max(len(s.stamp), 1024)
		s.stamp = append(s.stamp, make([]uint32, grow)...)
		s.slotOf = append(s.slotOf, make([]int32, grow)...)
		s.clientAnswered = append(s.clientAnswered, make([]int32, grow)...)
		s.clientFailed = append(s.clientFailed, make([]int32, grow)...)
	}
	if e.RCode >= 0 {
		s.clientAnswered[c]++
		if e.RCode == 2 || e.RCode == 3 {
			s.clientFailed[c]++
		}
	}
	// Client 0 (a log without clients) is one more pair: a name's own
	// rhythm is all such a log can show.
	if s.stamp[c] != s.gen {
		s.stamp[c] = s.gen
		s.slotOf[c] = int32(len(s.slots))
		s.slots = append(s.slots, slot{client: c})
	}
	s.slots[s.slotOf[c]].n++
}

// bestBeacon measures every pair with enough queries: the times are
// grouped by client with a counting sort over the slots countClient made.
func (s *Scorer) bestBeacon(evs []db.Event) beacon {
	total := int32(0)
	for i := range s.slots {
		s.slots[i].at = total
		if s.slots[i].n >= MinBeaconEvents {
			total += s.slots[i].n
		}
	}
	var best beacon
	if total == 0 {
		return best
	}
	s.times = slices.Grow(s.times[:0], int(total))[:total]
	for i := range evs {
		sl := &s.slots[s.slotOf[evs[i].Client]]
		if sl.n < MinBeaconEvents {
			continue
		}
		s.times[sl.at] = evs[i].Time
		sl.at++
	}
	for _, sl := range s.slots {
		if sl.n < MinBeaconEvents {
			continue
		}
		b := s.scratch.measure(sl.client, s.times[sl.at-sl.n:sl.at])
		if b.strength > best.strength || best.queries == 0 {
			best = b
		}
	}
	return best
}

func (s *Scorer) foldDomain(d *domAcc, sig *nameSig, evs []db.Event) {
	d.events += int64(len(evs))
	rare := false
	for i := range evs {
		if k := oddType(evs[i].QType); k >= 0 {
			d.types[k]++
			rare = rare || k == oddNull || k == oddPrivate
		}
	}
	if rare {
		d.rareNames++
	}
	d.answered += sig.answered
	d.failed += sig.failed
	d.nx += sig.nx
	sub, _ := splitName(sig.row.Name, sig.row.Domain)
	if sub == "" {
		return
	}
	st := subStats(sub)
	sig.longest = st.longest
	d.subNames++
	if len(evs) <= 2 {
		d.once++
	}
	d.sumLongest += int64(st.longest)
	d.maxLabel = max(d.maxLabel, st.longest)
	d.subBytes += int64(st.length) * int64(len(evs))
	if d.chars == nil {
		d.chars = new(histogram)
	}
	d.chars.add(sub)
}

// Result is the scores of a workspace.
type Result struct {
	Names   []db.Score // by score, highest first; known-good names left out
	Domains []db.Score
	// Trained is how many labels the n-gram model learnt from.
	Trained int
}

func log10p(x float64) float64 {
	if x < 1 {
		return 0
	}
	return math.Log10(x)
}

// combine turns strengths into a score and its contributions.
func combine(id uint32, ev []evidence) db.Score {
	total := 0.0
	ls := make([]float64, len(ev))
	for i, e := range ev {
		p := weights[e.signal] * clamp01(e.strength)
		if p >= 0.999 {
			p = 0.999
		}
		ls[i] = -math.Log1p(-p)
		total += ls[i]
	}
	sc := db.Score{ID: id}
	if total == 0 {
		return sc
	}
	sc.Score = math.Round(1000*(1-math.Exp(-total))) / 10
	for i, e := range ev {
		pts := math.Round(10*sc.Score*ls[i]/total) / 10
		if pts < 0.1 {
			continue
		}
		why := e.why
		if e.lazy != nil && sc.Score >= MinExplained {
			why = e.lazy()
		}
		sc.Contribs = append(sc.Contribs, db.Contribution{Signal: e.signal, Points: pts, Why: why})
	}
	slices.SortStableFunc(sc.Contribs, func(a, b db.Contribution) int {
		switch {
		case a.Points > b.Points:
			return -1
		case a.Points < b.Points:
			return 1
		}
		return 0
	})
	return sc
}

// evidence is one signal's strength and its words; lazy, when set,
// writes the words only for a score worth explaining (most of the long
// tail is not, and formatting them all costs more than scoring them).
type evidence struct {
	signal   string
	strength float64
	why      string
	lazy     func() string
}

// MinExplained is the score from which contributions carry their words;
// below it they keep only their signal and points.
const MinExplained = 20

func trimZero(ev []evidence) []evidence {
	return slices.DeleteFunc(ev, func(e evidence) bool { return e.strength <= 0 })
}
