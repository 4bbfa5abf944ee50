package ingest

// A kind's subjects are a function of its detail text (when it holds the
// fields exactly), the client and the event's numbers: subject.LogonRecord
// rebuilds every logon subject from those, and an HTTP request's subjects
// read only the fields its detail holds, its client and its status. So a
// record like one seen before (a logon log repeats the same account,
// source and target all day) takes its subjects' ids from a memo, one map
// lookup, where working them out costs an interner lookup per subject:
// seven for a logon.

// memoKey is what a record's subject values are a function of.
type memoKey struct {
	answer, client uint32 // the detail text's and the client's ids
	eventID        uint16
	status         int16
}

// memoEntries is the most records a memo keeps: it is emptied when full,
// so a log of ever new requests costs it a bounded map.
const memoEntries = 1 << 16

// memo holds, per key, the ids of the subject values in the kind's
// subjects' order (those the record has): ids[at[k] : at[k]+n].
type memo struct {
	at  map[memoKey]memoSpan
	ids []uint32
}

type memoSpan struct{ from, n uint32 }

// get returns the ids remembered for k.
func (m *memo) get(k memoKey) ([]uint32, bool) {
	sp, ok := m.at[k]
	if !ok {
		return nil, false
	}
	return m.ids[sp.from : sp.from+sp.n], true
}

// put remembers ids for k.
func (m *memo) put(k memoKey, ids []uint32) {
	if m.at == nil || len(m.at) >= memoEntries {
		m.at, m.ids = make(map[memoKey]memoSpan, 1024), m.ids[:0]
	}
	m.at[k] = memoSpan{uint32(len(m.ids)), uint32(len(ids))}
	m.ids = append(m.ids, ids...)
}
