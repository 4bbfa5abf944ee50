package custom

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
)

// checkBytes is how much of a text file Check reads (after decompression):
// enough for any first records, little enough to keep the skipped lines'
// text at hand.
const checkBytes = 1 << 20

// Preview is how a file would be read: by which format and why, and what
// its first lines give.
type Preview struct {
	Format   parse.Format  // zero when no format reads the file
	Origin   string        // the format file, or "built-in"
	Why      string        // why the format took the file
	Declined []Declined    // the custom formats that did not take it, and why
	Records  *output.Table // of the format's first kind (EventKinds)
	More     []KindRecords // of its other kinds: a capture's HTTP beside its DNS
	Skipped  *output.Table
	// SkippedUnshown counts the lines skipped among the records shown
	// past the first maxSkipsShown, which Skipped lists.
	SkippedUnshown int
	// What was read: the lines (or packets), and whether the file goes on
	// beyond them.
	Lines   int64
	Partial bool
}

// KindRecords are the records shown of one kind.
type KindRecords struct {
	Kind record.Kind
	Rows *output.Table
}

// Declined is a custom format that did not take the file.
type Declined struct {
	Name, Origin, Why string
}

// Check reads the start of r as the ingest would, with the formats of set
// registered: the format it detects, why, and the first limit records with
// the lines skipped among them (and the custom formats that did not take
// it, with why not). When no format reads r, the Preview says why each
// custom format declined and the error is the detection's.
func Check(ctx context.Context, r io.Reader, set *Set, limit int) (*Preview, error) {
	br, head, err := parse.Head(r)
	if err != nil {
		return nil, err
	}
	if len(head) == 0 {
		return nil, errors.New("empty file")
	}
	p := &Preview{}
	format, derr := parse.Detect(head)
	for _, f := range set.Formats() {
		if ok, why := f.Explain(head); ok && f.Name() == format.Name {
			p.Origin, p.Why = f.Origin, why
		} else if !ok {
			p.Declined = append(p.Declined, Declined{f.Name(), f.Origin, why})
		} else {
			p.Declined = append(p.Declined, Declined{f.Name(), f.Origin, "it would, but " + format.Name + " is tried first"})
		}
	}
	if derr != nil {
		return p, derr
	}
	p.Format = format
	if p.Origin == "" {
		p.Origin, p.Why = "built-in", "its built-in detection takes the start of the file"
	}
	out := newPreviewOut(format.EventKinds(), limit, format.Unit())
	if format.Stream != nil {
		err = p.readStream(ctx, br, out)
	} else {
		err = p.readText(ctx, br, out)
	}
	p.Records, p.More, p.Skipped, p.SkippedUnshown = out.records, out.more, out.skipped, out.unshown
	return p, err
}

// readText parses the first MiB of a text log.
func (p *Preview) readText(ctx context.Context, br *bufio.Reader, out *previewOut) error {
	text, err := io.ReadAll(io.LimitReader(br, checkBytes+1))
	if err != nil {
		return err
	}
	p.Partial = len(text) > checkBytes
	if p.Partial {
		text = text[:checkBytes]
	}
	out.text = text
	lp := p.Format.Lines()
	pos, err := parse.ScanLines(ctx, bytes.NewReader(text), lp, parse.Position{}, parse.Resume{}, !p.Partial, out)
	if err != nil {
		return err
	}
	lp.Flush(out)
	p.Lines = pos.Line
	return nil
}

// readStream decodes a capture until limit records are shown.
func (p *Preview) readStream(ctx context.Context, br *bufio.Reader, out *previewOut) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	out.full = stop
	end, err := p.Format.Stream(ctx, br, parse.Resume{}, out)
	p.Lines, p.Partial = end.Read.Line, out.over
	if out.over && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// maxSkipsShown bounds the skipped lines a Preview lists.
const maxSkipsShown = 20

// previewOut keeps the first records and skips as table rows.
type previewOut struct {
	limit   int
	shown   int    // records shown, of every kind
	unit    string // what a record's position counts
	records *output.Table
	more    []KindRecords
	skipped *output.Table
	unshown int    // skips past those skipped lists
	text    []byte // the text read, for the skipped lines' content
	full    func() // stops a capture's decoding
	over    bool   // more records came than are shown
}

// newPreviewOut keeps limit records, those of kinds[0] in records and
// those of the others (a capture's HTTP requests beside its DNS) in
// tables of their own, each at its unit (a line, a packet, a record:
// parse.Format.Unit).
func newPreviewOut(kinds []record.Kind, limit int, unit string) *previewOut {
	o := &previewOut{limit: limit, unit: unit, skipped: &output.Table{Columns: []string{unit, "byte", "reason", "text"}}}
	o.records = o.table(kinds[0])
	for _, k := range kinds[1:] {
		o.more = append(o.more, KindRecords{k, o.table(k)})
	}
	return o
}

// table is an empty table of the columns of a kind's records.
func (o *previewOut) table(k record.Kind) *output.Table {
	switch k {
	case record.KindHTTP:
		return &output.Table{Columns: []string{o.unit, "time", "client", "method", "host", "path", "query", "status", "bytes", "user_agent", "referer"}}
	case record.KindLogon:
		return &output.Table{Columns: []string{o.unit, "time", "source", "event_id", "account", "domain", "target", "logon_type", "auth", "result", "reason"}}
	}
	return &output.Table{Columns: []string{o.unit, "time", "client", "name", "qtype", "rcode", "ttl", "answers"}}
}

// tableOf is the table a record of kind k goes to.
func (o *previewOut) tableOf(k record.Kind) *output.Table {
	for _, m := range o.more {
		if m.Kind == k {
			return m.Rows
		}
	}
	return o.records
}

func (o *previewOut) Record(r *record.Record) {
	if o.shown >= o.limit {
		o.over = true
		if o.full != nil {
			o.full()
		}
		return
	}
	o.shown++
	t := o.tableOf(r.Kind)
	tm := time.UnixMicro(r.Time).UTC()
	switch r.Kind {
	case record.KindHTTP:
		t.Add(r.Line, tm, string(r.Client), string(r.Method), string(r.Host), string(r.Path), string(r.Query),
			orNil(int64(r.Status), 0), orNil(r.Bytes, record.NoBytes), string(r.UserAgent), string(r.Referer))
		return
	case record.KindLogon:
		t.Add(r.Line, tm, string(r.Client), orNil(int64(r.EventID), 0), string(r.Account), string(r.AccountDomain),
			string(r.Target), string(r.LogonType), string(r.AuthPackage), string(r.Result), string(r.Reason))
		return
	}
	t.Add(r.Line, tm, string(r.Client), string(r.Name), parse.QTypeName(r.QType), parse.RCodeName(r.RCode),
		orNil(int64(r.TTL), int64(record.NoTTL)), string(r.Answers))
}

// orNil is v, or nil (an empty cell) when v means "unknown".
func orNil(v, unknown int64) any {
	if v == unknown {
		return nil
	}
	return v
}

func (o *previewOut) Skip(line, offset int64, reason string) {
	switch {
	case o.shown >= o.limit:
		return
	case len(o.skipped.Rows) >= maxSkipsShown:
		o.unshown++
		return
	}
	o.skipped.Add(line, offset, reason, lineAt(o.text, offset))
}

// lineAt is the start of the line at offset in text, cut to 120 bytes.
func lineAt(text []byte, offset int64) string {
	if offset < 0 || offset >= int64(len(text)) {
		return ""
	}
	l := text[offset:]
	if nl := bytes.IndexByte(l, '\n'); nl >= 0 {
		l = l[:nl]
	}
	l = bytes.TrimRight(l, "\r")
	if len(l) > 120 {
		return string(l[:120]) + "…"
	}
	return string(l)
}
