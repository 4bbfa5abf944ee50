package score

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
)

// incWorkspace is a private copy of a generated workspace (a week of
// Zeek DNS with clients) and a name seen once, alone under its domain.
func incWorkspace(t *testing.T) (*db.DB, db.NameRow) {
	t.Helper()
	d, err := db.Open(testws.Copy(t, 20_000), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx := context.Background()
	names, err := d.AllNames(ctx, subject.DNSName)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n.Count != 1 || n.Name == n.Domain || strings.HasPrefix(n.Name, "_") {
			continue
		}
		if ns, err := d.NamesOfDomain(ctx, n.DomainID); err == nil && len(ns) == 1 {
			return d, n
		}
	}
	t.Fatal("no name seen once alone under its domain")
	return nil, db.NameRow{}
}

// appendBeacon ingests a log in which name is asked every 10 minutes for
// 10 hours, from three days into the workspace's span (inside it, so the
// span and the stretches of traffic stay as they were).
func appendBeacon(t *testing.T, d *db.DB, name string) {
	t.Helper()
	ctx := context.Background()
	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	start := time.UnixMicro(st.First).UTC().Add(72 * time.Hour)
	for i := range 60 {
		fmt.Fprintf(&b, "%s,%s,A,300,192.0.2.1\n", start.Add(time.Duration(i)*10*time.Minute).Format("01/02/2006 15:04:05"), name)
	}
	log := filepath.Join(t.TempDir(), strings.ReplaceAll(name, ".", "_")+".csv")
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, d, []string{log}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
}

func storedScores(t *testing.T, d *db.DB, s db.ScoreSubject) map[uint32]float64 {
	t.Helper()
	m, err := d.Scores(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func scoreOf(t *testing.T, d *db.DB, s db.ScoreSubject, id uint32) db.Score {
	t.Helper()
	sc, err := d.ScoreOf(context.Background(), s, id)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// An incremental pass scores the name whose events came, and its domain,
// as a whole rescore would while the model is the same, and leaves every
// other score as it was.
func TestIncrementalScoresWhatChangedAsAWholeRescore(t *testing.T) {
	ctx := context.Background()
	d, n := incWorkspace(t)
	_, base, err := runWhole(ctx, d, d.NewScoreWriter)
	if err != nil {
		t.Fatal(err)
	}
	names, domains := storedScores(t, d, db.ScoreName), storedScores(t, d, db.ScoreDomain)
	appendBeacon(t, d, n.Name)
	sum, next, err := increment(ctx, d, base)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Incremental || sum.Names != 1 || sum.Domains != 1 || next.mark <= base.mark {
		t.Errorf("the pass: %+v, mark %d → %d", sum, base.mark, next.mark)
	}
	got := scoreOf(t, d, db.ScoreName, n.ID)
	if got.Score <= names[n.ID] || got.Contribs[0].Signal != SigBeacon {
		t.Errorf("%s scored %.1f before, %+v after its beacon came", n.Name, names[n.ID], got)
	}
	after, afterDomains := storedScores(t, d, db.ScoreName), storedScores(t, d, db.ScoreDomain)
	delete(names, n.ID)
	delete(after, n.ID)
	delete(domains, n.DomainID)
	delete(afterDomains, n.DomainID)
	if !maps.Equal(names, after) || !maps.Equal(domains, afterDomains) {
		t.Error("the pass changed the scores of names or domains that got no events")
	}
	asWhole(t, d, sum, scored{db.ScoreName, n.ID, n.Name, got}, scored{db.ScoreDomain, n.DomainID, n.Domain, scoreOf(t, d, db.ScoreDomain, n.DomainID)})
}

// scored is a score an incremental pass stored, of a subject named name.
type scored struct {
	subject db.ScoreSubject
	id      uint32
	name    string
	score   db.Score
}

// asWhole rescores the whole workspace after an incremental pass (sum)
// and checks that it stores the scores the pass did.
func asWhole(t *testing.T, d *db.DB, sum Summary, pass ...scored) {
	t.Helper()
	wsum, err := Run(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if wsum.Trained != sum.Trained {
		t.Fatalf("the model changed (%d labels, then %d): the scores need not agree", sum.Trained, wsum.Trained)
	}
	for _, p := range pass {
		if want := scoreOf(t, d, p.subject, p.id); !reflect.DeepEqual(p.score, want) {
			t.Errorf("%s: incremental %+v, whole %+v", p.name, p.score, want)
		}
	}
}

// While a follow runs, the Keeper's first pass rescores the whole
// workspace; the next, after a few events, only what they changed.
func TestKeeperScoresIncrementally(t *testing.T) {
	ctx := context.Background()
	d, n := incWorkspace(t)
	k := Keep(ctx, d)
	defer k.Stop()
	appendBeacon(t, d, "sync.first-arrival.example")
	waitPasses(t, k, "the first pass", func(whole, _ int) bool { return whole == 1 })
	before := storedScores(t, d, db.ScoreName)[n.ID]
	appendBeacon(t, d, n.Name)
	waitPasses(t, k, "the pass after", func(_, inc int) bool { return inc == 1 })
	if whole, _ := k.Passes(); whole != 1 {
		t.Errorf("%d whole rescores: a few events should not take one", whole)
	}
	if got := storedScores(t, d, db.ScoreName)[n.ID]; got <= before {
		t.Errorf("%s: %.1f before its beacon, %.1f after", n.Name, before, got)
	}
}

// A whole run (check-ins merged as they come, scores written as they are
// made and dropped from memory) stores what a plain Scorer computes from
// the same workspace, every time its times kept and its scores held.
func TestRunStoresWhatAPlainScorerComputes(t *testing.T) {
	ctx := context.Background()
	d, _ := incWorkspace(t)
	if _, err := Run(ctx, d); err != nil {
		t.Fatal(err)
	}
	rs, err := d.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	matcher := rules.NewMatcher(rs, subject.DNSName)
	sc, err := d.ScoreContext(ctx, trainRanked)
	if err != nil {
		t.Fatal(err)
	}
	all, err := d.ScoreNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := d.RepeatedPairs(ctx, uint8(record.KindDNS), MinBeaconEvents, BeaconClients(sc.Clients))
	if err != nil {
		t.Fatal(err)
	}
	nms, web, logons := splitKinds(all)
	sc.First, sc.Last = span(nms)
	s := NewScorer(Inputs{Rules: matcher, Names: nms, Pairs: clientlessPairs(pairs, nms, sc.Clients), HTTP: web, SubjectRules: rs, Logons: logons})
	if err := d.ScanBlocks(ctx, func(name uint32, evs []db.Event) error { s.Add(name, evs); return nil }); err != nil {
		t.Fatal(err)
	}
	domains, err := d.AllDomains(ctx, subject.DNSName)
	if err != nil {
		t.Fatal(err)
	}
	fin, err := finishInputs(ctx, d, matcher, rs, sc.Ranked, domains)
	if err != nil {
		t.Fatal(err)
	}
	fin.Context = sc
	res := s.Finish(fin)
	for _, c := range []struct {
		subject db.ScoreSubject
		want    []db.Score
	}{{db.ScoreName, res.Names}, {db.ScoreDomain, res.Domains}} {
		stored := storedScores(t, d, c.subject)
		if len(stored) != len(c.want) {
			t.Errorf("subject %d: %d scores stored, %d computed", c.subject, len(stored), len(c.want))
		}
		for i, w := range c.want {
			if stored[w.ID] != w.Score {
				t.Errorf("subject %d, id %d: stored %.1f, computed %.1f", c.subject, w.ID, stored[w.ID], w.Score)
			}
			if i < 100 { // the words of the ranked top
				if got := scoreOf(t, d, c.subject, w.ID); !reflect.DeepEqual(got.Contribs, w.Contribs) {
					t.Errorf("subject %d, id %d: stored %+v, computed %+v", c.subject, w.ID, got.Contribs, w.Contribs)
				}
			}
		}
	}
}

// A source read again by force (ingest --force) after a whole scoring
// loses its blocks, whose ids the blocks read again take: the mark calls
// them old, and the pass would score the new events of one name and not
// the other's, so it says a whole scoring must come.
func TestIncrementalAfterAForcedReadAsksForAWholeRescore(t *testing.T) {
	ctx := context.Background()
	d, n := incWorkspace(t)
	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.UnixMicro(st.First).UTC().Add(72 * time.Hour)
	var b strings.Builder
	beacon := func(name string) {
		for i := range 60 {
			fmt.Fprintf(&b, "%s,%s,A,300,192.0.2.1\n", start.Add(time.Duration(i)*10*time.Minute).Format("01/02/2006 15:04:05"), name)
		}
	}
	log := filepath.Join(t.TempDir(), "beacon.csv")
	read := func(force bool) {
		t.Helper()
		if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.Run(ctx, d, []string{log}, ingest.Options{Force: force}); err != nil {
			t.Fatal(err)
		}
	}
	beacon("sync.first-arrival.example")
	read(false)
	_, base, err := runWhole(ctx, d, d.NewScoreWriter)
	if err != nil {
		t.Fatal(err)
	}
	beacon(n.Name) // the log grew; it is read again from its start
	read(true)
	if ids, _, err := d.DomainsSince(ctx, subject.DNSName, base.mark); err != nil || slices.Contains(ids, n.DomainID) {
		t.Fatalf("%s's new block is after the mark (%v, %v): the test shows nothing", n.Name, ids, err)
	}
	if sum, _, err := increment(ctx, d, base); !errors.Is(err, errWhole) {
		t.Errorf("after a forced read: %v, %v; want errWhole", sum, err)
	}
}

// A rule written after a whole scoring (a mark on the screen, whose own
// whole rescore spreads it to the names that share its clients and
// answers) is not the base's: a pass against the base's model, with the
// feedback of the changed domains only, would take that back for them,
// so the pass says a whole scoring must come.
func TestIncrementalAfterARuleChangeAsksForAWholeRescore(t *testing.T) {
	ctx := context.Background()
	d, n := incWorkspace(t)
	_, base, err := runWhole(ctx, d, d.NewScoreWriter)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.PutRules(ctx, []rules.Rule{{Pattern: n.Domain, Scope: rules.Domain, Verdict: rules.Bad, Origin: "tui"}}); err != nil {
		t.Fatal(err)
	}
	appendBeacon(t, d, n.Name)
	if sum, _, err := increment(ctx, d, base); !errors.Is(err, errWhole) {
		t.Errorf("after a rule was written: %v, %v; want errWhole", sum, err)
	}
}

// The hosts of a network under a suffix nobody registers (nas.lan,
// srv.lan) are each a registered domain of their own, and one
// organisation: a pass that scores one of them judges it against the
// organisation's history the whole scoring learnt, as a whole rescore
// does, not against the few hosts the pass reads.
func TestIncrementalJudgesAnOrganisationsHostByItsHistory(t *testing.T) {
	ctx := context.Background()
	d, _ := incWorkspace(t)
	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.UnixMicro(st.First).UTC().Add(24 * time.Hour)
	read := func(file string, hosts []string) {
		t.Helper()
		var b strings.Builder
		for i, h := range hosts {
			for k := range 3 {
				fmt.Fprintf(&b, "%s,%s,A,300,10.1.0.%d\n", start.Add(time.Duration(3*i+k)*time.Minute).Format("01/02/2006 15:04:05"), h, 1+i%200)
			}
		}
		log := filepath.Join(t.TempDir(), file)
		if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.Run(ctx, d, []string{log}, ingest.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	sites, roles := []string{"nyc", "bos", "chi"}, []string{"sql", "web", "app", "fs", "prt", "dc"}
	var hosts []string
	for k := range 40 {
		hosts = append(hosts, fmt.Sprintf("%svm%s%04d.lan", sites[k%3], roles[k%6], 37*k+101))
	}
	read("hosts.csv", hosts)
	_, base, err := runWhole(ctx, d, d.NewScoreWriter)
	if err != nil {
		t.Fatal(err)
	}
	const host = "bosvmprt0311.lan" // the scheme's, new
	read("more.csv", []string{host})
	sum, _, err := increment(ctx, d, base)
	if err != nil || !sum.Incremental || sum.Domains != 1 {
		t.Fatalf("the pass: %+v, %v", sum, err)
	}
	n, err := d.NameByText(ctx, subject.DNSName, host)
	if err != nil {
		t.Fatal(err)
	}
	asWhole(t, d, sum, scored{db.ScoreName, n.ID, host, scoreOf(t, d, db.ScoreName, n.ID)})
}
