package list

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// bigData is a long-tail workspace of n names in memory: counts from a
// Zipf distribution (a few huge, most seen once or twice), about three
// names per registered domain, and a few hundred rules.
func bigData(n int) (*review.Dataset, *review.Verdicts) {
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.2, 1, 1_000_000)
	ns := make([]db.NameRow, n)
	var ds []db.DomainRow
	var total int64
	start := int64(1_710_000_000_000_000)
	for i := range ns {
		if i%3 == 0 {
			ds = append(ds, db.DomainRow{ID: uint32(len(ds) + 1), Name: fmt.Sprintf("dom%d.com", len(ds))})
		}
		d := &ds[len(ds)-1]
		c := int64(z.Uint64()) + 1
		first := start + r.Int64N(7*24*3600*1_000_000)
		ns[i] = db.NameRow{ID: uint32(i + 1), Name: fmt.Sprintf("h%x.%s", r.Uint32(), d.Name), DomainID: d.ID,
			Domain: d.Name, Count: c, Clients: 1 + c/10, First: first, Last: first + c*1_000_000}
		d.Count += c
		d.Clients = max(d.Clients, ns[i].Clients)
		d.Names++
		d.First, d.Last = min(d.First+first, first), max(d.Last, ns[i].Last)
		total += c
	}
	data := review.NewDataset(db.Stats{Events: total, Names: int64(n), First: start, Last: start + 7*24*3600*1_000_000}, subject.Must(subject.DNSName), ns, ds)
	var rs []rules.Rule
	for i := 0; i < 300; i++ {
		rs = append(rs, rules.Rule{ID: int64(i + 1), Pattern: ds[i*7].Name, Scope: rules.Domain, Verdict: rules.Good})
	}
	return data, review.NewVerdicts(data, rs)
}

var big struct {
	data *review.Dataset
	verd *review.Verdicts
	sc   *review.Scores
	an   *review.Annotations
}

// bigExtras scores every other name and domain, ranks one name in ten and
// makes the last tenth of the names new since a snapshot.
func bigExtras(data *review.Dataset) (*review.Scores, *review.Annotations) {
	r := rand.New(rand.NewPCG(3, 4))
	ns, ds := map[uint32]float64{}, map[uint32]float64{}
	rk := db.Ranks{Names: map[uint32]int{}, Domains: map[uint32]int{}}
	for i, row := range data.Names.Rows {
		if i%2 == 0 {
			ns[row.ID] = r.Float64() * 100
		}
		if i%10 == 0 {
			rk.Names[row.ID] = 1 + r.IntN(100_000)
		}
	}
	for i, row := range data.Domains.Rows {
		if i%2 == 0 {
			ds[row.ID] = r.Float64() * 100
		}
	}
	an := review.NewAnnotations(data, rk)
	an.Fresh, an.Since = review.Freshness(data, db.Since{Snapshot: "bench", MaxName: uint32(len(data.Names.Rows) * 9 / 10)}), "snapshot bench"
	return review.NewScores(data, ns, ds), an
}

// bigList is the list of 400,000 names, on the names by count as the
// screen opened before it opened on the domains by score (ByCount): the
// longest list, the numbers comparable from one change to the next.
func bigList(b *testing.B) *Model {
	if big.data == nil {
		big.data, big.verd = bigData(400_000)
		big.sc, big.an = bigExtras(big.data)
	}
	m := New(common.New(context.Background(), nil), Options{Author: "bench", ByCount: true})
	m.SetSize(80, 24)
	for _, msg := range []tea.Msg{loadedMsg{data: big.data, verd: big.verd}, extrasMsg{data: big.data, sc: big.sc, an: big.an}} {
		_, cmd := m.Update(msg)
		settleNoTicks(m, cmd)
	}
	return m
}

// settleNoTicks runs the list's commands except the timers (the sparkline
// pause, which would review.Query the workspace).
func settleNoTicks(m *Model, cmd tea.Cmd) {
	tuitest.SettleOnly(m, cmd, func(msg tea.Msg) bool {
		switch msg.(type) {
		case computedMsg, searchMsg:
			return true
		}
		return false
	})
}

// BenchmarkFirstFrame is the loading frame: what the user sees at once.
func BenchmarkFirstFrame(b *testing.B) {
	for b.Loop() {
		m := New(common.New(context.Background(), nil), Options{Author: "bench", ByCount: true})
		m.SetSize(80, 24)
		_ = m.View()
	}
}

// BenchmarkFirstListFrame: the loaded data arrives, is filtered and sorted,
// and drawn (not counting the workspace queries).
func BenchmarkFirstListFrame400k(b *testing.B) {
	bigList(b)
	for b.Loop() {
		m := New(common.New(context.Background(), nil), Options{Author: "bench", ByCount: true})
		m.SetSize(80, 24)
		_, cmd := m.Update(loadedMsg{data: big.data, verd: big.verd})
		settleNoTicks(m, cmd)
		_ = m.View()
	}
}

// BenchmarkKeystroke400k: a key press → Update → its commands → View, on a
// list of 400,000 names.
func BenchmarkKeystroke400k(b *testing.B) {
	for _, keys := range [][]string{{"j"}, {"pgdown"}, {"G", "g"}, {"H"}, {"T"}, {"r"}, {"U"}, {"o"}, {"O"}, {"d"},
		{"S"}, {"P"}, {"}"}, {"B"}, {"y"}} {
		b.Run(fmt.Sprint(keys), func(b *testing.B) {
			m := bigList(b)
			for b.Loop() {
				for _, k := range keys {
					_, cmd := m.Update(tuitest.Key(k))
					settleNoTicks(m, cmd)
					_ = m.View()
				}
			}
		})
	}
}

// BenchmarkCompute400k is the filter and sort pass alone.
func BenchmarkCompute400k(b *testing.B) {
	bigList(b)
	qs := map[string]review.Query{
		"count":              {Sort: review.SortCount, TopN: 100, RareK: 2},
		"hide-good+top+rare": {Sort: review.SortCount, Hide: hideGood, HideTop: true, TopN: 100, Rare: true, RareK: 2},
		"name-reversed":      {Sort: review.SortName, Reverse: true},
		"domains":            {Domains: true, Sort: review.SortClients},
		"domains-rare":       {Domains: true, Sort: review.SortScore, Hide: hideGood, Rare: true, RareK: 2},
		"score":              {Sort: review.SortScore, Hide: hideGood},
		"ranked+new":         {Sort: review.SortScore, HideRanked: true, RankN: 10000, Fresh: true},
	}
	for name, q := range qs {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				review.Compute(big.data, big.verd, big.sc, big.an, q)
			}
		})
	}
	b.Run("first-sort-by-last", func(b *testing.B) {
		for b.Loop() {
			t := review.NewTable(big.data.Names.Rows)
			t.Order(review.SortLast)
		}
	})
	b.Run("scores", func(b *testing.B) {
		for b.Loop() {
			bigExtras(big.data)
		}
	})
	b.Run("verdicts", func(b *testing.B) {
		for b.Loop() {
			review.NewVerdicts(big.data, big.verd.Rules)
		}
	})
}

// BenchmarkRender is the pure row renderer: one screen of 80 columns.
func BenchmarkRender(b *testing.B) {
	m := bigList(b)
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkSparks: the sparklines of one 80×24 screen of rows read from a
// workspace (one SeriesMany for the names on screen).
func BenchmarkSparks(b *testing.B) {
	d := workspace(b, 50_000)
	m := New(common.New(context.Background(), d), Options{Author: "bench", ByCount: true})
	m.SetSize(80, 24)
	tuitest.Settle(m, m.Init())
	for b.Loop() {
		clear(m.sparks)
		m.Update(m.fetchSparks()())
	}
}
