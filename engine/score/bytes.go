package score

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/longtail/longtail/engine/rules"
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
	client   uint32 // 0: not a candidate
	distinct int64  // distinct answers to names only it asked
	total    int64  // distinct answers of the domain's names
	sample   []uint32
}

// byteCandidates finds, per registered domain, the client with the most
// distinct answers to names only it asked, and samples them for the
// domains where that is minByteAnswers or more. It returns the per-domain
// accounts (indexed by domain id) and the clients and answer ids to look
// up.
func (s *Scorer) byteCandidates() (acc []byteDomain, clients, ids []uint32) {
	acc = make([]byteDomain, len(s.domains))
	var keys []uint64 // domain<<32 | client, one per private name with answers
	var counts []int64
	for i := range s.names {
		n := &s.names[i]
		if !s.byteName(n) {
			continue
		}
		acc[n.row.DomainID].total += int64(n.nanswers)
		if n.nclients == 1 {
			keys = append(keys, uint64(n.row.DomainID)<<32|uint64(n.clients[0]))
			counts = append(counts, int64(n.nanswers))
		}
	}
	// The names' own order groups neither domains nor clients: sort the
	// keys with their counts and sum each run.
	idx := make([]int32, len(keys))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		switch {
		case keys[a] < keys[b]:
			return -1
		case keys[a] > keys[b]:
			return 1
		}
		return 0
	})
	for lo := 0; lo < len(idx); {
		k, sum := keys[idx[lo]], int64(0)
		hi := lo
		for ; hi < len(idx) && keys[idx[hi]] == k; hi++ {
			sum += counts[idx[hi]]
		}
		lo = hi
		if a := &acc[k>>32]; sum >= minByteAnswers && sum > a.distinct {
			a.client, a.distinct = uint32(k), sum
		}
	}
	for i := range s.names {
		n := &s.names[i]
		a := &acc[n.row.DomainID]
		if a.client == 0 || len(a.sample) >= byteSample || !s.byteName(n) || n.nclients != 1 || n.clients[0] != a.client {
			continue
		}
		for _, id := range n.answers[:n.nanswers] {
			if len(a.sample) < byteSample {
				a.sample = append(a.sample, id)
				ids = append(ids, id)
			}
		}
	}
	for i := range acc {
		if acc[i].client != 0 {
			clients = append(clients, acc[i].client)
		}
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
	if a.client == 0 || a.total == 0 {
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
			client, byteWords(int64(float64(a.distinct)*mean)), count(a.distinct), mean, info, 100*share)
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
