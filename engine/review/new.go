package review

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// NewName is a name new since a snapshot or a time, with its verdict
// (rules.None: no rule decides it) and popularity rank (0: unranked).
type NewName struct {
	db.NameRow
	Verdict rules.Verdict
	Rank    int
}

// News is what is new since a point.
type News struct {
	Since  db.Since
	Names  []NewName // first seen first, at most the limit
	Total  int       // names new since, known-good ones included
	Hidden int       // known-good names left out
}

// NewSince returns the names new since the snapshot or time spec names
// (db.ResolveSince; "": the latest snapshot; a span, "1d", the last of
// the workspace's events: since), at most limit of them (0:
// all). Known-good names are left out unless all: the rules apply as they
// are now, so a rule added now changes the answer at once.
//
// With groups, the groups new since, each a row of its own (Name the
// group): those every value of which is new, as a registered domain none
// of whose names was asked before.
func NewSince(ctx context.Context, d *db.DB, sub subject.Subject, spec string, limit int, all, groups bool) (News, error) {
	var n News
	var err error
	if n.Since, err = since(ctx, d, sub.Code, spec); err != nil {
		return n, err
	}
	names, err := d.NewNames(ctx, sub.Code, n.Since)
	if err == nil && groups {
		names, err = newGroups(ctx, d, sub.Code, names)
	}
	if err != nil {
		return n, err
	}
	rs, err := d.Rules(ctx)
	if err != nil {
		return n, err
	}
	ranks, err := d.Ranks(ctx)
	if err != nil {
		return n, err
	}
	m := rules.NewMatcher(rs, sub.Code)
	n.Total = len(names)
	for _, row := range names {
		var v rules.Verdict
		if r, ok := m.MatchRow(row.Name, row.Domain, groups); ok {
			v = r.Verdict
		}
		if v == rules.Good && !all {
			n.Hidden++
			continue
		}
		if limit > 0 && len(n.Names) >= limit {
			continue
		}
		nn := NewName{NameRow: row, Verdict: v}
		if sub.Hostname {
			nn.Rank = ranks.Of(row)
		}
		n.Names = append(n.Names, nn)
	}
	return n, nil
}

// newGroups are the groups all of whose values are among the new ones,
// first seen first, as rows of their own: Name and Domain the group, no
// name id (its popularity rank is the group's).
func newGroups(ctx context.Context, d *db.DB, code subject.Code, news []db.NameRow) ([]db.NameRow, error) {
	fresh := map[uint32]int64{}
	for _, n := range news {
		fresh[n.DomainID]++
	}
	gs, err := d.AllDomains(ctx, code)
	if err != nil {
		return nil, err
	}
	var out []db.NameRow
	for _, g := range gs {
		if groupIsNew(fresh[g.ID], g.Names) {
			out = append(out, db.NameRow{Kind: g.Kind, Name: g.Name, DomainID: g.ID, Domain: g.Name,
				Count: g.Count, Clients: g.Clients, First: g.First, Last: g.Last})
		}
	}
	slices.SortFunc(out, func(a, b db.NameRow) int {
		return cmp.Or(cmp.Compare(a.First, b.First), strings.Compare(a.Name, b.Name))
	})
	return out, nil
}

// since resolves a --since spec (db.ResolveSince), or a span (1d, 12h,
// ParseSpan) that is no snapshot's name: the last span of the subject's
// data, up to its last event, which for a daily load is the last day and
// for an old log the end of it, where "now" would be years after.
func since(ctx context.Context, d *db.DB, code subject.Code, spec string) (db.Since, error) {
	s, err := d.ResolveSince(ctx, spec)
	if err == nil || spec == "" {
		return s, err
	}
	span, serr := ParseSpan(spec)
	if serr != nil {
		return s, err
	}
	last, serr := d.LastOf(ctx, code)
	if serr != nil {
		return s, serr
	}
	if last == 0 {
		// No value, or none dated: a span before nothing was "since
		// 1969-12-31".
		return s, fmt.Errorf("--since %s is before the last event, and the workspace has no dated %s", spec, subject.Must(code).Title)
	}
	return db.Since{After: last - span.Microseconds()}, nil
}
