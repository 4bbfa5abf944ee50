package parse

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/record"
)

// Helpers shared by the tests of every format: a record.Output that keeps
// what a parser emits as plain values, drivers that run a parser the way
// the ingest does, and access to the shared sample data.

// gotRec is a record with its byte slices copied out of the parser's
// buffers.
type gotRec struct {
	Time    int64
	Client  string
	Name    string
	QType   uint16
	RCode   int16
	TTL     int32
	Answers string
	Line    int64
	Offset  int64
}

// gotHTTP is an HTTP record with its byte slices copied out.
type gotHTTP struct {
	Time                              int64
	Client, Method, Host, Path, Query string
	Status                            int16
	Bytes                             int64
	UserAgent, Referer                string
	Line, Offset                      int64
}

// gotLogon is a logon record with its byte slices copied out.
type gotLogon struct {
	Time                                                int64
	Client, Account, Domain, Target, Type, Auth, Result string
	Reason                                              string
	EventID                                             uint16
	Password, Command, URL, Hash, Software, SID, HASSH  string
	Line, Offset                                        int64
}

type gotSkip struct {
	Line, Offset int64
	Reason       string
}

// gotOut is a record.Output that keeps everything.
type gotOut struct {
	recs  []gotRec  // dns
	http  []gotHTTP // http
	logon []gotLogon
	skips []gotSkip
}

func (o *gotOut) Record(r *record.Record) {
	switch r.Kind {
	case record.KindDNS:
		o.recs = append(o.recs, gotRec{r.Time, string(r.Client), string(r.Name), r.QType, r.RCode, r.TTL, string(r.Answers), r.Line, r.Offset})
	case record.KindHTTP:
		o.http = append(o.http, gotHTTP{r.Time, string(r.Client), string(r.Method), string(r.Host), string(r.Path), string(r.Query),
			r.Status, r.Bytes, string(r.UserAgent), string(r.Referer), r.Line, r.Offset})
	case record.KindLogon:
		o.logon = append(o.logon, gotLogon{r.Time, string(r.Client), string(r.Account), string(r.AccountDomain), string(r.Target),
			string(r.LogonType), string(r.AuthPackage), string(r.Result), string(r.Reason), r.EventID,
			string(r.Password), string(r.Command), string(r.URL), string(r.Hash), string(r.Software), string(r.SID), string(r.HASSH), r.Line, r.Offset})
	default:
		panic("record of kind " + r.Kind.String())
	}
}

// provenance lists the line and offset of every record, of either kind.
func (o *gotOut) provenance() [][2]int64 {
	var l [][2]int64
	for _, r := range o.recs {
		l = append(l, [2]int64{r.Line, r.Offset})
	}
	for _, r := range o.http {
		l = append(l, [2]int64{r.Line, r.Offset})
	}
	for _, r := range o.logon {
		l = append(l, [2]int64{r.Line, r.Offset})
	}
	return l
}

func (o *gotOut) Skip(line, offset int64, reason string) {
	o.skips = append(o.skips, gotSkip{line, offset, reason})
}

func (o *gotOut) skipReasons() map[string]int {
	m := map[string]int{}
	for _, s := range o.skips {
		m[s.Reason]++
	}
	return m
}

// skipList lists the skips as "line reason".
func (o *gotOut) skipList() []string {
	var l []string
	for _, s := range o.skips {
		l = append(l, fmt.Sprint(s.Line, " ", s.Reason))
	}
	return l
}

// runLines drives p over text through ScanLines, as a finished file, and
// flushes it.
func runLines(t testing.TB, p LineParser, text []byte) *gotOut {
	t.Helper()
	out := &gotOut{}
	if _, err := ScanLines(context.Background(), bytes.NewReader(text), p, Position{}, Resume{}, true, out); err != nil {
		t.Fatalf("ScanLines: %v", err)
	}
	p.Flush(out)
	return out
}

// parseText runs a new line parser of the named format over data.
func parseText(t testing.TB, format string, data []byte) *gotOut {
	t.Helper()
	f, ok := ByName(format)
	if !ok || f.Lines == nil {
		t.Fatalf("format %q is not a registered text format", format)
	}
	return runLines(t, f.Lines(), data)
}

// micro returns the unix microseconds of an RFC 3339 time.
func micro(rfc3339 string) int64 {
	tm, err := time.Parse(time.RFC3339Nano, rfc3339)
	if err != nil {
		panic(err)
	}
	return tm.UnixMicro()
}

// checkRecords compares the dns records at the given lines with want.
func checkRecords(t *testing.T, out *gotOut, want ...gotRec) {
	t.Helper()
	checkAt(t, out.recs, want)
}

// checkHTTP compares the http records at the given lines with want.
func checkHTTP(t *testing.T, out *gotOut, want ...gotHTTP) {
	t.Helper()
	checkAt(t, out.http, want)
}

// placed is a record of either kind, with where it came from.
type placed[T any] interface {
	comparable
	at() (line, offset int64)
	time() int64
	withOffset(offset int64) T
}

func (r gotRec) at() (int64, int64)              { return r.Line, r.Offset }
func (r gotRec) time() int64                     { return r.Time }
func (r gotRec) withOffset(off int64) gotRec     { r.Offset = off; return r }
func (r gotHTTP) at() (int64, int64)             { return r.Line, r.Offset }
func (r gotHTTP) time() int64                    { return r.Time }
func (r gotHTTP) withOffset(off int64) gotHTTP   { r.Offset = off; return r }
func (r gotLogon) at() (int64, int64)            { return r.Line, r.Offset }
func (r gotLogon) time() int64                   { return r.Time }
func (r gotLogon) withOffset(off int64) gotLogon { r.Offset = off; return r }

// checkAt compares the records of recs at the lines of want with want;
// the offset is checked only where want gives one.
func checkAt[T placed[T]](t *testing.T, recs, want []T) {
	t.Helper()
	byLine := make(map[int64]T, len(recs))
	for _, r := range recs {
		line, _ := r.at()
		byLine[line] = r
	}
	for _, w := range want {
		line, off := w.at()
		got, ok := byLine[line]
		if !ok {
			t.Errorf("no record for line %d", line)
			continue
		}
		if off == 0 {
			_, gotOff := got.at()
			w = w.withOffset(gotOff)
		}
		if got != w {
			t.Errorf("line %d:\n got %+v (%s)\nwant %+v (%s)", line, got, time.UnixMicro(got.time()).UTC(), w, time.UnixMicro(w.time()).UTC())
		}
	}
}

// checkSequence compares the records of out, in order, with want, whose
// offsets it fills in from the lines of text.
func checkSequence(t *testing.T, out *gotOut, text string, want []gotRec) {
	t.Helper()
	offsets := lineOffsets(text)
	for i := range want {
		want[i].Offset = offsets[want[i].Line]
	}
	if len(out.recs) != len(want) {
		t.Fatalf("got %d records, want %d:\n%+v", len(out.recs), len(want), out.recs)
	}
	for i := range want {
		if out.recs[i] != want[i] {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, out.recs[i], want[i])
		}
	}
}

// lineOffsets maps 1-based line numbers to byte offsets.
func lineOffsets(text string) map[int64]int64 {
	m := map[int64]int64{}
	off := int64(0)
	for i, l := range strings.SplitAfter(text, "\n") {
		m[int64(i+1)] = off
		off += int64(len(l))
	}
	return m
}

// samplePath returns the path of a file of the shared sample data
// (../shared/data from the repository root), skipping the test when the
// data is absent.
func samplePath(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	return p
}

// sample reads a file of the shared sample data, gunzipping .gz files.
func sample(t testing.TB, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(samplePath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(rel, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

// detectedSample reads a sample and checks that it is detected as format.
func detectedSample(t *testing.T, rel, format string) []byte {
	t.Helper()
	data := sample(t, rel)
	if f, err := Detect(data); err != nil || f.Name != format {
		t.Fatalf("detected %q, %v; want %s", f.Name, err, format)
	}
	return data
}
