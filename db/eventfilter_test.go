package db

import (
	"cmp"
	"context"
	"slices"
	"testing"

	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

// filtered pages every event of the value of sub that f keeps and returns
// the field each has, by get.
func filtered[T cmp.Ordered](t *testing.T, d *DB, sub subject.Code, value string, f EventFilter, get func(EventRow) T) []T {
	t.Helper()
	ctx := context.Background()
	n, err := d.NameByText(ctx, sub, value)
	if err != nil {
		t.Fatal(err)
	}
	s := Subject{Kind: SubjectName, ID: n.ID}
	p, err := d.PageOlder(ctx, s, nil, f, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := d.CountNewer(ctx, s, nil, f); err != nil || c != int64(len(p.Rows)) {
		t.Errorf("%+v counts %d (%v), pages %d", f, c, err, len(p.Rows))
	}
	var out []T
	for _, r := range p.Rows {
		out = append(out, get(r))
	}
	slices.Sort(out)
	return out
}

// An HTTP path's requests are kept by a status, a class of statuses (4xx)
// or no response; a client is kept by its id as by its address.
func TestEventFilterHTTPStatusAndClient(t *testing.T) {
	d, l, src := webLoad(t)
	b := &Batch{Source: src.ID}
	for i, st := range []int16{200, 404, 403, 499, 500, 0, 301} {
		client := "10.0.0.1"
		if i%2 == 1 {
			client = "10.0.0.2"
		}
		detail, _ := subject.AppendHTTPDetail(nil, &record.Record{Method: []byte("GET"), Path: []byte("/")})
		b.Events = append(b.Events, Event{Time: int64(i) * 1_000_000, Name: l.Interner.Name(uint8(subject.HTTPPath), []byte("/"), func(string) string { return "/" }),
			Client: l.Interner.Client([]byte(client)), Answer: l.Interner.Answer(detail), Source: src.ID, RCode: st, TTL: 10, Line: int64(i + 1)})
		b.Records++
	}
	load1(t, l, b)
	status := func(r EventRow) int16 { return r.Status }
	if got := filtered(t, d, subject.HTTPPath, "/", EventFilter{Code: &CodeRange{400, 499}}, status); !slices.Equal(got, []int16{403, 404, 499}) {
		t.Errorf("4xx: %v", got)
	}
	if got := filtered(t, d, subject.HTTPPath, "/", EventFilter{Code: &CodeRange{0, 0}}, status); !slices.Equal(got, []int16{0}) {
		t.Errorf("no response: %v", got)
	}
	cl, err := d.ClientByText(context.Background(), "10.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	if got := filtered(t, d, subject.HTTPPath, "/", EventFilter{ClientID: cl.ID}, status); !slices.Equal(got, []int16{0, 404, 499}) {
		t.Errorf("client %d: %v", cl.ID, got)
	}
	if got := filtered(t, d, subject.HTTPPath, "/", EventFilter{ClientID: cl.ID, Code: &CodeRange{400, 499}}, status); !slices.Equal(got, []int16{404, 499}) {
		t.Errorf("client %d and 4xx: %v", cl.ID, got)
	}
}

// A logon's events are kept by their result, read from the detail text,
// and by their event id; a DNS type keeps none of them.
func TestEventFilterLogonResultAndID(t *testing.T) {
	d, l, src := webLoad(t)
	b := &Batch{Source: src.ID}
	for i, lg := range []struct {
		result string
		id     uint16
	}{{"success", 4624}, {"failure", 4625}, {"invalid-user", 0}, {"failure", 4625}, {"success", 4624}} {
		detail, _ := subject.AppendLogonDetail(nil, &record.Record{Account: []byte("bob"), Result: []byte(lg.result)})
		b.Events = append(b.Events, Event{Time: int64(i) * 1_000_000, Name: l.Interner.Name(uint8(subject.LogonAccount), []byte("bob"), func(string) string { return "bob" }),
			Client: l.Interner.Client([]byte("10.0.0.9")), Answer: l.Interner.Answer(detail), Source: src.ID, QType: lg.id, RCode: -1, TTL: -1, Line: int64(i + 1)})
		b.Records++
	}
	load1(t, l, b)
	result := func(r EventRow) string { return r.Logon.Result }
	if got := filtered(t, d, subject.LogonAccount, "bob", EventFilter{Results: []string{"failure", "invalid-user"}}, result); !slices.Equal(got, []string{"failure", "failure", "invalid-user"}) {
		t.Errorf("failures: %v", got)
	}
	if got := filtered(t, d, subject.LogonAccount, "bob", EventFilter{Results: []string{"success"}}, result); !slices.Equal(got, []string{"success", "success"}) {
		t.Errorf("successes: %v", got)
	}
	id := func(r EventRow) uint16 { return r.Logon.EventID }
	if got := filtered(t, d, subject.LogonAccount, "bob", EventFilter{EventID: 4625}, id); !slices.Equal(got, []uint16{4625, 4625}) {
		t.Errorf("event 4625: %v", got)
	}
	if got := filtered(t, d, subject.LogonAccount, "bob", EventFilter{QType: 4625}, id); len(got) != 0 {
		t.Errorf("a DNS type kept logons: %v", got)
	}
}

// load1 writes one batch and finishes the load.
func load1(t *testing.T, l *Loader, b *Batch) {
	t.Helper()
	b.Lines = b.Records
	l.Interner.Flush(b)
	if err := l.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
}
