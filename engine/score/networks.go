package score

import (
	"fmt"
	"slices"
	"strings"

	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/internal/words"
)

// SigNetworks: where a name's answers point. Judged only when an AS table
// is imported (FinishInputs.Networks), from the answers each name keeps in
// its sketch (maxSketch answer lists), each distinct address looked up
// once. The stronger of:
//
//   - spread: answers in networks of several unrelated owners,
//     clamp((owners − 1)/3): a name is normally served by one company
//     (fast flux, or a name moved to an attacker's server, is not; but
//     neither are a pool of volunteers' servers such as pool.ntp.org's,
//     or a CDN's caches inside ISPs: hence a small weight, context
//     worth a look rather than a verdict);
//   - apart: the name's main network is not that of the rest of its
//     registered domain, clamp(0.4 + 0.06·others)·agree, when at least
//     minOthers other names of the domain answer and agree (the share of
//     them in their own main network) is 3/4 or more: a host of a
//     company's domain on a rented server is what a takeover or a phishing
//     page under a real domain looks like.
//
// Owners are told apart by the AS name's first word of letters (GOOGLE-2
// and GOOGLE-IT are one owner, GOOGLE; CLOUDFLARENET-SFO05 is
// CLOUDFLARENET), or the AS number when no name is known.
const SigNetworks = "networks"

const (
	minOthers   = 3
	minAgreeing = 0.75
)

// answerNetworks resolves the sketched answers of every name to the
// networks of their addresses; nil when no table is imported.
func (s *Scorer) answerNetworks() []networks.Set {
	if s.fin.Networks == nil {
		return nil
	}
	var ids []uint32
	for i := range s.names {
		ids = append(ids, s.names[i].answers[:s.names[i].nanswers]...)
	}
	byAnswer := s.fin.Networks(ids)
	if len(byAnswer) == 0 {
		return nil
	}
	out := make([]networks.Set, len(s.names))
	parts := make([]networks.Set, 0, maxSketch)
	for i := range s.names {
		n := &s.names[i]
		parts = parts[:0]
		for _, a := range n.answers[:n.nanswers] {
			parts = append(parts, byAnswer[a])
		}
		out[i] = networks.Merge(parts...)
	}
	return out
}

// domainNets counts, per registered domain, its names with known answer
// networks by their main AS.
type domainNets map[uint32]map[uint32]*asnNames

// asnNames is how many names of a domain answer mainly in an AS.
type asnNames struct {
	n   int32
	net networks.Network
}

func (s *Scorer) domainNets(sets []networks.Set) domainNets {
	out := domainNets{}
	for i, set := range sets {
		if len(set) == 0 || s.names[i].infra != infraNone {
			continue
		}
		d := s.names[i].row.DomainID
		if out[d] == nil {
			out[d] = map[uint32]*asnNames{}
		}
		c := out[d][set[0].ASN]
		if c == nil {
			c = &asnNames{net: set[0].Network}
			out[d][set[0].ASN] = c
		}
		c.n++
	}
	return out
}

// networkEvidence judges name i's answer networks (see SigNetworks).
func (s *Scorer) networkEvidence(i int, sets []networks.Set, doms domainNets) evidence {
	if sets == nil || len(sets[i]) == 0 {
		return evidence{signal: SigNetworks}
	}
	set, n := sets[i], &s.names[i]
	best := evidence{signal: SigNetworks}
	if owners := ownersOf(set); len(owners) > 1 {
		best = evidence{signal: SigNetworks, strength: clamp01(float64(len(owners)-1) / 3), lazy: func() string {
			return fmt.Sprintf("answers in the networks of %d unrelated owners: %s", len(owners), strings.Join(set.All(), ", "))
		}}
	}
	counts := doms[n.row.DomainID]
	main := set[0]
	var others, top int32
	var theirs networks.Network
	for asn, c := range counts {
		k := c.n
		if asn == main.ASN {
			k--
		}
		others += k
		if k > top || k == top && asn < theirs.ASN {
			top, theirs = k, c.net
		}
	}
	if others < minOthers || float64(top) < minAgreeing*float64(others) || theirs.ASN == main.ASN {
		return best
	}
	if networks.Owner(theirs) == networks.Owner(main.Network) || slices.ContainsFunc(set, func(x networks.Share) bool { return x.ASN == theirs.ASN }) {
		return best
	}
	agree := float64(top) / float64(others)
	st := clamp01(0.4+0.06*float64(others)) * agree
	if st <= best.strength {
		return best
	}
	domain := n.row.Domain
	return evidence{signal: SigNetworks, strength: st, lazy: func() string {
		who := fmt.Sprintf("the other %s names of %s", words.Int(int64(others)), domain)
		if top < others {
			who = fmt.Sprintf("%s of the other %s names of %s", words.Int(int64(top)), words.Int(int64(others)), domain)
		}
		return fmt.Sprintf("answers in %s while %s answer in %s", networks.Short(main.Network), who, networks.Short(theirs))
	}}
}

// ownersOf is the distinct owners of a Set's networks.
func ownersOf(set networks.Set) []string {
	var out []string
	for _, n := range set {
		o := networks.Owner(n.Network)
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
