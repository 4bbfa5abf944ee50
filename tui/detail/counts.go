package detail

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/rules"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/subject"
)

// Counts is either the clients of a name or, the pivot, the names of a
// client: both are rows of (text, count, first, last).
type Counts struct {
	c      common.Common
	target common.Target
	pivot  bool // rows are names of a client, not clients of a name

	seq     uint64
	loading bool
	err     error
	// loaded are the rows read; rows those the list's filters keep (a
	// pivot's: see pivot.go), hidden how many they hide.
	loaded      []countCells
	rows        []countCells
	hidden      int
	rules       []rules.Rule // a pivot's, for its verdicts
	scopePrompt bool         // a pivot's known-good mark waits for its scope
	// totals sums the counts per subject (an HTTP request is counted
	// under its host and its path): what a row's share is of (shareOf).
	totals map[engsubject.Code]int64
	when   string // the layout of the rows' times (stampLayout)

	tbl table
}

type countCells struct {
	id          uint32
	kind        engsubject.Code // a pivot's row: its subject
	raw         string          // as stored: what a next screen is opened on
	domain      string          // a pivot's row: the group it rolls up to
	verdict     rules.Verdict   // a pivot's row
	total       int64           // a pivot's row: the name's events from every client
	label       string          // a pivot's row: its subject ("dns name", "http path")
	text        string          // safe, names shown decoded
	count       int64
	first, last string
	firstUS     int64 // unix µs, for the CSV
	lastUS      int64
}

type countsMsg struct {
	seq   uint64
	rows  []db.ClientCount
	rules []rules.Rule
	err   error
}

// NewClients opens the clients of the name or group in t (common.Opener):
// a group's are those of its values, each counted over all of them.
func NewClients(c common.Common, t common.Target) common.View {
	v := &Counts{c: c, target: t, tbl: newTable(c)}
	v.tbl.empty = "the logs name no " + v.who() + " for these " + subject.EventsOf(targetKind(t))
	return v
}

// NewPivot opens what the client in t asked for (common.Opener).
func NewPivot(c common.Common, t common.Target) common.View {
	return &Counts{c: c, target: t, pivot: true, tbl: newTable(c)}
}

// Init starts loading.
func (v *Counts) Init() tea.Cmd { return v.load(true) }

// load reads the rows in a command; shown says the screen shows that it
// loads (not when it reads again a workspace that grew: the rows stay on
// screen until the new ones come, the cursor on its row).
func (v *Counts) load(shown bool) tea.Cmd {
	kind := v.target.Subject.Kind
	switch {
	case v.pivot && kind != db.SubjectClient:
		v.err = fmt.Errorf("this screen needs a client")
		return nil
	case !v.pivot && kind != db.SubjectName && kind != db.SubjectDomain:
		v.err = fmt.Errorf("this screen needs a name or a domain")
		return nil
	}
	v.seq, v.loading = nextSeq(), shown
	seq, d, ctx, id, pivot := v.seq, v.c.DB, v.c.Ctx, v.target.Subject.ID, v.pivot
	clientsOf := d.ClientsOf
	if kind == db.SubjectDomain {
		clientsOf = d.DomainClients
	}
	return func() tea.Msg {
		if pivot {
			rows, err := d.NamesOf(ctx, id, pivotSubjects, maxCounts)
			if err != nil {
				return countsMsg{seq: seq, err: err}
			}
			rs, err := d.Rules(ctx)
			return countsMsg{seq: seq, rows: rows, rules: rs, err: err}
		}
		rows, err := clientsOf(ctx, id, maxCounts)
		return countsMsg{seq: seq, rows: rows, err: err}
	}
}

// pivotSubjects are what the pivot lists of a client, across kinds: the
// DNS names it resolved beside the hosts and paths it fetched, so that
// "who resolved this and then fetched what from it" is one screen; as a
// logon source, every subject its logons have (the row of its logons, the
// accounts, passwords, commands, URLs, client software…) but the pairs,
// whose rows would repeat its accounts'.
var pivotSubjects = func() []engsubject.Code {
	codes := []engsubject.Code{engsubject.DNSName, engsubject.HTTPHost, engsubject.HTTPPath}
	for _, s := range engsubject.Of(record.KindLogon) {
		if s.Code != engsubject.LogonPair {
			codes = append(codes, s.Code)
		}
	}
	return codes
}()

// maxCounts bounds a clients or pivot list, past what a client asks in a
// workspace (a resolver's busiest: tens of thousands of names), for the
// memory of one that asks everything. It was 10,000, the busiest: a
// client of 46,782 names lost the 32,491 it asked once, which are what
// a long-tail pivot is for, and its title counted only those shown.
const maxCounts = 1_000_000

// stampLayout formats a first/last seen time in a list: minutes are
// enough there, and the year when the rows are of more than one.
func stampLayout(years bool) string {
	if years {
		return "2006-01-02 15:04"
	}
	return "Jan 02 15:04"
}

// Update handles answers and keys.
func (v *Counts) Update(msg tea.Msg) (common.View, tea.Cmd) {
	if msg, ok := msg.(countsMsg); ok {
		if msg.seq != v.seq {
			return v, nil
		}
		v.loading, v.err = false, msg.err
		v.loaded, v.rules = make([]countCells, len(msg.rows)), msg.rules
		v.totals = map[engsubject.Code]int64{}
		v.when = stampLayout(v.spansYears(msg.rows))
		for i, r := range msg.rows {
			label, text := "", textsafe.String(r.Text)
			if v.pivot {
				label, text = pivotText(r)
			}
			v.loaded[i] = countCells{id: r.ID, kind: r.Kind, raw: r.Text, domain: r.Domain, total: r.Total, label: label, text: text, count: r.Count, first: common.Stamp(r.First, v.when), last: common.Stamp(r.Last, v.when), firstUS: r.First, lastUS: r.Last}
			v.totals[r.Kind] += r.Count
		}
		if v.pivot {
			v.unlabelNames()
			v.verdicts()
		}
		v.filterRows()
		return v, nil
	}
	if msg, ok := msg.(common.RulesChangedMsg); ok {
		v.rulesChanged(msg.Rules)
		return v, nil
	}
	if _, ok := msg.(common.WorkspaceChangedMsg); ok && !v.loading && v.err == nil {
		return v, v.load(false)
	}
	if km, ok := msg.(tea.KeyPressMsg); ok && v.scopePrompt {
		cmd, _ := v.markKey(km)
		return v, cmd
	}
	cmd, handled := v.tbl.update(msg)
	v.layout()
	if handled {
		return v, cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return v, nil
	}
	if v.pivot {
		if cmd, ok := v.markKey(km); ok {
			return v, cmd
		}
	}
	if cmd := elsewhere(v.c.Keys, km); cmd != nil {
		return v, cmd
	}
	i, ok := v.tbl.current()
	if !ok {
		return v, nil
	}
	r := v.rows[i]
	k := v.c.Keys.Drill
	if v.pivot && key.Matches(km, k.Events) {
		return v, v.clientEvents(r)
	}
	type drill struct {
		keys   []key.Binding
		screen common.Screen
	}
	// A row is a client, or on the pivot a name: each opens its own screens.
	target := common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: r.id}, Label: r.raw}
	drills := []drill{{[]key.Binding{k.Events, k.Pivot}, common.ScreenPivot}}
	if v.pivot {
		target.Subject.Kind = db.SubjectName
		drills = []drill{{[]key.Binding{k.Clients}, common.ScreenClients}}
	}
	drills = append(drills, drill{[]key.Binding{k.Timeline}, common.ScreenTimeline}, drill{[]key.Binding{k.Heatmap}, common.ScreenHeatmap})
	for _, d := range drills {
		if key.Matches(km, d.keys...) {
			return v, common.Open(d.screen, target)
		}
	}
	return v, nil
}

// clientEvents opens the requests of a pivot's row that its client made:
// the row counted those alone. A logon source's row is the client itself,
// whose logons are all its own: its screen names it once.
func (v *Counts) clientEvents(r countCells) tea.Cmd {
	t := common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: r.id}, Label: r.raw,
		Name: &db.NameRow{ID: r.id, Kind: uint8(r.kind), Name: r.raw, Domain: r.domain, First: r.firstUS, Last: r.lastUS}}
	if r.kind == engsubject.LogonSource {
		return common.Open(common.ScreenEvents, t)
	}
	return common.Cmd(common.PushMsg{View: NewClientEvents(v.c, t, v.target.Subject.ID, v.target.Label)})
}

// spansYears says whether the rows are of more than one year: they are the
// whole list, and with the target's aggregates say its span.
func (v *Counts) spansYears(rows []db.ClientCount) bool {
	first, last := targetSpan(v.target)
	times := []int64{first, last}
	for _, r := range rows {
		times = append(times, r.First, r.Last)
	}
	return yearsApart(times...)
}

// SetSize lays the screen out.
func (v *Counts) SetSize(width, height int) {
	v.c.SetSize(width, height)
	v.layout()
}

func (v *Counts) layout() {
	v.tbl.height = max(v.c.Height-2-len(v.bottom(0)), 1)
	v.tbl.scroll()
}

// View draws the title, the header and the rows.
func (v *Counts) View() string {
	w, h := v.c.Width, v.c.Height
	what, noun, about := v.who()+"s of ", v.who()+"s", subject.Describe(v.target)
	if v.pivot {
		what, noun, about = v.pivotWhat(), v.pivotNoun()+"s", textsafe.String(v.target.Label)
	}
	var status string
	switch {
	case v.err != nil:
		status = "error"
	case v.loaded == nil:
		status = "loading…"
	case v.tbl.filtered():
		status = fmt.Sprintf("%s of %s %s shown", words.Int(int64(len(v.tbl.shown))), words.Int(int64(len(v.rows))), noun)
	default:
		if len(v.rows) == 1 {
			noun = strings.TrimSuffix(noun, "s")
		}
		status = fmt.Sprintf("%s %s, %s", words.Int(int64(len(v.rows))), noun, v.events())
		if len(v.loaded) >= maxCounts {
			status = "the busiest " + status
		}
	}
	lines := []string{title(v.c, what, about, status, w, cutFor(v.target))}
	bars, bw := v.bars(w)
	tw := len(stampLayout(false))
	if v.when != "" {
		tw = len(v.when)
	}
	row := func(mark, count, share, bar, first, last, label, text string, left bool, width int) string {
		s := fmt.Sprintf("%9s %6s %-*s %-*s %-*s ", count, share, bw, bar, tw, first, tw, last)
		if v.pivot {
			s = fmt.Sprintf("%-4s %9s %6s %-*s %-*s ", mark, count, share, tw, first, tw, last)
		}
		if label != "" {
			s += label + " " // kept whole: the value is cut instead
		}
		room := max(width-cellWidth(s), 0)
		if left {
			return s + common.TruncateLeft(text, room) // keep the registered domain
		}
		return s + fit(text, room)
	}
	header, shareHead := v.who(), "share"
	if v.pivot {
		header, shareHead = v.pivotNoun(), "of all" // of the title's count of the row's kind
	}
	lines = append(lines, v.c.Styles.Header.Render(fit(row("mark", "count", shareHead, "", "first seen", "last seen", "", header, false, w), w)))
	lines = append(lines, v.tbl.body(w, v.err, v.loaded == nil, "loading…", func(i, width int) string {
		r := v.rows[i]
		return row(common.VerdictMark(r.verdict), words.Int(r.count), share(r.count, v.shareOf(r.kind)), bars[i], r.first, r.last, r.label, r.text,
			v.pivot && cutLeft(r.kind), width)
	})...)
	bottom := v.bottom(w)
	lines = append(padLines(lines, h-len(bottom), w), bottom...)
	return strings.Join(lines, "\n")
}

// bars draws the count of each client on screen as a bar bw cells wide,
// the busiest client's filling it: at a glance, which clients make the
// traffic and which asked once. Wider screens get longer bars; the pivot,
// whose rows are of several kinds counted apart, has none.
func (v *Counts) bars(width int) (bars map[int]string, bw int) {
	if v.pivot {
		return nil, 0
	}
	bw = min(max((width-60)/2, 8), 24)
	var top int64
	for _, r := range v.rows {
		top = max(top, r.count)
	}
	t := &v.tbl
	on := t.shown[min(t.top, len(t.shown)):min(t.top+t.height, len(t.shown))]
	counts := make([]int64, len(on))
	for j, i := range on {
		counts[j] = v.rows[i].count
	}
	bars = make(map[int]string, len(on))
	for j, b := range chart.Bars(counts, top, bw) {
		bars[on[j]] = b
	}
	return bars, bw
}

// bottom is the lines under the rows: the scope prompt of a mark, what
// the list's filters hide, the / filter.
func (v *Counts) bottom(width int) []string {
	var out []string
	if v.scopePrompt {
		out = append(out, v.scopeLine(width))
	}
	if s := v.hiddenLine(); s != "" {
		out = append(out, v.c.Styles.Dim.Render(fit(s, width)))
	}
	if s := v.tbl.searchLine(width); s != "" {
		out = append(out, s)
	}
	return out
}

// cutLeft says whether a pivot's row of subject k has its value cut at the
// left when too long: a host name, whose end is its registered domain; a
// path, a user agent or a command keeps its start. The label before the
// value stays whole either way.
func cutLeft(k engsubject.Code) bool { return pivotSubject(k).Hostname }

// pivotText is a value of a client's pivot and its label, the subject's
// own words ("dns name", "http host", "logon account"): across kinds, a
// query name without one read like a label itself.
func pivotText(r db.ClientCount) (label, text string) {
	sub := pivotSubject(r.Kind)
	text = textsafe.String(r.Text)
	if sub.Hostname {
		text = common.SafeName(r.Text)
	}
	return sub.Kind.String() + " " + sub.Name, text
}

// unlabelNames drops the rows' labels when all are DNS names: the title
// and the header say so once.
func (v *Counts) unlabelNames() {
	if !v.namesOnly() {
		return
	}
	for i := range v.loaded {
		v.loaded[i].label = ""
	}
}

// pivotSubject is the subject of code k: a DNS name's in a workspace
// older than subject codes (0).
func pivotSubject(k engsubject.Code) engsubject.Subject {
	if sub, ok := engsubject.ByCode(k); ok {
		return sub
	}
	return engsubject.Primary(record.KindDNS)
}

// events says how many events the rows hold, each once: DNS queries, HTTP
// requests and logons (see kindEvents); a clients screen's, those of its
// kind.
func (v *Counts) events() string {
	if !v.pivot {
		return v.clientsEvents()
	}
	dns, http := v.kindEvents(record.KindDNS), v.kindEvents(record.KindHTTP)
	logons := v.kindEvents(record.KindLogon)
	var requests string
	switch {
	case http == 0 && dns == 0 && logons > 0:
		return words.Count(logons, "logon")
	case http == 0:
		requests = words.Count(dns, "request")
	case dns == 0:
		requests = words.Count(http, "request")
	default:
		requests = words.Int(dns) + " dns and " + words.Count(http, "http request")
	}
	if logons > 0 {
		requests += ", " + words.Count(logons, "logon")
	}
	return requests
}

// kindEvents counts the rows' events of a kind by its primary subject,
// which every event of it has: DNS queries by their name (code 0 in older
// workspaces), HTTP requests by their path (a request is counted under its
// host too), and logons by their source.
func (v *Counts) kindEvents(k record.Kind) int64 {
	n := v.totals[engsubject.Primary(k).Code]
	if k == record.KindDNS {
		n += v.totals[0]
	}
	return n
}

// shareOf is what a row's share is of. A pivot's row's is the client's
// events of its kind, those the title counts (a source's password tried 68
// times of its 1,596 logons, not 100% of the 68 with a password); a
// client's, the name's events from all its clients.
func (v *Counts) shareOf(k engsubject.Code) int64 {
	if !v.pivot {
		return v.totals[k]
	}
	return v.kindEvents(pivotSubject(k).Kind)
}

// clientsEvents counts the clients' events in their kind's words, and
// those that name no client, which the rows leave out: an account's logon
// without a source (Windows' 4672) is one of its logons too.
func (v *Counts) clientsEvents() string {
	kind := targetKind(v.target)
	var sum int64
	for _, n := range v.totals {
		sum += n
	}
	text := words.Count(sum, strings.TrimSuffix(subject.EventsOf(kind), "s"))
	if none := targetCount(v.target) - sum; none > 0 && len(v.loaded) < maxCounts {
		text += fmt.Sprintf(" (and %s without a %s)", words.Int(none), clientWord(kind))
	}
	return text
}

// share is n of total as a percentage that never rounds a few to nothing.
func share(n, total int64) string {
	if total <= 0 {
		return ""
	}
	p := float64(n) * 100 / float64(total)
	if p < 0.1 && n > 0 {
		return "<0.1%"
	}
	return fmt.Sprintf("%.1f%%", p)
}

// Title names the screen in the status line.
func (v *Counts) Title() string {
	if v.pivot {
		return v.pivotWhat() + textsafe.String(v.target.Label)
	}
	return v.who() + "s of " + subject.Describe(v.target)
}

// who is what the clients screen's rows are, in its kind's words: a
// logon's clients are its sources.
func (v *Counts) who() string { return clientWord(targetKind(v.target)) }

// pivotNoun is what a pivot's rows are: names while it lists DNS names
// only, values once it holds other subjects (an account, a password, an
// HTTP path are no names asked).
func (v *Counts) pivotNoun() string {
	if v.namesOnly() {
		return "name"
	}
	return "value"
}

// pivotWhat is how a pivot's title starts: "names asked by " while it
// lists DNS names only; "everything done by " once it holds HTTP hosts and paths
// or a logon source's accounts and commands, which were not names asked.
func (v *Counts) pivotWhat() string {
	if v.namesOnly() {
		return "names asked by "
	}
	return "everything done by "
}

// namesOnly says whether a pivot's rows are DNS names alone.
func (v *Counts) namesOnly() bool {
	for k, n := range v.totals {
		if n > 0 && k != 0 && k != engsubject.DNSName {
			return false
		}
	}
	return true
}

// KeyHelp lists the keys of this screen, in its rows' words.
func (v *Counts) KeyHelp() []common.HelpSection {
	k := v.c.Keys
	who := v.who()
	sec := common.HelpSection{Title: strings.ToUpper(who[:1]) + who[1:], Keys: []key.Binding{
		subject.WithHelp(k.Drill.Events, "what else this "+who+" did (pivot)"), k.Drill.Pivot,
		subject.WithHelp(k.Drill.Timeline, "timeline of this "+who), subject.WithHelp(k.Drill.Heatmap, "day × hour heatmap of this "+who)}}
	if v.pivot {
		noun := v.pivotNoun()
		sec = common.HelpSection{Title: strings.ToUpper(noun[:1]) + noun[1:], Keys: []key.Binding{
			subject.WithHelp(k.Drill.Events, "this client's events of this "+noun), k.Drill.Clients, k.Drill.Timeline, k.Drill.Heatmap}}
		m := k.Mark
		return []common.HelpSection{k.Navigation(), searchHelp(k), sec, {Title: "Mark (as in the list)", Keys: []key.Binding{m.Good, m.Suspicious, m.Bad, m.Clear, m.Undo}}, k.General()}
	}
	return []common.HelpSection{k.Navigation(), searchHelp(k), sec, k.General()}
}

// Capturing is true while the filter is typed or a mark waits for its scope.
func (v *Counts) Capturing() bool { return v.tbl.searching || v.scopePrompt }
