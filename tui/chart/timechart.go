package chart

import (
	"math"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/v2/canvas"
	"github.com/NimbleMarkets/ntcharts/v2/linechart/timeserieslinechart"
)

// Point is one bucket of a series: the same shape as db.Point, so a caller
// converts with chart.Point(p) and this package stays free of the database.
type Point struct {
	Start int64 // unix µs, the bucket's start
	N     int64
}

// Options tune TimeChart.
type Options struct {
	Loc *time.Location // where the time labels are read; UTC when nil
	// Years puts the year in the date labels, on the first and where it
	// changes: for a range that crosses one.
	Years bool
}

// TimeChart draws the events of points between from and to (unix µs, to
// exclusive) in buckets of size bucket as a line in braille, as height
// lines of exactly width cells: the plot with a y scale on the left, an x
// axis with ticks, and time labels under it. Buckets missing from points
// count as zero. A braille cell is two dots wide, so the plot shows two
// buckets per column (Dots says how many fit); when there are fewer
// buckets each is drawn wider, when there are more neighbours share a dot
// column (summed: the counts are events, not samples to average).
//
// The plot is ntcharts' time-series line chart; the scale and the labels
// are computed here so that they fall on round numbers and round times,
// which ntcharts, labelling every n columns, does not do.
func TimeChart(points []Point, from, to int64, bucket time.Duration, width, height int, opts Options) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	loc := opts.Loc
	if loc == nil {
		loc = time.UTC
	}
	step := max(bucket.Microseconds(), 1)
	if to <= from {
		to = from + step
	}
	nb := int((to - from + step - 1) / step)
	span := int64(nb) * step
	values := make([]int64, nb)
	for _, p := range points {
		if p.Start >= from && p.Start < to {
			values[(p.Start-from)/step] += p.N
		}
	}
	plotW := max(width-labelW-2, 1)
	if height < 3 {
		// No room for an axis: the counts alone, as a sparkline.
		return strings.TrimSuffix(strings.Repeat(Sparkline(values, width)+"\n", height), "\n")
	}
	// Too many buckets for the dots: neighbours summed into one dot.
	dots := values
	if nb > 2*plotW {
		dots = Resample(values, 2*plotW)
	}
	var hi int64
	for _, v := range dots {
		hi = max(hi, v)
	}
	rows := height - 2
	sc := yScale(hi, rows)
	top := float64(sc.step) * float64(rows) / float64(sc.every)
	lc := timeserieslinechart.New(width, height,
		timeserieslinechart.WithXYSteps(1, sc.every),
		timeserieslinechart.WithYLabelFormatter(func(_ int, v float64) string {
			return padLeft(Count(int64(math.Round(v))), labelW) + " "
		}),
		timeserieslinechart.WithXLabelFormatter(tickLabels(from, span, plotW, loc, opts.Years)),
		timeserieslinechart.WithYRange(0, top),
		timeserieslinechart.WithTimeRange(time.UnixMicro(from), time.UnixMicro(from+span)))
	if hi > 0 {
		// One point per dot column, at its middle; a non-zero count is
		// raised to one dot so that a single event among thousands
		// stays off the zero line.
		least := top / float64(4*rows-1)
		dotSpan := float64(span) / float64(len(dots))
		for i, v := range dots {
			y := float64(v)
			if v > 0 {
				y = max(y, least)
			}
			at := from + int64((float64(i)+0.5)*dotSpan)
			lc.Push(timeserieslinechart.TimePoint{Time: time.UnixMicro(at), Value: y})
		}
		lc.DrawBraille()
	} else {
		// Say so rather than draw a flat line.
		lc.DrawXYAxisAndLabel()
		lc.Canvas.SetString(canvas.Point{X: labelW + 3, Y: (rows - 1) / 2}, "no events in this range"[:min(23, max(plotW-1, 0))])
	}
	// Ticks where the axes are labelled.
	origin := lc.Origin()
	for i := sc.every; i <= rows; i += sc.every {
		lc.Canvas.SetCell(canvas.Point{X: origin.X, Y: origin.Y - i}, canvas.NewCell('┤'))
	}
	for _, t := range timeTicks(from, span, plotW, loc, opts.Years) {
		lc.Canvas.SetCell(canvas.Point{X: origin.X + 1 + t.col, Y: origin.Y}, canvas.NewCell('┬'))
	}
	return plain(&lc.Canvas)
}

// plain is the text of an ntcharts canvas, its cells' runes without their
// styles: this package draws no colour, and ntcharts' View renders every
// cell through lipgloss, fifty times the cost of the chart.
func plain(c *canvas.Model) string {
	var b strings.Builder
	b.Grow(c.Width() * c.Height() * 3)
	for y := range c.Height() {
		if y > 0 {
			b.WriteByte('\n')
		}
		for x := range c.Width() {
			r := c.Cell(canvas.Point{X: x, Y: y}).Rune
			if r == 0 {
				r = ' '
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tickLabels is the x label formatter of TimeChart: ntcharts asks for a
// label at every column of the axis (column 0 is the corner) and draws
// those it is given; this gives the labels of timeTicks at their columns.
func tickLabels(from, span int64, cols int, loc *time.Location, years bool) func(int, float64) string {
	at := map[int]string{}
	for _, t := range timeTicks(from, span, cols, loc, years) {
		at[t.col+1] = t.label
	}
	return func(i int, _ float64) string { return at[i] }
}

// Dots is how many buckets TimeChart draws apart in width cells: two per
// plot column, braille being two dots wide.
func Dots(width int) int { return 2 * max(width-labelW-2, 1) }

// scale says that every every rows a labelled line stands for step more
// events: labels are round numbers even when a row is a fraction of one.
type scale struct {
	step  int64
	every int
}

// niceSteps are the label steps per decade.
var niceSteps = []int64{10, 20, 25, 50}

// yScale picks the scale whose top, step·rows/every, is the lowest at or
// above hi, with between two and five labels where the rows allow.
func yScale(hi int64, rows int) scale {
	best, bestTop := scale{1, 1}, int64(-1)
	for every := max(rows/5, 1); every <= max(rows/2, 1); every++ {
		need := (hi*int64(every) + int64(rows) - 1) / int64(rows) // smallest step reaching hi
		step := niceAtLeast(need)
		top := step * int64(rows) / int64(every)
		if bestTop < 0 || top < bestTop {
			best, bestTop = scale{step, every}, top
		}
	}
	return best
}

// niceAtLeast rounds n up to 1, 2, 2.5 or 5 times a power of ten (an
// integer, at least 1).
func niceAtLeast(n int64) int64 {
	if n <= 1 {
		return 1
	}
	for p := int64(1); ; p *= 10 {
		for _, m := range niceSteps {
			if v := m * p / 10; v*10 == m*p && v >= n {
				return v
			}
		}
	}
}

// labelW is the width of the y labels: Count never needs more than four cells.
const labelW = 4

type tick struct {
	col   int
	label string
}

// tickSteps are the label intervals, finest first.
var tickSteps = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour,
}

// timeTicks places labelled ticks on cols columns covering span µs from
// from: the finest interval whose labels do not crowd each other. Labels
// read HH:MM within a day (a midnight shows the day instead), "Mon 02" for
// day steps over up to a month, and "Jan 02" beyond.
func timeTicks(from, span int64, cols int, loc *time.Location, years bool) []tick {
	const labelRoom = 8 // "Mon 02" and a gap
	var step time.Duration
	for _, s := range tickSteps {
		step = s
		if s.Microseconds()*int64(cols) >= int64(labelRoom)*span {
			break
		}
	}
	if step.Microseconds()*int64(cols) < int64(labelRoom)*span {
		return monthTicks(from, span, cols, loc)
	}
	dayStep := step >= 24*time.Hour
	long := span > 31*24*time.Hour.Microseconds()
	start := time.UnixMicro(from).In(loc)
	t := start.Truncate(step)
	if dayStep || step >= time.Hour {
		// Truncate works on absolute time; align to local midnight instead.
		t = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
		if dayStep && step == 7*24*time.Hour {
			t = t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7)) // Mondays
		}
	}
	var out []tick
	year := 0
	for ; t.UnixMicro() < from+span; t = t.Add(step) {
		if t.UnixMicro() < from {
			continue
		}
		col := int((t.UnixMicro() - from) * int64(cols) / span)
		label := t.Format("15:04")
		switch {
		case long:
			label = t.Format("Jan 02")
		case dayStep || (t.Hour() == 0 && t.Minute() == 0 && span > 24*time.Hour.Microseconds()):
			label = t.Format("Mon 02")
		}
		if years && t.Year() != year && (long || dayStep || label != t.Format("15:04")) {
			label = t.Format("Jan 02 2006")
		}
		year = t.Year()
		out = append(out, tick{col, label})
	}
	return out
}

// monthSteps are the label intervals, in months, of a span of years.
var monthSteps = []int{2, 3, 6, 12, 24, 60, 120}

// monthTicks places ticks on the first of months for a span too long for
// timeTicks' fortnights: "Jan 2024", or "2024" when the step is years.
func monthTicks(from, span int64, cols int, loc *time.Location) []tick {
	const labelRoom = 9 // "Jan 2006" and a gap
	months := monthSteps[len(monthSteps)-1]
	for _, n := range monthSteps {
		// A month is at least 28 days.
		if int64(n)*28*24*time.Hour.Microseconds()*int64(cols) >= labelRoom*span {
			months = n
			break
		}
	}
	start := time.UnixMicro(from).In(loc)
	t := time.Date(start.Year(), 1, 1, 0, 0, 0, 0, loc)
	var out []tick
	for ; t.UnixMicro() < from+span; t = t.AddDate(0, months, 0) {
		if t.UnixMicro() < from {
			continue
		}
		label := t.Format("Jan 2006")
		if months%12 == 0 {
			label = t.Format("2006")
		}
		out = append(out, tick{int((t.UnixMicro() - from) * int64(cols) / span), label})
	}
	return out
}
