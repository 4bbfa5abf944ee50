package gen

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// The HTTP log has the lines asked for, in time order, and what the truth
// says was planted is in it, as often as it says.
func TestHTTPLog(t *testing.T) {
	var buf bytes.Buffer
	tr, err := WriteHTTP(&buf, Options{Lines: 50_000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 50_000 {
		t.Fatalf("%d lines, want 50000", len(lines))
	}
	var prev time.Time
	var scans, shell, rare int
	for i, l := range lines {
		open, end := strings.IndexByte(l, '['), strings.IndexByte(l, ']')
		ts, err := time.Parse("02/Jan/2006:15:04:05 -0700", l[open+1:end])
		if err != nil || ts.Before(prev) {
			t.Fatalf("line %d: time %q out of order or unreadable (%v)", i+1, l[open+1:end], err)
		}
		prev = ts
		switch {
		case strings.Contains(l, " "+tr.ScannerClient+" ") && strings.Contains(l, `" 404 `):
			scans++
		case strings.Contains(l, "POST "+tr.WebshellPath+"?cmd="):
			shell++
		case strings.HasSuffix(l, `"`+tr.RareAgent+`"`):
			rare++
		}
	}
	if scans != tr.ScannerPaths || shell != 12 || rare != tr.RareAgentRequests {
		t.Errorf("scanner %d of %d, webshell %d of 12, rare agent %d of %d", scans, tr.ScannerPaths, shell, rare, tr.RareAgentRequests)
	}
	sameSeed(t, buf.Bytes(), WriteHTTP, Options{Lines: 50_000, Seed: 3})
}

func BenchmarkWriteHTTP(b *testing.B) { benchLines(b, WriteHTTP) }

// sameSeed checks that write gives log again with the options o.
func sameSeed[T any](t *testing.T, log []byte, write func(io.Writer, Options) (T, error), o Options) {
	t.Helper()
	var again bytes.Buffer
	write(&again, o)
	if !bytes.Equal(log, again.Bytes()) {
		t.Error("the same seed gave another log")
	}
}

// benchLines measures write on 100,000 lines.
func benchLines[T any](b *testing.B, write func(io.Writer, Options) (T, error)) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		write(&buf, Options{Lines: 100_000, Seed: 1})
	}
	b.ReportMetric(float64(b.N)*100_000/b.Elapsed().Seconds(), "lines/s")
}

// A log shorter than its planted events holds them all: Events says how
// many were written, the floor a caller reports instead of the lines it
// asked for.
func TestShortLogEvents(t *testing.T) {
	count := func(t *testing.T, buf *bytes.Buffer, events, lines int64) {
		t.Helper()
		if n := int64(bytes.Count(buf.Bytes(), []byte("\n"))); n != events || events <= lines {
			t.Errorf("%d lines written, Events %d, asked %d", n, events, lines)
		}
	}
	var buf bytes.Buffer
	dns, err := Write(&buf, Options{Lines: 3, Seed: 1, Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	count(t, &buf, dns.Events, 3)
	buf.Reset()
	web, _ := WriteHTTP(&buf, Options{Lines: 1, Seed: 1})
	count(t, &buf, web.Events, 1)
	buf.Reset()
	logon, _ := WriteLogon(&buf, Options{Lines: 1, Seed: 1})
	count(t, &buf, logon.Events, 1)
	buf.Reset()
	if web, _ = WriteHTTP(&buf, Options{Lines: 5000, Seed: 1}); web.Events != 5000 {
		t.Errorf("5000 requests asked, Events %d", web.Events)
	}
}
