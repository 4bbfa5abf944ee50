package list

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/tui/common"
)

// What the list shows beside the counts comes from other tables and changes
// at other times: the scores after every rescoring, the popularity ranks
// after an import. Each set is built in a command and replaced wholesale,
// so compute can read it while Update runs, like the dataset.

// noScore marks a row the scorer left out (known-good, or never scored).
const noScore = -1

// scores are the rows' 0–100 scores, by row index of each table.
type scores struct {
	names, domains []float32
	any            bool // at least one row is scored: the column is shown
	// orders: row indices by score, best first; unscored rows last, by count.
	once   [2]sync.Once
	orders [2][]int32
}

// loadScores reads the stored scores of names and domains.
func loadScores(ctx context.Context, d *db.DB, data *dataset) (*scores, error) {
	ns, err := d.Scores(ctx, db.ScoreName)
	if err != nil {
		return nil, err
	}
	ds, err := d.Scores(ctx, db.ScoreDomain)
	if err != nil {
		return nil, err
	}
	return newScores(data, ns, ds), nil
}

// newScores lays scores by id out by row, and sorts by them now, in the
// command, so that the sort key does not wait for it.
func newScores(data *dataset, names, domains map[uint32]float64) *scores {
	s := &scores{names: scoreColumn(data.names, names), domains: scoreColumn(data.domains, domains)}
	s.any = len(names)+len(domains) > 0
	s.order(data, false)
	s.order(data, true)
	return s
}

func scoreColumn(t *table, byID map[uint32]float64) []float32 {
	out := make([]float32, len(t.rows))
	for i := range t.rows {
		out[i] = noScore
		if v, ok := byID[t.rows[i].ID]; ok {
			out[i] = float32(v)
		}
	}
	return out
}

func (s *scores) of(domains bool) []float32 {
	if domains {
		return s.domains
	}
	return s.names
}

// order returns the row indices by score descending; ties (and the unscored
// rows, last) keep the count order.
func (s *scores) order(data *dataset, domains bool) []int32 {
	k := 0
	if domains {
		k = 1
	}
	s.once[k].Do(func() {
		t, sc := data.names, s.of(domains)
		if domains {
			t = data.domains
		}
		idx := slices.Clone(t.order(SortCount))
		slices.SortStableFunc(idx, func(a, b int32) int { return cmp.Compare(sc[b], sc[a]) })
		s.orders[k] = idx
	})
	return s.orders[k]
}

// annotations are the popularity ranks and the newness of every row. They
// change only when a list is imported (ranks) or a snapshot taken (by the
// command line, between sessions).
type annotations struct {
	rank      [2][]int32 // names, domains: 1 the most popular, 0 unranked
	anyRanked bool
	// fresh: first seen after the baseline (the latest snapshot); nil when
	// there is no snapshot.
	fresh [2][]bool
	since string // what fresh is measured from, for the status line
}

// loadAnnotations reads the ranks and the latest snapshot.
func loadAnnotations(ctx context.Context, d *db.DB, data *dataset) (*annotations, error) {
	rk, err := d.Ranks(ctx)
	if err != nil {
		return nil, err
	}
	a := newAnnotations(data, rk)
	// No snapshot is not an error: the filter says there is none.
	if since, err := d.ResolveSince(ctx, ""); err == nil {
		a.fresh, a.since = freshness(data, since), since.String()
	}
	return a, nil
}

// newAnnotations lays the ranks out by row.
func newAnnotations(data *dataset, rk db.Ranks) *annotations {
	a := &annotations{anyRanked: len(rk.Names)+len(rk.Domains) > 0}
	a.rank[0] = make([]int32, len(data.names.rows))
	for i, r := range data.names.rows {
		a.rank[0][i] = int32(rk.Of(db.NameRow{ID: r.ID, DomainID: r.DomainID}))
	}
	a.rank[1] = make([]int32, len(data.domains.rows))
	for i, r := range data.domains.rows {
		a.rank[1][i] = int32(rk.Domains[r.ID])
	}
	return a
}

// freshness says which rows are new since s: a name unknown when the
// snapshot was taken (or first seen after the time); a registered domain
// when every name under it is new, i.e. the domain itself is.
func freshness(data *dataset, s db.Since) [2][]bool {
	isNew := func(r *Row) bool {
		if s.Snapshot != "" {
			return r.ID > s.MaxName
		}
		return r.First > s.After
	}
	var out [2][]bool
	out[0] = make([]bool, len(data.names.rows))
	for i := range data.names.rows {
		out[0][i] = isNew(&data.names.rows[i])
	}
	out[1] = make([]bool, len(data.domains.rows))
	for i, r := range data.domains.rows {
		kids := data.children[r.ID]
		out[1][i] = len(kids) > 0
		for _, c := range kids {
			out[1][i] = out[1][i] && out[0][c]
		}
	}
	return out
}

func (a *annotations) of(domains bool) (rank []int32, fresh []bool) {
	k := 0
	if domains {
		k = 1
	}
	return a.rank[k], a.fresh[k]
}

// Messages of the extras' commands.
type (
	// extrasMsg brings scores, annotations or both (nil: not read).
	extrasMsg struct {
		sc  *scores
		an  *annotations
		err error
	}
	// rescoredMsg: a background rescoring finished; the scores it stored
	// are loaded.
	rescoredMsg struct {
		sc   *scores
		took string
		err  error
	}
)

// loadExtras reads the scores, the annotations or both in a command.
func (m *Model) loadExtras(withScores, withAnnotations bool) tea.Cmd {
	if m.c.DB == nil {
		return nil // a list on data in memory (benchmarks)
	}
	d, ctx, data := m.c.DB, m.c.Ctx, m.data
	return func() tea.Msg {
		var msg extrasMsg
		if withScores {
			if msg.sc, msg.err = loadScores(ctx, d, data); msg.err != nil {
				return extrasMsg{err: fmt.Errorf("reading the scores: %w", msg.err)}
			}
		}
		if withAnnotations {
			if msg.an, msg.err = loadAnnotations(ctx, d, data); msg.err != nil {
				return extrasMsg{err: fmt.Errorf("reading the ranks and snapshots: %w", msg.err)}
			}
		}
		return msg
	}
}

// rescore scores the workspace again in the background (the verdicts
// changed: known-good leaves the ranking and trains the model) and then
// reloads the column. One run at a time: a change during a run asks for
// another when it ends. Marks never wait for it.
func (m *Model) rescore() tea.Cmd {
	if m.c.DB == nil || m.data == nil {
		return nil
	}
	if m.scoring {
		m.rescoreAgain = true
		return nil
	}
	m.scoring, m.rescoreAgain = true, false
	d, ctx, data := m.c.DB, m.c.Ctx, m.data
	return func() tea.Msg {
		sum, err := score.Run(ctx, d)
		if err != nil {
			return rescoredMsg{err: err}
		}
		sc, err := loadScores(ctx, d, data)
		return rescoredMsg{sc: sc, took: sum.Took.Round(100_000_000).String(), err: err}
	}
}

// rescored applies a finished rescoring, and starts the next one when the
// verdicts changed meanwhile.
func (m *Model) rescored(msg rescoredMsg) tea.Cmd {
	m.scoring = false
	var cmds []tea.Cmd
	if m.rescoreAgain {
		cmds = append(cmds, m.rescore())
	}
	if msg.err != nil {
		return tea.Batch(append(cmds, common.Error(fmt.Errorf("scoring: %w", msg.err)))...)
	}
	m.sc = msg.sc
	m.why.subject = sparkKey{} // the panel reads the new contributions
	cmds = append(cmds, m.fetchWhy())
	cmds = append(cmds, m.recompute())
	return tea.Batch(cmds...)
}
