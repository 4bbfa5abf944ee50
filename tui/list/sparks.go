package list

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/tui/chart"
)

// sparkKey identifies a row's sparkline.
type sparkKey struct {
	domain bool
	id     uint32
}

// visibleKeys returns the sparkline keys of the rows on screen.
func (m *Model) visibleKeys() []sparkKey {
	var out []sparkKey
	end := min(len(m.res.lines), m.offset+m.rowsHeight())
	for p := m.offset; p < end; p++ {
		r, domain := m.rowAt(p)
		out = append(out, sparkKey{domain, r.ID})
	}
	return out
}

// missingSparks counts the rows on screen without a sparkline, resetting
// the cache when the column's width changed.
func (m *Model) missingSparks() int {
	w := m.layout().sparkWidth()
	if w != m.sparkW {
		m.sparkW = w
		clear(m.sparks)
	}
	if w == 0 {
		return 0
	}
	n := 0
	for _, k := range m.visibleKeys() {
		if _, ok := m.sparks[k]; !ok {
			n++
		}
	}
	return n
}

// fetchSparks reads the series of the rows on screen that have no
// sparkline yet, in a command. Each covers the workspace's whole span so
// that rows compare.
func (m *Model) fetchSparks() tea.Cmd {
	if m.missingSparks() == 0 {
		return nil
	}
	var want []sparkKey
	for _, k := range m.visibleKeys() {
		if _, ok := m.sparks[k]; !ok {
			want = append(want, k)
		}
	}
	width, d, ctx := m.sparkW, m.c.DB, m.c.Ctx
	from, to := m.data.stats.First, m.data.stats.Last+1
	return func() tea.Msg {
		bucket := sparkBucket(to-from, width)
		n := int((to-from+bucket-1)/bucket) + 1
		out := make(map[sparkKey]string, len(want))
		for _, k := range want {
			s := db.Subject{Kind: db.SubjectName, ID: k.id}
			if k.domain {
				s.Kind = db.SubjectDomain
			}
			pts, err := d.Series(ctx, s, time.Duration(bucket)*time.Microsecond, from-from%bucket, to)
			if err != nil {
				return sparksMsg{width: width, sparks: out}
			}
			vals := make([]int64, n)
			for _, p := range pts {
				if i := int((p.Start - (from - from%bucket)) / bucket); i >= 0 && i < n {
					vals[i] += p.N
				}
			}
			out[k] = chart.Sparkline(vals, width)
		}
		return sparksMsg{width: width, sparks: out}
	}
}

// sparkBucket is the bucket size in µs for a span drawn in width cells:
// whole minutes, and whole hours past an hour (the stored series of popular
// names and domains are hourly).
func sparkBucket(span int64, width int) int64 {
	const minute, hour = int64(time.Minute / time.Microsecond), int64(time.Hour / time.Microsecond)
	b := max(minute, (span+int64(width)-1)/int64(max(1, width)))
	unit := minute
	if b > hour {
		unit = hour
	}
	return (b + unit - 1) / unit * unit
}
