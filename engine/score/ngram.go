package score

import "math"

// Model is a character trigram model of the registered-domain labels that
// are normal in this workspace. It is built from the workspace itself
// (known-good names, the domains most clients ask, an imported
// popularity list) and never shipped: what is "normal" is what this
// network does.
type Model struct {
	tri     [symbols * symbols * symbols]float64
	triCtx  [symbols * symbols]float64 // row sums of tri
	bi      [symbols * symbols]float64
	biCtx   [symbols]float64
	uni     [symbols]float64
	total   float64
	labels  int
	min     int                // labels needed before it judges (minTraining, or fewer for an organisation's own)
	trained map[string]float64 // label → its weight
	// Mean and spread of the leave-one-out surprisal of the training
	// labels: a label is judged by how far it is from normal here, not by
	// an absolute number of bits.
	mean, sd float64
}

// minTraining is how many labels the model needs before its judgement is
// used; below it the DGA signal rests on the label's shape alone.
const minTraining = 50

// Train builds a model from labels (registered-domain labels, one per
// domain; duplicates are ignored).
func Train(labels []string) *Model {
	return TrainWeighted(labels, nil)
}

// maxWeight caps a training label's weight: no one domain, however many
// clients ask it, sets what normal looks like.
const maxWeight = 4

// TrainWeighted is Train with a weight per label (nil: 1 each), capped
// at maxWeight; a label given twice keeps its first weight.
func TrainWeighted(labels []string, weights []float64) *Model {
	return trainMin(labels, weights, minTraining)
}

// trainMin is TrainWeighted with the number of labels from which the
// model judges.
func trainMin(labels []string, weights []float64, minLabels int) *Model {
	m := &Model{min: minLabels, trained: make(map[string]float64, len(labels))}
	var uniq []string
	for i, l := range labels {
		if _, dup := m.trained[l]; l == "" || dup {
			continue
		}
		w := 1.0
		if weights != nil {
			w = min(max(weights[i], 0.1), maxWeight)
		}
		m.trained[l] = w
		uniq = append(uniq, l)
		m.count(l, w)
	}
	m.labels = len(uniq)
	if m.labels < m.min {
		return m
	}
	var sum, sq float64
	for _, l := range uniq {
		s := m.heldOut(l)
		sum += s
		sq += s * s
	}
	n := float64(len(uniq))
	m.mean = sum / n
	m.sd = math.Sqrt(max(sq/n-m.mean*m.mean, 0.01))
	return m
}

func (m *Model) count(l string, d float64) {
	a, b := symEdge, symEdge
	for i := 0; i <= len(l); i++ {
		c := symEdge
		if i < len(l) {
			c = symbol(l[i])
		}
		m.tri[(a*symbols+b)*symbols+c] += d
		m.triCtx[a*symbols+b] += d
		m.bi[b*symbols+c] += d
		m.biCtx[b] += d
		m.uni[c] += d
		m.total += d
		a, b = b, c
	}
}

// Labels is how many distinct labels the model was trained on.
func (m *Model) Labels() int { return m.labels }

// Surprisal is the mean number of bits per character (end of label
// included) the model needs for label: interpolated trigram, bigram and
// add-one unigram estimates.
func (m *Model) Surprisal(label string) float64 {
	if label == "" {
		return 0
	}
	a, b := symEdge, symEdge
	bits := 0.0
	for i := 0; i <= len(label); i++ {
		c := symEdge
		if i < len(label) {
			c = symbol(label[i])
		}
		uni := (m.uni[c] + 1) / (m.total + symbols)
		p := 0.1 * uni
		if ctx := m.biCtx[b]; ctx > 0 {
			p += 0.3 * m.bi[b*symbols+c] / ctx
		} else {
			p += 0.3 * uni
		}
		if ctx := m.triCtx[a*symbols+b]; ctx > 0 {
			p += 0.6 * m.tri[(a*symbols+b)*symbols+c] / ctx
		} else {
			p += 0.6 * uni
		}
		bits -= math.Log2(p)
		a, b = b, c
	}
	return bits / float64(len(label)+1)
}

// heldOut is the surprisal of label by the model trained without it: a
// training label judged in-sample would look more normal than any other.
func (m *Model) heldOut(label string) float64 {
	w, ok := m.trained[label]
	if !ok {
		return m.Surprisal(label)
	}
	m.count(label, -w)
	s := m.Surprisal(label)
	m.count(label, w)
	return s
}

// Z is how many standard deviations label's surprisal lies above that of
// the training labels (each held out from the model that judges it); 0
// when the model has too little to go on. It is not safe for concurrent
// use.
func (m *Model) Z(label string) float64 {
	if m.labels < m.min {
		return 0
	}
	return (m.heldOut(label) - m.mean) / m.sd
}
