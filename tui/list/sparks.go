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
	end := min(len(m.res.Lines), m.offset+m.rowsHeight())
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
// sparkline yet, in a command: one SeriesMany for the names and one for the
// domains (an expanded domain shows both). Each covers the span of the
// subject's dated events so that rows compare, and an undated event (at 0)
// does not squash them all into the last cell.
func (m *Model) fetchSparks() tea.Cmd {
	if m.missingSparks() == 0 {
		return nil
	}
	var want [2][]uint32 // names, domains
	for _, k := range m.visibleKeys() {
		if _, ok := m.sparks[k]; !ok {
			if k.domain {
				want[1] = append(want[1], k.id)
			} else {
				want[0] = append(want[0], k.id)
			}
		}
	}
	width, d, ctx := m.sparkW, m.c.DB, m.c.Ctx
	from, to := m.data.First, m.data.Last+1
	return func() tea.Msg {
		bucket := sparkBucket(to-from, width)
		start := from - from%bucket
		n := int((to-1-start)/bucket) + 1 // the buckets from the first event's to the last's
		out := make(map[sparkKey]string, len(want[0])+len(want[1]))
		for i, kind := range []db.SubjectKind{db.SubjectName, db.SubjectDomain} {
			if len(want[i]) == 0 {
				continue
			}
			series, err := d.SeriesMany(ctx, kind, want[i], time.Duration(bucket)*time.Microsecond, start, to)
			if err != nil {
				return sparksMsg{width: width, sparks: out, err: err}
			}
			for _, id := range want[i] {
				vals := make([]int64, n)
				for _, p := range series[id] {
					if j := int((p.Start - start) / bucket); j >= 0 && j < n {
						vals[j] += p.N
					}
				}
				out[sparkKey{i == 1, id}] = chart.Sparkline(vals, width)
			}
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
