package common

import (
	"time"

	"github.com/longtail/longtail/engine/rules"
)

// Exporter is a view whose rows can leave the screen for the analyst's
// next tool: the value under the cursor (copied to the clipboard) and
// every row it lists (as CSV). Values are as stored, exact: whoever shows
// them on a terminal sanitises them.
type Exporter interface {
	CursorValue() (string, bool)
	Rows() (header []string, rows [][]string)
}

// Loading is an Exporter whose rows are still being read: the list shows
// its first rows, without a cursor, before every value is in.
type Loading interface{ Loading() bool }

// StillLoading says whether v's rows are still being read.
func StillLoading(v any) bool {
	l, ok := v.(Loading)
	return ok && l.Loading()
}

// CSVTime is a time in a CSV: RFC 3339 in UTC, to the microsecond.
func CSVTime(us int64) string {
	if us == 0 {
		return ""
	}
	return time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.000000Z")
}

// CSVVerdict is a verdict in a CSV: its word, or nothing.
func CSVVerdict(v rules.Verdict) string {
	if v == rules.None {
		return ""
	}
	return v.String()
}
