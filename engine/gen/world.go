package gen

import (
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/longtail/longtail/engine/names"
)

// The world is everything that is fixed before the first line is written:
// the domains with their hosts, TTLs and answers, and the clients. Building
// it up front keeps the line loop down to a few random draws and appends.

// numDomains is the size of the domain universe. With Zipf s≈1.05 over this
// many, a 1M-line log sees most of them at most a few times, as real DNS
// logs do.
const numDomains = 200_000

// wellKnown head the popularity ranking so that the demo looks like a real
// network. cloudfront.net is a private-section public suffix: its hosts
// (d1abc....cloudfront.net) are each their own registered domain.
var wellKnown = []string{
	"google.com", "microsoft.com", "apple.com", "facebook.com", "windowsupdate.com",
	"gstatic.com", "amazon.com", "office.com", "live.com", "akamaiedge.net",
	"icloud.com", "doubleclick.net", "youtube.com", "cloudfront.net", "googlevideo.com",
	"fbcdn.net", "instagram.com", "linkedin.com", "netflix.com", "spotify.com",
	"zoom.us", "slack.com", "github.com", "msftconnecttest.com", "outlook.com",
	"bing.com", "yahoo.com", "wikipedia.org", "reddit.com", "adobe.com",
	"dropbox.com", "whatsapp.net", "digicert.com", "mozilla.org", "skype.com",
	"twitter.com", "ntp.org", "ubuntu.com", "salesforce.com", "cloudflare.com",
}

const cdnDomain = "cloudfront.net"

var words = strings.Fields(`
able acme active alpha amber anchor apex apple arc arrow atlas aurora autumn axis
badger bay beacon bear bell berry big bird black blade blaze bloom blue bold bolt
book boot bright brook buffalo build cabin camp candle canyon capital card castle
cedar central chain charm cherry city clear cliff cloud coast cobalt comet coral
corner cosmic craft crane creek crest crown crystal cube daily dash dawn deep delta
desert digital direct dream drift eagle earth east echo edge elm ember epic ever
fair falcon farm fast field fire first flash fleet flow forest fox free fresh
frost fusion garden gate gem giant glass globe gold grand granite green grid grove
harbor harvest hawk heart helix hill home honey horizon hub iron island ivory jade
jet journal jungle key kind king lake land leaf legacy light lime lion little live
local logic lotus lunar magic maple market meadow metro micro mill mint mode moon
motion mountain nature net nova oak ocean olive omega open orange orbit origin
pacific palm paper park peak pearl pine pixel planet plaza point polar prime pulse
quest quick rain ranch rapid raven red ridge river rock rocket rose royal ruby
sage salt sand scout sea shadow shop sierra silver simple sky smart snow solar
sound south spark spring square star stone storm summit sun swift table tiger
timber top tower trail tree tribe true union urban valley vector velvet venture
vista wave west whale wild willow wind wing winter wolf wood works yellow zen zone
news media tech labs soft data cloud web mail games travel health food music
sports bank finance study learn photo style home garden auto motors design`)

var syllables = strings.Fields(`
ka lo mi ra ne to sa li po ve da ri mo ta ni ko be lu za fi go na re so ma
ti ba le vo du pe si ro ca no mu ga de fo la ki te pa ru me zo ha bi yo su
vi cu xa ze tri bra clo dre sto pla gri fle mar tal ven dor sol ber lin kor`)

// tlds with their weights: mostly .com, a national mix, and multi-label
// suffixes so that roll-up is exercised beyond "last two labels".
var tlds = []struct {
	tld    string
	weight int
}{
	{"com", 480}, {"net", 70}, {"org", 60}, {"de", 50}, {"co.uk", 40}, {"io", 25},
	{"ru", 25}, {"fr", 20}, {"nl", 20}, {"com.au", 20}, {"com.br", 20}, {"it", 18},
	{"ca", 16}, {"jp", 10}, {"co.jp", 8}, {"es", 10}, {"pl", 10}, {"info", 10},
	{"eu", 8}, {"ch", 8}, {"se", 8}, {"in", 8}, {"co", 8}, {"us", 8}, {"app", 6},
	{"dev", 6}, {"org.uk", 6}, {"net.au", 4}, {"be", 6}, {"at", 6}, {"cz", 5},
	{"co.nz", 4}, {"com.mx", 4}, {"xyz", 4}, {"me", 5}, {"tv", 3},
}

// hostLabels are the subdomains popular domains are asked for, most common
// first.
var hostLabels = []string{"www", "api", "cdn", "img", "static", "mail", "login", "m", "app", "auth", "assets", "video", "ws", "edge", "metrics", "update"}

type domain struct {
	name  string
	hosts []host
	ttl   uint32 // the TTL the authority hands out; answers show less (cached)
	dead  bool   // every query gets NXDOMAIN
}

type host struct {
	name string
	hash uint64 // drives the answers, so a name always resolves the same way
	reg  int32  // index into world.regs: the name's registered domain
}

type world struct {
	domains []domain
	regs    []string // registered domains, for the popularity truth
	company string   // the organisation's own domain (search suffix, AD)
	clients []string
	pick    [4096]uint8 // client index by uniform draw, proportional to activity
	rng     *rand.Rand
	taken   map[string]bool
	regID   map[string]int32
}

var ttlChoices = []uint32{20, 60, 60, 300, 300, 300, 600, 900, 1800, 3600, 3600, 14400, 86400}

func newWorld(rng *rand.Rand) *world {
	w := &world{rng: rng, taken: make(map[string]bool, numDomains), regID: make(map[string]int32, numDomains)}
	tldTable := make([]string, 0, 1024)
	for _, t := range tlds {
		for range t.weight {
			tldTable = append(tldTable, t.tld)
		}
	}
	w.domains = make([]domain, 0, numDomains)
	for _, n := range wellKnown {
		w.addDomain(n)
	}
	w.company = w.freshName(tldTable[0])
	w.addDomain(w.company)
	for len(w.domains) < numDomains {
		w.addDomain(w.freshName(tldTable[rng.IntN(len(tldTable))]))
	}
	// The company's own web presence sits at a modest rank; its AD SRV
	// lookups and search-suffix leaks (host.corp.company) lift the
	// registered domain near the top, as in real logs.
	c := len(wellKnown)
	w.domains[c], w.domains[companyRank] = w.domains[companyRank], w.domains[c]
	for i := range w.domains {
		w.buildHosts(i)
	}
	w.buildClients()
	return w
}

func (w *world) addDomain(name string) {
	w.taken[name] = true
	w.domains = append(w.domains, domain{name: name})
}

// freshName returns a plausible, unused registered domain under tld: made
// of words and syllables, never random letters, so that generated names
// look nothing like DGA output.
func (w *world) freshName(tld string) string {
	rng := w.rng
	for {
		var b strings.Builder
		word := func() string { return words[rng.IntN(len(words))] }
		syl := func() string { return syllables[rng.IntN(len(syllables))] }
		switch r := rng.IntN(100); {
		case r < 8:
			b.WriteString(word())
		case r < 50:
			b.WriteString(word())
			b.WriteString(word())
		case r < 60:
			b.WriteString(word())
			b.WriteByte('-')
			b.WriteString(word())
		case r < 85:
			for range 2 + rng.IntN(2) {
				b.WriteString(syl())
			}
		case r < 92:
			b.WriteString(word())
			b.WriteString(strconv.Itoa(1 + rng.IntN(99)))
		default:
			b.WriteString(word())
			b.WriteString(syl())
		}
		b.WriteByte('.')
		b.WriteString(tld)
		if n := b.String(); !w.taken[n] {
			return n
		}
	}
}

func (w *world) buildHosts(rank int) {
	rng := w.rng
	d := &w.domains[rank]
	d.ttl = ttlChoices[rng.IntN(len(ttlChoices))]
	d.dead = rank > 500 && rng.IntN(100) < 3
	var labels []string
	switch {
	case d.name == cdnDomain:
		for range 40 {
			labels = append(labels, "d"+randomString(rng, lowerAlnum, 13))
		}
	case rank < 200:
		labels = append(labels, "", "www")
		labels = append(labels, hostLabels[1:4+rng.IntN(len(hostLabels)-4)]...)
		if rng.IntN(5) == 0 { // some services hand out per-customer hash hosts
			for range 1 + rng.IntN(2) {
				labels = append(labels, randomString(rng, lowerHex, 12)+".edge")
			}
		}
	case rank < 5000:
		labels = append(labels, "www", "")
		labels = append(labels, hostLabels[1:1+rng.IntN(3)]...)
	case rng.IntN(3) == 0:
		labels = append(labels, "")
	default:
		labels = append(labels, "www", "")
	}
	d.hosts = make([]host, len(labels))
	for i, l := range labels {
		n := d.name
		if l != "" {
			n = l + "." + d.name
		}
		d.hosts[i] = host{name: n, hash: hashString(n), reg: w.reg(n, d.name)}
	}
}

// reg returns the id of the registered domain of host n under domain d,
// by the same rules the analysis uses (which matters for private-section
// suffixes such as cloudfront.net).
func (w *world) reg(n, d string) int32 {
	r := d
	if n != d || d == cdnDomain {
		r = names.RegisteredDomain(n)
	}
	id, ok := w.regID[r]
	if !ok {
		id = int32(len(w.regs))
		w.regs = append(w.regs, r)
		w.regID[r] = id
	}
	return id
}

// companyRank is where the organisation's own domain sits in popularity.
const companyRank = 150

const numClients = 250

// buildClients makes ~250 clients 10.0.x.y with very different activity:
// a few servers and proxies ask a lot, most desktops a little.
func (w *world) buildClients() {
	w.clients = make([]string, numClients)
	weights := make([]float64, numClients)
	total := 0.0
	for i := range w.clients {
		w.clients[i] = "10.0." + strconv.Itoa(1+i/200) + "." + strconv.Itoa(10+i%200)
		weights[i] = 1 / float64(1+w.rng.IntN(numClients))
		total += weights[i]
	}
	j, acc := 0, 0.0
	for i, wt := range weights {
		acc += wt
		for ; j < len(w.pick) && float64(j) < acc/total*float64(len(w.pick)); j++ {
			w.pick[j] = uint8(i)
		}
	}
	for ; j < len(w.pick); j++ {
		w.pick[j] = numClients - 1
	}
}

// hostOf picks a host of domain d: the first hosts are much more common
// (geometric, from the trailing zeros of one random word).
func (w *world) hostOf(d *domain) *host {
	i := bits.TrailingZeros64(w.rng.Uint64() | 1<<62)
	if i >= len(d.hosts) {
		i = len(d.hosts) - 1
	}
	return &d.hosts[i]
}

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	lowerHex   = "0123456789abcdef"
	base32     = "abcdefghijklmnopqrstuvwxyz234567"
)

func randomString(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// hashString is FNV-1a with a final mix, so that answers follow from the
// name alone.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}
