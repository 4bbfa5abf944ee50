package list

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/categories"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// categorised opens a list of w×h on the generated workspace after giving
// its busiest registered domain the category cdn, the next two ads (one
// of them also gambling), as lists imported with --category would.
func categorised(t *testing.T, w, h int) (*Model, map[string]string) {
	t.Helper()
	d := workspace(t, 3000)
	top, err := d.TopDomains(context.Background(), subject.DNSName, 3, 0)
	if err != nil || len(top) < 3 {
		t.Fatalf("%v %v", top, err)
	}
	given := map[string]string{top[0].Name: "cdn", top[1].Name: "ads", top[2].Name: "ads"}
	importCategories(t, d, map[string]string{"cdn": top[0].Name + "\n", "ads": top[1].Name + "\n" + top[2].Name + "\n",
		"gambling": top[2].Name + "\n"})
	return openSparked(t, d, w, h), given
}

// importCategories imports each list of names as its category, as
// longtail import-list FILE --category NAME does.
func importCategories(t *testing.T, d *db.DB, lists map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for cat, text := range lists {
		p := filepath.Join(dir, cat+".txt")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		opt := categories.Options{Categories: []string{cat}, Origin: cat, Now: time.Now()}
		if _, err := categories.Import(context.Background(), d, p, opt); err != nil {
			t.Fatal(err)
		}
	}
}

// openSparked opens a list of w×h on d by count, its sparklines drawn.
func openSparked(t *testing.T, d *db.DB, w, h int) *Model {
	t.Helper()
	m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(w, h)
	tuitest.Settle(m, m.Init())
	if !m.Loaded() {
		t.Fatalf("not loaded: %v", m.loadErr)
	}
	tuitest.Settle(m, m.fetchSparks())
	return m
}

// shownDomains are the registered domains of the names on screen.
func shownDomains(m *Model) map[string]bool {
	out := map[string]bool{}
	for p := range m.res.Lines {
		r, _ := m.rowAt(p)
		out[r.Domain] = true
	}
	return out
}

func typeText(m *Model, text string) {
	for _, r := range text {
		k := string(r)
		if r == ' ' {
			k = "space"
		}
		press(m, k)
	}
}

// The category column, the C prompt with the tally above it, hiding and
// showing only categories, and 0 turning it off.
func TestCategoryKeys(t *testing.T) {
	m, given := categorised(t, 120, 40)
	screen := ansi.Strip(m.View())
	lines := strings.Split(screen, "\n")
	if !strings.Contains(lines[1], "category") {
		t.Fatalf("no category column:\n%s", screen)
	}
	var cdn, ads string
	for d, c := range given {
		if c == "cdn" {
			cdn = d
		} else {
			ads = d
		}
	}
	for _, l := range lines[2:] {
		if strings.HasSuffix(strings.TrimSpace(l), "."+cdn) && !strings.Contains(l, " cdn ") {
			t.Errorf("a name of %s without its category: %q", cdn, l)
		}
	}
	// On the last row, the tally's line leaves the cursor in view (the
	// filter keys' hint gone: H twice).
	press(m, "H", "H", "G")
	press(m, "C")
	if m.inputKind != inputCategory || !strings.Contains(ansi.Strip(m.View()), "events by category: ") {
		t.Fatalf("no prompt or tally:\n%s", ansi.Strip(m.View()))
	}
	if m.cursor >= m.offset+m.rowsHeight() {
		t.Errorf("cursor %d out of view (%d+%d)", m.cursor, m.offset, m.rowsHeight())
	}
	typeText(m, "hide cdn")
	press(m, "enter")
	if shown := shownDomains(m); shown[cdn] || !shown[ads] || m.res.Hid[review.Category].Rows == 0 {
		t.Errorf("hide cdn: %s shown %v, %s shown %v", cdn, shown[cdn], ads, shown[ads])
	}
	bottom := ansi.Strip(m.bottomBar(120))
	if !strings.Contains(bottom, "C: 9 cdn hidden") {
		t.Errorf("status line %q", bottom)
	}
	// The prompt opens with the filter as it is; esc leaves it so.
	press(m, "C")
	if m.input.Value() != "hide cdn" {
		t.Errorf("prompt value %q", m.input.Value())
	}
	press(m, "esc")
	if !m.q.Category.On() {
		t.Error("esc changed the filter")
	}
	press(m, "C")
	for range len("hide cdn") {
		press(m, "backspace")
	}
	typeText(m, "only gambling")
	press(m, "enter")
	for d := range shownDomains(m) {
		if given[d] != "ads" {
			t.Errorf("only gambling shows %s", d)
		}
	}
	if len(shownDomains(m)) != 1 {
		t.Errorf("only gambling shows %v", shownDomains(m))
	}
	// An unknown category is said, and the filter kept.
	press(m, "C", "end", "backspace") // the filter, selected, is edited after end
	msgs := press(m, "x", "enter")
	if s := statusOf(msgs); !strings.Contains(s, "no category gamblinx") || len(shownDomains(m)) != 1 {
		t.Errorf("unknown category: %q, %v", s, shownDomains(m))
	}
	press(m, "0")
	if m.q.Category.On() || !shownDomains(m)[cdn] {
		t.Error("0 left the category filter on")
	}
	// The why panel names every category of the row.
	for p := range m.res.Lines {
		if r, _ := m.rowAt(p); given[r.Domain] == "ads" && len(m.an.Categories.Catalog.Names(m.an.Categories.Of(false)[m.res.Lines[p].Idx])) == 2 {
			m.moveTo(p)
			break
		}
	}
	press(m, "y")
	if screen := ansi.Strip(m.View()); !strings.Contains(screen, "category ads, gambling") {
		t.Errorf("why panel:\n%s", screen)
	}
}

// Without categories the key says how to get them; the column is not
// there.
func TestCategoryKeyWithoutCategories(t *testing.T) {
	m, _ := openList(t, 120, 40, Options{})
	if strings.Contains(strings.Split(ansi.Strip(m.View()), "\n")[1], "category") {
		t.Error("a category column without categories")
	}
	if s := statusOf(press(m, "C")); !strings.Contains(s, "no categories: longtail import-list") || m.inputKind != inputNone {
		t.Errorf("C said %q", s)
	}
}

// The category column at 120 columns, the prompt with its tally, and at 80
// columns the column dropped first.
func TestCategoryGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m, _ := categorised(t, sz[0], sz[1])
		suffix := "_" + itoa(sz[0]) + "x" + itoa(sz[1])
		press(m, "d")
		tuitest.Settle(m, m.fetchSparks())
		golden.Assert(t, "categories"+suffix, m.View())
		press(m, "C")
		golden.Assert(t, "categories_prompt"+suffix, m.View())
	}
}

// A result that comes while the category prompt is open (a filter
// changed just before it opened) is what the tally above it counts.
func TestCategoryTallyFollowsTheResult(t *testing.T) {
	m, _ := categorised(t, 120, 40)
	press(m, "d", "C")
	all := m.categoryTally()
	press(m, "esc")
	_, cmd := m.Update(tuitest.Key("r")) // its result not in yet
	press(m, "C")
	if m.categoryTally() != all {
		t.Fatalf("the tally moved before the result came: %q", m.categoryTally())
	}
	tuitest.Settle(m, cmd)
	if got := m.categoryTally(); got == all {
		t.Errorf("the tally still counts the list before r: %q", got)
	}
}
