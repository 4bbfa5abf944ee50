package chart

import (
	"fmt"
	"slices"
	"strings"
)

// shades are the heatmap levels, zero first: readable without colour.
var shades = []rune(" ░▒▓█")

// Heatmap draws one row per day with 24 columns for the hours, the row's
// label on the left and its total on the right, an hour header above and a
// legend below saying how many events each shade stands for. It fits width
// cells by giving each hour as many cells as there is room for. The shades
// stand for the quartiles of the busy hours (see heatBounds).
func Heatmap(grid [][24]int64, labels []string, width int) string {
	return HeatmapWindow(grid, labels, width, 0, len(grid))
}

// HeatmapWindow is Heatmap showing only rows first … first+n-1 while
// keeping the scale of the whole grid, for a view that scrolls through
// more days than fit.
func HeatmapWindow(grid [][24]int64, labels []string, width, first, n int) string {
	if width <= 0 {
		return ""
	}
	lw := 0
	for _, l := range labels {
		lw = max(lw, runeWidth(l))
	}
	const totalW = 6 // " 12.3k"
	cw := (width - lw - 3 - totalW) / 24
	showTotal := cw >= 1
	if !showTotal {
		cw = max((width-lw-3)/24, 1)
	}
	bounds := heatBounds(grid)
	var b strings.Builder
	b.WriteString(pad(hourHeader(lw+2, cw), width))
	b.WriteByte('\n')
	first = min(max(first, 0), len(grid))
	last := min(first+max(n, 0), len(grid))
	for d := first; d < last; d++ {
		label := ""
		if d < len(labels) {
			label = labels[d]
		}
		line := pad(label, lw) + " │"
		var total int64
		for _, v := range grid[d] {
			total += v
			line += strings.Repeat(string(shade(v, bounds)), cw)
		}
		line += "│"
		if showTotal {
			line += padLeft(Count(total), totalW)
		}
		b.WriteString(pad(line, width))
		b.WriteByte('\n')
	}
	b.WriteString(legend(bounds, width))
	return b.String()
}

// hourHeader labels every third hour (every sixth when an hour is one cell)
// above the heatmap's columns.
func hourHeader(indent, cw int) string {
	every := 3
	if cw == 1 {
		every = 6
	}
	line := []rune(strings.Repeat(" ", indent+24*cw+1))
	for h := 0; h < 24; h += every {
		copy(line[indent+h*cw:], []rune(fmt.Sprintf("%02d", h)))
	}
	return string(line)
}

// heatBounds are the upper bounds of the four shades: the quartiles of the
// non-zero hours. Counts per hour are long-tailed — the office peak dwarfs
// the machine that talks at 3 a.m. — so a linear scale would draw all but
// the peak alike, and a logarithmic one all but the night alike; quartiles
// give each shade a quarter of the active hours whatever the shape, and the
// legend says what that means in counts. Bounds that coincide (few distinct
// counts) are dropped, so every shade shown stands for some counts.
func heatBounds(grid [][24]int64) []int64 {
	var vals []int64
	for _, row := range grid {
		for _, v := range row {
			if v > 0 {
				vals = append(vals, v)
			}
		}
	}
	slices.Sort(vals)
	var out []int64
	for k := 1; k <= 4; k++ {
		if len(vals) == 0 {
			break
		}
		b := vals[(k*len(vals)+3)/4-1]
		if len(out) == 0 || b > out[len(out)-1] {
			out = append(out, b)
		}
	}
	return out
}

// shade is the glyph for v: blank for zero, then the first bound holding v,
// counted from the darkest end when there are fewer than four bounds so that
// the busiest hour is always full block.
func shade(v int64, bounds []int64) rune {
	if v <= 0 || len(bounds) == 0 {
		return shades[0]
	}
	skip := 4 - len(bounds)
	for i, b := range bounds {
		if v <= b {
			return shades[1+skip+i]
		}
	}
	return shades[4]
}

// legend says what each shade means in events per hour, on one line when it
// fits and wrapped between entries otherwise.
func legend(bounds []int64, width int) string {
	if len(bounds) == 0 {
		return pad("no events in this range", width)
	}
	parts := []string{"blank 0"}
	skip := 4 - len(bounds)
	lo := int64(1)
	for i, up := range bounds {
		g := shades[1+skip+i]
		if lo == up {
			parts = append(parts, fmt.Sprintf("%c %s", g, Count(lo)))
		} else {
			parts = append(parts, fmt.Sprintf("%c %s–%s", g, Count(lo), Count(up)))
		}
		lo = up + 1
	}
	// Wrap between entries, never inside one.
	var lines []string
	line := "events/hour: " + parts[0]
	for _, p := range parts[1:] {
		if runeWidth(line)+2+runeWidth(p) > width {
			lines = append(lines, pad(line, width))
			line = p
			continue
		}
		line += "  " + p
	}
	return strings.Join(append(lines, pad(line, width)), "\n")
}
