package detail

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/tui/common"
	"github.com/longtail/longtail/tui/internal/golden"
	"github.com/longtail/longtail/tui/internal/tuitest"
)

// groupTarget is a registered domain as the list opens it: with its row.
func groupTarget(t testing.TB, c common.Common, domain string) common.Target {
	t.Helper()
	return groupTargetOf(t, c, engsubject.DNSName, domain)
}

// groupTargetOf is the target of a group of any subject (a user agent's
// family).
func groupTargetOf(t testing.TB, c common.Common, sub engsubject.Code, group string) common.Target {
	t.Helper()
	row, err := c.DB.DomainByText(context.Background(), sub, group)
	if err != nil {
		t.Fatal(err)
	}
	return common.Target{Subject: db.Subject{Kind: db.SubjectDomain, ID: row.ID}, Label: row.Name, Group: &row}
}

// A tunnel's registered domain opens on the requests of all its names,
// newest first, titled with the domain and its number of names, each row
// naming its name; the goldens show it at both sizes.
func TestGroupEvents(t *testing.T) {
	c, truth := workspace(t)
	tunnel := groupTarget(t, c, truth.TunnelDomain)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		name := fmt.Sprintf("domain_events_%dx%d", w, h)
		t.Run(name, func(t *testing.T) {
			v := tuitest.Open(NewEvents, c, tunnel, w, h).(*Events)
			tuitest.CheckSize(t, v, w, h)
			golden.Assert(t, name, screen(v))
			if v.err != nil || v.total != tunnel.Group.Count || int64(len(v.rows)) != min(tunnel.Group.Count, int64(pageSize)) {
				t.Fatalf("loaded %d of %d (%v), the domain has %d", len(v.rows), v.total, v.err, tunnel.Group.Count)
			}
			names := map[string]bool{}
			for _, r := range v.rows {
				if !strings.HasSuffix(r.name, "."+truth.TunnelDomain) {
					t.Fatalf("a row names %q, not a name of %s", r.name, truth.TunnelDomain)
				}
				names[r.name] = true
			}
			if len(names) < 2 {
				t.Errorf("the rows name %d names: the domain's names are not merged", len(names))
			}
			title := strings.SplitN(screen(v), "\n", 2)[0]
			want := fmt.Sprintf("requests of *.%s (%d names)", truth.TunnelDomain, tunnel.Group.Names)
			if !strings.Contains(strings.ReplaceAll(title, ",", ""), want) {
				t.Errorf("title %q does not say %q", title, want)
			}
		})
	}
}

// From a domain's requests, p pivots to the row's client, found among the
// domain's clients; c opens the domain's clients, counted over its names.
func TestGroupEventsPivotAndClients(t *testing.T) {
	c, truth := workspace(t)
	tunnel := groupTarget(t, c, truth.TunnelDomain)
	v := tuitest.Open(NewEvents, c, tunnel, 80, 24).(*Events)
	open := only[common.OpenMsg](t, tuitest.Press(v, "p"))
	if open.Screen != common.ScreenPivot || open.Target.Label != v.rows[0].client || open.Target.Subject.ID == 0 {
		t.Errorf("p on a domain's request: %+v, want the pivot of %s", open, v.rows[0].client)
	}
	// enter goes from the domain's requests to those of the row's name.
	open = only[common.OpenMsg](t, tuitest.Press(v, "j", "enter"))
	if n, err := c.DB.NameByText(context.Background(), engsubject.DNSName, open.Target.Label); open.Screen != common.ScreenEvents ||
		err != nil || open.Target.Subject != (db.Subject{Kind: db.SubjectName, ID: n.ID}) || n.Name != v.rows[1].rawName {
		t.Errorf("enter on a domain's second request: %+v (%v), want the requests of %s", open, err, v.rows[1].rawName)
	}
	open = only[common.OpenMsg](t, tuitest.Press(v, "c"))
	if open.Screen != common.ScreenClients || open.Target.Subject != tunnel.Subject {
		t.Fatalf("c on a domain's requests: %+v", open)
	}
	cl := tuitest.Open(NewClients, c, open.Target, 80, 24).(*Counts)
	var sum int64
	for _, r := range cl.rows {
		sum += r.count
	}
	if cl.err != nil || len(cl.rows) == 0 || sum != tunnel.Group.Count {
		t.Errorf("clients of the domain: %d rows counting %d events (%v), want the domain's %d", len(cl.rows), sum, cl.err, tunnel.Group.Count)
	}
	if !strings.Contains(screen(cl), "clients of *."+truth.TunnelDomain) {
		t.Errorf("clients screen:\n%s", screen(cl))
	}
}

// A log without client addresses gives a domain no clients: the screen
// says so, not that a filter hides them.
func TestNoClientsIsSaidSo(t *testing.T) {
	d := testws.Counts(t, testws.Count{Name: "a.pirate.sea", N: 2}, testws.Count{Name: "b.pirate.sea", N: 1})
	c := common.New(context.Background(), d)
	v := tuitest.Open(NewClients, c, groupTarget(t, c, "pirate.sea"), 80, 24)
	if s := screen(v); !strings.Contains(s, "none: the logs name no client") || strings.Contains(s, "filter") {
		t.Errorf("clients of a domain without any:\n%s", s)
	}
}

// Any subject's group: a registered domain of HTTP hosts names each
// request's host; a section of paths does not, as the target shows it.
func TestHTTPGroupEvents(t *testing.T) {
	c := mixed(t)
	ctx := context.Background()
	for _, tc := range []struct {
		code       engsubject.Code
		group      string
		title      string
		want, lack []string
	}{
		{engsubject.HTTPHost, "evil.example", "requests of *.evil.example (1 host)", []string{" host ", "updates.evil.example", "/stage2.bin?id=42"}, nil},
		{engsubject.HTTPPath, "/", "requests of section / (2 paths)", []string{"/stage2.bin?id=42", "/beacon"}, []string{" path "}},
	} {
		row, err := c.DB.DomainByText(ctx, tc.code, tc.group)
		if err != nil {
			t.Fatal(tc.group, err)
		}
		v := tuitest.Open(NewEvents, c, common.Target{Subject: db.Subject{Kind: db.SubjectDomain, ID: row.ID}, Label: row.Name, Group: &row}, 100, 14)
		tuitest.CheckSize(t, v, 100, 14)
		got := screen(v)
		if !strings.HasPrefix(got, tc.title) {
			t.Errorf("title of %s: %q", tc.group, strings.SplitN(got, "\n", 2)[0])
		}
		head := strings.SplitN(got, "\n", 3)[1]
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: no %q:\n%s", tc.group, w, got)
			}
		}
		for _, l := range tc.lack {
			if strings.Contains(head, l) {
				t.Errorf("%s: the header has %q:\n%s", tc.group, l, got)
			}
		}
	}
}

// A group of one value (a family of one user agent) has no column naming
// it on every row: the target gets the room, and the line under the rows
// names the value.
func TestAGroupOfOneValueNamesItOnce(t *testing.T) {
	c := mixed(t)
	v := tuitest.Open(NewEvents, c, groupTargetOf(t, c, engsubject.HTTPAgent, "Go-http-client"), 80, 14)
	got := ansi.Strip(v.View())
	lines := strings.Split(got, "\n")
	if strings.Contains(lines[1], "user agent") || !strings.Contains(got, "/stage2.bin?id=42") || !strings.Contains(got, "Go-http-client/1.1") {
		t.Errorf("the family of one agent:\n%s", got)
	}
}
