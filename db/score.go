package db

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/parallel"
)

// Contribution is one signal's share of a score, with its evidence in
// plain words ("1,843 unique subdomains, mean label 52 chars").
type Contribution struct {
	Signal string  `json:"signal"`
	Points float64 `json:"points"`
	Why    string  `json:"why"`
}

// Score is the 0–100 score of a name or registered domain; the points of
// its contributions add up to it.
type Score struct {
	ID       uint32
	Score    float64
	Contribs []Contribution
}

// ScoreSubject says what a score is about.
type ScoreSubject uint8

// Score subjects.
const (
	ScoreName   ScoreSubject = 1
	ScoreDomain ScoreSubject = 2
)

// table is where the subject's scores are kept.
func (s ScoreSubject) table() string {
	if s == ScoreDomain {
		return "domain_scores"
	}
	return "name_scores"
}

// scored is the table of what the scores are of.
func (s ScoreSubject) scored() string {
	if s == ScoreDomain {
		return "domains"
	}
	return "names"
}

// ScoredName is a name with its score, for the ranked list.
type ScoredName struct {
	NameRow
	Score
}

// ScoredDomain is a registered domain with its score.
type ScoredDomain struct {
	DomainRow
	Score
}

// ScoreNames returns the names of every subject that have events, in id
// order, each with its Kind and without its group's text (Domain is
// empty): a narrow read of one table, where AllNames joins the domains
// for every name. One pass serves every kind: names.kind has no index, so
// a query per kind would read the whole table once per kind.
func (d *DB) ScoreNames(ctx context.Context) ([]NameRow, error) {
	return readRows(ctx, d, "names", "SELECT "+scoreNameCols+" FROM names WHERE count > 0 ORDER BY id", nil, nameRow)
}

// scoreNameCols are nameCols without the join: the group's text is empty.
const scoreNameCols = "id, kind, name, domain, '', count, clients, first, last"

// integer is an INTEGER column scanned into an any: database/sql turns an
// int64 into a narrower integer type through its decimal text, which cost
// a sixth of reading the blocks.
func integer(v any) int64 {
	i, _ := v.(int64)
	return i
}

// ScanBlocks calls fn with the events of every block, a block at a time
// (one name, sorted by time), in storage order: a sequential read of the
// table, where reading the blocks by name seeks through the blocks_name
// index once per block. The events carry no Source: the column is not
// read (one in five, of a read that is mostly per-column overhead).
// SQLite reads on a second goroutine while this one decodes and calls
// fn, so the two overlap on two cores, and reads up to readAhead bytes
// ahead of fn (a caller still loading what fn needs loses no time). evs
// is reused: it is valid only during the call.
func (d *DB) ScanBlocks(ctx context.Context, fn func(name uint32, evs []Event) error) error {
	return d.scanBlocks(ctx, "SELECT name, tmin, data FROM blocks", nil, fn)
}

// ScanBlocksOf is ScanBlocks over the blocks of one subject's names only:
// the logon summary reads every logon once through its primary subject
// without decoding the copies stored under the others.
func (d *DB) ScanBlocksOf(ctx context.Context, code subject.Code, fn func(name uint32, evs []Event) error) error {
	return d.scanBlocks(ctx, "SELECT b.name, b.tmin, b.data FROM blocks b JOIN names ON names.id = b.name WHERE names.kind = ?",
		[]any{uint8(code)}, fn)
}

// ScanBlocksOfNames is ScanBlocks over the blocks of the names ids (any
// order), through the blocks' name index: the few names a scorer reads
// again.
func (d *DB) ScanBlocksOfNames(ctx context.Context, ids []uint32, fn func(name uint32, evs []Event) error) error {
	return eachChunk(ids, func(in string, args []any) error {
		return d.scanBlocks(ctx, "SELECT name, tmin, data FROM blocks WHERE name IN ("+in+")", args, fn)
	})
}

// eachChunk calls fn with the placeholders and arguments of ids,
// answerChunk at a time: a statement takes a bounded number of them.
func eachChunk(ids []uint32, fn func(in string, args []any) error) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), answerChunk)]
		ids = ids[len(chunk):]
		if err := fn(placeholders(chunk)); err != nil {
			return err
		}
	}
	return nil
}

// scanBlocks is ScanBlocks over the blocks query selects (name, tmin,
// data), with its args. A block's events are all its data holds: its n
// column is not read. Three goroutines pass the batches on: the reader
// (SQLite), a decoder, and this one, which calls fn: decoding here made
// this goroutine the scan's bound once the reader's driver overhead was
// gone (1.6 CPU-s of decoding and adding against 1.3 of reading, on the
// 20M-event bench workspace).
func (d *DB) scanBlocks(ctx context.Context, query string, args []any, fn func(name uint32, evs []Event) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The reader makes the batches as it needs them, up to cap(free): a
	// scan of a few names (a scorer's reread) uses one or two.
	full := make(chan *blockBatch, readBatches)
	free := make(chan *blockBatch, readBatches)
	go d.readBlocks(ctx, query, args, full, free)
	out, spare := make(chan *decodedBatch, decodedBatches), make(chan *decodedBatch, decodedBatches)
	for range decodedBatches {
		spare <- &decodedBatch{}
	}
	go decodeBatches(ctx, full, free, out, spare)
	for dd := range out {
		start := int32(0) // the blocks before a damaged one are handed over
		for i, name := range dd.names {
			if err := fn(name, dd.evs[start:dd.ends[i]]); err != nil {
				return err
			}
			start = dd.ends[i]
		}
		if dd.err != nil {
			parallel.Reraise(dd.err)
			return dd.err
		}
		spare <- dd
	}
	return ctx.Err()
}

// decodedBatches is how many batches of decoded events a scan holds: a
// batch's events take three times its encoded bytes, so the decoder does
// not read ahead as far as the reader.
const decodedBatches = 3

// decodedBatch is a batch's blocks decoded: block i is names[i]'s events
// evs[ends[i-1]:ends[i]].
type decodedBatch struct {
	names []uint32
	ends  []int32
	evs   []Event
	err   error
}

// decodeBatches decodes the batches that come on full into batches from
// spare, which it sends on out (closed at the end, after an error, or
// when ctx ends), and gives the encoded ones back on free.
func decodeBatches(ctx context.Context, full <-chan *blockBatch, free chan<- *blockBatch, out, spare chan *decodedBatch) {
	defer close(out)
	var panicked error
	defer func() {
		if panicked != nil {
			select {
			case out <- &decodedBatch{err: panicked}:
			case <-ctx.Done():
			}
		}
	}()
	defer parallel.Catch(&panicked)
	for b := range full {
		var dd *decodedBatch
		select {
		case dd = <-spare:
		case <-ctx.Done():
			return
		}
		dd.names, dd.ends, dd.evs = dd.names[:0], dd.ends[:0], dd.evs[:0]
		dd.err = b.err
		if b.err == nil {
			dd.err = dd.decode(b)
		}
		free <- b
		select {
		case out <- dd:
		case <-ctx.Done():
			return
		}
		if dd.err != nil {
			return
		}
	}
}

// decode decodes b's blocks into dd, up to a damaged one.
func (dd *decodedBatch) decode(b *blockBatch) error {
	for i, m := range b.meta {
		data := b.data[m.start:]
		if i+1 < len(b.meta) {
			data = b.data[m.start:b.meta[i+1].start]
		}
		evs, err := decodeBlock(dd.evs, data, -1, m.tmin, m.name, 0)
		if err != nil {
			return fmt.Errorf("block of name %d: %w", m.name, err)
		}
		dd.evs = evs
		dd.names, dd.ends = append(dd.names, m.name), append(dd.ends, int32(len(dd.evs)))
	}
	return nil
}

// blockBatch is a run of blocks copied out of SQLite's buffers: data holds
// their encoded events back to back.
type blockBatch struct {
	meta []blockMeta
	data []byte
	err  error
}

type blockMeta struct {
	name  uint32
	start int
	tmin  int64
}

// batchBytes is about how much encoded data a batch carries; readAhead
// bounds how much the reader gets ahead. 128 MB let it read on while the
// scorer's names loaded, but the batches (each grown past batchBytes)
// were then 200 MB of a 20M-event scoring's peak of 490.
const (
	batchBytes = 256 << 10
	readAhead  = 16 << 20
)

// readBatches is how many batches a scan uses at most (a variable: a test
// makes it few, so that they are used again).
var readBatches = readAhead / batchBytes

// readBlocks fills batches with the blocks query selects (those from
// free, or up to cap(free) new ones) and sends them on full, which it closes when they are read, after an
// error, or when ctx ends.
func (d *DB) readBlocks(ctx context.Context, query string, args []any, full, free chan *blockBatch) {
	defer close(full)
	send := func(b *blockBatch) bool {
		select {
		case full <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	fail := func(err error) { send(&blockBatch{err: err}) }
	// A panic here reaches ScanBlocks as the last batch's error, and goes
	// on there, in its caller's goroutine.
	var panicked error
	defer func() {
		if panicked != nil {
			fail(panicked)
		}
	}()
	defer parallel.Catch(&panicked)
	ints, err := int64Args(args)
	if err != nil {
		fail(err)
		return
	}
	var b *blockBatch
	made := 0
	err = d.readC(ctx, query, ints, func(row cRow) error {
		if b == nil {
			select {
			case b = <-free:
			default:
				if made < cap(free) {
					b = &blockBatch{data: make([]byte, 0, batchBytes+batchBytes/4)}
					made++
					break
				}
				select {
				case b = <-free:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			b.meta, b.data = b.meta[:0], b.data[:0]
		}
		m := blockMeta{name: uint32(row.int(0)), tmin: row.int(1), start: len(b.data)}
		b.meta = append(b.meta, m)
		b.data = append(b.data, row.blob(2)...)
		if len(b.data) >= batchBytes {
			if !send(b) {
				return ctx.Err()
			}
			b = nil
		}
		return nil
	})
	if err != nil {
		if ctx.Err() == nil {
			fail(err)
		}
		return
	}
	if b != nil {
		send(b)
	}
}

// int64Args are a blocks scan's arguments, all integers, as int64s.
func int64Args(args []any) ([]int64, error) {
	out := make([]int64, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case int64:
			out[i] = v
		case int:
			out[i] = int64(v)
		case uint32:
			out[i] = int64(v)
		case uint8:
			out[i] = int64(v)
		default:
			return nil, fmt.Errorf("a blocks scan takes integer arguments, not %T", a)
		}
	}
	return out, nil
}

// scanCache is the page cache (KiB) of a connection that reads a table
// once: its pages are not read again, and the OS caches the file, where
// a pooled connection keeps its 16 MB of cache filled as long as it
// lives: an eighth of a 20M-event workspace's peak memory while scoring.
const scanCache = 2048

// FreeCaches closes the pool's idle connections, and with them the page
// cache each keeps filled (up to 16 MB) after an ingest: a scoring after
// it reads through connections of its own.
func (d *DB) FreeCaches() {
	d.sql.SetMaxIdleConns(0)
	d.sql.SetMaxIdleConns(2) // database/sql's default
}

// RepeatedPairs returns the (client, name) pairs asked minEvents times or
// more, packed as name<<32 | client, for the names of a kind asked by at
// most maxClients clients: the pairs whose rhythm a beacon test can judge.
func (d *DB) RepeatedPairs(ctx context.Context, kind uint8, minEvents, maxClients int64) ([]uint64, error) {
	var out []uint64
	err := d.withC(func(c *cConn) error {
		// The query reads every name of the workspace; a log without
		// clients (the bench's, a resolver that does not log them) has no
		// pair.
		some, err := cRunner{c}.queryInt(ctx, "SELECT EXISTS (SELECT 1 FROM name_client)")
		if err != nil || some == 0 {
			return err
		}
		return c.each(ctx, `SELECT nc.name, nc.client FROM names n JOIN name_client nc ON nc.name = n.id
			WHERE n.kind = ? AND n.count >= ?2 AND n.clients <= ? AND nc.count >= ?2`, []int64{int64(kind), minEvents, maxClients},
			func(r cRow) error {
				out = append(out, pair(r.int(0), r.int(1)))
				return nil
			})
	})
	return out, err
}

// BlocksMark is where the counted events stand: the largest id of the
// blocks the aggregates count. Blocks are appended, each with the next
// id, until a source is dropped for a forced re-read: its blocks' ids are
// then taken again (Drops says when). An ingest commits its blocks batch
// by batch and counts them (its values' rows) at its end: a scoring that
// read its blocks before would find no row for their new values and
// move past them for good, so the mark is the last block counted (meta
// "counted", which the aggregates' commit sets), the largest id in a
// workspace from before it was kept.
func (d *DB) BlocksMark(ctx context.Context) (int64, error) {
	v, err := d.metaGet(ctx, "counted")
	if err != nil || v != "" {
		mark, perr := strconv.ParseInt(v, 10, 64)
		return mark, cmp.Or(err, perr)
	}
	var mark int64
	err = d.sql.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM blocks").Scan(&mark)
	return mark, err
}

// markCounted says in tx that the aggregates count every block written
// (BlocksMark) and that no ingest is under way.
func markCounted(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) SELECT 'counted', coalesce(max(id), 0) FROM blocks WHERE true
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`); err != nil {
		return err
	}
	return metaSet(ctx, tx, "dirty", "")
}

// Drops counts the sources dropped (with their blocks) from the workspace
// so far: a BlocksMark taken before the count changed no longer tells the
// blocks after it.
func (d *DB) Drops(ctx context.Context) (int64, error) {
	v, err := d.metaGet(ctx, "drops")
	if err != nil || v == "" {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// DomainsSince returns the groups (distinct, in id order) of the names
// of a subject that have events stored since mark (BlocksMark), and the
// mark they reach, up to the BlocksMark now: a range of the blocks'
// primary key, read without their data, and the names by theirs.
func (d *DB) DomainsSince(ctx context.Context, kind subject.Code, mark int64) (domains []uint32, to int64, err error) {
	counted, err := d.BlocksMark(ctx)
	if err != nil {
		return nil, mark, err
	}
	rows, err := d.sql.QueryContext(ctx, "SELECT b.id, n.domain, n.kind FROM blocks b JOIN names n ON n.id = b.name WHERE b.id > ? AND b.id <= ? ORDER BY b.id", mark, counted)
	if err != nil {
		return nil, mark, err
	}
	defer rows.Close()
	to = mark
	for rows.Next() {
		var domain uint32
		var k uint8
		if err := rows.Scan(&to, &domain, &k); err != nil {
			return nil, mark, err
		}
		if k == uint8(kind) {
			domains = append(domains, domain)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mark, err
	}
	slices.Sort(domains)
	return slices.Compact(domains), to, nil
}

// ScoreNamesOf is ScoreNames for the names of some domains (groups) only.
func (d *DB) ScoreNamesOf(ctx context.Context, domains []uint32) ([]NameRow, error) {
	return d.scoreNamesIn(ctx, "domain", domains)
}

// scoreNamesIn is ScoreNames for the names whose column (id or domain, a
// name from this package, never from data) is one of ids, in id order.
func (d *DB) scoreNamesIn(ctx context.Context, column string, ids []uint32) ([]NameRow, error) {
	var out []NameRow
	err := eachChunk(ids, func(in string, args []any) error {
		rows, err := scanNames(d.sql.QueryContext(ctx, "SELECT "+scoreNameCols+" FROM names WHERE "+column+" IN ("+in+") AND count > 0", args...))
		out = append(out, rows...)
		return err
	})
	slices.SortFunc(out, func(a, b NameRow) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// DomainsByID returns the domains (groups) of ids that have events.
func (d *DB) DomainsByID(ctx context.Context, ids []uint32) ([]DomainRow, error) {
	var out []DomainRow
	err := eachChunk(ids, func(in string, args []any) error {
		rows, err := scanDomains(d.sql.QueryContext(ctx, "SELECT "+domainCols+" FROM domains WHERE id IN ("+in+") AND count > 0", args...))
		out = append(out, rows...)
		return err
	})
	slices.SortFunc(out, func(a, b DomainRow) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// RepeatedPairsOf is RepeatedPairs for the names of some domains only.
func (d *DB) RepeatedPairsOf(ctx context.Context, domains []uint32, kind uint8, minEvents, maxClients int64) ([]uint64, error) {
	var out []uint64
	err := eachChunk(domains, func(in string, args []any) error {
		rows, err := d.sql.QueryContext(ctx, `SELECT nc.name, nc.client FROM names n JOIN name_client nc ON nc.name = n.id
			WHERE n.domain IN (`+in+`) AND n.kind = ? AND n.count >= ? AND n.clients <= ? AND nc.count >= ?`,
			append(args, kind, minEvents, maxClients, minEvents)...)
		if err == nil {
			out, err = appendPairs(out, rows)
		}
		return err
	})
	return out, err
}

// appendPairs appends the (name, client) rows of a pairs query to out,
// packed, and closes them.
func appendPairs(out []uint64, rows *sql.Rows) ([]uint64, error) {
	defer rows.Close()
	var name, client any
	for rows.Next() {
		if err := rows.Scan(&name, &client); err != nil {
			return nil, err
		}
		out = append(out, pair(integer(name), integer(client)))
	}
	return out, rows.Err()
}

// pair packs a (name, client) pair as RepeatedPairs returns it.
func pair(name, client int64) uint64 { return uint64(name)<<32 | uint64(uint32(client)) }

// ScoreContext is what the scorer needs besides the events.
type ScoreContext struct {
	Clients     int64  // clients that asked a DNS name (web visitors are not the network DNS rarity is of)
	First, Last int64  // the workspace's span, unix µs (ScoreContext leaves it: the caller has the names)
	BaselineMax uint32 // names with a larger id are new since the newest snapshot; 0: no snapshot
	Ranked      []string
}

// ScoreContext returns the workspace figures the scorer needs and up to
// maxRanked names of the imported popularity lists, best rank first.
func (d *DB) ScoreContext(ctx context.Context, maxRanked int) (ScoreContext, error) {
	var c ScoreContext
	err := d.sql.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM clients c WHERE c.count > 0 AND EXISTS (SELECT 1 FROM name_client nc
			JOIN names n ON n.id = nc.name WHERE nc.client = c.id AND n.kind = 1)),
		(SELECT coalesce((SELECT max_name FROM snapshots ORDER BY created DESC LIMIT 1), 0))`).
		Scan(&c.Clients, &c.BaselineMax)
	if err != nil {
		return c, err
	}
	rows, err := d.sql.QueryContext(ctx, "SELECT name FROM ranks ORDER BY rank LIMIT ?", maxRanked)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return c, err
		}
		c.Ranked = append(c.Ranked, s)
	}
	return c, rows.Err()
}

// ClientAddrs returns the addresses of client ids (unknown ids are left out).
func (d *DB) ClientAddrs(ctx context.Context, ids []uint32) (map[uint32]string, error) {
	return d.texts(ctx, "SELECT addr FROM clients WHERE id = ?", ids)
}

// AnswerTexts returns the answer lists of answer ids.
func (d *DB) AnswerTexts(ctx context.Context, ids []uint32) (map[uint32]string, error) {
	return d.texts(ctx, "SELECT text FROM answers WHERE id = ?", ids)
}

// GroupNames returns the texts of group ids (domains rows: a path's
// section, a user agent's family).
func (d *DB) GroupNames(ctx context.Context, ids []uint32) (map[uint32]string, error) {
	return d.texts(ctx, "SELECT name FROM domains WHERE id = ?", ids)
}

// EachAnswer calls fn with the text of each answer id of ids (sorted,
// distinct), in id order; ids not in the table are left out. The HTTP
// scorer reads every request detail this way: a run of ids that is dense
// in the table is read as one range, a sparse one by its ids, answerChunk
// at a time, instead of a statement per id.
func (d *DB) EachAnswer(ctx context.Context, ids []uint32, fn func(id uint32, text []byte)) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), answerChunk)]
		ids = ids[len(chunk):]
		lo, hi := chunk[0], chunk[len(chunk)-1]
		var rows *sql.Rows
		var err error
		if int64(hi)-int64(lo) < 2*int64(len(chunk)) {
			rows, err = d.sql.QueryContext(ctx, "SELECT id, text FROM answers WHERE id BETWEEN ? AND ? ORDER BY id", lo, hi)
		} else {
			in, args := placeholders(chunk)
			rows, err = d.sql.QueryContext(ctx, "SELECT id, text FROM answers WHERE id IN ("+in+") ORDER BY id", args...)
		}
		if err != nil {
			return err
		}
		if err := eachText(rows, chunk, fn); err != nil {
			return err
		}
	}
	return nil
}

const answerChunk = 500

// eachText hands fn the rows whose id is in want (both in id order).
func eachText(rows *sql.Rows, want []uint32, fn func(id uint32, text []byte)) error {
	defer rows.Close()
	var id any
	var text sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &text); err != nil {
			return err
		}
		i := uint32(integer(id))
		for len(want) > 0 && want[0] < i {
			want = want[1:]
		}
		if len(want) > 0 && want[0] == i {
			fn(i, text)
		}
	}
	return rows.Err()
}

func (d *DB) texts(ctx context.Context, query string, ids []uint32) (map[uint32]string, error) {
	out := make(map[uint32]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	st, err := d.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	for _, id := range ids {
		var s string
		switch err := st.QueryRowContext(ctx, id).Scan(&s); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, err
		default:
			out[id] = s
		}
	}
	return out, nil
}

// PutScores replaces every stored score in one transaction: a subject
// left out (known-good now) loses its old score.
func (d *DB) PutScores(ctx context.Context, names, domains []Score) error {
	w, err := d.NewScoreWriter(ctx)
	if err != nil {
		return err
	}
	defer w.Rollback()
	byID := func(s []Score) []Score {
		s = slices.Clone(s)
		slices.SortFunc(s, func(a, b Score) int { return cmp.Compare(a.ID, b.ID) })
		return s
	}
	if err := w.Add(ScoreName, byID(names)); err != nil {
		return err
	}
	if err := w.Add(ScoreDomain, byID(domains)); err != nil {
		return err
	}
	return w.Commit()
}

// ScoreWriter replaces the stored scores, taking them in batches as they
// are computed, so that writing overlaps scoring. Staged (NewScoreWriter),
// the batches go to tables of its connection's temporary database, which
// takes no lock on the workspace: a follow or a capture commits its
// batches meanwhile, and a mark in the review screen never waits. Commit
// then swaps them in with one short write. Direct (NewScoreReplacer), they
// go straight to the workspace's tables. Each subject's scores are fastest
// in increasing id order: each insert then appends to the table's last
// page.
type ScoreWriter struct {
	ctx   context.Context
	conn  *cConn // in a transaction of the staging tables, or of the workspace (direct)
	bulks map[ScoreSubject]*bulk
	why   []byte
	whys  map[string]string // whyText
	// scope, for an update (NewScoreUpdater): the ids whose scores are
	// replaced; nil: all of them.
	scope map[ScoreSubject][]uint32
	// lock, held by a writer that writes in place (NewScoreReplacer)
	// until Rollback: the workspace's ingest lock.
	lock *ingestLock
}

// staged is the temporary table a subject's new scores wait in.
func staged(s ScoreSubject) string { return "temp.staged_" + s.table() }

// NewScoreWriter prepares the staging tables.
func (d *DB) NewScoreWriter(ctx context.Context) (*ScoreWriter, error) {
	return d.newScoreWriter(ctx, nil)
}

// NewScoreReplacer is NewScoreWriter for a process in which nothing else
// writes to the workspace (the command line's score, an ingest's scoring
// once its batches are in): it writes the scores straight into the
// workspace's tables, in one transaction that holds the write lock from
// the first batch to Commit, and saves the staged writer's copy at the
// end (0.4 s of one core on a 20M-event workspace, with nothing left to
// overlap it). It holds the workspace's ingest lock as long, so that an
// ingest or a follow's next cycle in another process waits for it as for
// another ingest (ErrIngesting), not for the write lock past its busy
// timeout; a screen opened meanwhile says another longtail is ingesting.
// While another process ingests, it stages as NewScoreWriter does: that
// ingest's batches do not wait for the scores. A review screen open in
// another process may wait to store a mark for as long as the scores take
// to compute and write (busy_timeout).
func (d *DB) NewScoreReplacer(ctx context.Context) (*ScoreWriter, error) {
	lock, err := lockIngest(d.path)
	if err != nil { // another process ingests, or the lock cannot be made (read-only storage)
		return d.newScoreWriter(ctx, nil)
	}
	w, err := d.newScoreWriter(ctx, lock)
	if err != nil {
		lock.release()
	}
	return w, err
}

// newScoreWriter makes a writer that stages its scores, or with the ingest
// lock held (lock), writes them in place.
func (d *DB) newScoreWriter(ctx context.Context, lock *ingestLock) (*ScoreWriter, error) {
	if d.readOnly != nil {
		return nil, d.readOnly
	}
	// A connection of its own, on SQLite's C API (cRunner), with a small
	// page cache: it writes the temporary tables, then the scores' two
	// tables once.
	conn, err := openC(d.uri, scanCache, true)
	if err != nil {
		return nil, err
	}
	w := &ScoreWriter{ctx: ctx, conn: conn, bulks: map[ScoreSubject]*bulk{}, whys: map[string]string{}, lock: lock}
	if err := w.begin(); err != nil {
		conn.close()
		return nil, err
	}
	for _, s := range []ScoreSubject{ScoreName, ScoreDomain} {
		w.bulks[s] = newRunnerBulk(ctx, cRunner{conn}, "INSERT INTO "+w.target(s)+"(id, score, why) VALUES", "", 3)
	}
	return w, nil
}

// direct says the writer writes in place (NewScoreReplacer).
func (w *ScoreWriter) direct() bool { return w.lock != nil }

// begin opens the writer's transaction: of the workspace, emptied of
// its scores, for a direct writer; of the staging tables, which it makes
// or empties, otherwise.
func (w *ScoreWriter) begin() error {
	if w.direct() {
		if err := beginImmediate(w.ctx, w.conn); err != nil {
			return err
		}
		for _, s := range []ScoreSubject{ScoreName, ScoreDomain} {
			if err := w.conn.exec(w.ctx, "DELETE FROM main."+s.table()); err != nil {
				w.conn.exec(context.WithoutCancel(w.ctx), "ROLLBACK")
				return err
			}
		}
		return nil
	}
	for _, s := range []ScoreSubject{ScoreName, ScoreDomain} {
		if err := w.conn.exec(w.ctx, "CREATE TEMP TABLE "+strings.TrimPrefix(staged(s), "temp.")+
			"(id INTEGER PRIMARY KEY, score REAL NOT NULL, why TEXT NOT NULL)"); err != nil {
			return err
		}
	}
	// Deferred, not the immediate transactions of the pool's: it writes
	// nothing to the workspace.
	return w.conn.exec(w.ctx, "BEGIN")
}

// target is the table a subject's scores are inserted into.
func (w *ScoreWriter) target(s ScoreSubject) string {
	if w.direct() {
		return "main." + s.table()
	}
	return staged(s)
}

// beginImmediate takes the workspace's write lock. A large ingest's
// aggregates may hold it past the busy timeout: scores, computed or
// being computed, are worth a few waits more.
func beginImmediate(ctx context.Context, conn *cConn) error {
	var err error
	for range 3 {
		if err = conn.exec(ctx, "BEGIN IMMEDIATE"); err == nil || ctx.Err() != nil {
			break
		}
	}
	return err
}

// maxWhys bounds the distinct words ScoreWriter keeps one string of.
const maxWhys = 1 << 14

// whyText is the text of w.why, one string for words written before: the
// long tail's contributions are few distinct arrays ("[]", a new name's
// 0.1 points), 4,515 of them for 361K names of the bench workspace.
func (w *ScoreWriter) whyText() string {
	if t, ok := w.whys[string(w.why)]; ok {
		return t
	}
	t := string(w.why)
	if len(w.whys) < maxWhys && len(t) <= 256 {
		w.whys[t] = t
	}
	return t
}

// NewScoreUpdater is NewScoreWriter for the scores of some names and
// domains only: Commit replaces theirs (one left without a new score
// loses its old one) and leaves the others', and the time of the last
// whole scoring, as they are.
func (d *DB) NewScoreUpdater(ctx context.Context, names, domains []uint32) (*ScoreWriter, error) {
	w, err := d.NewScoreWriter(ctx)
	if err != nil {
		return nil, err
	}
	w.scope = map[ScoreSubject][]uint32{ScoreName: names, ScoreDomain: domains}
	return w, nil
}

// Add queues scores of a subject.
func (w *ScoreWriter) Add(subject ScoreSubject, scores []Score) error {
	b := w.bulks[subject]
	for _, s := range scores {
		w.why = appendContribs(w.why[:0], s.Contribs)
		b.add(s.ID, s.Score, w.whyText())
	}
	return b.err
}

// Commit writes what is queued and puts the scores in place of the stored
// ones, in one transaction that waits for the workspace's write lock.
func (w *ScoreWriter) Commit() error {
	defer w.Rollback()
	for _, s := range []ScoreSubject{ScoreName, ScoreDomain} {
		if err := w.bulks[s].flush(); err != nil {
			return fmt.Errorf("%s: %w", s.table(), err)
		}
	}
	if !w.direct() {
		if err := w.conn.exec(w.ctx, "COMMIT"); err != nil {
			return err
		}
		if err := beginImmediate(w.ctx, w.conn); err != nil {
			return err
		}
	}
	if err := w.swap(); err != nil {
		w.conn.exec(context.WithoutCancel(w.ctx), "ROLLBACK")
		return err
	}
	return w.conn.exec(w.ctx, "COMMIT")
}

// swap replaces the stored scores with the staged ones, in the
// transaction Commit opened (a direct writer's are in place).
func (w *ScoreWriter) swap() error {
	if w.scope != nil {
		return w.update()
	}
	if !w.direct() {
		if err := w.copyStaged(); err != nil {
			return err
		}
	}
	return metaSet(w.ctx, w.conn, "scored", strconv.FormatInt(time.Now().UnixMicro(), 10))
}

// copyStaged puts the staged scores in place of the stored ones.
func (w *ScoreWriter) copyStaged() error {
	for _, s := range []ScoreSubject{ScoreName, ScoreDomain} {
		if err := w.conn.exec(w.ctx, "DELETE FROM main."+s.table()); err != nil {
			return err
		}
		if err := w.conn.exec(w.ctx, "INSERT INTO main."+s.table()+"(id, score, why) SELECT id, score, why FROM "+
			staged(s)+" ORDER BY id"); err != nil {
			return err
		}
	}
	return nil
}

// update replaces the scores of the writer's scope with the staged ones.
func (w *ScoreWriter) update() error {
	for _, s := range []ScoreSubject{ScoreName, ScoreDomain} {
		if err := w.deleteScope(s); err != nil {
			return err
		}
		if err := w.conn.exec(w.ctx, "INSERT OR REPLACE INTO main."+s.table()+"(id, score, why) SELECT id, score, why FROM "+
			staged(s)+" ORDER BY id"); err != nil {
			return err
		}
	}
	return metaSet(w.ctx, w.conn, "rescored", strconv.FormatInt(time.Now().UnixMicro(), 10))
}

// deleteScope deletes the stored scores of subject s the writer replaces.
func (w *ScoreWriter) deleteScope(s ScoreSubject) error {
	del, err := cRunner{w.conn}.prepare(w.ctx, "DELETE FROM main."+s.table()+" WHERE id = ?")
	if err != nil {
		return err
	}
	defer del.close()
	arg := []driver.NamedValue{{Ordinal: 1}}
	for _, id := range w.scope[s] {
		arg[0].Value = int64(id)
		if err := del.exec(w.ctx, arg); err != nil {
			return err
		}
	}
	return nil
}

// Rollback abandons the writes, and closes the connection, and with it
// the staging tables (after Commit, it only closes the connection).
func (w *ScoreWriter) Rollback() {
	if w.conn == nil {
		return
	}
	for _, b := range w.bulks { // the statements of a bulk left unflushed
		if b.full != nil {
			b.full.close()
			b.full = nil
		}
	}
	// Closing rolls back a transaction left open.
	w.conn.close()
	w.conn = nil
	w.lock.release()
}

// BriefWhy, when set (engine/score sets it), gives a signal's words in
// brief for the contributions stored without their own: the long tail
// scores too low to be worth writing words for each (see appendContribs),
// yet every contribution read back says why.
var BriefWhy func(signal string) string

// decodeContribs reads the contributions appendContribs wrote.
func decodeContribs(why string) ([]Contribution, error) {
	var cs []Contribution
	if err := json.Unmarshal([]byte(why), &cs); err != nil {
		return nil, err
	}
	for i := range cs {
		if cs[i].Why == "" && BriefWhy != nil {
			cs[i].Why = BriefWhy(cs[i].Signal)
		}
	}
	return cs, nil
}

// appendContribs writes the contributions as a JSON array that
// json.Unmarshal reads back, without encoding/json's reflection: a third
// of the time of storing a workspace's scores went to json.Marshal.
func appendContribs(dst []byte, cs []Contribution) []byte {
	dst = append(dst, '[')
	for i, c := range cs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"signal":`...)
		dst = appendJSONString(dst, c.Signal)
		dst = append(dst, `,"points":`...)
		dst = strconv.AppendFloat(dst, c.Points, 'f', -1, 64)
		// Most of the long tail scores too low to be explained in words:
		// an absent why reads back as "".
		if c.Why != "" {
			dst = append(dst, `,"why":`...)
			dst = appendJSONString(dst, c.Why)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendJSONString quotes s for JSON; invalid UTF-8 (a name can hold any
// byte) becomes U+FFFD, as encoding/json writes it.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r < 0x20:
			dst = append(dst, `\u00`...)
			dst = append(dst, hexDigits[r>>4], hexDigits[r&0xf])
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// ScoredAt is when the scores were last stored (zero: never).
func (d *DB) ScoredAt(ctx context.Context) (time.Time, error) {
	return d.metaTime(ctx, "scored")
}

// ScoringInputsChangedAt is when a rule was last removed or put back (an
// undo), or a rank list or an AS table imported or cleared: scores computed before then
// may rank names the workspace no longer calls normal, or miss ones it
// does. (A rule added or replaced carries its own time.)
func (d *DB) ScoringInputsChangedAt(ctx context.Context) (time.Time, error) {
	return d.metaTime(ctx, "inputs_changed")
}

// scoringInputsChanged records, in the transaction making the change, that
// the scores' inputs changed now.
func scoringInputsChanged(ctx context.Context, x execer) error {
	return metaSet(ctx, x, "inputs_changed", strconv.FormatInt(time.Now().UnixMicro(), 10))
}

// ScoresStoredAt is when scores were last stored: by a whole scoring
// (ScoredAt) or by an incremental pass over what changed (a follow's
// Keeper), which a screen reading the scores must see too.
func (d *DB) ScoresStoredAt(ctx context.Context) (time.Time, error) {
	whole, err := d.metaTime(ctx, "scored")
	if err != nil {
		return whole, err
	}
	pass, err := d.metaTime(ctx, "rescored")
	if pass.After(whole) {
		return pass, err
	}
	return whole, err
}

// metaTime reads a time stored in meta as unix µs; zero when none is.
func (d *DB) metaTime(ctx context.Context, key string) (time.Time, error) {
	v, err := d.metaGet(ctx, key)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	us, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("meta %s: %w", key, err)
	}
	return time.UnixMicro(us).UTC(), nil
}

// Scores returns every stored score of a subject kind by id, without the
// contributions: what a list's score column needs.
func (d *DB) Scores(ctx context.Context, subject ScoreSubject) (map[uint32]float64, error) {
	out := make(map[uint32]float64)
	err := d.readC(ctx, "SELECT id, score FROM "+subject.table(), nil, func(r cRow) error {
		out[uint32(r.int(0))] = r.real(1)
		return nil
	})
	return out, err
}

// ScoreOf returns one subject's score with its contributions (the "why"
// panel); ErrNotFound when it has none.
func (d *DB) ScoreOf(ctx context.Context, subject ScoreSubject, id uint32) (Score, error) {
	s := Score{ID: id}
	var why string
	err := d.sql.QueryRowContext(ctx, "SELECT score, why FROM "+subject.table()+" WHERE id = ?", id).Scan(&s.Score, &why)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, err
	}
	s.Contribs, err = decodeContribs(why)
	return s, err
}

// ranked reads the limit best-scored rows of one kind's subjects: read
// reads the rows of the kind at or above a floor, highest first, at most
// limit, and says how many it read. The scores are of every kind's
// subjects and have no index (see 002_scores.sql): the floor is the n-th
// best score of every kind, from the scores alone, at or above the kind's
// own, n doubling until the kind has limit rows above it. Joined to their
// subjects for the kind first, the scores of 200k domains took 0.5 s;
// read's joins are CROSS, which SQLite takes as the order to read in:
// scores first, from the floor, not every subject of the kind by its text
// index looking up its score (2 s on 360k names).
func (d *DB) ranked(ctx context.Context, of ScoreSubject, limit int, read func(floor float64) (int, error)) error {
	if limit <= 0 {
		_, err := read(-1)
		return err
	}
	for n := limit; ; n *= 2 {
		floor := -1.0 // fewer rows than n: all of them
		// table() is one of two constants.
		err := d.sql.QueryRowContext(ctx, "SELECT score FROM "+of.table()+" ORDER BY score DESC LIMIT 1 OFFSET ?", n-1).Scan(&floor)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		got, err := read(floor)
		if err != nil || got >= limit || floor < 0 {
			return err
		}
	}
}

// TopScoredNames returns the best-scored names of a subject, highest first
// (ties by count).
func (d *DB) TopScoredNames(ctx context.Context, kind subject.Code, limit int) (out []ScoredName, err error) {
	err = d.ranked(ctx, ScoreName, limit, func(floor float64) (int, error) {
		out, err = d.scoredNames(ctx, kind, floor, limit)
		return len(out), err
	})
	return out, err
}

func (d *DB) scoredNames(ctx context.Context, kind subject.Code, floor float64, limit int) ([]ScoredName, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT "+nameCols+", s.score, s.why FROM name_scores s CROSS JOIN names n ON n.id = s.id "+
		"JOIN domains d ON d.id = n.domain WHERE s.score >= ? AND n.kind = ? ORDER BY s.score DESC, n.count DESC, n.name LIMIT ?", floor, kind, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ScoredName
	for rows.Next() {
		var r ScoredName
		var why string
		if err := rows.Scan(&r.NameRow.ID, &r.Kind, &r.Name, &r.DomainID, &r.Domain, &r.Count, &r.Clients, &r.First, &r.Last, &r.Score.Score, &why); err != nil {
			return nil, err
		}
		r.Score.ID = r.NameRow.ID
		var err error
		if r.Contribs, err = decodeContribs(why); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TopScoredDomains returns the best-scored groups of a subject (registered
// domains of DNS names), highest first.
func (d *DB) TopScoredDomains(ctx context.Context, kind subject.Code, limit int) (out []ScoredDomain, err error) {
	err = d.ranked(ctx, ScoreDomain, limit, func(floor float64) (int, error) {
		out, err = d.scoredDomains(ctx, kind, floor, limit)
		return len(out), err
	})
	return out, err
}

func (d *DB) scoredDomains(ctx context.Context, kind subject.Code, floor float64, limit int) ([]ScoredDomain, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT d.id, d.name, d.count, d.clients, d.names, d.first, d.last, s.score, s.why "+
		"FROM domain_scores s CROSS JOIN domains d ON d.id = s.id WHERE s.score >= ? AND d.kind = ? ORDER BY s.score DESC, d.count DESC, d.name LIMIT ?", floor, kind, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ScoredDomain
	for rows.Next() {
		var r ScoredDomain
		var why string
		if err := rows.Scan(&r.DomainRow.ID, &r.Name, &r.Count, &r.Clients, &r.Names, &r.First, &r.Last, &r.Score.Score, &why); err != nil {
			return nil, err
		}
		r.Score.ID = r.DomainRow.ID
		var err error
		if r.Contribs, err = decodeContribs(why); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
