// Package chart draws the pictures of the review screen — sparklines, a
// time-series chart, a day × hour heatmap and bars of counts — as pure
// functions from numbers to plain text. They know nothing of bubbletea or
// of colour: the output reads on a monochrome terminal (NO_COLOR) as it is,
// and views may style it. Every function returns exactly the width it is
// given, so a caller can lay the result out without measuring it again.
//
// The time-series chart and the bars are drawn by ntcharts
// (github.com/NimbleMarkets/ntcharts/v2): its time-series line chart in
// braille, two buckets to a column, and its horizontal bar chart. The rest
// is drawn here because ntcharts has nothing equivalent:
//   - the axes' scale and labels of TimeChart: ntcharts labels every n
//     columns at whatever value falls there; here they are round counts
//     and round times (hours, midnights, months, years);
//   - Sparkline, one line in a list row: ntcharts' sparkline scales to its
//     own maximum and floors, so one event among thousands vanishes, and
//     it renders through a canvas per call, too slow for every row of
//     every frame;
//   - Heatmap: ntcharts' heatmap is colour only, blank without colour;
//     here the levels are shade characters, with a legend in counts.
package chart

import (
	"strconv"
	"strings"
)

// bars are the eighth-blocks, lowest first. A zero is drawn as a space and
// any non-zero value as at least the lowest bar, so a single event among
// thousands stays visible.
var bars = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as one line of exactly width cells. When there are
// more values than cells, adjacent values are summed into each cell; when
// there are fewer, each value is widened over several cells. The scale is
// linear from zero to the largest cell.
func Sparkline(values []int64, width int) string {
	if width <= 0 {
		return ""
	}
	cells := Resample(values, width)
	var hi int64
	for _, v := range cells {
		hi = max(hi, v)
	}
	var b strings.Builder
	b.Grow(width * 3)
	for _, v := range cells {
		b.WriteRune(level(v, hi, bars, ' '))
	}
	return b.String()
}

// Resample maps values onto n cells: summed when shrinking, repeated when
// widening. Sums keep the total of a shrunk series; repetition keeps the
// height of a widened one.
func Resample(values []int64, n int) []int64 {
	out := make([]int64, n)
	if len(values) == 0 || n <= 0 {
		return out
	}
	if len(values) <= n {
		for i := range out {
			out[i] = values[i*len(values)/n]
		}
		return out
	}
	for i, v := range values {
		out[i*n/len(values)] += v
	}
	return out
}

// level picks the glyph for v on a linear scale up to hi: zero gets zero,
// anything else one of glyphs, rounding up so that no non-zero value
// vanishes.
func level(v, hi int64, glyphs []rune, zero rune) rune {
	if v <= 0 || hi <= 0 {
		return zero
	}
	n := int64(len(glyphs))
	i := (v*n + hi - 1) / hi // ceil(v/hi·n), in 1..n
	return glyphs[min(max(i, 1), n)-1]
}

// Count formats a count in at most five cells: 999, 1.2k, 12k, 123k, 1.2M.
func Count(n int64) string {
	if n < 0 {
		return "-" + Count(-n)
	}
	if n < 1000 {
		return strconv.FormatInt(n, 10)
	}
	units := "kMGTPE"
	f := float64(n)
	for _, u := range units {
		f /= 1000
		if f < 999.5 {
			if f < 9.95 {
				return strconv.FormatFloat(f, 'f', 1, 64) + string(u)
			}
			return strconv.FormatFloat(f, 'f', 0, 64) + string(u)
		}
	}
	return strconv.FormatInt(n, 10)
}

// pad right-pads s (plain text, one cell per rune) with spaces to width.
func pad(s string, width int) string {
	if n := width - runeWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// padLeft left-pads s to width.
func padLeft(s string, width int) string {
	if n := width - runeWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// runeWidth counts cells of the chart's own text: block and box glyphs and
// labels, one cell each. Data strings never reach this package.
func runeWidth(s string) int { return len([]rune(s)) }
