package chart

import (
	"strings"

	"github.com/NimbleMarkets/ntcharts/v2/barchart"
)

// Bars draws counts as horizontal bars, one line each of exactly width
// cells, on a linear scale on which top fills the width: the column of a
// table whose rows are the counts. A non-zero count is at least an eighth
// of a cell, so that one request beside a million still shows. The bars
// are ntcharts' bar chart without its axis and labels: the table beside
// them says what each is, and no text from the data reaches ntcharts.
func Bars(counts []int64, top int64, width int) []string {
	if width <= 0 || len(counts) == 0 {
		return make([]string, len(counts))
	}
	top = max(top, 1)
	least := float64(top) / float64(8*width)
	data := make([]barchart.BarData, len(counts))
	for i, n := range counts {
		v := float64(min(n, top))
		if n > 0 {
			v = max(v, least)
		}
		data[i] = barchart.BarData{Values: []barchart.BarValue{{Value: v}}}
	}
	bc := barchart.New(width, len(counts), barchart.WithNoAxis(), barchart.WithHorizontalBars(),
		barchart.WithBarGap(0), barchart.WithNoAutoMaxValue(), barchart.WithMaxValue(float64(top)),
		barchart.WithDataSet(data))
	bc.Draw()
	return strings.Split(plain(&bc.Canvas), "\n")
}
