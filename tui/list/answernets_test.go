package list

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// answerLog is a DNS log whose names answer in the networks of answerRoutes:
// a domain's names in one network, a CDN's, a name whose answers are in
// two, one in no known network.
var answerLog = []struct {
	name    string
	n       int
	answers []string
}{
	{"www.example.com", 30, []string{"192.0.2.10"}},
	{"img.cdn.example.net", 24, []string{"198.51.100.1", "198.51.100.2"}},
	{"js.cdn.example.net", 20, []string{"198.51.100.3"}},
	{"mail.example.com", 12, []string{"192.0.2.11"}},
	{"mixed.example.org", 10, []string{"192.0.2.20", "203.0.113.5"}},
	{"plain.example.net", 5, []string{"203.0.113.9"}},
	{"nowhere.test", 3, []string{"100.64.0.1"}},
}

const answerRoutes = "; IP-ASN32-DAT file\n192.0.2.0/24\t64500\n198.51.100.0/24\t64501\n203.0.113.0/24\t64502\n"

const answerNames = `{"64500": "EXAMPLENET - Example Networks, DE", "64501": "BIGCDN - Big CDN, US", "64502": "DROPLETS - Hosting, NL"}`

// answerWorkspace ingests answerLog and imports answerRoutes and its names.
func answerWorkspace(t *testing.T) *db.DB {
	t.Helper()
	var b strings.Builder
	for i, l := range answerLog {
		for j := range l.n {
			fmt.Fprintf(&b, "03/20/2024 %02d:%02d:%02d,%s,A,300,%s\n", i, j/60, j%60, l.name, l.answers[j%len(l.answers)])
		}
	}
	d := testws.Text(t, b.String())
	dir := t.TempDir()
	for name, text := range map[string]string{"routes.dat": answerRoutes, "asnames.json": answerNames} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := networks.Import(context.Background(), d, path, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func openAnswers(t *testing.T, w, h int) *Model {
	t.Helper()
	m := New(common.New(context.Background(), answerWorkspace(t)), Options{Author: "tester", NoRescore: true, ByCount: true})
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
