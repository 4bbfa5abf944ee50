package list

import (
	"context"
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/common"
	tsubject "github.com/longtail/longtail/tui/internal/subject"
)

// Reloading: the reload key reads the workspace again, and with
// Options.Poll the list asks every so often whether another process
// changed it (the stored totals and the sources: one cheap read) and then
// reloads on its own. A reload keeps the filters, the sort, the expanded
// domains and the cursor on its name.

type (
	pollTickMsg struct{}
	polledMsg   struct {
		stats  db.Stats
		scored time.Time // when the scores were stored
		err    error
	}
	// reloadedMsg is the workspace read again, with what the list reads
	// for it (verdicts, scores, annotations), so that they change together.
	reloadedMsg struct {
		stats db.Stats
		data  *review.Dataset
		verd  *review.Verdicts
		sc    *review.Scores
		an    *review.Annotations
		auto  bool // started by the poll, which it continues
		// asked is the subject a kind switch asked for when the read
		// listed another of that kind instead (the asked one is empty).
		asked subject.Code
		// arrived: what of data came after the session began, counted
		// here, not in Update (a pass over every row)
		arrived [2]int64
		err     error
	}
)

// keepName is the row the cursor was on before a reload: rows are found
// again by name, their positions in the new data being others. A roll-up
// (d) keeps a row of the other level: byGroup, the row of the group
// (domain), or the group's first value listed, when no row is the name.
type keepName struct {
	name    string
	domain  bool
	group   uint32
	byGroup bool
}

// pollTick schedules the next poll; nil without polling.
func (m *Model) pollTick() tea.Cmd {
	if m.opts.Poll <= 0 || m.c.DB == nil {
		return nil
	}
	return tea.Tick(m.opts.Poll, func(time.Time) tea.Msg { return pollTickMsg{} })
}

// poll reads the totals, the sources and the time of the scores in a
// command.
func (m *Model) poll() tea.Cmd {
	d, ctx := m.c.DB, m.c.Ctx
	return func() tea.Msg {
		st, err := d.Stats(ctx)
		if err != nil {
			return polledMsg{err: err}
		}
		scored, err := d.ScoresStoredAt(ctx)
		return polledMsg{st, scored, err}
	}
}

// polled reloads when the workspace changed, or only the scores when they
// were stored again (an ingest elsewhere scores after its data is in, so
// the reload it caused may have read the scores before), else waits for
// the next poll. A failed read is tried again at the next tick, silently:
// the list on screen is still right about what it shows.
func (m *Model) polled(msg polledMsg) tea.Cmd {
	if msg.err != nil || m.reloading || m.stats == nil || m.byScoreFirst {
		// (Waiting for the first scores, a reload would drop them as
		// read for the list before it, and the first rows would wait on.)
		return m.pollTick()
	}
	scoredBefore, known := m.scoredAt, m.scoredKnown
	m.scoredAt, m.scoredKnown = msg.scored, true
	switch {
	case !sameWorkspace(*m.stats, msg.stats):
		return m.reload(true)
	case known && !msg.scored.Equal(scoredBefore) && !m.scoring:
		// (After the list's own rescoring, which read them already,
		// this reads them once more: a cheap read, rarely.)
		return tea.Batch(m.loadExtras(true, false), m.pollTick())
	}
	return m.pollTick()
}

// sameWorkspace reports whether two reads of the totals are of the same
// workspace contents.
func sameWorkspace(a, b db.Stats) bool {
	return a.Events == b.Events && a.Names == b.Names && a.Domains == b.Domains && a.Clients == b.Clients &&
		a.First == b.First && a.Last == b.Last && slices.Equal(a.Sources, b.Sources)
}

// reload reads the workspace again in a command; auto: for the poll.
func (m *Model) reload(auto bool) tea.Cmd {
	if m.data == nil || m.c.DB == nil {
		return nil
	}
	if m.reloading {
		return common.Status("already reloading")
	}
	m.reloading = true
	d, ctx, sub, session := m.c.DB, m.c.Ctx, m.q.Listing(), m.q.Session
	fill := m.fillKind
	m.fillKind = false
	say := "reloading the workspace…"
	if auto {
		say = "the workspace changed: reloading…"
	}
	return tea.Batch(common.Progress(say), func() tea.Msg {
		msg := reloadedMsg{auto: auto}
		if msg.stats, msg.err = d.Stats(ctx); msg.err != nil {
			return msg
		}
		if fill {
			asked := sub
			if sub, msg.err = filled(ctx, d, sub); msg.err != nil {
				return msg
			}
			if sub.Code != asked.Code {
				msg.asked = asked.Code
			}
		}
		l, err := review.LoadAll(ctx, d, msg.stats, sub)
		msg.data, msg.verd, msg.sc, msg.an, msg.err = l.Data, l.Verdicts, l.Scores, l.Annotations, err
		if err == nil {
			msg.arrived = session.Counts(l.Data)
		}
		return msg
	})
}

// filled is sub, or when the workspace has none of its values the first
// subject of its kind that has some: an access log without virtual hosts
// has no HTTP hosts, and K should not land on an empty list.
func filled(ctx context.Context, d *db.DB, sub subject.Subject) (subject.Subject, error) {
	counts, err := d.SubjectCounts(ctx)
	if err != nil {
		return sub, err
	}
	has := map[subject.Code]bool{}
	for _, c := range counts {
		has[c.Code] = c.Values > 0
	}
	if has[sub.Code] {
		return sub, nil
	}
	for _, s := range subject.Of(sub.Kind) {
		if has[s.Code] {
			return s, nil
		}
	}
	return sub, nil
}

// reloaded swaps the new workspace in. The selection is cleared (it names
// rows of the old data); the cursor's name is looked for in the result.
func (m *Model) reloaded(msg reloadedMsg) tea.Cmd {
	m.reloading = false
	var next tea.Cmd
	if msg.auto {
		next = m.pollTick()
	}
	if msg.err != nil {
		return tea.Batch(next, common.Error(fmt.Errorf("reloading the workspace: %w", msg.err)))
	}
	if r, domain := m.current(); r != nil {
		m.keep = &keepName{name: r.Name, domain: domain}
	}
	if msg.asked != 0 && msg.asked == m.q.Subject {
		m.q.Subject = msg.data.Subject.Code // what the kind has to list
	}
	if msg.data.Subject.Code != m.q.Listing().Code {
		// Another subject was asked for while this one was read.
		return tea.Batch(next, m.reload(false))
	}
	before, eventsBefore, switched := len(m.data.Names.Rows), m.data.Events, m.data.Subject.Code != msg.data.Subject.Code
	m.stats, m.data, m.verd, m.sc, m.an = &msg.stats, msg.data, msg.verd, msg.sc, msg.an
	m.arrivedN = msg.arrived
	if switched {
		// The lines on screen index the other subject's rows: none is
		// shown until the new result comes, on the row the cursor was
		// on when this subject was last listed.
		m.res.Lines, m.keep = nil, m.placeIn(m.data.Subject.Code)
		m.cursor, m.offset = 0, 0
	}
	m.clearSelection()
	m.sparks = map[sparkKey]string{}
	m.why.subject = sparkKey{}
	text := m.reloadedText(before, eventsBefore, msg.auto)
	n := len(m.data.Names.Rows)
	switch {
	case switched:
		text = switchedText(m.data.Subject, n, len(m.data.Domains.Rows))
		if n == 0 {
			text = "no " + m.data.Subject.Title + " in this workspace (K: next kind)"
		}
	case msg.auto:
		m.reannounce = true
		// The screens opened over the list read it again too.
		next = tea.Batch(next, common.Cmd(common.WorkspaceChangedMsg{}))
	}
	return tea.Batch(next, m.recompute(), warmOrders(m.data), common.Status(text))
}

// switchedText says what a subject switched to lists: n values in groups
// groups, and the key to the kind's next subject, which a log without
// the first (an access log without virtual hosts has no HTTP host) makes
// the one to press: "1 host in 1 registered domain · v: paths".
func switchedText(sub subject.Subject, n, groups int) string {
	// No title: the view's name beside it says the kind, and at 80
	// columns the key must fit.
	text := words.CountOf(n, sub.Column, sub.Plural)
	if sub.Groups != sub.Plural { // not "8 packages in 8 packages"
		text += " in " + words.CountOf(groups, sub.Group, sub.Groups)
	}
	if next := nextSubject(sub); next.Code != sub.Code {
		text += " · v: " + next.Plural
	}
	return text
}

// reloadedText says what a reload brought, what is new first: beside a
// follow's rate line the message keeps some 25 cells at 100 columns, and
// "the workspace changed: reloaded: 12,324 names (16 new)" lost its news.
// before is how many values there were, eventsBefore their events.
func (m *Model) reloadedText(before int, eventsBefore int64, auto bool) string {
	n := len(m.data.Names.Rows)
	d := n - before
	switch {
	case d > 0 && auto:
		return fmt.Sprintf("%s new %s arrived, %s in all", words.Int(int64(d)), m.noun(d), words.Int(int64(n)))
	case d > 0:
		return fmt.Sprintf("reloaded: %s new %s, %s in all", words.Int(int64(d)), m.noun(d), words.Int(int64(n)))
	case auto && m.data.Events > eventsBefore:
		// Events of rows listed already: + shows no row for them, the
		// status says they came.
		return fmt.Sprintf("the workspace changed: no new %s; %s new %s", m.label(false),
			words.Int(m.data.Events-eventsBefore), tsubject.EventsOf(m.data.Subject.Kind))
	case auto:
		return "the workspace changed, no new " + m.label(false) + " (" + words.Int(int64(n)) + " in all)"
	}
	return "reloaded: " + words.Int(int64(n)) + " " + m.label(false)
}

// noun is what n values are called: "name", "http user agents".
func (m *Model) noun(n int) string {
	if n != 1 {
		return m.label(false)
	}
	return ofKind(m.data.Subject, m.data.Subject.Column)
}

// refreshVerdicts reads the rules again for the names loaded, in a
// command: a write or a rule change meant for the names before a reload.
func (m *Model) refreshVerdicts() tea.Cmd {
	d, ctx, data := m.c.DB, m.c.Ctx, m.data
	if d == nil {
		return nil
	}
	return func() tea.Msg {
		rs, err := d.Rules(ctx)
		if err != nil {
			return common.ErrMsg{Err: err}
		}
		return verdictsMsg{data, review.NewVerdicts(data, rs)}
	}
}

// findKept moves the cursor to the row kept before a reload, when the
// result shows it, else to its group's first row (byGroup).
func (m *Model) findKept() {
	k := m.keep
	m.keep = nil
	inGroup := -1
	for p := range m.res.Lines {
		r, domain := m.rowAt(p)
		switch {
		case domain != k.domain:
		case r.Name == k.name && (k.name != "" || !k.byGroup): // a group is kept by id
			m.cursor = p
			return
		case inGroup < 0 && k.byGroup && r.DomainID == k.group:
			inGroup = p
		}
	}
	if inGroup >= 0 {
		m.cursor = inGroup
	}
}

// placeIn is where the cursor was when sub was last listed (K, v): nil
// when it was not.
func (m *Model) placeIn(sub subject.Code) *keepName {
	k, ok := m.places[sub]
	if !ok {
		return nil
	}
	return &k
}
