package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/longtail/longtail/engine/subject"
)

// SeriesMin is the count from which a name or domain keeps stored hourly
// buckets. Below it, its series is cheaper to compute from its few events
// than to store for the hundreds of thousands of rare names.
const SeriesMin = 1000

const (
	microsPerMinute = 60_000_000
	microsPerHour   = 3_600_000_000
)

// stat is a count with the first and last time it covers.
type stat struct{ count, first, last int64 }

func (s stat) merge(n, first, last int64) stat {
	if s.count == 0 {
		return stat{n, first, last}
	}
	return stat{s.count + n, minKnown(s.first, first), max(s.last, last)}
}

// minKnown is the smaller of a and b where 0 means none: a rank not
// given, a time not dated. A first seen of 0 is an undated event (a list
// of names, a log that gives no time), the first seen only while nothing
// dated is: the minimum made a name with one undated event first seen in
// 1970 however many dated ones it had.
func minKnown[T int | int64](a, b T) T {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

// firstDatedSQL is minKnown of the column col and the value v.
func firstDatedSQL(col, v string) string {
	return "CASE WHEN " + col + " = 0 THEN " + v + " WHEN " + v + " = 0 THEN " + col + " ELSE min(" + col + ", " + v + ") END"
}

// idStats holds a stat per dictionary id. Ids are dense, and every batch
// touches most names: a slice indexed by id costs one cache miss where a
// map cost several.
type idStats []stat

func (s *idStats) add(id uint32, n, first, last int64) {
	if int(id) >= len(*s) {
		*s = append(*s, make([]stat, int(id)+1-len(*s))...)
	}
	(*s)[id] = (*s)[id].merge(n, first, last)
}

func (s idStats) count(id uint32) int64 {
	if int(id) < len(s) {
		return s[id].count
	}
	return 0
}

// len is how many ids have events.
func (s idStats) len() int {
	n := 0
	for _, st := range s {
		if st.count > 0 {
			n++
		}
	}
	return n
}

// all yields the ids with events, in order.
func (s idStats) all() iter.Seq2[uint32, stat] {
	return func(yield func(uint32, stat) bool) {
		for id, st := range s {
			if st.count > 0 && !yield(uint32(id), st) {
				return
			}
		}
	}
}

// aggregator folds the events of an ingest run into the deltas the
// aggregate tables get at the end of it.
type aggregator struct {
	names       idStats
	domains     idStats
	pairs       map[uint64]stat  // name<<32 | client
	minutes     map[int64]int64  // workspace traffic by minute
	nameHours   map[uint64]int64 // name<<32 | hour
	domainHours map[uint64]int64 // domain<<32 | hour
	clientHours map[uint64]int64 // client<<32 | hour
	local       map[uint32]stat  // scratch: clients of one run

	// Hourly buckets are only kept for subjects that are popular
	// (SeriesMin) by the end of a run. A subject is counted by the hour
	// from the run of events that makes it popular; one that had earlier
	// events in this ingest or before gets those counted from its blocks
	// at the end (backfill), which is bounded: it had fewer than SeriesMin
	// then. The backfill maps hold, for each such subject, the last block
	// written before that run (lastBlock then): its later events are
	// counted already, and only the blocks up to it are read.
	namePrior, domainPrior         func(uint32) int64
	backfillNames, backfillDomains map[uint32]int64
	// lastBlock is the id of the last block written before the run being
	// added (the writer sets it: block ids grow by one a block).
	lastBlock int64

	// indexed says the indexes over the aggregates are kept through the
	// updates (a run that touched few names): a client's names are
	// counted by its index, not by a pass over every pair.
	indexed bool
}

func newAggregator(namePrior, domainPrior func(uint32) int64) *aggregator {
	return &aggregator{
		namePrior:       namePrior,
		domainPrior:     domainPrior,
		backfillNames:   make(map[uint32]int64),
		backfillDomains: make(map[uint32]int64),
		pairs:           make(map[uint64]stat),
		minutes:         make(map[int64]int64),
		nameHours:       make(map[uint64]int64),
		domainHours:     make(map[uint64]int64),
		clientHours:     make(map[uint64]int64),
		local:           make(map[uint32]stat),
	}
}

func bucket(t, size int64) int64 {
	if t < 0 {
		return 0
	}
	return t / size
}

// addRun folds the events of one name, sorted by time. Only a primary
// subject's events count the workspace's traffic and its clients' hours:
// the other subjects of an event are the same event again.
func (a *aggregator) addRun(info nameInfo, run []Event) {
	name, domain := run[0].Name, info.domain
	n, first, last := int64(len(run)), run[0].Time, run[len(run)-1].Time
	if first == 0 {
		// Undated events sort first: the run's first seen is its first
		// dated event's.
		i, _ := slices.BinarySearchFunc(run, int64(1), func(e Event, t int64) int { return cmp.Compare(e.Time, t) })
		if i < len(run) {
			first = run[i].Time
		}
	}
	trackName := a.track(a.names.count(name), n, a.namePrior(name), name, a.backfillNames)
	trackDomain := a.track(a.domains.count(domain), n, a.domainPrior(domain), domain, a.backfillDomains)
	a.names.add(name, n, first, last)
	a.domains.add(domain, n, first, last)

	clear(a.local)
	for i := range run {
		// Client 0 is a source without clients: nothing to pair.
		if e := &run[i]; e.Client != 0 {
			a.local[e.Client] = a.local[e.Client].merge(1, e.Time, e.Time)
		}
	}
	for c, s := range a.local {
		k := uint64(name)<<32 | uint64(c)
		a.pairs[k] = a.pairs[k].merge(s.count, s.first, s.last)
	}

	// Runs are time-sorted: count equal buckets before touching the maps.
	prevMin, prevHour, cntMin, cntHour := int64(-1), int64(-1), int64(0), int64(0)
	flushHour := func() {
		if cntHour == 0 {
			return
		}
		if trackName {
			a.nameHours[uint64(name)<<32|uint64(prevHour)] += cntHour
		}
		if trackDomain {
			a.domainHours[uint64(domain)<<32|uint64(prevHour)] += cntHour
		}
	}
	for i := range run {
		t := run[i].Time
		if !info.primary {
			h := bucket(t, microsPerHour)
			if h != prevHour {
				flushHour()
				prevHour, cntHour = h, 0
			}
			cntHour++
			continue
		}
		if m := bucket(t, microsPerMinute); m != prevMin {
			if cntMin > 0 {
				a.minutes[prevMin] += cntMin
			}
			prevMin, cntMin = m, 0
		}
		cntMin++
		h := bucket(t, microsPerHour)
		if h != prevHour {
			flushHour()
			prevHour, cntHour = h, 0
		}
		cntHour++
		if c := run[i].Client; c != 0 {
			a.clientHours[uint64(c)<<32|uint64(h)]++
		}
	}
	if cntMin > 0 {
		a.minutes[prevMin] += cntMin
	}
	flushHour()
}

// track says whether a run of n events of a subject that had before events
// earlier in this ingest and prior ones in the workspace is counted by the
// hour, and marks the subject for backfill of the blocks before this run
// when earlier events were not.
func (a *aggregator) track(before, n, prior int64, id uint32, backfill map[uint32]int64) bool {
	if prior+before+n < SeriesMin {
		return false
	}
	if prior+before < SeriesMin && (before > 0 || prior > 0) {
		backfill[id] = a.lastBlock
	}
	return true
}

// pairFacts is what the aggregates' writes take from a run's pairs: Go
// work on maps of millions of entries (a second of a 3M-line Zeek log's
// load), done beside the index builds before the writes (Loader.Finish),
// where it came after them on one core.
type pairFacts struct {
	// The pairs' keys (name<<32 | client) in order. Keys alone: with
	// their stats, a 10M-line Zeek log's 3M pairs held 72 MB more at the
	// load's peak.
	sorted []uint64
	// Distinct clients of the names and domains new to the workspace
	// (older ones in cliented* are recounted from name_client), and the
	// names new to each domain.
	nameClients, domainClients, newNamesPerDomain map[uint32]int64
	// Each client's events of primary subjects, and its distinct names
	// among them.
	clients  map[uint32]stat
	distinct map[uint32]int64
	// The names and domains older than the run that had events with a
	// client in it: the others' distinct clients cannot have changed, and
	// are not recounted (a log without clients recounted every name).
	clientedNames, clientedDomains map[uint32]struct{}
}

// facts works out the pairFacts of the run; names tells each touched
// name's domain and whether it is primary.
func (a *aggregator) facts(names []nameInfo) pairFacts {
	prior, domPrior := a.namePrior, a.domainPrior
	f := pairFacts{
		sorted:            make([]uint64, 0, len(a.pairs)),
		nameClients:       make(map[uint32]int64),
		domainClients:     make(map[uint32]int64),
		newNamesPerDomain: make(map[uint32]int64),
		clients:           make(map[uint32]stat),
		distinct:          make(map[uint32]int64),
		clientedNames:     make(map[uint32]struct{}),
		clientedDomains:   make(map[uint32]struct{}),
	}
	domainClientSet := make(map[uint64]struct{})
	for k, s := range a.pairs {
		f.sorted = append(f.sorted, k)
		name, client := uint32(k>>32), uint32(k)
		if client == 0 {
			continue
		}
		if prior(name) == 0 {
			f.nameClients[name]++
		} else {
			f.clientedNames[name] = struct{}{}
		}
		if dom := names[name].domain; domPrior(dom) == 0 {
			domainClientSet[uint64(dom)<<32|uint64(client)] = struct{}{}
		} else {
			f.clientedDomains[dom] = struct{}{}
		}
		if names[name].primary {
			f.clients[client] = f.clients[client].merge(s.count, s.first, s.last)
			f.distinct[client]++
		}
	}
	slices.Sort(f.sorted)
	for k := range domainClientSet {
		f.domainClients[uint32(k>>32)]++
	}
	for id := range a.names.all() {
		if prior(id) == 0 {
			f.newNamesPerDomain[names[id].domain]++
		}
	}
	return f
}

// apply writes the deltas in one transaction and clears the dirty mark.
// names tells each touched name's domain and prior count (0: new); f is
// a.facts(names).
//
// fresh says the workspace held no aggregates before this run (see
// applyClients).
func (a *aggregator) apply(ctx context.Context, d *DB, names []nameInfo, f pairFacts, fresh bool) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	prior, domPrior := a.namePrior, a.domainPrior
	subjects := a.seriesSubjects()
	backfilled := subjects.backfill(ctx, d)

	recountNames, err := updateStats(ctx, tx, "names", a.names, prior, f.nameClients, f.clientedNames, nil)
	if err != nil {
		return err
	}
	pairs := newBulk(ctx, tx, "INSERT INTO name_client(name, client, count, first, last) VALUES",
		`ON CONFLICT(name, client) DO UPDATE SET count = count + excluded.count,
		first = `+firstDatedSQL("first", "excluded.first")+`, last = max(last, excluded.last)`, 5)
	for _, k := range f.sorted {
		s := a.pairs[k]
		pairs.add(k>>32, uint32(k), s.count, s.first, s.last)
	}
	if err := pairs.flush(); err != nil {
		return fmt.Errorf("name clients: %w", err)
	}
	if err := execEach(ctx, tx, "UPDATE names SET clients = (SELECT count(*) FROM name_client WHERE name = ?1 AND client != 0) WHERE id = ?1", recountNames); err != nil {
		return err
	}
	recountDomains, err := updateStats(ctx, tx, "domains", a.domains, domPrior, f.domainClients, f.clientedDomains, f.newNamesPerDomain)
	if err != nil {
		return err
	}
	if err := execEach(ctx, tx, `UPDATE domains SET clients = (SELECT count(DISTINCT nc.client) FROM names n
		JOIN name_client nc ON nc.name = n.id WHERE n.domain = ?1 AND nc.client != 0) WHERE id = ?1`, recountDomains); err != nil {
		return err
	}

	newClients, err := a.applyClients(ctx, tx, f, fresh)
	if err != nil {
		return err
	}
	if err := a.applySeries(ctx, tx, subjects, backfilled); err != nil {
		return err
	}
	if !fresh {
		err = a.addTotals(ctx, tx, names, newClients)
	} else {
		err = storeTotals(ctx, tx)
	}
	if err != nil {
		return err
	}
	if err := markCounted(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// updateStats adds a run's counts to the names or domains table. Subjects
// new to the workspace get their distinct clients from clients; the older
// ones in cliented are returned, to be recounted from name_client.
// newNames, for domains, adds the names they gained.
func updateStats(ctx context.Context, tx *sql.Tx, table string, stats idStats, prior func(uint32) int64,
	clients map[uint32]int64, cliented map[uint32]struct{}, newNames map[uint32]int64) ([]uint32, error) {
	cols, extra := 5, ""
	if newNames != nil {
		cols, extra = 6, ", names = "+table+".names + v.column6"
	}
	// table is "names" or "domains", chosen by apply.
	up := newBulk(ctx, tx, `UPDATE `+table+` SET
		count = `+table+`.count + v.column2,
		first = CASE WHEN `+table+`.count = 0 THEN v.column3 ELSE `+firstDatedSQL(table+".first", "v.column3")+` END,
		last = CASE WHEN `+table+`.count = 0 THEN v.column4 ELSE max(`+table+`.last, v.column4) END,
		clients = CASE WHEN v.column5 < 0 THEN `+table+`.clients ELSE v.column5 END`+extra+`
		FROM (VALUES`, ") AS v WHERE "+table+".id = v.column1", cols)
	var recount []uint32
	for id, s := range stats.all() {
		n := int64(-1)
		if prior(id) == 0 {
			n = clients[id]
		} else if _, ok := cliented[id]; ok {
			recount = append(recount, id)
		}
		if newNames != nil {
			up.add(id, s.count, s.first, s.last, n, newNames[id])
		} else {
			up.add(id, s.count, s.first, s.last, n)
		}
	}
	if err := up.flush(); err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	return recount, nil
}

// totalsQuery counts what Stats reports; its answer is kept in meta at the
// end of each ingest, so the screens do not scan every name to show it.
// Events are those of the primary subjects (each event once); names and
// domains those of DNS, which the totals have always described; the span
// that of the dated events (an undated one is stored at 0, which made
// every workspace holding a list of names begin in 1970).
var totalsQuery = `SELECT
	(SELECT coalesce(sum(count), 0) FROM names WHERE kind IN ` + primaryCodes + `),
	(SELECT count(*) FROM names WHERE count > 0 AND kind = 1),
	(SELECT count(*) FROM domains WHERE count > 0 AND kind = 1),
	(SELECT count(*) FROM clients WHERE count > 0),
	(SELECT coalesce(min(first), 0) FROM names WHERE count > 0 AND first > 0),
	(SELECT coalesce(max(last), 0) FROM names WHERE count > 0)`

// primaryCodes is the SQL list of the primary subjects' codes.
var primaryCodes = func() string {
	var codes []string
	for _, s := range subject.All {
		if s.Primary {
			codes = append(codes, strconv.Itoa(int(s.Code)))
		}
	}
	return "(" + strings.Join(codes, ", ") + ")"
}()

func storeTotals(ctx context.Context, tx *sql.Tx) error {
	var v [6]int64
	if err := tx.QueryRowContext(ctx, totalsQuery).Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
		return err
	}
	return metaSet(ctx, tx, "totals", fmt.Sprint(v[0], v[1], v[2], v[3], v[4], v[5]))
}

// addTotals adds what a run brings to the totals storeTotals counted
// (which scans every name: seconds a read for a follow on a large
// workspace, 0.35 s of a second 20M-line day): events, DNS names and
// domains new to the workspace, clients new to it, and the span. Counts
// only grow in a run that rebuilds nothing, so the sums are exact; a
// first load and a rebuild (fresh) count them.
func (a *aggregator) addTotals(ctx context.Context, tx *sql.Tx, names []nameInfo, newClients int64) error {
	var v [6]int64
	stored := ""
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'totals'").Scan(&stored); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if _, err := fmt.Sscan(stored, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
		return storeTotals(ctx, tx)
	}
	newDomains := make(map[uint32]bool)
	for id, st := range a.names.all() {
		info := names[id]
		if info.primary {
			v[0] += st.count
		}
		if info.kind == uint8(subject.DNSName) && a.namePrior(id) == 0 {
			v[1]++
			if a.domainPrior(info.domain) == 0 {
				newDomains[info.domain] = true
			}
		}
		// An event without a time is stored at 0: the span is the dated
		// events' (0 while there are none).
		if st.first > 0 && (v[4] == 0 || st.first < v[4]) {
			v[4] = st.first
		}
		v[5] = max(v[5], st.last)
	}
	v[2] += int64(len(newDomains))
	v[3] += newClients
	return metaSet(ctx, tx, "totals", fmt.Sprint(v[0], v[1], v[2], v[3], v[4], v[5]))
}

// applyClients adds a run's events to its clients: those of primary
// subjects, each event once. It returns how many of them had none before.
//
// A client's distinct names are counted from this run's pairs when the
// workspace had none before (fresh: a first load, a rebuild), otherwise
// from every pair in one pass: name_client's index by client is built
// again only after the aggregates (Loader.Finish).
func (a *aggregator) applyClients(ctx context.Context, tx *sql.Tx, f pairFacts, fresh bool) (int64, error) {
	clients, distinct := f.clients, f.distinct
	if !fresh {
		// Recounted in one pass over the pairs when the index by client
		// is built again after the aggregates (Loader.Finish); by it when
		// it is kept.
		count := clientNames
		if a.indexed {
			count = clientNamesIndexed
		}
		var err error
		if distinct, err = count(ctx, tx, clients); err != nil {
			return 0, err
		}
	}
	st, err := tx.PrepareContext(ctx, `UPDATE clients SET
		first = CASE WHEN count = 0 THEN ?2 ELSE `+firstDatedSQL("first", "?2")+` END,
		last = CASE WHEN count = 0 THEN ?3 ELSE max(last, ?3) END,
		count = count + ?4, names = ?5
		WHERE id = ?1 RETURNING count = ?4`)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	var added int64
	for _, id := range sortedKeys(clients) {
		s := clients[id]
		var fresh bool
		err := st.QueryRowContext(ctx, id, s.first, s.last, s.count, distinct[id]).Scan(&fresh)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("clients: %w", err)
		}
		if fresh {
			added++
		}
	}
	return added, nil
}

// clientNames counts the distinct primary names of the clients given, in
// the whole workspace.
func clientNames(ctx context.Context, tx *sql.Tx, clients map[uint32]stat) (map[uint32]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT nc.client, count(*) FROM name_client nc JOIN names n ON n.id = nc.name
		WHERE nc.client != 0 AND n.kind IN `+primaryCodes+` GROUP BY nc.client`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[uint32]int64, len(clients))
	for rows.Next() {
		var c uint32
		var n int64
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		if _, ok := clients[c]; ok {
			out[c] = n
		}
	}
	return out, rows.Err()
}

// clientNamesIndexed is clientNames by the index of pairs by client: for
// a few clients of many.
func clientNamesIndexed(ctx context.Context, tx *sql.Tx, clients map[uint32]stat) (map[uint32]int64, error) {
	st, err := tx.PrepareContext(ctx, `SELECT count(*) FROM name_client nc JOIN names n ON n.id = nc.name
		WHERE nc.client = ? AND n.kind IN `+primaryCodes)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := make(map[uint32]int64, len(clients))
	for c := range clients {
		var n int64
		if err := st.QueryRowContext(ctx, c).Scan(&n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, nil
}

// seriesSubject is one of the two tables of hourly buckets and what a run
// writes to it: keep[id] is true to add the run's hours, false to replace
// the subject's buckets with a recount from its blocks.
type seriesSubject struct {
	table, col string
	hours      map[uint64]int64
	keep       map[uint32]bool
	// cut: the subjects whose earlier events are read from their blocks
	// (keep false), each with the last block to read (aggregator.track).
	cut       map[uint32]int64
	blocksSQL string
}

type seriesSubjects []seriesSubject

// seriesSubjects lists the names and domains popular after this run.
func (a *aggregator) seriesSubjects() seriesSubjects {
	subjects := seriesSubjects{
		{"name_hour", "name", a.nameHours, map[uint32]bool{}, a.backfillNames, "SELECT n, tmin, data FROM blocks WHERE name = ? AND id <= ?"},
		{"domain_hour", "domain", a.domainHours, map[uint32]bool{}, a.backfillDomains,
			"SELECT b.n, b.tmin, b.data FROM blocks b JOIN names n ON b.name = n.id WHERE n.domain = ? AND b.id <= ?"},
	}
	for id, s := range a.names.all() {
		if a.namePrior(id)+s.count >= SeriesMin {
			_, cut := a.backfillNames[id]
			subjects[0].keep[id] = !cut
		}
	}
	for id, s := range a.domains.all() {
		if a.domainPrior(id)+s.count >= SeriesMin {
			_, cut := a.backfillDomains[id]
			subjects[1].keep[id] = !cut
		}
	}
	return subjects
}

type backfillResult struct {
	hours []map[uint32]map[int64]int64 // per subject table, per id
	err   error
}

// backfill recounts, from their committed blocks and on its own connection,
// the hours of the subjects that became popular late, while the rest of the
// aggregates are written: on a first 20M-event load this is seconds of
// reading that would otherwise come after everything else.
func (ss seriesSubjects) backfill(ctx context.Context, d *DB) <-chan backfillResult {
	out := make(chan backfillResult, 1)
	go func() {
		res := backfillResult{hours: make([]map[uint32]map[int64]int64, len(ss))}
		for i, sub := range ss {
			res.hours[i] = make(map[uint32]map[int64]int64)
			for id, keep := range sub.keep {
				if keep {
					continue
				}
				h, err := hoursFromBlocks(ctx, d.sql, sub.blocksSQL, id, sub.cut[id])
				if err != nil {
					res.err = err
					out <- res
					return
				}
				res.hours[i][id] = h
			}
		}
		out <- res
	}()
	return out
}

// applySeries adds the run's per-minute workspace traffic, per-hour client
// traffic, and the hourly buckets of names and domains that are popular
// (SeriesMin) after this run; those that became popular late get the
// buckets backfill counted from their earlier blocks besides.
func (a *aggregator) applySeries(ctx context.Context, tx *sql.Tx, subjects seriesSubjects, backfilled <-chan backfillResult) error {
	mins := newBulk(ctx, tx, "INSERT INTO total_minute(minute, n) VALUES", "ON CONFLICT(minute) DO UPDATE SET n = n + excluded.n", 2)
	for _, m := range sortedKeys(a.minutes) {
		mins.add(m, a.minutes[m])
	}
	if err := mins.flush(); err != nil {
		return err
	}
	ch := newBulk(ctx, tx, "INSERT INTO client_hour(client, hour, n) VALUES", "ON CONFLICT(client, hour) DO UPDATE SET n = n + excluded.n", 3)
	for _, k := range sortedKeys(a.clientHours) {
		ch.add(k>>32, uint32(k), a.clientHours[k])
	}
	if err := ch.flush(); err != nil {
		return err
	}
	for _, sub := range subjects {
		add := newBulk(ctx, tx, "INSERT INTO "+sub.table+"("+sub.col+", hour, n) VALUES",
			"ON CONFLICT("+sub.col+", hour) DO UPDATE SET n = n + excluded.n", 3)
		for _, k := range sortedKeys(sub.hours) {
			if keep, ok := sub.keep[uint32(k>>32)]; ok && keep {
				add.add(k>>32, uint32(k), sub.hours[k])
			}
		}
		if err := add.flush(); err != nil {
			return err
		}
	}
	res := <-backfilled
	if res.err != nil {
		return res.err
	}
	for i, sub := range subjects {
		// The backfilled subjects' hours: those of the blocks before
		// they became popular, and those counted since.
		for k, n := range sub.hours {
			if h, ok := res.hours[i][uint32(k>>32)]; ok {
				h[int64(uint32(k))] += n
			}
		}
		ins := newBulk(ctx, tx, "INSERT INTO "+sub.table+"("+sub.col+", hour, n) VALUES", "", 3)
		for _, id := range sortedKeys(res.hours[i]) {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+sub.table+" WHERE "+sub.col+" = ?", id); err != nil {
				return err
			}
			hours := res.hours[i][id]
			for _, h := range sortedKeys(hours) {
				ins.add(id, h, hours[h])
			}
		}
		if err := ins.flush(); err != nil {
			return err
		}
	}
	return nil
}

// hoursFromBlocks buckets by hour the events of the blocks query selects.
// A damaged block is passed over, as RebuildAggregates passes it over: it
// must not keep the aggregates from being written.
func hoursFromBlocks(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) (map[int64]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hours := make(map[int64]int64)
	for rows.Next() {
		var n int
		var tmin int64
		var data []byte
		if err := rows.Scan(&n, &tmin, &data); err != nil {
			return nil, err
		}
		if blockTimes(data, n, tmin, func(int64) {}) != nil {
			continue
		}
		if err := bucketTimes(hours, data, n, tmin, microsPerHour, 0, 0); err != nil {
			return nil, err
		}
	}
	return hours, rows.Err()
}

func execEach(ctx context.Context, tx *sql.Tx, query string, ids []uint32) error {
	if len(ids) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, id := range ids {
		if _, err := st.ExecContext(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[K int64 | uint32 | uint64, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// RebuildAggregates recomputes every aggregate from the stored events: after
// an interrupted ingest, or when a source was dropped.
func (d *DB) RebuildAggregates(ctx context.Context) error {
	if _, err := nextGeneration(ctx, d.sql); err != nil {
		return err
	}
	for _, q := range []string{
		"UPDATE names SET count = 0, clients = 0, first = 0, last = 0",
		"UPDATE domains SET count = 0, clients = 0, names = 0, first = 0, last = 0",
		"UPDATE clients SET count = 0, names = 0, first = 0, last = 0",
		"DELETE FROM name_client", "DELETE FROM total_minute", "DELETE FROM name_hour",
		"DELETE FROM domain_hour", "DELETE FROM client_hour",
	} {
		if _, err := d.sql.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	_, infos, err := d.loadInterner(ctx)
	if err != nil {
		return err
	}
	none := func(uint32) int64 { return 0 }
	a := newAggregator(none, none)
	// Each block is a run: its events are time-sorted, which is all
	// addRun needs. In id order, the blocks before one are those fed
	// already (aggregator.lastBlock).
	rows, err := d.sql.QueryContext(ctx, "SELECT id, name, source, n, tmin, data FROM blocks ORDER BY id")
	if err != nil {
		return err
	}
	var evs []Event
	for rows.Next() {
		var name, source uint32
		var n int
		var id, tmin int64
		var data []byte
		if err := rows.Scan(&id, &name, &source, &n, &tmin, &data); err != nil {
			rows.Close()
			return err
		}
		if evs, err = decodeBlock(evs[:0], data, n, tmin, name, source); err != nil {
			// A damaged block must not keep the workspace from opening:
			// the rebuild runs at every open until it succeeds.
			continue
		}
		if int(name) < len(infos) && n > 0 {
			a.lastBlock = id - 1
			a.addRun(infos[name], evs)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return a.apply(ctx, d, infos, a.facts(infos), true)
}
