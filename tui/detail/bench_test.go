package detail

import (
	"context"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/db"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
)

// benchDrill measures Enter → a drawn screen: the query command, the answer
// through Update, and View, as the app runs them.
func benchDrill(b *testing.B, open common.Opener, t common.Target) {
	d, _ := testws.OpenBench(b)
	c := common.New(context.Background(), d)
	b.ResetTimer()
	for b.Loop() {
		v := open(c, t)
		v.SetSize(80, 24)
		msg := v.Init()()
		v.Update(msg)
		_ = v.View()
	}
}

func benchTargets(b *testing.B) (top, beacon, client common.Target) {
	d, truth := testws.OpenBench(b)
	ctx := context.Background()
	rows, err := d.TopNames(ctx, engsubject.DNSName, 1, 0)
	if err != nil {
		b.Fatal(err)
	}
	top = common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: rows[0].ID}, Label: rows[0].Name}
	bn, err := d.NameByText(ctx, engsubject.DNSName, truth.BeaconName)
	if err != nil {
		b.Fatal(err)
	}
	beacon = common.Target{Subject: db.Subject{Kind: db.SubjectName, ID: bn.ID}, Label: bn.Name}
	cs, err := d.ClientsOf(ctx, rows[0].ID, 0)
	if err != nil {
		b.Fatal(err)
	}
	client = common.Target{Subject: db.Subject{Kind: db.SubjectClient, ID: cs[0].ID}, Label: cs[0].Text}
	return top, beacon, client
}

// BenchmarkDrill opens the requests and the clients of the top name, the
// requests of the beacon, and the pivot on the busiest client of the top
// name (the longest list of names a client has).
func BenchmarkDrill(b *testing.B) {
	top, beacon, client := benchTargets(b)
	for _, c := range []opening{
		{"EventsTopName", NewEvents, top},
		{"EventsBeacon", NewEvents, beacon},
		{"ClientsTopName", NewClients, top},
		{"PivotBusyClient", NewPivot, client},
	} {
		b.Run(c.name, func(b *testing.B) { benchDrill(b, c.open, c.target) })
	}
}

// BenchmarkKeystrokeScroll is a key on a loaded requests screen → View.
func BenchmarkKeystrokeScroll(b *testing.B) {
	top, _, _ := benchTargets(b)
	d, _ := testws.OpenBench(b)
	v := NewEvents(common.New(context.Background(), d), top)
	v.SetSize(80, 24)
	v.Update(v.Init()())
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	b.ResetTimer()
	for b.Loop() {
		v.Update(down)
		_ = v.View()
	}
}

// BenchmarkEventsPaging is G on the top name's requests (the oldest page,
// and where it stands among them), and a page older than the middle.
func BenchmarkEventsPaging(b *testing.B) {
	top, _, _ := benchTargets(b)
	d, _ := testws.OpenBench(b)
	c := common.New(context.Background(), d)
	v := NewEvents(c, top).(*Events)
	v.SetSize(80, 24)
	v.Update(v.Init()())
	b.Run("G", func(b *testing.B) {
		for b.Loop() {
			v.Update(v.fetch(pageReq{replace: true, last: true})())
		}
	})
	all, err := d.PageOlder(c.Ctx, top.Subject, nil, db.EventFilter{}, 0)
	if err != nil {
		b.Fatal(err)
	}
	mid := all.Keys[len(all.Keys)/2]
	b.Run("PageFromTheMiddle", func(b *testing.B) {
		for b.Loop() {
			v.Update(v.fetch(pageReq{from: &mid, older: true})())
		}
	})
	b.Logf("%d events", len(all.Keys))
}
