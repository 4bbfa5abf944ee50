package allowlist

import (
	"context"
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
)

// TopOptions choose the rows of TopNames and TopDomains.
type TopOptions struct {
	Limit int             // rows to return; 0: all
	Hide  []rules.Verdict // leave out the rows a rule of these verdicts decides
}

// Judged is a row with the verdict of the rule that decides it; rules.None
// when no rule does.
type Judged[T any] struct {
	Row     T
	Verdict rules.Verdict
}

// firstPage is the smallest page fetched while rows are being hidden.
const firstPage = 1024

// TopNames returns the busiest names with their verdicts, the most
// specific rule deciding each.
func TopNames(ctx context.Context, d *db.DB, opt TopOptions) ([]Judged[db.NameRow], error) {
	rs, err := d.Rules(ctx)
	if err != nil {
		return nil, err
	}
	return top(ctx, rules.NewMatcher(rs), opt, d.TopNames, func(r db.NameRow) string { return r.Name })
}

// TopDomains returns the busiest registered domains with their verdicts: a
// domain's verdict is that of the rule covering the bare domain, so a rule
// on one name below it does not decide it.
func TopDomains(ctx context.Context, d *db.DB, opt TopOptions) ([]Judged[db.DomainRow], error) {
	rs, err := d.Rules(ctx)
	if err != nil {
		return nil, err
	}
	return top(ctx, rules.NewMatcher(rs), opt, d.TopDomains, func(r db.DomainRow) string { return r.Name })
}

// top reads rows busiest first and matches them in Go, which costs one map
// lookup per label, rather than joining rules in SQL. While rows are hidden
// it reads pages that double in size, so a workspace whose busiest names
// are mostly decided still takes a few queries, not one per row.
func top[T any](ctx context.Context, m *rules.Matcher, opt TopOptions,
	page func(ctx context.Context, limit, offset int) ([]T, error), name func(T) string) ([]Judged[T], error) {
	size := opt.Limit
	if size <= 0 || len(opt.Hide) > 0 {
		size = max(firstPage, 2*opt.Limit)
	}
	var out []Judged[T]
	for offset := 0; ; {
		rows, err := page(ctx, size, offset)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			var v rules.Verdict
			if rule, ok := m.Match(name(r)); ok {
				v = rule.Verdict
			}
			if slices.Contains(opt.Hide, v) {
				continue
			}
			out = append(out, Judged[T]{r, v})
			if len(out) == opt.Limit {
				return out, nil
			}
		}
		if len(rows) < size {
			return out, nil
		}
		offset += len(rows)
		size *= 2
	}
}
