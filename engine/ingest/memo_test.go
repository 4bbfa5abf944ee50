package ingest

import "testing"

// A memo never holds more than memoEntries records: a log of ever new
// logons empties it and goes on remembering the newest.
func TestMemoIsBounded(t *testing.T) {
	var m memo
	for i := range uint32(memoEntries + 10) {
		m.put(memoKey{answer: i}, []uint32{i, i + 1})
	}
	if len(m.at) > memoEntries || len(m.ids) > 2*memoEntries {
		t.Fatalf("memo holds %d records, %d ids", len(m.at), len(m.ids))
	}
	last := uint32(memoEntries + 9)
	if ids, ok := m.get(memoKey{answer: last}); !ok || len(ids) != 2 || ids[0] != last || ids[1] != last+1 {
		t.Errorf("the newest record: %v %v", ids, ok)
	}
	if _, ok := m.get(memoKey{answer: 1}); ok {
		t.Error("a record from before the memo was emptied is still there")
	}
}
