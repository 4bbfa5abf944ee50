package app_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// The README's table of the review screen's keys names every key the help
// lists (the help is generated from the keymap): the list's, the
// requests', the pivot's, the general ones.
func TestReadmeKeysTableMatchesTheHelp(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skip("no README beside the module")
	}
	_, section, ok := strings.Cut(string(readme), "## The review screen")
	section, _, _ = strings.Cut(section, "\n## ")
	if !ok {
		t.Fatal("the README has no review screen section")
	}
	var table strings.Builder
	for _, l := range strings.Split(section, "\n") {
		if strings.HasPrefix(l, "| `") {
			table.WriteString(l)
		}
	}
	m, d, _ := openApp(t)
	views := []common.View{m.Top()}
	top, err := d.TopNames(context.Background(), engsubject.DNSName, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	tuitest.Run(m, common.OpenMsg{Screen: common.ScreenEvents, Target: common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: top[0].ID}, Label: top[0].Name}})
	views = append(views, m.Top())
	tuitest.Run(m, tuitest.Key("c"))
	tuitest.Run(m, tuitest.Key("p"))
	views = append(views, m.Top())
	for _, v := range views {
		for _, sec := range v.KeyHelp() {
			for _, b := range sec.Keys {
				if !b.Enabled() || b.Help().Key == "" {
					continue
				}
				found := false
				keys := strings.Split(b.Help().Key, "/")
				if b.Help().Key == "/" {
					keys = []string{"/"}
				}
				for _, k := range keys {
					found = found || strings.Contains(table.String(), "`"+k+"`")
				}
				if !found {
					t.Errorf("%s: %s (%s) is not in the README's keys table", v.Title(), b.Help().Key, b.Help().Desc)
				}
			}
		}
	}
}
