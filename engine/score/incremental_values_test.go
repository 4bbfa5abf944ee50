package score

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// appendWeb stores the requests add makes in d, as a source of its own
// (a log that appeared while the workspace was followed).
func appendWeb(t *testing.T, d *db.DB, source string, add func(w *webWorkspace)) {
	t.Helper()
	ctx := context.Background()
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, err := l.StartSource(ctx, db.Source{Path: source, Format: "test", Fingerprint: source})
	if err != nil {
		t.Fatal(err)
	}
	w := &webWorkspace{t: t, d: d, l: l, batch: &db.Batch{Source: src.ID, Held: -1}}
	add(w)
	w.load()
}

// A second scanner, on day 4 of the web world: probes paths of its own,
// some of the first scanner's (which then are its own no longer) and
// pages everybody asks; from probe from to probe to.
const scanner2 = "198.51.100.99"

func scan2(from, to int) func(w *webWorkspace) {
	return func(w *webWorkspace) {
		for i := from; i < to; i++ {
			p := fmt.Sprintf("/old%03d/", i)
			switch i % 3 {
			case 1:
				p = fmt.Sprintf("/dir%03d/", i)
			case 2:
				p = []string{"/", "/cart", "/.env", "/about"}[i%4]
			}
			w.request(start+4*day+int64(i)*1_000_000, scanner2, "GET", shop, p, 404, "python-requests/2.31")
		}
	}
}

// valueID is the id of a value of a subject.
func valueID(t *testing.T, d *db.DB, code subject.Code, text string) db.NameRow {
	t.Helper()
	n, err := d.NameByText(context.Background(), code, text)
	if err != nil {
		t.Fatalf("%s %q: %v", subject.Must(code).Title, text, err)
	}
	return n
}

// passed is the scores a pass stored for values (and their groups), for
// asWhole; a value without a score fails the test.
func passed(t *testing.T, d *db.DB, vals ...db.NameRow) []scored {
	t.Helper()
	var out []scored
	for _, v := range vals {
		sc, err := d.ScoreOf(context.Background(), db.ScoreName, v.ID)
		if err != nil {
			t.Fatalf("%s: no score after the pass (%v)", v.Name, err)
		}
		g, err := d.ScoreOf(context.Background(), db.ScoreDomain, v.DomainID)
		if err != nil {
			t.Fatalf("%s's group %s: no score after the pass (%v)", v.Name, v.Domain, err)
		}
		out = append(out, scored{db.ScoreName, v.ID, v.Name, sc}, scored{db.ScoreDomain, v.DomainID, v.Domain, g})
	}
	return out
}

// A new scanner's requests, in two passes: each scores it, the paths it
// probed (they inherit its strength) and the first scanner (some of its
// paths are its own no longer) as a whole rescore does, with their
// groups.
func TestIncrementalScoresANewScannerAsAWholeRescore(t *testing.T) {
	ctx := context.Background()
	d := webWorld(t).done()
	_, base, err := runWhole(ctx, d, d.NewScoreWriter)
	if err != nil {
		t.Fatal(err)
	}
	appendWeb(t, d, "more.log", scan2(0, 30))
	sum, base, err := increment(ctx, d, base)
	if err != nil || !sum.Incremental || sum.HTTP == 0 || sum.Groups == 0 {
		t.Fatalf("the first pass: %+v, %v", sum, err)
	}
	if sc := scoreOf(t, d, db.ScoreName, valueID(t, d, subject.HTTPClient, scanner2).ID); sc.Score <= 0 {
		t.Errorf("the new scanner after 30 probes: %+v", sc)
	}
	appendWeb(t, d, "more2.log", scan2(30, 300))
	if sum, _, err = increment(ctx, d, base); err != nil || !sum.Incremental {
		t.Fatalf("the second pass: %+v, %v", sum, err)
	}
	client := valueID(t, d, subject.HTTPClient, scanner2)
	if sc := scoreOf(t, d, db.ScoreName, client.ID); !strings.Contains(sc.Contribs[0].Why, "distinct paths") || sc.Contribs[0].Signal != SigScanner {
		t.Errorf("the new scanner: %+v", sc)
	}
	vals := []db.NameRow{client, valueID(t, d, subject.HTTPClient, scanner), valueID(t, d, subject.HTTPAgent, "python-requests/2.31")}
	for _, p := range []string{"/old003/", "/old297/", "/dir004/", "/dir298/", "/.env", "/cart", "/"} {
		vals = append(vals, valueID(t, d, subject.HTTPPath, p))
	}
	asWhole(t, d, sum, passed(t, d, vals...)...)
}

// While a web log is followed, the Keeper's pass after the first scores
// a new scanner incrementally.
func TestKeeperScoresANewScannerIncrementally(t *testing.T) {
	ctx := context.Background()
	d := webWorld(t).done()
	k := Keep(ctx, d)
	defer k.Stop()
	appendWeb(t, d, "more.log", scan2(0, 3))
	waitPasses(t, k, "the first pass", func(whole, _ int) bool { return whole == 1 })
	appendWeb(t, d, "more2.log", scan2(3, 300))
	waitPasses(t, k, "the pass after", func(_, inc int) bool { return inc == 1 })
	if whole, _ := k.Passes(); whole != 1 {
		t.Errorf("%d whole rescores: a few requests should not take one", whole)
	}
	sc := scoreOf(t, d, db.ScoreName, valueID(t, d, subject.HTTPClient, scanner2).ID)
	if sc.Score < 30 || sc.Contribs[0].Signal != SigScanner {
		t.Errorf("the new scanner, followed: %+v", sc)
	}
}

// waitPasses waits until the keeper's passes are done.
func waitPasses(t *testing.T, k *Keeper, what string, done func(whole, inc int) bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second) // a loaded machine is slow, never wrong
	for whole, inc := k.Passes(); !done(whole, inc); whole, inc = k.Passes() {
		if time.Now().After(deadline) {
			_, sum, err, count := k.Last()
			t.Fatalf("%s: %d whole and %d incremental passes of %d (%v, %v)", what, whole, inc, count, sum, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A new source sprays failures over many accounts, in two reads: the
// pass after each gives it its spray score, the walk of its logons going
// on; a logon of an account brute-forced from another source keeps that
// brute force; a success of the spray after it is a break-in, of the
// source, the account and their pair (its failures were judged as
// guesses: every logon is judged again). Each as a whole rescore scores
// it.
func TestIncrementalScoresASprayThenItsBreakInAsAWholeRescore(t *testing.T) {
	ctx := context.Background()
	d, base, first, at := scoredLogonWorld(t)
	var a authLog
	pass := func(what string, walkOn bool, add func()) Summary {
		t.Helper()
		a.b.Reset()
		add()
		appendLogons(t, d, a.b.String())
		judge := base.logon.judge
		sum, next, err := increment(ctx, d, base)
		if err != nil || !sum.Incremental || sum.Logons == 0 {
			t.Fatalf("the pass after %s: %+v, %v", what, sum, err)
		}
		if (next.logon.judge == judge) != walkOn {
			t.Errorf("the pass after %s: walked on %v, want %v", what, next.logon.judge == judge, walkOn)
		}
		base = next
		return sum
	}
	spray := func(from, to int) func() {
		return func() {
			for k := from; k < to; k++ {
				a.failed(at.Add(time.Duration(k*5)*time.Second), fmt.Sprintf("staff%02d", k), sprayer2)
			}
		}
	}
	pass("the spray's start", true, spray(0, 6))
	sum := pass("the rest of it", true, spray(6, 12))
	src := valueID(t, d, subject.LogonSource, sprayer2)
	if sc := scoreOf(t, d, db.ScoreName, src.ID); !strings.Contains(sc.Contribs[0].Why, "12 accounts failed from here") {
		t.Errorf("the new sprayer: %+v", sc)
	}
	asWhole(t, d, sum, passed(t, d, src, valueID(t, d, subject.LogonPair, "staff02 ← "+sprayer2), valueID(t, d, subject.LogonPair, "staff07 ← "+sprayer2))...)

	sum = pass("carol's logon", true, func() {
		a.accepted(first.AddDate(0, 0, 21).Add(9*time.Hour), "carol", "10.0.0.7") // brute-forced from another source on day 9
	})
	carol := valueID(t, d, subject.LogonAccount, "carol")
	if sc := scoreOf(t, d, db.ScoreName, carol.ID); !strings.Contains((rankedValue{"carol", sc}).why(SigBrute), "from 2 sources, most from "+bruter) {
		t.Errorf("carol, after a logon of hers from her workstation: %+v", sc)
	}
	asWhole(t, d, sum, passed(t, d, carol, valueID(t, d, subject.LogonPair, "carol ← 10.0.0.7"), valueID(t, d, subject.LogonSource, "10.0.0.7"))...)

	sum = pass("the success", false, func() { a.accepted(at.Add(2*time.Minute), "staff03", sprayer2) })
	account, pair := valueID(t, d, subject.LogonAccount, "staff03"), valueID(t, d, subject.LogonPair, "staff03 ← "+sprayer2)
	for _, v := range []db.NameRow{src, account, pair} {
		if sc := scoreOf(t, d, db.ScoreName, v.ID); !strings.Contains((rankedValue{v.Name, sc}).why(SigBreakIn), "staff03 succeeded from "+sprayer2+" after 12 failures") {
			t.Errorf("%s after the success: %+v", v.Name, sc)
		}
	}
	asWhole(t, d, sum, passed(t, d, src, account, pair)...)
}

// sprayer2 is a source new to logonWorld, which sprays at the time
// scoredLogonWorld gives.
const sprayer2 = "192.0.2.201"

// scoredLogonWorld is logonWorld scored whole: its workspace, the base
// of the passes after, its first day and a time to add logons at.
func scoredLogonWorld(t *testing.T) (d *db.DB, base *Base, first, at time.Time) {
	t.Helper()
	path, first := logonWorld(t)
	d = scoreFiles(t, path)
	_, base, err := runWhole(context.Background(), d, d.NewScoreWriter)
	if err != nil {
		t.Fatal(err)
	}
	return d, base, first, first.AddDate(0, 0, 17).Add(15 * time.Hour)
}

// appendLogons ingests sshd lines as a log of their own.
func appendLogons(t *testing.T, d *db.DB, lines string) {
	t.Helper()
	if _, err := ingest.Run(context.Background(), d, []string{writeLog(t, lines)}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
}

// A rule written after a whole scoring (a mark on the screen) takes a
// whole rescore for the HTTP and logon values too: the pass says so.
func TestIncrementalValuesAfterARuleChangeAskForAWholeRescore(t *testing.T) {
	ctx := context.Background()
	d := webWorld(t).done()
	_, base, err := runWhole(ctx, d, d.NewScoreWriter)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.PutRules(ctx, []rules.Rule{{Kind: subject.HTTPClient, Pattern: scanner2, Scope: rules.Name, Verdict: rules.Bad, Origin: "tui"}}); err != nil {
		t.Fatal(err)
	}
	appendWeb(t, d, "more.log", scan2(0, 30))
	if sum, _, err := increment(ctx, d, base); !errors.Is(err, errWhole) {
		t.Errorf("after a rule was written: %v, %v; want errWhole", sum, err)
	}
}

// A whole scoring reads the events up to its mark, not those an ingest
// stores while it reads: the pass after adds those to what it summed,
// and a request it had read too would count twice.
func TestWholeScoringSumsUpToItsMark(t *testing.T) {
	ctx := context.Background()
	d := webWorld(t).done()
	mark, err := d.BlocksMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	appendWeb(t, d, "more.log", scan2(0, 300)) // stored while the whole scoring reads
	_, s, err := compute(ctx, d, mark, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, _, err := increment(ctx, d, s.base(mark, 0, st.Events))
	if err != nil || !sum.Incremental {
		t.Fatalf("the pass: %+v, %v", sum, err)
	}
	asWhole(t, d, sum, passed(t, d, valueID(t, d, subject.HTTPClient, scanner2), valueID(t, d, subject.HTTPPath, "/cart"))...)
}

// A pass that would judge more than incLogons logons again gives up on
// them until the next whole scoring, and lets them go: the passes after
// it read no logons and hold none, where they kept adding each pass's.
func TestLogonsThatWaitForAWholeScoringAreLetGo(t *testing.T) {
	ctx := context.Background()
	d, base, _, at := scoredLogonWorld(t)
	defer func(n int) { incLogons = n }(incLogons)
	incLogons = 1
	for k, add := range []func(a *authLog){
		func(a *authLog) { a.accepted(at, "carol", bruter) }, // after carol's brute force from there: all judged again
		func(a *authLog) { a.failed(at.Add(time.Minute), "staff01", sprayer2) },
	} {
		var a authLog
		add(&a)
		appendLogons(t, d, a.b.String())
		sum, next, err := increment(ctx, d, base)
		if err != nil || !sum.Incremental || sum.Waiting == 0 {
			t.Fatalf("pass %d: %+v, %v: want the logons waiting", k, sum, err)
		}
		if l := next.logon; !l.waits || l.events != nil || l.judge != nil {
			t.Errorf("pass %d: the base still holds %d logons (waits %v)", k, len(l.events), l.waits)
		}
		base = next
	}
}
