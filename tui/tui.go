// Package tui is longtail's review screen: it opens a workspace on the
// frequency list (tui/list) and wires the other screens into the app
// (tui/app), which keeps them on a stack.
package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/tui/app"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/detail"
	"github.com/longtail/longtail/tui/heatmap"
	"github.com/longtail/longtail/tui/list"
	"github.com/longtail/longtail/tui/rulesview"
	"github.com/longtail/longtail/tui/timeline"
)

// Options tune the review screen.
type Options struct {
	// ImportList imports a list file (plain, hosts, adblock, popularity,
	// longtail's own export) into the workspace's rules and returns a
	// one-line summary; it runs in a background command. nil: the import
	// key says it is not available.
	ImportList func(ctx context.Context, d *db.DB, path string) (summary string, err error)
	// Author of the rules typed in the TUI; default: the OS user.
	Author string
}

// Run shows the review screen on d until the user quits or ctx ends.
func Run(ctx context.Context, d *db.DB, opt Options) error {
	_, err := tea.NewProgram(New(ctx, d, opt), tea.WithContext(ctx)).Run()
	return err
}

// New builds the root model: the list at the bottom of the stack.
func New(ctx context.Context, d *db.DB, opt Options) *app.Model {
	c := common.New(ctx, d)
	root := list.New(c, list.Options{
		Import: opt.ImportList,
		Author: opt.Author,
		OpenRules: func(c common.Common, names func(yield func(string, int64) bool)) common.View {
			return rulesview.New(c, names)
		},
	})
	return app.New(c, root, Openers())
}

// Openers maps each screen to its constructor.
func Openers() map[common.Screen]common.Opener {
	return map[common.Screen]common.Opener{
		common.ScreenEvents:   detail.NewEvents,
		common.ScreenClients:  detail.NewClients,
		common.ScreenPivot:    detail.NewPivot,
		common.ScreenTimeline: timeline.New,
		common.ScreenHeatmap:  heatmap.New,
	}
}
