package chart_test

import (
	"context"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/chart"
)

// benchRows measures the sparklines of one screen of list rows: each row's
// series over the workspace's span (db.Series, hourly) drawn into a 20-cell
// sparkline, as the list does for its visible rows.
func benchRows(b *testing.B, offset int) {
	d, _ := testws.OpenBench(b)
	ctx := context.Background()
	st, err := d.Stats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := d.TopNames(ctx, subject.DNSName, 22, offset)
	if err != nil || len(rows) == 0 {
		b.Fatal(rows, err)
	}
	from := st.First - st.First%time.Hour.Microseconds()
	to := st.Last + 1
	values := make([]int64, (to-from)/time.Hour.Microseconds()+1)
	b.ResetTimer()
	for b.Loop() {
		for _, r := range rows {
			pts, err := d.Series(ctx, db.Subject{Kind: db.SubjectName, ID: r.ID}, time.Hour, from, to)
			if err != nil {
				b.Fatal(err)
			}
			clear(values)
			for _, p := range pts {
				values[(p.Start-from)/time.Hour.Microseconds()] += p.N
			}
			chart.Sparkline(values, 20)
		}
	}
}

// BenchmarkSparklinesVisibleTopRows: 22 rows of the most visited names
// (stored hourly buckets).
func BenchmarkSparklinesVisibleTopRows(b *testing.B) { benchRows(b, 0) }

// BenchmarkSparklinesVisibleTailRows: 22 rows deep in the long tail (series
// bucketed from the events on the fly).
func BenchmarkSparklinesVisibleTailRows(b *testing.B) { benchRows(b, 20_000) }
