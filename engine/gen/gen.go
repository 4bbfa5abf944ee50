// Package gen writes synthetic logs of every kind longtail reads (Kinds)
// for the demo and the benchmarks: DNS, a heavy-tailed mix of plausible
// names over a week of office rhythm with a DNS tunnel, a beacon and a few
// DGA names hidden in it; web requests with a scanner, a webshell and a
// rare user agent; a Windows Security log with a password spray, a brute
// force that succeeds and an admin on a workstation it never used. Each
// returns the ground truth about what it planted, so that tests and the
// scoring evaluation can check what the analysis finds.
package gen

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Options says what to write.
type Options struct {
	Lines  int64  // DNS events to write (tcpdump writes two lines and pcap two packets, query and response, per event)
	Seed   int64  // same seed, same output
	Format string // "csv" (OpenDNS 5-field), "zeek" (dns.log TSV), "tcpdump" (-n -tttt text) or "pcap" (libpcap capture)
	Start  time.Time
	Days   int // span of the log; default 7
}

// Truth is what was planted in the log.
type Truth struct {
	// Events is how many events were written: Options.Lines, or more
	// when the planted ones alone are more (a floor, so that a short log
	// still holds every anomaly).
	Events       int64
	TunnelDomain string   // registered domain whose subdomains carry the tunnel
	BeaconClient string   // the client that beacons ...
	BeaconName   string   // ... to this name, every 60 s ± a few seconds
	DGANames     []string // generated names, each seen once or twice
	// Popular are the 50 registered domains (by names.RegisteredDomain) with
	// the most events, most popular first. Counted over the normal traffic:
	// the tunnel, chatty as tunnels are, may rank among them but is not
	// "normal popular".
	Popular []string
}

// DefaultStart is used when Options.Start is zero: a Monday, so that the
// default week shows five working days and a weekend.
var DefaultStart = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)

// defaults checks o and fills in the span's defaults.
func (o *Options) defaults() error {
	if o.Lines < 0 {
		return fmt.Errorf("gen: negative line count %d", o.Lines)
	}
	if o.Days <= 0 {
		o.Days = 7
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	return nil
}

// Write writes o.Lines events in o.Format to w.
func Write(w io.Writer, o Options) (Truth, error) {
	if err := o.defaults(); err != nil {
		return Truth{}, err
	}
	f, ok := formats[o.Format]
	if !ok {
		return Truth{}, fmt.Errorf("gen: unknown format %q (want csv, zeek, tcpdump or pcap)", o.Format)
	}
	g := newGenerator(o)
	bw := bufio.NewWriterSize(w, 1<<20)
	f.writeHeader(bw, g)
	g.run(func(e *event) {
		bw.Write(f.line(bw.AvailableBuffer(), g, e))
	}, f.dueFunc(bw, g))
	f.writeFooter(bw, g)
	if err := bw.Flush(); err != nil {
		return Truth{}, err
	}
	return g.truth(), nil
}

type generator struct {
	o         Options
	rng       *rand.Rand
	fmtRng    *rand.Rand // ports, ids, uids, rtts: kept apart so that every format carries the same events
	clock     clock
	pending   []response // tcpdump and pcap responses not yet written
	clientIPs [][4]byte  // the clients' addresses, for pcap
	w         *world
	zipf      *rand.Zipf
	start     int64 // unix µs
	end       int64
	anom      []event // planted events, sorted by time
	tunnel    string
	beacon    string
	beaconC   uint8
	dga       []string
	counts    []int64 // events per registered domain (world.regs), normal traffic only
	ptrReg    int32
	ptrPool   []string
}

func newGenerator(o Options) *generator {
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x6c6f6e677461696c))
	g := &generator{o: o, rng: rng, w: newWorld(rng), fmtRng: rand.New(rand.NewPCG(uint64(o.Seed), 0x666d74))}
	g.zipf = rand.NewZipf(rng, 1.05, 1, numDomains-1)
	g.start = o.Start.UnixMicro()
	g.end = o.Start.Add(time.Duration(o.Days) * 24 * time.Hour).UnixMicro()
	g.ptrReg = g.w.reg("in-addr.arpa", "in-addr.arpa")
	g.ptrPool = make([]string, 4000)
	for i := range g.ptrPool {
		g.ptrPool[i] = g.reverseName()
	}
	g.plant()
	g.counts = make([]int64, len(g.w.regs))
	return g
}

// event is one query with its response.
type event struct {
	t      int64 // unix µs
	client uint8
	qtype  uint16
	rcode  uint8
	ttl    uint32
	name   string
	answer string // answer text when it is not derived from hash
	hash   uint64 // answer seed for A/AAAA/HTTPS answers
	reg    int32  // registered domain id, or -1 for planted events
}

// run produces every event in time order and hands each to emit.
// due, if not nil, is called with each event's time before the event is
// emitted and with MaxInt64 at the end (tcpdump uses it to write the
// responses that are due by then).
func (g *generator) run(emit func(*event), due func(int64)) {
	normal := g.o.Lines - int64(len(g.anom))
	minutes := int64(g.o.Days) * 1440
	weights := make([]float64, minutes)
	total := 0.0
	for m := range weights {
		weights[m] = activity(g.o.Start.Add(time.Duration(m) * time.Minute))
		total += weights[m]
	}
	var e event
	ai := 0
	written, acc := int64(0), 0.0
	for m := int64(0); m < minutes; m++ {
		acc += weights[m]
		n := int64(math.Round(float64(normal)*acc/total)) - written
		if m == minutes-1 {
			n = normal - written
		}
		if n <= 0 {
			continue
		}
		base := g.start + m*60e6
		step := max(60e6/n, 1)
		for j := int64(0); j < n; j++ {
			t := base + j*step + g.rng.Int64N(step)
			for ; ai < len(g.anom) && g.anom[ai].t <= t; ai++ {
				if due != nil {
					due(g.anom[ai].t)
				}
				emit(&g.anom[ai])
			}
			g.normalEvent(&e, t)
			if due != nil {
				due(t)
			}
			emit(&e)
		}
		written += n
	}
	for ; ai < len(g.anom); ai++ {
		if due != nil {
			due(g.anom[ai].t)
		}
		emit(&g.anom[ai])
	}
	if due != nil {
		due(math.MaxInt64)
	}
}

// activity is the relative query rate at t: low at night, a morning ramp,
// busy office hours with a lunch dip, a tail into the evening, and
// weekends at about a third.
func activity(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	day := math.Exp(-math.Pow((h-11)/2.2, 2)) + 0.9*math.Exp(-math.Pow((h-15.5)/2.4, 2))
	r := 0.08 + day + 0.25*math.Exp(-math.Pow((h-20.5)/1.8, 2))
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		r *= 0.35
	}
	return r
}

// Query type mix of an ordinary network (the rest is HTTPS, mostly from
// browsers and Apple devices).
const (
	pA     = 600
	pAAAA  = 850
	pTXT   = 870
	pMX    = 880
	pPTR   = 905
	pSRV   = 915
	pLeak  = 925 // a search-suffix query: host.corp.company → NXDOMAIN
	pHTTPS = 1000
)

func (g *generator) normalEvent(e *event, t int64) {
	rng := g.rng
	*e = event{t: t, client: g.w.pick[rng.IntN(len(g.w.pick))]}
	switch r := rng.IntN(1000); {
	case r < pPTR && r >= pMX:
		e.qtype, e.name = 12, g.ptrPool[rng.IntN(len(g.ptrPool))]
		e.reg, e.ttl = g.ptrReg, 3600
		if hashString(e.name)%4 == 0 {
			e.rcode = 3
		} else {
			e.answer = "host-" + e.name[:len(e.name)-len(".in-addr.arpa")] + ".dyn.example.net"
		}
		g.counts[e.reg]++
		return
	case r < pSRV && r >= pPTR:
		g.srvEvent(e)
		g.counts[e.reg]++
		return
	case r < pLeak && r >= pSRV:
		h := g.w.hostOf(&g.w.domains[g.zipf.Uint64()%200])
		e.qtype, e.rcode, e.name = 1, 3, h.name+".corp."+g.w.company
		e.reg = g.w.domains[companyRank].hosts[0].reg
		g.counts[e.reg]++
		return
	case r < pA:
		e.qtype = 1
	case r < pAAAA:
		e.qtype = 28
	case r < pTXT:
		e.qtype = 16
	case r < pMX:
		e.qtype = 15
	default:
		e.qtype = 65
	}
	d := &g.w.domains[g.zipf.Uint64()]
	h := g.w.hostOf(d)
	if e.qtype == 15 || e.qtype == 16 {
		h = bareHost(d) // mail and TXT (SPF, verification) records live on the domain itself
	}
	e.name, e.hash, e.reg = h.name, h.hash, h.reg
	g.counts[e.reg]++
	if d.dead {
		e.rcode = 3
		return
	}
	// Resolvers answer from cache with the TTL counted down.
	e.ttl = d.ttl - uint32(rng.IntN(int(d.ttl/2)+1))
	switch e.qtype {
	case 16:
		e.answer = "v=spf1 include:_spf." + d.name + " ~all"
	case 15:
		e.answer = "mail." + d.name
	}
}

func bareHost(d *domain) *host {
	for i := range d.hosts {
		if d.hosts[i].name == d.name {
			return &d.hosts[i]
		}
	}
	return &d.hosts[0]
}

var srvNames = []string{"_ldap._tcp.dc._msdcs.", "_kerberos._tcp.", "_ldap._tcp.default-first-site-name._sites.dc._msdcs.", "_gc._tcp."}

func (g *generator) srvEvent(e *event) {
	c := &g.w.domains[companyRank]
	e.qtype, e.ttl = 33, 600
	e.name = srvNames[g.rng.IntN(len(srvNames))] + "corp." + c.name
	e.answer = "dc0" + string(rune('1'+g.rng.IntN(3))) + ".corp." + c.name
	e.reg = c.hosts[0].reg
}

func (g *generator) reverseName() string {
	ip := g.rng.Uint32()
	if g.rng.IntN(2) == 0 {
		ip = 10<<24 | uint32(1+g.rng.IntN(2))<<8 | uint32(10+g.rng.IntN(200))
	}
	var b []byte
	for i := 0; i < 4; i++ {
		b = appendUint(b, uint64(ip>>(8*i)&0xff))
		b = append(b, '.')
	}
	return string(append(b, "in-addr.arpa"...))
}

func (g *generator) truth() Truth {
	ids := make([]int32, len(g.counts))
	for i := range ids {
		ids[i] = int32(i)
	}
	slices.SortStableFunc(ids, func(a, b int32) int { return cmp.Compare(g.counts[b], g.counts[a]) })
	t := Truth{Events: max(g.o.Lines, int64(len(g.anom))), TunnelDomain: g.tunnel, BeaconClient: g.w.clients[g.beaconC], BeaconName: g.beacon, DGANames: g.dga}
	for _, id := range ids[:min(50, len(ids))] {
		if g.counts[id] == 0 {
			break
		}
		t.Popular = append(t.Popular, g.w.regs[id])
	}
	return t
}
