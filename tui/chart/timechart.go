package chart

import (
	"strings"
	"time"
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

// TimeChart draws a bar chart of points between from and to (unix µs, to
// exclusive) in buckets of size bucket, as height lines of exactly width
// cells: the plot with a y scale on the left, an x axis with ticks, and time
// labels under it. Buckets missing from points count as zero. When there
// are fewer buckets than columns each bucket is drawn several columns wide;
// when there are more, neighbouring buckets share a column (summed).
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
	rows := max(height-2, 1)
	plotW := max(width-labelW-2, 1)
	var cols []int64
	if nb <= plotW {
		w := plotW / nb
		cols = make([]int64, 0, nb*w)
		for _, v := range values {
			for range w {
				cols = append(cols, v)
			}
		}
	} else {
		cols = Resample(values, plotW)
	}
	var hi int64
	for _, v := range cols {
		hi = max(hi, v)
	}
	sc := yScale(hi, rows)
	labels := make([]string, rows)
	for i := range labels {
		if (rows-i)%sc.every == 0 {
			labels[i] = Count(sc.step * int64((rows-i)/sc.every))
		}
	}
	// Heights in eighths of a row, each non-zero column at least one eighth.
	eighths := make([]int64, len(cols))
	for i, v := range cols {
		if v > 0 {
			eighths[i] = max((v*8*int64(sc.every)+sc.step-1)/sc.step, 1)
		}
	}
	var b strings.Builder
	for r := range rows {
		axis := '│'
		if labels[r] != "" {
			axis = '┤'
		}
		plot := plotRow(eighths, int64(rows-1-r)*8)
		if hi == 0 && r == (rows-1)/2 {
			// Say so rather than draw an empty frame.
			plot = pad(string([]rune(" no events in this range")[:min(24, len(cols))]), len(cols))
		}
		b.WriteString(padLeft(labels[r], labelW) + " " + string(axis) + plot)
		b.WriteString(strings.Repeat(" ", max(width-labelW-2-len(cols), 0)))
		b.WriteByte('\n')
	}
	if height < 2 {
		return strings.TrimSuffix(b.String(), "\n")
	}
	ticks := timeTicks(from, span, len(cols), loc, opts.Years)
	axis := []rune(strings.Repeat("─", len(cols)))
	for _, t := range ticks {
		axis[t.col] = '┬'
	}
	b.WriteString(padLeft("0", labelW) + " └" + string(axis))
	b.WriteString(strings.Repeat(" ", max(width-labelW-2-len(cols), 0)))
	if height < 3 {
		return b.String()
	}
	b.WriteByte('\n')
	under := []rune(strings.Repeat(" ", width))
	next := 0
	for _, t := range ticks {
		at := labelW + 2 + t.col
		if at < next || at+len(t.label) > width {
			continue
		}
		copy(under[at:], []rune(t.label))
		next = at + len(t.label) + 1
	}
	b.WriteString(string(under))
	return b.String()
}

// plotRow draws one row of bars whose bottom is base eighths high.
func plotRow(eighths []int64, base int64) string {
	var b strings.Builder
	b.Grow(len(eighths) * 3)
	for _, e := range eighths {
		switch fill := e - base; {
		case fill >= 8:
			b.WriteRune('█')
		case fill <= 0:
			b.WriteByte(' ')
		default:
			b.WriteRune(bars[fill-1])
		}
	}
	return b.String()
}

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
