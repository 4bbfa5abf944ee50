package score

import (
	"bytes"
	"cmp"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/words"
)

// SigBytes is the bytes-per-client signal: a download channel shows as
// one client receiving far more answer data from one domain than any
// ordinary client gets from a domain. It is judged per registered domain
// from what the scoring pass already holds, with no second pass and no
// per-pair table: each name's distinct answers (up to maxSketch) and its
// clients. A name only one client asked is that client's; the answers
// of a name several clients asked are shared, so they count for the
// domain but for no client. The domain's top client is the one with the
// most distinct answers to its own names:
//
//	bytes = size · share · dense
//
// info = the compressed size of a sample of byteSample of that client's
// answers, per answer (what they carry: a shared suffix, an address's
// pattern, one answer repeated compress away; data in base32 or base64
// does not), size = clamp((log10(answers · info) − 3.5)/1.5) (3 KB of it
// nothing, 100 KB all), share = the client's share of the domain's
// distinct answers (a CDN's answers go to many clients), dense =
// clamp((info − 16)/64): an address or a CDN's host name carries a few
// bytes, a download's chunk a hundred and more. A name the top client
// alone asked inherits the domain's strength.
const SigBytes = "bytes"

const (
	minByteAnswers = 20 // distinct answers to one client before a domain is read
	byteSample     = 48 // answers sampled per domain
)

// byteDomain is what a domain's answers to its top client are.
type byteDomain struct {
	client   uint32
	distinct int64 // distinct answers to names only it asked
	total    int64 // distinct answers of the domain's names
	sample   []uint32
}

// byteCandidates finds, per registered domain, the client with the most
// distinct answers to names only it asked, and samples them for the
// domains where that is minByteAnswers or more. It returns those domains'
// accounts by domain id, and the clients and answer ids to look up. Only
// the names of domains with minByteAnswers distinct answers in all are
// sorted by client, which leaves out most of a workspace's.
func (s *Scorer) byteCandidates() (acc map[uint32]*byteDomain, clients, ids []uint32) {
	totals := make([]int32, len(s.domains))
	for i := range s.names {
		if n := &s.names[i]; s.byteName(n) {
			totals[n.row.DomainID] += int32(n.nanswers)
		}
	}
	type private struct {
		key uint64 // domain<<32 | client
		n   uint8  // the name's distinct answers
	}
	var ps []private
	for i := range s.names {
		if n := &s.names[i]; totals[n.row.DomainID] >= minByteAnswers && n.nclients == 1 && s.byteName(n) {
			ps = append(ps, private{uint64(n.row.DomainID)<<32 | uint64(n.clients[0]), n.nanswers})
		}
	}
	// The names' own order groups neither domains nor clients: sort by
	// both and sum each run.
	slices.SortFunc(ps, func(a, b private) int { return cmp.Compare(a.key, b.key) })
	acc = map[uint32]*byteDomain{}
	for lo := 0; lo < len(ps); {
		k, sum, hi := ps[lo].key, int64(0), lo
		for ; hi < len(ps) && ps[hi].key == k; hi++ {
			sum += int64(ps[hi].n)
		}
		lo = hi
		dom := uint32(k >> 32)
		if a := acc[dom]; sum >= minByteAnswers && (a == nil || sum > a.distinct) {
			acc[dom] = &byteDomain{client: uint32(k), distinct: sum, total: int64(totals[dom])}
		}
	}
	if len(acc) == 0 {
		return nil, nil, nil
	}
	for i := range s.names {
		n := &s.names[i]
		a := acc[n.row.DomainID]
		if a == nil || len(a.sample) >= byteSample || n.nclients != 1 || n.clients[0] != a.client || !s.byteName(n) {
			continue
		}
		for _, id := range n.answers[:n.nanswers] {
			if len(a.sample) < byteSample {
				a.sample = append(a.sample, id)
				ids = append(ids, id)
			}
		}
	}
	for _, a := range acc {
		clients = append(clients, a.client)
	}
	slices.Sort(ids)
	slices.Sort(clients)
	return acc, slices.Compact(clients), slices.Compact(ids)
}

// byteName reports a name whose answers count: scored, asked, not
// infrastructure, under a domain that is not known-good.
func (s *Scorer) byteName(n *nameSig) bool {
	d := &s.domains[n.row.DomainID]
	return n.events > 0 && n.nanswers > 0 && n.verdict != rules.Good && n.infra == infraNone && d.row != nil && d.verdict != rules.Good
}

// bytesOf judges a domain's answers to its top client; texts holds the
// sampled answers and the client's address.
func bytesOf(a *byteDomain, t texts) evidence {
	if a == nil || a.total == 0 {
		return evidence{signal: SigBytes}
	}
	n, size, _ := sampleStats(a.sample, t.answers)
	if n == 0 || size == 0 {
		return evidence{signal: SigBytes}
	}
	mean := float64(size) / float64(n)
	info := float64(packed(a.sample, t.answers)) / float64(n)
	data := float64(a.distinct) * info
	share := float64(a.distinct) / float64(a.total)
	st := clamp01((math.Log10(max(data, 1))-3.5)/1.5) * share * clamp01((info-16)/64)
	client := t.client(a.client)
	return evidence{signal: SigBytes, strength: st, lazy: memo(func() string {
		return fmt.Sprintf("one client (%s) received about %s of answers (%s distinct answers of %.0f bytes on average, %.0f each once compressed, to names only it asked: %.0f%% of the domain's)",
			client, byteWords(int64(float64(a.distinct)*mean)), words.Int(a.distinct), mean, info, 100*share)
	})}
}

// packed is the size of the sampled answers' texts compressed together:
// what they carry. A suffix, an address's pattern or one answer given to
// many names compresses away; data, in any encoding, does not.
func packed(sample []uint32, texts map[uint32]string) int {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression) // the level is valid: no error
	for _, id := range sample {
		io.WriteString(w, texts[id])
	}
	w.Close()
	return buf.Len()
}
