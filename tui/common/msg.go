package common

import (
	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
)

// Screen names a kind of view the app can open on a Target.
type Screen uint8

// Screens. Each is mapped by the app to an Opener.
const (
	ScreenEvents   Screen = iota + 1 // a name's or a group's requests, newest first
	ScreenClients                    // the clients of a name or a group, with counts
	ScreenPivot                      // what else a client queried
	ScreenTimeline                   // activity over time (workspace, name, domain or client)
	ScreenHeatmap                    // days × 24 hours (workspace, name, domain or client)
	ScreenRules                      // the verdict rules
	ScreenLogons                     // the logon summary (the workspace's logons)
	ScreenMessages                   // every status message of the session, whole
	ScreenTally                      // the list's shown rows tallied by category or network (Target.Shown)
)

// Target is what a screen is opened on. Subject.Kind SubjectAll means the
// whole workspace. Label is the raw text of the subject (a name, a domain, a
// client address) as it came from the workspace: sanitise it before showing
// it. Name is set when the subject is a name and the opener knows its row;
// Group when it is a group (a registered domain, or what another subject
// rolls up to) and the opener knows its row: its subject and how many
// values it holds, for the titles.
type Target struct {
	Subject db.Subject
	Label   string
	Name    *db.NameRow
	Group   *db.DomainRow
	Shown   *Shown // ScreenTally: what the list shows
}

// Shown is what the list shows, handed to a screen that tallies it: the
// review as loaded, and the rows its filters keep.
type Shown struct {
	Loaded review.Loaded
	Result review.Result
}

// OpenMsg asks the app to push the view for Screen on Target.
type OpenMsg struct {
	Screen Screen
	Target Target
}

// PushMsg asks the app to push a view the sender built itself.
type PushMsg struct{ View View }

// PopMsg asks the app to close the top view and go back to the one below,
// which keeps its place.
type PopMsg struct{}

// StatusMsg shows a one-line message in the status line until the next key.
// A passing one (work under way: "reloading…") is not kept in the
// messages screen, which a follow's reloads would otherwise fill.
type StatusMsg struct {
	Text    string
	Passing bool
}

// ErrMsg shows an error in the status line (kept until the next key).
type ErrMsg struct{ Err error }

// HandledMsg is returned (via Handled) by a view that consumed a key the app
// would otherwise act on when the view does not capture input (esc).
type HandledMsg struct{}

// Broadcast marks messages the app delivers to every view on the stack.
type Broadcast interface{ broadcast() }

// RulesChangedMsg says the verdict rules changed (a mark, an undo, an edit in
// the rules view, an import). Rules is the complete new set; views that show
// verdicts rebuild their matcher from it.
type RulesChangedMsg struct{ Rules []rules.Rule }

func (RulesChangedMsg) broadcast() {}

// WorkspaceChangedMsg says another process changed the workspace (the
// list's poll saw it and read it again): views that show what it holds
// read it again too, keeping their place.
type WorkspaceChangedMsg struct{}

func (WorkspaceChangedMsg) broadcast() {}

// ShownMsg is what the list shows after it read a changed workspace again:
// a screen that tallies it (the tally) counts it again.
type ShownMsg struct{ Shown *Shown }

func (ShownMsg) broadcast() {}

// ListPivotMsg asks the list to show only the rows of one category
// (Category, a catalog name) or of one network (ASNs: an AS, or those of
// an owner or a country; Label names it), from its first row: the tally's
// pivot. A broadcast, so that it reaches the list under the tally.
type ListPivotMsg struct {
	Category string
	ASNs     []uint32
	Label    string
}

func (ListPivotMsg) broadcast() {}

// Cmd wraps a message in a command.
func Cmd(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Open returns the command that opens screen s on t.
func Open(s Screen, t Target) tea.Cmd { return Cmd(OpenMsg{Screen: s, Target: t}) }

// Back returns the command that closes the current view.
func Back() tea.Cmd { return Cmd(PopMsg{}) }

// Status returns the command that shows text in the status line.
func Status(text string) tea.Cmd { return Cmd(StatusMsg{Text: text}) }

// Progress returns the command that shows work under way in the status
// line, not kept in the messages screen: its outcome is.
func Progress(text string) tea.Cmd { return Cmd(StatusMsg{Text: text, Passing: true}) }

// Error returns the command that shows err in the status line.
func Error(err error) tea.Cmd { return Cmd(ErrMsg{Err: err}) }

// Handled returns the command that tells the app a key was consumed.
func Handled() tea.Cmd { return Cmd(HandledMsg{}) }
