package score

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/parallel"
	"github.com/longtail/longtail/internal/words"
)

// Training set sizes: the registered domains of the workspace most
// clients ask (never more than a quarter of them) and the best-ranked names of an
// imported popularity list.
const (
	trainTop    = 2000
	trainRanked = 20000
)

// Summary says what a Run did.
type Summary struct {
	Names, Domains int // DNS names and registered domains scored
	HTTP, Groups   int // values of the HTTP subjects scored, and their groups
	Logons         int // logon accounts, sources and pairs scored (and their groups)
	Trained        int // labels the n-gram model learnt from
	Took           time.Duration
	// Incremental: the domains that changed were scored again (their
	// names are Names), against the model of the last whole scoring, and
	// the HTTP and logon values that did (HTTP, Groups, Logons) against
	// what it summed; Waiting of the domains (incDomains) and of the
	// values (a workspace of too many logons) wait for the next.
	Incremental bool
	Waiting     int
}

// String says what a run did, for the command line.
func (s Summary) String() string {
	if s.Incremental {
		return s.incrementalWords()
	}
	w := "scored " + strings.Join(s.parts("%s HTTP hosts, paths, user agents and clients and %s of their groups",
		"%s logon accounts, sources and pairs"), ", ") + " in " + s.Took.Round(time.Millisecond).String()
	if s.Names > 0 {
		w += " (n-gram model of " + words.Count(int64(s.Trained), "label") + ")"
	}
	return w
}

// parts says what a run scored, a kind's words (web, logons: formats of
// the counts, written with words.Int) only when it scored some of its values; DNS names and
// domains also when nothing at all was ("scored 0 names and 0 domains"),
// not beside a web log's values.
func (s Summary) parts(web, logons string) []string {
	var out []string
	if s.Names > 0 || s.Domains > 0 || s.HTTP == 0 && s.Logons == 0 {
		out = append(out, words.Count(s.Names, "name")+" and "+words.Count(s.Domains, "domain"))
	}
	if s.HTTP > 0 {
		out = append(out, fmt.Sprintf(web, words.Int(s.HTTP), words.Int(s.Groups)))
	}
	if s.Logons > 0 {
		out = append(out, fmt.Sprintf(logons, words.Int(s.Logons)))
	}
	return out
}

// Run scores the whole workspace and stores the scores. It only reads
// the workspace until the scores are ready to be written, so the TUI can
// call it from a background command and reload its score column when it
// returns. The scores are written on another connection as they are
// computed, in one transaction.
func Run(ctx context.Context, d *db.DB) (Summary, error) {
	sum, _, err := runWhole(ctx, d, d.NewScoreWriter)
	return sum, err
}

// RunAlone is Run for a process in which nothing else writes to the
// workspace meanwhile (the command line's score, an ingest's scoring
// after its load): the scores go straight into the workspace's tables
// (db.NewScoreReplacer), which holds its write lock while they are
// computed, instead of waiting in tables of their own to be copied.
func RunAlone(ctx context.Context, d *db.DB) (Summary, error) {
	sum, _, err := runWhole(ctx, d, d.NewScoreReplacer)
	return sum, err
}

// runWhole is Run, which also returns what the incremental passes after
// it start from; open makes the writer of the scores.
func runWhole(ctx context.Context, d *db.DB, open func(context.Context) (*db.ScoreWriter, error)) (Summary, *Base, error) {
	return pass(ctx, d, func(totals db.Stats) (Summary, *Base, error) {
		// Where the events stand before they are read: those stored from
		// here on are read again by the next incremental pass.
		drops, err := d.Drops(ctx)
		if err != nil {
			return Summary{}, nil, err
		}
		mark, err := d.BlocksMark(ctx)
		if err != nil {
			return Summary{}, nil, err
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		w := newStorer(ctx, open)
		res, s, err := compute(ctx, d, mark, w.store)
		if err != nil {
			cancel()
			w.wait()
			return Summary{}, nil, err
		}
		if err := w.commit(); err != nil {
			return Summary{}, nil, err
		}
		return Summary{Names: len(res.Names), Domains: len(res.Domains), HTTP: len(res.HTTP), Groups: len(res.Groups), Logons: len(res.Logons),
			Trained: res.Trained}, s.base(mark, drops, totals.Events), nil
	})
}

// pass runs fn when the run token is free, with the workspace's totals
// as they stand before it, and says how long it took. One run at a time
// in a process: the screen's rescore after a mark and a Keeper's would
// each hold connections of the workspace's small pool while waiting for
// more (its read-ahead, its loader), and with a follow's loader beside
// them could take them all. A panic in one of fn's goroutines comes back
// as an error (parallel.Catch) and goes on here, in the caller's
// goroutine.
func pass(ctx context.Context, d *db.DB, fn func(totals db.Stats) (Summary, *Base, error)) (sum Summary, base *Base, err error) {
	select {
	case running <- struct{}{}:
		defer func() { <-running }()
	case <-ctx.Done():
		return Summary{}, nil, ctx.Err()
	}
	defer func() { parallel.Reraise(err) }()
	start := time.Now()
	totals, err := d.Stats(ctx)
	if err != nil {
		return Summary{}, nil, err
	}
	sum, base, err = fn(totals)
	sum.Took = time.Since(start)
	return sum, base, err
}

// running holds a token while a Run runs.
var running = make(chan struct{}, 1)

// storer writes batches of scores on its own goroutine: the transaction
// starts with the first batch, when the reading is over.
type storer struct {
	batches chan scoreBatch
	stopped chan struct{} // closed when the goroutine ends; err is then set
	err     error
}

type scoreBatch struct {
	subject db.ScoreSubject
	scores  []db.Score
}

// newStorer starts a storer whose writer open makes (db.NewScoreWriter,
// or a db.NewScoreUpdater for some scores).
func newStorer(ctx context.Context, open func(context.Context) (*db.ScoreWriter, error)) *storer {
	w := &storer{batches: make(chan scoreBatch, 8), stopped: make(chan struct{})}
	go func() {
		defer close(w.stopped)
		defer parallel.Catch(&w.err)
		w.err = w.write(ctx, open)
	}()
	return w
}

func (w *storer) write(ctx context.Context, open func(context.Context) (*db.ScoreWriter, error)) error {
	var sw *db.ScoreWriter
	defer func() {
		if sw != nil {
			sw.Rollback()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b, ok := <-w.batches:
			if sw == nil {
				var err error
				if sw, err = open(ctx); err != nil {
					return err
				}
			}
			if !ok {
				return sw.Commit()
			}
			if err := sw.Add(b.subject, b.scores); err != nil {
				return err
			}
		}
	}
}

// store hands a batch over; after a write error it drops it (commit
// reports the error).
func (w *storer) store(subject db.ScoreSubject, scores []db.Score) {
	select {
	case w.batches <- scoreBatch{subject, scores}:
	case <-w.stopped:
	}
}

func (w *storer) commit() error {
	close(w.batches)
	return w.wait()
}

func (w *storer) wait() error {
	<-w.stopped
	return w.err
}

// compute scores the workspace's events up to mark (db.ScanBlocksTo);
// store, when set, receives the scores in batches (see FinishInputs).
// The machine the budget is for has two cores: the names, the domains
// and the n-gram model load on other connections while SQLite starts
// reading the events (ScanBlocks reads ahead until the scorer is ready
// for them).
func compute(ctx context.Context, d *db.DB, mark int64, store func(db.ScoreSubject, []db.Score)) (Result, *Scorer, error) {
	rs, err := d.Rules(ctx)
	if err != nil {
		return Result{}, nil, err
	}
	matcher := rules.NewMatcher(rs, subject.DNSName)
	sc, err := d.ScoreContext(ctx, trainRanked)
	if err != nil {
		return Result{}, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type scorer struct {
		s           *Scorer
		first, last int64
		err         error
	}
	ready := make(chan scorer, 1)
	go func() {
		var r scorer
		defer func() { ready <- r }()
		defer parallel.Catch(&r.err)
		r.s, r.first, r.last, r.err = newScorer(ctx, d, matcher, rs, sc.Clients)
	}()
	type finish struct {
		in  FinishInputs
		err error
	}
	loaded := make(chan finish, 1)
	go func() {
		var f finish
		defer func() { loaded <- f }()
		defer parallel.Catch(&f.err)
		var domains []db.DomainRow
		if domains, f.err = d.AllDomains(ctx, subject.DNSName); f.err == nil {
			f.in, f.err = finishInputs(ctx, d, matcher, rs, sc.Ranked, domains)
		}
	}()
	var sr *scorer
	take := func() error {
		if sr == nil {
			r := <-ready
			sr = &r
		}
		return sr.err
	}
	err = d.ScanBlocksTo(ctx, mark, func(name uint32, evs []db.Event) error {
		if err := take(); err != nil {
			return err
		}
		sr.s.Add(name, evs)
		return nil
	})
	if err == nil {
		err = take()
	}
	if err != nil {
		cancel()
		take()
		<-loaded
		return Result{}, nil, err
	}
	fin := <-loaded
	if fin.err != nil {
		return Result{}, nil, fin.err
	}
	sc.First, sc.Last = sr.first, sr.last
	fin.in.Context = sc
	fin.in.Store = store
	res := sr.s.Finish(fin.in)
	return res, sr.s, sr.s.Err()
}

// newScorer loads the names and, on another connection meanwhile, the
// beacon candidates, and returns a scorer ready for their events with the
// span of the DNS names. The values of the HTTP subjects come in the same
// read of the names table; a workspace without them pays nothing more.
func newScorer(ctx context.Context, d *db.DB, matcher *rules.Matcher, rs []rules.Rule, clients int64) (s *Scorer, first, last int64, err error) {
	kind := uint8(record.KindDNS)
	var pairs []uint64
	var pairsErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer parallel.Catch(&pairsErr)
		pairs, pairsErr = d.RepeatedPairs(ctx, kind, MinBeaconEvents, BeaconClients(clients))
	}()
	all, err := d.ScoreNames(ctx)
	<-done
	if err != nil {
		return nil, 0, 0, err
	}
	if pairsErr != nil {
		return nil, 0, 0, pairsErr
	}
	nms, web, logons := splitKinds(all)
	first, last = span(nms)
	in := Inputs{Rules: matcher, Names: nms, Pairs: clientlessPairs(pairs, nms, clients), HTTP: web, SubjectRules: rs, Logons: logons, Reread: rereader(ctx, d)}
	return NewScorer(in), first, last, nil
}

// clientlessPairs adds to pairs the beacon candidates of the events
// without a client (a log that has none), which name_client does not
// count: every candidate name gets one. Its times are kept only if such
// events come, but then all of them: in a log without clients the beacon
// is judged per name.
func clientlessPairs(pairs []uint64, nms []db.NameRow, clients int64) []uint64 {
	limit := BeaconClients(clients)
	for _, n := range nms {
		if n.Count >= MinBeaconEvents && n.Clients <= limit {
			pairs = append(pairs, uint64(n.ID)<<32)
		}
	}
	return pairs
}

// rereader reads the events of names again (Inputs.Reread).
func rereader(ctx context.Context, d *db.DB) func(names []uint32, fn func(uint32, []db.Event) error) error {
	return func(names []uint32, fn func(uint32, []db.Event) error) error {
		return d.ScanBlocksOfNames(ctx, names, fn)
	}
}

// splitKinds separates the DNS names from the values of the HTTP and
// logon subjects that are scored; a DNS-only workspace's names are
// returned as they are.
func splitKinds(all []db.NameRow) (dns, web, logons []db.NameRow) {
	i := slices.IndexFunc(all, func(n db.NameRow) bool { return n.Kind != uint8(subject.DNSName) })
	if i < 0 {
		return all, nil, nil
	}
	dns = all[:i] // filtered in place: a row is read before its place is written
	for _, n := range all[i:] {
		switch {
		case n.Kind == uint8(subject.DNSName):
			dns = append(dns, n)
		case scoredOf(record.KindHTTP, n):
			web = append(web, n)
		case scoredOf(record.KindLogon, n):
			logons = append(logons, n)
		}
	}
	return dns, web, logons
}

// finishInputs is what scoring the domains needs, with the names the
// n-gram model learns from (the caller fills in the Context).
func finishInputs(ctx context.Context, d *db.DB, matcher *rules.Matcher, rs []rules.Rule, ranked []string, domains []db.DomainRow) (FinishInputs, error) {
	fin := FinishInputs{
		Training: trainees(matcher, rs, domains, ranked),
		Domains:  domains,
		Rate: func(domain uint32) int64 {
			pts, err := d.Series(ctx, db.Subject{Kind: db.SubjectDomain, ID: domain}, time.Minute, 0, 0)
			if err != nil {
				return 0
			}
			var peak int64
			for _, p := range pts {
				peak = max(peak, p.N)
			}
			return peak
		},
		Texts: func(clients, answers []uint32) (map[uint32]string, map[uint32]string) {
			cm, _ := d.ClientAddrs(ctx, clients)
			am, _ := d.AnswerTexts(ctx, answers)
			return cm, am
		},
		Details: func(ids []uint32, fn func(id uint32, text []byte)) error { return d.EachAnswer(ctx, ids, fn) },
		Groups: func(ids []uint32) map[uint32]string {
			m, _ := d.GroupNames(ctx, ids)
			return m
		},
	}
	// The answers' networks are judged only once an AS table is imported:
	// without one, nothing is gathered for them.
	if srcs, err := d.NetSources(ctx); err != nil {
		return FinishInputs{}, err
	} else if len(srcs) > 0 {
		fin.Networks = func(ids []uint32) map[uint32]networks.Set {
			m, _ := networks.OfAnswers(ctx, d, ids)
			return m
		}
	}
	return fin, nil
}

// span is the first and last time of the names (unix µs).
func span(ns []db.NameRow) (first, last int64) {
	for _, n := range ns {
		if first == 0 || n.First < first {
			first = n.First
		}
		last = max(last, n.Last)
	}
	return first, last
}

// Trainee is a name the n-gram model may learn from: a known-good
// rule's, an imported rank's (Domain 0) or one of the workspace's
// registered domains, with its clients.
type Trainee struct {
	Name    string
	Domain  uint32
	Clients int64
}

// trainees are what is normal here: known-good rules, the ranked names,
// and the domains asked by the most clients (at most trainTop, and a
// quarter of them) that no rule calls bad or suspicious. By clients,
// not by queries: a botnet's generated names can be most of a log's
// queries, and most of its domains, but each is asked by the infected
// few. Finish leaves out those of them that mostly fail.
func trainees(m *rules.Matcher, rs []rules.Rule, domains []db.DomainRow, ranked []string) []Trainee {
	var out []Trainee
	for _, r := range rs {
		if r.Verdict == rules.Good {
			out = append(out, Trainee{Name: r.Pattern, Clients: 1 << 20})
		}
	}
	for _, n := range ranked {
		out = append(out, Trainee{Name: n, Clients: 1 << 20})
	}
	byClients := make([]int32, len(domains)) // indexes: a domain row is large
	for i := range byClients {
		byClients[i] = int32(i)
	}
	slices.SortStableFunc(byClients, func(i, j int32) int {
		a, b := &domains[i], &domains[j]
		if c := cmp.Compare(b.Clients, a.Clients); c != 0 {
			return c
		}
		return cmp.Compare(b.Count, a.Count)
	})
	for _, i := range byClients[:min(trainTop, len(byClients)/4)] {
		d := &domains[i]
		if r, ok := m.MatchGroup(d.Name); ok && r.Verdict != rules.Good {
			continue
		}
		out = append(out, Trainee{Name: d.Name, Domain: d.ID, Clients: d.Clients})
	}
	return out
}

// scoredOf says whether n is a value of a scored subject of kind k.
func scoredOf(k record.Kind, n db.NameRow) bool {
	s, ok := subject.ByCode(subject.Code(n.Kind))
	return ok && s.Kind == k && s.Scored
}
