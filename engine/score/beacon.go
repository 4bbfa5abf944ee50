package score

import "math/bits"

// Beacon detection looks at one client asking one name: malware that
// checks in on a timer asks at near-constant intervals, day and night,
// where people ask in bursts during their working hours.
const (
	// MinBeaconEvents is the fewest queries (after merging retries) a
	// (client, name) pair needs before its intervals mean anything.
	MinBeaconEvents = 20
	// sameQuery merges queries closer than this (A and AAAA together,
	// retries): they are one check-in.
	sameQuery = 2_000_000 // µs
	// minPeriod: a median interval below this is a burst, not a timer.
	minPeriod = 10_000_000 // µs
)

// beacon is the regularity of one (client, name) pair.
type beacon struct {
	client   uint32
	queries  int     // check-ins after merging retries
	median   float64 // µs between check-ins
	mad      float64 // median absolute deviation of the intervals, µs
	hours    int     // distinct hours of the day with a check-in (0–24)
	span     int64   // µs from the first check-in to the last
	strength float64
}

// beaconScratch holds the buffers measure reuses across pairs.
type beaconScratch struct {
	times []int64 // a pair's check-ins, decoded (Scorer.checkinTimes)
	gaps  []int64
	devs  []int64
}

// measure judges the sorted query times of one pair.
func (s *beaconScratch) measure(client uint32, times []int64) beacon {
	if len(times) == 0 {
		return beacon{client: client}
	}
	return s.measureTo(client, times, times[len(times)-1])
}

// measureTo is measure of times whose last query came at end: a pair's
// check-ins merged as they came (Scorer.addTime) keep the first query of
// each, not the last of all.
func (s *beaconScratch) measureTo(client uint32, times []int64, end int64) beacon {
	b := beacon{client: client}
	s.gaps = s.gaps[:0]
	var hours uint32
	last := int64(-1 << 62)
	for _, t := range times {
		if t-last < sameQuery {
			continue
		}
		if b.queries > 0 {
			s.gaps = append(s.gaps, t-last)
		}
		last = t
		b.queries++
		hours |= 1 << uint((t/3_600_000_000)%24)
	}
	b.hours = bits.OnesCount32(hours)
	if len(times) > 0 {
		b.span = end - times[0]
	}
	if b.queries < MinBeaconEvents {
		return b
	}
	med := selectK(s.gaps, len(s.gaps)/2)
	s.devs = s.devs[:0]
	for _, g := range s.gaps {
		d := g - med
		if d < 0 {
			d = -d
		}
		s.devs = append(s.devs, d)
	}
	b.median, b.mad = float64(med), float64(selectK(s.devs, len(s.devs)/2))
	if med < minPeriod {
		return b
	}
	// Dispersion 0 is a perfect timer; from 0.25 on it is no timer at all.
	regular := clamp01(1 - b.mad/b.median/0.25)
	many := clamp01(float64(b.queries-MinBeaconEvents) / float64(4*MinBeaconEvents)) // saturates at 100 check-ins
	allDay := float64(b.hours) / 24
	long := clamp01(float64(b.span) / 86_400e6) // a timer that has run for a day
	b.strength = regular * (0.4 + 0.3*many + 0.3*long) * (0.5 + 0.5*allDay)
	return b
}

// selectK returns the k-th smallest element of xs (reordering it):
// Hoare's quickselect, linear on average, where sorting every pair's
// intervals would dominate the scan on busy names.
func selectK(xs []int64, k int) int64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		p := xs[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for xs[i] < p {
				i++
			}
			for xs[j] > p {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}

func clamp01(x float64) float64 {
	switch {
	case x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}
