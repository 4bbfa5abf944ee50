package gen

import (
	"cmp"
	"slices"
	"time"
)

// plant builds the anomalous events, sorted by time. They are kept to a
// tiny share of the log: the beacon is one query a minute for the whole
// span (10,080 a week), the tunnel a thousandth of the lines (300 to
// 20,000), the DGA about ten events. For logs too small to hide that much
// (under ~500k lines a week) the beacon and tunnel are cut so that planted
// events stay under 4% of the lines; the beacon then covers only the start.
func (g *generator) plant() {
	w := g.w
	budget := max(g.o.Lines*4/100, 0)
	g.beaconC = uint8(numClients - 13)
	g.beacon = "sync." + w.freshName("net")
	g.tunnel = w.freshName("info")
	w.taken[g.tunnel] = true
	tunnelClients := []uint8{uint8(numClients - 41), uint8(numClients - 40)}
	dgaClient := uint8(numClients - 77)

	dga := g.dgaEvents(dgaClient)
	budget -= int64(len(dga))
	tunnelN := min(max(g.o.Lines/1000, 300), 20_000, max(budget/3, 0))
	tunnel := g.tunnelEvents(int(tunnelN), tunnelClients)
	budget -= int64(len(tunnel))
	beacon := g.beaconEvents(max(budget, 0))

	g.anom = slices.Concat(dga, tunnel, beacon)
	slices.SortStableFunc(g.anom, func(a, b event) int { return cmp.Compare(a.t, b.t) })
}

// beaconEvents: one client asks one name every 60 s ± 3 s, day and night,
// weekend included — the regularity is what gives it away.
func (g *generator) beaconEvents(limit int64) []event {
	hash := hashString(g.beacon)
	var evs []event
	for t := g.start + 37e6; t < g.end && int64(len(evs)) < limit; t += 60e6 {
		jitter := g.rng.Int64N(6e6+1) - 3e6
		evs = append(evs, event{t: t + jitter, client: g.beaconC, qtype: 1, ttl: 60, name: g.beacon, hash: hash, reg: -1})
	}
	return evs
}

// tunnelEvents: sessions of quick-fire queries (a few per second) from one
// or two clients during working hours, each name carrying data as long
// base32 labels under the tunnel domain, mostly TXT.
func (g *generator) tunnelEvents(n int, clients []uint8) []event {
	rng := g.rng
	evs := make([]event, 0, n)
	for len(evs) < n {
		day := rng.IntN(g.o.Days)
		t := g.start + int64(day)*86400e6 + int64(9*3600+rng.IntN(9*3600))*1e6
		client := clients[rng.IntN(len(clients))]
		for k := 100 + rng.IntN(300); k > 0 && len(evs) < n; k-- {
			t += 100e3 + rng.Int64N(1400e3)
			e := event{t: t, client: client, reg: -1, ttl: 0}
			e.name = randomString(rng, base32, 40+rng.IntN(21)) + "." + randomString(rng, base32, 40+rng.IntN(21))
			if rng.IntN(3) == 0 {
				e.name += "." + randomString(rng, base32, 20+rng.IntN(21))
			}
			e.name += "." + g.tunnel
			switch r := rng.IntN(10); {
			case r < 7:
				e.qtype, e.answer = 16, randomString(rng, base32, 24+rng.IntN(40))
			case r < 8:
				e.qtype, e.answer = 5, randomString(rng, base32, 30)+"."+g.tunnel
			default:
				e.qtype, e.hash = 1, hashString(e.name)
			}
			evs = append(evs, e)
		}
	}
	return evs
}

var dgaTLDs = []string{"com", "net", "info", "xyz", "biz", "top", "org", "ru"}

const (
	consonants = "bcdfghjklmnpqrstvwxz"
	vowels     = "aeiouy"
)

// dgaEvents: six algorithmically generated names ("a few", as the demo
// issue asks: with the tunnel and the beacon, all fit in a top 10), consonant heavy, tried by
// one infected client in a burst; most do not exist. Some are tried again
// later.
func (g *generator) dgaEvents(client uint8) []event {
	rng := g.rng
	burst := g.start + int64(rng.IntN(g.o.Days))*86400e6 + int64(8*3600+rng.IntN(10*3600))*1e6
	var evs []event
	for range 6 {
		b := make([]byte, 10+rng.IntN(8))
		for i := range b {
			if rng.IntN(100) < 78 {
				b[i] = consonants[rng.IntN(len(consonants))]
			} else if rng.IntN(3) == 0 {
				b[i] = '0' + byte(rng.IntN(10))
			} else {
				b[i] = vowels[rng.IntN(len(vowels))]
			}
		}
		b[0] = consonants[rng.IntN(len(consonants))]
		name := string(b) + "." + dgaTLDs[rng.IntN(len(dgaTLDs))]
		if g.w.taken[name] {
			continue
		}
		g.w.taken[name] = true
		g.dga = append(g.dga, name)
		burst += 200e3 + rng.Int64N(2e6)
		e := event{t: burst, client: client, qtype: 1, rcode: 3, name: name, reg: -1}
		if rng.IntN(5) == 0 { // the one the botmaster registered
			e.rcode, e.ttl, e.hash = 0, 300, hashString(name)
		}
		evs = append(evs, e)
		again := e
		again.t += int64(time.Duration(1+rng.IntN(6)) * time.Hour / time.Microsecond)
		if rng.IntN(2) == 0 && again.t < g.end {
			evs = append(evs, again)
		}
	}
	return evs
}
