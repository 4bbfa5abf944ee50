package list

import (
	"strconv"

	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/tui/common"
)

// Loading says the whole list is still being read (common.Loading).
func (m *Model) Loading() bool { return m.data == nil }

// CursorValue is the row's value (a name, a host, a user agent) or group
// as stored (common.Exporter).
func (m *Model) CursorValue() (string, bool) {
	r, _ := m.current()
	if r == nil {
		return "", false
	}
	return r.Name, true
}

// Rows are the rows the filters leave, in the list's order, exact.
func (m *Model) Rows() ([]string, [][]string) {
	header := []string{"value", "group", "row", "count", "clients", "first", "last", "verdict", "score"}
	if m.data == nil {
		return header, nil
	}
	rows := make([][]string, 0, len(m.res.Lines))
	for p := range m.res.Lines {
		r, isGroup := m.rowAt(p)
		row := "value"
		if isGroup {
			row = "group"
		}
		verdict := ""
		if m.verd != nil {
			verdict = common.CSVVerdict(m.verd.Of(isGroup)[m.res.Lines[p].Idx])
		}
		score := "" // not scored (yet), or known-good
		if m.sc != nil {
			if v := m.sc.Of(isGroup)[m.res.Lines[p].Idx]; v != review.NoScore {
				score = strconv.FormatFloat(float64(v), 'f', 1, 32)
			}
		}
		rows = append(rows, []string{r.Name, r.Domain, row, strconv.FormatInt(r.Count, 10), strconv.FormatInt(r.Clients, 10),
			common.CSVTime(r.First), common.CSVTime(r.Last), verdict, score})
	}
	return header, rows
}
