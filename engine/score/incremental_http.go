package score

import (
	"slices"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

// since adds the requests stored since the last pass to what the scorer
// summed (rows: the values that got them, as they stand now), and scores
// again those values, the paths whose few clients include one of their
// clients (a path inherits its scanners' strength) and the clients whose
// own paths another client asked since (their scanner breadth changed),
// with their groups.
func (h *httpScorer) since(p *valuePass, rows []db.NameRow) (rescored, error) {
	var at, added []int
	h.values, h.index, at, added = refresh(h.values, h.index, rows, func(v *httpValue) *value { return &v.value })
	setVerdicts(picked(h.base(), added), record.KindHTTP, subject.Scored, p.rules, p.groups)
	owners := map[int]uint32{} // the paths read, and the client that alone asked each
	var read []uint32
	for _, k := range at {
		switch v := &h.values[k]; v.code() {
		case subject.HTTPPath:
			owners[k] = v.owner()
			read = append(read, v.row.ID)
		case subject.HTTPClient:
			read = append(read, v.row.ID)
		}
	}
	sum := h.details
	h.details = map[uint64]detailUse{} // the requests since, by detail and client
	err := p.events(read, func(name uint32, evs []db.Event) error {
		h.add(name, evs)
		return nil
	})
	fresh := h.details
	h.details = sum
	for key, u := range fresh {
		was := sum[key]
		sum[key] = detailUse{path: u.path, n: was.n + u.n}
	}
	if err != nil {
		return rescored{}, err
	}
	changed := h.relink(at, owners)
	var t targetJudge
	h.judgeDetails(p.details, fresh, func(path int32) judgement { return t.path(h.values[path].row.Name) })
	at = append(at, h.inheritors(changed)...)
	slices.Sort(at)
	at = slices.Compact(at)
	c := h.context(p.context)
	return rescore(h.base(), at, httpWeights, httpGroupSignals[:], c.ScoreContext, h.evidence(c)), nil
}

// owner is the client that alone asked a path (0: none, or several).
func (v *httpValue) owner() uint32 {
	if v.manyClients || v.nclients != 1 {
		return 0
	}
	return v.clients[0]
}

// relink is link for the values at (the paths among them had owners
// before their new requests), and returns the clients whose figures
// changed: those of the client values at, and those that gained or lost
// a path of their own.
func (h *httpScorer) relink(at []int, owners map[int]uint32) map[uint32]bool {
	changed := map[uint32]bool{}
	for k, was := range owners {
		if now := h.values[k].owner(); now != was {
			if was != 0 {
				h.client(was).own--
				changed[was] = true
			}
			if now != 0 {
				h.client(now).own++
				changed[now] = true
			}
		}
	}
	for _, k := range at {
		if v := &h.values[k]; v.code() == subject.HTTPClient && v.client != 0 {
			h.client(v.client).value = int32(k + 1)
			changed[v.client] = true
		}
	}
	return changed
}

// inheritors are the values (indexes) whose evidence comes from the
// clients changed: their client values, and the paths they are among
// the few clients of.
func (h *httpScorer) inheritors(changed map[uint32]bool) []int {
	var out []int
	for id := range changed {
		if c := h.client(id); c.value > 0 {
			out = append(out, int(c.value-1))
		}
	}
	for i := range h.values {
		v := &h.values[i]
		if v.code() != subject.HTTPPath || v.manyClients {
			continue
		}
		if slices.ContainsFunc(v.clients[:v.nclients], func(id uint32) bool { return changed[id] }) {
			out = append(out, i)
		}
	}
	return out
}
