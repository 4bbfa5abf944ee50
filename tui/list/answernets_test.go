package list

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

func openAnswers(t *testing.T, w, h int) *Model {
	t.Helper()
	m := New(common.New(context.Background(), testws.AnswerNetworks(t)), Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(w, h)
	tuitest.Settle(m, m.Init())
	return m
}

// The DNS names show their answers' main network, "+N" for the others
// (kept when the owner is cut); at 80 columns the first seen, share and
// clients columns give way, as they do for addresses.
func TestAnswerNetworkColumn(t *testing.T) {
	for _, sz := range [][2]int{{120, 40}, {80, 24}} {
		m := openAnswers(t, sz[0], sz[1])
		golden.Assert(t, "answer_networks_"+itoa(sz[0])+"x"+itoa(sz[1]), m.View())
	}
	m := openAnswers(t, 120, 40)
	screen := strings.Join(screenLines(m), "\n")
	for _, want := range []string{"AS64500 EXAMPLENET DE", "AS64501 BIGCDN US", "AS64500 EXAMPLENET… +1"} {
		if !strings.Contains(screen, want) {
			t.Errorf("no %q:\n%s", want, screen)
		}
	}
	for _, l := range screenLines(m) {
		if strings.Contains(l, "nowhere.test") && strings.Contains(l, "AS6") {
			t.Errorf("a network for an unknown answer: %q", l)
		}
	}
}

// The why panel names every network of the answers of the row under the
// cursor, with how many addresses each holds.
func TestWhyPanelShowsAnswerNetworks(t *testing.T) {
	m := openAnswers(t, 120, 40)
	press(m, "/")
	press(m, strings.Split("mixed", "")...)
	press(m, "enter", "y")
	if cur(m).Name != "mixed.example.org" {
		t.Fatalf("cursor on %s", cur(m).Name)
	}
	screen := strings.Join(screenLines(m), "\n")
	if !strings.Contains(screen, "answers in AS64500 EXAMPLENET DE (1 address), AS64502 DROPLETS NL (1)") {
		t.Errorf("why panel:\n%s", screen)
	}
}

func visibleNames(m *Model) []string {
	var out []string
	for p := range m.res.Lines {
		r, _ := m.rowAt(p)
		out = append(out, r.Name)
	}
	return out
}

// A opens the networks filter's prompt with the main network of the row
// under the cursor; enter hides the names whose answers are all in the
// ASNs typed, the filter bar says what it hid, 0 brings them back.
func TestHideASNKey(t *testing.T) {
	m := openAnswers(t, 120, 40)
	press(m, "A")
	if m.inputKind != inputHideASN || m.input.Value() != "AS64500" {
		t.Fatalf("prompt %v %q", m.inputKind, m.input.Value())
	}
	press(m, "enter")
	want := []string{"img.cdn.example.net", "js.cdn.example.net", "mixed.example.org", "plain.example.net", "nowhere.test"}
	if got := visibleNames(m); !slices.Equal(got, want) {
		t.Errorf("hiding AS64500: %v", got)
	}
	lines := screenLines(m)
	if bar := lines[len(lines)-1]; !strings.Contains(bar, "A: 2 AS64500 hidden") {
		t.Errorf("filter bar %q", bar)
	}
	// The prompt starts from what is hidden, selected: after end, more
	// ASNs are typed after it.
	press(m, "A", "end")
	press(m, strings.Split(", 64501", "")...)
	press(m, "enter")
	if got := visibleNames(m); !slices.Equal(got, want[2:]) || !slices.Equal(m.q.HideASN, []uint32{64500, 64501}) {
		t.Errorf("hiding AS64500 and AS64501: %v (%v)", got, m.q.HideASN)
	}
	// What is not an AS number changes nothing and says why.
	press(m, "A", "x", "enter")
	if !slices.Equal(m.q.HideASN, []uint32{64500, 64501}) {
		t.Errorf("a bad entry changed the filter: %v", m.q.HideASN)
	}
	press(m, "0")
	if got := visibleNames(m); len(got) != 7 || m.q.HideASN != nil {
		t.Errorf("after 0: %v", got)
	}
}

// Without networks of answers the key says how to get them.
func TestHideASNKeyWithoutTable(t *testing.T) {
	m := New(common.New(context.Background(), testws.Text(t, "03/20/2024 10:00:00,a.example,A,300,192.0.2.1\n")),
		Options{Author: "tester", NoRescore: true, ByCount: true})
	m.SetSize(80, 24)
	tuitest.Settle(m, m.Init())
	msgs := press(m, "A")
	if m.inputKind != inputNone || !strings.Contains(fmt.Sprint(msgs), "import-asn") {
		t.Errorf("without a table: input %v, %v", m.inputKind, msgs)
	}
}

// M pivots to the main network of the row under the cursor: only the
// names with an answer in it; M again lists all.
func TestOnlyNetworkKey(t *testing.T) {
	m := openAnswers(t, 120, 40)
	press(m, "j", "M") // on img.cdn.example.net, in AS64501
	if got := visibleNames(m); !slices.Equal(got, []string{"img.cdn.example.net", "js.cdn.example.net"}) {
		t.Errorf("only AS64501: %v", got)
	}
	lines := screenLines(m)
	if bar := lines[len(lines)-1]; !strings.Contains(bar, "A: 5 not AS64501 hidden") {
		t.Errorf("filter bar %q", bar)
	}
	press(m, "M")
	if got := visibleNames(m); len(got) != 7 {
		t.Errorf("M again: %v", got)
	}
}

// M keeps the cursor on its row, which is in the network M lists: it went
// to the top, another row, as the sorts do.
func TestOnlyNetworkKeepsTheCursorsRow(t *testing.T) {
	m := openAnswers(t, 120, 40)
	m.moveTo(slices.Index(visibleNames(m), "js.cdn.example.net"))
	press(m, "M")
	if got := visibleNames(m); len(got) != 2 || m.cursor == 0 || cur(m).Name != "js.cdn.example.net" {
		t.Errorf("M: cursor on %s of %v", cur(m).Name, got)
	}
	press(m, "M")
	if cur(m).Name != "js.cdn.example.net" {
		t.Errorf("M again: cursor on %s", cur(m).Name)
	}
}
