package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// rowsView is a view with rows to copy and export, one of them hostile.
type rowsView struct{ fake }

const hostile = "evil\x1b]52;c;aGk=\x07\u202egpj.exe.example.com"

func (v *rowsView) Update(msg tea.Msg) (common.View, tea.Cmd) {
	_, cmd := v.fake.Update(msg)
	return v, cmd
}
func (v *rowsView) CursorValue() (string, bool) { return hostile, true }
func (v *rowsView) Rows() ([]string, [][]string) {
	return []string{"value", "count"}, [][]string{{hostile, "3"}, {"a,b \"c\"", "1"}}
}

func newRowsApp(t *testing.T) *Model {
	c := common.New(context.Background(), nil)
	m := New(c, &rowsView{fake{c: c, name: "rows"}}, nil)
	run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	return m
}

// Y puts the exact value on the clipboard (OSC 52, whose payload is
// base64) and shows it whole, escaped, for the mouse, until the next key.
func TestCopyToTheClipboardAndShowItWhole(t *testing.T) {
	m := newRowsApp(t)
	_, cmd := m.Update(tuitest.Key("Y"))
	msg := cmd()
	if fmt.Sprintf("%T", msg) != "tea.setClipboardMsg" || fmt.Sprint(msg) != hostile {
		t.Errorf("Y sent %T %q, want the exact value to the clipboard", msg, msg)
	}
	screen := m.Render()
	if strings.ContainsAny(screen, "\x07\u202e") || strings.Contains(screen, "\x1b]52") {
		t.Errorf("a raw control reached the screen: %q", screen)
	}
	if plain := ansi.Strip(screen); !strings.Contains(plain, `evil\x1b]52;c;aGk=\x07\u202egpj.exe.example.com`) || !strings.Contains(plain, "select it with the mouse") {
		t.Errorf("the value is not shown whole and escaped:\n%s", plain)
	}
	run(m, tuitest.Key("j"))
	if strings.Contains(ansi.Strip(m.Render()), "select it with the mouse") {
		t.Error("the copied value stays after the next key")
	}
	if es := m.c.Log.Entries(); len(es) == 0 || !strings.Contains(es[len(es)-1].Text, "copied") {
		t.Errorf("the copy is not in the messages: %+v", es)
	}
}

// E writes the rows as CSV, exact, and names the file; with a pager, the
// pager gets an escaped copy.
func TestExportRowsAsCSV(t *testing.T) {
	m := newRowsApp(t)
	run(m, tuitest.Key("E"))
	path := regexp.MustCompile(`^(\S+\.csv): `).FindStringSubmatch(m.status)
	if path == nil {
		t.Fatalf("the status does not name the file: %q", m.status)
	}
	defer os.Remove(path[1])
	f, err := os.Open(path[1])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"value", "count"}, {hostile, "3"}, {"a,b \"c\"", "1"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("CSV %q, want %q", got, want)
	}
	if !strings.Contains(m.status, "2 rows") {
		t.Errorf("status %q", m.status)
	}

	m.SetPager("less -S")
	msg := m.exportRows()()
	ex, ok := msg.(execMsg)
	if !ok {
		t.Fatalf("with a pager: %#v", msg)
	}
	defer os.Remove(ex.shown)
	b, err := os.ReadFile(ex.shown)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(string(b), "\x1b\x07\u202e") || !strings.Contains(string(b), `\x1b]52`) {
		t.Errorf("the pager's copy is not escaped: %q", b)
	}
	if args := ex.cmd.Args; len(args) != 3 || args[0] != "less" || args[1] != "-S" || args[2] != ex.shown {
		t.Errorf("pager command %q", args)
	}
	if done := regexp.MustCompile(`^(\S+\.csv): `).FindStringSubmatch(ex.done); done != nil {
		os.Remove(done[1])
	}
}

// loadingView is a list still reading its rows: no cursor yet.
type loadingView struct{ fake }

func (v *loadingView) Update(msg tea.Msg) (common.View, tea.Cmd) {
	_, cmd := v.fake.Update(msg)
	return v, cmd
}
func (v *loadingView) CursorValue() (string, bool)  { return "", false }
func (v *loadingView) Rows() ([]string, [][]string) { return []string{"value"}, nil }
func (v *loadingView) Loading() bool                { return true }

// Y and E while the list loads say it is loading, not that there is no
// row: its first rows are on the screen.
func TestCopyAndExportWhileTheListLoads(t *testing.T) {
	c := common.New(context.Background(), nil)
	m := New(c, &loadingView{fake{c: c, name: "rows"}}, nil)
	run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, k := range []string{"Y", "E"} {
		run(m, tuitest.Key(k))
		if es := m.c.Log.Entries(); len(es) == 0 || !strings.Contains(es[len(es)-1].Text, "still loading") {
			t.Errorf("%s while loading: %+v", k, es)
		}
	}
}

// blankView is a view whose row under the cursor has an empty value: a
// DNS request without answers (NXDOMAIN).
type blankView struct{ fake }

func (v *blankView) Update(msg tea.Msg) (common.View, tea.Cmd) {
	_, cmd := v.fake.Update(msg)
	return v, cmd
}
func (v *blankView) CursorValue() (string, bool)  { return "", true }
func (v *blankView) CursorBlank() string          { return "answers" }
func (v *blankView) Rows() ([]string, [][]string) { return []string{"value"}, [][]string{{""}} }

// Y on an empty value sends nothing to the clipboard (an empty OSC 52
// wipes it) and says why, in the row's words.
func TestCopyNothingSaysSo(t *testing.T) {
	c := common.New(context.Background(), nil)
	m := New(c, &blankView{fake{c: c, name: "rows"}}, nil)
	run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if _, cmd := m.Update(tuitest.Key("Y")); cmd != nil {
		t.Errorf("Y on an empty value sent %T", cmd())
	}
	if m.status != "no answers to copy" || m.copied != "" {
		t.Errorf("status %q, copied %q", m.status, m.copied)
	}
	if strings.Contains(ansi.Strip(m.Render()), "select it with the mouse") {
		t.Error("an empty value is shown as copied")
	}
}
