package db

import (
	"hash/maphash"
)

// textTable maps byte strings to the dictionary ids the ingest gives them.
// It is the interner's hot path: every event looks up its name and its
// answers. A Go map[string]uint32 of a million entries cost ~200 ns a hit
// on a 20M-line load (three cache misses: control word, slot, string) and
// made the collector trace a million string pointers at every cycle. Here
// a slot holds the hash, the id and where the text lies in the arena, so a
// hit is two misses, and the slots hold no pointer.
type textTable struct {
	seed  maphash.Seed
	slots []textSlot // open addressing, linear probing; len is a power of two
	// arena holds the texts back to back in chunks that are filled and
	// never grown: one growing slice copied every text again at each
	// doubling, hundreds of megabytes for the detail texts of a web log.
	arena [][]byte
	n     int
}

// textSlot is one entry; id 0 marks an empty slot (0 is no dictionary id).
type textSlot struct {
	at   uint64 // (chunk << chunkBits | offset in it) << textLenBits | length
	hash uint32
	id   uint32
}

const (
	textLenBits = 24
	maxTextLen  = 1<<textLenBits - 1
	// chunkBits bounds a chunk (4 MiB); a longer text has a chunk of its
	// own, where it starts at offset 0.
	chunkBits    = 22
	minChunk     = 4 << 10
	chunkOffMask = 1<<chunkBits - 1
)

func newTextTable() *textTable {
	return &textTable{seed: maphash.MakeSeed(), slots: make([]textSlot, 1024)}
}

func (t *textTable) text(s *textSlot) []byte {
	ref, n := s.at>>textLenBits, s.at&maxTextLen
	chunk, off := ref>>chunkBits, ref&chunkOffMask
	return t.arena[chunk][off : off+n]
}

// lookup returns b's id, or 0 and the slot where it would go.
func (t *textTable) lookup(b []byte) (id uint32, hash uint32, slot int) {
	hash = uint32(maphash.Bytes(t.seed, b))
	mask := len(t.slots) - 1
	for i := int(hash) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.id == 0 {
			return 0, hash, i
		}
		if s.hash == hash && int(s.at&maxTextLen) == len(b) && string(t.text(s)) == string(b) {
			return s.id, hash, i
		}
	}
}

// intern returns b's id, giving it the next one (added) if it has none.
// Texts are cut at 16 MiB; no field of a log line or packet comes near.
func (t *textTable) intern(b []byte, next *uint32) (id uint32, added bool) {
	b = b[:min(len(b), maxTextLen)]
	id, hash, slot := t.lookup(b)
	if id != 0 {
		return id, false
	}
	id = *next
	*next++
	t.insert(slot, hash, b, id)
	return id, true
}

// put enters a text with the id the workspace gave it earlier (never 0,
// which would read as an empty slot).
func (t *textTable) put(b []byte, id uint32) {
	b = b[:min(len(b), maxTextLen)]
	if old, hash, slot := t.lookup(b); old == 0 && id != 0 {
		t.insert(slot, hash, b, id)
	}
}

func (t *textTable) insert(slot int, hash uint32, b []byte, id uint32) {
	ref := t.store(b)
	t.slots[slot] = textSlot{at: ref<<textLenBits | uint64(len(b)), hash: hash, id: id}
	t.n++
	if t.n*4 >= len(t.slots)*3 {
		t.grow()
	}
}

// store copies b into the arena and returns where it lies. Chunks start
// small (a workspace has several tables, most of them tiny) and double up
// to 4 MiB.
func (t *textTable) store(b []byte) uint64 {
	last := len(t.arena) - 1
	if last < 0 || len(t.arena[last])+len(b) > cap(t.arena[last]) {
		size := minChunk
		if last >= 0 {
			size = min(2*cap(t.arena[last]), 1<<chunkBits)
		}
		t.arena = append(t.arena, make([]byte, 0, max(size, len(b))))
		last++
	}
	off := len(t.arena[last])
	t.arena[last] = append(t.arena[last], b...)
	return uint64(last)<<chunkBits | uint64(off)
}

// grow doubles the slots; the stored hashes place the entries again
// without reading their texts.
func (t *textTable) grow() {
	old := t.slots
	t.slots = make([]textSlot, 2*len(old))
	mask := len(t.slots) - 1
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		i := int(s.hash) & mask
		for t.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}
