package chart

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/longtail/longtail/tui/internal/golden"
)

var monday = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)

// diurnal is a week of hourly counts with an office rhythm, a quiet 03:00
// and weekends at a third.
func diurnal(days int) []Point {
	var pts []Point
	for i := range days * 24 {
		h := i % 24
		v := int64(1000*math.Max(0, math.Sin(float64(h-6)/12*math.Pi))) + 3
		if d := i / 24 % 7; d >= 5 {
			v /= 3
		}
		if h == 3 {
			continue // an empty bucket: must come out as zero
		}
		pts = append(pts, Point{monday.Add(time.Duration(i) * time.Hour).UnixMicro(), v})
	}
	return pts
}

func checkBox(t *testing.T, s string, width, height int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if height > 0 && len(lines) != height {
		t.Errorf("%d lines, want %d", len(lines), height)
	}
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n != width {
			t.Errorf("line %d is %d cells, want %d: %q", i, n, width, l)
		}
	}
}

func TestSparkline(t *testing.T) {
	for _, c := range []struct {
		values []int64
		width  int
		want   string
	}{
		{[]int64{0, 1, 1000, 0}, 4, " ▁█ "},              // one event among a thousand still shows
		{[]int64{0, 0, 0}, 3, "   "},                     // nothing at all is blank
		{nil, 5, "     "},                                // no data is blank, full width
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8}, 8, "▁▂▃▄▅▆▇█"}, // linear
		{[]int64{1, 1, 0, 0, 8, 8}, 3, "▁ █"},            // shrinking sums pairs: 2, 0, 16
		{[]int64{0, 4}, 4, "  ██"},                       // widening repeats
		{[]int64{5}, 0, ""},
	} {
		if got := Sparkline(c.values, c.width); got != c.want {
			t.Errorf("Sparkline(%v, %d) = %q, want %q", c.values, c.width, got, c.want)
		}
	}
}

func TestResampleKeepsTheTotal(t *testing.T) {
	values := make([]int64, 1000)
	var sum int64
	for i := range values {
		values[i] = int64(i % 7)
		sum += values[i]
	}
	for _, n := range []int{1, 7, 33, 999} {
		var got int64
		for _, v := range Resample(values, n) {
			got += v
		}
		if got != sum {
			t.Errorf("Resample to %d cells: total %d, want %d", n, got, sum)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1.0k", 1234: "1.2k", 9949: "9.9k", 9950: "10k",
		123456: "123k", 999499: "999k", 999500: "1.0M", 20_000_000: "20M", 3_500_000_000: "3.5G"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
		if len(Count(n)) > labelW {
			t.Errorf("Count(%d) = %q is wider than the label column", n, Count(n))
		}
	}
}

func TestTimeChartGolden(t *testing.T) {
	week, day := diurnal(7), diurnal(1)
	hour := []Point{{monday.UnixMicro(), 3}, {monday.Add(10 * time.Minute).UnixMicro(), 1}, {monday.Add(50 * time.Minute).UnixMicro(), 12}}
	from := monday.UnixMicro()
	for _, c := range []struct {
		name          string
		pts           []Point
		span, bucket  time.Duration
		width, height int
	}{
		{"week_80x12", week, 7 * 24 * time.Hour, 2 * time.Hour, 80, 12},
		{"week_120x30", week, 7 * 24 * time.Hour, time.Hour, 120, 30},
		{"day_80x10", day, 24 * time.Hour, time.Hour, 80, 10},
		{"hour_80x8", hour, time.Hour, time.Minute, 80, 8},
		{"empty_40x5", nil, time.Hour, time.Minute, 40, 5},
		{"month_80x8", diurnal(60), 60 * 24 * time.Hour, 24 * time.Hour, 80, 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := TimeChart(c.pts, from, from+c.span.Microseconds(), c.bucket, c.width, c.height, Options{})
			checkBox(t, got, c.width, c.height)
			golden.Assert(t, "timechart_"+c.name, got)
		})
	}
}

// One event among empty minutes is drawn off the zero line, where it
// happened, even beside a thousand; an event outside the range is not
// drawn and does not stretch the scale.
func TestTimeChartDrawsEveryEventAndNoMore(t *testing.T) {
	from := monday.UnixMicro()
	minute := time.Minute.Microseconds()
	pts := []Point{{from + 5*minute, 1}, {from + 40*minute, 1000}, {from - minute, 100_000}}
	// 60 minutes in 30 columns, two per braille cell: minute 5 in column
	// 2, minute 40 in column 20.
	got := TimeChart(pts, from, from+time.Hour.Microseconds(), time.Minute, 30+labelW+2, 6, Options{})
	lines := strings.Split(got, "\n")
	one := false
	for r, line := range lines[:4] { // the plot rows; the lowest holds the zero line, ⣀
		label, plot := string([]rune(line)[:labelW]), []rune(line)[labelW+2:]
		if n := strings.TrimSpace(label); strings.HasSuffix(n, "k") && n != "1.0k" {
			t.Errorf("row %d is labelled %s: the event outside the range counted", r, n)
		}
		for i, c := range plot {
			switch {
			case c == ' ' || (r == 3 && c == '⣀'):
			case i >= 1 && i <= 3:
				one = true
			case i < 19 || i > 21:
				t.Errorf("row %d column %d = %q; only minutes 5 and 40 rise", r, i, c)
			}
		}
	}
	if !one {
		t.Errorf("the one event is not drawn above the zero line:\n%s", got)
	}
}

func TestTimeTicksAdaptToTheSpan(t *testing.T) {
	from := monday.Add(9 * time.Hour).UnixMicro()
	for _, c := range []struct {
		span time.Duration
		want string // the first two labels
	}{
		{2 * time.Hour, "09:00 09:15"},
		{3 * 24 * time.Hour, "12:00 Tue 05"},        // hours, a midnight shows its day
		{10 * 24 * time.Hour, "Wed 06 Fri 08"},      // every other day
		{90 * 24 * time.Hour, "Mar 18 Apr 01"},      // fortnights, by date
		{730 * 24 * time.Hour, "Jul 2024 Jan 2025"}, // half years
		{18 * 365 * 24 * time.Hour, "2029 2034"},    // years
	} {
		ticks := timeTicks(from, c.span.Microseconds(), 70, time.UTC, false)
		if len(ticks) < 2 {
			t.Fatalf("span %v: %d ticks", c.span, len(ticks))
		}
		if got := ticks[0].label + " " + ticks[1].label; got != c.want {
			t.Errorf("span %v: labels start %q, want %q", c.span, got, c.want)
		}
		for i := 1; i < len(ticks); i++ {
			if ticks[i].col-ticks[i-1].col < len(ticks[i-1].label)+1 {
				t.Errorf("span %v: labels %q and %q overlap", c.span, ticks[i-1].label, ticks[i].label)
			}
		}
	}
}

func TestYScaleReachesTheMaximum(t *testing.T) {
	for _, hi := range []int64{0, 1, 3, 7, 99, 1003, 4321, 123456789} {
		for _, rows := range []int{1, 2, 4, 9, 22} {
			sc := yScale(hi, rows)
			if top := sc.step * int64(rows) / int64(sc.every); top < hi {
				t.Errorf("yScale(%d, %d) = %+v tops at %d", hi, rows, sc, top)
			}
		}
	}
}

func weekGrid(days int) ([][24]int64, []string) {
	pts := diurnal(days)
	grid := make([][24]int64, days)
	labels := make([]string, days)
	for _, p := range pts {
		h := (p.Start - monday.UnixMicro()) / time.Hour.Microseconds()
		grid[h/24][h%24] = p.N
	}
	for d := range labels {
		labels[d] = monday.AddDate(0, 0, d).Format("Mon 02")
	}
	return grid, labels
}

func TestHeatmapGolden(t *testing.T) {
	grid, labels := weekGrid(7)
	for _, width := range []int{80, 120, 40} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			got := Heatmap(grid, labels, width)
			checkBox(t, got, width, 0)
			golden.Assert(t, fmt.Sprintf("heatmap_week_%d", width), got)
		})
	}
	golden.Assert(t, "heatmap_rare_80", Heatmap([][24]int64{{9: 1, 10: 2}, {23: 3}}, []string{"Sat 09", "Sun 10"}, 80))
	golden.Assert(t, "heatmap_empty_80", Heatmap([][24]int64{{}}, []string{"Mon 04"}, 80))
}

// TestHeatmapLegendMatchesShades checks that every count is drawn with the
// shade whose legend entry holds it, that the busiest hour is full block,
// and that the scale separates quiet, middling and busy hours.
func TestHeatmapLegendMatchesShades(t *testing.T) {
	for _, hi := range []int64{1, 2, 3, 5, 17, 888, 100_000} {
		var grid [][24]int64
		for v := int64(0); v <= hi; v += max(hi/500, 1) {
			if len(grid) == 0 || v%24 == 0 {
				grid = append(grid, [24]int64{})
			}
			grid[len(grid)-1][v%24] = v * v / max(hi, 1) // skewed: many small counts
		}
		grid[0][23] = hi
		bounds := heatBounds(grid)
		entries := strings.Fields(strings.TrimPrefix(legend(bounds, 200), "events/hour: blank 0"))
		ranges := map[rune][2]int64{}
		for i := 0; i+1 < len(entries); i += 2 {
			lo, up, _ := strings.Cut(entries[i+1], "–")
			if up == "" {
				up = lo
			}
			ranges[[]rune(entries[i])[0]] = [2]int64{parseCount(t, lo), parseCount(t, up)}
		}
		for v := int64(1); v <= hi; v += max(hi/500, 1) {
			g := shade(v, bounds)
			r, ok := ranges[g]
			if !ok || (hi < 1000 && (v < r[0] || v > r[1])) { // above, the legend rounds
				t.Errorf("hi %d: %d drawn as %q, legend %v", hi, v, g, ranges)
			}
		}
		if shade(hi, bounds) != '█' || shade(0, bounds) != ' ' {
			t.Errorf("hi %d: the busiest hour is %q, zero %q", hi, shade(hi, bounds), shade(0, bounds))
		}
	}
	grid, _ := weekGrid(7)
	if b := heatBounds(grid); shade(3, b) == shade(258, b) || shade(258, b) == shade(1003, b) {
		t.Errorf("a night hour (3), 07:00 (258) and the peak (1003) are not told apart: bounds %v", b)
	}
}

// parseCount reads a legend number back (exact below 1000, where the test
// compares ranges).
func parseCount(t *testing.T, s string) int64 {
	var n float64
	var unit string
	fmt.Sscanf(s, "%g%s", &n, &unit)
	switch unit {
	case "k":
		n *= 1e3
	case "M":
		n *= 1e6
	}
	return int64(n)
}

func TestHeatmapWindowKeepsTheScale(t *testing.T) {
	grid, labels := weekGrid(14)
	whole := strings.Split(Heatmap(grid, labels, 80), "\n")
	part := strings.Split(HeatmapWindow(grid, labels, 80, 10, 3), "\n")
	if len(part) != 1+3+1 {
		t.Fatalf("window has %d lines, want header, 3 rows, legend:\n%s", len(part), strings.Join(part, "\n"))
	}
	for i := range 3 {
		if part[1+i] != whole[11+i] {
			t.Errorf("row %d differs in the window:\n%s\n%s", 10+i, part[1+i], whole[11+i])
		}
	}
	if part[4] != whole[len(whole)-1] {
		t.Errorf("legend differs: %q vs %q", part[4], whole[len(whole)-1])
	}
}

// BenchmarkSparklines draws the sparklines of a screen of rows: a week of
// hourly buckets each into a 20-cell column.
func BenchmarkSparklines(b *testing.B) {
	values := make([]int64, 168)
	for i := range values {
		values[i] = int64(i*i) % 97
	}
	b.ReportAllocs()
	for b.Loop() {
		for range 40 {
			Sparkline(values, 20)
		}
	}
}

func BenchmarkTimeChart(b *testing.B) {
	pts := make([]Point, 0, 7*24*60)
	from := monday.UnixMicro()
	for i := range 7 * 24 * 60 {
		pts = append(pts, Point{from + int64(i)*time.Minute.Microseconds(), int64(i % 113)})
	}
	to := from + 7*24*time.Hour.Microseconds()
	b.ReportAllocs()
	for b.Loop() {
		TimeChart(pts, from, to, time.Hour, 120, 36, Options{})
	}
}

func BenchmarkHeatmap(b *testing.B) {
	grid, labels := weekGrid(31)
	b.ReportAllocs()
	for b.Loop() {
		Heatmap(grid, labels, 120)
	}
}

// Bars fill the width for the top count and in proportion below it, in
// eighths of a cell; one request beside a thousand is still drawn, and a
// count above the top is drawn as the top.
func TestBars(t *testing.T) {
	got := Bars([]int64{1000, 500, 125, 1, 0, 5000}, 1000, 8)
	want := []string{"████████", "████    ", "█       ", "▏       ", "        ", "████████"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Bars:\n%q\nwant\n%q", got, want)
	}
	checkBox(t, strings.Join(Bars([]int64{3, 2, 1}, 3, 17), "\n"), 17, 3)
}

// BenchmarkBars draws the bars of a screen of clients, as the clients view
// does on every frame.
func BenchmarkBars(b *testing.B) {
	counts := make([]int64, 36)
	for i := range counts {
		counts[i] = int64(1000 / (i + 1))
	}
	b.ReportAllocs()
	for b.Loop() {
		Bars(counts, 1000, 24)
	}
}
