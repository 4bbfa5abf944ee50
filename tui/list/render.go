package list

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/tui/common"
)

// column is one column of the list: a header and a fixed width. The name
// column takes what the others leave.
type column struct {
	id    colID
	title string
	width int
}

type colID uint8

const (
	colSel colID = iota
	colVerdict
	colCount
	colShare
	colClients
	colFirst
	colLast
	colSpark
	colScore // shown once the workspace is scored
	colRank  // shown when a popularity list was imported
	colNet   // an address's network, shown when an imported table knows one
	colCat   // a host name's categories, shown when a category list was imported (categories.go)
	colName
)

// netWidth fits most networks ("AS15169 GOOGLE US"); a longer owner is
// cut (asn lookup or top --format json has it whole).
const netWidth = 22

// minName is the narrowest the name column may get before other columns are
// dropped: below it too many names lose the labels that tell them apart.
const minName = 24

// layout is the set of columns for a width, with the time format chosen for
// the workspace's span.
type layout struct {
	width   int
	cols    []column
	nameW   int
	timeFmt string
}

// newLayout fits the columns into width. Columns are dropped, least useful
// first (first seen, share, clients, sparkline), until the name column has
// minName cells, but never sortCol: the sort's column, whose arrow is the
// only sign of the order (sorting by first seen at 80 columns showed no
// first seen and no arrow). countW is the width of the largest count.
func newLayout(width int, countW int, first, last int64, sortCol colID, withScore, withRank, withNet bool) layout {
	tf := timeFormat(first, last)
	tw := len(tf)
	cols := []column{
		{colSel, "", 1},
		{colVerdict, "mark", 4},
		{colScore, "score", 5},
		{colRank, "rank", 7},
		{colCount, "count", max(5, countW)},
		{colShare, "share", 6},
		{colClients, "clnts", 5},
		{colFirst, "first", tw},
		{colLast, "last", tw},
		{colSpark, "activity", max(10, min(32, width/6))},
		{colNet, "network", netWidth},
	}
	keep := cols[:0]
	for _, c := range cols {
		if (c.id == colScore && !withScore) || (c.id == colRank && !withRank) || (c.id == colNet && !withNet) {
			continue
		}
		keep = append(keep, c)
	}
	cols = keep
	for _, drop := range []colID{colFirst, colShare, colClients, colNet, colSpark, colRank, colScore} {
		if nameWidth(width, cols) >= minName {
			break
		}
		if drop != sortCol {
			cols = without(cols, drop)
		}
	}
	// The sort's title takes one cell more for its arrow ("count↓" pushed
	// the next titles off their columns), from the name: no column is
	// dropped for an arrow.
	for i, c := range cols {
		if c.id == sortCol {
			cols[i].width = max(c.width, len(c.title)+1)
		}
	}
	return layout{width: width, cols: cols, nameW: max(1, nameWidth(width, cols)), timeFmt: tf}
}

func nameWidth(width int, cols []column) int {
	w := width
	for _, c := range cols {
		w -= c.width + 1
	}
	return w
}

func without(cols []column, id colID) []column {
	out := make([]column, 0, len(cols))
	for _, c := range cols {
		if c.id != id {
			out = append(out, c)
		}
	}
	return out
}

// has reports whether the layout shows the column id (the name always).
func (l layout) has(id colID) bool {
	return id == colName || slices.ContainsFunc(l.cols, func(c column) bool { return c.id == id })
}

// sortColumn is the column whose order a sort key follows.
func sortColumn(sort review.SortKey) colID {
	return map[review.SortKey]colID{review.SortCount: colCount, review.SortName: colName, review.SortClients: colClients,
		review.SortFirst: colFirst, review.SortLast: colLast, review.SortScore: colScore}[sort]
}

// sparkWidth is the sparkline column's width, 0 when it was dropped.
func (l layout) sparkWidth() int {
	for _, c := range l.cols {
		if c.id == colSpark {
			return c.width
		}
	}
	return 0
}

// timeFormat shows as little as tells the times of the workspace apart: the
// clock alone within one day, the date and clock within one year.
func timeFormat(first, last int64) string {
	a, b := time.UnixMicro(first).UTC(), time.UnixMicro(last).UTC()
	switch {
	case a.YearDay() == b.YearDay() && a.Year() == b.Year():
		return "15:04"
	case a.Year() == b.Year():
		return "01-02 15:04"
	}
	return "2006-01-02"
}

// clientsText is the clients cell: "-" for none, as a log without client
// addresses (an OpenDNS export) gives; "0" beside a count of 300 read as
// an error.
func clientsText(n int64) string {
	if n == 0 {
		return "-"
	}
	return strconv.FormatInt(n, 10)
}

// stamp is a first or last seen cell: "undated" for an undated event, "-"
// where the column (the clock alone, 5 cells) is too narrow for the word.
func (l *layout) stamp(us int64) string {
	if us == 0 && len(common.Undated) > len(l.timeFmt) {
		return "-"
	}
	return common.Stamp(us, l.timeFmt)
}

// header renders the column titles, marking the sort column with ↓ or ↑.
func (l *layout) header(s *common.Styles, sort review.SortKey, reverse bool, domains bool, sub subject.Subject) string {
	arrow := "↓"
	if reverse != (sort == review.SortName) {
		arrow = "↑"
	}
	sortCol := sortColumn(sort)
	var b strings.Builder
	for _, c := range l.cols {
		t := c.title
		if c.id == sortCol {
			t += arrow
		}
		b.WriteString(common.PadRight(t, c.width))
		b.WriteByte(' ')
	}
	name := sub.Column
	if domains {
		name = sub.Group
	}
	if sortCol == colName {
		name += arrow
	}
	b.WriteString(name)
	return s.Header.Render(common.PadRight(common.Fit(b.String(), l.width), l.width))
}

// viewRow is what one line of the list shows.
type viewRow struct {
	row     *review.Row
	verdict rules.Verdict
	domain  bool // a registered domain row (rolled up)
	text    bool // not a host name: shown as text, cut at the right
	// short shortens a value for the list (subject.Subject.Short).
	short      func(string) string
	expandable bool // it has names other than the bare domain
	expanded   bool
	child      bool // a name under an expanded domain
	selected   bool
	arrived    bool // in this session: marked + where nothing is selected
	cursor     bool
	spark      string  // "" while not loaded
	score      float32 // review.NoScore: none
	rank       int32   // 0: unranked
	net        string  // the address's network, "" when unknown
	cat        string  // the host name's categories, short ("publicite+1")
	tail       bool    // its brief, cut, reads as another row's: show the value's end
	// With the rare filter on: rare is how many of a group row's values
	// are rare (-1: not counted); a value first of several rare ones of
	// its group shown together has runOf (their number) and group; the
	// others are inRun.
	rare  int32
	runOf int32
	group string
	inRun bool
}

// render draws one line of exactly l.width cells. The cursor row is drawn
// in reverse video as a whole (inner styles would end the reverse early).
func (l *layout) render(s *common.Styles, vr viewRow, total int64) string {
	styled := !vr.cursor
	var b strings.Builder
	cell := func(text string, width int, right bool, st *lipgloss.Style) {
		if right {
			text = common.PadLeft(text, width)
		} else {
			text = common.PadRight(text, width)
		}
		if styled && st != nil && strings.TrimSpace(text) != "" {
			text = st.Render(text)
		}
		b.WriteString(text)
		b.WriteByte(' ')
	}
	r := vr.row
	for _, c := range l.cols {
		switch c.id {
		case colSel:
			mark, st := " ", &s.Selected
			switch {
			case vr.selected:
				mark = s.SelectMark
			case vr.arrived:
				mark, st = "+", &s.Emphasis
			}
			cell(mark, c.width, false, st)
		case colVerdict:
			st := s.Verdict(vr.verdict)
			cell(common.VerdictMark(vr.verdict), c.width, false, &st)
		case colCount:
			cell(strconv.FormatInt(r.Count, 10), c.width, true, nil)
		case colShare:
			cell(share(r.Count, total), c.width, true, &s.Dim)
		case colClients:
			cell(clientsText(r.Clients), c.width, true, nil)
		case colFirst:
			cell(l.stamp(r.First), c.width, false, nil)
		case colLast:
			cell(l.stamp(r.Last), c.width, false, nil)
		case colSpark:
			if vr.spark == "" {
				cell(strings.Repeat("·", c.width), c.width, false, &s.Dim)
			} else {
				cell(vr.spark, c.width, false, &s.Bar)
			}
		case colScore:
			cell(scoreText(vr.score), c.width, true, scoreStyle(s, vr.score))
		case colRank:
			cell(rankText(vr.rank), c.width, true, &s.Dim)
		case colNet:
			cell(fitNet(vr.net, c.width), c.width, false, &s.Dim)
		case colCat:
			cell(common.Fit(vr.cat, c.width), c.width, false, &s.Dim)
		}
	}
	b.WriteString(l.name(s, vr, styled))
	line := common.PadRight(b.String(), l.width)
	if vr.cursor {
		return s.Cursor.Render(line)
	}
	return line
}

// name renders the name cell: children indented, domains with a fold
// marker and the number of names under them when that fits.
func (l *layout) name(s *common.Styles, vr viewRow, styled bool) string {
	w := l.nameW
	prefix := ""
	switch {
	case vr.child, vr.inRun:
		prefix = "  "
	case vr.expandable && vr.expanded:
		prefix = "▾ "
	case vr.expandable:
		prefix = "▸ "
	case vr.domain:
		prefix = "  "
	}
	w -= len([]rune(prefix))
	name := common.SafeName(vr.row.Name)
	if vr.text {
		name = textsafe.String(vr.short(vr.row.Name))
	}
	suffix := l.suffix(vr, name, w)
	w -= lipgloss.Width(suffix)
	if vr.text {
		// A path or a user agent says what it is at its start.
		name = fitBrief(name, textsafe.String(vr.row.Name), w, vr.tail)
	} else {
		name = common.TruncateLeft(name, w)
	}
	if styled && suffix != "" {
		suffix = s.Dim.Render(suffix)
	}
	return prefix + name + suffix
}

// fitBrief cuts a value's brief to w cells at its right, or, for a row
// whose cut brief another row shown has too (tail), keeps the brief's
// family ("Firefox 3 · Linux · ") and the end of the value, where agents
// of one family differ: five rows read "Firefox 3 · Linux · Mozilla/5…".
func fitBrief(brief, value string, w int, tail bool) string {
	prefix, ok := strings.CutSuffix(brief, value)
	switch {
	case !tail || !ok || ansi.StringWidth(brief) <= w:
		return common.Fit(brief, w)
	case w-ansi.StringWidth(prefix) < minTail:
		return common.TruncateLeft(value, w) // the family is the same: the end says more
	}
	return prefix + common.TruncateLeft(value, w-ansi.StringWidth(prefix))
}

// minTail is the least of a value's end worth showing after its brief.
const minTail = 6

// minNameLeft is what a name keeps of its cell, at least, when a suffix
// that says why it is shown takes the rest.
const minNameLeft = 12

// suffix is what follows a name in its cell of w: a domain's number of
// names, or with the rare filter on how many of them are rare, or on the
// first of a run of rare names of one domain how many there are. The
// counts of the rare filter are why a row is there: they stay, in short,
// when the name must be cut for them; the number of names goes when it
// does not fit.
func (l *layout) suffix(vr viewRow, name string, w int) string {
	var long, short string
	switch {
	case vr.domain && vr.rare >= 0 && vr.row.Names > 1:
		// Both counts: the events are in the count column.
		long = " (" + strconv.Itoa(int(vr.rare)) + "/" + strconv.FormatInt(vr.row.Names, 10) + " rare)"
		short = " (" + strconv.Itoa(int(vr.rare)) + " rare)"
	case vr.domain && vr.row.Names > 1:
		long = " (" + strconv.FormatInt(vr.row.Names, 10) + ")"
	case vr.runOf > 1:
		long = " (" + strconv.Itoa(int(vr.runOf)) + " rare of " + common.SafeName(vr.group) + ")"
		short = " (" + strconv.Itoa(int(vr.runOf)) + " rare here)"
	}
	switch nw := lipgloss.Width(name); {
	case nw+lipgloss.Width(long) <= w:
		return long
	case short != "" && (nw+lipgloss.Width(short) <= w || w-lipgloss.Width(short) >= minNameLeft):
		return short
	}
	return ""
}

// scoreStyle draws the scores that call for a look in emphasis: colour is
// a help, the number says it all without.
func scoreStyle(s *common.Styles, v float32) *lipgloss.Style {
	if v >= 50 {
		return &s.Emphasis
	}
	return nil
}

// rankText is a popularity rank, "" when unranked.
func rankText(r int32) string {
	if r <= 0 {
		return ""
	}
	return "#" + strconv.Itoa(int(r))
}

// share is count/total as a percentage with about three significant digits.
func share(count, total int64) string {
	if total <= 0 {
		return ""
	}
	p := float64(count) * 100 / float64(total)
	switch {
	case p >= 9.995:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	case p >= 0.01:
		return strconv.FormatFloat(p, 'f', 2, 64) + "%"
	}
	return "<.01%"
}
