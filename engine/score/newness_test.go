package score

import (
	"fmt"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
)

// TestNewnessPerCapture: a capture of 2023 merged with one of 2024 (two
// sources, months apart) does not make the names of the newer one new
// for being in it: a name is new by when it appeared within the span of
// traffic it appeared in. A name that appears late in its capture is
// new; a log rotated into the next file an hour later continues the span.
func TestNewnessPerCapture(t *testing.T) {
	const hour = int64(time.Hour / time.Microsecond)
	at := func(y int, m time.Month, d, h int) int64 { return time.Date(y, m, d, h, 0, 0, 0, time.UTC).UnixMicro() }
	old, recent := at(2023, 1, 2, 0), at(2024, 6, 3, 0) // two-day sources
	rotated := old + 49*hour                            // the file that follows old's, an hour after it ends
	var rows []db.NameRow
	evs := map[uint32][]db.Event{}
	add := func(name string, src uint32, first, last int64) uint32 {
		id := uint32(len(rows) + 1)
		rows = append(rows, db.NameRow{ID: id, Name: name, DomainID: id, Domain: name, Count: 2, Clients: 1, First: first, Last: last})
		evs[id] = []db.Event{{Time: first, Name: id, Client: 1, Source: src, RCode: 0, QType: 1}, {Time: last, Name: id, Client: 1, Source: src, RCode: 0, QType: 1}}
		return id
	}
	// The long tail: every hour of each capture, a name seen once.
	for src, from := range map[uint32]int64{1: old, 2: recent, 3: old + 49*hour} {
		for h := range int64(48) {
			tm := from + h*hour + 1e6
			add(fmt.Sprintf("once-%d-%d.net", src, h), src, tm, tm)
		}
	}
	add("old-a.com", 1, old, old+47*hour)
	add("old-b.com", 1, old+hour, old+46*hour)
	var early []uint32
	for i := range 5 {
		early = append(early, add(fmt.Sprintf("recent-%d.com", i), 2, recent+int64(i)*hour, recent+47*hour))
	}
	late := add("late.com", 2, recent+44*hour, recent+47*hour)
	next := add("next.com", 3, rotated+hour, rotated+40*hour)
	add("rotated-end.com", 3, rotated, rotated+47*hour)
	var doms []db.DomainRow
	for _, r := range rows {
		doms = append(doms, db.DomainRow{ID: r.DomainID, Name: r.Name, Count: r.Count, Clients: 1, Names: 1, First: r.First, Last: r.Last})
	}
	s := NewScorer(Inputs{Names: rows})
	for id, e := range evs {
		s.Add(id, e)
	}
	first, last := span(rows)
	s.Finish(FinishInputs{Domains: doms, Context: db.ScoreContext{Clients: 1, First: first, Last: last}})
	strength := func(id uint32) float64 { return s.newness(id, rows[id-1].First).strength }
	for _, id := range early {
		if st := strength(id); st > 0.01 {
			t.Errorf("%s, in the first hours of its capture, is new: %.2f", rows[id-1].Name, st)
		}
	}
	if st := strength(late); st < 0.8 {
		t.Errorf("late.com, 92%% into its capture, is new by %.2f only", st)
	}
	if st := strength(next); st < 0.2 {
		t.Errorf("next.com, in the file rotated after its capture's, is new by %.2f only", st)
	}
	if e := s.newness(late, rows[late-1].First); e.lazy == nil || e.lazy() == "" {
		t.Error("newness without words")
	}
}
