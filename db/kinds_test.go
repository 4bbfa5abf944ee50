package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// webLoad opens a new workspace and starts loading a web log into it.
func webLoad(t *testing.T) (*DB, *Loader, Source) {
	t.Helper()
	d := openTemp(t)
	l, err := d.NewLoader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	src, err := l.StartSource(context.Background(), Source{Path: "web", Format: "test", Fingerprint: "web"})
	if err != nil {
		t.Fatal(err)
	}
	return d, l, src
}

// An HTTP request is stored once per subject; the workspace's traffic, its
// clients and the totals count it once, by its primary subject (the path),
// while every subject has its own counts, clients and groups.
func TestSubjectsOfOneEventCountItOnce(t *testing.T) {
	d, l, src := webLoad(t)
	ctx := context.Background()
	b := &Batch{Source: src.ID}
	group := func(s string) string { return "g:" + s[:1] }
	reqs := []struct{ path, ua, client string }{
		{"/a", "curl/8", "10.0.0.1"}, {"/a", "curl/8", "10.0.0.2"}, {"/b", "Mozilla/5.0", "10.0.0.1"},
	}
	for i, r := range reqs {
		ev := Event{Time: int64(i) * 60_000_000, Client: l.Interner.Client([]byte(r.client)), Source: src.ID, RCode: 200, TTL: 10, Line: int64(i + 1)}
		for code, v := range map[subject.Code]string{subject.HTTPPath: r.path, subject.HTTPAgent: r.ua} {
			ev.Name = l.Interner.Name(uint8(code), []byte(v), group)
			b.Events = append(b.Events, ev)
		}
		b.Records++
	}
	b.Lines = int64(len(reqs))
	l.Interner.Flush(b)
	if err := l.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}

	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != 3 || st.Clients != 2 || st.Sources[0].Events != 3 {
		t.Errorf("totals %+v, source %+v: want 3 events from 2 clients", st, st.Sources[0])
	}
	var minutes, clientEvents int64
	d.sql.QueryRow("SELECT sum(n) FROM total_minute").Scan(&minutes)
	d.sql.QueryRow("SELECT sum(count) FROM clients").Scan(&clientEvents)
	if minutes != 3 || clientEvents != 3 {
		t.Errorf("traffic by minute %d, by client %d: want each request once", minutes, clientEvents)
	}
	curl, err := d.NameByText(ctx, subject.HTTPAgent, "curl/8")
	if err != nil || curl.Count != 2 || curl.Clients != 2 || curl.Domain != "g:c" {
		t.Errorf("curl/8 = %+v, %v", curl, err)
	}
	if _, err := d.NameByText(ctx, subject.HTTPPath, "curl/8"); err == nil {
		t.Error("a user agent was found as a path")
	}
	if ps, _ := d.AllNames(ctx, subject.HTTPPath); len(ps) != 2 {
		t.Errorf("paths %+v", ps)
	}
	// The same group text under two subjects is two groups.
	g1, err1 := d.DomainByText(ctx, subject.HTTPAgent, "g:c")
	g2, err2 := d.DomainByText(ctx, subject.HTTPPath, "g:/")
	if err1 != nil || err2 != nil || g1.Count != 2 || g2.Count != 3 {
		t.Errorf("groups %+v %v, %+v %v", g1, err1, g2, err2)
	}
	before := snapshot(t, d)
	if err := d.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, d); after != before {
		t.Errorf("rebuild changed the aggregates:\nbefore %s\nafter  %s", before, after)
	}
}

// A workspace written before kinds (schema 3) opens without re-ingesting:
// its names, groups and rules are DNS ones, and a rule with the same
// pattern for another subject is a rule of its own.
func TestSchema3WorkspaceMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range migrationFiles()[:3] {
		body, _ := migrations.ReadFile(name)
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		"PRAGMA application_id = " + strconv.Itoa(ApplicationID), "PRAGMA user_version = 3",
		"INSERT INTO domains(id, name, count) VALUES (1, 'example.com', 1)",
		"INSERT INTO names(id, kind, name, domain, count) VALUES (1, 1, 'www.example.com', 1, 1)",
		"INSERT INTO rules(pattern, scope, verdict, created) VALUES ('curl', 'name', 'good', 1)",
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	raw.Close()
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if dom, err := d.DomainByText(ctx, subject.DNSName, "example.com"); err != nil || dom.Kind != uint8(subject.DNSName) {
		t.Errorf("domain after migration: %+v %v", dom, err)
	}
	if _, _, err := d.PutRules(ctx, []rules.Rule{{Kind: subject.HTTPAgent, Pattern: "curl", Verdict: rules.Bad}}); err != nil {
		t.Fatal(err)
	}
	rs, err := d.Rules(ctx)
	if err != nil || len(rs) != 2 || rs[0].Subject() != subject.DNSName || rs[0].Verdict != rules.Good ||
		rs[1].Subject() != subject.HTTPAgent || rs[1].Verdict != rules.Bad {
		t.Errorf("rules after migration: %+v %v", rs, err)
	}
}

// DNS rarity is over the clients that asked a DNS name: the visitors of a
// web log ingested beside it are not the network's clients.
func TestScoreContextCountsDNSClients(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	load(t, d, "dns", []rawEvent{{hour, "www.example.com", "example.com", "10.0.0.1"}, {hour, "example.com", "example.com", "10.0.0.2"}})
	l, err := d.NewLoader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, err := l.StartSource(ctx, Source{Path: "web", Format: "test", Fingerprint: "web"})
	if err != nil {
		t.Fatal(err)
	}
	b := &Batch{Source: src.ID, Records: 3}
	for i, visitor := range []string{"192.0.2.1", "192.0.2.2", "10.0.0.1"} {
		b.Events = append(b.Events, Event{Time: hour, Source: src.ID, Line: int64(i + 1),
			Name:   l.Interner.Name(uint8(subject.HTTPPath), []byte("/"), func(string) string { return "/" }),
			Client: l.Interner.Client([]byte(visitor))})
	}
	b.Lines = 3
	l.Interner.Flush(b)
	if err := l.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	sc, err := d.ScoreContext(ctx, 0)
	if err != nil || sc.Clients != 2 {
		t.Errorf("DNS clients %d (%v), want 2 of the 4 clients", sc.Clients, err)
	}
}

// ScanBlocksOf reads the blocks of one subject's names only: each request
// once through its user agent, none of the copies under its path.
func TestScanBlocksOfOneSubject(t *testing.T) {
	d, l, src := webLoad(t)
	ctx := context.Background()
	b := &Batch{Source: src.ID, Records: 3, Lines: 3}
	group := func(s string) string { return s }
	for i, r := range [][2]string{{"/a", "curl/8"}, {"/a", "curl/8"}, {"/b", "Mozilla/5.0"}} {
		ev := Event{Time: int64(i) * 60_000_000, Client: l.Interner.Client([]byte("10.0.0.1")), Source: src.ID, Line: int64(i + 1)}
		for _, v := range []struct {
			code subject.Code
			text string
		}{{subject.HTTPPath, r[0]}, {subject.HTTPAgent, r[1]}} {
			ev.Name = l.Interner.Name(uint8(v.code), []byte(v.text), group)
			b.Events = append(b.Events, ev)
		}
	}
	l.Interner.Flush(b)
	if err := l.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	agents, err := d.AllNames(ctx, subject.HTTPAgent)
	if err != nil {
		t.Fatal(err)
	}
	isAgent := map[uint32]bool{}
	for _, a := range agents {
		isAgent[a.ID] = true
	}
	count := func(scan func(func(uint32, []Event) error) error) (all, ofAgents int) {
		if err := scan(func(name uint32, evs []Event) error {
			all += len(evs)
			if isAgent[name] {
				ofAgents += len(evs)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return all, ofAgents
	}
	if all, of := count(func(fn func(uint32, []Event) error) error { return d.ScanBlocksOf(ctx, subject.HTTPAgent, fn) }); all != 3 || of != 3 {
		t.Errorf("the user agents' blocks hold %d events, %d of them of user agents: want 3 and 3", all, of)
	}
	if all, of := count(func(fn func(uint32, []Event) error) error { return d.ScanBlocks(ctx, fn) }); all != 6 || of != 3 {
		t.Errorf("every block holds %d events, %d of user agents: want 6 and 3", all, of)
	}
}
