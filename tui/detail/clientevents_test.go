package detail

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// Enter on a row of a client's pivot opens the requests that client made
// of that path or name, the ones the row counted, and says whose they are;
// esc on them is left to the app, back to the pivot, whose cursor stays on
// the row.
func TestPivotOpensTheClientsOwnRequests(t *testing.T) {
	c := shared(t)
	for _, row := range []struct {
		kind  engsubject.Code
		value string
	}{{engsubject.HTTPPath, "/"}, {engsubject.DNSName, "updates.evil.example"}} {
		v, _ := pivotShows(t, c, "10.1.1.7", 20)
		pivot := v.(*Counts)
		i := slicesIndex(pivot.rows, func(r countCells) bool { return r.raw == row.value && r.kind == row.kind })
		if i < 0 || pivot.rows[i].count != 2 {
			t.Fatalf("the pivot of 10.1.1.7 has no row of 2 for %s: %+v", row.value, pivot.rows)
		}
		for range i {
			tuitest.Press(pivot, "j")
		}
		push := only[common.PushMsg](t, tuitest.Press(pivot, "enter"))
		ev, ok := push.View.(*Events)
		if !ok {
			t.Fatalf("enter pushed %T", push.View)
		}
		ev.SetSize(100, 20)
		tuitest.Settle(ev, ev.Init())
		if ev.total != 2 || len(ev.rows) != 2 {
			t.Errorf("%s: %d rows of %d, want the 2 of 10.1.1.7", row.value, len(ev.rows), ev.total)
		}
		for _, r := range ev.rows {
			if r.client != "10.1.1.7" {
				t.Errorf("%s: a row of %s among the requests of 10.1.1.7", row.value, r.client)
			}
		}
		title := "requests of " + row.value + " from 10.1.1.7"
		if got := ansi.Strip(ev.View()); !strings.Contains(got, title+"  row 1 of 2") || ev.Title() != title {
			t.Errorf("%s: the screen is not titled %q (status line %q):\n%s", row.value, title, ev.Title(), got)
		}
		if out := tuitest.Press(ev, "esc"); len(out) != 0 {
			t.Errorf("%s: esc was kept by the screen (%#v), not left to the app to go back", row.value, out)
		}
		if j, _ := pivot.tbl.current(); j != i {
			t.Errorf("%s: back on the pivot, the cursor is on row %d, not %d", row.value, j, i)
		}
	}
}

// The f filter narrows a client's requests within them: the place and the
// count are among that client's; another client is refused.
func TestClientsRequestsFiltered(t *testing.T) {
	c := shared(t)
	cl, err := c.DB.ClientByText(t.Context(), "10.1.1.7")
	if err != nil {
		t.Fatal(err)
	}
	ev := NewClientEvents(c, valueTarget(t, c, engsubject.HTTPPath, "/"), cl.ID, cl.Addr)
	ev.SetSize(100, 20)
	tuitest.Settle(ev, ev.Init())
	tuitest.Press(ev, "f")
	tuitest.Press(ev, strings.Split("status=4xx", "")...)
	tuitest.Press(ev, "enter")
	if got := ansi.Strip(ev.View()); len(ev.rows) != 1 || ev.rows[0].rcode != "404" || !strings.Contains(got, "row 1 of 1 matching, 2 in all") {
		t.Errorf("status=4xx of 10.1.1.7's requests: %d rows:\n%s", len(ev.rows), got)
	}
	tuitest.Press(ev, "f", "ctrl+u")
	tuitest.Press(ev, strings.Split("client=10.1.1.8", "")...)
	if out := tuitest.Press(ev, "enter"); len(out) != 1 || !strings.Contains(fmt.Sprint(out[0]), "from 10.1.1.7 alone") {
		t.Errorf("another client on 10.1.1.7's requests: %#v", out)
	}
	if ev.filter.Client != "" {
		t.Errorf("the refused filter was kept: %+v", ev.filter)
	}
}
