package score

import (
	"cmp"
	"context"
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// The incremental pass of the HTTP and logon subjects (see incremental.go
// for what it approximates). Their signals are sums over a client's or a
// source's requests and logons, so the Base keeps the scorers of the
// whole scoring (httpScorer, logonScorer: the clients' paths and 404s,
// the paths' first clients and requests, the logons by source with the
// facts of their details, each source's walk and each account's logons)
// and a pass adds the events stored since to them, then scores the
// values that got events, and those their evidence is inherited by,
// against everything summed so far. A Keeper holds them between passes:
// about what the whole scoring held for the HTTP and logon values.

// valueKinds are the subjects a pass reads the new values of: the scored
// ones of HTTP and logons.
var valueKinds = []subject.Code{subject.HTTPHost, subject.HTTPPath, subject.HTTPAgent, subject.HTTPClient,
	subject.LogonAccount, subject.LogonSource, subject.LogonPair, subject.LogonPassword, subject.LogonCommand}

// valuePass is what the scorers of the HTTP and logon subjects read in a
// pass: the rules, the workspace's figures, the events stored since the
// base, the requests' and logons' details, the groups' texts.
type valuePass struct {
	rules   []rules.Rule
	context db.ScoreContext
	events  func(names []uint32, fn func(name uint32, evs []db.Event) error) error
	details func(ids []uint32, fn func(id uint32, text []byte)) error
	groups  func(ids []uint32) map[uint32]string
}

// rescored is what a pass scored again: the scores, and the ids whose
// stored scores they replace (a known-good value or group has none).
type rescored struct {
	values, groups     []db.Score
	valueIDs, groupIDs []uint32
}

func (r *rescored) add(o rescored) {
	r.values, r.groups = append(r.values, o.values...), append(r.groups, o.groups...)
	r.valueIDs, r.groupIDs = append(r.valueIDs, o.valueIDs...), append(r.groupIDs, o.groupIDs...)
}

// scoreValuesSince scores again the HTTP and logon values that got
// events after from up to to (two db.BlocksMarks) with base's scorers,
// and stores their scores and their groups'. It returns the counts for the Summary: HTTP values and
// groups, logon values, and the values that wait for a whole scoring.
func scoreValuesSince(ctx context.Context, d *db.DB, base *Base, rs []rules.Rule, from, to int64) (web, groups, logons, waiting int, err error) {
	ids, err := d.NamesSince(ctx, valueKinds, from, to)
	if err != nil || len(ids) == 0 {
		return 0, 0, 0, 0, err
	}
	rows, err := d.NameRowsByID(ctx, ids)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	p := &valuePass{rules: rs, context: base.context,
		events: func(names []uint32, fn func(uint32, []db.Event) error) error {
			return d.ScanBlocksBetween(ctx, names, from, to, fn)
		},
		details: func(ids []uint32, fn func(uint32, []byte)) error { return d.EachAnswer(ctx, ids, fn) },
		groups: func(ids []uint32) map[uint32]string {
			m, _ := d.GroupNames(ctx, ids)
			return m
		},
	}
	webRows := slices.DeleteFunc(slices.Clone(rows), func(r db.NameRow) bool { return !scoredOf(record.KindHTTP, r) })
	logonRows := slices.DeleteFunc(rows, func(r db.NameRow) bool { return !scoredOf(record.KindLogon, r) })
	var all rescored
	if len(webRows) > 0 {
		if base.web == nil {
			base.web = newHTTPScorer(nil)
		}
		r, err := base.web.since(p, webRows)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		web, groups = len(r.values), len(r.groups)
		all.add(r)
	}
	if len(logonRows) > 0 {
		if base.logon == nil {
			base.logon = newLogonScorer(nil)
		}
		r, wait, err := base.logon.since(p, logonRows)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		if wait {
			waiting = len(logonRows)
		}
		logons = len(r.values)
		all.add(r)
	}
	return web, groups, logons, waiting, storeRescored(ctx, d, all)
}

// storeRescored puts the scores of r in place of those of its ids.
func storeRescored(ctx context.Context, d *db.DB, r rescored) error {
	if len(r.valueIDs) == 0 && len(r.groupIDs) == 0 {
		return nil
	}
	w, err := d.NewScoreUpdater(ctx, r.valueIDs, r.groupIDs)
	if err != nil {
		return err
	}
	defer w.Rollback()
	byID := func(a, b db.Score) int { return cmp.Compare(a.ID, b.ID) }
	slices.SortFunc(r.values, byID)
	slices.SortFunc(r.groups, byID)
	if err := w.Add(db.ScoreName, r.values); err != nil {
		return err
	}
	if err := w.Add(db.ScoreDomain, r.groups); err != nil {
		return err
	}
	return w.Commit()
}

// refresh puts the rows in place of their values' rows, adding the values
// new since (a zero T with the row), and returns the values, the index
// (name id → 1 + index in values), where the rows' values are and which
// of them are new.
func refresh[T any](vals []T, index []int32, rows []db.NameRow, base func(*T) *value) (_ []T, _ []int32, at, added []int) {
	for _, r := range rows {
		k := -1
		if int(r.ID) < len(index) && index[r.ID] > 0 {
			k = int(index[r.ID]) - 1
		} else {
			var v T
			vals = append(vals, v)
			k = len(vals) - 1
			if int(r.ID) >= len(index) {
				index = slices.Grow(index, int(r.ID)+1-len(index))[:r.ID+1]
			}
			index[r.ID] = int32(k + 1)
			added = append(added, k)
		}
		base(&vals[k]).row = r
		at = append(at, k)
	}
	return vals, index, at, added
}

// picked is the values of vals at indexes at.
func picked(vals []*value, at []int) []*value {
	out := make([]*value, len(at))
	for i, k := range at {
		out[i] = vals[k]
	}
	return out
}

// rescore scores the values of vals at indexes at by their evidence (ev,
// by index in vals), as scoreValues does, and their groups with all
// their values: each takes the strongest evidence of a value as it was
// last scored (those of the group not scored now keep theirs).
func rescore(vals []*value, at []int, weights map[string]float64, groupSignals []string, c db.ScoreContext, ev func(i int) []evidence) rescored {
	var r rescored
	inGroup := map[uint32]bool{}
	for _, i := range at {
		v := vals[i]
		r.valueIDs = append(r.valueIDs, v.row.ID)
		if !inGroup[v.row.DomainID] {
			inGroup[v.row.DomainID] = true
			r.groupIDs = append(r.groupIDs, v.row.DomainID)
		}
		if v.verdict == rules.Good {
			v.ev = nil
			continue
		}
		v.ev = trimZero(ev(i))
		r.values = append(r.values, combineWith(weights, v.row.ID, v.ev))
	}
	var members []*value
	for _, v := range vals {
		if inGroup[v.row.DomainID] {
			members = append(members, v)
		}
	}
	r.groups = groupScores(members, weights, groupSignals, c)
	return r
}
