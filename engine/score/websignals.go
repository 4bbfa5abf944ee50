package score

import (
	"fmt"
	"math"
	"net/netip"
	"strings"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
)

// webContext is what the HTTP signals are judged against: the span of the
// HTTP traffic (and the baseline), its clients and requests.
type webContext struct {
	db.ScoreContext
	requests int64
}

func (h *httpScorer) context(c db.ScoreContext) webContext {
	c.First, c.Last = spanOf(h.base())
	c.Clients = 0
	for id := 1; id < len(h.clients); id++ {
		if h.clients[id].requests > 0 {
			c.Clients++
		}
	}
	return webContext{ScoreContext: c, requests: h.requests}
}

// rarity is the rare signal of a value: seen from few of the HTTP
// clients and few times among the HTTP requests, each on a log scale
// (one client of 1,000 is rarer than ten, ten rarer than a hundred).
func (c webContext) rarity(r db.NameRow) evidence {
	if c.Clients < 5 || r.Clients <= 0 || c.requests < 2 {
		return evidence{signal: SigRare}
	}
	byClients := 1 - math.Log(float64(r.Clients))/math.Log(float64(c.Clients))
	byCount := 1 - math.Log(float64(r.Count))/math.Log(float64(c.requests))
	return evidence{signal: SigRare, strength: clamp01(byClients) * clamp01(byCount), lazy: func() string {
		return fmt.Sprintf("seen %s from %s of %s clients (%s HTTP requests in all)", occurrences(r.Count), words.Int(r.Clients), words.Int(c.Clients), words.Int(c.requests))
	}}
}

// occurrences writes a count of occurrences: "once", "twice", "12 times".
func occurrences(n int64) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return words.Int(n) + " times"
}

// unresolved returns the unresolved signal of each host (by index in
// values), when the workspace has DNS: a host no DNS name of the same
// text resolved was reached without this network's resolver (a
// hard-coded address, another resolver, DNS over HTTPS). Its strength
// falls fast with the share of hosts alike: when most are unresolved, the
// DNS is likely of another network and says little; when none resolved,
// nothing.
func (h *httpScorer) unresolved(dns []nameSig) func(i int) evidence {
	none := func(int) evidence { return evidence{signal: SigUnresolved} }
	if len(dns) == 0 {
		return none
	}
	byText := map[string][]int32{} // the hosts that are names, by their text without a port
	for i := range h.values {
		v := &h.values[i]
		if v.code() != subject.HTTPHost {
			continue
		}
		if host := hostOnly(v.row.Name); !isAddr(host) {
			byText[host] = append(byText[host], int32(i))
		}
	}
	resolved := map[int32]bool{}
	failed := map[int32]bool{} // asked, but every answer was a failure
	for i := range dns {
		n := &dns[i]
		for _, k := range byText[n.row.Name] {
			if n.events > n.failed {
				resolved[k] = true
			} else {
				failed[k] = true
			}
		}
	}
	hosts := 0
	for _, ks := range byText {
		hosts += len(ks)
	}
	// Square of the resolved share: with a third of the hosts unresolved
	// the signal is at 0.44, with two thirds at 0.11 (1 - share² gave it
	// 0.56 there, +29 on every host of a proxy log read beside the DNS of
	// another network).
	share := float64(hosts-len(resolved)) / float64(max(hosts, 1))
	strength := (1 - share) * (1 - share)
	return func(i int) evidence {
		k := int32(i)
		switch {
		case resolved[k]:
			return evidence{signal: SigUnresolved}
		case isAddr(hostOnly(h.values[i].row.Name)):
			return evidence{SigUnresolved, 0.5 * strength, "an IP address: reached without any DNS name", nil}
		}
		why := "never resolved by any client in this workspace's DNS"
		if failed[k] {
			why += " (asked, but every answer was a failure)"
		}
		if share >= 0.1 {
			why += fmt.Sprintf("; %.0f%% of the HTTP hosts are not", 100*share)
		}
		return evidence{SigUnresolved, strength, why, nil}
	}
}

func isAddr(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

// hostOnly strips a port from a host value ("example.com:8080",
// "[2001:db8::1]:8080") and the brackets of an IPv6 literal.
func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[1:i]
		}
		return h
	}
	if i := strings.IndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		return h[:i]
	}
	return h
}

// queryEvidence is the query signal of a path: its strongest request.
func (h *httpScorer) queryEvidence(v *httpValue) evidence {
	q := &v.query
	if q.best.strength <= 0 {
		return evidence{signal: SigQuery}
	}
	return evidence{signal: SigQuery, strength: q.best.strength, lazy: func() string { return q.words(q.requests) }}
}

// scanner judges a client by its requests: many distinct paths, most of
// them asked by no other client, and a high share answered 404. The
// breadth counts from 10 distinct paths, fully from 10^2.5 (316), and
// half as much without 404s; the 404 share above a tenth (a missing
// favicon is everyday), fully from 60%, and fully from a dozen distinct
// paths (a bot probing /.env, /wp-login.php and ten more, all missing, is
// a scanner too).
func (h *httpScorer) scanner(id uint32) evidence {
	if id == 0 || int(id) >= len(h.clients) {
		return evidence{signal: SigScanner}
	}
	c := &h.clients[id]
	if c.value > 0 && h.values[c.value-1].verdict == rules.Good {
		return evidence{signal: SigScanner}
	}
	own := float64(c.own) / float64(max(c.paths, 1))
	breadth := clamp01((math.Log10(float64(max(c.paths, 1))) - 1) / 1.5)
	var notFound, miss float64
	if c.answered >= minScanAnswers {
		notFound = float64(c.notFound) / float64(c.answered)
		miss = clamp01((notFound-0.1)/0.5) * clamp01(float64(c.paths-2)/10)
	}
	// A crawler reading every page finds them; a scanner guesses, and
	// misses: breadth alone counts half.
	st := 1 - (1-breadth*(0.2+0.8*own)*(0.5+0.5*clamp01(notFound/0.3)))*(1-miss)
	return evidence{signal: SigScanner, strength: st, lazy: func() string {
		w := fmt.Sprintf("%s distinct paths, %s asked by no other client", words.Int(c.paths), words.Int(c.own))
		if c.answered > 0 {
			w += fmt.Sprintf("; %.0f%% of %s answered requests were 404", 100*float64(c.notFound)/float64(c.answered), words.Int(c.answered))
		}
		return w
	}}
}

// probed is the scanner signal a path inherits from the clients that
// asked it (when they are few), scaled by their share of them.
func (h *httpScorer) probed(v *httpValue) evidence {
	best := evidence{signal: SigScanner}
	if v.manyClients || v.nclients == 0 {
		return best
	}
	var who uint32
	scanners := 0
	for _, id := range v.clients[:v.nclients] {
		e := h.scanner(id)
		if e.strength >= 0.5 {
			scanners++
		}
		if e.strength > best.strength {
			best, who = e, id
		}
	}
	if scanners == 0 {
		return evidence{signal: SigScanner}
	}
	inner := best.lazy
	name := h.clientName(who)
	return evidence{signal: SigScanner, strength: inherit * best.strength * float64(scanners) / float64(v.nclients), lazy: func() string {
		return "probed by " + name + ", which looks like a scanner: " + inner()
	}}
}

// sentEvidence is the query signal a client inherits from the strongest
// request target it sent.
func (h *httpScorer) sentEvidence(id uint32) evidence {
	q := h.sent[id]
	if q == nil {
		return evidence{signal: SigQuery}
	}
	return evidence{signal: SigQuery, strength: inherit * q.best.strength, lazy: func() string {
		return q.words(h.clients[id].requests) + ", to " + h.values[q.path].row.Name
	}}
}

// clientName is a client's address, from its client value.
func (h *httpScorer) clientName(id uint32) string {
	if int(id) < len(h.clients) && h.clients[id].value > 0 {
		return h.values[h.clients[id].value-1].row.Name
	}
	return fmt.Sprintf("client #%d", id)
}

// httpGroupSignals are the signals a group takes from its strongest
// value: what a value is (a tool, a scanner, an attack) says something of
// its family or network; its rarity or newness does not.
var httpGroupSignals = [...]string{SigQuery, SigScanner, SigTool, SigUnresolved}

// toolEvidence is the tool signal of a user agent (toolOf).
func toolEvidence(ua string) evidence {
	st, why := toolOf(ua)
	return evidence{SigTool, st, why, nil}
}
