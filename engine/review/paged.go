package review

import (
	"context"
	"errors"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// FirstPage is the top of the list q shows, at most n rows, read from the
// workspace's stored orders (count, or score) instead of every value and
// group: what the review screen shows while it loads the rest, which takes
// seconds on a large workspace. ok is false when q's first rows need the
// whole list (a filter other than the verdicts', another sort).
//
// By score, the order is the scored rows' (ties by count, then name); the
// screen's own puts unscored rows after them.
func FirstPage(ctx context.Context, d *db.DB, q Query, n int) (a Answer, ok bool, err error) {
	if !q.paged() || n <= 0 {
		return Answer{}, false, nil
	}
	a, err = pagedItems(ctx, d, q, n)
	return a, true, err
}

// runPaged answers a query that needs only rows in a stored order
// (Query.paged) from db.TopNames or TopDomains, which sort as
// Table.Order(SortCount) does (count descending, then name), or the scored
// rows best first, in pages that double while rows are hidden, and then
// looks up what the screen shows beside each row it keeps.
func runPaged(ctx context.Context, d *db.DB, q Query, limit int) (Answer, error) {
	a, err := pagedItems(ctx, d, q, limit)
	if err != nil {
		return a, err
	}
	sub := q.Listing()
	if err := answerNetworks(ctx, d, sub, q.Domains, &a); err != nil || !sub.Hostname {
		return a, err
	}
	return a, itemCategories(ctx, d, &a)
}

// pagedItems is runPaged's rows with their verdicts, scores, ranks and
// newness, without the networks and categories the list reads later.
func pagedItems(ctx context.Context, d *db.DB, q Query, limit int) (Answer, error) {
	rs, err := d.Rules(ctx)
	if err != nil {
		return Answer{}, err
	}
	sub := q.Listing()
	m := rules.NewMatcher(rs, sub.Code)
	page, size := topPage, max(firstPage, 2*limit)
	if q.Sort == SortScore {
		// Known-good rows have no score: few scored rows are hidden.
		page, size = scoredPage, 2*limit
	}
	var a Answer
	for offset := 0; len(a.Items) < limit; size *= 2 {
		rows, err := page(ctx, d, sub.Code, q.Domains, size, offset)
		if err != nil {
			return Answer{}, err
		}
		for _, r := range rows {
			it := Item{Row: r}
			if rule, ok := m.MatchRow(r.Name, r.Domain, q.Domains); ok {
				it.Verdict = rule.Verdict
			}
			if q.hiddenBy(facts{verdict: it.Verdict, top: -1}) == NoFilter && len(a.Items) < limit {
				a.Items = append(a.Items, it)
			}
		}
		if len(rows) < size {
			break
		}
		offset += len(rows)
	}
	return a, annotate(ctx, d, sub, q.Domains, &a)
}

// answerNetworks gives each DNS item the networks of its answers, as
// loadAnswerNetworks does for the screen, reading only the items' names.
func answerNetworks(ctx context.Context, d *db.DB, sub subject.Subject, domains bool, a *Answer) error {
	if sub.Code != subject.DNSName || len(a.Items) == 0 {
		return nil
	}
	kids := make([][]uint32, len(a.Items))
	var ids []uint32
	for i, it := range a.Items {
		kids[i] = []uint32{it.ID}
		if domains {
			ns, err := d.NamesOfDomain(ctx, it.ID)
			if err != nil {
				return err
			}
			kids[i] = kids[i][:0]
			for _, n := range ns {
				kids[i] = append(kids[i], n.ID)
			}
		}
		ids = append(ids, kids[i]...)
	}
	sets, err := networks.OfNames(ctx, d, ids)
	if err != nil || sets == nil {
		return err
	}
	for i := range a.Items {
		parts := make([]networks.Set, len(kids[i]))
		for j, id := range kids[i] {
			parts[j] = sets[id]
		}
		a.Items[i].Nets = networks.Merge(parts...)
	}
	return nil
}

// firstPage is the smallest page read while rows are being hidden.
const firstPage = 1024

func topPage(ctx context.Context, d *db.DB, sub subject.Code, domains bool, limit, offset int) ([]Row, error) {
	if domains {
		ds, err := d.TopDomains(ctx, sub, limit, offset)
		return rowsOf(ds, domainRow), err
	}
	ns, err := d.TopNames(ctx, sub, limit, offset)
	return rowsOf(ns, nameRow), err
}

// scoredPage is topPage's rows in score order: the best-scored, highest
// first. The workspace reads them from the top (db.TopScoredNames): a page
// past the first reads the ones before it again.
func scoredPage(ctx context.Context, d *db.DB, sub subject.Code, domains bool, limit, offset int) ([]Row, error) {
	var rows []Row
	if domains {
		ds, err := d.TopScoredDomains(ctx, sub, offset+limit)
		for _, r := range ds[min(offset, len(ds)):] {
			rows = append(rows, domainRow(r.DomainRow))
		}
		return rows, err
	}
	ns, err := d.TopScoredNames(ctx, sub, offset+limit)
	for _, r := range ns[min(offset, len(ns)):] {
		rows = append(rows, nameRow(r.NameRow))
	}
	return rows, err
}

// annotate gives each item its score, rank and newness the way the screen
// computes them (NewScores, NewAnnotations, Freshness), one row at a time.
func annotate(ctx context.Context, d *db.DB, sub subject.Subject, domains bool, a *Answer) error {
	scored := db.ScoreName
	if domains {
		scored = db.ScoreDomain
	}
	since, err := d.ResolveSince(ctx, "")
	snapshot := err == nil
	if snapshot {
		a.Since = since.String()
	}
	for i := range a.Items {
		it := &a.Items[i]
		it.Score = NoScore
		switch s, err := d.ScoreOf(ctx, scored, it.ID); {
		case err == nil:
			it.Score = float32(s.Score)
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
		if sub.Hostname { // popularity lists rank host names only
			if it.Rank, err = rankOf(ctx, d, it.Name, it.Domain, domains); err != nil {
				return err
			}
		}
		if snapshot {
			if it.Fresh, err = isFresh(ctx, d, it.Row, domains, since); err != nil {
				return err
			}
		}
	}
	return nil
}

// rankOf is db.Ranks.Of for one row: a name takes the better of its own
// rank and its registered domain's; a domain its own.
func rankOf(ctx context.Context, d *db.DB, name, domain string, domains bool) (int32, error) {
	best := int32(0)
	for _, n := range []string{name, domain} {
		r, err := d.RankOf(ctx, n)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return 0, err
		case best == 0 || int32(r.Rank) < best:
			best = int32(r.Rank)
		}
		if domains {
			break
		}
	}
	return best, nil
}

// isFresh is Freshness for one row: a name new since s; a domain whose
// names all are.
func isFresh(ctx context.Context, d *db.DB, r Row, domains bool, s db.Since) (bool, error) {
	if !domains {
		return s.Includes(r.ID, r.First), nil
	}
	ns, err := d.NamesOfDomain(ctx, r.ID)
	if err != nil {
		return false, err
	}
	fresh := 0
	for _, n := range ns {
		if s.Includes(n.ID, n.First) {
			fresh++
		}
	}
	return groupIsNew(fresh, len(ns)), nil
}
