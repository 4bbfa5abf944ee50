package common

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/subject"
)

func TestFitNameKeepsTheRegisteredDomain(t *testing.T) {
	for _, c := range []struct {
		name  string
		width int
		want  string
	}{
		{"www.example.com", 20, "www.example.com"},
		{"a1b2c3d4e5f6.tunnel.example.co.uk", 16, "…l.example.co.uk"},
		{"evil\x1b[31m.example.com", 30, `evil\x1b[31m.example.com`},
		{"xn--bcher-kva.example", 30, "bücher.example"},
		{"x.example.com", 0, ""},
	} {
		got := FitName(c.name, c.width)
		if got != c.want {
			t.Errorf("FitName(%q, %d) = %q, want %q", c.name, c.width, got, c.want)
		}
		if ansi.StringWidth(got) > c.width {
			t.Errorf("FitName(%q, %d) is %d wide", c.name, c.width, ansi.StringWidth(got))
		}
	}
}

func TestInputEditing(t *testing.T) {
	var in Input
	in.SetValue("goo")
	for _, k := range []tea.KeyPressMsg{
		{Code: 'g', Text: "g"}, {Code: tea.KeyLeft}, {Code: tea.KeyBackspace}, {Code: tea.KeyHome},
		{Code: '~', Text: "~"}, {Code: tea.KeyEnd}, {Code: 'x', Text: "x"}, {Code: 'a', Mod: tea.ModCtrl},
		{Code: tea.KeyDelete},
	} {
		in.Update(k)
	}
	if in.Value() != "gogx" {
		t.Errorf("value %q, want gogx", in.Value())
	}
	in.Update(tea.PasteMsg{Content: "a\x1bb\nsecond line"})
	if in.Value() != "abgogx" {
		t.Errorf("paste gave %q (controls and later lines must be dropped)", in.Value())
	}
	in.SetValue("one two three")
	in.Update(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if in.Value() != "one two " {
		t.Errorf("ctrl+w gave %q", in.Value())
	}
	in.Update(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	if in.Value() != "" {
		t.Errorf("ctrl+u gave %q", in.Value())
	}
	in.Prompt = "/ "
	in.SetValue(strings.Repeat("z", 100))
	if w := ansi.StringWidth(in.View(DefaultStyles(), 30)); w > 30 {
		t.Errorf("input view is %d wide in 30", w)
	}
}

// A prompt reopened on its last query shows it selected: text typed,
// pasted or deleted replaces it, a cursor key keeps it to edit.
func TestAReopenedInputIsReplacedByWhatIsTyped(t *testing.T) {
	var in Input
	in.Reopen("goo")
	if v := ansi.Strip(in.View(DefaultStyles(), 60)); !strings.Contains(v, "goo  typing replaces it") {
		t.Errorf("view %q", v)
	}
	in.Update(tea.KeyPressMsg{Code: 'w', Text: "w"})
	if in.Value() != "w" {
		t.Errorf("typing over the last query gave %q", in.Value())
	}
	in.Reopen("goo")
	in.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	if in.Value() != "" {
		t.Errorf("backspace on the last query gave %q", in.Value())
	}
	in.Reopen("goo")
	in.Update(tea.PasteMsg{Content: "www"})
	if in.Value() != "www" {
		t.Errorf("a paste over the last query gave %q", in.Value())
	}
	in.Reopen("goo")
	in.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	in.Update(tea.KeyPressMsg{Code: '.', Text: "."})
	if in.Value() != "goo." {
		t.Errorf("end, then a key gave %q", in.Value())
	}
}

func TestHelpFitsAndListsEveryBinding(t *testing.T) {
	k := DefaultKeyMap()
	secs := []HelpSection{k.Navigation(), k.Searching(), k.General()}
	for _, w := range []int{30, 80, 120} {
		lines := RenderHelp(DefaultStyles(), secs, w)
		text := ansi.Strip(strings.Join(lines, "\n"))
		for _, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Errorf("width %d: help line %q is too wide", w, ansi.Strip(l))
			}
		}
		flat := strings.Join(strings.Fields(text), " ")
		for _, s := range secs {
			for _, b := range s.Keys {
				if !strings.Contains(text, b.Help().Key) {
					t.Errorf("width %d: %s missing", w, b.Help().Key)
				}
				// Whole, however narrow: a long one goes on the next line.
				if desc := strings.Join(strings.Fields(b.Help().Desc), " "); !strings.Contains(flat, desc) {
					t.Errorf("width %d: %q is not whole:\n%s", w, desc, text)
				}
			}
		}
	}
}

// K's help names every kind it cycles through: "(dns, http)" hid the
// logons.
func TestKindHelpNamesEveryKind(t *testing.T) {
	desc := DefaultKeyMap().List.Kind.Help().Desc
	for _, k := range subject.Kinds {
		if !strings.Contains(desc, k.String()) {
			t.Errorf("K's help %q does not name %s", desc, k)
		}
	}
}
