package list

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/subject"
)

// The list's place — its filters, sort, expanded domains and the name under
// the cursor — is stored in the workspace when the screen ends (SaveState)
// and the list opens there next time: reopening a large workspace should
// not cost the analyst the way back to where they were.

// listState is the stored place.
type listState struct {
	Query  review.Query `json:"query"`
	Name   string       `json:"name,omitempty"` // under the cursor
	Domain bool         `json:"domain,omitempty"`
	// Hint: the hint of the filter keys is still shown (none was used).
	Hint bool `json:"hint,omitempty"`
}

// SaveState stores the list's place in the workspace; nothing before the
// list was shown (it is then still the stored one). Call it when the
// program has ended, not from Update, with a context that outlives the
// screen's (it may have ended on a signal that cancelled it).
func (m *Model) SaveState(ctx context.Context) error {
	if !m.shown || m.c.DB == nil || m.c.DB.ReadOnly() != nil {
		return nil
	}
	st := listState{Query: m.q, Hint: m.hint}
	if r, domain := m.current(); r != nil {
		st.Name, st.Domain = r.Name, domain
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return m.c.DB.SetListState(ctx, string(b))
}

// decodeState reads a stored place; ok is false for none, or one this
// build does not understand (the list then opens as new).
func decodeState(s string) (st listState, ok bool) {
	if s == "" || json.Unmarshal([]byte(s), &st) != nil {
		return st, false
	}
	q := st.Query
	if _, known := subject.ByCode(q.Subject); q.Subject != 0 && !known {
		return st, false
	}
	if q.Sort < 0 || int(q.Sort) >= review.NumSortKeys || q.RareK < 1 ||
		!slices.Contains(topSteps, q.TopN) || !slices.Contains(topSteps, q.RankN) {
		return st, false
	}
	if q.Expanded == nil {
		st.Query.Expanded = map[uint32]bool{}
	}
	return st, true
}

// restore puts the list where a stored place says, before its first
// result; false when there is none to restore.
func (m *Model) restore(s string) bool {
	st, ok := decodeState(s)
	if !ok {
		return false
	}
	m.q, m.hint = st.Query, st.Hint
	if st.Name != "" {
		m.keep = &keepName{name: st.Name, domain: st.Domain}
	}
	return true
}
