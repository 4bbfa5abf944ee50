package tuitest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
)

// AllTraffic is the target of a screen opened with nothing selected.
var AllTraffic = common.Target{Subject: db.Subject{Kind: db.SubjectAll}, Label: "all traffic"}

// Targets opens the small test workspace and returns the subjects a chart
// screen is drawn for: "all" traffic, the "name" gen planted as a beacon,
// and a "client" that asked for it.
func Targets(t *testing.T) (common.Common, map[string]common.Target) {
	t.Helper()
	d, truth := testws.Open(t, 60_000)
	ctx := context.Background()
	name, err := d.NameByText(ctx, subject.DNSName, truth.BeaconName)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := d.ClientsOf(ctx, name.ID, 0)
	if err != nil || len(cs) == 0 {
		t.Fatal(cs, err)
	}
	return common.New(ctx, d), map[string]common.Target{
		"all":    AllTraffic,
		"name":   {Subject: db.Subject{Kind: db.SubjectName, ID: name.ID}, Label: name.Name},
		"client": {Subject: db.Subject{Kind: db.SubjectClient, ID: cs[0].ID}, Label: cs[0].Text},
	}
}

// Goldens draws the screen open makes for each of the Targets at 80×24 and
// 120×40, checks that it fills the terminal exactly, and compares it with
// testdata/WHICH_WxH.golden.
func Goldens(t *testing.T, open common.Opener) {
	c, ts := Targets(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, which := range []string{"all", "name", "client"} {
			name := fmt.Sprintf("%s_%dx%d", which, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				v := Open(open, c, ts[which], size[0], size[1])
				lines := strings.Split(v.View(), "\n")
				if len(lines) != size[1] {
					t.Errorf("%d lines, want %d", len(lines), size[1])
				}
				for i, l := range lines {
					if ansi.StringWidth(l) != size[0] {
						t.Errorf("line %d is %d cells", i, ansi.StringWidth(l))
					}
				}
				golden.Assert(t, name, v.View())
			})
		}
	}
}

// ZeekHeader opens a hand-made Zeek dns.log (TSV), as gen writes it: a
// test adds lines of its own with any byte in them but a tab or a newline.
const ZeekHeader = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n" +
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n" +
	"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n"

// Workspace builds a private, writable workspace in a new temporary
// directory: a generated Zeek log of lines events (gen, seed) and the logs
// given, ingested in that order. It returns the workspace's path.
func Workspace(t testing.TB, lines, seed int64, logs ...string) string {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "dns.log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = gen.Write(f, gen.Options{Lines: lines, Seed: seed, Format: "zeek"})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ws.db")
	if err := testws.Ingest(path, append([]string{logPath}, logs...)...); err != nil {
		t.Fatal(err)
	}
	return path
}

// BenchOpenAllTraffic is opening the screen on all traffic: whatever it
// queries and the first View, on the benchmark workspace.
func BenchOpenAllTraffic(b *testing.B, open common.Opener) {
	d, _ := testws.OpenBench(b)
	c := common.New(context.Background(), d)
	b.ResetTimer()
	for b.Loop() {
		_ = Open(open, c, AllTraffic, 80, 24).View()
	}
}

// Copy is a private, writable copy of the shared test workspace of lines
// events (internal/testws, built once): quicker than Workspace for a test
// that needs no logs of its own. It returns the copy's path.
func Copy(t testing.TB, lines int64) string {
	t.Helper()
	return testws.Copy(t, lines)
}

// CheckSize fails unless v renders exactly width × height cells, as the
// view contract asks.
func CheckSize(t testing.TB, v common.View, width, height int) {
	t.Helper()
	lines := strings.Split(v.View(), "\n")
	if len(lines) != height {
		t.Errorf("%d lines, want %d", len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != width {
			t.Errorf("line %d is %d cells, want %d: %q", i, w, width, ansi.Strip(l))
		}
	}
}

// Growing opens a copy of the small test workspace for a test that grows
// it (Grow): its path, and a Common on a handle of its own, closed when
// the test ends.
func Growing(t testing.TB) (string, common.Common) {
	t.Helper()
	path := Copy(t, 1000)
	return path, openAt(t, path)
}

// Empty opens a new workspace with nothing in it, to be grown (Grow): its
// path, and a Common on it, closed when the test ends.
func Empty(t testing.TB) (string, common.Common) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ws.db")
	return path, openAt(t, path)
}

// openAt is a Common on the workspace at path, closed when the test ends.
func openAt(t testing.TB, path string) common.Common {
	t.Helper()
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return common.New(context.Background(), d)
}

// Grow ingests n events of each of names, from at on (a microsecond
// apart), into the workspace at path through a handle of its own, as
// another process (a follow, a capture) would.
func Grow(t testing.TB, path string, n int, at time.Time, names ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(ZeekHeader)
	for i := range n * len(names) {
		ts := at.Add(time.Duration(i) * time.Microsecond)
		b.WriteString(strings.Join([]string{fmt.Sprintf("%d.%06d", ts.Unix(), ts.Nanosecond()/1000), fmt.Sprint("Cn", i),
			"10.0.9.8", "5353", "10.0.0.53", "53", "udp", "1", "0.001", names[i%len(names)], "1", "C_INTERNET", "1", "A",
			"0", "NOERROR", "F", "F", "T", "T", "0", "-", "-", "F"}, "\t") + "\n")
	}
	log := filepath.Join(t.TempDir(), "more.log")
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := ingest.Run(context.Background(), other, []string{log}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
}
