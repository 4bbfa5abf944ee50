package score

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/parallel"
	"github.com/longtail/longtail/internal/words"
)

// Thresholds of the supporting evidence.
const (
	minClientAnswers = 20 // a client's failure share counts from this many answers
	maxAnswerSharing = 50 // an answer shared by more names than this relates nothing
	rateCandidate    = 0.2
)

// domainSignals are the per-domain strengths names inherit. One is held
// for every domain while the names are scored: the evidence whose words
// are always lazy is kept without its signal and words (domainEvidence),
// 168 bytes a domain instead of 360, 38 MB of the heap each collection
// scans on the bench workspace.
type domainSignals struct {
	tunnel, dga   domainEvidence
	subDGA        domainEvidence // the most generated label below it (subGenerated)
	answers       domainEvidence
	bytes         domainEvidence // answer data to its top client (bytes.go)
	bestBeacon    int            // index in names of the name with the strongest beacon, -1 none
	related       evidence
	networks      domainEvidence // the strongest of its names' (named)
	clientFailure float64
	tenant        bool // its own label was not judged (tenantWhy)
}

// domainEvidence is evidence whose signal its field in domainSignals
// names and whose words are lazy.
type domainEvidence struct {
	strength float64
	lazy     func() string
}

// domainEvidenceOf keeps e's strength and lazy words. The evidence a
// domain keeps this way has no words written up front; were any given,
// they would be kept, written only for a score worth explaining.
func domainEvidenceOf(e evidence) domainEvidence {
	if e.why != "" && e.lazy == nil {
		why := e.why
		return domainEvidence{e.strength, func() string { return why }}
	}
	return domainEvidence{e.strength, e.lazy}
}

// of is the evidence again, of signal.
func (e domainEvidence) of(signal string) evidence {
	return evidence{signal: signal, strength: e.strength, lazy: e.lazy}
}

// Finish scores every name and domain added.
func (s *Scorer) Finish(fin FinishInputs) Result {
	s.fin = fin
	s.stretches = s.spans()
	s.setDomains(fin.Domains)
	var byteAcc map[uint32]*byteDomain
	var sampled texts // the answers sampled and the bytes signal's clients
	// The beacons are measured beside the folding, the models and the
	// samples, on the other core: those read no beacon, and the beacons
	// read nothing they write (each writes its own fields of a name).
	parallel.Run(s.measureBeacons, func() {
		s.foldNames()
		s.buildOrgs()
		if s.fin.Model == nil {
			s.fin.Model = s.train(fin.Training)
		}
		var byteClients, byteIDs []uint32
		byteAcc, byteClients, byteIDs = s.byteCandidates()
		if ids := append(s.answerCandidates(), byteIDs...); (len(ids) > 0 || len(byteClients) > 0) && s.fin.Texts != nil {
			sampled.clients, sampled.answers = s.fin.Texts(byteClients, ids)
		}
	})
	texts := s.resolve()
	s.breadth = s.clientBreadths()
	doms := make([]domainSignals, len(s.domains))
	judged := 0 // the most domains scored below
	// The domains' tunnel evidence (with its queries of the peak rate) is
	// judged on one core while the other judges the rest: each writes its
	// own fields of a domain's signals, and only the second uses the
	// n-gram models, which are not safe for concurrent use.
	parallel.Run(func() {
		s.eachJudged(func(id int, d *domAcc, o *org) {
			doms[id].tunnel = domainEvidenceOf(s.domainTunnel(uint32(id), d, o))
			d.chars = nil // read once, by tunnel: 20 MB on the bench workspace the names' scoring need not carry
		})
	}, func() {
		s.eachJudged(func(id int, d *domAcc, o *org) {
			judged++
			ds := &doms[id]
			ds.bestBeacon = -1
			if dga := s.domainGenerated(d, o); dga.strength > 0 && tenant(d.row.Name) {
				ds.tenant = true
			} else {
				ds.dga = domainEvidenceOf(dga)
			}
			ds.answers = domainEvidenceOf(s.answers(d, sampled.answers))
			ds.bytes = domainEvidenceOf(bytesOf(byteAcc[uint32(id)], sampled))
		})
	})
	nets := s.answerNetworks()
	domNets := s.domainNets(nets)
	// Sized once: grown a score at a time, they were copied over and over.
	res := Result{Trained: s.fin.Model.Labels(), Names: make([]db.Score, 0, len(s.names)), Domains: make([]db.Score, 0, judged)}
	stored := 0
	// One buffer for every name's and domain's evidence: combine keeps
	// none of it, and a slice grown for each was garbage made while the
	// heap is at its largest, each collection scanning all of it.
	var evBuf [16]evidence
	for i := range s.names {
		n := &s.names[i]
		d := &s.domains[n.row.DomainID]
		if n.events == 0 || n.verdict == rules.Good || d.row == nil || d.verdict == rules.Good {
			continue
		}
		ds := &doms[n.row.DomainID]
		if n.infra != infraNone {
			res.Names = append(res.Names, s.discounted(n.row.ID, i, ds, discount(n.infra), texts))
			s.store(db.ScoreName, res.Names, &stored, false)
			continue
		}
		ev := evBuf[:0]
		o := s.orgFor(n.row.Name, n.row.Domain)
		if ds.tunnel.strength > 0 && n.longest > 0 && o == nil { // an organisation's labels are judged against its own (orgGenerated)
			ev = append(ev, evidence{signal: SigTunnel, strength: ds.tunnel.strength * clamp01(0.3+float64(n.longest)/30), lazy: func() string {
				return "under a tunnel-like domain: " + ds.tunnel.lazy()
			}})
		}
		if g := s.nameGenerated(n, ds, o); g.strength > ds.dga.strength {
			ev = append(ev, g)
			if g.strength > ds.subDGA.strength {
				name := n.row.Name
				ds.subDGA = domainEvidence{g.strength, func() string { return name + ": " + g.lazy() }}
			}
		} else if ds.dga.strength > 0 {
			ev = append(ev, ds.dga.of(SigDGA))
		}
		if share := dataShare(n.types[:], n.events); ds.answers.strength > 0 && share > 0 {
			ev = append(ev, evidence{signal: SigAnswers, strength: ds.answers.strength * share, lazy: func() string {
				return "under a domain whose answers carry data: " + ds.answers.lazy()
			}})
		}
		if ds.bytes.strength > 0 && n.nclients == 1 && n.clients[0] == byteAcc[n.row.DomainID].client {
			ev = append(ev, evidence{signal: SigBytes, strength: ds.bytes.strength, lazy: func() string {
				return "under a domain from which " + ds.bytes.lazy()
			}})
		}
		if n.beacon.strength > 0 {
			ev = append(ev, evidence{SigBeacon, n.beacon.strength, beaconWords(n.beacon, texts), nil})
			if ds.bestBeacon < 0 || n.beacon.strength > s.names[ds.bestBeacon].beacon.strength {
				ds.bestBeacon = i
			}
		}
		cf, cfClient := s.clientFailure(n)
		ds.clientFailure = max(ds.clientFailure, cf)
		if n.failed > 0 {
			ev = append(ev, s.failureOf(o, n.row.Name, n.failed, n.nx, n.answered, cf, cfClient, texts))
		}
		ev = append(ev, s.relatedFold(i, ds, texts))
		if e := s.networkEvidence(i, nets, domNets); e.strength > ds.networks.strength {
			ev = append(ev, e)
			name := n.row.Name
			ds.networks = domainEvidence{e.strength, func() string { return name + ": " + e.lazy() }}
		} else if e.strength > 0 {
			ev = append(ev, e)
		}
		ev = append(ev, s.newness(n.row.ID, n.row.First), s.rarity(n.row.Clients))
		sc := combine(n.row.ID, trimZero(ev))
		if ds.tenant {
			sc.Contribs = append(sc.Contribs, db.Contribution{Signal: SigDiscounted, Why: tenantNameWhy})
		}
		res.Names = append(res.Names, sc)
		s.store(db.ScoreName, res.Names, &stored, false)
	}
	s.store(db.ScoreName, res.Names, &stored, true)
	stored = 0
	for id := range s.domains {
		d := &s.domains[id]
		if d.row == nil || d.verdict == rules.Good || d.events == 0 && d.infraNames == 0 {
			continue
		}
		ds := &doms[id]
		if d.events == 0 { // every name of it is infrastructure
			res.Domains = append(res.Domains, s.discounted(uint32(id), -1, ds, domainDiscount(d.infraClass, int64(d.infraNames), s.names[d.infraExample].row.Name), texts))
			s.store(db.ScoreDomain, res.Domains, &stored, false)
			continue
		}
		ev := append(evBuf[:0], ds.tunnel.of(SigTunnel), stronger(ds.dga.of(SigDGA), ds.subDGA.of(SigDGA)), ds.answers.of(SigAnswers),
			ds.bytes.of(SigBytes), ds.related, ds.networks.of(SigNetworks))
		if ds.bestBeacon >= 0 {
			n := &s.names[ds.bestBeacon]
			ev = append(ev, evidence{SigBeacon, n.beacon.strength, n.row.Name + ": " + beaconWords(n.beacon, texts), nil})
		}
		if d.failed > 0 {
			ev = append(ev, s.failureOf(s.orgFor(d.row.Name, d.row.Name), d.row.Name, d.failed, d.nx, d.answered, ds.clientFailure, 0, texts))
		}
		ev = append(ev, s.newness(d.minNameID, d.row.First), s.rarity(d.row.Clients))
		sc := combine(uint32(id), trimZero(ev))
		if d.infraNames > 0 {
			sc.Contribs = append(sc.Contribs, domainDiscount(d.infraClass, int64(d.infraNames), s.names[d.infraExample].row.Name))
		}
		if ds.tenant {
			sc.Contribs = append(sc.Contribs, db.Contribution{Signal: SigDiscounted, Why: tenantWhy})
		}
		res.Domains = append(res.Domains, sc)
		s.store(db.ScoreDomain, res.Domains, &stored, false)
	}
	s.store(db.ScoreDomain, res.Domains, &stored, true)
	if s.http != nil {
		res.HTTP, res.Groups = s.http.finish(s)
	}
	if s.logon != nil {
		res.Logons, res.LogonGroups = s.logon.finish(s)
	}
	byScore := func(a, b db.Score) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return int(a.ID) - int(b.ID)
	}
	slices.SortFunc(res.Names, byScore)
	slices.SortFunc(res.Domains, byScore)
	slices.SortFunc(res.HTTP, byScore)
	slices.SortFunc(res.Groups, byScore)
	slices.SortFunc(res.Logons, byScore)
	slices.SortFunc(res.LogonGroups, byScore)
	return res
}

// eachJudged calls fn with each domain that is judged (not known-good)
// and its organisation.
func (s *Scorer) eachJudged(fn func(id int, d *domAcc, o *org)) {
	for id := range s.domains {
		if d := &s.domains[id]; d.row != nil && d.verdict != rules.Good {
			fn(id, d, s.orgFor(d.row.Name, d.row.Name))
		}
	}
}

// relatedFold is name i's verdict feedback, which it also hands to its
// domain (ds).
func (s *Scorer) relatedFold(i int, ds *domainSignals, texts texts) evidence {
	n := &s.names[i]
	rel := s.related(i, texts)
	if rel.strength > ds.related.strength {
		ds.related = evidence{SigRelated, rel.strength, n.row.Name + ": " + rel.why, nil}
	}
	if n.verdict == rules.Bad && ds.related.strength < weights[SigRelated] {
		ds.related = evidence{SigRelated, 1, "contains " + n.row.Name + ", marked bad", nil}
	}
	return rel
}

// discounted scores infrastructure (a name, index i, or a domain, i < 0)
// by the analyst's verdicts alone: its shape says what it is, so neither
// its shape, its failures nor its timing count, and novelty and rarity
// mean nothing for names a browser or a domain controller makes up. The
// score carries the reason as a 0-point contribution.
func (s *Scorer) discounted(id uint32, i int, ds *domainSignals, why db.Contribution, texts texts) db.Score {
	var rel evidence
	if i >= 0 {
		rel = s.relatedFold(i, ds, texts)
	} else {
		rel = ds.related
	}
	sc := combine(id, trimZero([]evidence{rel}))
	sc.Contribs = append(sc.Contribs, why)
	return sc
}

// train builds the n-gram model from the trainees whose domain here does
// not mostly fail (generated names mostly do not exist) and is not all
// infrastructure, each label weighted by 1 + log2(its clients): a label
// many clients ask says more about what is normal here than one a
// single host asks, and TrainWeighted caps what any one of them weighs.
func (s *Scorer) train(ts []Trainee) *Model {
	labels := make([]string, 0, len(ts))
	ws := make([]float64, 0, len(ts))
	for _, t := range ts {
		if int(t.Domain) < len(s.domains) && t.Domain != 0 {
			d := &s.domains[t.Domain]
			if 2*d.failed > d.answered || d.events == 0 && d.infraNames > 0 {
				continue
			}
		}
		if _, l := splitName(t.Name, names.RegisteredDomain(t.Name)); l != "" {
			labels = append(labels, l)
			ws = append(ws, 1+math.Log2(float64(max(t.Clients, 1))))
		}
	}
	return TrainWeighted(labels, ws)
}

// storeBatch is how many scores go to FinishInputs.Store at a time.
const storeBatch = 4096

// store hands the scores made since *done to FinishInputs.Store, when
// storeBatch of them are waiting or at the end (final), and clears them
// in scores: a workspace's scores with their contributions are a third
// of what scoring it holds, and once written they are not needed.
func (s *Scorer) store(subject db.ScoreSubject, scores []db.Score, done *int, final bool) {
	if s.fin.Store == nil || len(scores) == *done || (!final && len(scores)-*done < storeBatch) {
		return
	}
	s.fin.Store(subject, slices.Clone(scores[*done:]))
	clear(scores[*done:])
	*done = len(scores)
}

// tunnel judges a domain by the subdomains under it.
func (s *Scorer) tunnel(id uint32, d *domAcc) evidence {
	if d.subNames == 0 {
		return evidence{signal: SigTunnel}
	}
	u := float64(d.subNames)
	mean := float64(d.sumLongest) / u
	bits, chars := d.chars.entropy()
	lenS := clamp01((mean - 8) / 24)
	maxS := clamp01(float64(d.maxLabel-16) / 32)
	entS := 0.0
	if chars >= 64 {
		entS = clamp01((bits - 3.2) / 1.3)
	}
	shape := 0.5*lenS + 0.25*maxS + 0.25*entS
	vol := max(clamp01(log10p(u)/3), clamp01(log10p(float64(d.subBytes)/100)/4))
	var peak int64
	if s.fin.Rate != nil && shape >= rateCandidate {
		peak = s.fin.Rate(id)
		vol = max(vol, clamp01(log10p(float64(peak))/2))
	}
	once := float64(d.once) / u
	// NULL and private types have no everyday use; TXT, MX, CNAME and ANY
	// do, so they count only as far as the names look like data.
	var rare, common float64
	for k, n := range d.types {
		share := float64(n) / float64(max(d.events, 1))
		if k == oddNull || k == oddPrivate {
			rare += share
		} else {
			common += share
		}
	}
	byShape := shape * (0.35 + 0.4*vol + 0.25*once)
	// A stray NULL query is a scanner or a typo; a tenth of the traffic
	// over five names or more is a tool.
	byType := 0.4*common*shape + 0.9*clamp01(10*rare)*clamp01(float64(d.rareNames)/5)
	strength := 1 - (1-byShape)*(1-clamp01(byType))
	words := func() string {
		why := fmt.Sprintf("%s, mean label %.0f chars (longest %d)", words.Count(d.subNames, "unique subdomain"), mean, d.maxLabel)
		if chars >= 64 {
			why += fmt.Sprintf(", entropy %.1f bits/char", bits)
		}
		if tw := typeWords(d.types[:], d.events); tw != "" {
			why += ", " + tw
		}
		why += ", " + byteWords(d.subBytes) + " in subdomains"
		if peak > 0 {
			why += fmt.Sprintf(", peak %s queries/min", words.Int(peak))
		}
		return why
	}
	return evidence{signal: SigTunnel, strength: strength, lazy: memo(words)}
}

// memo returns f, computed once: the words of a domain's tunnel signal
// serve each of its names that is worth explaining.
func memo(f func() string) func() string {
	var s string
	done := false
	return func() string {
		if !done {
			s, done = f(), true
		}
		return s
	}
}

// dga judges the registered domain's own label.
func (s *Scorer) dga(d *domAcc) evidence {
	_, label := splitName(d.row.Name, d.row.Name)
	return s.generated(label, false, d.failed, d.answered, d.row.Clients)
}

// generated judges one label as a generated name (see the package doc);
// sub says it is below the registered domain, for the words.
func (s *Scorer) generated(label string, sub bool, failed, answered, clients int64) evidence {
	if strings.IndexByte(label, '_') >= 0 { // _service labels are protocol, not choice
		return evidence{signal: SigDGA}
	}
	whole := label
	label = lettersOfNumbered(label)
	if len(label) < 6 {
		return evidence{signal: SigDGA}
	}
	sh := labelShape(label)
	runS := clamp01(float64(sh.consonants-3) / 3)
	mixS := clamp01(float64(sh.switches-1) / 3)
	lenS := clamp01(float64(sh.length-8) / 10)
	m := s.fin.Model
	var st, z float64
	trained := m.Labels() >= minTraining
	if trained {
		z = m.Z(label)
		st = 0.6*clamp01((z-1.5)/3) + 0.2*runS + 0.1*mixS + 0.1*lenS
	} else {
		st = 0.5*runS + 0.3*mixS + 0.2*lenS
	}
	st, fail := s.generatedScale(st, failed, answered, clients)
	words := func() string {
		why := fmt.Sprintf("%q: ", whole)
		if label != whole {
			why = fmt.Sprintf("%q (judged as %q): ", whole, label)
		}
		if sub {
			why = "label " + why
		}
		if trained {
			if z > 0 {
				why += fmt.Sprintf("%.1fσ less likely than this network's names", z)
			} else {
				why += "as likely as this network's names"
			}
			why += fmt.Sprintf(" (trigram model of %s labels)", words.Int(int64(m.Labels())))
		} else {
			why += "too few normal names here to train a model"
		}
		why += fmt.Sprintf(", %d consonants in a row, %d chars", sh.consonants, sh.length)
		if label != whole {
			why = strings.TrimSuffix(why, " chars") + " letters"
		}
		if sh.switches > 1 {
			why += fmt.Sprintf(", %d letter/digit switches", sh.switches)
		}
		if fail > 0 {
			why += fmt.Sprintf(", %.0f%% of its queries fail", 100*fail)
		}
		return why
	}
	return evidence{signal: SigDGA, strength: st, lazy: words}
}

// lettersOfNumbered is the letters of a label that is four letters or
// more with a number of up to four digits before or after them (home17,
// server01, 4shared), or the label: a short number on a word is a naming
// scheme, not randomness, and digits the network's names seldom hold made
// such labels 4σ unlikely. The letters are judged alone, as any label is;
// a long number (x82319237912379, ab12345678) is judged with them.
func lettersOfNumbered(label string) string {
	letters := strings.Trim(label, "0123456789")
	if n := len(label) - len(letters); n == 0 || n > 4 || len(letters) < 4 {
		return label
	}
	for i := 0; i < len(letters); i++ {
		if c := letters[i]; c < 'a' || c > 'z' {
			return label
		}
	}
	return letters
}

// generatedScale scales a generated-label strength by what the name is
// beside its label, and returns it with the share of its queries that
// fail: generated domains mostly do not exist, so a random-looking label
// that resolves (a CDN or platform host) keeps half the strength; and a
// random-looking name half the network asks is a platform, not malware.
func (s *Scorer) generatedScale(st float64, failed, answered, clients int64) (float64, float64) {
	fail := 0.0
	if answered > 0 {
		fail = float64(failed) / float64(answered)
		st *= 0.5 + 0.5*fail
	}
	if total := s.fin.Context.Clients; total > 0 {
		p := float64(clients) / float64(total)
		st *= (1 - p) * (1 - p)
	}
	return st, fail
}

// stronger is the stronger of two pieces of evidence of one signal.
func stronger(a, b evidence) evidence {
	if b.strength > a.strength {
		return b
	}
	return a
}

// randomCandidate reports a label of letters and digits, not all of
// them hex digits: what a generated host name is made of. Hyphens are a
// naming scheme's (gcnyc-52-702, i2-rcolz…, a CDN's tokens), hex alone
// is an identifier or a hash, and other bytes are a parser's or a
// program's garbage ("http://172"), not a choice of name.
func randomCandidate(l string) bool {
	hex := true
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case 'a' <= c && c <= 'f' || '0' <= c && c <= '9':
		case 'g' <= c && c <= 'z':
			hex = false
		default:
			return false
		}
	}
	return !hex
}

// tunnelExplains is the tunnel strength from which a domain's random
// subdomain labels are not judged one by one as generated names.
const tunnelExplains = 0.5

// minSubLabel is the shortest label below a registered domain that the
// generated-name signal judges: shorter ones (www, api, cdn1, mail2)
// are too short for a model to tell, most names have no other, and
// server names (phl1sprt108, hydvmsccm01) stay under it.
const minSubLabel = 12

// subGenerated judges the labels of a name below its registered domain
// (a random host under a plain domain) and returns its most generated
// one's evidence. Only labels that could be random are judged
// (randomCandidate), and not those of a domain that looks like a tunnel
// (ds), whose random labels are already its evidence.
func (s *Scorer) subGenerated(n *nameSig, ds *domainSignals) evidence {
	best := evidence{signal: SigDGA}
	sub, _ := splitName(n.row.Name, n.row.Domain)
	if len(sub) < minSubLabel || ds.tunnel.strength >= tunnelExplains {
		return best
	}
	for l := range strings.SplitSeq(sub, ".") {
		if len(l) < minSubLabel || !randomCandidate(l) {
			continue
		}
		if e := s.generated(l, true, n.failed, n.answered, n.row.Clients); e.strength > best.strength {
			best = e
		}
	}
	return best
}

// clientFailure is the highest failure share among the clients of a rare name.
func (s *Scorer) clientFailure(n *nameSig) (float64, uint32) {
	if n.manyClient || n.failed == 0 {
		return 0, 0
	}
	best, who := 0.0, uint32(0)
	for _, c := range n.clients {
		if c == 0 || int(c) >= len(s.clientAnswered) || s.clientAnswered[c] < minClientAnswers {
			continue
		}
		if f := float64(s.clientFailed[c]) / float64(s.clientAnswered[c]); f > best {
			best, who = f, c
		}
	}
	return best, who
}

// related is the verdict feedback: names near a name marked bad.
func (s *Scorer) related(i int, texts texts) evidence {
	n := &s.names[i]
	if n.verdict == rules.Bad || len(s.badByDomain) == 0 {
		return evidence{signal: SigRelated}
	}
	best := evidence{signal: SigRelated}
	consider := func(st float64, why string) {
		if st > best.strength {
			best = evidence{SigRelated, st, why, nil}
		}
	}
	for _, a := range n.answers {
		if b, ok := s.badAnswers[a]; ok && a != 0 && s.answerUse[a] <= maxAnswerSharing {
			consider(0.7, fmt.Sprintf("same answer %s as %s, marked bad", texts.answer(a), s.names[b].row.Name))
		}
	}
	if j, ok := s.badByDomain[n.row.DomainID]; ok {
		consider(0.8, "same registered domain as "+s.names[j].row.Name+", marked bad")
	}
	if !n.manyClient {
		asked, total, via := 0, 0, uint32(0)
		for _, c := range n.clients {
			if c == 0 {
				continue
			}
			total++
			if _, ok := s.badClients[c]; ok {
				asked++
				via = c
			}
		}
		if asked > 0 {
			// A client that asked most of the names (the one client of
			// a home resolver's log) relates its bad name to all of them,
			// which is to none.
			consider(0.6*float64(asked)/float64(total)*(1-s.breadth[via]),
				fmt.Sprintf("asked by %s, which asked %s, marked bad", texts.client(via), s.names[s.badClients[via]].row.Name))
		}
	}
	return best
}

// clientBreadths is, for each client that asked a name marked bad, the
// share of the names with events that it asked (of those whose clients
// are kept: a name of many clients is not counted, which leaves a
// breadth lower, never higher).
func (s *Scorer) clientBreadths() map[uint32]float64 {
	if len(s.badClients) == 0 {
		return nil
	}
	asked := make(map[uint32]int, len(s.badClients))
	named := 0
	for i := range s.names {
		n := &s.names[i]
		if n.events == 0 {
			continue
		}
		named++
		for _, c := range n.clients {
			if _, ok := s.badClients[c]; ok {
				asked[c]++
			}
		}
	}
	out := make(map[uint32]float64, len(asked))
	for c, k := range asked {
		out[c] = float64(k) / float64(named)
	}
	return out
}

// newness is the new signal of a DNS name or domain: against the
// baseline snapshot, or else within the stretch of traffic it was first
// seen in (stretchesOf), not the workspace's span: a capture merged with
// an older one holds names that are new only to the workspace.
func (s *Scorer) newness(id uint32, first int64) evidence {
	c := s.fin.Context
	if c.BaselineMax > 0 || len(s.stretches) < 2 {
		return newness(c, id, first)
	}
	k, found := slices.BinarySearchFunc(s.stretches, first, func(sp stretch, t int64) int { return cmp.Compare(sp.lo, t) })
	if !found {
		k--
	}
	if k < 0 || first > s.stretches[k].hi {
		return newness(c, id, first)
	}
	st := s.stretches[k]
	if st.hi-st.lo < 24*3600*1e6 || first <= st.lo {
		return evidence{signal: SigNew}
	}
	p := float64(first-st.lo) / float64(st.hi-st.lo)
	n := len(s.stretches)
	return evidence{signal: SigNew, strength: p * p, lazy: func() string {
		return fmt.Sprintf("first seen %s, %.0f%% into the stretch of traffic it appeared in (%s to %s, one of %d the workspace holds)",
			time.UnixMicro(first).UTC().Format("2006-01-02 15:04"), 100*p, time.UnixMicro(st.lo).UTC().Format("2006-01-02"), time.UnixMicro(st.hi).UTC().Format("2006-01-02"), n)
	}}
}

// stretch is a stretch of time, unix µs.
type stretch struct{ lo, hi int64 }

// joinGap is the longest silence that still makes one stretch of
// traffic: a log rotated into the next file, or a capture restarted,
// continues what was known; a capture of months later is another look,
// against which a name is new only by when it appeared within it.
const joinGap = 24 * 3600 * 1e6

// maxBuckets bounds the time buckets stretchesOf marks: an hour each, or
// longer when the names span more than about 20 years.
const maxBuckets = 1 << 18

// stretchesOf returns the stretches of recorded traffic of the names, in
// time order: the hours in which a name was first or last seen, joined
// where they lie within joinGap of each other. Every hour of a capture
// or a log sees some name first or last (most names are seen once), so a
// silence of more than a day is one between captures, however the files
// were cut: two captures in one file are two stretches, a log rotated
// into many files is one. It needs nothing but the names' first and last
// times, one pass and a bitmap.
func stretchesOf(names []nameSig) []stretch {
	lo, hi := int64(math.MaxInt64), int64(0)
	for i := range names {
		if r := &names[i].row; r.First > 0 && names[i].events > 0 {
			lo, hi = min(lo, r.First), max(hi, r.Last)
		}
	}
	if hi <= lo {
		return nil
	}
	width := max(int64(3600*1e6), (hi-lo)/maxBuckets+1)
	seen := make([]uint64, (hi-lo)/width/64+1)
	mark := func(t int64) { b := (t - lo) / width; seen[b/64] |= 1 << (b % 64) }
	for i := range names {
		if r := &names[i].row; r.First > 0 && names[i].events > 0 {
			mark(r.First)
			mark(r.Last)
		}
	}
	var out []stretch
	last := int64(-1) // the last marked bucket
	for b := int64(0); b <= (hi-lo)/width; b++ {
		if seen[b/64]&(1<<(b%64)) == 0 {
			continue
		}
		start, end := lo+b*width, min(hi, lo+(b+1)*width-1)
		if last >= 0 && start-(lo+(last+1)*width) <= joinGap {
			out[len(out)-1].hi = end
		} else {
			out = append(out, stretch{max(lo, start), end})
		}
		last = b
	}
	return out
}

// newness is the new signal of a subject with that id first seen then,
// against the baseline snapshot or the span of c.
func newness(c db.ScoreContext, id uint32, first int64) evidence {
	if c.BaselineMax > 0 {
		if id > c.BaselineMax {
			return evidence{SigNew, 1, "new since the baseline snapshot", nil}
		}
		return evidence{signal: SigNew}
	}
	span := c.Last - c.First
	if span < 24*3600*1e6 || first <= c.First {
		return evidence{signal: SigNew}
	}
	p := float64(first-c.First) / float64(span)
	return evidence{signal: SigNew, strength: p * p, lazy: func() string {
		return fmt.Sprintf("first seen %s, %.0f%% into the workspace's span", time.UnixMicro(first).UTC().Format("2006-01-02 15:04"), 100*p)
	}}
}

func (s *Scorer) rarity(clients int64) evidence {
	total := s.fin.Context.Clients
	if total < 5 || clients <= 0 {
		return evidence{signal: SigRare}
	}
	p := float64(clients) / float64(total)
	return evidence{signal: SigRare, strength: math.Pow(1-p, 4), lazy: func() string {
		return fmt.Sprintf("asked by %s of %s clients", words.Int(clients), words.Int(total))
	}}
}

// texts resolves ids for the explanations.
type texts struct{ clients, answers map[uint32]string }

func (t texts) client(id uint32) string {
	if id == 0 {
		return "an unknown client"
	}
	return lookup(t.clients, id)
}
func (t texts) answer(id uint32) string { return lookup(t.answers, id) }

func lookup(m map[uint32]string, id uint32) string {
	if s, ok := m[id]; ok {
		return s
	}
	return "#" + strconv.FormatUint(uint64(id), 10)
}

// resolve fetches the client and answer texts the explanations can use.
func (s *Scorer) resolve() texts {
	if s.fin.Texts == nil {
		return texts{}
	}
	var clients, answers []uint32
	for i := range s.names {
		n := &s.names[i]
		if n.beacon.strength > 0 {
			clients = append(clients, n.beacon.client)
		}
		if n.failed > 0 && !n.manyClient {
			if _, c := s.clientFailure(n); c != 0 {
				clients = append(clients, c)
			}
		}
	}
	for c := range s.badClients {
		clients = append(clients, c)
	}
	for a := range s.badAnswers {
		answers = append(answers, a)
	}
	slices.Sort(clients)
	slices.Sort(answers)
	cm, am := s.fin.Texts(slices.Compact(clients), slices.Compact(answers))
	return texts{cm, am}
}

func beaconWords(b beacon, t texts) string {
	return fmt.Sprintf("%s asked every %s (±%s) over %s queries, %d of 24 hours of the day",
		t.client(b.client), duration(b.median), duration(b.mad), words.Int(int64(b.queries)), b.hours)
}

func failureWords(failed, nx, answered int64, cf float64, client uint32, t texts) string {
	what := "NXDOMAIN"
	if nx < failed {
		what = "NXDOMAIN/SERVFAIL"
	}
	w := fmt.Sprintf("%.0f%% %s (%s of %s answered)", 100*float64(failed)/float64(answered), what, words.Int(failed), words.Int(answered))
	if cf > 0 {
		w += fmt.Sprintf("; client %s fails %.0f%% of its queries", t.client(client), 100*cf)
	}
	return w
}

func typeWords(types []int64, events int64) string {
	var parts []string
	for k, n := range types {
		if n > 0 && 100*n >= events { // 1% or more
			parts = append(parts, fmt.Sprintf("%.0f%% %s", 100*float64(n)/float64(events), oddTypeNames[k]))
		}
	}
	return strings.Join(parts, ", ")
}

// duration renders µs as "60 s", "2.5 min", "3 h".
func duration(us float64) string {
	sec := us / 1e6
	switch {
	case sec < 1:
		return fmt.Sprintf("%.1f s", sec)
	case sec < 120:
		return fmt.Sprintf("%.0f s", sec)
	case sec < 7200:
		return fmt.Sprintf("%.1f min", sec/60)
	}
	return fmt.Sprintf("%.1f h", sec/3600)
}

func byteWords(n int64) string {
	switch {
	case n < 10_000:
		return words.Int(n) + " bytes"
	case n < 10_000_000:
		return fmt.Sprintf("%.0f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.0f MB", float64(n)/1e6)
}
