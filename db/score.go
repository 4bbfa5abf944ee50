package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
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

// ScanNameEvents calls fn for every name that has events, in id order,
// with all of its events sorted by time. The blocks are read in name order
// through the blocks_name index, so one name's events are in memory at a
// time. evs is reused: it is valid only during the call.
func (d *DB) ScanNameEvents(ctx context.Context, fn func(n NameRow, evs []Event) error) error {
	names, err := d.AllNames(ctx)
	if err != nil {
		return err
	}
	rows, err := d.sql.QueryContext(ctx, "SELECT name, source, n, tmin, data FROM blocks ORDER BY name")
	if err != nil {
		return err
	}
	defer rows.Close()
	var evs []Event
	next := 0 // index into names of the name being gathered
	flush := func() error {
		if len(evs) == 0 {
			return nil
		}
		if !slices.IsSortedFunc(evs, byTime) {
			slices.SortStableFunc(evs, byTime)
		}
		err := fn(names[next], evs)
		evs = evs[:0]
		return err
	}
	var data []byte
	for rows.Next() {
		var name, source uint32
		var n int
		var tmin int64
		if err := rows.Scan(&name, &source, &n, &tmin, &data); err != nil {
			return err
		}
		if next < len(names) && names[next].ID != name {
			if err := flush(); err != nil {
				return err
			}
			for next < len(names) && names[next].ID < name {
				next++
			}
		}
		if next >= len(names) || names[next].ID != name {
			continue // a name the aggregates do not count (none after a rebuild)
		}
		if evs, err = decodeBlock(evs, data, n, tmin, name, source); err != nil {
			return fmt.Errorf("block of name %d: %w", name, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// ScoreContext is what the scorer needs besides the events.
type ScoreContext struct {
	Clients     int64  // clients that asked anything
	First, Last int64  // the workspace's span, unix µs
	BaselineMax uint32 // names with a larger id are new since the newest snapshot; 0: no snapshot
	Ranked      []string
}

// ScoreContext returns the workspace figures the scorer needs and up to
// maxRanked names of the imported popularity lists, best rank first.
func (d *DB) ScoreContext(ctx context.Context, maxRanked int) (ScoreContext, error) {
	var c ScoreContext
	err := d.sql.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM clients WHERE count > 0),
		(SELECT coalesce(min(first), 0) FROM names WHERE count > 0),
		(SELECT coalesce(max(last), 0) FROM names WHERE count > 0),
		(SELECT coalesce((SELECT max_name FROM snapshots ORDER BY created DESC LIMIT 1), 0))`).
		Scan(&c.Clients, &c.First, &c.Last, &c.BaselineMax)
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
// left out (known-good now) loses its old score.
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
	for _, set := range []struct {
		subject ScoreSubject
		scores  []Score
	}{{ScoreName, names}, {ScoreDomain, domains}} {
		for _, s := range set.scores {
			why, err := json.Marshal(s.Contribs)
			if err != nil {
				return err
			}
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
