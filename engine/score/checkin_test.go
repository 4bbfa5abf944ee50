package score

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// checkinWorld is smallWorld with beacons whose check-ins are whole
// seconds (a log's) and bursts within sameQuery of each other (retries,
// A with AAAA), which the merged check-ins must keep as measure does.
func checkinWorld() *workspace {
	rng := rand.New(rand.NewPCG(9, 10))
	w := smallWorld()
	var evs []db.Event
	for _, tm := range times(0, 120e6, 0, 800, rng) {
		evs = append(evs, ev(tm, 21, 1, 0, 6), ev(tm+1e6, 21, 28, 0, 6)) // A and AAAA a second apart
	}
	w.add("c2.wholeseconds.net", "wholeseconds.net", evs)
	evs = nil
	for _, tm := range times(0, 90e6, 0, 500, rng) {
		evs = append(evs, ev(tm+rng.Int64N(1500e3), 22, 1, 0, 7))
	}
	w.add("update.jittery.org", "jittery.org", evs)
	return w
}

// scoreBlocks scores w with its events cut into blocks of 37; with
// reread set the scorer merges the check-ins as they come and reads a
// name's events again through reread's log, in order or, with shuffled,
// the blocks of each name in reverse.
func (w *workspace) scoreBlocks(reread, shuffled bool) (Result, []uint32) {
	ctx := db.ScoreContext{Clients: 50, First: 0, Last: 7 * 86400e6}
	in := Inputs{Rules: rules.NewMatcher(nil, subject.DNSName), Names: w.names, Pairs: w.pairs(ctx.Clients)}
	var again []uint32
	if reread {
		in.Reread = func(names []uint32, fn func(uint32, []db.Event) error) error {
			again = append(again, names...)
			for _, id := range names {
				if err := fn(id, w.events[id-1]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	s := NewScorer(in)
	for i, evs := range w.events {
		var blocks [][]db.Event
		for len(evs) > 0 {
			n := min(37, len(evs))
			blocks, evs = append(blocks, evs[:n]), evs[n:]
		}
		if shuffled {
			slices.Reverse(blocks)
		}
		for _, b := range blocks {
			s.Add(w.names[i].ID, b)
		}
	}
	return s.Finish(FinishInputs{Context: ctx, Domains: w.domains}), again
}

// The check-ins merged as the events come score exactly as the sorted
// times measured at the end, whether the blocks come in time order or
// not (then the pair's name is read again).
func TestMergedCheckinsScoreAlike(t *testing.T) {
	w := checkinWorld()
	want, _ := w.scoreBlocks(false, false)
	if !slices.ContainsFunc(want.Domains, func(sc db.Score) bool {
		return w.domains[sc.ID-1].Name == "wholeseconds.net" && len(sc.Contribs) > 0 && sc.Contribs[0].Signal == SigBeacon
	}) {
		t.Fatalf("the whole-second beacon is not judged one: %+v", want.Domains[:5])
	}
	got, again := w.scoreBlocks(true, false)
	if len(again) != 0 {
		t.Errorf("names read again though their blocks came in order: %v", again)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged check-ins score otherwise:\n got %+v\nwant %+v", got.Domains[:5], want.Domains[:5])
	}
	got, again = w.scoreBlocks(true, true)
	if len(again) == 0 {
		t.Error("no name read again though blocks came out of order")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("out of order, merged check-ins score otherwise:\n got %+v\nwant %+v", got.Domains[:5], want.Domains[:5])
	}
}
