package review

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/subject"
)

// What the list shows beside the counts comes from other tables and changes
// at other times: the scores after every rescoring, the popularity ranks
// after an import. Each set is built at once and replaced wholesale, so
// Compute can read it while the screen runs, like the Dataset.

// NoScore marks a row the scorer left out (known-good, or never scored).
const NoScore = -1

// Scores are the rows' 0–100 scores, by row index of each table.
type Scores struct {
	Names, Domains []float32
	Any            bool // at least one row of the dataset is scored: the column is shown
	// orders: row indices by score, best first; unscored rows last, by count.
	once   [2]sync.Once
	orders [2][]int32
}

// LoadScores reads the stored scores of names and domains.
func LoadScores(ctx context.Context, d *db.DB, data *Dataset) (*Scores, error) {
	ns, err := d.Scores(ctx, db.ScoreName)
	if err != nil {
		return nil, err
	}
	ds, err := d.Scores(ctx, db.ScoreDomain)
	if err != nil {
		return nil, err
	}
	return NewScores(data, ns, ds), nil
}

// NewScores lays scores by id out by row, and sorts by them now, so that
// the sort key does not wait for it.
func NewScores(data *Dataset, names, domains map[uint32]float64) *Scores {
	s := &Scores{Names: scoreColumn(data.Names, names), Domains: scoreColumn(data.Domains, domains)}
	scored := func(v float32) bool { return v != NoScore }
	s.Any = slices.ContainsFunc(s.Names, scored) || slices.ContainsFunc(s.Domains, scored)
	s.Order(data, false)
	s.Order(data, true)
	return s
}

func scoreColumn(t *Table, byID map[uint32]float64) []float32 {
	out := make([]float32, len(t.Rows))
	for i := range t.Rows {
		out[i] = NoScore
		if v, ok := byID[t.Rows[i].ID]; ok {
			out[i] = float32(v)
		}
	}
	return out
}

// Of returns the scores of the names, or of the domains.
func (s *Scores) Of(domains bool) []float32 {
	if domains {
		return s.Domains
	}
	return s.Names
}

// Order returns the row indices by score descending; ties (and the
// unscored rows, last) keep the count order.
func (s *Scores) Order(data *Dataset, domains bool) []int32 {
	k := 0
	if domains {
		k = 1
	}
	s.once[k].Do(func() {
		sc := s.Of(domains)
		idx := slices.Clone(data.Table(domains).Order(SortCount))
		slices.SortStableFunc(idx, func(a, b int32) int { return cmp.Compare(sc[b], sc[a]) })
		s.orders[k] = idx
	})
	return s.orders[k]
}

// Annotations are the popularity ranks and the newness of every row. They
// change only when a list is imported (ranks) or a snapshot taken.
type Annotations struct {
	Rank      [2][]int32 // names, domains: 1 the most popular, 0 unranked
	AnyRanked bool
	// Fresh: first seen after the baseline (the latest snapshot); nil when
	// there is no snapshot.
	Fresh [2][]bool
	Since string // what Fresh is measured from, for a status line
	// Nets are the networks of each row (names, domains): a DNS name's
	// answers' and a registered domain's (its names' together); an
	// address's own (an HTTP client, a logon source; their groups have
	// none). Nil for other subjects, or when no imported table knows any.
	Nets [2][]networks.Set
	// Network is each name row's Nets as the list's column shows it
	// ("AS15169 GOOGLE US", a DNS name's "+N" for its other networks).
	Network []string
	// Categories are each host name's categories; nil for other subjects,
	// or when no category list was imported.
	Categories *Categories
}

// LoadAnnotations reads the ranks and the latest snapshot.
func LoadAnnotations(ctx context.Context, d *db.DB, data *Dataset) (*Annotations, error) {
	rk, err := d.Ranks(ctx)
	if err != nil {
		return nil, err
	}
	a := NewAnnotations(data, rk)
	if a.Nets, err = loadNetworks(ctx, d, data); err != nil {
		return nil, err
	}
	if a.Nets[0] != nil {
		a.Network = make([]string, len(data.Names.Rows))
		for i, s := range a.Nets[0] {
			a.Network[i] = s.Short()
		}
	}
	if a.Categories, err = loadCategories(ctx, d, data); err != nil {
		return nil, err
	}
	// No snapshot is not an error: the filter says there is none.
	if since, err := d.ResolveSince(ctx, ""); err == nil {
		a.Fresh, a.Since = Freshness(data, since), since.String()
	}
	return a, nil
}

// loadNetworks looks up the networks of every row, once per distinct
// address (networks.Of): here, when a list is loaded, not per event at
// ingest.
func loadNetworks(ctx context.Context, d *db.DB, data *Dataset) ([2][]networks.Set, error) {
	if data.Subject.Code == subject.DNSName {
		return loadAnswerNetworks(ctx, d, data)
	}
	var out [2][]networks.Set
	if !networks.Addressed(data.Subject.Code) {
		return out, nil
	}
	values := make([]string, len(data.Names.Rows))
	for i, r := range data.Names.Rows {
		values[i] = r.Name
	}
	nets, err := networks.Of(ctx, d, values)
	if err != nil || len(nets) == 0 {
		return out, err
	}
	out[0] = make([]networks.Set, len(values))
	for i, v := range values {
		out[0][i] = networks.SetOf([]string{v}, nets)
	}
	return out, nil
}

// loadAnswerNetworks finds the networks of the answers of every DNS name
// (networks.OfNames: one read of the DNS events, each distinct address
// looked up once), here when a list is loaded, never at ingest; a
// domain's are its names' together.
func loadAnswerNetworks(ctx context.Context, d *db.DB, data *Dataset) ([2][]networks.Set, error) {
	var out [2][]networks.Set
	sets, err := networks.OfNames(ctx, d, nil)
	if err != nil || len(sets) == 0 {
		return out, err
	}
	out[0] = make([]networks.Set, len(data.Names.Rows))
	for i, r := range data.Names.Rows {
		out[0][i] = sets[r.ID]
	}
	out[1] = make([]networks.Set, len(data.Domains.Rows))
	for i, r := range data.Domains.Rows {
		kids := data.Children[r.ID]
		parts := make([]networks.Set, len(kids))
		for j, c := range kids {
			parts[j] = out[0][c]
		}
		out[1][i] = networks.Merge(parts...)
	}
	return out, nil
}

// NewAnnotations lays the ranks out by row.
func NewAnnotations(data *Dataset, rk db.Ranks) *Annotations {
	if !data.Subject.Hostname {
		rk = db.Ranks{} // popularity lists rank host names only
	}
	a := &Annotations{AnyRanked: len(rk.Names)+len(rk.Domains) > 0}
	a.Rank[0] = make([]int32, len(data.Names.Rows))
	for i, r := range data.Names.Rows {
		a.Rank[0][i] = int32(rk.Of(db.NameRow{ID: r.ID, DomainID: r.DomainID}))
	}
	a.Rank[1] = make([]int32, len(data.Domains.Rows))
	for i, r := range data.Domains.Rows {
		a.Rank[1][i] = int32(rk.Domains[r.ID])
	}
	return a
}

// Freshness says which rows are new since s: a name unknown when the
// snapshot was taken (or first seen after the time); a registered domain
// when every name under it is new, i.e. the domain itself is (groupIsNew).
func Freshness(data *Dataset, s db.Since) [2][]bool {
	var out [2][]bool
	out[0] = make([]bool, len(data.Names.Rows))
	for i, r := range data.Names.Rows {
		out[0][i] = s.Includes(r.ID, r.First)
	}
	out[1] = make([]bool, len(data.Domains.Rows))
	for i, r := range data.Domains.Rows {
		kids, fresh := data.Children[r.ID], 0
		for _, c := range kids {
			if out[0][c] {
				fresh++
			}
		}
		out[1][i] = groupIsNew(fresh, len(kids))
	}
	return out
}

// groupIsNew says whether a group of names values, fresh of them new, is
// new itself: it has values and all are new.
func groupIsNew[N int | int64](fresh, names N) bool { return names > 0 && fresh == names }

// Of returns the ranks and newness of the names, or of the domains.
func (a *Annotations) Of(domains bool) (rank []int32, fresh []bool) {
	k := 0
	if domains {
		k = 1
	}
	return a.Rank[k], a.Fresh[k]
}
