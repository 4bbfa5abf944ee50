package score

import (
	"maps"
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// HTTP signal names, as stored in the contributions; new and rare are the
// DNS ones, judged against the HTTP traffic.
const (
	SigQuery      = "query"
	SigScanner    = "scanner"
	SigTool       = "tool"
	SigUnresolved = "unresolved"
)

// httpWeights weigh the HTTP signals in the noisy OR. Rarity weighs more
// than among DNS names: a user agent or path one client used twice is
// what a person reviewing a web log looks for first.
var httpWeights = map[string]float64{
	SigQuery: 0.9, SigScanner: 0.85, SigTool: 0.7, SigUnresolved: 0.6, SigRare: 0.3, SigNew: 0.1,
}

// A client's 404 share counts from minScanAnswers answered requests; see
// scanner.
const (
	minScanAnswers = 10
	inherit        = 0.6 // share of a client's or path's strength the other inherits
)

// value is one scored value of a subject of HTTP or logons: its row,
// the verdict the rules give it and, once scored, its evidence (what its
// group takes from it).
type value struct {
	row     db.NameRow
	verdict rules.Verdict
	ev      []evidence
}

func (v *value) code() subject.Code { return subject.Code(v.row.Kind) }

// httpValue is one value of an HTTP subject.
type httpValue struct {
	value
	// Paths: the first clients that asked, and the requests' targets.
	clients     [maxSketch]uint32
	nclients    uint8
	manyClients bool
	query       queryStats
	// Clients: the client id of the value (its events' Client).
	client uint32
}

// webClient is what one client did over HTTP, from the path events.
type webClient struct {
	requests, answered, notFound int64
	paths, own                   int64 // distinct paths; those no other client asked
	value                        int32 // 1 + index of its client value (0: none)
}

// detailUse is how many requests of a client share one detail text, and
// their path (the detail holds the path, so a detail has one path).
type detailUse struct {
	path int32
	n    int64
}

// sentQuery is the strongest request target a client sent, and where.
type sentQuery struct {
	queryStats
	path int32 // index in values
}

// httpScorer scores the values of the HTTP subjects. Only path events are
// looked at one by one (a request has exactly one path): the other
// subjects' values are judged by their text and aggregates, so the cost is
// a sixth of the HTTP events and nothing for a DNS-only workspace.
type httpScorer struct {
	values   []httpValue
	index    []int32     // name id → 1 + index in values (0: not scored)
	clients  []webClient // by client id
	seen     map[uint64]struct{}
	details  map[uint64]detailUse // by detail id<<32 | client
	sent     map[uint32]*sentQuery
	requests int64
	// unresolvedAt is the unresolved signal of the hosts the whole
	// scoring judged, the first hostsAt values.
	unresolvedAt func(i int) evidence
	hostsAt      int
}

func newHTTPScorer(rows []db.NameRow) *httpScorer {
	h := &httpScorer{values: make([]httpValue, len(rows)), seen: map[uint64]struct{}{},
		details: map[uint64]detailUse{}, sent: map[uint32]*sentQuery{}}
	for i, r := range rows {
		h.values[i].row = r
	}
	h.index = indexRows(rows)
	return h
}

// add folds one block of a value's events.
func (h *httpScorer) add(name uint32, evs []db.Event) {
	if int(name) >= len(h.index) || h.index[name] == 0 || len(evs) == 0 {
		return
	}
	k := int(h.index[name]) - 1
	v := &h.values[k]
	switch v.code() {
	case subject.HTTPPath:
		h.addPath(k, v, evs)
	case subject.HTTPClient:
		v.client = evs[0].Client
	}
}

func (h *httpScorer) addPath(k int, v *httpValue, evs []db.Event) {
	h.requests += int64(len(evs))
	detail, client, run := evs[0].Answer, evs[0].Client, int64(0)
	for i := range evs {
		e := &evs[i]
		c := h.client(e.Client)
		c.requests++
		if e.RCode > 0 {
			c.answered++
			if e.RCode == 404 {
				c.notFound++
			}
		}
		if i == 0 || e.Client != evs[i-1].Client {
			h.pathClient(k, v, e.Client, c)
		}
		if e.Answer != detail || e.Client != client {
			h.countDetail(k, detail, client, run)
			detail, client, run = e.Answer, e.Client, 0
		}
		run++
	}
	h.countDetail(k, detail, client, run)
}

func (h *httpScorer) client(id uint32) *webClient {
	if int(id) >= len(h.clients) {
		h.clients = append(h.clients, make([]webClient, max(int(id)+1-len(h.clients), len(h.clients), 256))...)
	}
	return &h.clients[id]
}

// pathClient counts a client's distinct paths: a path's first clients are
// kept with it, the pairs past them in seen.
func (h *httpScorer) pathClient(k int, v *httpValue, id uint32, c *webClient) {
	if id == 0 || slices.Contains(v.clients[:v.nclients], id) {
		return
	}
	if int(v.nclients) < maxSketch {
		v.clients[v.nclients] = id
		v.nclients++
		c.paths++
		return
	}
	v.manyClients = true
	key := uint64(k)<<32 | uint64(id)
	if _, ok := h.seen[key]; !ok {
		h.seen[key] = struct{}{}
		c.paths++
	}
}

func (h *httpScorer) countDetail(path int, id, client uint32, n int64) {
	if id == 0 || n == 0 {
		return
	}
	key := uint64(id)<<32 | uint64(client)
	u := h.details[key]
	u.path, u.n = int32(path), u.n+n
	h.details[key] = u
}

// finish scores the values and their groups, handing them to the
// scorer's Store as it goes.
func (h *httpScorer) finish(s *Scorer) (values, groups []db.Score) {
	setVerdicts(h.base(), record.KindHTTP, subject.Scored, s.in.SubjectRules, s.fin.Groups)
	h.judgeQueries(s.fin.Details)
	h.link()
	c := h.context(s.fin.Context)
	h.unresolvedAt, h.hostsAt = h.unresolved(s.names), len(h.values)
	return s.scoreValues(h.base(), httpWeights, httpGroupSignals[:], c.ScoreContext, h.evidence(c))
}

// evidence is the evidence of each value (by index in values) in c; the
// hosts of the whole scoring's time are judged unresolved as it judged
// them, those after it by the next (incremental.go).
func (h *httpScorer) evidence(c webContext) func(i int) []evidence {
	return func(i int) []evidence {
		v := &h.values[i]
		switch v.code() {
		case subject.HTTPHost:
			unresolved := evidence{signal: SigUnresolved}
			if i < h.hostsAt {
				unresolved = h.unresolvedAt(i)
			}
			return []evidence{unresolved, c.rarity(v.row), newness(c.ScoreContext, v.row.ID, v.row.First)}
		case subject.HTTPPath:
			return []evidence{h.queryEvidence(v), h.probed(v), c.rarity(v.row), newness(c.ScoreContext, v.row.ID, v.row.First)}
		case subject.HTTPAgent:
			return []evidence{toolEvidence(v.row.Name), c.rarity(v.row)}
		case subject.HTTPClient:
			return []evidence{h.scanner(v.client), h.sentEvidence(v.client)}
		}
		return nil
	}
}

// base is the values, as the code shared with the logons sees them.
func (h *httpScorer) base() []*value {
	return bases(h.values, func(v *httpValue) *value { return &v.value })
}

// judgeQueries reads the detail of every request (once per distinct
// detail) and judges its path and query string, for the path and for the
// client that sent it.
func (h *httpScorer) judgeQueries(details func([]uint32, func(uint32, []byte)) error) {
	var t targetJudge
	paths := make(map[int32]judgement)
	for i := range h.values {
		v := &h.values[i]
		if v.code() != subject.HTTPPath {
			continue
		}
		j := t.path(v.row.Name)
		if j.word != "" {
			paths[int32(i)] = j
		}
		if details == nil {
			v.query.add("", "", v.row.Count, j)
		}
	}
	if details != nil {
		h.judgeDetails(details, h.details, func(path int32) judgement { return paths[path] })
	}
}

// judgeDetails reads the details of uses (the requests counted by
// detail and client) and judges them, with the judgement of their path
// (judged), for the paths and the clients that sent them.
func (h *httpScorer) judgeDetails(details func([]uint32, func(uint32, []byte)) error, uses map[uint64]detailUse, judged func(path int32) judgement) {
	if len(uses) == 0 {
		return
	}
	var t targetJudge
	keys := slices.Sorted(maps.Keys(uses))
	ids := make([]uint32, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, uint32(k>>32))
	}
	ids = slices.Compact(ids)
	next := 0
	// A failed read leaves the paths it did not reach unjudged; the run
	// ends with the error that caused it (the context's, as a rule).
	_ = details(ids, func(id uint32, text []byte) {
		for next < len(keys) && uint32(keys[next]>>32) < id {
			next++
		}
		if next == len(keys) || uint32(keys[next]>>32) != id {
			return
		}
		d := subject.ParseHTTPDetail(string(text))
		path := uses[keys[next]].path
		j := t.query(d.Query, judged(path))
		for ; next < len(keys) && uint32(keys[next]>>32) == id; next++ {
			n := uses[keys[next]].n
			h.values[path].query.add(d.Method, d.Query, n, j)
			if client := uint32(keys[next]); client != 0 && j.strength > 0 {
				h.addSent(client, path, d.Method, d.Query, n, j)
			}
		}
	})
}

// addSent counts requests a client sent to a path, judged j.
func (h *httpScorer) addSent(client uint32, path int32, method, query string, n int64, j judgement) {
	q := h.sent[client]
	if q == nil {
		q = &sentQuery{}
		h.sent[client] = q
	}
	if q.add(method, query, n, j) {
		q.path = path
	}
}

// link completes the clients' figures from their paths: the paths no
// other client asked, and the client value of each client.
func (h *httpScorer) link() {
	for i := range h.values {
		v := &h.values[i]
		switch v.code() {
		case subject.HTTPClient:
			if v.client != 0 {
				h.client(v.client).value = int32(i + 1)
			}
		case subject.HTTPPath:
			if !v.manyClients && v.nclients == 1 {
				h.client(v.clients[0]).own++
			}
		}
	}
}
