package detail

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// busyName is the name asked by the most clients: more than a screen of
// them.
func busyName(t *testing.T, c common.Common) common.Target {
	t.Helper()
	top, err := c.DB.TopNames(context.Background(), engsubject.DNSName, 500, 0)
	if err != nil {
		t.Fatal(err)
	}
	best := top[0]
	for _, r := range top {
		if r.Clients > best.Clients {
			best = r
		}
	}
	if best.Clients < 30 {
		t.Fatalf("no name of more than a screen of clients: at most %d", best.Clients)
	}
	return common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: best.ID}, Label: best.Name, Name: &best}
}

// The clients of a name show each client's count as a bar, the busiest
// client's full, the others in proportion to it: also when the busiest has
// scrolled off the screen.
func TestClientsBarsShowTheCounts(t *testing.T) {
	c, _ := workspace(t)
	target := busyName(t, c)
	for _, w := range []int{80, 120} {
		v := tuitest.Open(NewClients, c, target, w, 24).(*Counts)
		_, bw := v.bars(w)
		var top int64
		for _, r := range v.rows {
			top = max(top, r.count)
		}
		check := func(when string) {
			t.Helper()
			lines := strings.Split(ansi.Strip(v.View()), "\n")
			tb := &v.tbl
			for j, i := range tb.shown[tb.top:min(tb.top+tb.height, len(tb.shown))] {
				r := v.rows[i]
				want := fmt.Sprintf("%9s %6s %s ", words.Int(r.count), share(r.count, v.totals[r.kind]), chart.Bars([]int64{r.count}, top, bw)[0])
				if got := lines[2+j]; !strings.HasPrefix(got, want) {
					t.Errorf("%d wide, %s: row of %s reads %q, want it to start %q", w, when, r.text, got, want)
				}
			}
		}
		if !strings.Contains(v.View(), strings.Repeat("█", bw)+" ") {
			t.Errorf("%d wide: the busiest client's bar is not full:\n%s", w, v.View())
		}
		check("at the top")
		tuitest.Press(v, "G")
		if v.tbl.top == 0 {
			t.Fatalf("G did not scroll: %d rows", len(v.tbl.shown))
		}
		check("scrolled to the end")
	}
}

func TestClientsBarsGoldens(t *testing.T) {
	c, _ := workspace(t)
	target := busyName(t, c)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		v := tuitest.Open(NewClients, c, target, w, h)
		tuitest.CheckSize(t, v, w, h)
		golden.Assert(t, fmt.Sprintf("clients_busy_%dx%d", w, h), screen(v))
	}
}
