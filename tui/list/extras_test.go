package list

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/verdicts"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// openScored opens a list of w×h on a workspace that prep changed first
// (scored, ranked, snapshotted...), on its names by count as openList.
func openScored(t *testing.T, w, h int, opts Options, prep func(d *db.DB)) (*Model, *db.DB) {
	t.Helper()
	d := workspace(t, 3000)
	prep(d)
	if opts.Author == "" {
		opts.Author = "tester"
	}
	opts.ByCount = true
	m := New(common.New(context.Background(), d), opts)
	m.SetSize(w, h)
	tuitest.Settle(m, m.Init())
	if !m.Loaded() || m.sc == nil || m.an == nil {
		t.Fatalf("not loaded: %v", m.loadErr)
	}
	return m, d
}

func scoreIt(t *testing.T) func(d *db.DB) {
	return func(d *db.DB) {
		if _, err := score.Run(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
}

// E's rows carry the score the list shows, to a tenth.
func TestExportedRowsCarryTheScore(t *testing.T) {
	m, d := openScored(t, 80, 24, Options{}, scoreIt(t))
	press(m, "S")
	stored, _ := d.Scores(context.Background(), db.ScoreName)
	header, rows := m.Rows()
	if header[len(header)-1] != "score" || len(rows) == 0 {
		t.Fatalf("header %v, %d rows", header, len(rows))
	}
	r, _ := m.rowAt(0)
	if want := strconv.FormatFloat(stored[r.ID], 'f', 1, 64); rows[0][len(header)-1] != want {
		t.Errorf("first row %v, its score is %s", rows[0], want)
	}
}

// screenLines is the view without colour, by line.
func screenLines(m *Model) []string { return strings.Split(ansi.Strip(m.View()), "\n") }

func TestScoreColumnSortsByScore(t *testing.T) {
	m, d := openScored(t, 80, 24, Options{}, scoreIt(t))
	stored, err := d.Scores(context.Background(), db.ScoreName)
	if err != nil || len(stored) == 0 {
		t.Fatalf("scores: %d, %v", len(stored), err)
	}
	if !strings.Contains(screenLines(m)[1], "score") {
		t.Fatalf("no score column: %q", screenLines(m)[1])
	}
	msgs := press(m, "S")
	if m.q.Sort != review.SortScore || !strings.Contains(statusOf(msgs), "sort by score") {
		t.Fatalf("S: sort %v, said %q", m.q.Sort, statusOf(msgs))
	}
	if h := screenLines(m)[1]; !strings.Contains(h, "score↓") {
		t.Errorf("header %q does not show the score sort", h)
	}
	best := slices.Max(slicesOf(stored))
	if got := stored[cur(m).ID]; got != best {
		t.Errorf("first row %s scores %v, the best is %v", cur(m).Name, got, best)
	}
	prev := 101.0
	for p := range min(len(m.res.Lines), 500) {
		r, _ := m.rowAt(p)
		s, ok := stored[r.ID]
		if !ok {
			s = -1
		}
		if s > prev {
			t.Fatalf("row %d (%s) scores %v after %v", p, r.Name, s, prev)
		}
		prev = s
	}
	// The column shows the stored score in whole points.
	if row := screenLines(m)[2]; !strings.Contains(row, " "+scoreText(float32(best))+" ") {
		t.Errorf("first row %q does not show %v", row, best)
	}
	press(m, "O")
	if r := cur(m); stored[r.ID] == best {
		t.Error("O did not put the lowest score first")
	}
	press(m, "O", "o")
	if m.q.Sort != review.SortCount {
		t.Errorf("o after score went to %v, want count", m.q.Sort)
	}
}

func slicesOf(m map[uint32]float64) []float64 {
	out := make([]float64, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestWhyPanelFollowsTheCursor(t *testing.T) {
	m, d := openScored(t, 80, 24, Options{}, scoreIt(t))
	press(m, "d", "S")
	rowsBefore := m.rowsHeight()
	press(m, "y")
	if !m.why.open || m.rowsHeight() >= rowsBefore {
		t.Fatalf("y: open %v, rows %d → %d", m.why.open, rowsBefore, m.rowsHeight())
	}
	want, err := d.ScoreOf(context.Background(), db.ScoreDomain, cur(m).ID)
	if err != nil {
		t.Fatal(err)
	}
	screen := strings.Join(screenLines(m), "\n")
	if !strings.Contains(screen, "why "+scoreText(float32(want.Score))+" · "+cur(m).Name) {
		t.Errorf("panel title missing:\n%s", screen)
	}
	top := want.Contribs[0]
	firstWords := strings.SplitN(top.Why, ",", 2)[0]
	if !strings.Contains(screen, top.Signal) || !strings.Contains(screen, firstWords) {
		t.Errorf("panel does not show %s: %q:\n%s", top.Signal, firstWords, screen)
	}
	first := cur(m).Name
	press(m, "j")
	if m.why.subject.id != cur(m).ID || !m.why.loaded {
		t.Fatalf("panel did not follow to %s", cur(m).Name)
	}
	if screen := strings.Join(screenLines(m), "\n"); !strings.Contains(screen, "· "+cur(m).Name) || strings.Contains(screen, "· "+first+" ") {
		t.Errorf("panel still on %s:\n%s", first, screen)
	}
	// A row without a score says why it has none.
	press(m, "O", "g")
	if s := strings.Join(screenLines(m), "\n"); m.sc.Domains[m.res.Lines[0].Idx] == review.NoScore && !strings.Contains(s, "no score") {
		t.Errorf("unscored row:\n%s", s)
	}
	press(m, "y")
	if m.why.open || m.rowsHeight() != rowsBefore {
		t.Error("y did not close the panel")
	}
}

func TestWhyPanelGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m, _ := openScored(t, sz[0], sz[1], Options{}, scoreIt(t))
		press(m, "S", "y")
		tuitest.Settle(m, m.fetchSparks())
		golden.Assert(t, "why_"+itoa(sz[0])+"x"+itoa(sz[1]), m.View())
	}
}

func TestRenderWhyFitsAndSanitises(t *testing.T) {
	s := common.DefaultStyles()
	st := whyState{label: "x.example", loaded: true, score: db.Score{Score: 88, Contribs: []db.Contribution{
		{Signal: "tunnel", Points: 80, Why: strings.Repeat("1,843 unique subdomains, ", 20)},
		{Signal: "dga", Points: 8, Why: "\"evil\x1b[31m\": 6σ less likely"},
		{Signal: "new", Points: 0},
	}}}
	for _, w := range []int{40, 80, 120} {
		lines := renderWhy(s, st, w, 6)
		if len(lines) != 6 {
			t.Fatalf("%d wide: %d lines", w, len(lines))
		}
		text := strings.Join(lines, "\n")
		for i, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Errorf("%d wide: line %d is %d wide", w, i, ansi.StringWidth(l))
			}
		}
		if strings.Contains(text, "\x1b[31m") || strings.Contains(text, " new ") {
			t.Errorf("%d wide: raw escape or a zero signal:\n%s", w, text)
		}
		if !strings.Contains(text, "more lines") {
			t.Errorf("%d wide: the overflow is not said:\n%s", w, text)
		}
	}
}

// A mark is shown at once; the scores follow from a background run, and
// the info bar says "scoring…" meanwhile.
func TestMarkShowsAtOnceAndRescoresInBackground(t *testing.T) {
	m, d := openScored(t, 80, 24, Options{}, scoreIt(t))
	press(m, "d", "S")
	top := cur(m)
	if m.sc.Domains[m.res.Lines[0].Idx] == review.NoScore {
		t.Fatal("top domain unscored")
	}
	// On a domain's row, a marks the domain at once: only a domain rule
	// decides a group's row.
	_, cmd := m.Update(tuitest.Key("a"))
	// Run the write alone: its message comes before any scoring.
	var written writtenMsg
	for _, msg := range flatten(cmd) {
		if w, ok := msg.(writtenMsg); ok {
			written = w
		}
	}
	if written.verd == nil {
		t.Fatalf("no write: %v", written.err)
	}
	_, after := m.Update(written)
	if !m.scoring || !strings.Contains(screenLines(m)[0], "scoring…") {
		t.Errorf("scoring %v, info bar %q", m.scoring, screenLines(m)[0])
	}
	tuitest.Settle(m, after)
	if m.scoring {
		t.Fatal("still scoring after the run")
	}
	if v, ok := m.verd.Matcher.Match(top.Name); !ok || v.Verdict != rules.Good {
		t.Errorf("%s not good", top.Name)
	}
	stored, _ := d.Scores(context.Background(), db.ScoreDomain)
	if _, ok := stored[top.ID]; ok {
		t.Errorf("%s still scored after known-good", top.Name)
	}
	i := slices.IndexFunc(m.data.Domains.Rows, func(r review.Row) bool { return r.ID == top.ID })
	if m.sc.Domains[i] != review.NoScore {
		t.Errorf("column still shows %v for %s", m.sc.Domains[i], top.Name)
	}
	if strings.Contains(screenLines(m)[0], "scoring…") {
		t.Error("scoring… left in the info bar")
	}
}

// flatten runs cmd and the batches it holds, without feeding anything back.
func flatten(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, flatten(c)...)
		}
		return out
	case nil:
		return nil
	default:
		return []tea.Msg{msg}
	}
}

func TestRanksColumnAndHideRanked(t *testing.T) {
	ctx := context.Background()
	ranked := map[string]int{"google.com": 1, "microsoft.com": 2, "www.apple.com": 20000}
	m, d := openScored(t, 80, 24, Options{}, func(d *db.DB) {
		if _, err := d.PutRanks(ctx, "test", func(add func(string, int)) error {
			for n, r := range ranked {
				add(n, r)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	if h := screenLines(m)[1]; !strings.Contains(h, "rank") {
		t.Fatalf("no rank column: %q", h)
	}
	if r := cur(m); r.Name != "google.com" || !strings.Contains(screenLines(m)[2], "#1 ") {
		t.Errorf("first row %s: %q", r.Name, screenLines(m)[2])
	}
	// Independently: the names whose own or whose domain's rank is ≤ N.
	names, err := d.AllNames(ctx, subject.DNSName)
	if err != nil {
		t.Fatal(err)
	}
	expect := func(n int) (rows, events int64) {
		for _, r := range names {
			best := 0
			for _, k := range []string{r.Name, r.Domain} {
				if v := ranked[k]; v > 0 && (best == 0 || v < best) {
					best = v
				}
			}
			if best > 0 && best <= n {
				rows++
				events += r.Count
			}
		}
		return
	}
	press(m, "0", "P")
	wantRows, wantEvents := expect(defaultRankN)
	if h := m.res.Hid[review.HideRanked]; h.Rows != wantRows || h.Events != wantEvents || wantRows == 0 {
		t.Errorf("P hides %d names / %d events, want %d / %d", h.Rows, h.Events, wantRows, wantEvents)
	}
	if bar := screenLines(m)[23]; !strings.Contains(bar, " rank≤10k hidden") {
		t.Errorf("status line %q", bar)
	}
	press(m, "}", "}")
	wantRows, _ = expect(50000)
	if m.q.RankN != 50000 || m.res.Hid[review.HideRanked].Rows != wantRows {
		t.Errorf("} }: N %d hides %d, want 50000 hiding %d", m.q.RankN, m.res.Hid[review.HideRanked].Rows, wantRows)
	}
	press(m, "{", "{", "{")
	if m.q.RankN != 5000 {
		t.Errorf("{ x3: N %d", m.q.RankN)
	}
	press(m, "P")
	if m.q.HideRanked || m.res.Hid[review.HideRanked].Rows != 0 {
		t.Error("P did not turn the filter off")
	}
}

func TestHideRankedWithoutRanksSaysSo(t *testing.T) {
	m, _ := openScored(t, 80, 24, Options{}, func(*db.DB) {})
	for _, k := range []string{"P", "}", "{"} {
		if s := statusOf(press(m, k)); !strings.Contains(s, "no popularity ranks") || m.q.HideRanked {
			t.Errorf("%s said %q", k, s)
		}
	}
	if s := statusOf(press(m, "B")); !strings.Contains(s, "no baseline snapshot") || m.q.Fresh {
		t.Errorf("B said %q", s)
	}
	if strings.Contains(screenLines(m)[23], "rank") {
		t.Error("the status line offers a filter the workspace cannot use")
	}
}

func TestNewSinceTheBaselineSnapshot(t *testing.T) {
	ctx := context.Background()
	var snap db.Snapshot
	extra := filepath.Join(t.TempDir(), "later.log")
	m, d := openScored(t, 80, 24, Options{}, func(d *db.DB) {
		var err error
		if snap, err = d.CreateSnapshot(ctx, "monday"); err != nil {
			t.Fatal(err)
		}
		// After the snapshot: three new names, one of them twice.
		log := "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n"
		for i, n := range []string{"fresh1.newzone.test", "fresh2.newzone.test", "fresh2.newzone.test", "other.brandnew.example"} {
			log += strings.Join([]string{"1710086560.0" + itoa(i), "Cn" + itoa(i), "10.0.9.8", "5353", "10.0.0.53", "53", "udp", "1",
				"0.001", n, "1", "C_INTERNET", "1", "A", "0", "NOERROR", "F", "F", "T", "T", "0", "-", "-", "F"}, "\t") + "\n"
		}
		if err := os.WriteFile(extra, []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
		ingestFiles(t, d, extra)
	})
	want, err := d.NewNames(ctx, subject.DNSName, db.Since{Snapshot: snap.Name, MaxName: snap.MaxName})
	if err != nil || len(want) != 3 {
		t.Fatalf("new names: %d, %v", len(want), err)
	}
	press(m, "0", "B")
	var got []string
	for p := range m.res.Lines {
		r, _ := m.rowAt(p)
		got = append(got, r.Name)
	}
	if len(got) != 3 || m.res.ShownEvents != 4 {
		t.Errorf("B shows %v holding %d events, want the 3 new names holding 4", got, m.res.ShownEvents)
	}
	if bar := screenLines(m)[23]; !strings.Contains(bar, "B: 3 new since monday") {
		t.Errorf("status line %q", bar)
	}
	// Rolled up: the domains that are new as a whole.
	press(m, "d")
	if m.res.Rows != 2 {
		t.Errorf("new domains: %d, want newzone.test and brandnew.example", m.res.Rows)
	}
	press(m, "B")
	if m.res.Hid[review.Fresh].Rows != 0 || m.res.Rows != len(m.data.Domains.Rows) {
		t.Error("B did not turn the filter off")
	}
}

func TestImportPromptShowsTheSyntaxAndLoadsRanks(t *testing.T) {
	var typed string
	m, _ := openScored(t, 80, 24, Options{Import: func(ctx context.Context, d *db.DB, s string) (string, error) {
		typed = s
		return verdicts.ImportTyped(ctx, d, s, "tester")
	}}, func(*db.DB) {})
	press(m, "I")
	if bar := screenLines(m)[23]; !strings.Contains(bar, verdicts.PromptSyntax) {
		t.Fatalf("prompt %q does not show %q", bar, verdicts.PromptSyntax)
	}
	path := filepath.Join(t.TempDir(), "top.csv")
	if err := os.WriteFile(path, []byte("1,google.com\n2,microsoft.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range path + " ranks" {
		keys = append(keys, string(r))
		if r == ' ' {
			keys[len(keys)-1] = "space"
		}
	}
	msgs := press(m, append(keys, "enter")...)
	if typed != path+" ranks" {
		t.Fatalf("the hook got %q", typed)
	}
	if !m.an.AnyRanked || !strings.Contains(screenLines(m)[1], "rank") {
		t.Errorf("ranks not loaded after the import (said %q)", statusOf(msgs))
	}
}

// The first frame says how big the workspace is, from the stored totals,
// before the names are read.
func TestLoadingFrameShowsTheTotals(t *testing.T) {
	d := workspace(t, 3000)
	st, _ := d.Stats(context.Background())
	m := New(common.New(context.Background(), d), Options{Author: "x"})
	m.SetSize(80, 24)
	if !strings.Contains(m.View(), "opening the workspace") {
		t.Errorf("first frame:\n%s", m.View())
	}
	var statsCmd tea.Cmd
	for _, msg := range flatten(m.Init()) {
		if s, ok := msg.(statsMsg); ok {
			_, statsCmd = m.Update(s)
		}
	}
	if want := "loading " + words.Int(st.Names) + " names"; !strings.Contains(m.View(), want) || m.Loaded() {
		t.Errorf("loading frame lacks %q:\n%s", want, m.View())
	}
	tuitest.Settle(m, statsCmd)
	if !m.Loaded() {
		t.Fatal("not loaded after the stats")
	}
}

func ingestFiles(t *testing.T, d *db.DB, paths ...string) {
	t.Helper()
	if _, err := ingest.Run(context.Background(), d, paths, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
}

// f, the requests' filter, says where it works, where the list ignored it.
func TestTheRequestsFilterKeySaysWhereItWorks(t *testing.T) {
	m, _ := openScored(t, 80, 24, Options{}, func(*db.DB) {})
	if s := statusOf(press(m, "f")); !strings.Contains(s, "f filters a name's requests: enter opens them") {
		t.Errorf("f on the list said %q", s)
	}
}
