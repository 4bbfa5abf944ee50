package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/internal/words"
)

// tmuxTerm drives the real binary in a tmux session on a private server:
// keys in, the screen as text out.
type tmuxTerm struct {
	t      testing.TB
	socket string
}

const tmuxSession = "lt"

func (tm *tmuxTerm) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start opens a session of w×h running argv, with NO_COLOR so the screen
// must read without colour.
func (tm *tmuxTerm) start(w, h int, argv ...string) {
	tm.t.Helper()
	tm.run(append([]string{"new-session", "-d", "-s", tmuxSession, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h),
		"env", "NO_COLOR=1"}, argv...)...)
}

func (tm *tmuxTerm) keys(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		tm.run("send-keys", "-t", tmuxSession, k)
	}
}

func (tm *tmuxTerm) screen() string {
	tm.t.Helper()
	return tm.run("capture-pane", "-p", "-t", tmuxSession)
}

// tmuxPatience is how long a tmux test waits for the screen: CI's machine,
// loaded, once took ten times its usual time; a wait that passes costs
// nothing more.
const tmuxPatience = 60 * time.Second

// waitFor polls the screen until ok says yes, failing after a deadline
// with the last screen.
func (tm *tmuxTerm) waitFor(what string, ok func(screen string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(tmuxPatience)
	for {
		s := tm.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waiting for %s; the screen is:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitGone waits for the program to quit (the session ends with it).
func (tm *tmuxTerm) waitGone() {
	tm.t.Helper()
	deadline := time.Now().Add(tmuxPatience)
	for exec.Command("tmux", "-S", tm.socket, "has-session", "-t", tmuxSession).Run() == nil {
		if time.Now().After(deadline) {
			tm.t.Fatalf("the review screen did not quit; the screen is:\n%s", tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func newTmux(t testing.TB) *tmuxTerm {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	// A short socket path: unix sockets have a length limit TempDir can pass.
	dir, err := os.MkdirTemp("", "lt-tmux")
	if err != nil {
		t.Fatal(err)
	}
	tm := &tmuxTerm{t: t, socket: filepath.Join(dir, "s")}
	t.Cleanup(func() {
		exec.Command("tmux", "-S", tm.socket, "kill-server").Run()
		os.RemoveAll(dir)
	})
	return tm
}

type topRow struct {
	Name   string `json:"name"`
	Domain string `json:"domain"`
	Count  int64  `json:"count"`
}

func topJSON(t *testing.T, bin, ws, by string) []topRow {
	t.Helper()
	out, errOut, err := runBin(t, bin, "--db", ws, "top", "--by", by, "--limit", "1000000", "--format", "json")
	if err != nil {
		t.Fatalf("top: %v %s", err, errOut)
	}
	var rows []topRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("top json: %v\n%s", err, out)
	}
	return rows
}

// The walk-through, on the real binary in a terminal: ingest a log,
// roll up to registered domains, mark the most popular one known-good with
// all its subdomains, quit; the rule is in the workspace; reopen: the domain
// and its names are gone from the list with hide-known-good on and the
// status line counts them; toggling the filter brings them back; a resize
// keeps the screen whole.
func TestTUIMarksADomainKnownGoodAndHidesItAfterReopening(t *testing.T) {
	tm := newTmux(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	logPath, ws := filepath.Join(dir, "dns.log"), filepath.Join(dir, "ws.db")
	out, errOut, err := runBin(t, bin, "gen", "dns", "--lines", "20000", "--format", "zeek", "--seed", "3")
	if err != nil {
		t.Fatalf("gen: %v %s", err, errOut)
	}
	if err := os.WriteFile(logPath, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runBin(t, bin, "--db", ws, "ingest", logPath); err != nil {
		t.Fatalf("ingest: %v %s", err, errOut)
	}
	// The domain the list puts first, and its names, by the command line.
	domain := topJSON(t, bin, ws, "domain")[0].Domain
	var names []topRow
	var events int64
	for _, r := range topJSON(t, bin, ws, "fqdn") {
		if r.Domain == domain {
			names = append(names, r)
			events += r.Count
		}
	}
	if len(names) < 2 {
		t.Fatalf("%s has %d names: the test needs a domain with subdomains", domain, len(names))
	}

	tm.start(80, 24, bin, "--db", ws)
	// A new workspace opens on its domains, worst score first, with the
	// way back to counts on screen: o, and the busiest domain is on top.
	tm.waitFor("the domains by score", func(s string) bool {
		return strings.HasPrefix(s, "domains ") && strings.Contains(s, "sorted by score (o: by count)") &&
			strings.Contains(s, "take out the normal:")
	})
	tm.keys("o")
	tm.waitFor("the domains by count", func(s string) bool {
		return strings.Contains(s, "registered domain") && !strings.Contains(s, "sorted by score") && strings.Contains(s, "count↓")
	})
	// On a domain's row a marks the whole domain at once: only a domain
	// rule decides a domain's row.
	tm.keys("g", "a")
	tm.waitFor("the mark", func(s string) bool { return strings.Contains(s, "marked good") })
	tm.keys("q")
	tm.waitGone()

	out, errOut, err = runBin(t, bin, "--db", ws, "rules", "list", "--format", "json")
	if err != nil {
		t.Fatalf("rules list: %v %s", err, errOut)
	}
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("rules json: %v\n%s", err, out)
	}
	if len(rs) != 1 || rs[0]["pattern"] != domain || rs[0]["scope"] != "domain" || rs[0]["verdict"] != "good" {
		t.Fatalf("rules after marking %s: %s", domain, out)
	}

	tm.start(80, 24, bin, "--db", ws)
	// The list opens where it was left: rolled up, the domain hidden.
	tm.waitFor("the domains as they were left", func(s string) bool {
		return strings.Contains(s, "registered domain") && strings.Contains(s, "H: 1 good hidden")
	})
	tm.keys("d")
	// The status line counts what hide-known-good hides: every name of the
	// domain and the events they hold.
	hides := fmt.Sprintf("H: %d good hidden", len(names))
	screen := tm.waitFor(hides, func(s string) bool { return strings.Contains(s, hides) })
	onScreen := regexp.MustCompile(`(^|[ .])` + regexp.QuoteMeta(domain) + `\b`)
	for _, l := range strings.Split(screen, "\n") {
		if onScreen.MatchString(l) && !strings.Contains(l, "good hidden") {
			t.Errorf("a name of %s is shown with hide-known-good on: %q", domain, l)
		}
	}
	// F lists the filters with what each hides, events too.
	tm.keys("F")
	want := fmt.Sprintf("hides %d names and %s events", len(names), words.Int(events))
	tm.waitFor(want, func(s string) bool { return strings.Contains(strings.Join(strings.Fields(s), " "), want) })
	tm.keys("Escape")
	tm.waitFor("the list again", func(s string) bool { return strings.Contains(s, hides) })
	// The filter off: the most popular name of the domain is back (the
	// list is by count, so it is on the first page).
	tm.keys("H")
	screen = tm.waitFor(names[0].Name, func(s string) bool {
		return strings.Contains(s, "H hide good") && strings.Contains(s, names[0].Name)
	})
	if !strings.Contains(screen, "good") {
		t.Errorf("no verdict mark on the screen:\n%s", screen)
	}

	// A resize redraws to the new size and keeps the rows whole.
	tm.run("resize-window", "-t", tmuxSession, "-x", "120", "-y", "40")
	tm.waitFor("a 120×40 screen", func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return len(lines) == 40 && strings.Contains(s, names[0].Name) && strings.Contains(lines[39], "names")
	})
	tm.run("resize-window", "-t", tmuxSession, "-x", "80", "-y", "24")
	tm.waitFor("the 80×24 screen again", func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return len(lines) == 24 && strings.Contains(s, names[0].Name)
	})
	tm.keys("q")
	tm.waitGone()
}

// sharedSample is a file of ../shared/data, or a skip when it is absent.
func sharedSample(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "..", "shared", "data"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// The kinds in a terminal, on real samples: an Apache access log and a
// capture where one host resolves names and then fetches from them (an
// adware's weather widget). Switch to HTTP, list user agents, mark the
// widget's ancient agent known-good, list clients, and pivot from the
// widget's host to the DNS names it resolved.
func TestTUIKindsOnRealSamples(t *testing.T) {
	tm := newTmux(t)
	bin := buildBinary(t)
	web := sharedSample(t, "web", "elastic_examples_apache_logs.log")
	capture := sharedSample(t, "pcap", "general", "markofu", "markofu_ppa-capture-files_hauntedbrowser.pcap")
	ws := filepath.Join(t.TempDir(), "ws.db")
	if _, errOut, err := runBin(t, bin, "--db", ws, "ingest", web, capture); err != nil {
		t.Fatalf("ingest: %v %s", err, errOut)
	}
	const agent, host = "Mozilla/3.0 (compatible; MSIE 4.0; Win32)", "192.168.0.184"

	tm.start(100, 30, bin, "--db", ws)
	// The first screen is the domains (registered domains of DNS names,
	// the first kind with events); d lists the values themselves.
	tm.waitFor("the list", func(s string) bool { return strings.HasPrefix(s, "domains ") })
	tm.keys("d")
	tm.waitFor("the names", func(s string) bool { return strings.HasPrefix(s, "names ") })
	tm.keys("K")
	tm.waitFor("the HTTP hosts", func(s string) bool { return strings.HasPrefix(s, "http hosts ") })
	tm.keys("v", "v")
	tm.waitFor("the user agents", func(s string) bool { return strings.HasPrefix(s, "http user agents ") })
	tm.keys("/", "MSIE 4.0", "Enter")
	tm.waitFor("the widget's agent under the cursor", func(s string) bool { return strings.Contains(s, "/MSIE 4.0: 1") })
	tm.keys("a")
	tm.waitFor("the scope prompt", func(s string) bool { return strings.Contains(s, "this user agent only") })
	tm.keys("n")
	tm.waitFor("the mark", func(s string) bool { return strings.Contains(s, "marked good") })
	tm.keys("v")
	tm.waitFor("the clients", func(s string) bool { return strings.HasPrefix(s, "http clients ") })
	tm.keys("/", host, "Enter")
	tm.waitFor("the widget's host under the cursor", func(s string) bool { return strings.Contains(s, "/"+host+": 1") })
	tm.keys("p")
	// The pivot's title shows before its rows load; wait for the rows.
	tm.waitFor("the pivot's DNS name, HTTP host and path", func(s string) bool {
		return strings.Contains(s, "everything done by "+host) &&
			strings.Contains(s, "http host deskwx.weatherbug.com") &&
			strings.Contains(s, "http path /WeatherWindow/") &&
			strings.Contains(strings.ReplaceAll(s, "http host deskwx.weatherbug.com", ""), "deskwx.weatherbug.com")
	})
	tm.keys("Q")
	tm.waitGone()

	out, errOut, err := runBin(t, bin, "--db", ws, "rules", "list", "--format", "json")
	if err != nil {
		t.Fatalf("rules list: %v %s", err, errOut)
	}
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0]["pattern"] != agent || rs[0]["kind"] != "http.ua" || rs[0]["verdict"] != "good" {
		t.Errorf("rules after the mark: %s", out)
	}
}

// The first screen on real tunnels, at 80×24 without colour: a new
// workspace opens on its domains by score with the tunnels on top, says
// so, and names the filter keys; r keeps a tunnel's domain, whose names
// are each rare though it holds far more than K events, and says how many
// of its names are rare. open --sort count opens on the names by count.
func TestTUIFirstScreenOnRealTunnels(t *testing.T) {
	tm := newTmux(t)
	bin := buildBinary(t)
	iodine, dnscat := sharedSample(t, "tunnel", "dmachard_iodine.pcap"), sharedSample(t, "tunnel", "dmachard_dnscat2.pcap")
	dir := t.TempDir()
	if _, errOut, err := runBin(t, bin, "--db", filepath.Join(dir, "a.db"), "ingest", iodine, dnscat); err != nil {
		t.Fatalf("ingest: %v %s", err, errOut)
	}
	// A second workspace as new, for open --sort count.
	if b, err := os.ReadFile(filepath.Join(dir, "a.db")); err != nil || os.WriteFile(filepath.Join(dir, "b.db"), b, 0o644) != nil {
		t.Fatalf("copy: %v", err)
	}
	worst := topJSON(t, bin, filepath.Join(dir, "a.db"), "domain")
	slices.SortStableFunc(worst, func(a, b topRow) int { return cmp.Compare(b.Count, a.Count) })
	tunnel := worst[0] // the busiest domain of two tunnel captures is a tunnel's

	tm.start(80, 24, bin, "--db", filepath.Join(dir, "a.db"))
	tm.waitFor("the domains, the tunnel on top", func(s string) bool {
		lines := strings.Split(s, "\n")
		return strings.HasPrefix(s, "domains ") && strings.Contains(lines[0], "sorted by score (o: by count)") &&
			len(lines) > 2 && strings.Contains(lines[2], tunnel.Domain) && strings.Contains(s, "take out the normal: ")
	})
	tm.keys("r")
	screen := tm.waitFor("the rare domains", func(s string) bool { return strings.Contains(s, " mostly >2 hidden") })
	row := regexp.MustCompile(`\b` + regexp.QuoteMeta(tunnel.Domain) + ` \((\d+)/(\d+) rare\)`).FindStringSubmatch(screen)
	if row == nil || row[1] != row[2] || tunnel.Count <= 2 || strings.Contains(screen, "take out the normal: ") {
		t.Errorf("%s (%d events) with r on:\n%s", tunnel.Domain, tunnel.Count, screen)
	}
	tm.keys("Q")
	tm.waitGone()

	tm.start(80, 24, bin, "--db", filepath.Join(dir, "b.db"), "open", "--sort", "count")
	tm.waitFor("the names by count", func(s string) bool {
		return strings.HasPrefix(s, "names ") && strings.Contains(s, "count↓") && !strings.Contains(s, "sorted by score")
	})
	tm.keys("Q")
	tm.waitGone()
}

// A first 'longtail FILE' none of whose files can give events opens no
// screen and makes no workspace; with --follow, an empty log is one to
// wait on: the screen opens on the new workspace.
func TestAFirstOpenOfAnEmptyLogFollowsIt(t *testing.T) {
	tm := newTmux(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	live := filepath.Join(dir, "live.log")
	os.WriteFile(live, nil, 0o644)
	ws := filepath.Join(dir, "ws.db")
	if _, errOut, err := runBin(t, bin, "--db", ws, live); err == nil || !strings.Contains(errOut, "no workspace was made") {
		t.Errorf("an empty log without --follow: %v\n%s", err, errOut)
	}
	if _, err := os.Stat(ws); err == nil {
		t.Error("a workspace was made for an empty log")
	}
	tm.start(80, 24, bin, "--db", ws, "--follow", live)
	screen := tm.waitFor("the review screen on the followed log", func(s string) bool { return strings.Contains(s, "following 1 file") })
	if strings.Contains(screen, "gave nothing") {
		t.Errorf("an empty followed log is said to have given nothing:\n%s", screen)
	}
	tm.keys("q")
	tm.waitGone()
	if _, err := os.Stat(ws); err != nil {
		t.Errorf("the follower made no workspace: %v", err)
	}
}
