package list

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/categories"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// The context at a glance: the networks of each name's answers and its
// categories side by side at 120 columns; at 80 the category goes first,
// then the columns the network column outranks.
func TestNetworkAndCategoryColumnsTogether(t *testing.T) {
	for _, sz := range [][2]int{{120, 40}, {80, 24}} {
		d := testws.AnswerNetworks(t)
		dir := t.TempDir()
		for cat, names := range map[string]string{"cdn": "cdn.example.net\n", "ads": "example.org\n"} {
			p := filepath.Join(dir, cat+".txt")
			if err := os.WriteFile(p, []byte(names), 0o644); err != nil {
				t.Fatal(err)
			}
			opt := categories.Options{Categories: []string{cat}, Origin: cat, Now: time.Now()}
			if _, err := categories.Import(context.Background(), d, p, opt); err != nil {
				t.Fatal(err)
			}
		}
		m := New(common.New(context.Background(), d), Options{Author: "tester", NoRescore: true, ByCount: true})
		m.SetSize(sz[0], sz[1])
		tuitest.Settle(m, m.Init())
		tuitest.Settle(m, m.fetchSparks())
		golden.Assert(t, "context_"+itoa(sz[0])+"x"+itoa(sz[1]), m.View())
		header := screenLines(m)[1]
		if wide := sz[0] >= 120; wide != strings.Contains(header, "category") || !strings.Contains(header, "network") {
			t.Errorf("at %d columns the header is %q", sz[0], header)
		}
	}
}
