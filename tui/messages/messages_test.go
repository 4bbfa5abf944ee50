package messages

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// Every message is kept whole, wrapped to the screen, newest first, an
// error said to be one, text from the data escaped.
func TestMessagesAreWholeNewestFirst(t *testing.T) {
	c := common.New(context.Background(), nil)
	long := "marked good: *.microsoft.com and microsoft.com and 1 more, *.windowsupdate.com and windowsupdate.com, the end"
	c.Log.Add("first", false)
	c.Log.Add("the ingest before the screen:\nline one\nline two", false)
	c.Log.Add(long, false)
	c.Log.Add("import of evil\x1b[2J.txt: no such file", true)
	v := New(c, common.Target{})
	v.SetSize(80, 24)
	tuitest.CheckSize(t, v, 80, 24)
	s := ansi.Strip(v.View())
	joined := strings.Join(strings.Fields(s), " ")
	if !strings.Contains(joined, long) {
		t.Errorf("the long message is not whole:\n%s", s)
	}
	e, l, f := strings.Index(s, `error: import of evil\x1b[2J.txt`), strings.Index(s, "marked good"), strings.Index(s, "  first")
	if e < 0 || l < e || f < l {
		t.Errorf("not newest first, or the error not said and escaped:\n%s", s)
	}
	if one, two := strings.Index(s, "line one"), strings.Index(s, "line two"); one < 0 || two < one {
		t.Errorf("a report's lines are not kept in order:\n%s", s)
	}
	if strings.Contains(v.View(), "\x1b[2J") {
		t.Error("a raw escape reached the screen")
	}
	// Scrolling stops at the last line.
	for range 50 {
		c.Log.Add("more", false)
	}
	tuitest.Press(v, "G")
	lines := strings.Split(ansi.Strip(v.View()), "\n")
	if !strings.Contains(lines[len(lines)-1], "first") {
		t.Errorf("G does not end on the oldest message:\n%s", strings.Join(lines, "\n"))
	}
	tuitest.Press(v, "g")
	if lines := strings.Split(ansi.Strip(v.View()), "\n"); !strings.Contains(lines[1], "more") {
		t.Errorf("g is not the newest:\n%s", strings.Join(lines, "\n"))
	}
}
