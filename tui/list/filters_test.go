package list

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
)

// The filters keep their places in the status line whether on or off, in
// plain words; F lists each with what it hides in rows and events.
func TestFilterLineKeepsItsOrderAndFListsWhatEachHides(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	bar := func() string { return screenLines(m)[23] }
	order := func() []int {
		var at []int
		for _, k := range []string{"H", "U", "T", "r"} {
			i := strings.Index(bar(), k+" ")
			if j := strings.Index(bar(), k+": "); j >= 0 {
				i = j
			}
			at = append(at, i)
		}
		return at
	}
	before := order()
	press(m, "T", "U", "H")
	if got := bar(); !strings.Contains(got, "U: ") || !strings.Contains(got, "T: ") || !strings.Contains(got, "H hide good") {
		t.Fatalf("status line %q", got)
	}
	after := order()
	for i := 1; i < len(after); i++ {
		if after[i] <= after[i-1] || before[i] <= before[i-1] {
			t.Errorf("the filters moved: %v, then %v in %q", before, after, bar())
		}
	}
	if strings.Contains(bar(), "−") {
		t.Errorf("cryptic counts: %q", bar())
	}
	msgs := press(m, "F")
	var pushed common.View
	for _, msg := range msgs {
		if p, ok := msg.(common.PushMsg); ok {
			pushed = p.View
		}
	}
	if pushed == nil {
		t.Fatalf("F pushed no screen: %#v", msgs)
	}
	pushed.SetSize(80, 24)
	s := strings.Join(strings.Fields(ansi.Strip(pushed.View())), " ")
	top := m.res.Hid[review.HideTop]
	want := "hide the 100 most visited ON hides " + words.Int(top.Rows) + " names and " + words.Int(top.Events) + " events"
	if !strings.Contains(s, want) || !strings.Contains(s, "hide known-good (rules of verdict good) off") {
		t.Errorf("the filters screen lacks %q:\n%s", want, s)
	}
}

// The filters screen fits its width: at 80 columns a filter that is on
// says what it hides on a line indented under its words, not wrapped to
// column 0 ("0 domains and 0 events" under "ON   hides"); at 120 on its
// own line. Each filter's state starts in one column.
func TestTheFiltersScreenFitsItsWidth(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	press(m, "T")
	for _, w := range []int{80, 120} {
		var pushed common.View
		for _, msg := range press(m, "F") {
			if p, ok := msg.(common.PushMsg); ok {
				pushed = p.View
			}
		}
		pushed.SetSize(w, 24)
		lines := strings.Split(ansi.Strip(pushed.View()), "\n")
		states := map[int]bool{}
		for i, l := range lines {
			if strings.Contains(l, "events") && !strings.HasPrefix(l, "Shown") && !strings.HasPrefix(l, "  ") {
				t.Errorf("%d columns: line %d is not indented: %q", w, i, l)
			}
			if at := max(strings.Index(l, " ON "), strings.Index(l, " off")); at > 0 && strings.HasPrefix(l, "  ") {
				states[at] = true
			}
			if strings.Contains(l, "hides") && w == 120 && !strings.Contains(l, "ON") {
				t.Errorf("%d columns: what a filter hides is not on its line: %q", w, l)
			}
		}
		if len(states) != 1 {
			t.Errorf("%d columns: the filters' states start in columns %v:\n%s", w, states, strings.Join(lines, "\n"))
		}
	}
}

// A prompt that opens on the last query (search, the category and network
// filters) shows it selected: the first character typed replaces it (it
// was appended: "183.62re:(zzzz"), a cursor key keeps it to edit.
func TestAPromptReplacesItsLastQuery(t *testing.T) {
	m, _ := openList(t, 80, 24, Options{})
	press(m, "/", "g", "o", "o", "enter", "/")
	if bar := screenLines(m)[23]; !strings.Contains(bar, "/ goo") {
		t.Fatalf("the search opens without its last query: %q", bar)
	}
	press(m, "w", "w", "w", "enter")
	if m.searchText != "www" {
		t.Errorf("typing over the last query searched %q", m.searchText)
	}
	press(m, "/", "end", ".", "enter")
	if m.searchText != "www." {
		t.Errorf("end then a key searched %q, want the query edited", m.searchText)
	}
	press(m, "/", "backspace", "enter")
	if m.searchText != "" {
		t.Errorf("backspace on the selected query left %q", m.searchText)
	}
}
