package heatmap

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/testws"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

func targets(t *testing.T) (common.Common, map[string]common.Target) {
	d, truth := testws.Open(t, 60_000)
	c := common.New(context.Background(), d)
	ctx := context.Background()
	name, err := d.NameByText(ctx, uint8(record.KindDNS), truth.BeaconName)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := d.ClientsOf(ctx, name.ID, 0)
	if err != nil || len(cs) == 0 {
		t.Fatal(cs, err)
	}
	return c, map[string]common.Target{
		"all":    {Subject: db.Subject{Kind: db.SubjectAll}, Label: "all traffic"},
		"name":   {Subject: db.Subject{Kind: db.SubjectName, ID: name.ID}, Label: name.Name},
		"client": {Subject: db.Subject{Kind: db.SubjectClient, ID: cs[0].ID}, Label: cs[0].Text},
	}
}

func TestGoldens(t *testing.T) {
	c, ts := targets(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, which := range []string{"all", "name", "client"} {
			name := fmt.Sprintf("%s_%dx%d", which, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				v := tuitest.Open(New, c, ts[which], size[0], size[1])
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

// TestGridAddsUp checks the grid against the workspace's own totals: every
// event of the week lands in one cell.
func TestGridAddsUp(t *testing.T) {
	c, ts := targets(t)
	st, err := c.DB.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v := tuitest.Open(New, c, ts["all"], 80, 24).(*Model)
	if v.total != st.Events {
		t.Errorf("heatmap holds %d events, the workspace %d", v.total, st.Events)
	}
	if len(v.grid) != 7 || v.labels[0] != "Mon 04" {
		t.Errorf("want the generated week from Mon 04, got %d days from %q", len(v.grid), v.labels[0])
	}
}

func TestGridLabelsNameTheMonthAcrossMonths(t *testing.T) {
	first := time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC)
	grid, labels := Grid([]db.Point{{Start: first.Add(49 * time.Hour).UnixMicro(), N: 5}}, first, first.AddDate(0, 0, 3))
	if len(grid) != 4 || labels[2] != "Fri Mar 01" || grid[2][1] != 5 {
		t.Errorf("labels %q, grid %v", labels, grid)
	}
}

func TestScrollKeys(t *testing.T) {
	c, ts := targets(t)
	v := tuitest.Open(New, c, ts["all"], 80, 10).(*Model) // 4 of 7 days fit
	rows := v.rows()
	if rows >= len(v.grid) {
		t.Fatalf("want fewer rows (%d) than days (%d)", rows, len(v.grid))
	}
	last := len(v.grid) - rows
	for _, s := range []struct {
		key  string
		want int
	}{
		{"j", 1}, {"down", 2}, {"k", 1}, {"up", 0}, {"up", 0},
		{"pgdown", last}, {"pgup", 0}, {"G", last}, {"g", 0}, {"end", last}, {"home", 0}, {"ctrl+f", last}, {"ctrl+b", 0},
	} {
		tuitest.Press(v, s.key)
		if v.top != s.want {
			t.Errorf("after %q the first day is %d, want %d", s.key, v.top, s.want)
		}
	}
	if !strings.Contains(ansi.Strip(v.View()), fmt.Sprintf("days 1–%d of 7", rows)) {
		t.Errorf("the screen does not say which days are shown:\n%s", ansi.Strip(v.View()))
	}
}

// BenchmarkOpenAllTraffic is opening the screen on all traffic: span, the
// series and the first View, on the benchmark workspace.
func BenchmarkOpenAllTraffic(b *testing.B) {
	d, _ := testws.OpenBench(b)
	c := common.New(context.Background(), d)
	t := common.Target{Subject: db.Subject{Kind: db.SubjectAll}, Label: "all traffic"}
	b.ResetTimer()
	for b.Loop() {
		v := tuitest.Open(New, c, t, 80, 24)
		_ = v.View()
	}
}
