package db

import "context"

// Interner turns the strings of records into dictionary ids. It belongs to
// the goroutine that parses: lookups of known strings do not allocate, and
// the entries it creates travel to the writer with the batch that first uses
// them (Flush), so both sides keep their own state and share none.
type Interner struct {
	names   *textTable // key: subject code + name
	domains *textTable // key: subject code + group
	clients *textTable
	answers *textTable

	nextName, nextDomain, nextClient, nextAnswer uint32
	pending                                      dict
	key                                          []byte
}

// dict holds dictionary entries not yet written.
type dict struct {
	names   []newName
	domains []newName // domain is unused
	clients []newText
	answers []newText
}

type newName struct {
	id, domain uint32
	kind       uint8
	name       string
}

type newText struct {
	id   uint32
	text string
}

func (d *DB) loadInterner(ctx context.Context) (*Interner, []nameInfo, error) {
	in := &Interner{
		names:   newTextTable(),
		domains: newTextTable(),
		clients: newTextTable(),
		answers: newTextTable(),
	}
	var infos []nameInfo
	var key []byte
	// The dictionaries are read on connections of SQLite's C API (cConn),
	// their texts lent, not copied: through database/sql they were most of
	// the second of a second day's ingest that nothing else overlaps. The
	// names on one, the other three on another beside it: a second day's
	// read took 0.9 s on one core. (Only an ingest adds to them, and we
	// hold the ingest lock: the two reads see the same dictionaries.)
	names := make(chan error, 1)
	nctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		names <- d.withC(func(c *cConn) error {
			return c.each(nctx, "SELECT id, kind, name, domain, count FROM names", nil, func(r cRow) error {
				id, kind := uint32(r.int(0)), uint8(r.int(1))
				key = append(append(key[:0], kind), r.blob(2)...)
				in.names.put(key, id)
				for int(id) >= len(infos) {
					infos = append(infos, nameInfo{})
				}
				infos[id] = nameInfo{domain: uint32(r.int(3)), prior: r.int(4), primary: isPrimary(kind), kind: kind}
				in.nextName = max(in.nextName, id+1)
				return nil
			})
		})
	}()
	err := d.withC(func(c *cConn) error {
		for _, t := range []struct {
			query string
			m     *textTable
			next  *uint32
		}{
			{"SELECT id, char(kind) || name FROM domains", in.domains, &in.nextDomain},
			{"SELECT id, addr FROM clients", in.clients, &in.nextClient},
			{"SELECT id, text FROM answers", in.answers, &in.nextAnswer},
		} {
			if err := loadTexts(ctx, c, t.query, t.m, t.next); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		stop() // the names' read is of no use: it ends at its next row
		<-names
		return nil, nil, err
	}
	if err := <-names; err != nil {
		return nil, nil, err
	}
	// Id 0 means "none" in events (no client, no answer).
	for _, next := range []*uint32{&in.nextName, &in.nextDomain, &in.nextClient, &in.nextAnswer} {
		if *next == 0 {
			*next = 1
		}
	}
	return in, infos, nil
}

// loadTexts enters the ids and texts query selects into t, and the next
// id after them into next.
func loadTexts(ctx context.Context, c *cConn, query string, t *textTable, next *uint32) error {
	return c.each(ctx, query, nil, func(r cRow) error {
		id := uint32(r.int(0))
		t.put(r.blob(1), id)
		*next = max(*next, id+1)
		return nil
	})
}

// Name returns the id of a normalised subject value of a kind (a
// subject.Code), creating it (and its group, which rollUp computes only for
// a new value) if needed.
func (in *Interner) Name(kind uint8, name []byte, rollUp func(string) string) uint32 {
	in.key = append(append(in.key[:0], kind), name...)
	id, added := in.names.intern(in.key, &in.nextName)
	if added {
		s := string(name)
		group := rollUp(s)
		in.key = append(append(in.key[:0], kind), group...)
		dom, added := in.domains.intern(in.key, &in.nextDomain)
		if added {
			in.pending.domains = append(in.pending.domains, newName{id: dom, kind: kind, name: group})
		}
		in.pending.names = append(in.pending.names, newName{id: id, domain: dom, kind: kind, name: s})
	}
	return id
}

// Client returns the id of a client address; 0 for none.
func (in *Interner) Client(addr []byte) uint32 {
	if len(addr) == 0 {
		return 0
	}
	return in.text(in.clients, &in.nextClient, &in.pending.clients, addr)
}

// Answer returns the id of an answer list; 0 for none.
func (in *Interner) Answer(ans []byte) uint32 {
	if len(ans) == 0 {
		return 0
	}
	return in.text(in.answers, &in.nextAnswer, &in.pending.answers, ans)
}

func (in *Interner) text(t *textTable, next *uint32, pending *[]newText, b []byte) uint32 {
	id, added := t.intern(b, next)
	if added {
		*pending = append(*pending, newText{id, string(b)})
	}
	return id
}

// Flush hands the entries created since the last Flush to b.
func (in *Interner) Flush(b *Batch) {
	b.dict = in.pending
	in.pending = dict{}
}
