// Package score ranks names and registered domains by how likely they are
// to be bad — DNS tunnels, generated (DGA) domains, beacons — and the
// values of the HTTP subjects — scanners, webshells, attack tools, hosts
// reached around the DNS — and says why, so the analyst confirms instead
// of hunts. It reads nothing and writes nothing itself: Scorer is fed each
// name with its events and returns scores; Run drives it over a workspace
// and stores the result.
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
//     lies above that of this workspace's normal labels (Model: known-good
//     rules, imported ranks and the domains most clients ask, less those
//     that mostly fail, each weighted by 1 + log2(clients) up to 4, so
//     that one botnet's names, however many, do not become normal);
//     without a model (under 50 training labels) 0.5·run + 0.3·switches + 0.2·length.
//     Multiplied by (1 − share of clients)²: a random-looking name half
//     the network asks is a CDN, not malware. A name's labels below its
//     registered domain of minSubLabel chars or more, of letters and
//     digits but not only hex digits, are judged the same way, by the
//     name's own clients and failures (not under a domain that looks like
//     a tunnel): a name takes the stronger of its domain's label and its
//     own most generated one, and the domain the strongest of its
//     names', named (a random host under a plain domain).
//   - answers (per registered domain, see answers.go): what its TXT,
//     NULL and private-type answers carry, by a sample of them: many,
//     long, high-entropy answers are a download channel whose query
//     names are short. A name inherits it by its share of such queries.
//   - bytes (per registered domain, see bytes.go): the distinct answers
//     one client received to names only it asked, measured by what a
//     sample of them carries once compressed, and by its share of the
//     domain's distinct answers: a download channel in any answer type,
//     not a busy domain whose answers go to many clients or are addresses
//     and host names. A name its top client alone asked inherits it.
//   - beacon (per client and name, the strongest pair counts): with at
//     least MinBeaconEvents check-ins (queries 2 s apart or more) and a
//     median interval of 10 s or more, clamp(1 − (MAD/median)/0.25) ×
//     (0.4 + 0.3·clamp((check-ins − 20)/80) + 0.3·clamp(span/1 day)) ×
//     (0.5 + 0.5·hours of the day covered/24). Only names asked by at
//     most a quarter of the clients (BeaconClients) are judged: a timer
//     to a name much of the network asks is an update check everyone
//     has, and their query times are most of a workspace's.
//   - failure: share of NXDOMAIN/SERVFAIL among answered queries ×
//     (0.6 + 0.4·the highest failure share of a client that asked it, for
//     names with at most 4 clients and clients with 20+ answers).
//   - related (verdict feedback): 0.8 for a name under the registered
//     domain of a name marked bad, 0.7 for a name that got the same answer
//     as a bad name (answers shared by more than 50 names are ignored),
//     0.6 × share of its clients that asked a bad name for a name asked by
//     at most 4 clients.
//   - new: with a baseline snapshot 1 for a name created after it;
//     otherwise (position of first seen in its stretch of traffic)², over
//     a stretch of a day or more. The stretches are the hours in which
//     some name was first or last seen, joined across silences of up to a
//     day (stretchesOf): a capture merged with one of months before is a
//     stretch of its own, so its names are not new for being in it.
//   - rare: (1 − share of clients that asked)⁴, with 5 clients or more.
//   - networks (with an AS table imported; networks.go): answers in
//     networks of several unrelated owners, or in a network unlike that of
//     the rest of the registered domain's names.
//
// # Combination
//
// The strengths combine as a noisy OR: score = 100·(1 − Π(1 − wᵢ·sᵢ)),
// with weights tunnel 0.95, beacon 0.9, answers 0.9, dga 0.85, bytes 0.85, related 0.8,
// failure 0.3, networks 0.3, new 0.1, rare 0.1. One strong signal is enough to rank high,
// several moderate ones compound, and no signal can push past 100. Each
// signal's points are its share of the score in proportion to
// −ln(1 − wᵢ·sᵢ), so the points add up to the score. Every contribution
// says why: from a score of MinExplained in its own words, below it in
// its signal's words in brief, given when the score is read back
// (db.BriefWhy) rather than stored for the whole long tail.
//
// Known-good names (and domains) are not scored: they leave the ranking,
// and they train the n-gram model.
//
// # Infrastructure
//
// Some names have a tunnel's, a generator's or a beacon's shape because
// of what they are (infra.go): reverse lookups, service discovery (an
// underscored label — _ldap._tcp…_msdcs, DNS-SD — or WPAD and ISATAP,
// with no label over 30 chars but GUIDs), resolver probes (7 to 15
// random letters, alone or under an internal suffix, that fail), hosts
// under .local, and search-list expansions (a whole name with the
// search suffix appended, that fails; in a log without answers, under a
// domain a quarter of the clients ask or an internal one). They are recognised by that
// shape, not listed; so are identifier probes (one 128-bit hex
// identifier per name under a zone of its domain, asked for an address
// that resolves: Windows' network-footprint probes), and the probes
// under an Active Directory domain, whatever its suffix, that the
// workspace's _msdcs locator queries name (not as many as a tunnel's:
// tooManyProbes; its expansions in a log without answers only when a
// quarter of the clients ask it: a locator query is one line any client
// can send). Such a name is scored by the verdict feedback
// (related) alone, and its score carries a 0-point "discounted"
// contribution naming the class. They are not folded into their domain's
// tunnel, failure and beacon evidence, so corp.local (an AD domain rolls
// up to its own last two labels, engine/names) is judged by its ordinary
// names; a domain says how many of its names were discounted, and one
// made only of them is scored like them. An organisation's own names
// (under a suffix nobody registers: corp.local, corp.lan, home.arpa,
// .internal; or an AD domain the locator queries name whose registered
// domain a quarter of the clients ask, so that a tunnel's client cannot
// make its domain one by asking a locator name; orgmodel.go)
// are judged against its own history once it has 20 host labels or
// more: their labels by a trigram model of the organisation's other host
// labels and their length, their failures against its own failure rate,
// and not by the public tunnel shape; the words say "the other names of
// corp.local". A registered domain under a
// suffix of the PSL's private section (a storage account under
// blob.core.windows.net, a distribution under cloudfront.net) is a
// tenant: its label was assigned, so it is not judged as a generated
// name, and says so.
//
// # HTTP signals
//
// The hosts, paths, user agents and clients of HTTP requests are scored in
// the same run and stored in the same tables, by their names.id (a group,
// by its domains.id); referer hosts and statuses are not, as they say
// something only with the request they came with. Only the path events
// are read one by one (a request has exactly one path): the cost is a
// sixth of the HTTP events, and nothing for a DNS-only workspace.
//
//   - query (a path): its strongest request, judged by the request
//     details: 1 when the decoded path or query string holds an attack
//     word — shell (cmd=, whoami, /bin/sh…), SQL (union select, or 1=1,
//     sleep(…), traversal (../, /etc/passwd) or script (<script) —
//     otherwise 1 − (1 − 0.5·length)·(1 − 0.6·encoding), length =
//     clamp((query bytes − 128)/896), encoding = clamp((share of its bytes
//     in %XX escapes or base64-like runs − 0.3)/0.5)·clamp(bytes/64). A
//     client inherits 0.6 × the strongest of the requests it sent.
//   - scanner (a client): 1 − (1 − breadth·(0.2 + 0.8·own)·(0.5 +
//     0.5·clamp(404 share/0.3)))·(1 − miss), breadth = clamp((log10(distinct
//     paths) − 1)/1.5), own = share of its paths no other client asked,
//     miss = clamp((404 share − 0.1)/0.5)·clamp((distinct paths − 2)/10),
//     the 404 share counted from 10 answered requests on: a crawler reading
//     every page finds them, a scanner guesses and misses. A path
//     asked by at most 4 clients inherits 0.6 × the strongest scanner among
//     them × the share of them that are scanners (0.5 or more), named.
//   - tool (a user agent): 1 for an attack tool that names itself (sqlmap,
//     Nikto, Nmap, masscan, zgrab…), 0.5 for a script client (curl, Wget,
//     python-requests, Go-http-client…), 0.3 for what
//     github.com/mileusna/useragent flags as a bot (crawlers, headless
//     browsers).
//   - unresolved (a host, when the workspace has DNS names): 1 − u² for a
//     host that no DNS name of the same text resolved (asked and always
//     failed counts as unresolved), u being the share of hosts alike: when
//     none resolved, the DNS is another network's and says nothing. Half
//     that for an IP address, reached without any name.
//   - rare (hosts, paths, user agents): (1 − ln clients/ln C)·(1 − ln
//     requests/ln N), C the clients and N the requests of the HTTP traffic,
//     with 5 clients or more: on a log scale, since most values of a web
//     log are seen by few clients.
//   - new (hosts, paths): the DNS signal, over the HTTP traffic's span.
//
// They combine as the DNS signals do, with weights query 0.9, scanner
// 0.85, tool 0.7, unresolved 0.6, rare 0.3, new 0.1. A group (a host's
// registered domain, a path's section, a user agent's family, a client's
// network) takes the query, scanner, tool and unresolved evidence of its
// strongest value, named ("203.0.113.66: 401 distinct paths…"), and is new
// as its first value is. Known-good values are not scored, and a
// known-good client is no scanner for the paths it asked.
//
// # Logon signals
//
// The accounts, sources and "account ← source" pairs of logons are scored
// in the same run (logon.go). Only the source events are read one by one
// (every logon has one source), with their details (account, result,
// password, command, URL) read once per distinct detail; each source's
// logons are walked in time order, then each account's successes.
//
//   - breakin (a source, the pair and the account): a success after the
//     run of failures its source had since its last success, when the run
//     has more than 5 failures or spans 2 accounts or more that do not
//     exist or never log on from that source (a guess that worked; a
//     few failures of its own users are typos): clamp(0.3 +
//     0.7·log10(failures)/log10(50)).
//   - spray (a source): more than 5 failures across 2 accounts or more
//     that never logged on from it (an address many users share sees
//     each of them mistype): 0.3 + 0.7·clamp(ln accounts/ln 20).
//   - brute (a source and the pair; an account over all sources):
//     more than 5 failures for one account within an hour (DeepBlueCLI's
//     threshold): 0.5 + 0.5·clamp(log10(peak/5)/2), peak the most
//     failures in an hour.
//   - userenum (a source): failures for 3 accounts or more that do not
//     exist (invalid user, "no such user"), or more than 5 of them:
//     0.3 + 0.7·clamp(ln accounts/ln 20).
//   - offhours (an account and the pair): with 20 successes or more of
//     one logon type on 5 days or more, a success at an hour (UTC) g ≥ 2
//     hours from every other day's span of that type (its first logon to
//     its last): (0.5 + 0.5·clamp((days − 5)/10))·clamp((g − 1)/4).
//   - rare (a pair): with 10 successes or more of its account from 2
//     sources or more, a source of one or two of them: 1 − ln n/ln N.
//   - new (a pair): the DNS signal, over the logons' span.
//   - honeypot, command, download (a source): a success on a target that
//     logs the passwords tried (no real server does; a honeypot does): 1;
//     commands run: 0.5 + 0.5·clamp(log10(distinct commands)/1.5); a
//     download: 1.
//
// Weights: breakin 0.95, download 0.9, spray 0.85, brute 0.8,
// command 0.7, userenum, honeypot and offhours 0.6, rare 0.4, new 0.3.
// Groups (a source's network, an account's domain, a pair's account) take
// each signal but rare and new from their strongest value, named.
package score

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
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
	SigAnswers = "answers"
)

var weights = map[string]float64{
	SigTunnel: 0.95, SigBeacon: 0.9, SigAnswers: 0.9, SigDGA: 0.85, SigBytes: 0.85, SigRelated: 0.8,
	SigFailure: 0.3, SigNew: 0.1, SigRare: 0.1, SigNetworks: 0.3,
}

// Inputs are what a Scorer needs to take in events.
type Inputs struct {
	Rules *rules.Matcher
	Names []db.NameRow // the names to score (Domain may be empty); events of other names are ignored
	// Pairs are the (client, name) pairs, packed name<<32 | client, whose
	// query times the beacon test judges: those with MinBeaconEvents
	// queries or more, of names asked by at most BeaconClients clients
	// (client 0 stands for the events without a client). Only their times
	// are kept, so scoring needs no pass over each name's sorted events;
	// a pair with fewer events than MinBeaconEvents is not judged.
	Pairs []uint64
	// HTTP are the values of the HTTP subjects to score (hosts, paths,
	// user agents, clients; see http.go), and SubjectRules the rules their
	// verdicts come from (those of other subjects are not looked at).
	HTTP         []db.NameRow
	SubjectRules []rules.Rule
	// Logons are the values of the logon subjects to score (accounts,
	// sources, pairs; see logon.go), judged by the same rules.
	Logons []db.NameRow
	// Reread, when set, reads the events of some names again. The
	// candidate pairs' query times are then merged into check-ins as they
	// come (addTime), which keeps a fraction of a busy name's times, and
	// a pair whose blocks come out of time order is read again at the
	// end. nil: every query time of the pairs is kept until the end.
	Reread func(names []uint32, fn func(name uint32, evs []db.Event) error) error
	// Base, for an incremental pass, is what the last whole scoring
	// learnt: the clients' failure shares are its (the names' events do
	// not count again), the stretches of traffic are its, extended.
	Base *Base
}

// FinishInputs are what scoring needs besides the events: a caller can
// load them while the events are added.
type FinishInputs struct {
	// Model judges generated names; nil: it is trained in Finish from
	// Training.
	Model    *Model
	Training []Trainee
	Context  db.ScoreContext
	Domains  []db.DomainRow
	// Rate returns a domain's busiest minute (queries) for the few domains
	// whose names look like a tunnel; nil: not used.
	Rate func(domain uint32) int64
	// Texts resolves client and answer ids for the explanations; nil:
	// ids are shown as "#id".
	Texts func(clients, answers []uint32) (map[uint32]string, map[uint32]string)
	// Store, when set, receives the scores as they are made, in batches
	// of increasing ids (each subject's), to write them while the rest
	// is scored; the batches are the caller's. The Result then holds
	// zero scores in their place: their number only.
	Store func(db.ScoreSubject, []db.Score)
	// Details calls fn with the text of each of the answer ids (sorted),
	// for the HTTP request details (engine/subject.ParseHTTPDetail); nil:
	// query strings are not judged.
	Details func(ids []uint32, fn func(id uint32, text []byte)) error
	// Groups returns the texts of group ids (a path's section, a user
	// agent's family), for the rules that name a group; nil: those rules
	// are not applied.
	Groups func(ids []uint32) map[uint32]string
	// Networks returns the networks of the addresses of answer ids (see
	// SigNetworks); nil, or an empty answer: no AS table, no judging.
	Networks func(ids []uint32) map[uint32]networks.Set
}

// BeaconClients is how many clients may ask a name whose pairs the beacon
// test judges: a quarter of the workspace's clients, and at least 4. A
// timer to a name much of the network asks is an update check or a
// heartbeat everyone has, not what this signal is for; leaving those
// names out keeps the times to collect few.
func BeaconClients(total int64) int64 {
	return max(4, total/4)
}

// maxSketch is how many clients and answers are kept per name: enough to
// relate the rare names, which are the ones that matter.
const maxSketch = 4

type nameSig struct {
	row        db.NameRow
	verdict    rules.Verdict
	events     int64
	odd        int64                // queries of tunnel-friendly types
	types      [len(oddTypes)]int32 // of those, by oddTypes slot
	answered   int64
	withAnswer int32 // queries with an answer text
	failed     int64 // NXDOMAIN or SERVFAIL
	nx         int64
	rareType   bool // asked with a NULL or private type
	longest    int  // longest subdomain label
	beacon     beacon
	clients    [maxSketch]uint32 // the first distinct clients seen (0: none)
	answers    [maxSketch]uint32
	nclients   uint8 // distinct clients seen, up to maxSketch+1
	nanswers   uint8
	hasPairs   bool // some of its pairs are in Inputs.Pairs
	manyClient bool // more than maxSketch clients
	infra      infra
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
	// Names discounted as infrastructure (not folded in above): how
	// many, the class and index in names of the first.
	infraNames   int32
	infraClass   infra
	infraExample int32
	probes       int64    // names that look like resolver probes (tooManyProbes)
	probeSpan    [2]int64 // their first and last query, unix µs
	data         *dataAcc // what the answers carry (answers.go); nil: nothing
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

// Scorer accumulates the events of a workspace block by block, in any
// order (Add), and scores it (Finish). Every signal but the beacon is a
// sum over events or comes from the names' text; the beacon's times are
// kept for the candidate pairs only. It is not safe for concurrent use.
type Scorer struct {
	in      Inputs
	fin     FinishInputs
	domains []domAcc
	names   []nameSig
	index   []int32      // name id → 1 + index in names (0: not scored)
	http    *httpScorer  // nil: no HTTP values to score
	logon   *logonScorer // nil: no logon values to score

	clientAnswered, clientFailed []int32 // by client id

	pairs pairIndex // Inputs.Pairs by name and client → index in times
	times [][]int64 // query times of each candidate pair (without Inputs.Reread, and stale pairs)
	// With Inputs.Reread: each pair's check-ins (appendGap from its
	// first), its first and last check-in and latest query time, and
	// whether its times came out of order (stale: read again).
	checkins                [][]byte
	firstIn, lastIn, lastAt []int64
	stale                   []bool
	scratch                 beaconScratch
	err                     error // from Inputs.Reread

	ad   []string        // the Active Directory domains its locator queries name (adDomains)
	orgs map[string]*org // the organisations' own histories (orgmodel.go); nil: none

	stretches []stretch // the stretches of recorded traffic (stretchesOf)

	badClients  map[uint32]int     // client → index in names of a bad name it asked
	breadth     map[uint32]float64 // bad client → share of the names it asked (clientBreadths)
	badAnswers  map[uint32]int     // answer → index in names of a bad name that got it
	badByDomain map[uint32]int     // registered domain → index in names of a bad name under it
	answerUse   map[uint32]int32
}

// NewScorer prepares a scorer.
func NewScorer(in Inputs) *Scorer {
	if in.Rules == nil {
		in.Rules = rules.NewMatcher(nil, subject.DNSName)
	}
	s := &Scorer{in: in, badClients: map[uint32]int{}, badAnswers: map[uint32]int{}, badByDomain: map[uint32]int{}, answerUse: map[uint32]int32{},
		times: make([][]int64, len(in.Pairs))}
	if in.Base != nil {
		s.clientAnswered, s.clientFailed = in.Base.clientAnswered, in.Base.clientFailed
	}
	if in.Reread != nil {
		s.checkins = make([][]byte, len(in.Pairs))
		s.firstIn, s.lastIn, s.lastAt = make([]int64, len(in.Pairs)), make([]int64, len(in.Pairs)), make([]int64, len(in.Pairs))
		s.stale = make([]bool, len(in.Pairs))
	}
	s.names = make([]nameSig, len(in.Names))
	s.in.Names = nil // copied into names: not held twice
	for i, n := range in.Names {
		sig := &s.names[i]
		sig.row = n
		if r, ok := in.Rules.Match(n.Name); ok {
			sig.verdict = r.Verdict
		}
		if int(n.ID) >= len(s.index) {
			s.index = slices.Grow(s.index, int(n.ID)+1-len(s.index))[:n.ID+1]
		}
		s.index[n.ID] = int32(i + 1)
	}
	if len(in.HTTP) > 0 {
		s.http = newHTTPScorer(in.HTTP)
	}
	if len(in.Logons) > 0 {
		s.logon = newLogonScorer(in.Logons)
	}
	s.pairs = s.indexPairs(in.Pairs)
	return s
}

// pairIndex finds a candidate pair by its name's place in names and its
// client: each name's pairs are a run of clients, sorted. A map of the
// packed pairs cost half of taking the events in (a lookup for each
// event of a candidate name, most of a workspace's events).
type pairIndex struct {
	start  []int32  // by name place, its run in client and at (len(names)+1)
	client []uint32 // sorted within a name's run
	at     []int32  // the pair's index in Inputs.Pairs
}

// indexPairs indexes the pairs of the names scored, and marks those names
// (hasPairs). Of a pair given twice, the last is the one found.
func (s *Scorer) indexPairs(pairs []uint64) pairIndex {
	type ref struct {
		k      int32
		client uint32
		at     int32
	}
	refs := make([]ref, 0, len(pairs))
	for i, p := range pairs {
		if k := s.nameIndex(uint32(p >> 32)); k >= 0 {
			refs = append(refs, ref{int32(k), uint32(p), int32(i)})
			s.names[k].hasPairs = true
		}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		if c := cmp.Compare(a.k, b.k); c != 0 {
			return c
		}
		if c := cmp.Compare(a.client, b.client); c != 0 {
			return c
		}
		return cmp.Compare(b.at, a.at) // the last given first, kept by Compact
	})
	refs = slices.CompactFunc(refs, func(a, b ref) bool { return a.k == b.k && a.client == b.client })
	x := pairIndex{start: make([]int32, len(s.names)+1), client: make([]uint32, len(refs)), at: make([]int32, len(refs))}
	for i, r := range refs {
		x.start[r.k+1]++
		x.client[i], x.at[i] = r.client, r.at
	}
	for k := range len(s.names) {
		x.start[k+1] += x.start[k]
	}
	return x
}

// find returns the index in Inputs.Pairs of the pair of the name at
// place k in names and client, or -1.
func (x *pairIndex) find(k int, client uint32) int {
	lo, hi := int(x.start[k]), int(x.start[k+1])
	end := hi
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if x.client[m] < client {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < end && x.client[lo] == client {
		return int(x.at[lo])
	}
	return -1
}

// setDomains takes the registered domains in, with their verdicts.
func (s *Scorer) setDomains(domains []db.DomainRow) {
	// Sized once: grown one domain at a time, the slice was copied until
	// five times its size had been allocated, and its last copy was the
	// peak of a run's memory.
	most := uint32(0)
	for i := range domains {
		most = max(most, domains[i].ID)
	}
	for i := range s.names {
		most = max(most, s.names[i].row.DomainID)
	}
	s.domains = slices.Grow(s.domains, int(most)+1-len(s.domains))
	grow := func(id uint32) *domAcc {
		for int(id) >= len(s.domains) {
			s.domains = append(s.domains, domAcc{})
		}
		return &s.domains[id]
	}
	for i := range domains {
		d := &domains[i]
		a := grow(d.ID)
		a.row = d
		if r, ok := s.in.Rules.MatchGroup(d.Name); ok {
			a.verdict = r.Verdict
		}
	}
	for i := range s.names {
		n := &s.names[i].row
		if d := grow(n.DomainID); d.row != nil && n.Domain == "" {
			n.Domain = d.row.Name
		}
	}
}

func (s *Scorer) nameIndex(id uint32) int {
	if int(id) >= len(s.index) {
		return -1
	}
	return int(s.index[id]) - 1
}

// Add folds the events of one name (one block of them: a name's events
// may come in several calls, in any order).
func (s *Scorer) Add(name uint32, evs []db.Event) {
	k := s.nameIndex(name)
	if k < 0 {
		if s.logon != nil && s.logon.add(name, evs) {
			return
		}
		if s.http != nil {
			s.http.add(name, evs)
		}
		return
	}
	sig := &s.names[k]
	sig.events += int64(len(evs))
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
		if t := oddType(e.QType); t >= 0 {
			sig.odd++
			sig.rareType = sig.rareType || t == oddNull || t == oddPrivate
			sig.types[t]++
		}
		if e.Answer != 0 {
			sig.withAnswer++
		}
		if e.Answer != 0 && int(sig.nanswers) < maxSketch && !slices.Contains(sig.answers[:sig.nanswers], e.Answer) {
			sig.answers[sig.nanswers] = e.Answer
			sig.nanswers++
		}
		if e.Client != 0 && int(sig.nclients) <= maxSketch && !slices.Contains(sig.clients[:min(int(sig.nclients), maxSketch)], e.Client) {
			if int(sig.nclients) < maxSketch {
				sig.clients[sig.nclients] = e.Client
			}
			sig.nclients++
		}
		if s.in.Base == nil {
			s.countClient(e)
		}
		if sig.hasPairs {
			if p := s.pairs.find(k, e.Client); p >= 0 {
				s.addTime(p, e.Time)
			}
		}
		if sig.verdict == rules.Bad {
			s.markBad(s.badClients, e.Client, k)
			s.markBad(s.badAnswers, e.Answer, k)
		}
	}
}

// addTime takes a query time of candidate pair p. With Inputs.Reread
// the times are merged as beaconScratch.measure merges sorted ones: a
// query within sameQuery of the last check-in kept is none. That is
// exact while the pair's times come in order, as a log read once stores
// them; the first that does not makes the pair stale, to be read again.
func (s *Scorer) addTime(p int, t int64) {
	if s.checkins == nil {
		s.times[p] = append(s.times[p], t)
		return
	}
	if s.stale[p] {
		return
	}
	in := s.checkins[p]
	switch {
	case len(in) > 0 && t < s.lastAt[p]:
		s.stale[p], s.checkins[p] = true, nil
		return
	case len(in) == 0:
		s.checkins[p] = appendGap(in, 0)
		s.firstIn[p], s.lastIn[p] = t, t
	case t-s.lastIn[p] >= sameQuery:
		s.checkins[p] = appendGap(in, t-s.lastIn[p])
		s.lastIn[p] = t
	}
	s.lastAt[p] = t
}

// appendGap appends a gap of µs ≥ 0 between check-ins (0 before the
// first) as a uvarint, in seconds when it is whole ones, as
// most logs' times are: two bytes for a gap of up to 2¼ hours, where an
// int64 takes eight. The low bit says which.
func appendGap(b []byte, us int64) []byte {
	if us%1e6 == 0 {
		return binary.AppendUvarint(b, uint64(us/1e6)<<1)
	}
	return binary.AppendUvarint(b, uint64(us)<<1|1)
}

// checkinTimes decodes pair p's check-ins into buf.
func (s *Scorer) checkinTimes(p int, buf []int64) []int64 {
	buf = buf[:0]
	t := s.firstIn[p]
	for in := s.checkins[p]; len(in) > 0; {
		g, n := binary.Uvarint(in)
		if g&1 == 0 {
			t += int64(g>>1) * 1e6
		} else {
			t += int64(g >> 1)
		}
		buf = append(buf, t)
		in = in[n:]
	}
	return buf
}

// Err is what went wrong reading events again (Inputs.Reread) in Finish:
// the scores of Finish are then not to be stored.
func (s *Scorer) Err() error { return s.err }

// reread reads the query times of the stale pairs again, all of them.
func (s *Scorer) reread() {
	var names []uint32
	for i, st := range s.stale {
		if st {
			names = append(names, uint32(s.in.Pairs[i]>>32))
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	s.err = s.in.Reread(slices.Compact(names), func(name uint32, evs []db.Event) error {
		k := s.nameIndex(name)
		if k < 0 {
			return nil
		}
		for i := range evs {
			if p := s.pairs.find(k, evs[i].Client); p >= 0 && s.stale[p] {
				s.times[p] = append(s.times[p], evs[i].Time)
			}
		}
		return nil
	})
}

// markBad notes that a bad name asked key; of several, the last name in
// id order is kept, whatever order the events came in.
func (s *Scorer) markBad(m map[uint32]int, key uint32, name int) {
	if key == 0 {
		return
	}
	if cur, ok := m[key]; !ok || cur < name {
		m[key] = name
	}
}

func (s *Scorer) countClient(e *db.Event) {
	c := e.Client
	if int(c) >= len(s.clientAnswered) {
		grow := max(int(c)+1-len(s.clientAnswered), len(s.clientAnswered), 1024)
		s.clientAnswered = append(s.clientAnswered, make([]int32, grow)...)
		s.clientFailed = append(s.clientFailed, make([]int32, grow)...)
	}
	if e.RCode >= 0 {
		s.clientAnswered[c]++
		if e.RCode == 2 || e.RCode == 3 {
			s.clientFailed[c]++
		}
	}
}

// measureBeacons judges every candidate pair; a name keeps its strongest.
func (s *Scorer) measureBeacons() {
	if s.checkins != nil {
		s.reread()
	}
	for i, p := range s.in.Pairs {
		k := s.nameIndex(uint32(p >> 32))
		ts := s.times[i]
		merged := s.checkins != nil && !s.stale[i]
		if merged {
			s.scratch.times = s.checkinTimes(i, s.scratch.times)
			ts = s.scratch.times
			s.checkins[i] = nil
		}
		// A pair of fewer than MinBeaconEvents queries is not judged;
		// merged, its queries were not counted, but its check-ins are
		// fewer still, and measure gives them no strength.
		if k < 0 || len(ts) == 0 || !merged && len(ts) < MinBeaconEvents {
			continue
		}
		var b beacon
		if merged {
			b = s.scratch.measureTo(uint32(p), ts, s.lastAt[i])
		} else {
			// Blocks come in storage order: one name's blocks are each
			// sorted but need not follow each other in time.
			if !slices.IsSorted(ts) {
				slices.Sort(ts)
			}
			b = s.scratch.measure(uint32(p), ts)
		}
		if best := &s.names[k].beacon; b.strength > best.strength || best.queries == 0 {
			*best = b
		}
		s.times[i] = nil
	}
}

// foldNames completes the per-name signals once every event is in, and
// folds them into their registered domains. Names are classified first,
// so that a domain's resolver probes can be counted (capProbes) before
// any is set aside.
func (s *Scorer) foldNames() {
	s.ad = adDomains(s.names)
	for i := range s.names {
		sig := &s.names[i]
		sig.manyClient = sig.nclients > maxSketch
		for _, a := range sig.answers[:sig.nanswers] {
			s.answerUse[a]++
		}
		if sig.verdict == rules.Bad {
			s.badByDomain[sig.row.DomainID] = i
		}
		d := &s.domains[sig.row.DomainID]
		if sig.events > 0 && (d.minNameID == 0 || sig.row.ID < d.minNameID) {
			d.minNameID = sig.row.ID
		}
		if sig.verdict == rules.Good || sig.events == 0 {
			continue
		}
		if sig.infra = infraOf(sig.row.Name, sig.row.Domain, nameFacts{sig.failed, sig.answered, sig.odd, s.own(d), s.ad}); sig.infra == infraProbe {
			if d.probes == 0 || sig.row.First < d.probeSpan[0] {
				d.probeSpan[0] = sig.row.First
			}
			d.probeSpan[1] = max(d.probeSpan[1], sig.row.Last)
			d.probes++
		}
	}
	for i := range s.names {
		sig := &s.names[i]
		if sig.verdict == rules.Good || sig.events == 0 {
			continue
		}
		d := &s.domains[sig.row.DomainID]
		if sig.infra == infraProbe && s.tooManyProbes(d) {
			sig.infra = infraNone
		}
		if sig.infra != infraNone {
			if d.infraNames == 0 {
				d.infraClass, d.infraExample = sig.infra, int32(i)
			}
			d.infraNames++
			continue
		}
		s.foldDomain(d, sig)
	}
}

// maxProbesPerDay is how many random single labels one client's browsers
// send under a domain a day, at most, for them to be taken for resolver
// probes: Chrome sends three at each start and network change.
const maxProbesPerDay = 12

// tooManyProbes reports a domain whose names look like resolver probes
// (random single labels that fail, under an AD domain) but are too many
// for a browser's: a locator query is one line any client can send, so a
// C2's client asking _ldap._tcp.dc._msdcs under its domain would have its
// failing random labels taken for probes. They are counted against the
// days they came in, not the domain's: one name of it asked a month
// apart would buy a burst a month's. Under a suffix nobody registers, or
// a domain a quarter of the clients ask, they are the network's own and
// never too many.
func (s *Scorer) tooManyProbes(d *domAcc) bool {
	if d.row == nil {
		return false
	}
	total := s.fin.Context.Clients
	if internal(d.row.Name) || total == 0 || 4*d.row.Clients >= total {
		return false
	}
	days := max(1, (d.probeSpan[1]-d.probeSpan[0])/(24*3600*1_000_000)+1)
	return d.probes > maxProbesPerDay*max(1, d.row.Clients)*days
}

// own reports whether d looks like this network's own domain (ownDomain).
func (s *Scorer) own(d *domAcc) bool {
	return d.row != nil && ownDomain(d.row.Name, d.row.Clients, s.fin.Context.Clients)
}

func (s *Scorer) foldDomain(d *domAcc, sig *nameSig) {
	d.events += sig.events
	for t, n := range sig.types {
		d.types[t] += int64(n)
	}
	if sig.rareType {
		d.rareNames++
	}
	d.answered += sig.answered
	d.failed += sig.failed
	d.nx += sig.nx
	d.foldAnswers(sig)
	sub, _ := splitName(sig.row.Name, sig.row.Domain)
	if sub == "" {
		return
	}
	st := subStats(sub)
	sig.longest = st.longest
	d.subNames++
	if sig.events <= 2 {
		d.once++
	}
	d.sumLongest += int64(st.longest)
	d.maxLabel = max(d.maxLabel, st.longest)
	d.subBytes += int64(st.length) * sig.events
	if d.chars == nil {
		d.chars = new(histogram)
	}
	d.chars.add(sub)
}

// Result is the scores of a workspace.
type Result struct {
	Names   []db.Score // by score, highest first; known-good names left out
	Domains []db.Score
	// HTTP are the scores of the HTTP subjects' values, Groups of their
	// groups (a host's registered domain, a path's section, a user
	// agent's family, a client's network), ordered like Names.
	HTTP, Groups []db.Score
	// Logons are the scores of the logon accounts, sources and pairs,
	// LogonGroups of their groups (domains, networks, accounts).
	Logons, LogonGroups []db.Score
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
	return combineWith(weights, id, ev)
}

// combineWith is combine with the weights of a kind's signals.
func combineWith(weights map[string]float64, id uint32, ev []evidence) db.Score {
	total := 0.0
	var buf [8]float64 // one per signal: no allocation for the long tail
	ls := buf[:0]
	for range ev {
		ls = append(ls, 0)
	}
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
	slices.SortStableFunc(sc.Contribs, func(a, b db.Contribution) int { return cmp.Compare(b.Points, a.Points) })
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

// MinExplained is the score from which contributions carry their own
// words; below it they are stored without, and read back with their
// signal's in brief (briefWhy, through db.BriefWhy): most of the long
// tail is below it, and writing words for each would cost a third more
// workspace.
const MinExplained = 20

func init() {
	db.BriefWhy = func(signal string) string { return briefWhy[signal] }
}

// briefWhy says what each signal saw, for a contribution whose own
// words were not written (a score under MinExplained).
var briefWhy = map[string]string{
	SigTunnel:       "long, varied labels under its domain, as data sent in names is (details from a score of 20)",
	SigDGA:          "a label that looks generated, unlike this network's names (details from a score of 20)",
	SigBeacon:       "asked on a timer",
	SigFailure:      "queries that fail (NXDOMAIN/SERVFAIL) (details from a score of 20)",
	SigRelated:      "related to a name marked bad",
	SigNew:          "first seen late in the workspace's span (details from a score of 20)",
	SigRare:         "asked by few of the clients (details from a score of 20)",
	SigAnswers:      "answers that carry data (long, varied TXT or private-type answers) (details from a score of 20)",
	SigBytes:        "one client received far more answer data from it than clients get from a domain (details from a score of 20)",
	SigNetworks:     "answers in unusual or unrelated networks (details from a score of 20)",
	SigQuery:        "a query string shaped like an attack or encoded data (details from a score of 20)",
	SigScanner:      "a client that asks many paths, many of them missing (details from a score of 20)",
	SigTool:         "a user agent of an attack tool, a script or a bot (details from a score of 20)",
	SigUnresolved:   "a host no DNS name resolved (details from a score of 20)",
	SigBreakIn:      "a success after a run of failures (details from a score of 20)",
	SigSpray:        "failures across many accounts (details from a score of 20)",
	SigBrute:        "many failures for one account within an hour (details from a score of 20)",
	SigEnumeration:  "failures for accounts that do not exist (details from a score of 20)",
	SigOffHours:     "a logon outside its account's usual hours (details from a score of 20)",
	SigHoneypot:     "a success on a target that logs the passwords tried",
	SigCommand:      "commands run after logging on (details from a score of 20)",
	SigDownload:     "a download after logging on (details from a score of 20)",
	SigServiceLogon: "a service or machine account that logged on interactively (details from a score of 20)",
}

func trimZero(ev []evidence) []evidence {
	return slices.DeleteFunc(ev, func(e evidence) bool { return e.strength <= 0 })
}
