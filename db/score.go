package db

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
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

// Score subjects, as stored.
const (
	ScoreName   ScoreSubject = 1
	ScoreDomain ScoreSubject = 2
)

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

// ScoreNames returns the names of a kind that have events, in id order,
// without their registered domain's text (Domain is empty): a narrow
// read of one table, where AllNames joins the domains for every name.
func (d *DB) ScoreNames(ctx context.Context, kind uint8) ([]NameRow, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT id, name, domain, count, clients, first, last FROM names WHERE kind = ? AND count > 0 ORDER BY id", kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NameRow
	for rows.Next() {
		r := NameRow{Kind: kind}
		if err := rows.Scan(&r.ID, &r.Name, &r.DomainID, &r.Count, &r.Clients, &r.First, &r.Last); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ScanBlocks calls fn with the events of every block, a block at a time
// (one name, sorted by time), in storage order: a sequential read of the
// table, where reading the blocks by name seeks through the blocks_name
// index once per block. SQLite reads on a second goroutine while this one
// decodes and calls fn, so the two overlap on two cores, and reads up to
// readAhead bytes ahead of fn (a caller still loading what fn needs loses
// no time). evs is reused: it is valid only during the call.
func (d *DB) ScanBlocks(ctx context.Context, fn func(name uint32, evs []Event) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	full := make(chan *blockBatch, readAhead/batchBytes)
	free := make(chan *blockBatch, readAhead/batchBytes)
	for range cap(free) {
		free <- new(blockBatch)
	}
	go d.readBlocks(ctx, full, free)
	var evs []Event
	for b := range full {
		if b.err != nil {
			return b.err
		}
		for i, m := range b.meta {
			data := b.data[m.start:]
			if i+1 < len(b.meta) {
				data = b.data[m.start:b.meta[i+1].start]
			}
			var err error
			if evs, err = decodeBlock(evs[:0], data, m.n, m.tmin, m.name, m.source); err != nil {
				return fmt.Errorf("block of name %d: %w", m.name, err)
			}
			if err := fn(m.name, evs); err != nil {
				return err
			}
		}
		free <- b
	}
	return ctx.Err()
}

// blockBatch is a run of blocks copied out of SQLite's buffers: data holds
// their encoded events back to back.
type blockBatch struct {
	meta []blockMeta
	data []byte
	err  error
}

type blockMeta struct {
	name, source uint32
	n, start     int
	tmin         int64
}

// batchBytes is about how much encoded data a batch carries; readAhead
// bounds how much the reader gets ahead (about 10% of a 20M-event
// workspace's blocks).
const (
	batchBytes = 256 << 10
	readAhead  = 32 << 20
)

// readBlocks fills the batches from free and sends them on full, which it
// closes when the table is read, after an error, or when ctx ends.
func (d *DB) readBlocks(ctx context.Context, full, free chan *blockBatch) {
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
	rows, err := d.sql.QueryContext(ctx, "SELECT name, source, n, tmin, data FROM blocks")
	if err != nil {
		fail(err)
		return
	}
	defer rows.Close()
	var b *blockBatch
	var data sql.RawBytes
	for rows.Next() {
		if b == nil {
			select {
			case b = <-free:
			case <-ctx.Done():
				return
			}
			b.meta, b.data = b.meta[:0], b.data[:0]
		}
		var m blockMeta
		if err := rows.Scan(&m.name, &m.source, &m.n, &m.tmin, &data); err != nil {
			fail(err)
			return
		}
		m.start = len(b.data)
		b.meta = append(b.meta, m)
		b.data = append(b.data, data...)
		if len(b.data) >= batchBytes {
			if !send(b) {
				return
			}
			b = nil
		}
	}
	if err := rows.Err(); err != nil {
		fail(err)
		return
	}
	if b != nil {
		send(b)
	}
}

// RepeatedPairs returns the (client, name) pairs asked minEvents times or
// more, packed as name<<32 | client, for the names of a kind asked by at
// most maxClients clients: the pairs whose rhythm a beacon test can judge.
func (d *DB) RepeatedPairs(ctx context.Context, kind uint8, minEvents, maxClients int64) ([]uint64, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT nc.name, nc.client FROM names n JOIN name_client nc ON nc.name = n.id
		WHERE n.kind = ? AND n.count >= ?2 AND n.clients <= ? AND nc.count >= ?2`, kind, minEvents, maxClients)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []uint64
	for rows.Next() {
		var name, client uint32
		if err := rows.Scan(&name, &client); err != nil {
			return nil, err
		}
		out = append(out, uint64(name)<<32|uint64(client))
	}
	return out, rows.Err()
}

// ScoreContext is what the scorer needs besides the events.
type ScoreContext struct {
	Clients     int64  // clients that asked anything
	First, Last int64  // the workspace's span, unix µs (ScoreContext leaves it: the caller has the names)
	BaselineMax uint32 // names with a larger id are new since the newest snapshot; 0: no snapshot
	Ranked      []string
}

// ScoreContext returns the workspace figures the scorer needs and up to
// maxRanked names of the imported popularity lists, best rank first.
func (d *DB) ScoreContext(ctx context.Context, maxRanked int) (ScoreContext, error) {
	var c ScoreContext
	err := d.sql.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM clients WHERE count > 0),
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
// left out (known-good now) loses its old score. The rows go in key
// order, so the table grows at its end instead of splitting pages all
// over.
func (d *DB) PutScores(ctx context.Context, names, domains []Score) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM scores"); err != nil {
		return err
	}
	b := newBulk(ctx, tx, "INSERT INTO scores(subject, id, score, why) VALUES", "", 4)
	var why []byte
	for _, set := range []struct {
		subject ScoreSubject
		scores  []Score
	}{{ScoreName, names}, {ScoreDomain, domains}} {
		byID := slices.Clone(set.scores)
		slices.SortFunc(byID, func(a, b Score) int { return cmp.Compare(a.ID, b.ID) })
		for _, s := range byID {
			why = appendContribs(why[:0], s.Contribs)
			b.add(int64(set.subject), s.ID, s.Score, string(why))
		}
	}
	if err := b.flush(); err != nil {
		return fmt.Errorf("scores: %w", err)
	}
	if err := metaSet(ctx, tx, "scored", strconv.FormatInt(time.Now().UnixMicro(), 10)); err != nil {
		return err
	}
	return tx.Commit()
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
	v, err := d.metaGet(ctx, "scored")
	if err != nil || v == "" {
		return time.Time{}, err
	}
	us, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("meta scored: %w", err)
	}
	return time.UnixMicro(us).UTC(), nil
}

// Scores returns every stored score of a subject kind by id, without the
// contributions: what a list's score column needs.
func (d *DB) Scores(ctx context.Context, subject ScoreSubject) (map[uint32]float64, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT id, score FROM scores WHERE subject = ?", subject)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[uint32]float64)
	for rows.Next() {
		var id uint32
		var s float64
		if err := rows.Scan(&id, &s); err != nil {
			return nil, err
		}
		out[id] = s
	}
	return out, rows.Err()
}

// ScoreOf returns one subject's score with its contributions (the "why"
// panel); ErrNotFound when it has none.
func (d *DB) ScoreOf(ctx context.Context, subject ScoreSubject, id uint32) (Score, error) {
	s := Score{ID: id}
	var why string
	err := d.sql.QueryRowContext(ctx, "SELECT score, why FROM scores WHERE subject = ? AND id = ?", subject, id).Scan(&s.Score, &why)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal([]byte(why), &s.Contribs)
}

// TopScoredNames returns the best-scored names, highest first (ties by count).
func (d *DB) TopScoredNames(ctx context.Context, limit int) ([]ScoredName, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT "+nameCols+", s.score, s.why FROM scores s JOIN names n ON n.id = s.id "+
		"JOIN domains d ON d.id = n.domain WHERE s.subject = ? ORDER BY s.score DESC, n.count DESC, n.name LIMIT ?", ScoreName, limit)
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
		if err := json.Unmarshal([]byte(why), &r.Contribs); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TopScoredDomains returns the best-scored registered domains, highest first.
func (d *DB) TopScoredDomains(ctx context.Context, limit int) ([]ScoredDomain, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT d.id, d.name, d.count, d.clients, d.names, d.first, d.last, s.score, s.why "+
		"FROM scores s JOIN domains d ON d.id = s.id WHERE s.subject = ? ORDER BY s.score DESC, d.count DESC, d.name LIMIT ?", ScoreDomain, limit)
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
		if err := json.Unmarshal([]byte(why), &r.Contribs); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
