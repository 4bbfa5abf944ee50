package detail

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/internal/words"
)

// searchCount is how many of the events the screen pages through (those f
// keeps) the / filter in force matches: all of them, counted in a command.
// The rows it narrows are the window's, and a count of those changed under
// the analyst's feet as the window moved ("48 matching of 1,629 loaded",
// then "30 of 1,000" after G, of 55 in all).
type searchCount struct {
	seq        uint64
	query      string // the / filter counted, "" for none
	filterText string // the f filter in force then
	n          int64
	done       bool
	cancel     context.CancelFunc // stops the count when another replaces it
}

type searchCountMsg struct {
	seq uint64
	n   int64
	err error
}

// countPage is how many events a count reads at a time: it holds no more.
const countPage = 5000

// recount counts again when what was counted is not what the screen
// shows: another / filter entered, or cleared, or another f filter. While
// a / filter is typed the window's count stands for it.
func (v *Events) recount() tea.Cmd {
	if v.tbl.searching || v.tbl.query == v.search.query && v.filterText == v.search.filterText {
		return nil
	}
	return v.countSearch()
}

// forgetCount drops the count, and stops it if it is under way: the
// events it counted changed (the workspace grew), the next answer counts
// again.
func (v *Events) forgetCount() {
	if v.search.cancel != nil {
		v.search.cancel()
	}
	v.search = searchCount{}
}

// countSearch counts, in a command, the events the / filter in force
// matches.
func (v *Events) countSearch() tea.Cmd {
	v.forgetCount()
	match, err := matcher(v.tbl.query)
	if v.tbl.query == "" || err != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(v.c.Ctx)
	v.search = searchCount{seq: nextSeq(), query: v.tbl.query, filterText: v.filterText, cancel: cancel}
	seq, d, q := v.search.seq, v.c.DB, v.pageQuery()
	return func() tea.Msg {
		defer cancel()
		n, err := countMatches(ctx, d, q, match)
		return searchCountMsg{seq: seq, n: n, err: err}
	}
}

// countMatches reads the events of q that f keeps, a page at a time, and
// counts those whose row match finds.
func countMatches(ctx context.Context, d *db.DB, q pageQuery, match func(string) bool) (int64, error) {
	var n int64
	var from *db.EventKey
	for {
		p, err := d.PageOlder(ctx, q.s, from, q.f, countPage)
		if err != nil {
			return 0, err
		}
		rows, _, err := formatEvents(ctx, d, p.Rows, q.text)
		if err != nil {
			return 0, err
		}
		for _, h := range hayOf(rows) {
			if match(h) {
				n++
			}
		}
		if len(p.Keys) < countPage {
			return n, nil
		}
		from = &p.Keys[len(p.Keys)-1]
	}
}

// takeCount keeps a count's answer, when it is the one wanted. A count
// that failed is forgotten, said, and made again on the next change: it
// said "counting all…" for ever.
func (v *Events) takeCount(msg searchCountMsg) error {
	if msg.seq != v.search.seq {
		return nil // the filter or the events changed since
	}
	if msg.err != nil {
		v.search = searchCount{}
		return msg.err
	}
	v.search.n, v.search.done = msg.n, true
	return nil
}

// Close stops a count under way: the screen is gone (common.Closer), and
// the count read on through every event of a group.
func (v *Events) Close() { v.forgetCount() }

// searchStatus says what the / filter matches: of every event once counted,
// of the rows loaded, and that it is so, until then.
func (v *Events) searchStatus() string {
	of := words.Int(v.matching)
	if v.filter.Active() {
		of += " matching, " + words.Int(v.total) + " in all"
	}
	if v.search.done && v.search.query == v.tbl.query {
		return fmt.Sprintf("/ matches %s of %s", words.Int(v.search.n), of)
	}
	s := fmt.Sprintf("/ matches %s in the %s rows loaded", words.Int(int64(len(v.tbl.shown))), words.Int(int64(len(v.rows))))
	if v.search.query == v.tbl.query {
		s += ", counting all " + words.Int(v.matching) + "…"
	}
	return s
}
