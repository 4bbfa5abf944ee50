package list

import (
	"strings"
	"testing"

	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/internal/golden"
)

// The context at a glance: the networks of each name's answers and its
// categories side by side at 120 columns; at 80 the category goes first,
// then the columns the network column outranks.
func TestNetworkAndCategoryColumnsTogether(t *testing.T) {
	for _, sz := range [][2]int{{120, 40}, {80, 24}} {
		d := testws.AnswerNetworks(t)
		importCategories(t, d, map[string]string{"cdn": "cdn.example.net\n", "ads": "example.org\n"})
		m := openSparked(t, d, sz[0], sz[1])
		golden.Assert(t, "context_"+itoa(sz[0])+"x"+itoa(sz[1]), m.View())
		header := screenLines(m)[1]
		if wide := sz[0] >= 120; wide != strings.Contains(header, "category") || !strings.Contains(header, "network") {
			t.Errorf("at %d columns the header is %q", sz[0], header)
		}
	}
}
