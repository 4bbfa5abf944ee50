package ingest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
)

// everything lists every event of a workspace, name by name, as text.
func everything(t *testing.T, d *db.DB) string {
	t.Helper()
	ctx := context.Background()
	names, err := d.AllNames(ctx, subject.DNSName)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, n := range names {
		evs, _, err := d.Events(ctx, n.ID, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			lines = append(lines, fmt.Sprintf("%s %d %s %d %d %q %d %d", n.Name, e.Time, e.Client, e.QType, e.RCode, e.Answers, e.Line, e.Offset))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func writeAged(t *testing.T, path string, data []byte, age time.Duration) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-age)
	os.Chtimes(path, at, at)
}

// delayedResponses rewrites a generated tcpdump log so that each response
// comes after the next query: queries wait across every line boundary.
func delayedResponses(log []byte) []byte {
	lines := bytes.SplitAfter(bytes.TrimSuffix(log, []byte("\n")), []byte("\n"))
	var out [][]byte
	var late []byte
	for i := 0; i+1 < len(lines); i += 2 {
		out = append(out, lines[i])
		if late != nil {
			out = append(out, late)
		}
		late = lines[i+1]
	}
	out = append(out, late)
	return bytes.Join(out, nil)
}

// A log read in pieces (a live log read by cron as it grows, or a read
// stopped mid-file and resumed) gives exactly the events of one read:
// a query whose response lies beyond where a read stopped is neither lost
// nor counted twice, and keeps its answers.
func TestReadInPiecesGivesTheEventsOfOneRead(t *testing.T) {
	logs := map[string]func(t *testing.T) []byte{
		"tcpdump": func(t *testing.T) []byte { return delayedResponses(genLog(t, "tcpdump", 6000)) },
		"windows-debug": func(t *testing.T) []byte {
			data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "data", "dns", "acandeias_windows_dns_debug_rawmsg_DERIVED.log"))
			if err != nil {
				t.Skip("../shared/data is absent")
			}
			return data
		},
	}
	for name, logOf := range logs {
		t.Run(name, func(t *testing.T) {
			log := logOf(t)
			dir := t.TempDir()
			path := filepath.Join(dir, "dns.log")
			writeAged(t, path, log, time.Hour)
			d := openWS(t)
			if r := ingestOne(t, d, path, Options{}); r.Events == 0 {
				t.Fatalf("one read: %+v", r)
			}
			want := everything(t, d)

			lines := bytes.SplitAfter(log, []byte("\n"))
			for _, k := range []int{len(lines) / 3, len(lines)/2 + 1, len(lines) - 3} {
				d := openWS(t)
				live := filepath.Join(t.TempDir(), "live.log")
				writeAged(t, live, bytes.Join(lines[:k], nil), 0) // being written
				ingestOne(t, d, live, Options{BatchSize: 100})
				writeAged(t, live, log, time.Hour) // grown, then settled
				if r := ingestOne(t, d, live, Options{BatchSize: 100}); r.Status != Resumed {
					t.Fatalf("second read: %+v", r)
				}
				if got := everything(t, d); got != want {
					t.Fatalf("grown after line %d: the events differ from one read's:\n%s", k, firstLineDiff(got, want))
				}
			}

			// Rotated: renamed while being written, read on under its new
			// name (the writer keeps writing to it until restarted).
			d = openWS(t)
			live := filepath.Join(t.TempDir(), "live.log")
			writeAged(t, live, bytes.Join(lines[:len(lines)/2], nil), 0)
			ingestOne(t, d, live, Options{BatchSize: 100})
			rotated := live + ".1"
			os.Rename(live, rotated)
			writeAged(t, rotated, log, time.Hour)
			if r := ingestOne(t, d, rotated, Options{BatchSize: 100}); r.Status != Resumed {
				t.Fatalf("the rotated log: %+v", r)
			}
			if got := everything(t, d); got != want {
				t.Fatalf("rotated: the events differ from one read's:\n%s", firstLineDiff(got, want))
			}
			srcs, _ := d.Sources(context.Background())
			if len(srcs) != 1 || srcs[0].Path != rotated || srcs[0].State != "done" {
				t.Fatalf("sources after the rotation: %+v", srcs)
			}

			// Stopped mid-read (Ctrl-C), after some batches were committed.
			ws := filepath.Join(t.TempDir(), "ws.db")
			d2, err := db.Open(ws, db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			opt := Options{BatchSize: 50, Progress: &Counters{}}
			go func() {
				for opt.Progress.Events.Load() < int64(len(lines))/8 {
					time.Sleep(time.Millisecond)
				}
				cancel()
			}()
			reps, _ := Run(ctx, d2, []string{path}, opt)
			cancel()
			d2.Close()
			d2, err = db.Open(ws, db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d2.Close()
			// The stop lands at the next line the reader checks for it
			// (every 1024th): a shorter log is read to its end first.
			after := Resumed
			if len(reps) == 1 && reps[0].Status != Interrupted {
				after = Unchanged
			}
			if r := ingestOne(t, d2, path, Options{BatchSize: 50}); r.Status != after {
				t.Fatalf("after the stop (%s): %+v", reps[0].Describe(), r)
			}
			if got := everything(t, d2); got != want {
				t.Fatalf("stopped and resumed: the events differ from one read's:\n%s", firstLineDiff(got, want))
			}
		})
	}
}

func firstLineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d\n got  %s\n want %s", i, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
