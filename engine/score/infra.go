package score

import (
	"fmt"
	"slices"
	"strings"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/internal/words"
	"golang.org/x/net/publicsuffix"
)

// SigDiscounted names the contribution that says why a name's shape was
// not held against it: it carries 0 points (the score is what the
// remaining signals make) and the class of infrastructure in words.
const SigDiscounted = "discounted"

// infra is a class of infrastructure noise: names whose shape (many
// labels, random letters, failures, a timer) comes from what they are,
// not from a tunnel, a generator or an implant.
type infra uint8

const (
	infraNone    infra = iota
	infraReverse       // PTR lookups under in-addr.arpa and ip6.arpa
	infraService       // service discovery: _tcp/_udp SRV, DNS-SD, _msdcs, WPAD, ISATAP
	infraProbe         // a resolver probe: Chrome's random single labels
	infraLink          // a host under .local: mDNS, or the AD domain itself
	infraSearch        // a name with the resolver's search suffix appended
	infraIdent         // a measurement probe: one 128-bit identifier per name
)

var infraWords = [...]string{
	infraReverse: "reverse lookup (the name of an address)",
	infraService: "service discovery (SRV/DNS-SD/AD locator/WPAD/ISATAP)",
	infraProbe:   "resolver probe (a random single label that does not exist, as browsers send to detect DNS hijacking)",
	infraLink:    "link-local or internal host name (.local)",
	infraSearch:  "search-list expansion (a name with this network's search suffix appended, which fails)",
	infraIdent:   "identifier probe (one 128-bit hex identifier per name, a GUID or a hash, under a zone of its domain, asked for an address that resolves, as network measurement probes such as Windows' are: it names a test and carries no data)",
}

// tenantWhy explains a registered domain that is a tenant's name under a
// provider's suffix (the PSL's private section: blob.core.windows.net,
// cloudfront.net, herokuapp.com): the provider or its customer chose
// that label, no generator did, as a generator must register its
// domains where anyone can.
const tenantWhy = "a tenant's name under a cloud or hosting provider's suffix (the public suffix list's private section): its label was assigned, not judged as a generated name"

// tenantNameWhy says it of a name under such a domain.
const tenantNameWhy = "under " + tenantWhy

// maxInfraLabel is the longest label a service-discovery name may have
// and still be discounted: AD site and host names stay well under it,
// while a tunnel that hides behind an underscore label carries its data
// in labels of 30 characters and more, and is judged as any other.
const maxInfraLabel = 30

// Resolver probes: Chromium asks three random names of 7 to 15 letters
// at start and on every network change, without a dot (or with the
// search suffix of an internal domain appended), and expects NXDOMAIN.
const (
	minProbe = 7
	maxProbe = 15
)

// nonPublic are the suffixes no one registers under: a name in them is
// an internal one, and a probe with the search suffix appended lands in
// them.
var nonPublic = []string{"local", "lan", "internal", "corp", "home", "localdomain", "intranet", "private", "home.arpa"}

// nameFacts are what infraOf needs of a name besides its text: its
// query counts (failed and answered; odd, those of a data-carrying
// type), whether its domain is this network's (see ownDomain), which a
// search-list expansion's must be when the log has no answers, and the
// Active Directory domains learnt from the workspace (adDomains).
type nameFacts struct {
	failed, answered, odd int64
	own                   bool
	ad                    []string
}

// infraOf classifies a name by its text and, for probes and search-list
// expansions, by whether it failed.
func infraOf(name, domain string, f nameFacts) infra {
	failed, answered := f.failed, f.answered
	if isReverse(domain) {
		return infraReverse
	}
	first, rest, _ := strings.Cut(name, ".")
	if first == "wpad" || first == "isatap" || name == "ipv4only.arpa" { // a proxy, a tunnel, a NAT64 prefix looked up
		return infraService
	}
	// An AD locator name may hold a GUID (…{guid}.domains._msdcs…),
	// which longestLabel does not count; an mDNS instance name
	// ("black-pearl [b8:27:eb:c7:e9:c9]._workstation._tcp.local") any
	// length: link-local names go nowhere a tunnel could be answered.
	if strings.IndexByte(name, '_') >= 0 && underscored(name) && (longestLabel(name) <= maxInfraLabel || domain == "local") {
		return infraService
	}
	if probeLabel(first) && failed > 0 && 2*failed >= answered && (rest == "" || internal(rest) || underAD(rest, f.ad)) {
		return infraProbe
	}
	if f.odd == 0 && failed == 0 && answered > 0 && identLabel(first) && strings.HasSuffix(rest, "."+domain) && longestLabel(rest) <= maxProbe {
		return infraIdent
	}
	if name == domain && strings.HasSuffix(name, ".local") {
		return infraLink
	}
	// A name that resolves is no expansion: login.example.com.attacker.net
	// is a look-alike, and must be judged.
	if (answered > 0 && 2*failed >= answered || answered == 0 && f.own) && expanded(name, domain) {
		return infraSearch
	}
	return infraNone
}

// expanded reports a name that holds a whole name before its registered
// domain (x1.cloudfront.net.corp.example.com, x2.edge.example.co.uk.corp
// .example.com): what a resolver asks when it tries a name with each
// suffix of its search list. The inner name is asked on its own too, and
// judged there. It is recognised by a listed public suffix (not the
// default rule) ending a run of labels, past the first, below the
// registered domain.
func expanded(name, domain string) bool {
	sub, _ := splitName(name, domain)
	first := strings.IndexByte(sub, '.')
	if first < 0 {
		return false
	}
	for i := first + 1; i <= len(sub); i++ {
		if i < len(sub) && sub[i] != '.' {
			continue
		}
		p := sub[:i]
		// A listed suffix: ICANN's, or of the private section (two labels
		// or more); the default rule gives one label and icann false.
		if suffix, icann := publicsuffix.PublicSuffix(p); (icann || strings.IndexByte(suffix, '.') > 0) && len(suffix) < len(p) {
			return true
		}
	}
	return false
}

// underscored reports a name with a label that starts with '_': an
// underscored protocol or service name (RFC 8552), never a host's.
func underscored(name string) bool {
	for l := range strings.SplitSeq(name, ".") {
		if strings.HasPrefix(l, "_") {
			return true
		}
	}
	return false
}

// longestLabel is the length of the longest label of name that is not
// a GUID.
func longestLabel(name string) int {
	n := 0
	for l := range strings.SplitSeq(name, ".") {
		if !guid(l) {
			n = max(n, len(l))
		}
	}
	return n
}

// identLabel reports a 128-bit identifier: a GUID, or 32 hex digits (a
// GUID without its dashes, an MD5), not all of them digits.
func identLabel(l string) bool {
	if guid(l) {
		return true
	}
	if len(l) != 32 {
		return false
	}
	letters := false
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case 'a' <= c && c <= 'f':
			letters = true
		case c < '0' || c > '9':
			return false
		}
	}
	return letters
}

// guid reports a label shaped 8-4-4-4-12 hex digits.
func guid(l string) bool {
	if len(l) != 36 {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// probeLabel is the shape of a resolver probe's label: 7 to 15 letters.
func probeLabel(l string) bool {
	if len(l) < minProbe || len(l) > maxProbe {
		return false
	}
	for i := 0; i < len(l); i++ {
		if l[i] < 'a' || l[i] > 'z' {
			return false
		}
	}
	return true
}

// internal reports a name under a suffix that is not public.
func internal(name string) bool {
	for _, s := range nonPublic {
		if name == s || strings.HasSuffix(name, "."+s) {
			return true
		}
	}
	return false
}

// maxAD is how many Active Directory domains adDomains learns: a
// network has one or a few; more are a fuzzer's or a tunnel's names.
const maxAD = 8

// adDomains are the Active Directory domains the workspace's locator
// queries name (_ldap._tcp.dc._msdcs.corp.example.com: corp.example.com),
// in whatever suffix, public or not: the domain's clients append it to
// the single labels they try, so a browser's probes arrive under it. An
// AD domain is a registered domain or under one: a locator query for a
// public suffix (_ldap._tcp.dc._msdcs.co.uk, whose registered domain is
// _msdcs.co.uk) would make every domain under the suffix one
// organisation's, which a popular one vouches for (orgFor).
func adDomains(names []nameSig) []string {
	var out []string
	for i := range names {
		n, reg := names[i].row.Name, names[i].row.Domain
		k := strings.Index(n, "_msdcs.")
		if k < 0 || k > 0 && n[k-1] != '.' || names[i].events == 0 {
			continue
		}
		ad := n[k+len("_msdcs."):]
		if ad != reg && !strings.HasSuffix(ad, "."+reg) {
			continue
		}
		if strings.IndexByte(ad, '.') > 0 && !slices.Contains(out, ad) {
			out = append(out, ad)
			if len(out) == maxAD {
				break
			}
		}
	}
	return out
}

// underAD reports a name that is one of the AD domains or under one.
func underAD(name string, ad []string) bool {
	for _, d := range ad {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// tenant reports a registered domain under a suffix of the PSL's private
// section (two labels or more; the default rule's single label is not
// one): a tenant of a provider (see tenantWhy).
func tenant(domain string) bool {
	suffix, icann := publicsuffix.PublicSuffix(domain)
	return !icann && strings.IndexByte(suffix, '.') > 0 && len(suffix) < len(domain)
}

// discount is the 0-point contribution that explains an infrastructure
// name; the words say what was not counted and why.
func discount(c infra) db.Contribution {
	return db.Contribution{Signal: SigDiscounted, Why: infraWords[c] + ": not judged as a tunnel, generated name, beacon or failures"}
}

// domainDiscount explains a domain some of whose names were discounted.
func domainDiscount(c infra, n int64, example string) db.Contribution {
	if n == 1 {
		return db.Contribution{Signal: SigDiscounted, Why: fmt.Sprintf("%s is %s: not judged as a tunnel, generated name, beacon or failures", example, infraWords[c])}
	}
	return db.Contribution{Signal: SigDiscounted, Why: fmt.Sprintf("%s of its names are infrastructure, such as %s, %s: not judged as a tunnel, generated name, beacon or failures", words.Int(n), example, infraWords[c])}
}

// ownDomain reports a domain that looks like this network's own: under a
// suffix nobody registers, or asked by a quarter of the clients or more
// (or by any, in a log without clients). Holding an AD domain is not
// enough: a locator query is one line any client can send, and a tunnel's
// names shaped as names (data.com.tunnel.example) would then be taken for
// search-list expansions in a log without answers.
func ownDomain(domain string, clients, total int64) bool {
	return internal(domain) || total == 0 || 4*clients >= total
}
