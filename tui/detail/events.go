package detail

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/review"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/subject"
)

// Events is a name's requests, newest first, or a group's: the requests of
// its values merged by time, each row naming its value.
type Events struct {
	c      common.Common
	target common.Target

	seq     uint64 // the request whose answer is wanted
	loading bool
	grew    bool // the workspace grew while a page was read: read again after it
	err     error
	// rows is a window of the events that pass filter, newest first, and
	// keys their places; start is rows[0]'s place among matching such
	// events, of total in all.
	rows                   []eventCells
	keys                   []db.EventKey
	start, matching, total int64
	filter                 db.EventFilter
	filterText             string
	// clientID is the client whose events alone the screen shows (opened
	// from its pivot, whose row counted that client's only), at
	// clientAddr; 0 for every client's.
	clientID   uint32
	clientAddr string
	clients    map[string]uint32 // address → id, filled when a pivot needs it
	kind       record.Kind       // what the rows are

	prompt prompt // the filter or jump prompt, while it is open
	tbl    table
	search searchCount // what the / filter matches of every event
}

// eventCells is an event as shown: every string safe and formatted once.
//
// An HTTP request fills the same columns: method in qtype, status in rcode,
// size in ttl, host and target in answers, and its user agent and referer
// in detail, shown under the list for the cursor's row. The target takes
// the wide column: at 80 columns a query string (cmd=...) is what must
// show, and the host is the same on most rows.
type eventCells struct {
	name                                     string // the value: a group's rows differ in it
	rawName                                  string // as stored, to open its own requests on
	nameID                                   uint32
	time, client, qtype, rcode, ttl, answers string
	detail                                   string // the footer's first line
	source                                   string // file:line, short
	where                                    string // the full provenance for the cursor line
	raw                                      db.EventRow
}

// pivotMsg carries a client's id found for a pivot from an event row.
type pivotMsg struct {
	seq     uint64
	clients map[string]uint32
	addr    string
	err     error
}

// NewEvents opens the requests of the name or group in t (common.Opener).
func NewEvents(c common.Common, t common.Target) common.View {
	return &Events{c: c, target: t, tbl: newTable(c)}
}

// NewClientEvents opens the requests of the name in t that the client id
// at addr made: a pivot's row counts that client's alone, and the screen
// it opens must show the requests it counted.
func NewClientEvents(c common.Common, t common.Target, id uint32, addr string) *Events {
	v := NewEvents(c, t).(*Events)
	v.clientID, v.clientAddr = id, addr
	return v
}

// NewFilteredEvents opens the events of the name or group in t that pass
// the f filter's text, as if typed: a screen that counted some of a
// value's events (the logon summary's row without an account counts its
// source's logons, not its client versions) opens those.
func NewFilteredEvents(c common.Common, t common.Target, filter string) (common.View, error) {
	v := NewEvents(c, t).(*Events)
	f, err := review.ParseEventFilter(filter, v.filterKind())
	if err != nil {
		return nil, err
	}
	v.filter, v.filterText = f, filter
	return v, nil
}

// Init starts loading the newest page.
func (v *Events) Init() tea.Cmd { return v.fetch(pageReq{older: true, replace: true}) }

// group reports whether the screen shows a group's requests.
func (v *Events) group() bool { return v.target.Subject.Kind == db.SubjectDomain }

// groupSubject is the subject of a group's values, when the opener said.
func (v *Events) groupSubject() (engsubject.Subject, bool) {
	if g := v.target.Group; g != nil {
		return engsubject.ByCode(engsubject.Code(g.Kind))
	}
	return engsubject.Subject{}, false
}

// nameText makes a row's value safe to show: a host name decoded, any
// other value as text, shortened as the list shows it (a user agent's
// product first).
func (v *Events) nameText() func(string) string {
	if sub, ok := v.groupSubject(); ok && !sub.Hostname {
		return func(s string) string { return textsafe.String(sub.Short(s)) }
	}
	return common.SafeName
}

// inRow are the subjects whose value an event's row shows already (a
// path in the target, a client, a status, a logon's source, account,
// target, type, result, command, URL and client software): a group of
// them needs no column naming it.
var inRow = map[engsubject.Code]bool{
	engsubject.HTTPPath: true, engsubject.HTTPClient: true, engsubject.HTTPStatus: true,
	engsubject.LogonSource: true, engsubject.LogonAccount: true, engsubject.LogonPair: true, engsubject.LogonTarget: true,
	engsubject.LogonType: true, engsubject.LogonResult: true, engsubject.LogonCommand: true, engsubject.LogonURL: true,
	engsubject.LogonSoftware: true,
}

// nameColumn reports whether the rows have a column naming their value:
// a group's, unless the row shows it already or the group has one value
// (a family of one user agent), which the line under the rows names: at
// 80 columns the same agent on every row left the target 12 cells.
func (v *Events) nameColumn() bool {
	sub, ok := v.groupSubject()
	if g := v.target.Group; g != nil && g.Names == 1 {
		return false
	}
	return v.group() && !(ok && inRow[sub.Code])
}

func formatEvent(e db.EventRow, packet bool) eventCells {
	switch e.Kind {
	case record.KindHTTP:
		return formatRequest(e, packet)
	case record.KindLogon:
		return formatLogon(e, packet)
	}
	c := eventCells{
		time:    common.Stamp(e.Time, "Jan 02 15:04:05"),
		client:  textsafe.String(e.Client),
		qtype:   parse.QTypeName(e.QType),
		rcode:   parse.RCodeName(e.RCode),
		ttl:     "",
		answers: textsafe.String(e.Answers),
	}
	if e.TTL >= 0 {
		c.ttl = strconv.Itoa(int(e.TTL))
	}
	if c.rcode == "" {
		c.rcode = "-" // no response seen
	}
	c.detail = "answers " + c.answers
	c.source, c.where = provenance(e, packet)
	return c
}

// formatRequest lays an HTTP request out in the columns (see eventCells).
func formatRequest(e db.EventRow, packet bool) eventCells {
	r := e.Request
	c := eventCells{
		time:    common.Stamp(e.Time, "Jan 02 15:04:05"),
		client:  textsafe.String(e.Client),
		qtype:   textsafe.String(r.Method),
		rcode:   "-",
		answers: textsafe.String(r.Target()),
		detail: "host " + textsafe.String(r.Host) + "  agent " + textsafe.String(r.UserAgent) +
			"  referer " + textsafe.String(r.Referer),
	}
	if e.Status > 0 {
		c.rcode = strconv.Itoa(int(e.Status))
	}
	if e.Bytes >= 0 {
		c.ttl = chart.Count(e.Bytes)
	}
	c.source, c.where = provenance(e, packet)
	return c
}

// formatLogon lays a logon out in the columns: its type (the Windows
// number or the protocol) in qtype, its result in rcode, its event id in
// ttl, and "account → target" with the failure's reason in words in
// answers; the authentication, and what a honeypot's attacker typed or
// fetched, in detail.
func formatLogon(e db.EventRow, packet bool) eventCells {
	l := e.Logon
	account := l.Account
	if l.AccountDomain != "" {
		account = l.AccountDomain + `\` + l.Account
	}
	c := eventCells{
		time:   common.Stamp(e.Time, "Jan 02 15:04:05"),
		client: textsafe.String(e.Client),
		qtype:  textsafe.String(l.LogonType),
		rcode:  textsafe.String(l.Result),
	}
	if l.Result == "invalid-user" {
		c.rcode = "invalid" // sshd's note that the user does not exist
	}
	if e.Logon.EventID > 0 {
		c.ttl = strconv.Itoa(int(e.Logon.EventID))
	}
	var what []string
	if account != "" || l.Target != "" {
		what = append(what, strings.TrimSpace(textsafe.String(account)+" → "+textsafe.String(l.Target)))
	}
	for _, f := range [...]struct{ label, v string }{
		{"", engsubject.StatusWords(l.Reason)}, {"command ", l.Command}, {urlLabel(l.URL), l.URL}, {"client ", l.SW},
	} {
		if f.v != "" {
			what = append(what, f.label+textsafe.String(f.v))
		}
	}
	c.answers = strings.Join(what, "  ")
	// The status's words too: the row's are cut first on a narrow screen,
	// and "0xc000006a" alone does not say "wrong password".
	status := l.Reason
	if words := engsubject.StatusWords(l.Reason); words != "" && words != l.Reason {
		status += " (" + words + ")"
	}
	var detail []string
	for _, f := range [...]struct{ label, v string }{
		{"auth", l.Auth}, {"status", status}, {"password", l.Password}, {"command", l.Command},
		{"url", l.URL}, {"sha256", l.Hash}, {"client", l.SW}, {"hassh", l.HASSH}, {"sid", l.SID},
	} {
		if f.v != "" {
			detail = append(detail, f.label+" "+textsafe.String(f.v))
		}
	}
	c.detail = strings.Join(detail, "  ")
	c.source, c.where = provenance(e, packet)
	return c
}

// provenance is an event's file:line (or file#packet) and its full form.
func provenance(e db.EventRow, packet bool) (short, full string) {
	file := textsafe.String(filepath.Base(e.Source))
	path := textsafe.String(e.Source)
	if packet {
		return file + "#" + strconv.FormatInt(e.Line, 10), fmt.Sprintf("%s packet %d (byte %d)", path, e.Line, e.Offset)
	}
	return file + ":" + strconv.FormatInt(e.Line, 10), fmt.Sprintf("%s:%d (byte %d)", path, e.Line, e.Offset)
}

// Update handles answers and keys.
func (v *Events) Update(msg tea.Msg) (common.View, tea.Cmd) {
	switch msg := msg.(type) {
	case eventsMsg:
		if msg.seq != v.seq {
			return v, nil // the user has moved on
		}
		v.loading, v.err = false, msg.err
		var note tea.Cmd
		if msg.err == nil {
			v.takePage(msg)
			note = v.jumpNote(msg.req)
		}
		// The next page is read when a key moves the cursor near an edge,
		// never on an answer's arrival: a / filter that matches nothing
		// keeps the cursor near both edges, and would page for ever.
		if v.grew {
			v.grew = false
			return v, tea.Batch(note, v.grown())
		}
		return v, tea.Batch(note, v.recount())
	case searchCountMsg:
		if err := v.takeCount(msg); err != nil {
			return v, common.Error(err)
		}
		return v, nil
	case common.WorkspaceChangedMsg:
		v.forgetCount()
		if v.loading {
			v.grew = true
			return v, nil
		}
		return v, v.grown()
	case pivotMsg:
		if msg.seq != v.seq {
			return v, nil
		}
		v.loading = false
		if msg.err != nil {
			return v, common.Error(msg.err)
		}
		v.clients = msg.clients
		return v, v.pivot(msg.addr)
	}
	if v.prompt.open() {
		return v, v.promptKey(msg)
	}
	if km, ok := msg.(tea.KeyPressMsg); ok && !v.tbl.searching {
		if cmd, ok := v.pageKey(km); ok {
			return v, cmd
		}
	}
	cmd, handled := v.tbl.update(msg)
	v.layout()
	if handled {
		return v, tea.Batch(cmd, v.more(), v.recount())
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return v, nil
	}
	k := v.c.Keys.Drill
	switch {
	case key.Matches(km, k.Events) && v.group():
		// From a group's requests to those of the row's value alone.
		if i, ok := v.tbl.current(); ok {
			r := v.rows[i]
			n := &db.NameRow{ID: r.nameID, Name: r.rawName}
			if g := v.target.Group; g != nil {
				n.Kind, n.DomainID, n.Domain = g.Kind, g.ID, g.Name
			}
			return v, common.Open(common.ScreenEvents, common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: r.nameID}, Label: r.rawName, Name: n})
		}
	case key.Matches(km, k.Clients):
		return v, common.Open(common.ScreenClients, v.target)
	case key.Matches(km, k.Timeline):
		return v, common.Open(common.ScreenTimeline, v.target)
	case key.Matches(km, k.Heatmap):
		return v, common.Open(common.ScreenHeatmap, v.target)
	case key.Matches(km, k.Pivot):
		if i, ok := v.tbl.current(); ok {
			return v, v.pivot(v.rows[i].client)
		}
	}
	return v, elsewhere(v.c.Keys, km)
}

// pivot opens what else the client at addr asked for. Events carry the
// client's address, not its id, so the first pivot looks the ids up among
// the name's clients.
func (v *Events) pivot(addr string) tea.Cmd {
	if addr == "" || addr == engsubject.None {
		return common.Status("this row names no " + clientWord(v.filterKind()) + ": there is none to pivot on")
	}
	if id, ok := v.clients[addr]; ok {
		return common.Open(common.ScreenPivot, common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: id}, Label: addr})
	}
	if v.clients != nil {
		return common.Status("client " + addr + " not found among the clients of these requests")
	}
	v.seq, v.loading = nextSeq(), true
	seq, d, ctx, id := v.seq, v.c.DB, v.c.Ctx, v.target.Subject.ID
	clientsOf := d.ClientsOf
	if v.group() {
		clientsOf = d.DomainClients
	}
	return func() tea.Msg {
		cs, err := clientsOf(ctx, id, 0)
		m := make(map[string]uint32, len(cs))
		for _, c := range cs {
			m[textsafe.String(c.Text)] = c.ID
		}
		return pivotMsg{seq: seq, clients: m, addr: addr, err: err}
	}
}

// clientWord is what a kind calls an event's client: a logon's source.
func clientWord(k record.Kind) string {
	if k == record.KindLogon {
		return engsubject.Must(engsubject.LogonSource).Column
	}
	return "client"
}

// SetSize lays the screen out.
func (v *Events) SetSize(width, height int) {
	v.c.SetSize(width, height)
	v.layout()
}

// footer is how many lines below the rows say more about the cursor's row.
func (v *Events) footer() int {
	switch {
	case v.c.Height < 10:
		return 0
	case v.group() && v.c.Height >= 16:
		return 3 // a group's row names its value in full on a line of its own
	}
	return 2
}

func (v *Events) layout() {
	v.tbl.height = max(v.c.Height-2-v.footer()-v.bottomLines(), 1)
	v.tbl.scroll()
}

// View draws the title, the column header, the rows, and the cursor row's
// answers and source in full.
func (v *Events) View() string {
	w, h := v.c.Width, v.c.Height
	name := v.about()
	var status string
	switch {
	case v.err != nil:
		status = "error"
	case v.rows == nil:
		status = "loading…"
	default:
		status = v.status()
	}
	if v.loading && v.rows != nil {
		status += ", loading more…"
	}
	cut := cutFor(v.target)
	lines := []string{title(v.c, v.noun()+" of ", name, status, w, cut)}
	cw := columnWidth(v.rows, func(r eventCells) string { return r.client }, len("client"), 39)
	srcW := 0
	if w >= 110 {
		srcW = columnWidth(v.rows, func(r eventCells) string { return r.source }, len("source"), 30)
	}
	// A group's rows name their value before the answers, or in their
	// place when there is no room for both.
	when, tw := "", 15 // "Jan 02 15:04:05", as formatted
	if v.spansYears() {
		when, tw = "2006-01-02 15:04:05", 19
	}
	nw, rest := 0, w-(tw+1+cw+1+6+1+8+1+6+1)
	if srcW > 0 {
		rest -= srcW + 1
	}
	if v.nameColumn() {
		nw = v.nameWidth(rest)
	}
	row := func(r eventCells, width int) string {
		t := r.time
		if when != "" && r.raw.Kind != 0 { // not the header
			t = common.Stamp(r.raw.Time, when)
		}
		s := fmt.Sprintf("%-*s %s %-6s %-8s %6s ", tw, t, fit(r.client, cw), fit(r.qtype, 6), fit(r.rcode, 8), r.ttl)
		text := r.answers
		switch {
		case nw > 0 && nw >= rest:
			text = cut(r.name, nw)
		case nw > 0:
			s += common.PadRight(cut(r.name, nw), nw) + " "
		}
		if srcW == 0 {
			return s + text
		}
		return s + fit(text, max(width-cellWidth(s)-srcW-1, 0)) + " " + common.TruncateLeft(r.source, srcW)
	}
	head := eventCells{time: "time", client: "client", qtype: "type", rcode: "rcode", ttl: "TTL", answers: "answers", source: "source"}
	switch v.kind {
	case record.KindHTTP:
		head = eventCells{time: "time", client: "client", qtype: "method", rcode: "status", ttl: "size", answers: "target", source: "source"}
	case record.KindLogon:
		head = eventCells{time: "time", client: "source", qtype: "type", rcode: "result", ttl: "event", answers: "account → target", source: "source"}
	}
	head.name = v.column()
	lines = append(lines, v.c.Styles.Header.Render(fit(row(head, w), w)))
	lines = append(lines, v.tbl.body(w, v.err, v.rows == nil, "loading "+v.noun()+"…", func(i, width int) string {
		return row(v.rows[i], width)
	})...)
	lines = padLines(lines, h-v.footer()-v.bottomLines(), w)
	if v.footer() > 0 {
		var cur eventCells
		if i, ok := v.tbl.current(); ok && v.rows != nil {
			cur = v.rows[i]
		}
		detail, what := cur.detail, v.column()+" "+cur.name
		switch {
		case v.footer() == 3:
			lines = append(lines, v.c.Styles.Dim.Render(fit(what, w)))
		case v.group():
			detail = what + "  " + detail
		}
		lines = append(lines, v.c.Styles.Dim.Render(fit(detail, w)), v.c.Styles.Dim.Render(fit("source  "+cur.where, w)))
	}
	lines = append(lines, v.bottom(w)...)
	return strings.Join(lines, "\n")
}

// spansYears says whether the whole list is of more than one year (an
// account tried by a 2018 honeypot log and last week's sshd log): its
// first and last events as the aggregates have them, and the rows loaded
// (the workspace may have grown since). Its times then show the year,
// which "Jun 01 23:26:01" does not, on every page alike.
func (v *Events) spansYears() bool {
	first, last := targetSpan(v.target)
	times := []int64{first, last}
	for _, r := range v.rows {
		times = append(times, r.raw.Time)
	}
	return yearsApart(times...)
}

// nameWidth is the width of a group's value column out of the rest cells
// the text columns share. A DNS name is what a group's queries differ in
// (a tunnel's payload is in its labels): it takes what it needs, and its
// answers go to the footer when they are left too little room. An HTTP
// request's target and a logon's account matter as much as the value: the
// value takes at most half.
func (v *Events) nameWidth(rest int) int {
	widest := columnWidth(v.rows, func(r eventCells) string { return r.name }, cellWidth(v.column()), max(rest, 1))
	if v.kind != record.KindDNS {
		return min(widest, max(rest/2, 1))
	}
	if rest-widest-1 < minAnswers {
		return rest
	}
	return widest
}

// minAnswers is the least room a group's answers column is worth showing in.
const minAnswers = 12

// column heads a group's value column: what the values are ("name",
// "host", "user agent").
func (v *Events) column() string {
	if sub, ok := v.groupSubject(); ok {
		return sub.Column
	}
	return "name"
}

// Title names the screen in the status line.
func (v *Events) Title() string { return v.noun() + " of " + v.about() }

// about is what the events are of: the target, and the client when the
// screen shows one client's.
func (v *Events) about() string {
	if v.clientID == 0 {
		return subject.Describe(v.target)
	}
	return subject.Describe(v.target) + " from " + textsafe.String(v.clientAddr)
}

// noun is what the events are called (subject.EventsOf), by the kind of
// the screen or else of its target's subject.
func (v *Events) noun() string {
	if v.kind == record.KindLogon {
		return subject.EventsOf(v.kind)
	}
	return subject.EventsOf(v.targetKind())
}

// targetKind is the kind of the target's subject, 0 when the opener did
// not say.
func (v *Events) targetKind() record.Kind { return targetKind(v.target) }

// filterKind is the kind whose keys the f prompt reads: the rows', or,
// before any came, the target's.
func (v *Events) filterKind() record.Kind {
	if v.kind != 0 {
		return v.kind
	}
	return v.targetKind()
}

// KeyHelp lists the keys of this screen, in its kind's words: a logon's
// client is its source, and what it did was no request.
func (v *Events) KeyHelp() []common.HelpSection {
	k := v.c.Keys
	noun, client, did := v.noun(), clientWord(v.filterKind()), "asked"
	if v.filterKind() == record.KindLogon {
		did = "did"
	}
	keys := []key.Binding{subject.WithHelp(k.Drill.Clients, client+"s of these "+noun),
		subject.WithHelp(k.Drill.Pivot, "what else this row's "+client+" "+did), k.Drill.Timeline, k.Drill.Heatmap}
	if v.group() {
		keys = append([]key.Binding{subject.WithHelp(k.Drill.Events, "the "+noun+" of this row's "+v.column()+" alone")}, keys...)
	}
	keys = append(keys, subject.WithHelp(k.Events.Filter, review.EventFilterHelp(v.filterKind())), k.Events.Jump)
	title := strings.ToUpper(noun[:1]) + noun[1:]
	return []common.HelpSection{k.Navigation(), searchHelp(k), {Title: title, Keys: keys}, k.General()}
}

// Capturing is true while the filter or a prompt is typed.
func (v *Events) Capturing() bool { return v.tbl.searching || v.prompt.open() }

// urlLabel names a honeypot's URL: a file it was made to download, or a
// tunnel it was asked to open (direct-tcpip, stored as tcp://host:port).
func urlLabel(u string) string {
	if strings.HasPrefix(u, "tcp://") {
		return "tunnel "
	}
	return "download "
}
