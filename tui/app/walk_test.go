package app_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/engine/verdicts"
	"github.com/longtail/longtail/internal/hostile"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui"
	"github.com/longtail/longtail/tui/app"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// The review screen must not crash and must not let the data drive the
// terminal, whatever keys arrive in whatever order: TestRandomWalks sends
// random inputs — every key of the keymap, text and pastes at the prompts,
// resizes — through Update and View of the whole app on real workspaces,
// runs every command the app returns and feeds its answer back the way
// Bubble Tea does, and fails on any panic, on a command that never returns,
// and on a screen holding a raw control character.
//
// Each walk is seeded and starts from a fresh copy of its workspace; a
// failure prints the seed and the inputs. The keys and the order in which
// answers are delivered follow from the seed; the commands run concurrently,
// as in the program, so a failure that depends on timing may take a few
// runs of the same seed. Environment:
//
//	LONGTAIL_TUI_SEED=N     replay walk N only
//	LONGTAIL_TUI_WALKS=N    N walks per workspace (default 6 small, 3 large);
//	                        seeds then start from the time, for new ground
//	LONGTAIL_TUI_STEPS=N    inputs per walk (default 120)
//	LONGTAIL_TUI_LINES=N    the size of the large workspace (default 60000;
//	                        the demo is 1000000)

// walkWorkspace is a workspace the walks run on: a template copied for each
// walk, which writes marks.
type walkWorkspace struct {
	name     string
	template string
	list     string // a list file the import prompt may be given
}

func TestRandomWalks(t *testing.T) {
	steps := envInt(t, "LONGTAIL_TUI_STEPS", 150) // the walks reach every screen kind (new keys dilute them)
	t.Setenv("TMPDIR", t.TempDir())               // E writes its CSV files there
	workspaces := []struct {
		name  string
		walks int
		seed  uint64 // of the first walk
		build func(*testing.T) walkWorkspace
	}{
		// Both sets find the crash of issue 16 (e/l/h on a subdomain row)
		// on the code before its fix: seed 4 on the small workspace, 104
		// on the large one.
		{"small", 6, 1, smallWorkspace},
		{"large", 3, 104, largeWorkspace},
	}
	// The workspaces, and the walks on each, run side by side; each walk
	// counts the screens it was on in its own map.
	var seen []map[string]int
	var wg sync.WaitGroup
	for _, ws := range workspaces {
		seeds := walkSeeds(t, ws.walks, ws.seed)
		maps := make([]map[string]int, len(seeds))
		for i := range maps {
			maps[i] = map[string]int{}
		}
		seen = append(seen, maps...)
		wg.Go(func() {
			t.Run(ws.name, func(t *testing.T) {
				w := ws.build(t)
				var walks sync.WaitGroup
				for i, seed := range seeds {
					walks.Go(func() {
						t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) { walk(t, w, seed, steps, maps[i]) })
					})
				}
				walks.Wait()
			})
		})
	}
	wg.Wait()
	all := map[string]int{}
	for _, s := range seen {
		for k, n := range s {
			all[k] += n
		}
	}
	t.Logf("%d walks of %d inputs; screens on top after an input: %v", len(seen), steps, all)
	if len(seen) > 2 && !t.Failed() {
		for _, s := range screenKinds {
			if all[s] == 0 {
				t.Errorf("no walk reached the %s screen: the walks do not cover the app", s)
			}
		}
	}
}

// walkSeeds are the seeds of the walks: fixed, from first on, so that a run
// finds what the last one found, unless LONGTAIL_TUI_WALKS asks for more.
func walkSeeds(t *testing.T, def int, first uint64) []uint64 {
	if s := os.Getenv("LONGTAIL_TUI_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("LONGTAIL_TUI_SEED=%q", s)
		}
		return []uint64{n}
	}
	n := envInt(t, "LONGTAIL_TUI_WALKS", 0)
	base := first
	if n > 0 {
		base = uint64(time.Now().UnixNano() % 1e9)
	} else {
		n = def
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = base + uint64(i)
	}
	return seeds
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q", name, s)
	}
	return n
}

// tunnelNames is the number of names of the tunnel planted with the
// hostile names: more than any generated domain has events, so that its
// domain is on top of the domains by count.
const tunnelNames = 400

// hostileLogs returns the shared hostile fixtures (testdata/hostile: names,
// a client and an answer no terminal may act on, in a capture and a Zeek
// log) and a tunnel whose names carry an escape sequence, one query per
// name through the week, written as a Zeek log. Read after the generated
// log, its names come last in the workspace, past the end of the domains:
// the rows that crashed the screen in the demo (issue 16) are a tunnel's.
func hostileLogs(t *testing.T, dir string) []string {
	t.Helper()
	tsv := tuitest.ZeekHeader
	start := gen.DefaultStart.Unix() + 12*3600
	for i := range tunnelNames {
		label := fmt.Sprintf("%08x%08x", uint32(i)*2654435761, uint32(i)*40503)
		tsv += fmt.Sprintf("%d.000000\tCt%d\t10.0.0.%d\t5353\t10.0.0.1\t53\tudp\t1\t0.001\t%s.\x1b[2Jt%d.c2-tunnel.net\t1\tC_INTERNET\t16\tTXT\t0\tNOERROR\tF\tF\tT\tT\t0\t%s\t0.0\tF\n",
			start+int64(i)*1500, i, 40+i%2, label, i, label)
	}
	tunnel := filepath.Join(dir, "tunnel.log")
	if err := os.WriteFile(tunnel, []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	fixtures := filepath.Join("..", "..", "testdata", "hostile")
	return []string{filepath.Join(fixtures, "dns.pcap"), filepath.Join(fixtures, "zeek-dns.json"), tunnel}
}

// smallWorkspace is 3,000 generated events and the hostile logs, scored.
func smallWorkspace(t *testing.T) walkWorkspace {
	dir := t.TempDir()
	path := tuitest.Workspace(t, 3000, 7, hostileLogs(t, dir)...)
	scoreWorkspace(t, path)
	return walkWorkspace{name: "small", template: path, list: writeList(t, dir)}
}

// largeWorkspace is the cached generated workspace of LONGTAIL_TUI_LINES
// events (the one the chart tests use), copied and scored.
func largeWorkspace(t *testing.T) walkWorkspace {
	src, _ := testws.Ensure(t, int64(envInt(t, "LONGTAIL_TUI_LINES", 60_000)))
	dir := t.TempDir()
	path := filepath.Join(dir, "ws.db")
	copyFile(t, src, path)
	scoreWorkspace(t, path)
	return walkWorkspace{name: "large", template: path, list: writeList(t, dir)}
}

func scoreWorkspace(t *testing.T, path string) {
	t.Helper()
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := score.Run(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

// writeList writes a small blocklist for the import prompt, hostile names
// included.
func writeList(t *testing.T, dir string) string {
	path := filepath.Join(dir, "l.txt")
	text := "example.org\nevil.com\n" + hostile.Names[5].Name + "\n" + hostile.Names[10].Name + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// keymapKeys are the keys of every binding in v (the keymap or a part of
// it), found by walking its struct: a key added to the keymap is walked at
// once.
func keymapKeys(v any) []string {
	var out []string
	var visit func(v reflect.Value)
	visit = func(v reflect.Value) {
		if v.Kind() == reflect.Interface {
			v = v.Elem()
		}
		if b, ok := v.Interface().(key.Binding); ok {
			for _, s := range b.Keys() {
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
			return
		}
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				visit(v.Field(i))
			}
		case reflect.Slice:
			for i := range v.Len() {
				visit(v.Index(i))
			}
		}
	}
	visit(reflect.ValueOf(v))
	return out
}

// Inputs the keymap does not name but a prompt reads.
var (
	editKeys = []string{"backspace", "delete", "left", "right", "home", "end", "ctrl+w", "ctrl+a", "ctrl+e", "tab"}
	sizes    = [][2]int{{80, 24}, {120, 40}, {40, 10}, {20, 5}, {1, 1}, {2, 3}, {0, 0}, {200, 60}, {81, 7}, {10, 30}}
	pastes   = []string{"evil", "\x1b]0;pwned\x07\x9b31m\u202e.example.com", "re:(", "line one\nline two", ""}
)

// commandTimeout is how long a command may run before the walk calls it
// hung: generous, for a loaded machine and the race detector (a rescoring
// of the large workspace takes a second, ten under -race).
const commandTimeout = 2 * time.Minute

// walker drives one app.
type walker struct {
	t       *testing.T
	rng     *rand.Rand
	m       *app.Model
	keys    []string
	words   []string
	pending []*running     // commands started and not yet delivered, in order
	inputs  []string       // what was sent, for a failure
	seen    map[string]int // screens on top after an input, for the test
	mine    map[string]int // the same, for this walk
	km      *common.KeyMap
	kind    string // of the screen on top
	screen  string // the last one drawn
	failed  bool
}

// running is a command running in its own goroutine, as Bubble Tea runs it.
type running struct {
	from  string // the call that returned it
	done  chan struct{}
	msg   tea.Msg
	panic any
	stack []byte
}

func walk(t *testing.T, ws walkWorkspace, seed uint64, steps int, seen map[string]int) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ws.db")
	copyFile(t, ws.template, path)
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := tui.New(ctx, d, tui.Options{Author: "walk", ImportList: func(ctx context.Context, d *db.DB, typed string) (string, error) {
		return verdicts.ImportTyped(ctx, d, typed, "walk")
	}})
	k := common.DefaultKeyMap()
	w := &walker{t: t, rng: rand.New(rand.NewPCG(seed, 0x10ca1)), m: m, seen: seen, mine: map[string]int{}, km: k,
		keys:  keymapKeys(*k),
		words: []string{"evil", "example", "re:^[a-z]{40}", "~red", "re:(", `\x1b`, "\u202e", "日本", ws.list, ws.list + " bad", ws.list + " ranks", "/nonexistent/list"}}
	defer func() {
		if w.failed {
			t.Errorf("walk %d on the %s workspace failed; replay it with\n  LONGTAIL_TUI_SEED=%d go test -run 'TestRandomWalks/%s' ./tui/app/\ninputs: %s",
				seed, ws.name, seed, ws.name, strings.Join(w.inputs, " "))
		}
	}()
	w.init()
	for i := 0; i < steps && !w.failed; i++ {
		w.step()
		w.deliver()
	}
	w.settle()
	cancel() // what is still running ends
}

// init starts the app as the program does: Init, then the window size.
func (w *walker) init() {
	w.call("init", func() tea.Cmd { return w.m.Init() })
	w.send("resize 80x24", tea.WindowSizeMsg{Width: 80, Height: 24})
}

// step sends one input.
func (w *walker) step() {
	r := w.rng.IntN(100)
	top := w.m.Top()
	switch {
	case r < 4:
		sz := sizes[w.rng.IntN(len(sizes))]
		w.send(fmt.Sprintf("resize %dx%d", sz[0], sz[1]), tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
	case r < 7:
		p := pastes[w.rng.IntN(len(pastes))]
		w.send(fmt.Sprintf("paste %q", p), tea.PasteMsg{Content: p})
	case (r < 10 || r < 25 && strings.Contains(w.m.String(), ">")) && !w.oneStepFromLeastSeen():
		// The way back: a walk spends most of its inputs on the list,
		// where most of the state is, and drills down from it (but not
		// from the screen next to the one it has seen least).
		w.key("esc")
	case r < 32 && top.Capturing():
		// Text at a prompt, typed key by key, then mostly enter.
		for _, c := range w.words[w.rng.IntN(len(w.words))] {
			w.send(fmt.Sprintf("%q", string(c)), tea.KeyPressMsg{Code: c, Text: string(c)})
		}
		if w.rng.IntN(4) > 0 {
			w.key("enter")
		}
	case r < 36:
		w.key(editKeys[w.rng.IntN(len(editKeys))])
	case r < 75:
		// A key the screen on top answers to, as its help lists them.
		keys := keymapKeys(top.KeyHelp())
		w.key(keys[w.rng.IntN(len(keys))])
	case r < 82:
		// Towards the screen this walk has seen least.
		keys := w.toward(w.leastSeen()).Keys()
		w.key(keys[w.rng.IntN(len(keys))])
	default:
		w.key(w.keys[w.rng.IntN(len(w.keys))])
	}
	w.count()
}

func (w *walker) key(k string) { w.send(k, tuitest.Key(k)) }

// leastSeen is the kind of screen this walk has been on least.
func (w *walker) leastSeen() string {
	return slices.MinFunc(screenKinds, func(a, b string) int { return w.mine[a] - w.mine[b] })
}

// oneStepFromLeastSeen reports whether the screen on top opens the one the
// walk has seen least (the clients, the pivot): the way back is not taken
// there, or a screen two levels down is seldom reached.
func (w *walker) oneStepFromLeastSeen() bool {
	return w.toward(w.leastSeen()).Help() != w.km.Global.Back.Help() && strings.Contains(w.m.String(), ">")
}

// screenKinds are the screens every run of several walks must reach.
var screenKinds = []string{"names", "domains", "expanded", "requests", "clients", "pivot", "timeline", "heatmap", "rules", "help", "prompt"}

// toward is the key that brings the walk a step nearer to a screen of
// kind: back to the list, then down from it.
func (w *walker) toward(kind string) key.Binding {
	k := w.km
	onList := !strings.Contains(w.m.String(), ">") && !w.m.Helping() && !w.m.Top().Capturing()
	switch {
	case kind == "pivot" && w.kind == "clients":
		return k.Drill.Pivot
	case !onList:
		return k.Global.Back
	case kind == "names" && w.kind != "names", kind == "domains" && w.kind == "names",
		kind == "expanded" && w.kind == "names":
		return k.List.RollUp
	case kind == "domains" || kind == "expanded":
		return k.List.Expand
	}
	return map[string]key.Binding{"requests": k.Drill.Events, "clients": k.Drill.Clients, "pivot": k.Drill.Clients,
		"timeline": k.Drill.Timeline, "heatmap": k.Drill.Heatmap, "rules": k.List.Rules, "help": k.Global.Help,
		"prompt": k.Search.Search, "names": k.Nav.Down}[kind]
}

// count notes which screen is on top.
func (w *walker) count() {
	top := w.m.Top()
	kind := strings.Fields(top.Title() + " ?")[0]
	switch {
	case w.m.Helping():
		kind = "help"
	case top.Capturing():
		kind = "prompt"
	case kind == "day":
		kind = "heatmap"
	case kind == "names" && strings.HasPrefix(top.Title(), "names asked by"):
		kind = "pivot"
	case kind == "domains" && strings.Contains(w.screen, "▾ "):
		kind = "expanded" // a domain shows its names: its rows are names
	}
	w.seen[kind]++
	w.mine[kind]++
	w.kind = kind
}

// send hands msg to Update, starts the command it returns, and renders.
func (w *walker) send(what string, msg tea.Msg) {
	w.inputs = append(w.inputs, what)
	w.update(msg)
}

// update runs Update on msg and View after it, as the program does.
func (w *walker) update(msg tea.Msg) {
	w.call(fmt.Sprintf("Update(%T)", msg), func() tea.Cmd {
		_, cmd := w.m.Update(msg)
		return cmd
	})
}

// call runs f (which calls into the app) and renders the screen, failing on
// a panic or a raw control character; f's command is started.
func (w *walker) call(what string, f func() tea.Cmd) {
	if w.failed {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			w.fail("%s panicked: %v\n%s", what, p, debug.Stack())
		}
	}()
	w.start(what, f())
	w.screen = w.m.View().Content
	if c := w.m.Crash(); c != nil {
		w.fail("%s: the app stopped on a panic: %s\n%s", what, c.Value, c.Stack)
		return
	}
	w.checkScreen(w.screen)
}

// start runs cmd, which from returned, in a goroutine, as Bubble Tea does.
func (w *walker) start(from string, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	r := &running{from: from, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer func() {
			if p := recover(); p != nil {
				r.panic, r.stack = p, debug.Stack()
			}
		}()
		r.msg = cmd()
	}()
	w.pending = append(w.pending, r)
}

// deliver hands some answers back: all of them, or a few in a seeded
// order, so that the next input may arrive before an answer as it may in a
// terminal.
func (w *walker) deliver() {
	if w.rng.IntN(3) == 0 {
		w.settle()
		return
	}
	for n := w.rng.IntN(len(w.pending) + 1); n > 0 && len(w.pending) > 0 && !w.failed; n-- {
		i := 0
		if w.rng.IntN(3) == 0 {
			i = w.rng.IntN(len(w.pending))
		}
		w.deliverOne(i)
	}
}

// settle delivers every answer, and the answers they lead to.
func (w *walker) settle() {
	for len(w.pending) > 0 && !w.failed {
		w.deliverOne(0)
	}
}

func (w *walker) deliverOne(i int) {
	r := w.pending[i]
	w.pending = slices.Delete(w.pending, i, i+1)
	select {
	case <-r.done:
	case <-time.After(commandTimeout):
		w.fail("a command of %s did not return in %v", r.from, commandTimeout)
		return
	}
	if r.panic != nil {
		w.fail("a command panicked: %v\n%s", r.panic, r.stack)
		return
	}
	switch msg := r.msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			w.start(r.from, c)
		}
	case tea.QuitMsg:
		// The program would end here; the walk goes on, to see more.
		w.inputs = append(w.inputs, "(quit)")
	default:
		if reflect.TypeOf(msg).Name() == "sequenceMsg" {
			w.fail("a command returned tea.Sequence, which the walk does not run")
			return
		}
		w.update(msg)
	}
}

// hostileSGR is the colour sequence of the hostile names and answer as it
// would stand on the screen if it reached it raw: stripping the styling
// before the check would hide it, so it is looked for first.
const hostileSGR = "\x1b[31mred"

// sgr is a colour or style sequence as lipgloss writes it.
var sgr = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// checkScreen fails when the screen holds anything but styling and
// characters safe on a terminal.
func (w *walker) checkScreen(screen string) {
	if strings.Contains(screen, hostileSGR) {
		w.fail("the screen holds %q from the data as it is:\n%s", hostileSGR, ansi.Strip(screen))
		return
	}
	for i, line := range strings.Split(sgr.ReplaceAllString(screen, ""), "\n") {
		if !textsafe.Safe(line) {
			w.fail("line %d of the screen holds a raw control character: %q", i, line)
			return
		}
	}
}

func (w *walker) fail(format string, args ...any) {
	w.t.Helper()
	if !w.failed {
		w.failed = true
		w.t.Errorf(format, args...)
	}
}
