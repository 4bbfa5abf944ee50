// Package common is what every screen of the review TUI shares: the Common
// bundle (size, theme, keymap, workspace, context), the one KeyMap that both
// handles keys and drives the help, the theme (Styles), the messages views
// use to talk to the app, and the View contract below.
//
// # The view contract
//
// A screen is a View. The app (tui/app) keeps the open views on a stack: the
// top one gets every message except the few the app handles itself (window
// size, ctrl+c, and — while the view is not Capturing — `Q`, `?`, and `esc`
// and `q` when the view does not use them: they go back one level, and `q`
// on the bottom view quits). A view:
//
//   - is built by a constructor that takes a Common by value (keep it; read
//     c.Styles, c.Keys, c.DB, c.Ctx from it) and, for screens opened on a
//     subject, a Target: `func(c common.Common, t common.Target) common.View`
//     (the Opener type). The app maps each Screen to its Opener, so views never
//     import each other: to open another screen a view returns a command that
//     yields OpenMsg{Screen, Target}; to go back it yields PopMsg{}; to push a
//     view it built itself, PushMsg{View}.
//   - queries the workspace ONLY inside a tea.Cmd that returns a typed message,
//     never in Update or View. Tag each request with a sequence number kept in
//     the view and drop an answer whose number is not the latest (the user has
//     moved on). Use c.Ctx for the query.
//   - is told its size with SetSize, then also gets a tea.WindowSizeMsg in
//     Update (already reduced by the status line) to start any command the
//     new size needs.
//   - renders exactly SetSize's width × height cells (the app draws the
//     status line below it; do not draw one yourself). Sanitise every string
//     from the data with engine/textsafe (String/Truncate) and show names
//     with engine/names.Display first.
//   - handles its keys with key.Matches against c.Keys (never raw strings),
//     so that the help (KeyHelp) and the handling cannot disagree.
//   - reports errors and one-line news with StatusMsg / ErrMsg.
//   - returns true from Capturing while a text input or a one-key prompt has
//     focus: the app then passes every key to it, q, ? and esc included (esc
//     must then close the input). When Capturing is false, esc and q pop the
//     view unless the view consumed them; a view that needs esc or q for
//     itself (to clear a selection, close a panel) handles it and returns
//     Handled() as the command.
//
// The app (tui/tui.go) wires these Openers, so please export them with the
// Opener signature: ScreenEvents → detail.NewEvents, ScreenClients →
// detail.NewClients, ScreenPivot → detail.NewPivot, ScreenTimeline →
// timeline.New, ScreenHeatmap → heatmap.New. The list needs
// chart.Sparkline(values []int64, width int) string.
//
// Text helpers for rows: SafeName / FitName (names cut at the left so the
// registered domain stays visible), Fit, PadLeft, PadRight. The help
// overlay is drawn by the app from KeyHelp with RenderHelp.
//
// Messages of type Broadcast (RulesChangedMsg, WorkspaceChangedMsg) are delivered to every view
// on the stack, not only the top one, so the screens underneath stay current.
package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// View is one screen of the TUI. See the package documentation.
type View interface {
	Init() tea.Cmd
	Update(tea.Msg) (View, tea.Cmd)
	// View renders the screen's content, exactly the size given to SetSize.
	View() string
	SetSize(width, height int)
	// Title is a short name for the status line ("names", "events of x.com").
	// Sanitise any data in it.
	Title() string
	// KeyHelp lists the bindings this view answers to, in sections, for the
	// help overlay. Take them from Common.Keys.
	KeyHelp() []HelpSection
	// Capturing is true while a text input or prompt has the keyboard.
	Capturing() bool
}

// Closer is a view with work of its own under way that outlives no use:
// the app calls Close when it takes the view off the screen (a count of
// every event a / filter matches, which read on after the screen closed).
type Closer interface{ Close() }

// HelpSection is one titled group of bindings in the help overlay.
type HelpSection struct {
	Title string
	Keys  []key.Binding
}

// Opener builds the view for a Screen on a Target.
type Opener func(c Common, t Target) View
