package parse

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/record"
)

// linesSeen is a LineParser that keeps where each line it is handed starts.
type linesSeen struct{ lines []gotSkip }

func (p *linesSeen) Line(line []byte, no, off int64, replay bool, out record.Output) {
	p.lines = append(p.lines, gotSkip{Line: no, Offset: off, Reason: string(line)})
}

func (p *linesSeen) Flush(record.Output) {}

// checkpoints is an Output that keeps the positions a batch could end at.
type checkpoints struct {
	gotOut
	at []Position
}

func (c *checkpoints) Checkpoint(resume func() Resume) { c.at = append(c.at, resume().Read) }

// A line over MaxLine is reported at the byte where it starts, and the
// lines after it keep their exact offsets, wherever the long line falls
// against the reader's buffer. No batch ends inside it.
func TestLongLineReportedWhereItStarts(t *testing.T) {
	for _, c := range []struct {
		name      string
		long      int
		lead      int // lines before the long one
		wantSkips int
	}{
		{"over the limit", 3*MaxLine + 17, 2, 1},
		{"just over the limit", MaxLine + 1, 1, 1},
		{"at the limit", MaxLine - 1, 1, 0}, // with its newline: exactly MaxLine
		// The long line is the 1024th: the scanner's cancel and
		// checkpoint test falls while it is being read.
		{"at a checkpoint line", 2*MaxLine + 5, 1024, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var text bytes.Buffer
			var want []gotSkip
			for i := range c.lead {
				line := strings.Repeat("a", i%7+1)
				want = append(want, gotSkip{int64(i + 1), int64(text.Len()), line})
				text.WriteString(line + "\n")
			}
			longAt := int64(text.Len())
			long := bytes.Repeat([]byte{'x'}, c.long)
			text.Write(long)
			text.WriteByte('\n')
			if c.wantSkips == 0 {
				want = append(want, gotSkip{int64(c.lead + 1), longAt, string(long)})
			}
			for i, line := range []string{"after.one", "after.two", ""} {
				want = append(want, gotSkip{int64(c.lead + 2 + i), int64(text.Len()), line})
				text.WriteString(line + "\n")
			}

			p, out := &linesSeen{}, &checkpoints{}
			end, err := ScanLines(context.Background(), bytes.NewReader(text.Bytes()), p, Position{}, Resume{}, true, out)
			if err != nil {
				t.Fatal(err)
			}
			if end.Offset != int64(text.Len()) || end.Line != int64(c.lead+4) {
				t.Errorf("ended at %+v, want line %d offset %d", end, c.lead+4, text.Len())
			}
			if len(out.skips) != c.wantSkips {
				t.Fatalf("skips %v, want %d", out.skips, c.wantSkips)
			}
			if c.wantSkips == 1 {
				if s := out.skips[0]; s.Line != int64(c.lead+1) || s.Offset != longAt {
					t.Errorf("long line reported at line %d byte %d, want line %d byte %d", s.Line, s.Offset, c.lead+1, longAt)
				}
			}
			if len(p.lines) != len(want) {
				t.Fatalf("%d lines parsed, want %d", len(p.lines), len(want))
			}
			for i, w := range want {
				if g := p.lines[i]; g.Line != w.Line || g.Offset != w.Offset || g.Reason != w.Reason {
					t.Errorf("line %d at byte %d (%d bytes), want line %d at byte %d (%d bytes)", g.Line, g.Offset, len(g.Reason), w.Line, w.Offset, len(w.Reason))
				}
			}
			for _, at := range out.at {
				if at.Offset > longAt && at.Offset <= longAt+int64(c.long) {
					t.Errorf("a batch could end at byte %d, inside the long line (bytes %d–%d)", at.Offset, longAt, longAt+int64(c.long))
				}
			}
		})
	}
}

// A growing log whose unfinished last line is longer than the reader's
// buffer is read up to the start of that line, not into it: the next read
// takes the whole line.
func TestUnfinishedLongLineLeftWhole(t *testing.T) {
	text := "first\n" + strings.Repeat("y", 2*MaxLine+3)
	p := &linesSeen{}
	end, err := ScanLines(context.Background(), strings.NewReader(text), p, Position{}, Resume{}, false, &gotOut{})
	if err != nil {
		t.Fatal(err)
	}
	if end != (Position{Line: 1, Offset: 6}) {
		t.Fatalf("read to %+v, want line 1 offset 6 (the start of the unfinished line)", end)
	}
}

// A cancelled scan stops at a line boundary, never inside a line.
func TestCancelledScanStopsAtALineBoundary(t *testing.T) {
	var text bytes.Buffer
	for range 1024 {
		text.WriteString("a\n")
	}
	longAt := int64(text.Len())
	text.Write(bytes.Repeat([]byte{'z'}, 2*MaxLine))
	text.WriteString("\nb\n")
	ctx, cancel := context.WithCancel(context.Background())
	p := &linesSeen{}
	r := &cancelAfter{r: bytes.NewReader(text.Bytes()), after: longAt + MaxLine/2, cancel: cancel}
	end, err := ScanLines(ctx, r, p, Position{}, Resume{}, true, &gotOut{})
	if err == nil && end.Offset != int64(text.Len()) {
		t.Fatalf("stopped at %+v without an error", end)
	}
	if end.Offset != longAt && end.Offset != int64(text.Len()) {
		t.Fatalf("stopped at byte %d (line %d), inside the long line that starts at byte %d", end.Offset, end.Line, longAt)
	}
}

// cancelAfter cancels once more than after bytes were read.
type cancelAfter struct {
	r      *bytes.Reader
	n      int64
	after  int64
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p[:min(len(p), 64<<10)])
	if c.n += int64(n); c.n > c.after {
		c.cancel()
	}
	return n, err
}
