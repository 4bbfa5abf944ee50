package db

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/longtail/longtail/engine/subject"
)

// Batch is a run of events from one source, committed in one transaction
// together with the dictionary entries it introduces and the position the
// source was read to: a killed ingest leaves whole batches and resumes after
// the last one.
type Batch struct {
	Source uint32
	Events []Event
	// Also are events stored once more, under other subjects they have.
	Also []Copy
	// Records is how many of the source's events the batch holds: an HTTP
	// request is stored once per subject, and is one record.
	Records int64
	Lines   int64 // the source's position after this batch
	Offset  int64
	// A later read of the source starts parsing at WarmLines/WarmOffset
	// and takes no record from lines before Held when the parser held
	// queries waiting for a response as the batch ended (see
	// parse.Waiter); Held = -1 otherwise.
	Held                  int64
	WarmLines, WarmOffset int64
	Skipped               int64 // lines or packets skipped in this batch
	dict                  dict
}

// Copy is an event stored once more under another subject it has: the
// event at Events[Event], under Name. A request or a logon is one Event
// and a Copy for each of its other subjects: 8 bytes each where a whole
// event is 48, which the parser writes for every record.
type Copy struct {
	Event int32
	Name  uint32
}

// Len is how many events the batch stores, copies included.
func (b *Batch) Len() int { return len(b.Events) + len(b.Also) }

// name is the name of the batch's i-th event, copies after the events.
func (b *Batch) name(i int32) uint32 {
	if int(i) < len(b.Events) {
		return b.Events[i].Name
	}
	return b.Also[int(i)-len(b.Events)].Name
}

// event is the batch's i-th event, copies after the events.
func (b *Batch) event(i int32) Event {
	if int(i) < len(b.Events) {
		return b.Events[i]
	}
	c := b.Also[int(i)-len(b.Events)]
	ev := b.Events[c.Event]
	ev.Name = c.Name
	return ev
}

// nameInfo is what the writer needs to know of a name it did not create.
type nameInfo struct {
	domain  uint32
	prior   int64 // count before this ingest; 0 for a name new to the workspace
	primary bool  // its events count the traffic (subject.Subject.Primary)
	kind    uint8 // its subject's code
}

// isPrimary says whether the events of a subject count the workspace's
// traffic: an HTTP request is stored once per subject, and counted once.
// A code this build does not know counts, as DNS names always did.
func isPrimary(code uint8) bool {
	s, ok := subject.ByCode(subject.Code(code))
	return !ok || s.Primary
}

// Loader writes an ingest run into the workspace. Interner is used by the
// parsing goroutine, Write by one writing goroutine.
type Loader struct {
	d        *DB
	Interner *Interner
	names    []nameInfo // by name id, the writer's own copy
	agg      *aggregator
	order    []int32 // scratch: batch positions grouped by name
	counts   []int32
	run      []Event // scratch: the events of one name
	arena    []byte  // the batch's encoded blocks
	conn     *cConn  // the writer's (cRunner), without automatic checkpoints
	failed   error   // of the batch that failed (Write)
	ckpt     *walCheckpointer
	rebuild  bool // a source was dropped (--force): rebuild instead of adding
	bulkLoad bool // the blocks index was dropped for a first big load
	// unsynced: a first load into a workspace that holds nothing of the
	// analyst's yet (no events, nothing keptQuery finds) writes without
	// syncing (noSync).
	unsynced bool
	// unindexed: the bulk indexes were dropped for a load about as large
	// as the workspace (ExpectLarge); its aggregates still add up.
	unindexed bool
	lock      *ingestLock
	// domainCounts are the domains' counts before the run (for a warm
	// loader's successor); gen is the workspace's generation the run made.
	domainCounts idStats
	gen          int64
}

// ErrIngesting is NewLoader's refusal while another process ingests into
// the workspace (a follow waits for it to finish and reads on).
var ErrIngesting = errors.New("another longtail is ingesting into this workspace; wait for it to finish")

// NewLoader starts an ingest run. Until Finish the workspace is marked
// dirty: if the process dies, the next Open rebuilds the aggregates from the
// committed batches.
func (d *DB) NewLoader(ctx context.Context) (*Loader, error) {
	lock, err := lockIngest(d.path)
	if errors.Is(err, errLocked) {
		return nil, ErrIngesting
	}
	if err != nil {
		return nil, err
	}
	l, err := d.newLoader(ctx)
	if err != nil {
		lock.release()
		return nil, err
	}
	l.lock = lock
	return l, nil
}

func (d *DB) newLoader(ctx context.Context) (*Loader, error) {
	l, err := d.dictionaries(ctx)
	if err != nil {
		return nil, err
	}
	l.agg = newAggregator(func(id uint32) int64 { return l.names[id].prior }, l.domainCounts.count)
	// A loader before this one (we hold the ingest lock: it is gone)
	// committed batches and stopped without its aggregates: this run
	// counts the workspace again at its end, theirs with its own.
	dirty, err := d.metaGet(ctx, "dirty")
	if err != nil {
		return nil, err
	}
	l.rebuild = dirty != ""
	if err := metaSet(ctx, d.sql, "dirty", "ingest"); err != nil {
		return nil, err
	}
	if l.gen, err = nextGeneration(ctx, d.sql); err != nil {
		return nil, err
	}
	var blocks bool
	if err := d.sql.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM blocks)").Scan(&blocks); err != nil {
		return nil, err
	}
	if !blocks {
		// An index built once after the load costs a fraction of keeping
		// it up to date through it.
		if err := d.dropIndexes(ctx); err != nil {
			return nil, err
		}
		l.bulkLoad = true
		var kept bool
		if err := d.sql.QueryRowContext(ctx, keptQuery).Scan(&kept); err != nil {
			return nil, err
		}
		l.unsynced = !kept
	}
	return l, nil
}

// ExpectLarge says that the run adds about as much as the workspace holds
// (a second day's log): its indexes are dropped now and built once at
// Finish, as a first load's are. Kept up to date through the run, the
// blocks' index by name and the names' and groups' by text took every
// block and new name to pages all over them: the writer's time doubled
// on a second day. A screen reading the workspace meanwhile finds its
// drill-downs slow until the ingest ends.
func (l *Loader) ExpectLarge(ctx context.Context) error {
	if l.bulkLoad || l.rebuild {
		return nil // no index to drop, or the aggregates are read again
	}
	if err := l.d.dropIndexes(ctx); err != nil {
		return err
	}
	l.unindexed = true
	return nil
}

// dictionaries returns a loader with the workspace's dictionaries: those
// the last loader of this handle left (KeepWarm) when nothing changed the
// workspace since, read from it otherwise.
func (d *DB) dictionaries(ctx context.Context) (*Loader, error) {
	gen, err := d.generation(ctx)
	if err != nil {
		return nil, err
	}
	if w := d.takeWarm(gen); w != nil {
		return &Loader{d: d, Interner: w.in, names: w.names, domainCounts: w.domains}, nil
	}
	in, infos, err := d.loadInterner(ctx)
	if err != nil {
		return nil, err
	}
	domains, err := d.domainCounts(ctx)
	if err != nil {
		return nil, err
	}
	return &Loader{d: d, Interner: in, names: infos, domainCounts: domains}, nil
}

// StartSource registers a source about to be read. A Source with an ID is
// an earlier read being resumed (its path is updated: a rotated log is read
// on under its new name); one without is inserted.
func (l *Loader) StartSource(ctx context.Context, s Source) (Source, error) {
	now := time.Now().UnixMicro()
	if s.ID != 0 {
		_, err := l.d.sql.ExecContext(ctx, "UPDATE sources SET state = 'loading', path = ?, size = ?, mtime = ?, last_read = ?, format = ? WHERE id = ?",
			s.Path, s.Size, s.Mtime, now, s.Format, s.ID)
		s.State = "loading"
		return s, err
	}
	res, err := l.d.sql.ExecContext(ctx, `INSERT INTO sources(path, format, fingerprint, size, mtime, first_read, last_read, state)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'loading')`, s.Path, s.Format, s.Fingerprint, s.Size, s.Mtime, now, now)
	if err != nil {
		return s, err
	}
	id, err := res.LastInsertId()
	s.ID, s.State = uint32(id), "loading"
	s.FirstRead, s.LastRead = time.UnixMicro(now).UTC(), time.UnixMicro(now).UTC()
	return s, err
}

// DropSource removes a source and its events (a forced re-read). The
// aggregates are rebuilt at Finish.
func (l *Loader) DropSource(ctx context.Context, id uint32) error {
	tx, err := l.d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM blocks WHERE source = ?", id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sources WHERE id = ?", id); err != nil {
		return err
	}
	// The blocks' ids are taken again by the next blocks written (a
	// rowid): an incremental scoring's mark (BlocksMark) no longer says
	// which are new, and Drops tells it.
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('drops', '1')
		ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`); err != nil {
		return err
	}
	l.rebuild = true
	return tx.Commit()
}

// EndSource marks a source read to its end.
func (l *Loader) EndSource(ctx context.Context, id uint32) error {
	_, err := l.d.sql.ExecContext(ctx, "UPDATE sources SET state = 'done', last_read = ? WHERE id = ?", time.Now().UnixMicro(), id)
	return err
}

// Write commits a batch. b.Events may be reused once it returns. After
// a batch that failed it refuses the next: the loader's names and
// aggregates took that batch in before its transaction was rolled back.
func (l *Loader) Write(ctx context.Context, b *Batch) error {
	if l.failed != nil {
		return fmt.Errorf("a batch before failed: %w", l.failed)
	}
	for _, n := range b.dict.names {
		for int(n.id) >= len(l.names) {
			l.names = append(l.names, nameInfo{})
		}
		l.names[n.id] = nameInfo{domain: n.domain, primary: isPrimary(n.kind), kind: n.kind}
	}
	order := l.groupByName(b)
	if l.conn == nil {
		if err := l.openConn(ctx); err != nil {
			return err
		}
	}
	if err := l.ckpt.wait(); err != nil {
		return err
	}
	err := l.writeBatch(ctx, cRunner{l.conn}, b, order)
	if err != nil {
		l.failed = err
		return err
	}
	l.ckpt.start()
	return nil
}

// openConn opens the connection batches are written on, one of SQLite's
// C API (cRunner): through the driver, a batch's block rows took the
// connection's mutex for each of their arguments. It starts the
// checkpoints beside it.
func (l *Loader) openConn(ctx context.Context) error {
	conn, err := openC(l.d.uri, loaderCache, true)
	if err != nil {
		return err
	}
	// A multi-row insert keeps the pages it changes in a statement
	// journal, a temporary file by default: on a second day's load, whose
	// new names land all over the names' indexes, its writes were a fifth
	// of the ingest. One statement's pages are little memory.
	set := []string{"PRAGMA wal_autocheckpoint = 0", "PRAGMA temp_store = MEMORY"}
	if l.unsynced {
		set = append(set, noSync)
	}
	for _, q := range set {
		if err := conn.exec(ctx, q); err != nil {
			conn.close()
			return err
		}
	}
	if l.ckpt, err = startCheckpointer(ctx, l.d.sql, l.unsynced); err != nil {
		conn.close()
		return err
	}
	l.conn = conn
	return nil
}

// loaderCache is the page cache (KiB) of the batches' connection. Its
// writes append blocks and new names, and a large run's indexes are
// built after it (ExpectLarge): with the pool's 16 MB, a second 20M-line
// day took 22.7-24.1 s and 425-439 MB, with 4 MB 22.0-23.1 s and 396-416
// MB (first loads 14.6-16.5 s either way, 20 MB less at their peak).
const loaderCache = 4096

// noSync lets a first load into a new workspace write without waiting for
// the disk. Each batch's checkpoint waited for its fsync, and the writer
// for the checkpoint (the WAL stays one batch long): a Security log's 4.7M
// logons loaded in 8.2-8.6 s with it, 6.7-7.1 s without (web logs 15.3-15.7
// -> 14.3-14.5 s; DNS, whose batches write less a second, within noise).
// A killed load keeps every committed batch, as before: SQLite loses
// nothing to a process that dies, only to a machine that stops before the
// system wrote its cache out, and then only this first load is at risk
// (the file may then be unreadable, not only short of batches): a
// workspace with anything of the analyst's in it (keptQuery) is synced as
// always. Every later load, and whatever follows the first (its
// aggregates and indexes, the checkpoints after), waits for the disk.
const noSync = "PRAGMA synchronous = OFF"

// keptQuery says whether a workspace holds anything the analyst brought
// to it before its first events: rules (marks, an imported list), lists
// of categories, networks or popularity, baseline snapshots. Its first
// load syncs (noSync).
const keptQuery = `SELECT EXISTS (SELECT 1 FROM rules) OR EXISTS (SELECT 1 FROM cat_sources)
	OR EXISTS (SELECT 1 FROM net_sources) OR EXISTS (SELECT 1 FROM ranks) OR EXISTS (SELECT 1 FROM snapshots)`

// writeBatch commits a batch in one transaction on the loader's
// connection.
func (l *Loader) writeBatch(ctx context.Context, r cRunner, b *Batch, order []int32) (err error) {
	if err := r.exec(ctx, "BEGIN IMMEDIATE", nil); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			r.exec(context.WithoutCancel(ctx), "ROLLBACK", nil) // after a cancel too
		}
	}()
	if err := writeDict(ctx, r, &b.dict, !l.bulkLoad && !l.unindexed); err != nil {
		return err
	}
	blocks := newRunnerBulk(ctx, r, "INSERT INTO blocks(name, source, n, tmin, tmax, data) VALUES", "", 6)
	// Each block takes the next id (rowid): the aggregates know the last
	// one before each run (aggregator.lastBlock). Read under the write
	// lock: another process may have written since this loader's last.
	last, err := r.queryInt(ctx, "SELECT coalesce(max(id), 0) FROM blocks")
	if err != nil {
		return err
	}
	l.arena = l.arena[:0]
	for start := 0; start < len(order); {
		name := b.name(order[start])
		run := l.run[:0]
		for ; start < len(order) && b.name(order[start]) == name; start++ {
			run = append(run, b.event(order[start]))
		}
		l.run = run
		if !slices.IsSortedFunc(run, byTime) {
			slices.SortStableFunc(run, byTime)
		}
		l.agg.lastBlock = last
		l.agg.addRun(l.names[name], run)
		for c := 0; c < len(run); c += maxBlockEvents {
			chunk := run[c:min(c+maxBlockEvents, len(run))]
			// Blocks are encoded into one arena per batch: each is
			// copied when it is bound, and a slice per block was
			// a collection's worth of garbage every batch.
			at := len(l.arena)
			l.arena = encodeBlock(l.arena, chunk)
			blocks.add(name, b.Source, len(chunk), chunk[0].Time, chunk[len(chunk)-1].Time, l.arena[at:len(l.arena):len(l.arena)])
			last++
		}
	}
	if err := blocks.flush(); err != nil {
		return fmt.Errorf("writing events: %w", err)
	}
	if err := r.exec(ctx, `UPDATE sources SET lines = ?, offset = ?, held = ?, warm_line = ?, warm_offset = ?,
		events = events + ?, skipped = skipped + ?, last_read = ? WHERE id = ?`,
		named(b.Lines, b.Offset, b.Held, b.WarmLines, b.WarmOffset, b.Records, b.Skipped, time.Now().UnixMicro(), b.Source)); err != nil {
		return err
	}
	return r.exec(ctx, "COMMIT", nil)
}

// named numbers statement arguments for a driver.
func named(vals ...any) []driver.NamedValue {
	out := make([]driver.NamedValue, len(vals))
	for i, v := range vals {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: driverValue(v)}
	}
	return out
}

func byTime(a, b Event) int { return cmp.Compare(a.Time, b.Time) }

// groupByName returns the positions of evs grouped by name, source order
// kept within a name: a counting sort (names are dense integers) in O(n),
// where a comparison sort of a batch costs ~100 ns an event, and without a
// second copy of the batch.
func (l *Loader) groupByName(b *Batch) []int32 {
	n := len(l.names)
	if cap(l.counts) < n+1 {
		l.counts = make([]int32, n+1)
	}
	counts := l.counts[:n+1]
	clear(counts)
	for i := range b.Events {
		counts[b.Events[i].Name+1]++
	}
	for i := range b.Also {
		counts[b.Also[i].Name+1]++
	}
	for i := 1; i <= n; i++ {
		counts[i] += counts[i-1]
	}
	if cap(l.order) < b.Len() {
		l.order = make([]int32, b.Len())
	}
	order := l.order[:b.Len()]
	for i := range int32(b.Len()) {
		k := b.name(i)
		order[counts[k]] = i
		counts[k]++
	}
	return order
}

// writeDict inserts a batch's new dictionary entries. Into indexed tables
// (any load but a first or a large one, which build the indexes after it:
// a day's log into a month's workspace) the names and groups go
// in text order: their text and top-N indexes (a new value's count is 0)
// then take them as one sweep over a few pages, where in id order each
// insert landed on a page of its own, which the page cache no longer held
// once the indexes outgrew it (a second day's dictionary cost seven times
// a first day's).
func writeDict(ctx context.Context, r runner, d *dict, indexed bool) error {
	if indexed {
		byText := func(a, b newName) int { return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(a.kind, b.kind)) }
		slices.SortFunc(d.names, byText)
		slices.SortFunc(d.domains, byText)
	}
	if len(d.domains) > 0 {
		b := newRunnerBulk(ctx, r, "INSERT INTO domains(id, kind, name) VALUES", "", 3)
		for _, e := range d.domains {
			b.add(e.id, e.kind, e.name)
		}
		if err := b.flush(); err != nil {
			return err
		}
	}
	if len(d.names) > 0 {
		b := newRunnerBulk(ctx, r, "INSERT INTO names(id, kind, name, domain) VALUES", "", 4)
		for _, e := range d.names {
			b.add(e.id, e.kind, e.name, e.domain)
		}
		if err := b.flush(); err != nil {
			return err
		}
	}
	for _, t := range []struct {
		head    string
		entries []newText
	}{
		{"INSERT INTO clients(id, addr) VALUES", d.clients},
		{"INSERT INTO answers(id, text) VALUES", d.answers},
	} {
		if len(t.entries) == 0 {
			continue
		}
		b := newRunnerBulk(ctx, r, t.head, "", 2)
		for _, e := range t.entries {
			b.add(e.id, e.text)
		}
		if err := b.flush(); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the workspace's ingest lock. Without a Finish before it,
// the dirty mark stays and the next Open rebuilds the aggregates.
func (l *Loader) Close() {
	l.releaseConn()
	l.lock.release()
	l.lock = nil
}

func (l *Loader) releaseConn() {
	if l.conn != nil {
		l.ckpt.stop()
		l.conn.close()
		l.conn, l.ckpt = nil, nil
	}
}

// Finish writes the aggregates of the run, clears the dirty mark and
// releases the ingest lock.
func (l *Loader) Finish(ctx context.Context) error {
	defer l.Close()
	l.order, l.run, l.counts, l.arena = nil, nil, nil, nil // room for the aggregates
	l.releaseConn()
	if l.rebuild {
		if err := l.d.RebuildAggregates(ctx); err != nil {
			return err
		}
		return l.d.ensureIndexes(ctx) // a bulk load dropped them
	}
	facts := make(chan pairFacts, 1)
	go func() { facts <- l.agg.facts(l.names) }()
	if l.bulkLoad || l.unindexed {
		// The aggregates' updates go by id; the top-N indexes are
		// cheaper to build once after them.
		// name_client's by-client index too: the pairs go in in name
		// order, and keeping an index in client order up to date through
		// them cost more than building it (applyClients does without).
		if err := l.d.ensureIndexes(ctx, aggregateIndexes...); err != nil {
			return err
		}
	}
	// The aggregates of most names and their pairs change with a day's
	// log: the indexes in count and client order cost more kept up to
	// date through those updates than built again after. A follow's read
	// changes a few names of many: building them again would cost it
	// more than the read (0.5 s a read at 137k names).
	l.agg.indexed = !l.bulkLoad && !l.unindexed && l.agg.names.len()*8 < len(l.names)
	if !l.bulkLoad && !l.agg.indexed {
		if err := l.d.dropIndexes(ctx, aggregateIndexes...); err != nil {
			return err
		}
	}
	if err := l.agg.apply(ctx, l.d, l.names, <-facts, l.bulkLoad); err != nil {
		return err
	}
	if err := l.d.ensureIndexes(ctx); err != nil {
		return err
	}
	l.leaveWarm(l.gen)
	return nil
}

// aggregateIndexes are the indexes over what the aggregates update, built
// after them at the end of an ingest.
var aggregateIndexes = []string{"names_top", "domains_top", "name_client_client"}

// domainCounts returns the counts of the domains that have events.
func (d *DB) domainCounts(ctx context.Context) (idStats, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT id, count FROM domains WHERE count > 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out idStats
	for rows.Next() {
		var id uint32
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out.add(id, n, 0, 0)
	}
	return out, rows.Err()
}
