package detail

import (
	"strconv"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
	engsubject "github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/tui/common"
)

// The screens' rows leave as they are stored (common.Exporter): the app
// escapes what it shows of them, the CSV keeps them exact.

// CursorValue is the row's value on a group's requests, else what the row
// says that the others do not: a DNS query's answers, an HTTP request's
// target, a logon's account.
func (v *Events) CursorValue() (string, bool) {
	value, _, ok := v.cursorField()
	return value, ok
}

// CursorBlank names that value, for when it is empty (app.Blanker): an
// NXDOMAIN has no answers to copy.
func (v *Events) CursorBlank() string {
	_, what, _ := v.cursorField()
	return what
}

// cursorField is the row's value that Y copies, and what it is called.
func (v *Events) cursorField() (value, what string, ok bool) {
	i, ok := v.tbl.current()
	if !ok || i >= len(v.rows) {
		return "", "", false
	}
	e := v.rows[i].raw
	switch {
	case v.group():
		return e.Name, "value", true
	case e.Kind == record.KindHTTP:
		return e.Request.Target(), "target", true
	case e.Kind == record.KindLogon:
		return e.Logon.Account, "account", true
	}
	return e.Answers, "answers", true
}

// Rows are the events shown (the loaded window, through the / filter),
// with every field of their kind.
func (v *Events) Rows() ([]string, [][]string) {
	var header []string
	switch v.kind {
	case record.KindHTTP:
		header = []string{"time", "client", "method", "host", "target", "status", "bytes", "user_agent", "referer"}
	case record.KindLogon:
		header = []string{"time", "source", "account_domain", "account", "target", "type", "auth", "result", "reason", "event_id",
			"password", "command", "url", "sha256", "software", "hassh", "sid"}
	default:
		header = []string{"time", "client", "type", "rcode", "ttl", "answers"}
	}
	header = append(header, "value", "file", "line", "offset")
	rows := make([][]string, 0, len(v.tbl.shown))
	for _, i := range v.tbl.shown {
		rows = append(rows, eventRecord(v.rows[i].raw))
	}
	return header, rows
}

// eventRecord is an event's CSV row.
func eventRecord(e db.EventRow) []string {
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	out := []string{common.CSVTime(e.Time), e.Client}
	switch e.Kind {
	case record.KindHTTP:
		r := e.Request
		status, size := "", ""
		if e.Status > 0 {
			status = itoa(int64(e.Status))
		}
		if e.Bytes >= 0 {
			size = itoa(e.Bytes)
		}
		out = append(out, r.Method, r.Host, r.Target(), status, size, r.UserAgent, r.Referer)
	case record.KindLogon:
		l := e.Logon
		id := "" // none, as the screen shows it: an sshd or custom log's logon has no event number
		if l.EventID > 0 {
			id = itoa(int64(l.EventID))
		}
		out = append(out, l.AccountDomain, l.Account, l.Target, l.LogonType, l.Auth, l.Result, engsubject.StatusWords(l.Reason),
			id, l.Password, l.Command, l.URL, l.Hash, l.SW, l.HASSH, l.SID)
	default:
		ttl := ""
		if e.TTL >= 0 {
			ttl = itoa(int64(e.TTL))
		}
		out = append(out, parse.QTypeName(e.QType), parse.RCodeName(e.RCode), ttl, e.Answers)
	}
	return append(out, e.Name, e.Source, itoa(e.Line), itoa(e.Offset))
}

// CursorValue is the row's client, or on the pivot its name.
func (v *Counts) CursorValue() (string, bool) {
	i, ok := v.tbl.current()
	if !ok || i >= len(v.rows) {
		return "", false
	}
	return v.rows[i].raw, true
}

// Rows are the rows shown, with their counts, times and, on the pivot,
// their subject, group and mark.
func (v *Counts) Rows() ([]string, [][]string) {
	header := []string{"client", "count", "first", "last"}
	if v.pivot {
		header = []string{"name", "kind", "group", "verdict", "count", "first", "last"}
	}
	rows := make([][]string, 0, len(v.tbl.shown))
	for _, i := range v.tbl.shown {
		r := v.rows[i]
		nums := []string{strconv.FormatInt(r.count, 10), common.CSVTime(r.firstUS), common.CSVTime(r.lastUS)}
		if !v.pivot {
			rows = append(rows, append([]string{r.raw}, nums...))
			continue
		}
		kind := ""
		if s, ok := engsubject.ByCode(r.kind); ok {
			kind = s.Kind.String() + "." + s.Name
		}
		rows = append(rows, append([]string{r.raw, kind, r.domain, common.CSVVerdict(r.verdict)}, nums...))
	}
	return header, rows
}
