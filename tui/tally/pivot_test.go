package tally_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/categories"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// From the list, % opens the tally of what it shows and enter comes back
// to the list showing only that category, or that network: "who asked
// for ads", "what is in AS64501", two keys each.
func TestPercentThenEnterPivotsTheList(t *testing.T) {
	d := testws.AnswerNetworks(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "ads.txt")
	if err := os.WriteFile(p, []byte("example.com\nexample.org\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := categories.Import(context.Background(), d, p, categories.Options{Categories: []string{"ads"}, Origin: "ads", Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	m := tui.New(context.Background(), d, tui.Options{Author: "tester", ByCount: true})
	tuitest.Run(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	tuitest.Run(m, m.Init()())
	keys := func(ks ...string) {
		for _, k := range ks {
			tuitest.Run(m, tuitest.Key(k))
		}
	}
	listed := func() []string {
		var out []string
		for _, l := range strings.Split(ansi.Strip(m.Render()), "\n") {
			for _, f := range strings.Fields(l) {
				if slices.ContainsFunc([]string{".com", ".net", ".org", ".test"}, func(s string) bool { return strings.HasSuffix(f, s) }) {
					out = append(out, f)
					break
				}
			}
		}
		return out
	}
	keys("%")
	if m.String() != "names > tally by category" {
		t.Fatalf("%% opened %s", m)
	}
	keys("enter")
	if got := listed(); m.String() != "names" || !slices.Equal(got, []string{"www.example.com", "mail.example.com", "mixed.example.org"}) {
		t.Errorf("only ads: %s listing %v\n%s", m, got, ansi.Strip(m.Render()))
	}
	keys("0", "%", "v", "j", "enter")
	if got := listed(); m.String() != "names" || !slices.Equal(got, []string{"img.cdn.example.net", "js.cdn.example.net"}) {
		t.Errorf("only AS64501: %s listing %v\n%s", m, got, ansi.Strip(m.Render()))
	}
}
