// Package app is the root model of the review TUI: a stack of views (the
// list at the bottom, drill-downs pushed on top), the status line, the help
// overlay and the quit confirmation.
//
// Every command a view returns is wrapped so that its answer comes back to
// that same view, even when another view covers it by then; an answer for a
// view that was closed is dropped. Views never see each other's messages.
//
// A panic in a view (Update, View) or in a command stops the app: it is
// caught here, kept (Crash), and the app draws no view again, ignores every
// message and asks the program to quit, so that Bubble Tea restores the
// terminal the ordinary way and the caller can say what happened.
package app

import (
	"fmt"
	"reflect"
	"runtime/debug"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/internal/parallel"
	"github.com/longtail/longtail/tui/common"
)

// Pender is implemented by views that can have work in flight that quitting
// would lose (a mark being written); Pending says what, or "".
type Pender interface{ Pending() string }

type frame struct {
	id     int
	view   common.View
	screen common.Screen // what OpenMsg opened, 0 for a view pushed whole
}

// Model is the root model.
type Model struct {
	c       common.Common
	stack   []frame
	nextID  int
	openers map[common.Screen]common.Opener

	status    string
	statusErr bool
	copied    string        // the value C copied, shown whole until the next key
	pager     string        // SetPager's
	live      func() string // SetLive's

	help       bool
	helpOffset int
	confirm    string // non-empty: asking whether to quit anyway

	keys    []string // the last keys pressed, for a crash report
	crash   *Crash
	crashed chan struct{} // closed on the crash
}

// lastKeys is how many keys a crash report shows.
const lastKeys = 30

// Crash is the panic the app stopped on.
type Crash struct {
	Value   string   // the panic, as text (from the data, maybe: sanitise it to show it)
	Stack   []byte   // of the goroutine it happened in, from the panic on
	Screens string   // the screens that were open, bottom first
	Keys    []string // the last keys pressed, oldest first
}

// Where is the function the panic happened in and its file:line, from the
// stack: the first frame after the panic that is not the runtime's.
func (c *Crash) Where() string {
	lines := strings.Split(string(c.Stack), "\n")
	start := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			start = i + 2 // the frame's function, then its file
		}
	}
	for i := start; i+1 < len(lines); i += 2 {
		fn, file := lines[i], strings.TrimSpace(lines[i+1])
		if strings.HasPrefix(fn, "runtime.") {
			continue
		}
		if cut := strings.LastIndexByte(fn, '('); cut > 0 {
			fn = fn[:cut]
		}
		if cut := strings.LastIndex(file, " +0x"); cut > 0 {
			file = file[:cut]
		}
		return fn + " (" + file + ")"
	}
	return ""
}

// crashMsg brings a panic caught in a command to Update.
type crashMsg struct {
	value any
	stack []byte
}

// routed is a message from a view's command, addressed to that view.
type routed struct {
	id  int
	msg tea.Msg
}

// New returns the app with root at the bottom of the stack. openers map the
// screens views may ask for to their constructors; a missing one is
// reported in the status line.
func New(c common.Common, root common.View, openers map[common.Screen]common.Opener) *Model {
	m := &Model{c: c, openers: openers, crashed: make(chan struct{})}
	m.stack = []frame{{id: 0, view: root}}
	m.nextID = 1
	return m
}

// Notify shows a message in the status line, as a view's would be, and
// keeps it in the log.
func (m *Model) Notify(text string, isErr bool) { m.setStatus(text, isErr) }

// SetLive shows what live returns (what a follow reads, at what rate) at
// the right of the status line, read again each time the screen is drawn.
func (m *Model) SetLive(live func() string) { m.live = live }

// Init starts the root view.
func (m *Model) Init() (cmd tea.Cmd) {
	defer m.recover(&cmd)
	return m.wrap(0, m.stack[0].view.Init())
}

// Crash returns the panic the app stopped on, or nil.
func (m *Model) Crash() *Crash { return m.crash }

// Crashed is closed when the app stops on a panic. The program quits on
// it: a panic in View cannot return tea.Quit.
func (m *Model) Crashed() <-chan struct{} { return m.crashed }

// recover is deferred by the app's entry points: it stops the app on a
// panic and sets *cmd to quit.
func (m *Model) recover(cmd *tea.Cmd) {
	if r := recover(); r != nil {
		m.stop(r, debug.Stack())
		*cmd = tea.Quit
	}
}

// stop keeps the first panic, with its stack (a *parallel.Panic carries the
// one of the goroutine it happened in), and stops the app.
func (m *Model) stop(r any, stack []byte) {
	if m.crash != nil {
		return
	}
	if p, ok := r.(*parallel.Panic); ok {
		r, stack = p.Value, p.Stack
	}
	m.crash = &Crash{Value: fmt.Sprint(r), Stack: stack, Screens: m.screens(), Keys: m.keys}
	close(m.crashed)
}

// screens are the titles of the open views, or what could be had of them.
func (m *Model) screens() (s string) {
	defer func() {
		if recover() != nil {
			s += " (a title could not be drawn)"
		}
	}()
	for _, f := range m.stack {
		if s != "" {
			s += " › "
		}
		s += f.view.Title()
	}
	return s
}

func (m *Model) top() *frame { return &m.stack[len(m.stack)-1] }

// Root is the view at the bottom of the stack: the one the program opened
// on.
func (m *Model) Root() common.View { return m.stack[0].view }

// wrap addresses the answer of cmd to view id; a panic in cmd comes back
// as a crashMsg.
func (m *Model) wrap(id int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = crashMsg{r, debug.Stack()}
			}
		}()
		return routed{id: id, msg: cmd()}
	}
}

var teaPkg = reflect.TypeOf(tea.QuitMsg{}).PkgPath()

// Update routes messages; once stopped, it ignores them.
func (m *Model) Update(msg tea.Msg) (model tea.Model, cmd tea.Cmd) {
	if m.crash != nil {
		return m, nil
	}
	model = m // also after a panic
	defer m.recover(&cmd)
	return m, m.stillAsking(m.update(msg))
}

// stillAsking follows the quit question after a message, which may be the
// answer of what it waited on: once nothing is pending, the quit asked for
// goes on; while some is, the question says what is left. It stayed up
// after the mark was stored, asking about a loss there no longer was.
func (m *Model) stillAsking(cmd tea.Cmd) tea.Cmd {
	if m.confirm == "" {
		return cmd
	}
	if p := m.pending(); p != "" {
		m.confirm = p
		return cmd
	}
	m.confirm = ""
	return tea.Quit
}

// update routes a message.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case crashMsg:
		m.stop(msg.value, msg.stack)
		return tea.Quit
	case routed:
		return m.routed(msg)
	case tea.WindowSizeMsg:
		m.c.SetSize(msg.Width, msg.Height)
		var cmds []tea.Cmd
		for i, f := range m.stack {
			f.view.SetSize(msg.Width, m.viewHeight())
			// Then the message itself, so a view can start a command
			// (fetch what the new size shows).
			v, cmd := f.view.Update(tea.WindowSizeMsg{Width: msg.Width, Height: m.viewHeight()})
			m.stack[i].view = v
			cmds = append(cmds, m.wrap(f.id, cmd))
		}
		return tea.Batch(cmds...)
	case tea.KeyPressMsg:
		var cmds []tea.Cmd
		for _, k := range splitAlt(msg) {
			cmds = append(cmds, m.key(k))
		}
		return tea.Batch(cmds...)
	case tea.PasteMsg:
		return m.toTop(msg)
	}
	if cmd, ok := m.appMsg(0, msg); ok {
		return cmd
	}
	return m.toTop(msg)
}

// routed delivers a view's answer: app messages are handled here, a batch
// is unpacked (each part still addressed), Bubble Tea's own messages go back
// to the runtime, and the rest goes to the view if it is still open.
func (m *Model) routed(r routed) tea.Cmd {
	switch msg := r.msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		cmds := make([]tea.Cmd, len(msg))
		for i, c := range msg {
			cmds[i] = m.wrap(r.id, c)
		}
		return tea.Batch(cmds...)
	}
	if cmd, ok := m.appMsg(r.id, r.msg); ok {
		return cmd
	}
	if t := reflect.TypeOf(r.msg); t.PkgPath() == teaPkg || t.Kind() == reflect.Pointer && t.Elem().PkgPath() == teaPkg {
		inner := r.msg
		return func() tea.Msg { return inner }
	}
	for i := range m.stack {
		if f := m.stack[i]; f.id == r.id {
			v, cmd := f.view.Update(r.msg)
			m.stack[i].view = v
			return m.wrap(r.id, cmd)
		}
	}
	return nil // the view was closed: a stale answer
}

// appMsg handles the messages views send to the app; from is the sender.
func (m *Model) appMsg(from int, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.PushMsg:
		return m.push(msg.View, 0), true
	case common.OpenMsg:
		open := m.openers[msg.Screen]
		if open == nil {
			m.setStatus("that screen is not available in this build", true)
			return nil, true
		}
		c := m.c
		c.SetSize(m.c.Width, m.viewHeight())
		return m.push(open(c, msg.Target), msg.Screen), true
	case common.PopMsg:
		if len(m.stack) > 1 && (from == 0 || m.top().id == from) {
			m.drop()
		}
		return nil, true
	case common.StatusMsg:
		if msg.Passing {
			m.status, m.statusErr = msg.Text, false
			return nil, true
		}
		m.setStatus(msg.Text, false)
		return nil, true
	case common.ErrMsg:
		m.setStatus(msg.Err.Error(), true)
		return nil, true
	case common.HandledMsg:
		return nil, true
	case execMsg:
		return m.runPager(msg), true
	case pagerDone:
		m.pagerEnded(msg)
		return nil, true
	case common.MarkMsg:
		// The list writes every mark: one undo history, whatever screen
		// the mark was made on.
		root := &m.stack[0]
		v, cmd := root.view.Update(msg)
		root.view = v
		return m.wrap(root.id, cmd), true
	case common.Broadcast:
		var cmds []tea.Cmd
		for i, f := range m.stack {
			v, cmd := f.view.Update(msg)
			m.stack[i].view = v
			cmds = append(cmds, m.wrap(f.id, cmd))
		}
		return tea.Batch(cmds...), true
	}
	return nil, false
}

func (m *Model) push(v common.View, s common.Screen) tea.Cmd {
	if v == nil {
		return nil
	}
	v.SetSize(m.c.Width, m.viewHeight())
	id := m.nextID
	m.nextID++
	m.stack = append(m.stack, frame{id: id, view: v, screen: s})
	return m.wrap(id, v.Init())
}

func (m *Model) toTop(msg tea.Msg) tea.Cmd {
	t := m.top()
	v, cmd := t.view.Update(msg)
	t.view = v
	return m.wrap(t.id, cmd)
}

// setStatus shows a message and keeps it in the log (! shows it whole).
func (m *Model) setStatus(s string, isErr bool) {
	m.status, m.statusErr = s, isErr
	m.c.Log.Add(s, isErr)
}

// viewHeight is the height views get: the status line takes one.
func (m *Model) viewHeight() int { return max(1, m.c.Height-1) }

// splitAlt reads an alt key as the esc and the key it is made of. A
// terminal sends alt+KEY as ESC KEY, and Bubble Tea reads an ESC followed
// within 50 ms by another key (two esc pressed quickly, or arriving in one
// read) as that key with alt: the review screen binds no alt key, so the
// analyst meant both, and neither may be lost.
func splitAlt(msg tea.KeyPressMsg) []tea.KeyPressMsg {
	if !msg.Mod.Contains(tea.ModAlt) {
		return []tea.KeyPressMsg{msg}
	}
	k := msg
	k.Mod &^= tea.ModAlt
	switch {
	case k.Text != "":
	case k.Mod.Contains(tea.ModShift) && k.ShiftedCode != 0:
		k.Text = string(k.ShiftedCode)
	case k.Mod&^tea.ModShift == 0 && unicode.IsPrint(k.Code):
		k.Text = string(k.Code)
	}
	return []tea.KeyPressMsg{{Code: tea.KeyEscape}, k}
}

// key handles the app's own keys, then hands the key to the top view.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	m.keys = append(m.keys[max(0, len(m.keys)-lastKeys+1):], msg.String())
	k := m.c.Keys
	if key.Matches(msg, k.Global.ForceQuit) {
		return tea.Quit
	}
	if m.confirm != "" {
		m.confirm = ""
		if msg.String() == "y" {
			return tea.Quit
		}
		m.setStatus("not quitting", false)
		return nil
	}
	if m.help {
		if key.Matches(msg, k.Global.QuitAll) {
			m.help = false
			return m.quit()
		}
		return m.helpKey(msg)
	}
	m.status, m.statusErr, m.copied = "", false, ""
	t := m.top()
	if !t.view.Capturing() {
		switch {
		case key.Matches(msg, k.Global.Help):
			m.help, m.helpOffset = true, 0
			return nil
		case key.Matches(msg, k.Global.QuitAll):
			return m.quit()
		case key.Matches(msg, k.Global.Copy):
			return m.copyValue()
		case key.Matches(msg, k.Global.Export):
			return m.exportRows()
		case key.Matches(msg, k.Global.Messages):
			return m.messages()
		case key.Matches(msg, k.Global.Back, k.Global.Quit):
			return m.back(t, msg)
		}
	}
	return m.toTop(msg)
}

// messages opens the messages screen, or closes it when it is on top: a
// second copy over the first made q seem not to go back.
func (m *Model) messages() tea.Cmd {
	if m.top().screen == common.ScreenMessages {
		m.drop()
		return nil
	}
	cmd, _ := m.appMsg(0, common.OpenMsg{Screen: common.ScreenMessages})
	return cmd
}

// drop takes the top view off the screen, ending what it has under way
// (common.Closer).
func (m *Model) drop() {
	if c, ok := m.top().view.(common.Closer); ok {
		c.Close()
	}
	m.stack = m.stack[:len(m.stack)-1]
}

// back goes back one level on esc or q. The view may use the key to close
// a level of its own (a mode, a filter, a panel): a nil command means it
// did not, and the view is closed; q on the list quits.
func (m *Model) back(t *frame, msg tea.KeyPressMsg) tea.Cmd {
	v, cmd := t.view.Update(msg)
	t.view = v
	switch {
	case cmd != nil:
		return m.wrap(t.id, cmd)
	case len(m.stack) > 1:
		m.drop()
		return nil
	case key.Matches(msg, m.c.Keys.Global.Quit):
		return m.quit()
	}
	return nil
}

// quit ends the program, first asking when a view would lose work.
func (m *Model) quit() tea.Cmd {
	if p := m.pending(); p != "" {
		m.confirm = p
		return nil
	}
	return tea.Quit
}

// pending collects what the views would lose by quitting now.
func (m *Model) pending() string {
	var out []string
	for _, f := range m.stack {
		if p, ok := f.view.(Pender); ok {
			if s := p.Pending(); s != "" {
				out = append(out, s)
			}
		}
	}
	return strings.Join(out, "; ")
}

// helpKey scrolls or closes the help overlay.
func (m *Model) helpKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Nav.Down):
		m.helpOffset++
	case key.Matches(msg, k.Nav.Up):
		m.helpOffset--
	case key.Matches(msg, k.Nav.PageDown):
		m.helpOffset += m.viewHeight() - 2
	case key.Matches(msg, k.Nav.PageUp):
		m.helpOffset -= m.viewHeight() - 2
	case key.Matches(msg, k.Nav.Top):
		m.helpOffset = 0
	default:
		m.help = false
	}
	return nil
}

// View draws the top view (or the help) and the status line.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "longtail"
	return v
}

// Render is the screen as a string, exactly Width × Height cells.
func (m *Model) Render() (screen string) {
	w, h := m.c.Width, m.c.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	if m.crash != nil {
		return stopped(w, h)
	}
	defer func() {
		if r := recover(); r != nil {
			m.stop(r, debug.Stack())
			screen = stopped(w, h)
		}
	}()
	body := ""
	if m.help {
		body = m.helpView(w, m.viewHeight())
	} else {
		body = m.top().view.View()
	}
	if m.copied != "" && !m.help {
		lines := strings.Split(body, "\n")
		c := m.copiedLines(w, len(lines))
		if len(c) < len(lines) {
			body = strings.Join(append(lines[:len(lines)-len(c)], c...), "\n")
		}
	}
	if h == 1 {
		return m.statusLine(w)
	}
	return body + "\n" + m.statusLine(w)
}

// stopped is the screen after a crash, until the program has quit: the
// views are not drawn again.
func stopped(w, h int) string {
	lines := make([]string, h)
	lines[0] = common.PadRight(ansi.Truncate(" longtail stopped on an internal error; restoring the terminal…", w, ""), w)
	for i := 1; i < h; i++ {
		lines[i] = strings.Repeat(" ", w)
	}
	return strings.Join(lines, "\n")
}

// helpView is the help overlay: the keys of the top view by section.
func (m *Model) helpView(w, h int) string {
	s := m.c.Styles
	t := m.top().view
	head := s.Title.Render(common.Fit("Keys: "+t.Title(), w-24)) + s.Dim.Render("  (j/k scroll, any key closes)")
	lines := common.RenderHelp(s, t.KeyHelp(), w)
	m.helpOffset = max(0, min(m.helpOffset, len(lines)-(h-1)))
	lines = lines[m.helpOffset:]
	out := []string{common.PadRight(ansi.Truncate(head, w, ""), w)}
	for i := 0; len(out) < h; i++ {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out = append(out, common.PadRight(ansi.Truncate(l, w, ""), w))
	}
	return strings.Join(out, "\n")
}

// statusLine shows where the user is (the stack of titles), then the
// latest message or the quit question, and the help key at the right; a
// follow's rate line before the help key. When they do not all fit, the
// help key gives way to the message, then the rate line but for its last
// form, the rate alone, beside which the message is cut. (The message goes
// at the next key; the help key comes back then.)
func (m *Model) statusLine(w int) string {
	s := m.c.Styles
	var titles []string
	for _, f := range m.stack {
		titles = append(titles, f.view.Title())
	}
	crumbs := strings.Join(titles, " › ")
	keys := " ? help  q quit "
	if len(m.stack) > 1 {
		keys = " ? help  q back  Q quit "
	}
	rights := []string{keys, ""}
	if m.live != nil {
		live := " " + m.live() + " "
		rights = []string{live + "·" + keys, live} // the rate stays: it is live
	}
	msg, st := m.status, s.Status
	switch {
	case m.confirm != "":
		msg, st = m.confirm+": quit anyway? y/n", s.StatusError
	case m.statusErr:
		st = s.StatusError
	}
	left := " " + ansi.TruncateLeft(crumbs, max(0, ansi.StringWidth(crumbs)-w/3), "…") + " "
	need := ansi.StringWidth(msg) + 1
	right := ""
	for i, r := range rights {
		room := w - ansi.StringWidth(left) - ansi.StringWidth(r)
		if room >= need || i == len(rights)-1 && room >= 8 {
			right = r
			break
		}
	}
	room := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	mid := ansi.Truncate(" "+msg, max(0, room), "…")
	return s.StatusKey.Render(left) + st.Render(common.PadRight(mid, max(0, room))) + s.Status.Render(right)
}

// String describes the stack, for tests.
func (m *Model) String() string {
	var b strings.Builder
	for i, f := range m.stack {
		if i > 0 {
			b.WriteString(" > ")
		}
		fmt.Fprintf(&b, "%s", f.view.Title())
	}
	return b.String()
}
