package common

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/textsafe"
)

// SafeName is a name from the workspace as it may reach the terminal:
// punycode shown as Unicode where valid (names.Display), then sanitised.
func SafeName(name string) string { return textsafe.String(names.Display(name)) }

// FitName returns SafeName(name) in at most width cells. When it does not
// fit it is cut at the left ("…ample.co.uk"), so the registered domain and
// the labels nearest it stay visible: they tell which row is which.
func FitName(name string, width int) string {
	return TruncateLeft(SafeName(name), width)
}

// TruncateLeft cuts an already safe string to width cells keeping its end.
func TruncateLeft(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := ansi.StringWidth(s)
	if w <= width {
		return s
	}
	return "…" + ansi.TruncateLeft(s, w-width+1, "")
}

// Fit sanitises s and cuts it at the right to width cells.
func Fit(s string, width int) string { return textsafe.Truncate(s, width) }

// PadRight pads a (possibly styled) string with spaces to width cells; it
// does not cut.
func PadRight(s string, width int) string { return padRight(s, width) }

// PadLeft right-aligns a (possibly styled) string in width cells.
func PadLeft(s string, width int) string {
	if w := ansi.StringWidth(s); w < width {
		return strings.Repeat(" ", width-w) + s
	}
	return s
}

// Align pads v to width cells, on the left when right (numbers), else on
// the right: a table's cell.
func Align(v string, width int, right bool) string {
	if right {
		return PadLeft(v, width)
	}
	return PadRight(v, width)
}

// Undated is what a screen writes for the time of an undated event: one
// whose log line had no date (BIND's "security:" continuation lines) is
// stored at 0, which formatted reads as a real moment, 1970-01-01.
const Undated = "undated"

// Stamp formats a moment (unix µs) in layout, in UTC; 0 as Undated.
func Stamp(us int64, layout string) string {
	if us == 0 {
		return Undated
	}
	return time.UnixMicro(us).UTC().Format(layout)
}
