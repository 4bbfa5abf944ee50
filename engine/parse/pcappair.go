package parse

import (
	"encoding/binary"
	"hash/maphash"
	"net/netip"
)

// Pairing of a capture's queries with their responses.
//
// A query waits for its response under (client, server, DNS id, question
// name); a query sent to a multicast group (mDNS, LLMNR) waits under
// (client, id, name) and takes a unicast response from whoever answers.
// Every query is one event. A client that retries (the same id and name
// from the same port to the same server) before any answer has several
// queries waiting under one key: a response pairs with the latest try
// still waiting, which is the one it answers when the server dropped or
// was slow to answer the earlier ones (a resolver retries when it gave
// up waiting); a second response takes the try before, and tries left
// without a response are events without one. A response that finds no query waiting but whose
// query was paired or given up on lately (a retry's second answer, an
// answer over pairWindow late) is no event: it is reported as skipped, so
// that a capture gives as many events as it holds queries. A response
// whose query is not in the capture at all (the capture started after it)
// is an event of its own, with the response's destination as client;
// multicast mDNS answers without a query are announcements and are left
// out.

// message handles one DNS message sent from src to dst.
func (c *capture) message(b []byte, src, dst netip.AddrPort, cut bool) {
	m := &c.msg
	if err := m.parse(b, cut); err != nil {
		c.skip(err.Error())
		return
	}
	name := maphash.Bytes(c.pending.seed, m.name)
	if !m.response {
		server := dst
		if dst.Addr().IsMulticast() {
			server = netip.AddrPort{} // any responder answers
		}
		c.query(pendKey{client: src, server: server, id: m.id, name: name})
		return
	}
	k := pendKey{client: dst, server: src, id: m.id, name: name}
	q := c.pending.take(k, m.name)
	if q == nil {
		k.server = netip.AddrPort{}
		q = c.pending.take(k, m.name)
		k.server = src
	}
	if q != nil {
		c.recent.add(q.hash, true, c.now)
	}
	if c.replay || (q != nil && q.replayed) {
		return // the query's record was emitted by an earlier ingest
	}
	if q == nil {
		if answered, ok := c.recent.find(k); ok {
			c.skip(lateResponse(answered))
			return
		}
		if src.Port() == 5353 {
			// mDNS answers go to the multicast group, mostly unasked
			// (announcements): they prove no query of their own.
			return
		}
	}
	c.rec.Reset()
	if q != nil {
		c.setQuery(q)
	} else {
		c.rec.Time, c.rec.Line, c.rec.Offset = c.now, c.no, c.off
		c.rec.Name, c.rec.QType = m.name, m.qtype
		c.client = dst.Addr().AppendTo(c.client[:0])
		c.rec.Client = c.client
	}
	c.rec.RCode, c.rec.TTL, c.rec.Answers = m.rcode, m.minTTL, m.answers
	c.out.Record(&c.rec)
}

// lateResponse is the skip reason of a response whose query is no longer
// waiting: answered says whether it was paired or given up on.
func lateResponse(answered bool) string {
	if answered {
		return "another response to a query already answered (not a new event)"
	}
	return "response after its query was given up on (over 30 s), not a new event"
}

// query makes the current message (a query) wait for its response, after
// any earlier tries of it still waiting.
func (c *capture) query(k pendKey) {
	if c.pending.n >= maxPending {
		c.unanswered(c.pending.oldest())
	}
	q := c.pending.add(k)
	q.time, q.line, q.off = c.now, c.no, c.off
	q.qtype, q.replayed = c.msg.qtype, c.replay && c.no < c.held
	q.name = append(q.name[:0], c.msg.name...)
}

// setQuery fills c.rec with what comes from the query.
func (c *capture) setQuery(q *pendingQuery) {
	c.rec.Time, c.rec.Line, c.rec.Offset = q.time, q.line, q.off
	c.rec.Name, c.rec.QType = q.name, q.qtype
	c.client = q.key.client.Addr().AppendTo(c.client[:0])
	c.rec.Client = c.client
}

// unanswered emits q (already taken from pending) as a query without
// response.
func (c *capture) unanswered(q *pendingQuery) {
	c.recent.add(q.hash, false, c.now)
	if q.replayed || c.replay {
		return // emitted by an earlier read
	}
	c.rec.Reset()
	c.setQuery(q)
	c.out.Record(&c.rec)
}

// expire emits the queries that waited longer than pairWindow.
func (c *capture) expire() {
	for {
		i := c.pending.front()
		if i < 0 || c.now-c.pending.slots[i].time <= pairWindow {
			return
		}
		c.unanswered(c.pending.oldest())
	}
}

// pendKey identifies a query. The name is hashed to keep the key
// fixed-size; pendingQuery keeps the name itself to rule out collisions.
// server is the zero AddrPort for a query sent to a multicast group.
type pendKey struct {
	client, server netip.AddrPort
	id             uint16
	name           uint64
}

// fold hashes k to 64 bits: the maps of pendingSet and recentSet are
// indexed by it, a third of the cost of indexing them by the 80-byte key.
// The name's hash comes from a random seed, so two keys fold alike only by
// the chance of 64 random bits, and no packet can aim at it; when they do,
// pendingSet still compares keys, and recentSet reports a response as
// late instead of making it an event.
func (k pendKey) fold() uint64 {
	c, s := k.client.Addr().As16(), k.server.Addr().As16()
	le := binary.LittleEndian
	h := k.name
	for _, w := range [...]uint64{le.Uint64(c[:8]), le.Uint64(c[8:]), le.Uint64(s[:8]), le.Uint64(s[8:]),
		uint64(k.client.Port())<<32 | uint64(k.server.Port())<<16 | uint64(k.id)} {
		h = (h ^ w) * 0x9e3779b97f4a7c15
		h ^= h >> 32
	}
	return h
}

type pendingQuery struct {
	key      pendKey
	hash     uint64 // key.fold()
	time     int64
	line     int64
	off      int64
	qtype    uint16
	replayed bool
	name     []byte // reused across the queries that use this slot
	gen      uint32 // bumped when the slot is freed, to outdate queue entries
	prev     int32  // the try of the same query before this one, or -1
	next     int32  // the try after this one, or -1
}

// tries lists the queries waiting under one key (a query and its
// retries) in the order they came, as slot numbers linked by
// pendingQuery.prev and next.
type tries struct{ first, last int32 }

// pendingSet is the set of queries waiting for a response, indexed by key and
// queued by arrival. Slots and their name buffers are recycled so a busy
// capture does not allocate per query.
//
// The tries of a key are listed in the order they came: a response takes
// the last, expiry the first (the oldest query of all is the first of
// its key).
type pendingSet struct {
	seed  maphash.Seed
	byKey map[uint64]tries // by pendKey.fold()
	slots []pendingQuery
	free  []int32
	queue []slotRef // arrival order; entries of freed slots are stale
	head  int
	n     int
}

type slotRef struct {
	slot int32
	gen  uint32
}

func (p *pendingSet) init() {
	p.seed = maphash.MakeSeed()
	p.byKey = make(map[uint64]tries)
}

// add queues a query with key k, after the tries already waiting under k.
func (p *pendingSet) add(k pendKey) *pendingQuery {
	var i int32
	if n := len(p.free); n > 0 {
		i, p.free = p.free[n-1], p.free[:n-1]
	} else {
		p.slots = append(p.slots, pendingQuery{})
		i = int32(len(p.slots) - 1)
	}
	q := &p.slots[i]
	q.key, q.hash, q.prev, q.next = k, k.fold(), -1, -1
	if t, ok := p.byKey[q.hash]; ok {
		q.prev, p.slots[t.last].next = t.last, i
		p.byKey[q.hash] = tries{t.first, i}
	} else {
		p.byKey[q.hash] = tries{i, i}
	}
	if p.head > 4096 && p.head > len(p.queue)/2 {
		p.queue = p.queue[:copy(p.queue, p.queue[p.head:])]
		p.head = 0
	}
	p.queue = append(p.queue, slotRef{i, q.gen})
	p.n++
	return q
}

// take removes and returns the latest query waiting with key k and this
// name, or nil. The returned query is valid until the next add.
func (p *pendingSet) take(k pendKey, name []byte) *pendingQuery {
	t, ok := p.byKey[k.fold()]
	if !ok || p.slots[t.last].key != k || string(p.slots[t.last].name) != string(name) {
		return nil
	}
	p.release(t.last)
	return &p.slots[t.last]
}

// release frees slot i, unlinking it from the tries of its key.
func (p *pendingSet) release(i int32) {
	q := &p.slots[i]
	if q.prev < 0 && q.next < 0 {
		delete(p.byKey, q.hash)
	} else {
		t := p.byKey[q.hash]
		if q.prev >= 0 {
			p.slots[q.prev].next = q.next
		} else {
			t.first = q.next
		}
		if q.next >= 0 {
			p.slots[q.next].prev = q.prev
		} else {
			t.last = q.prev
		}
		p.byKey[q.hash] = t
	}
	q.gen++
	p.free = append(p.free, i)
	p.n--
}

// front returns the slot of the query that arrived first, or -1.
func (p *pendingSet) front() int32 {
	for p.head < len(p.queue) {
		r := p.queue[p.head]
		if p.slots[r.slot].gen == r.gen {
			return r.slot
		}
		p.head++
	}
	p.queue, p.head = p.queue[:0], 0
	return -1
}

// oldestLive returns the packet number of the oldest query waiting that an
// earlier read did not emit.
func (p *pendingSet) oldestLive() (int64, bool) {
	for _, r := range p.queue[p.head:] {
		if q := &p.slots[r.slot]; q.gen == r.gen && !q.replayed {
			return q.line, true
		}
	}
	return 0, false
}

// oldest removes and returns the query that arrived first, or nil.
func (p *pendingSet) oldest() *pendingQuery {
	i := p.front()
	if i < 0 {
		return nil
	}
	p.release(i)
	return &p.slots[i]
}

// recentSet remembers the queries that stopped waiting lately (answered,
// or given up on), by pendKey.fold, for at least pairWindow of capture
// time, or the last maxPending of them when there are more, and whether
// each was answered. Two generations of a map, the older dropped whole,
// keep this cheaper than expiring queries one by one.
type recentSet struct {
	cur, old map[uint64]bool
	since    int64 // capture time when cur was started
}

func (r *recentSet) add(hash uint64, answered bool, now int64) {
	if r.cur == nil {
		r.cur, r.old, r.since = map[uint64]bool{}, map[uint64]bool{}, now
	}
	if len(r.cur) >= maxPending || now-r.since > pairWindow || now < r.since {
		r.cur, r.old = r.old, r.cur
		clear(r.cur)
		r.since = now
	}
	r.cur[hash] = answered
}

// find looks a response's key up, also as the answer to a query sent to a
// multicast group.
func (r *recentSet) find(k pendKey) (answered, ok bool) {
	multicast := k
	multicast.server = netip.AddrPort{}
	for _, h := range [...]uint64{k.fold(), multicast.fold()} {
		for _, m := range [...]map[uint64]bool{r.cur, r.old} {
			if answered, ok = m[h]; ok {
				return answered, true
			}
		}
	}
	return false, false
}
