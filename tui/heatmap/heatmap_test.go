package heatmap

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

func TestGoldens(t *testing.T) { tuitest.Goldens(t, New) }

// TestGridAddsUp checks the grid against the workspace's own totals: every
// event of the week lands in one cell.
func TestGridAddsUp(t *testing.T) {
	c, ts := tuitest.Targets(t)
	st, err := c.DB.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v := tuitest.Open(New, c, ts["all"], 80, 24).(*Model)
	if v.total != st.Events {
		t.Errorf("heatmap holds %d events, the workspace %d", v.total, st.Events)
	}
	if len(v.grid) != 7 || v.labels[0] != "Mon Mar 04 2024" {
		t.Errorf("want the generated week from Mon Mar 04 2024, got %d days from %q", len(v.grid), v.labels[0])
	}
}

// A name's heatmap holds the days it was seen, first to last, not every
// day of the workspace (which may reach back to a 1970 undated log).
func TestANameShowsTheDaysItWasSeen(t *testing.T) {
	c, ts := tuitest.Targets(t)
	n, err := c.DB.NameByText(context.Background(), 1, ts["name"].Label)
	if err != nil {
		t.Fatal(err)
	}
	v := tuitest.Open(New, c, ts["name"], 80, 24).(*Model)
	day := 24 * time.Hour
	first := time.UnixMicro(n.First).UTC().Truncate(day)
	days := int(time.UnixMicro(n.Last).UTC().Truncate(day).Sub(first)/day) + 1
	if v.total != n.Count || len(v.grid) != days || v.labels[0] != first.Format(dayLayout) {
		t.Errorf("%d events over %d days from %q; want %d over %d from %s", v.total, len(v.grid), v.labels[0], n.Count, days, first.Format(dayLayout))
	}
	if days >= 7 {
		t.Fatal("the planted name covers the whole test week: nothing shown")
	}
}

// A value's heatmap names its days as all traffic's does, with month and
// year: a name seen within one month was labelled "Mon 04", its busiest
// hour "Mon 04 00:00", beside an all-traffic heatmap saying "Dec 02 2021".
func TestAValuesDaysNameMonthAndYear(t *testing.T) {
	busiest := regexp.MustCompile(`busiest hour [A-Z][a-z]{2} [A-Z][a-z]{2} \d\d 2024 \d\d:00 `)
	c, ts := tuitest.Targets(t)
	n, err := c.DB.NameByText(context.Background(), 1, ts["name"].Label)
	if err != nil {
		t.Fatal(err)
	}
	first := time.UnixMicro(n.First).UTC()
	if first.Month() != time.UnixMicro(n.Last).UTC().Month() {
		t.Fatal("the planted name crosses a month: its labels named the month before")
	}
	for _, which := range []string{"name", "all"} {
		v := tuitest.Open(New, c, ts[which], 80, 24).(*Model)
		lines := strings.Split(ansi.Strip(v.View()), "\n")
		label := first.Format("Mon Jan 02 2006")
		if !busiest.MatchString(lines[1]) {
			t.Errorf("%s: the busiest hour without its month and year: %q", which, lines[1])
		}
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, label+" │") }) {
			t.Errorf("%s: no row labelled %q:\n%s", which, label, strings.Join(lines, "\n"))
		}
	}
}

func TestGridLabelsNameTheMonthAcrossMonths(t *testing.T) {
	first := time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC)
	grid, labels := Grid([]db.Point{{Start: first.Add(49 * time.Hour).UnixMicro(), N: 5}}, first, first.AddDate(0, 0, 3))
	if len(grid) != 4 || labels[2] != "Fri Mar 01 2024" || grid[2][1] != 5 {
		t.Errorf("labels %q, grid %v", labels, grid)
	}
}

func TestScrollKeys(t *testing.T) {
	c, ts := tuitest.Targets(t)
	v := tuitest.Open(New, c, ts["all"], 80, 10).(*Model) // 4 of 7 days fit
	rows := v.rows()
	if rows >= len(v.grid) {
		t.Fatalf("want fewer rows (%d) than days (%d)", rows, len(v.grid))
	}
	last := len(v.grid) - rows
	if v.top != last {
		t.Errorf("opens on day %d, want the newest days (%d on)", v.top, last)
	}
	tuitest.Press(v, "g")
	for _, s := range []struct {
		key  string
		want int
	}{
		{"j", 1}, {"down", 2}, {"k", 1}, {"up", 0}, {"up", 0},
		{"pgdown", last}, {"pgup", 0}, {"G", last}, {"g", 0}, {"end", last}, {"home", 0}, {"ctrl+f", last}, {"ctrl+b", 0},
	} {
		tuitest.Press(v, s.key)
		if v.top != s.want {
			t.Errorf("after %q the first day is %d, want %d", s.key, v.top, s.want)
		}
	}
	if !strings.Contains(ansi.Strip(v.View()), fmt.Sprintf("days 1–%d of 7", rows)) {
		t.Errorf("the screen does not say which days are shown:\n%s", ansi.Strip(v.View()))
	}
}

// BenchmarkOpenAllTraffic is opening the screen on all traffic: span, the
// series and the first View, on the benchmark workspace.
func BenchmarkOpenAllTraffic(b *testing.B) { tuitest.BenchOpenAllTraffic(b, New) }

// The workspace grows while the heatmap is open (a follow): the new day
// and its events appear, and the days on screen are the newest again.
func TestHeatmapFollowsWhatArrives(t *testing.T) {
	path, c := tuitest.Growing(t)
	v := tuitest.Open(New, c, tuitest.AllTraffic, 80, 12).(*Model)
	days, total := len(v.grid), v.total
	st, err := c.DB.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tuitest.Grow(t, path, 5, time.UnixMicro(st.Last).Add(24*time.Hour), "nextday.example.org")
	_, cmd := v.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(v, cmd)
	if len(v.grid) != days+1 || v.total != total+5 || v.top+v.rows() < len(v.grid) {
		t.Errorf("after a day more: %d days (was %d), %d events (was %d), days from %d of %d shown",
			len(v.grid), days, v.total, total, v.top, len(v.grid))
	}
}

// An empty workspace has no days: its heatmap said "0 events" over a row
// of Thu Jan 01 1970. Its first events draw it.
func TestAnEmptyWorkspaceHasNoDays(t *testing.T) {
	path, c := tuitest.Empty(t)
	v := tuitest.Open(New, c, tuitest.AllTraffic, 80, 24).(*Model)
	if out := ansi.Strip(v.View()); !strings.Contains(out, "no events") || strings.Contains(out, "1970") {
		t.Errorf("an empty workspace:\n%s", out)
	}
	tuitest.CheckSize(t, v, 80, 24)
	tuitest.Grow(t, path, 3, time.Date(2024, 3, 20, 8, 0, 0, 0, time.UTC), "first.example.org")
	_, cmd := v.Update(common.WorkspaceChangedMsg{})
	tuitest.Settle(v, cmd)
	if out := ansi.Strip(v.View()); !strings.Contains(out, "3 events") || strings.Contains(out, "no events") {
		t.Errorf("after 3 events came:\n%s", out)
	}
}

// Days without an event, three or more in a row, are one row saying how
// many; a grid across a new year names the years.
func TestGridFoldsEmptyDaysAndNamesYears(t *testing.T) {
	first := time.Date(2023, 12, 30, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 0, 10)
	at := func(d, h int) int64 { return first.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour).UnixMicro() }
	grid, labels := Grid([]db.Point{{Start: at(0, 5), N: 3}, {Start: at(1, 0), N: 1}, {Start: at(2, 0), N: 1},
		{Start: at(4, 0), N: 2}, {Start: at(10, 23), N: 4}}, first, last)
	want := []string{"Sat Dec 30 2023", "Sun Dec 31 2023", "Mon Jan 01 2024", "Tue Jan 02 2024", "Wed Jan 03 2024", "⋯ 5 days", "Tue Jan 09 2024"}
	if fmt.Sprint(labels) != fmt.Sprint(want) || len(grid) != len(want) || grid[6][23] != 4 || grid[3] != [24]int64{} {
		t.Errorf("labels %q (want %q), %d rows", labels, want, len(grid))
	}
}
