package score

import (
	"fmt"
	"math"
	"slices"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/words"
)

// The answers signal: a download channel puts its data in the answers
// (TXT, NULL, private types), asking short names (1.dl.example.net,
// 2.dl.example.net…) that the tunnel signal cannot see. It is judged per
// registered domain from a sample of its distinct answers:
//
//	answers = data share · size · (0.4 + 0.6·ent) · (0.3 + 0.7·vol)
//
// data share = share of its queries of data-carrying types (TXT, NULL,
// private), size = clamp((mean answer length − 40)/160), ent =
// clamp((entropy of the answers' bytes − 3)/2) (base64 is 6
// bits/char, words and SPF records 4), vol = clamp(log10(distinct
// answers)/2). Only domains with half their queries of those types and
// minDataAnswers distinct answers are read (the sample costs one look-up
// of answerSample texts each); a name inherits its domain's strength in
// proportion to its own queries of those types.
const (
	answerSample   = 32
	minDataAnswers = 5
	minDataShare   = 0.5
)

// foldAnswers adds a name's answers to its domain's, if it was asked
// with a data-carrying type: the answers sampled are those that can
// carry data, and most domains keep no sample.
func (d *domAcc) foldAnswers(sig *nameSig) {
	if sig.types[0]+sig.types[oddNull]+sig.types[oddPrivate] == 0 {
		return
	}
	if d.data == nil {
		d.data = new(dataAcc)
	}
	a := d.data
	a.withAnswer += int64(sig.withAnswer)
	a.distinct += int64(sig.nanswers)
	for _, id := range sig.answers[:sig.nanswers] {
		if len(a.sample) < answerSample && !slices.Contains(a.sample, id) {
			a.sample = append(a.sample, id)
		}
	}
}

// dataAcc is what the answers of a domain's names asked with a
// data-carrying type hold: queries with an answer, the sum of each
// name's distinct answers (each counted up to maxSketch) and a sample of
// answer ids.
type dataAcc struct {
	withAnswer, distinct int64
	sample               []uint32
}

// dataShare is the share of a domain's (or name's) queries whose types
// carry data in their answers.
func dataShare[T int32 | int64](types []T, events int64) float64 {
	n := types[0] + types[oddNull] + types[oddPrivate] // TXT, NULL, private
	return float64(n) / float64(max(events, 1))
}

// answerCandidates are the domains whose answers are worth reading.
func (s *Scorer) answerCandidates() []uint32 {
	var ids []uint32
	for id := range s.domains {
		d := &s.domains[id]
		if d.row != nil && d.verdict != rules.Good && d.data != nil && d.data.distinct >= minDataAnswers && dataShare(d.types[:], d.events) >= minDataShare {
			ids = append(ids, d.data.sample...)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// answers judges what a domain's answers carry; texts holds the sampled
// answers' texts.
func (s *Scorer) answers(d *domAcc, texts map[uint32]string) evidence {
	share := dataShare(d.types[:], d.events)
	a := d.data
	if a == nil || a.distinct < minDataAnswers || share < minDataShare || len(texts) == 0 {
		return evidence{signal: SigAnswers}
	}
	n, bytes, bits := sampleStats(a.sample, texts)
	if n == 0 {
		return evidence{signal: SigAnswers}
	}
	mean := float64(bytes) / float64(n)
	size := clamp01((mean - 40) / 160)
	ent := clamp01((bits - 3) / 2)
	vol := clamp01(log10p(float64(a.distinct)) / 2)
	st := share * size * (0.4 + 0.6*ent) * (0.3 + 0.7*vol)
	return evidence{signal: SigAnswers, strength: st, lazy: memo(func() string {
		w := fmt.Sprintf("%s distinct answers of %.0f bytes on average, entropy %.1f bits/char, %s returned", words.Int(a.distinct), mean, bits, byteWords(int64(mean*float64(a.withAnswer))))
		if tw := typeWords(d.types[:], d.events); tw != "" {
			w += ", " + tw
		}
		return w
	})}
}

// sampleStats are the number of sampled answers found in texts, their
// bytes and the entropy of those bytes in bits per byte.
func sampleStats(sample []uint32, texts map[uint32]string) (n, size int64, bits float64) {
	var h [256]int64
	for _, id := range sample {
		t, ok := texts[id]
		if !ok {
			continue
		}
		n++
		size += int64(len(t))
		for i := 0; i < len(t); i++ {
			h[t[i]]++
		}
	}
	return n, size, byteEntropy(&h, size)
}

// byteEntropy is the entropy in bits per byte of a histogram of n bytes.
func byteEntropy(h *[256]int64, n int64) float64 {
	bits := 0.0
	for _, c := range h {
		if c > 0 {
			p := float64(c) / float64(n)
			bits -= p * math.Log2(p)
		}
	}
	return bits
}
