package score

import (
	"fmt"
	"math"
	"strings"

	"github.com/longtail/longtail/internal/words"
)

// An organisation's own names (hosts under corp.local, a .lan or
// .home.arpa, an .internal zone, or an Active Directory domain the
// locator queries name, whatever its suffix) are named by its
// administrators' scheme (nycvmsql0147, ws-0231, fileserver), not by the
// public internet's habits: judged by the public model, a scheme reads
// as generated and a random host hides among labels no website has. So
// such a name's labels are judged against the organisation's own host
// labels, by a trigram model trained on them (each weighted by its
// clients, as the public one is) and their length, and its failures
// against the share of the organisation's names that fail:
//
//	org dga = 0.7·clamp((z − 1.5)/3) + 0.3·clamp((length z − 1)/3)
//
// z being the label's surprisal against the organisation's other labels
// (held out), length z how far its length lies above theirs in standard
// deviations; then scaled by failures and clients as the public judgement
// is. Failure = clamp((f − org rate)/(1 − org rate)), f the name's
// failure share. An organisation with fewer than minOrgLabels host
// labels has no history to speak of: its names are judged as any other.
const (
	minOrgLabels = 20
	minOrgLabel  = 8 // shortest label judged: host names are short
)

// org is one organisation's history: its host labels' model and length,
// and its names' failures.
type org struct {
	name             string
	labels           []string
	weights          []float64
	model            *Model
	meanLen, sdLen   float64
	failed, answered int64
	clients          int64 // of its busiest registered domain
}

// orgOf returns the organisation a name (or domain) belongs to: the
// longest AD domain it is under, or else, under a suffix nobody
// registers, its registered domain when that has a label of its own
// below the suffix (corp.local, corp.lan) or the suffix itself (home.arpa,
// lan, corp: each host its own registered domain); "" for a public name.
func orgOf(name, domain string, ad []string) string {
	best := ""
	for _, a := range ad {
		if (name == a || strings.HasSuffix(name, "."+a)) && len(a) > len(best) {
			best = a
		}
	}
	if best != "" {
		return best
	}
	for _, s := range nonPublic {
		if name != s && !strings.HasSuffix(name, "."+s) {
			continue
		}
		if domain != name && domain != s && strings.HasSuffix(domain, "."+s) {
			return domain
		}
		return s
	}
	return ""
}

// hostLabels are the labels of name left of its organisation's name.
func hostLabels(name, org string) string {
	if len(name) <= len(org)+1 || !strings.HasSuffix(name, "."+org) {
		return ""
	}
	return name[:len(name)-len(org)-1]
}

// buildOrgs learns each organisation's history from its names that are
// not infrastructure (the locator's _ldap labels and the browsers'
// probes say nothing of how hosts are named) and not known to be bad.
// An incremental pass takes the whole scoring's (Base.orgs).
func (s *Scorer) buildOrgs() {
	if s.in.Base != nil {
		s.orgs = s.in.Base.orgs
		return
	}
	s.orgs = nil
	for i := range s.names {
		n := &s.names[i]
		if n.events == 0 || n.infra != infraNone {
			continue
		}
		name := orgOf(n.row.Name, n.row.Domain, s.ad)
		if name == "" {
			continue
		}
		if s.orgs == nil {
			s.orgs = map[string]*org{}
		}
		o := s.orgs[name]
		if o == nil {
			o = &org{name: name}
			s.orgs[name] = o
		}
		o.failed += n.failed
		o.answered += n.answered
		if d := &s.domains[n.row.DomainID]; d.row != nil {
			o.clients = max(o.clients, d.row.Clients)
		}
		if host, _, _ := strings.Cut(hostLabels(n.row.Name, name), "."); host != "" {
			o.labels = append(o.labels, host)
			o.weights = append(o.weights, 1+math.Log2(float64(max(n.row.Clients, 1))))
		}
	}
	for _, o := range s.orgs {
		o.model = trainMin(o.labels, o.weights, minOrgLabels)
		var sum, sq float64
		for _, l := range o.labels {
			sum += float64(len(l))
			sq += float64(len(l) * len(l))
		}
		if k := float64(len(o.labels)); k > 0 {
			o.meanLen = sum / k
			o.sdLen = math.Sqrt(max(sq/k-o.meanLen*o.meanLen, 1))
		}
		o.labels, o.weights = nil, nil
	}
}

// orgFor returns the organisation of a name (or a domain: name ==
// domain) when it has history enough to judge by; nil otherwise.
func (s *Scorer) orgFor(name, domain string) *org {
	if s.orgs == nil {
		return nil
	}
	if o := s.orgs[orgOf(name, domain, s.ad)]; o != nil && o.model.Labels() >= minOrgLabels && s.trusted(o) {
		return o
	}
	return nil
}

// trusted reports an organisation that is this network's: under a suffix
// nobody registers (no tunnel's server can answer there), or an AD domain
// whose registered domain a quarter of the clients or more ask. A
// locator query is one line any client can send: a tunnel's client that
// asks _ldap._tcp.dc._msdcs under the tunnel's domain must not make its
// names an organisation's, judged only against each other.
func (s *Scorer) trusted(o *org) bool {
	total := s.fin.Context.Clients
	return internal(o.name) || total > 0 && 4*o.clients >= total
}

// orgGenerated judges the labels of a name below its organisation's
// name against the organisation's own, and returns the most unusual
// one's evidence.
func (s *Scorer) orgGenerated(o *org, name string, failed, answered, clients int64) evidence {
	best := evidence{signal: SigDGA}
	for l := range strings.SplitSeq(hostLabels(name, o.name), ".") {
		if len(l) < minOrgLabel || !randomCandidate(l) {
			continue
		}
		if e := s.orgLabel(o, l, failed, answered, clients); e.strength > best.strength {
			best = e
		}
	}
	return best
}

// orgLabel judges one label against an organisation's own.
func (s *Scorer) orgLabel(o *org, label string, failed, answered, clients int64) evidence {
	z := o.model.Z(label)
	lz := (float64(len(label)) - o.meanLen) / o.sdLen
	st, fail := s.generatedScale(0.7*clamp01((z-1.5)/3)+0.3*clamp01((lz-1)/3), failed, answered, clients)
	return evidence{signal: SigDGA, strength: st, lazy: func() string {
		why := fmt.Sprintf("label %q: ", label)
		if z > 0 {
			why += fmt.Sprintf("%.1fσ less likely than", z)
		} else {
			why += "as likely as"
		}
		why += fmt.Sprintf(" the other names of %s (trigram model of its %s host labels, not the internet's), %d chars against %.0f on average", o.name, words.Int(int64(o.model.Labels())), len(label), o.meanLen)
		if fail > 0 {
			why += fmt.Sprintf(", %.0f%% of its queries fail", 100*fail)
		}
		return why
	}}
}

// rate is the share of an organisation's queries that fail.
func (o *org) rate() float64 {
	return float64(o.failed) / float64(max(o.answered, 1))
}

// orgFailure is a failure share f judged against the organisation's
// own: what fails as often as its other names do is its normal.
func (o *org) orgFailure(f float64) float64 {
	r := o.rate()
	if r >= 1 {
		return 0
	}
	return clamp01((f - r) / (1 - r))
}

// nameGenerated is a name's generated-label evidence: against its
// organisation's own names when it has history (o, from orgFor),
// otherwise against the public model (subGenerated).
func (s *Scorer) nameGenerated(n *nameSig, ds *domainSignals, o *org) evidence {
	if o != nil {
		return s.orgGenerated(o, n.row.Name, n.failed, n.answered, n.row.Clients)
	}
	return s.subGenerated(n, ds)
}

// domainGenerated is a registered domain's own label's evidence (o, its
// organisation, from orgFor): a host that is its own registered domain
// under a suffix nobody registers (srv.corp, nas.home.arpa) is judged
// against its organisation's other hosts.
func (s *Scorer) domainGenerated(d *domAcc, o *org) evidence {
	if o != nil && o.name != d.row.Name {
		return s.orgGenerated(o, d.row.Name, d.failed, d.answered, d.row.Clients)
	}
	return s.dga(d)
}

// domainTunnel is a registered domain's tunnel evidence (o, its
// organisation): an organisation's own domain with history is not judged
// by the public tunnel shape, as its names are judged against its own
// (a tunnel needs a zone the internet can reach, which a suffix nobody
// registers is not, and an organisation's hosts are named by its scheme).
func (s *Scorer) domainTunnel(id uint32, d *domAcc, o *org) evidence {
	if o != nil && o.name == d.row.Name {
		return evidence{signal: SigTunnel}
	}
	return s.tunnel(id, d)
}

// failureOf is the failure evidence of a name (or a domain) that failed
// failed of answered queries; cf and client are its failing client's
// (clientFailure; client 0 for a domain, whose client is not named). Under
// an organisation with history (o) it is judged against the
// organisation's own failure rate, and the organisation's own domain,
// being that history, not at all.
func (s *Scorer) failureOf(o *org, name string, failed, nx, answered int64, cf float64, client uint32, t texts) evidence {
	f := float64(failed) / float64(answered)
	if o != nil {
		if o.name == name {
			return evidence{signal: SigFailure}
		}
		f = o.orgFailure(f)
	}
	return evidence{signal: SigFailure, strength: f * (0.6 + 0.4*cf), lazy: func() string {
		named := cf
		if client == 0 {
			named = 0
		}
		w := failureWords(failed, nx, answered, named, client, t)
		if o != nil {
			w += fmt.Sprintf("; the other names of %s fail %.0f%% of theirs", o.name, 100*o.rate())
		}
		return w
	}}
}
