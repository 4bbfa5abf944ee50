// Package list is the main view of the review TUI: every name (or
// registered domain) of the workspace by count, with the filters that remove
// what is normal, search, sort, roll-up, and the verdict marks.
//
// The workspace is loaded once into memory (AllNames/AllDomains) by a
// command; filtering and sorting run in commands over that immutable data
// and an answer for a request the user has moved on from is dropped.
package list

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/engine/verdicts"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/scroll"
	tsubject "github.com/longtail/longtail/tui/internal/subject"
	"github.com/longtail/longtail/tui/rulesview"
)

// ImportFunc imports a list file into the workspace's rules and says what it
// did in one line. It is provided by the caller (engine/lists + db).
type ImportFunc func(ctx context.Context, d *db.DB, path string) (summary string, err error)

// Options tune the list.
type Options struct {
	// Import is called by the import key with the path typed at the prompt;
	// nil: the key says importing is not available.
	Import ImportFunc
	// OpenRules builds the rules view (tui/rulesview); nil disables the key.
	OpenRules func(c common.Common, names rulesview.Names) common.View
	// Author of the rules the list writes (default: the OS user).
	Author string
	// NoRescore leaves the scores alone after a mark or an import: for a
	// caller that scores by hand (a workspace ingested with --no-score).
	NoRescore bool
	// Poll is how often the list asks whether another process changed the
	// workspace, to reload it; 0: only the reload key reloads.
	Poll time.Duration
	// ByCount opens a workspace that has no stored place on its values by
	// count, the view before the list opened where the work is (groups by
	// score).
	ByCount bool
}

// Defaults of the adjustable filters: the talk called names seen fewer
// than 3 times suspicious and more than 10 normal.
const (
	defaultTopN  = 100
	defaultRareK = 2
	// defaultRankN: a top-10k list covers what most networks visit, and
	// gamed entries deep in a list stay visible.
	defaultRankN = 10000
	// maxEarly keys typed while the workspace loads are kept (a key held
	// down for a long load fills it; the rest is dropped).
	maxEarly   = 1024
	sparkDelay = 40 * time.Millisecond
)

// hideGood is the verdict filter the list opens with: known-good stays out
// of the way, which is what marking it is for.
var hideGood = [rules.Bad + 1]bool{rules.Good: true}

// topSteps are the values N of "hide the N most visited" steps through.
var topSteps = []int{10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000}

type inputKind uint8

const (
	inputNone inputKind = iota
	inputSearch
	inputNote
	inputImport
	inputHideASN  // asnfilter.go
	inputCategory // the category filter (categories.go)
)

// Model is the list view.
type Model struct {
	c    common.Common
	opts Options

	stats   *db.Stats // the totals, read before the rest for the loading frame
	data    *review.Dataset
	verd    *review.Verdicts
	sc      *review.Scores      // nil until read
	an      *review.Annotations // nil until read
	loadErr error
	started time.Time
	// arrivedN: values and groups of the subject that arrived in the
	// session (q.Session), counted when the data changes.
	arrivedN [2]int64

	scoring, rescoreAgain bool
	reloading             bool
	fillKind              bool      // the next read lists a subject of its kind that has values (K)
	keep                  *keepName // the cursor's row across a reload
	// places: the cursor's row in each subject listed before (K, v
	// come back to it); kindBy: the subject each kind was last listed
	// by (K comes back to it, not to the kind's first); rolledFrom: the
	// value the cursor was on when d listed its group (d back lands on
	// it).
	places      map[subject.Code]keepName
	kindBy      map[record.Kind]subject.Subject
	rolledFrom  *keepName
	scoredAt    time.Time // of the scores, as the last poll read it
	scoredKnown bool      // scoredAt was read
	// The keys pressed before the list was first shown, to replay, and
	// whether it was.
	early []tea.KeyPressMsg
	shown bool
	// first: the list's first rows, shown while it loads (first.go).
	first *firstMsg
	// reannounce: the next result is sent to the tally (announceShown).
	reannounce bool
	why        whyPanel
	// hint: the line of the keys that remove what is normal is shown,
	// until one of them is used. byScoreFirst: the list opened by score
	// on its own, so it goes back to counts when nothing is scored.
	hint, byScoreFirst bool
	toTop              bool // the next result starts at its first row
	// movesAfterTop were made before that result came, to make in it.
	movesAfterTop []tea.KeyPressMsg

	q       review.Query
	res     review.Result
	seq     int // of the latest compute request
	pending bool

	cursor, offset int
	// selection, by row identity so it survives a re-sort.
	selected     map[selKey]bool
	visual       bool
	visualAnchor int

	searchText  string
	searchMatch review.Matcher // searchText compiled
	matches     []int          // positions in res.Lines
	searchSeq   int

	input     common.Input
	inputKind inputKind
	catTally  []review.CategoryCount // shown while the category filter is typed
	// A mark waiting for the scope key (known-good) or a note.
	scopePrompt bool
	noteNext    bool
	pendingMark *markReq

	writes      []queuedWrite // serialised: one at a time, in order
	writing     bool
	writingKind writeKind // of the write running
	// writeProgress: the info bar's words for the write under way (an
	// import: seconds), as the status line's would be hidden by an
	// outcome that came first.
	writeProgress string

	sparks   map[sparkKey]string
	sparkSeq int
	sparkW   int
}

type selKey struct {
	domain bool
	idx    int32
}

// New returns the list view; Init starts loading the workspace.
func New(c common.Common, opts Options) *Model {
	if opts.Author == "" {
		opts.Author = verdicts.DefaultAuthor()
	}
	return &Model{
		c: c, opts: opts, started: time.Now(),
		q: review.Query{Sort: review.SortCount, TopN: defaultTopN, RareK: defaultRareK, RankN: defaultRankN, Expanded: map[uint32]bool{},
			Hide: hideGood},
		selected: map[selKey]bool{},
		sparks:   map[sparkKey]string{},
		places:   map[subject.Code]keepName{},
		kindBy:   map[record.Kind]subject.Subject{},
	}
}

// Messages of the list's commands.
type (
	statsMsg struct {
		stats db.Stats
		err   error
	}
	loadedMsg struct {
		data  *review.Dataset
		verd  *review.Verdicts
		state string // the place stored when the screen last ended
		// session: what the workspace held before it was read; arrived,
		// what of data came after (Session.Counts)
		session review.Session
		arrived [2]int64
		err     error
	}
	computedMsg struct {
		seq int
		res review.Result
	}
	verdictsMsg struct {
		data *review.Dataset // verd is of it
		verd *review.Verdicts
	}
	searchMsg struct {
		seq     int
		matches []int
		stay    bool // the list changed under a search: do not move
	}
	sparkTickMsg   struct{ seq int }
	loadingTickMsg struct{}
	sparksMsg      struct {
		width  int
		sparks map[sparkKey]string
		err    error
	}
)

// Init reads the totals (stored, so at once) for the loading frame, then
// the workspace in the background; the frame shows the time it takes.
func (m *Model) Init() tea.Cmd {
	d, ctx := m.c.DB, m.c.Ctx
	return tea.Batch(loadingTick(), func() tea.Msg {
		st, err := d.Stats(ctx)
		return statsMsg{st, err}
	})
}

// loadAll reads, from the place the list was left at (state, read by
// loadFirst; a place that cannot be read is not worth failing for), every
// value and group of the subject it was listing, and the rules. A workspace opened for the first time is
// listed by the first subject it has values of, kind by kind, each kind's
// default first (DNS names, else HTTP hosts, else HTTP paths: an access
// log without virtual hosts has no host; else logon sources).
func (m *Model) loadAll(state string) tea.Cmd {
	d, ctx, stats := m.c.DB, m.c.Ctx, *m.stats
	return func() tea.Msg {
		st, stored := decodeState(state)
		subs := []subject.Subject{st.Query.Listing()}
		if !stored {
			subs = subs[:0]
			for _, k := range subject.Kinds {
				def := subject.Default(k)
				subs = append(subs, def)
				for _, o := range subject.Of(k) {
					if o.Code != def.Code {
						subs = append(subs, o)
					}
				}
			}
		}
		// Read first: a value a follow adds while the list is read has
		// arrived in the session.
		var session review.Session
		if name, dom, err := d.LargestIDs(ctx); err == nil {
			session = review.Session{MaxName: name, MaxDomain: dom, Known: true}
		}
		// An empty workspace (a follow that has read nothing yet) is
		// listed by the first subject, DNS names: what a follow of a
		// resolver's log fills first.
		var msg loadedMsg
		for i, sub := range subs {
			data, rs, err := review.Load(ctx, d, stats, sub)
			if err != nil {
				return loadedMsg{err: err}
			}
			if i == 0 || len(data.Names.Rows) > 0 {
				msg = loadedMsg{data: data, verd: review.NewVerdicts(data, rs), state: state}
			}
			if len(data.Names.Rows) > 0 {
				break
			}
		}
		msg.session = session
		if msg.data != nil {
			msg.arrived = session.Counts(msg.data)
		}
		return msg
	}
}

// listBy lists another subject: its values and groups are read in a
// command, like a reload; the filters and sort stay, the cursor goes to
// the row it was on when that subject was last listed, else to the top.
// Keys pressed while one is read move on from the subject asked for last,
// which is read as soon as the one being read is in.
func (m *Model) listBy(sub subject.Subject) tea.Cmd {
	if sub.Code == m.q.Listing().Code {
		return common.Status(fmt.Sprintf("%s are listed by %s only (%s: next kind)", sub.Title, sub.Column,
			m.c.Keys.List.Kind.Help().Key))
	}
	if r, domain := m.current(); r != nil {
		m.places[m.data.Subject.Code] = keepName{name: r.Name, domain: domain}
	}
	m.kindBy[m.q.Listing().Kind] = m.q.Listing()
	m.rolledFrom = nil // its group ids are the subject's
	m.q.Subject, m.q.Expanded = sub.Code, map[uint32]bool{}
	m.cursor, m.offset, m.toTop = 0, 0, true
	m.searchText, m.matches = "", nil // a search is of the values listed
	if m.reloading {
		return common.Progress("listing " + sub.Title + " next…")
	}
	return m.reload(false)
}

// nextKind is the subject the kind after s's was last listed by, else
// that kind's default.
func (m *Model) nextKind(s subject.Subject) subject.Subject {
	i := slices.Index(subject.Kinds, s.Kind)
	k := subject.Kinds[(i+1)%len(subject.Kinds)]
	if by, ok := m.kindBy[k]; ok {
		return by
	}
	return subject.Default(k)
}

// nextSubject is the subject after s within its kind.
func nextSubject(s subject.Subject) subject.Subject {
	subs := subject.Of(s.Kind)
	i := slices.IndexFunc(subs, func(o subject.Subject) bool { return o.Code == s.Code })
	return subs[(i+1)%len(subs)]
}

// warmOrders sorts by every key in the background once the list is up, so
// that the first press of the sort key does not wait for a 400k-row sort.
// (The score order is sorted when the scores are read.)
func warmOrders(data *review.Dataset) tea.Cmd {
	return func() tea.Msg {
		for k := range review.SortScore {
			data.Names.Order(k)
			data.Domains.Order(k)
		}
		return nil
	}
}

func loadingTick() tea.Cmd {
	return tea.Tick(200*time.Millisecond, func(time.Time) tea.Msg { return loadingTickMsg{} })
}

// SetSize sets the view's size.
func (m *Model) SetSize(w, h int) {
	m.c.SetSize(w, h)
	m.clamp()
}

// Title names the view for the status line: "names", "domains", "http
// user agents", "http families".
func (m *Model) Title() string {
	return m.label(m.q.Domains)
}

// label names the rows listed, with their kind when it is not DNS.
func (m *Model) label(domains bool) string {
	sub := m.q.Listing()
	if m.data != nil {
		sub = m.data.Subject
	}
	l := sub.Plural
	if domains {
		l = groupsLabel(sub)
	}
	return ofKind(sub, l)
}

// groupsLabel names a list of sub's groups: their word, unless another
// list of the kind goes by it too (the pairs' accounts are not the
// accounts' list, whose counts differ; accounts and targets both roll up
// to domains): then the values by their group, "pairs by account". A
// subject that is its own group (packages, results) is not "packages by
// package".
func groupsLabel(sub subject.Subject) string {
	for _, o := range subject.Of(sub.Kind) {
		if o.Code != sub.Code && (o.Plural == sub.Groups || o.Groups == sub.Groups) {
			return sub.Plural + " by " + sub.Group
		}
	}
	return sub.Groups
}

// ofKind is word for a subject's values, its kind before it but for DNS
// names ("http user agents", "names").
func ofKind(sub subject.Subject, word string) string {
	kind := sub.Kind.String() + " "
	if sub.Kind != record.KindDNS && !strings.HasPrefix(word, kind) { // not "logon logon types"
		return kind + word
	}
	return word
}

// Capturing is true while the search, note or import input or the scope
// prompt has the keyboard.
func (m *Model) Capturing() bool { return m.inputKind != inputNone || m.scopePrompt }

// Pending says what would be lost by quitting now ("" when nothing), by
// kind: an import running was "1 mark still being written".
func (m *Model) Pending() string {
	if !m.writing {
		return ""
	}
	n := map[writeKind]int{m.writingKind: 1}
	for _, w := range m.writes {
		n[w.kind]++
	}
	var parts []string
	for _, k := range []writeKind{writeMark, writeImport, writeUndo} {
		if n[k] > 0 {
			parts = append(parts, words.Count(n[k], writeWords[k]))
		}
	}
	return strings.Join(parts, " and ") + " still being written"
}

// writeWords names a write of each kind in Pending.
var writeWords = map[writeKind]string{writeMark: "mark", writeImport: "import", writeUndo: "undo"}

// Loaded reports whether the workspace has been read.
func (m *Model) Loaded() bool { return m.data != nil }

// rowsHeight is the number of list rows on screen: the info bar, the header
// and the filter bar take three lines, the why panel what it needs.
func (m *Model) rowsHeight() int { return max(1, m.c.Height-3-m.hintHeight()-m.whyHeight()) }

// hintHeight is the line of the filter keys' hint, while it is shown; it
// gives way to the rows on a screen too small for both, and is not shown
// over an empty list, which has nothing normal to take out.
func (m *Model) hintHeight() int {
	hint := m.hint && m.inputKind == inputNone && !m.scopePrompt && len(m.res.Lines) > 0 ||
		m.inputKind == inputCategory // the tally (categories.go)
	if hint && m.data != nil && m.c.Height-3-m.whyHeight() > 4 {
		return 1
	}
	return 0
}

// openWhereTheWorkIs sets up the list of a workspace that has no stored
// place: the groups (registered domains), known-good hidden, the most
// suspicious first, and the hint of the filter keys; Options.ByCount keeps
// the view the list opened on before, the values by count.
func (m *Model) openWhereTheWorkIs() {
	m.hint = true
	if m.opts.ByCount {
		return
	}
	// (A list without a workspace, on data in memory, reads no scores: it
	// waits for none.)
	m.q.Domains, m.q.Sort, m.byScoreFirst = true, review.SortScore, m.c.DB != nil
}

// Update handles messages; when one changes the rows on screen without
// moving the cursor (a prompt or the hint line opened or closed changes
// the list's height), it asks for the sparklines of the rows uncovered.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	before := m.visibleRange()
	v, cmd := m.update(msg)
	if m.visibleRange() != before {
		cmd = tea.Batch(cmd, m.sparksLater())
	}
	return v, cmd
}

// visibleRange is the first row on screen and how many rows fit.
func (m *Model) visibleRange() [2]int { return [2]int{m.offset, m.rowsHeight()} }

// update handles a message.
func (m *Model) update(msg tea.Msg) (common.View, tea.Cmd) {
	switch msg := msg.(type) {
	case statsMsg:
		if msg.err != nil {
			m.loadErr = msg.err
			return m, common.Error(msg.err)
		}
		m.stats = &msg.stats
		return m, m.loadFirst()
	case firstMsg:
		if len(msg.items) > 0 {
			m.first = &msg
		}
		return m, m.loadAll(msg.state)
	case loadedMsg:
		if msg.err != nil {
			m.loadErr = msg.err
			return m, common.Error(msg.err)
		}
		m.data, m.verd = msg.data, msg.verd
		if !m.restore(msg.state) {
			m.openWhereTheWorkIs()
		} else if m.q.Sort == review.SortScore {
			m.byScoreFirst = m.c.DB != nil // a place kept by score waits for them too
		}
		if !m.byScoreFirst {
			m.first = nil
		}
		m.q.Subject = m.data.Subject.Code // what was found to list
		m.q.Session = msg.session
		m.arrivedN = msg.arrived
		return m, tea.Batch(m.recompute(), warmOrders(m.data), m.loadExtras(true, true), m.pollTick())
	case pollTickMsg:
		return m, m.poll()
	case polledMsg:
		return m, m.polled(msg)
	case reloadedMsg:
		return m, m.reloaded(msg)
	case extrasMsg:
		if msg.err != nil {
			if m.byScoreFirst {
				// No scores to wait for: the keys held for them act.
				m.byScoreFirst, m.first = false, nil
				return m, tea.Batch(common.Error(msg.err), m.replay())
			}
			return m, common.Error(msg.err)
		}
		if msg.data != m.data {
			return m, nil // read for the names before a reload
		}
		if msg.sc != nil {
			m.sc = msg.sc
			if m.byScoreFirst && m.q.Sort == review.SortScore {
				// The first rows stood for the list until now: a new
				// workspace opens on the worst, at the top of the
				// order; a place kept, on its row (keep). Nothing
				// scored: by count it stays.
				m.toTop = m.keep == nil
				if !m.sc.Any {
					m.q.Sort = review.SortCount
				}
			}
			m.byScoreFirst, m.first = false, nil
		}
		if msg.an != nil {
			m.an = msg.an
		}
		return m, m.recompute()
	case rescoredMsg:
		return m, m.rescored(msg)
	case whyMsg:
		m.gotWhy(msg)
		return m, nil
	case computedMsg:
		if msg.seq != m.seq {
			return m, nil // the user has moved on
		}
		return m, m.applyResult(msg.res)
	case verdictsMsg:
		if msg.data != m.data {
			return m, m.refreshVerdicts() // the names were reloaded meanwhile
		}
		m.verd = msg.verd
		return m, m.recompute()
	case common.MarkMsg:
		return m, m.remoteMark(msg)
	case common.ListPivotMsg:
		return m, m.pivotTo(msg)
	case common.RulesChangedMsg:
		if m.data == nil || m.sameRules(msg.Rules) {
			return m, nil
		}
		data := m.data
		return m, func() tea.Msg { return verdictsMsg{data, review.NewVerdicts(data, msg.Rules)} }
	case searchMsg:
		if msg.seq == m.searchSeq {
			m.matches = msg.matches
			if msg.stay {
				return m, nil
			}
			return m, m.jumpToMatch(0)
		}
		return m, nil
	case loadingTickMsg:
		if m.firstShown() && m.loadErr == nil {
			return m, loadingTick()
		}
		return m, nil
	case sparkTickMsg:
		if msg.seq == m.sparkSeq {
			return m, m.fetchSparks()
		}
		return m, nil
	case sparksMsg:
		if msg.width == m.sparkW {
			maps.Copy(m.sparks, msg.sparks)
		}
		if msg.err != nil {
			return m, common.Error(fmt.Errorf("sparklines: %w", msg.err))
		}
		return m, nil
	case writtenMsg:
		return m, m.written(msg)
	case tea.WindowSizeMsg:
		return m, m.afterMove() // sparklines of the new width
	case tea.PasteMsg:
		if m.inputKind != inputNone {
			m.input.Update(msg)
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// key handles a key press; one pressed before the list was shown (or, on
// a first screen by score, before the scores are in), or while those are
// replayed, waits its turn.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if !m.shown || len(m.early) > 0 || m.byScoreFirst {
		if len(m.early) < maxEarly {
			m.early = append(m.early, msg)
		}
		return nil
	}
	return m.act(msg)
}

// act handles a key: the input or prompt first, then the list keys.
func (m *Model) act(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	switch {
	case m.inputKind != inputNone:
		return m.inputKey(msg)
	case m.scopePrompt:
		return m.scopeKey(msg)
	}
	if to, ok := scroll.Key(msg, k.Nav, m.cursor, len(m.res.Lines), m.rowsHeight()); ok {
		if m.toTop && (m.pending || m.reloading) {
			// A new order (or subject) is on its way, to be read from
			// its top: the move is meant in it.
			m.movesAfterTop = append(m.movesAfterTop, msg)
			return nil
		}
		m.moveTo(to)
		return m.afterMove()
	}
	if key.Matches(msg, k.Filter.HideGood, k.Filter.HideTop, k.Filter.TopMore, k.Filter.TopLess, k.Filter.Rare,
		k.Filter.RareMore, k.Filter.RareLess, k.Filter.Unreviewed, k.Filter.HideRanked, k.Filter.RankMore,
		k.Filter.RankLess, k.Filter.Fresh, k.Filter.Arrived, k.Filter.HideASN, k.Filter.OnlyASN, k.Filter.Category,
		k.Filter.Clear) {
		m.hint = false // the analyst knows the filters now
	}
	switch {
	case key.Matches(msg, k.Search.Search):
		return m.openInput(inputSearch, "/ ", m.searchText)
	case key.Matches(msg, k.Search.Next):
		return m.jumpToMatch(1)
	case key.Matches(msg, k.Search.Prev):
		return m.jumpToMatch(-1)

	case key.Matches(msg, k.List.RollUp):
		return m.rollUp()
	case key.Matches(msg, k.List.Expand):
		return m.toggleExpand(0)
	case key.Matches(msg, k.List.Open):
		return m.toggleExpand(1)
	case key.Matches(msg, k.List.Close):
		return m.toggleExpand(-1)
	case key.Matches(msg, k.List.Sort):
		// From the order shown: an unscored subject's "score" is its count.
		return m.sortBy((m.res.Sort + 1) % review.SortKey(review.NumSortKeys))
	case key.Matches(msg, k.List.SortScore):
		return m.sortBy(review.SortScore)
	case key.Matches(msg, k.List.Why):
		return m.toggleWhy()
	case key.Matches(msg, k.List.Reload):
		return m.reload(false)
	case key.Matches(msg, k.List.Kind):
		m.fillKind = true
		return m.listBy(m.nextKind(m.q.Listing()))
	case key.Matches(msg, k.List.By):
		return m.listBy(nextSubject(m.q.Listing()))
	case key.Matches(msg, k.List.Reverse):
		m.q.Reverse, m.toTop = !m.q.Reverse, true
		return m.recompute()
	case key.Matches(msg, k.List.Select):
		m.toggleSelect()
	case key.Matches(msg, k.List.Visual):
		m.toggleVisual()
	case key.Matches(msg, k.List.Rules):
		if m.opts.OpenRules == nil {
			return common.Status("the rules view is not available")
		}
		return common.Cmd(common.PushMsg{View: m.opts.OpenRules(m.c, m.coverageNames())})
	case key.Matches(msg, k.List.Logons):
		if m.q.Listing().Kind != record.KindLogon {
			return common.Status("the logon summary is of logons: K lists them")
		}
		return common.Open(common.ScreenLogons, common.Target{})
	case key.Matches(msg, k.List.Tally):
		return m.openTally()
	case key.Matches(msg, k.List.Import):
		if m.opts.Import == nil {
			return common.Status("importing a list is not available in this build yet")
		}
		if sub := m.q.Listing(); sub.Code != subject.DNSName {
			// A list's lines become DNS name rules, whatever is listed:
			// on accounts they would decide no account.
			// Short enough for 80 columns: the advice is the point.
			return common.Status(fmt.Sprintf("%s imports DNS names (%s); %s: rules add --kind %s --by %s",
				k.List.Import.Help().Key, k.List.Kind.Help().Key, ofKind(sub, sub.Plural), sub.Kind, sub.Name))
		}
		return m.openInput(inputImport, "import "+verdicts.PromptSyntax+": ", "")

	case key.Matches(msg, k.Filter.HideGood):
		return m.toggle(&m.q.Hide[rules.Good])
	case key.Matches(msg, k.Filter.HideTop):
		return m.hideTop()
	case key.Matches(msg, k.Filter.TopMore, k.Filter.TopLess):
		return m.adjust(&m.q.TopN, &m.q.HideTop, upOrDown(msg, k.Filter.TopMore))
	case key.Matches(msg, k.Filter.Rare):
		return m.toggle(&m.q.Rare)
	case key.Matches(msg, k.Filter.RareMore):
		m.q.RareK, m.q.Rare = m.q.RareK+1, true
		return m.recompute()
	case key.Matches(msg, k.Filter.RareLess):
		m.q.RareK, m.q.Rare = max(1, m.q.RareK-1), true
		return m.recompute()
	case key.Matches(msg, k.Filter.Unreviewed):
		return m.toggle(&m.q.Unreviewed)
	case key.Matches(msg, k.Filter.HideRanked):
		if m.an != nil && !m.an.AnyRanked {
			return common.Status(noRanks)
		}
		return m.toggle(&m.q.HideRanked)
	case key.Matches(msg, k.Filter.RankMore, k.Filter.RankLess):
		if m.an != nil && !m.an.AnyRanked {
			return common.Status(noRanks)
		}
		return m.adjust(&m.q.RankN, &m.q.HideRanked, upOrDown(msg, k.Filter.RankMore))
	case key.Matches(msg, k.Filter.Fresh):
		if m.an != nil && m.an.Fresh[0] == nil {
			return common.Status("no baseline snapshot: take one with longtail baseline snapshot NAME")
		}
		return m.toggle(&m.q.Fresh)
	case key.Matches(msg, k.List.Filters):
		return m.openFilters()
	case key.Matches(msg, k.Filter.Arrived):
		if !m.q.Arrived && m.arrivedRows() == 0 {
			// + keeps new rows: events of rows listed before are none.
			// On with none, it hid every row, and esc left it on.
			return common.Status(fmt.Sprintf("no new %s arrived while open (%s shows new rows, not new events of listed ones)",
				m.label(m.q.Domains), k.Filter.Arrived.Help().Key))
		}
		return m.toggle(&m.q.Arrived)
	case key.Matches(msg, k.Filter.HideASN):
		return m.promptHideASN()
	case key.Matches(msg, k.Filter.OnlyASN):
		return m.onlyNetwork()
	case key.Matches(msg, k.Filter.Category):
		return m.openCategoryFilter()
	case key.Matches(msg, k.Filter.Clear):
		m.q.Hide[rules.Good], m.q.HideTop, m.q.Rare, m.q.Unreviewed = false, false, false, false
		m.q.HideRanked, m.q.Fresh, m.q.Arrived, m.q.HideASN, m.q.OnlyASN = false, false, false, nil, nil
		m.q.Category = review.CategoryFilter{}
		return m.recompute()

	case key.Matches(msg, k.Mark.Good):
		return m.startMark(rules.Good)
	case key.Matches(msg, k.Mark.Suspicious):
		return m.startMark(rules.Suspicious)
	case key.Matches(msg, k.Mark.Bad):
		return m.startMark(rules.Bad)
	case key.Matches(msg, k.Mark.Clear):
		return m.clearMarks()
	case key.Matches(msg, k.Mark.Note):
		m.noteNext = !m.noteNext
		if m.noteNext {
			return common.Status("the next mark asks for a note")
		}
		return common.Status("marks without a note")
	case key.Matches(msg, k.Mark.Undo):
		return m.undoLast()

	case key.Matches(msg, k.Drill.Events):
		return m.open(common.ScreenEvents)
	case key.Matches(msg, k.Drill.Clients):
		return m.open(common.ScreenClients)
	case key.Matches(msg, k.Drill.Pivot):
		return m.pivot()
	case key.Matches(msg, k.Drill.Timeline):
		return m.open(common.ScreenTimeline)
	case key.Matches(msg, k.Drill.Heatmap):
		return m.open(common.ScreenHeatmap)
	case key.Matches(msg, k.Drill.TimelineAll):
		return common.Open(common.ScreenTimeline, common.Target{Subject: db.Subject{Kind: db.SubjectAll}, Label: "all traffic"})
	case key.Matches(msg, k.Drill.HeatmapAll):
		return common.Open(common.ScreenHeatmap, common.Target{Subject: db.Subject{Kind: db.SubjectAll}, Label: "all traffic"})

	case key.Matches(msg, k.Global.Back):
		// esc backs out of a mode: visual range, selection, search, then
		// the why panel.
		switch {
		case m.visual || len(m.selected) > 0:
			m.clearSelection()
			return common.Handled()
		case m.searchText != "":
			m.searchText, m.matches = "", nil
			return common.Handled()
		case m.why.open:
			return tea.Batch(m.toggleWhy(), common.Handled())
		}
		return nil
	case key.Matches(msg, k.Global.Quit):
		// q closes the why panel, the one level the list has over itself;
		// else the app quits.
		if m.why.open {
			return tea.Batch(m.toggleWhy(), common.Handled())
		}
		return nil
	case key.Matches(msg, k.Events.Filter):
		return common.Status(fmt.Sprintf("%s filters a name's requests: %s opens them", k.Events.Filter.Help().Key, k.Drill.Events.Help().Key))
	default:
		return nil
	}
	return m.afterMove()
}

// noRanks is what the rank filter's keys say in a workspace without a
// popularity list.
const noRanks = "no popularity ranks: import a list with I (PATH ranks) or longtail import-list --ranks"

// open opens a screen on the row under the cursor: a name, or a group
// (a registered domain, a section, a family, a network), whose screens show
// the union over its values.
func (m *Model) open(s common.Screen) tea.Cmd {
	r, domain := m.current()
	if r == nil {
		return nil
	}
	t := common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: r.ID}, Label: r.Name}
	if domain {
		t.Subject.Kind = db.SubjectDomain
		t.Group = &db.DomainRow{ID: r.ID, Kind: uint8(m.data.Subject.Code), Name: r.Name, Count: r.Count, Clients: r.Clients,
			Names: r.Names, First: r.First, Last: r.Last}
	} else {
		t.Name = &db.NameRow{ID: r.ID, Kind: uint8(m.data.Subject.Code), Name: r.Name, DomainID: r.DomainID, Domain: r.Domain,
			Count: r.Count, Clients: r.Clients, First: r.First, Last: r.Last}
	}
	return common.Open(s, t)
}

// pivot opens, on a row that is a client (HTTP clients, logon sources),
// everything that address did: its DNS names beside the hosts and paths it
// fetched and the accounts it tried.
func (m *Model) pivot() tea.Cmd {
	r, domain := m.current()
	if r == nil {
		return common.Status(noRow)
	}
	addr := r.Name
	switch code := m.data.Subject.Code; {
	case code == subject.LogonPair && !domain:
		addr = subject.PairSource(r.Name) // a pair has one source: its own
	case domain || code != subject.HTTPClient && code != subject.LogonSource:
		who := tsubject.ClientOf(m.data.Subject.Kind)
		return common.Status(fmt.Sprintf("%s needs a %s: %s lists this row's %ss",
			m.c.Keys.Drill.Pivot.Help().Key, who, m.c.Keys.Drill.Clients.Help().Key, who))
	}
	if addr == subject.None || addr == "" {
		return common.Status("this row's logons name no source: there is none to pivot on")
	}
	d, ctx := m.c.DB, m.c.Ctx
	return func() tea.Msg {
		cl, err := d.ClientByText(ctx, addr)
		if err != nil {
			return common.ErrMsg{Err: err}
		}
		return common.OpenMsg{Screen: common.ScreenPivot, Target: common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: cl.ID}, Label: cl.Addr}}
	}
}

// noRow says why a key about the cursor's row did nothing: the list
// (empty, or filtered to nothing) has none.
const noRow = "no row under the cursor"

// current returns the row under the cursor and whether it is a domain row.
func (m *Model) current() (*review.Row, bool) {
	if m.data == nil || m.cursor < 0 || m.cursor >= len(m.res.Lines) {
		return nil, false
	}
	return m.rowAt(m.cursor)
}

// rowAt returns the row of visible line pos and whether it is a domain row.
func (m *Model) rowAt(pos int) (*review.Row, bool) {
	return m.data.Row(m.res.Domains, m.res.Lines[pos])
}

// sortBy sorts the list by k and says so. The cursor goes to the top: a
// new order is asked for to read it from its start (most likely bad first).
func (m *Model) sortBy(k review.SortKey) tea.Cmd {
	m.q.Sort, m.toTop = k, true
	text := "sort by " + k.String()
	switch {
	case k == review.SortScore && m.unscored():
		text = m.notScored() + ": sorted by count"
	case k == review.SortScore && len(m.data.Names.Rows) == 0:
		// Nothing is scored because there is nothing, not for want of
		// scoring.
		text += ": no " + m.data.Subject.Title + " in this workspace"
	case k == review.SortScore && m.sc != nil && !m.sc.Any:
		text += ": nothing is scored yet (longtail score)"
	}
	return tea.Batch(m.recompute(), common.Status(text))
}

// unscored says the subject listed is one the scorer leaves out
// (subject.Subject.Scored): by score it is by count, and no scoring will
// change that.
func (m *Model) unscored() bool { return m.data != nil && !m.data.Subject.Scored }

// notScored says so in the subject's words: "logon targets are not scored".
func (m *Model) notScored() string { return m.label(m.res.Domains) + " are not scored" }

// toggle turns a filter on or off.
func (m *Model) toggle(on *bool) tea.Cmd {
	*on = !*on
	return m.recompute()
}

// hideTop turns the top-N filter on or off; on a list of N rows or fewer,
// where it hides every row, it says so and which key makes N smaller.
func (m *Model) hideTop() tea.Cmd {
	cmd := m.toggle(&m.q.HideTop)
	n := len(m.data.Table(m.q.Domains).Rows)
	if !m.q.HideTop || n > m.q.TopN {
		return cmd
	}
	return tea.Batch(cmd, common.Status(fmt.Sprintf("%s hides the %d busiest: all the %s %s listed (%s: fewer)", m.c.Keys.Filter.HideTop.Help().Key,
		m.q.TopN, words.Int(int64(n)), m.label(m.q.Domains), m.c.Keys.Filter.TopLess.Help().Key)))
}

// topLeavesRows says the list has clearly more rows (twice) than the N
// busiest the top-N filter hides: on a shorter one it leaves few or none.
func (m *Model) topLeavesRows() bool { return len(m.data.Table(m.q.Domains).Rows) > 2*m.q.TopN }

// adjust moves the N of a filter (top N, rank ≤ N) one step and turns
// the filter on.
func (m *Model) adjust(n *int, on *bool, dir int) tea.Cmd {
	*n, *on = stepTop(*n, dir), true
	return m.recompute()
}

// upOrDown is 1 when msg is the "up" key of a pair, else -1.
func upOrDown(msg tea.KeyPressMsg, up key.Binding) int {
	if key.Matches(msg, up) {
		return 1
	}
	return -1
}

// stepTop moves N one step up or down topSteps (N is always one of them).
func stepTop(n, dir int) int {
	i := max(0, slices.Index(topSteps, n))
	return topSteps[max(0, min(len(topSteps)-1, i+dir))]
}

// recompute asks for the visible list under the current review.Query, in a command.
func (m *Model) recompute() tea.Cmd {
	if m.data == nil {
		return nil
	}
	m.seq++
	m.pending = true
	seq, data, verd, sc, an := m.seq, m.data, m.verd, m.sc, m.an
	q := m.q
	if q.Sort == review.SortScore && m.unscored() {
		// Shown by count, while the score order stays asked for the
		// next subject listed.
		q.Sort = review.SortCount
	}
	q.Expanded = maps.Clone(m.q.Expanded)
	m.c.Shared.Filters = q
	return func() tea.Msg { return computedMsg{seq: seq, res: review.Compute(data, verd, sc, an, q)} }
}

// applyResult shows a new visible list, keeping the cursor on the same row
// when it is still there.
func (m *Model) applyResult(res review.Result) tea.Cmd {
	var keepKey selKey
	var keepOK bool
	if m.cursor >= 0 && m.cursor < len(m.res.Lines) {
		keepKey, keepOK = m.keyAt(m.cursor), true
	}
	m.res, m.pending, m.shown = res, false, true
	if m.inputKind == inputCategory {
		m.tallyCategories()
	}
	if m.toTop {
		m.cursor, m.offset, m.toTop, keepOK = 0, 0, false, false
	}
	switch {
	case m.keep != nil && (m.sc != nil || m.q.Sort != review.SortScore):
		// (By score, the row is looked for once the scores are read: in
		// the order before them it may be far down, and the screen would
		// scroll there.)
		m.findKept()
	case keepOK:
		for p := range res.Lines {
			if m.keyAt(p) == keepKey {
				m.cursor = p
				break
			}
		}
	}
	m.clamp()
	// The moves typed while it came are made from where it opens: its top,
	// or the row kept for it (a subject listed before), not before that
	// row is found, which took the cursor back there.
	for _, k := range m.movesAfterTop {
		m.cursor, _ = scroll.Key(k, m.c.Keys.Nav, m.cursor, len(res.Lines), m.rowsHeight())
		m.clamp()
	}
	m.movesAfterTop = nil
	cmds := []tea.Cmd{m.announceShown()}
	if m.searchText != "" {
		cmds = append(cmds, m.runSearch(false))
	}
	cmds = append(cmds, m.afterMove(), m.replay())
	return tea.Batch(cmds...)
}

// replay plays the keys pressed while the workspace loaded, in order, each
// on the list the keys before it made: it stops after a key that asks for
// a new list and goes on once that list is shown.
func (m *Model) replay() tea.Cmd {
	if m.byScoreFirst {
		return nil // the first order is the scores': the keys are meant in it
	}
	var cmds []tea.Cmd
	for len(m.early) > 0 && !m.pending {
		k := m.early[0]
		m.early = m.early[1:]
		cmds = append(cmds, m.act(k))
	}
	return tea.Batch(cmds...)
}

func (m *Model) keyAt(p int) selKey {
	l := m.res.Lines[p]
	return selKey{domain: l.IsDomain(m.res.Domains), idx: l.Idx}
}

func (m *Model) move(d int) { m.moveTo(m.cursor + d) }

func (m *Model) moveTo(p int) {
	m.cursor = p
	m.clamp()
}

// clamp keeps the cursor on a line and on screen.
func (m *Model) clamp() {
	m.cursor, m.offset = scroll.Clamp(m.cursor, m.offset, len(m.res.Lines), m.rowsHeight())
}

// afterMove reads the why panel's row and schedules the sparklines of the
// rows now on screen.
func (m *Model) afterMove() tea.Cmd {
	return tea.Batch(m.fetchWhy(), m.sparksLater())
}

// sparksLater schedules the sparklines after a short pause, so that holding
// a key down does not queue a review.Query per row.
func (m *Model) sparksLater() tea.Cmd {
	if m.data == nil || m.c.DB == nil || m.missingSparks() == 0 {
		return nil
	}
	m.sparkSeq++
	seq := m.sparkSeq
	return tea.Tick(sparkDelay, func(time.Time) tea.Msg { return sparkTickMsg{seq} })
}

// rollUp lists the groups instead of the values, or back: from a value,
// the cursor goes to its group's row; from a group, to the value d was
// pressed on when it is of that group, else to the group's first value.
func (m *Model) rollUp() tea.Cmd {
	r, domain := m.current()
	switch {
	case r == nil:
	case domain:
		m.keep = &keepName{domain: false, group: r.ID, byGroup: true}
		if from := m.rolledFrom; from != nil && from.group == r.ID {
			m.keep.name = from.name
		}
	case m.q.Domains: // a value shown under its expanded group
		m.keep = &keepName{name: r.Name}
	default:
		m.rolledFrom = &keepName{name: r.Name, group: r.DomainID}
		m.keep = &keepName{domain: true, group: r.DomainID, byGroup: true}
	}
	m.q.Domains = !m.q.Domains
	m.clearSelection()
	m.cursor, m.offset = 0, 0
	return m.recompute()
}

// toggleExpand opens (dir 1), closes (-1) or toggles (0) the domain under
// the cursor; on a child, closing closes its domain and moves to it.
func (m *Model) toggleExpand(dir int) tea.Cmd {
	if !m.res.Domains || m.cursor >= len(m.res.Lines) {
		return nil
	}
	r, domain := m.rowAt(m.cursor)
	id := r.DomainID // a domain row's DomainID is its own ID
	if !domain {
		if dir > 0 {
			return nil
		}
		for p := m.cursor; p >= 0; p-- {
			if !m.res.Lines[p].Child {
				m.cursor = p
				break
			}
		}
	}
	open := !m.q.Expanded[id]
	if dir != 0 {
		open = dir > 0
	}
	if open == m.q.Expanded[id] {
		return nil
	}
	if open && !m.expandable(r) {
		// Its one value under it read as a copy of the row.
		return common.Status(fmt.Sprintf("nothing to expand: %s has no %s but itself",
			textsafe.String(r.Name), m.data.Subject.Column))
	}
	if open {
		m.q.Expanded[id] = true
	} else {
		delete(m.q.Expanded, id)
	}
	return m.recompute()
}

// expandable says whether the group row r has values other than the
// bare group (the fold marker ▸): a domain whose one name is itself
// has nothing to show under it.
func (m *Model) expandable(r *review.Row) bool {
	kids := m.data.Children[r.ID]
	return len(kids) > 1 || len(kids) == 1 && m.data.Names.Rows[kids[0]].Name != r.Name
}

// namesSeq is the loaded values, for the rules view's coverage counts.
func (m *Model) coverageNames() rulesview.Names {
	return rulesview.Names{Subject: m.data.Subject.Code, Rows: m.data.Names.Rows}
}

// KeyHelp lists the list's keys by section, in the words of what it
// lists: "hosts ↔ domains", "expand family", "the logons of this row".
func (m *Model) KeyHelp() []common.HelpSection {
	k := *m.c.Keys // a copy: the words are this list's, the keymap every screen's
	s := m.q.Listing()
	k.List.RollUp = tsubject.WithHelp(k.List.RollUp, s.Plural+" ↔ "+s.Groups)
	k.List.Expand = tsubject.WithHelp(k.List.Expand, "expand/collapse "+s.Group)
	k.List.Open = tsubject.WithHelp(k.List.Open, "expand "+s.Group)
	k.List.Close = tsubject.WithHelp(k.List.Close, "collapse "+s.Group)
	k.Drill.Events = tsubject.WithHelp(k.Drill.Events, "the "+tsubject.EventsOf(s.Kind)+" of this row")
	k.Drill.Clients = tsubject.WithHelp(k.Drill.Clients, "the clients of this row")
	return []common.HelpSection{
		k.Navigation(),
		k.Searching(),
		{Title: "Filters (status line: what each hides)", Keys: []key.Binding{k.Filter.HideGood, k.Filter.HideTop,
			k.Filter.TopLess, k.Filter.TopMore, k.Filter.Rare, k.Filter.RareLess, k.Filter.RareMore,
			k.Filter.Unreviewed, k.Filter.HideRanked, k.Filter.RankLess, k.Filter.RankMore, k.Filter.Fresh, k.Filter.Arrived,
			k.Filter.HideASN, k.Filter.OnlyASN, k.Filter.Category, k.Filter.Clear, k.List.Filters}},
		{Title: "List", Keys: []key.Binding{k.List.Kind, k.List.By, k.List.RollUp, k.List.Expand, k.List.Open, k.List.Close,
			k.List.Sort, k.List.SortScore, k.List.Reverse, k.List.Why, k.List.Reload}},
		{Title: "Mark (selection, else the row)", Keys: []key.Binding{k.Mark.Good, k.Mark.Suspicious, k.Mark.Bad,
			k.Mark.Clear, k.Mark.Note, k.Mark.Undo, k.List.Select, k.List.Visual}},
		{Title: "Drill down", Keys: []key.Binding{k.Drill.Events, k.Drill.Clients, k.Drill.Pivot, k.Drill.Timeline,
			k.Drill.Heatmap, k.Drill.TimelineAll, k.Drill.HeatmapAll, k.List.Logons, k.List.Tally}},
		{Title: "Rules", Keys: []key.Binding{k.List.Rules, k.List.Import}},
		k.General(),
	}
}

// openInput opens the one-line input at the bottom.
func (m *Model) openInput(kind inputKind, prompt, value string) tea.Cmd {
	m.inputKind = kind
	m.input.Prompt = prompt
	m.input.Reopen(value)
	return nil
}

func (m *Model) closeInput() {
	m.inputKind = inputNone
}

// inputKey handles a key while the input is open: enter submits, esc
// cancels, everything else edits.
func (m *Model) inputKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys.Prompt
	switch {
	case key.Matches(msg, k.Cancel):
		kind := m.inputKind
		m.closeInput()
		if kind == inputNote {
			m.pendingMark = nil
			return common.Status("mark cancelled")
		}
		return nil
	case key.Matches(msg, k.Confirm):
		kind, value := m.inputKind, m.input.Value()
		m.closeInput()
		switch kind {
		case inputSearch:
			return m.search(value)
		case inputNote:
			req := m.pendingMark
			m.pendingMark = nil
			if req == nil {
				return nil
			}
			req.note = value
			return m.submitMark(*req)
		case inputImport:
			return m.importList(strings.TrimSpace(value))
		case inputHideASN:
			return m.hideASNs(value)
		case inputCategory:
			return m.setCategoryFilter(value)
		}
		return nil
	}
	m.input.Update(msg)
	return nil
}
