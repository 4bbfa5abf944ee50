package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/subject"
)

func openWS(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "ws.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func genLog(t *testing.T, format string, lines int64) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := gen.Write(&b, gen.Options{Lines: lines, Seed: 3, Format: format, Days: 1}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func ingestOne(t *testing.T, d *db.DB, path string, opt Options) Report {
	t.Helper()
	reps, err := Run(context.Background(), d, []string{path}, opt)
	if err != nil {
		t.Fatalf("ingest %s: %v", path, err)
	}
	if len(reps) != 1 {
		t.Fatalf("reports: %+v", reps)
	}
	return reps[0]
}

func totalEvents(t *testing.T, d *db.DB) int64 {
	t.Helper()
	s, err := d.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s.Events
}

func TestReingestAddsNothingAndGrownLogAddsOnlyTheNewPart(t *testing.T) {
	d := openWS(t)
	log := genLog(t, "csv", 20000)
	lines := bytes.SplitAfter(log, []byte("\n"))
	path := filepath.Join(t.TempDir(), "live.csv")
	first := bytes.Join(lines[:12000], nil)
	if err := os.WriteFile(path, first, 0o644); err != nil {
		t.Fatal(err)
	}
	r := ingestOne(t, d, path, Options{BatchSize: 1000})
	if r.Status != Ingested || r.Events != 12000 || r.Format != "opendns-csv" {
		t.Fatalf("first read: %+v", r)
	}
	r = ingestOne(t, d, path, Options{})
	if r.Status != Unchanged || totalEvents(t, d) != 12000 {
		t.Fatalf("second read of the same file: %+v, %d events", r, totalEvents(t, d))
	}
	// The same bytes under another name are the same file.
	cp := filepath.Join(t.TempDir(), "copy.csv")
	os.WriteFile(cp, first, 0o644)
	if r = ingestOne(t, d, cp, Options{}); r.Status != Unchanged || r.ReadAs != path {
		t.Fatalf("a copy: %+v", r)
	}
	if !strings.Contains(r.Describe(), "read before as "+path) {
		t.Errorf("a copy's report does not say which file it was read as: %s", r.Describe())
	}

	// The resolver keeps writing: a half line at the end is left for later.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(bytes.Join(lines[12000:], nil))
	f.Write([]byte("03/04/2024 23:59:59,half.writ"))
	f.Close()
	// Only the new part is read: the file is reopened where it stopped. To
	// see it, newlines replace bytes of the part already read (past the
	// fingerprinted head): a read from the start would count lines
	// differently and take old lines for new ones.
	f, _ = os.OpenFile(path, os.O_WRONLY, 0)
	f.WriteAt(bytes.Repeat([]byte("\n"), 20), 100000)
	f.Close()
	r = ingestOne(t, d, path, Options{})
	if r.Status != Resumed || r.Events != 8000 || totalEvents(t, d) != 20000 {
		t.Fatalf("grown log: %+v, %d events in all", r, totalEvents(t, d))
	}
	f, _ = os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte("ten.example,A,60,1.2.3.4\n"))
	f.Close()
	if r = ingestOne(t, d, path, Options{}); r.Status != Resumed || r.Events != 1 {
		t.Fatalf("completed last line: %+v", r)
	}
	n, err := d.NameByText(context.Background(), 1, "half.written.example")
	if err != nil || n.Count != 1 {
		t.Fatalf("the line finished after a pause: %+v %v", n, err)
	}

	// --force reads it again from the start, replacing what it gave before
	// (the line the newlines broke is now skipped).
	r = ingestOne(t, d, path, Options{Force: true})
	if r.Events != 20000 || r.Skipped != 1 || totalEvents(t, d) != 20000 {
		t.Fatalf("forced re-read: %+v, %d events in all", r, totalEvents(t, d))
	}
	srcs, _ := d.Sources(context.Background())
	if len(srcs) != 1 || srcs[0].State != "done" || srcs[0].Events != 20000 {
		t.Fatalf("sources: %+v", srcs)
	}
}

func TestGzipIsReadTransparentlyAndStdinWorks(t *testing.T) {
	d := openWS(t)
	log := genLog(t, "zeek", 3000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(log)
	zw.Close()
	path := filepath.Join(t.TempDir(), "dns.log.gz")
	os.WriteFile(path, gz.Bytes(), 0o644)
	r := ingestOne(t, d, path, Options{})
	if r.Format != "zeek-tsv" || r.Events != 3000 || r.Skipped != 0 {
		t.Fatalf("gzip: %+v", r)
	}

	d2 := openWS(t)
	stdin, _ := os.CreateTemp(t.TempDir(), "stdin")
	stdin.Write(log)
	stdin.Seek(0, 0)
	old := os.Stdin
	os.Stdin = stdin
	defer func() { os.Stdin = old }()
	r = ingestOne(t, d2, "-", Options{})
	if r.Events != 3000 || r.Format != "zeek-tsv" {
		t.Fatalf("stdin: %+v", r)
	}
	if s, _ := d2.Stats(context.Background()); s.Clients == 0 || s.Names == 0 {
		t.Fatalf("stdin stats: %+v", s)
	}
	// A file of the same content is a read of its own: standard input
	// has no place to carry on from, nor a path a file can take over.
	file := filepath.Join(t.TempDir(), "dns.log")
	os.WriteFile(file, log, 0o644)
	if r = ingestOne(t, d2, file, Options{}); r.Status != Ingested || r.Events != 3000 {
		t.Fatalf("a file after standard input: %+v", r)
	}
}

func TestUnknownFormatIsRefusedNamingWhatWasTried(t *testing.T) {
	d := openWS(t)
	path := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(path, []byte("Dear diary, today I looked at DNS logs all day.\nIt was long.\n"), 0o644)
	r := ingestOne(t, d, path, Options{})
	if r.Usable() || r.Err == nil || !strings.Contains(r.Err.Error(), "tried") || !strings.Contains(r.Err.Error(), "zeek-tsv") {
		t.Fatalf("report: %+v", r)
	}
}

func TestBrokenLinesAreSkippedAndCountedNotFatal(t *testing.T) {
	d := openWS(t)
	log := genLog(t, "csv", 500)
	lines := bytes.SplitAfter(log, []byte("\n"))
	var b bytes.Buffer
	for i, l := range lines {
		b.Write(l)
		if i == 100 {
			b.WriteString("this line is broken\n")
		}
		if i == 200 {
			b.Write([]byte{0, 1, 2, 0xff, '\n'})
		}
	}
	path := filepath.Join(t.TempDir(), "broken.csv")
	os.WriteFile(path, b.Bytes(), 0o644)
	r := ingestOne(t, d, path, Options{})
	if r.Events != 500 || r.Skipped != 2 || len(r.Skips) != 2 || r.Skips[0].Line != 102 || r.Skips[1].Line != 203 || !r.Usable() {
		t.Fatalf("report: %+v", r)
	}
}

func TestMalformedSamplesNeverAbortTheRun(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "malformed")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skip("../shared/data is absent")
	}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	sub, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	paths = append(paths, sub...)
	d := openWS(t)
	reps, err := Run(context.Background(), d, paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != len(paths) {
		t.Fatalf("%d reports for %d files", len(reps), len(paths))
	}
	var events int64
	for _, r := range reps {
		events += r.Events
		t.Log(r.Describe())
		if r.Status == Failed && r.Err == nil {
			t.Errorf("%s failed without a reason", r.Path)
		}
	}
	if events == 0 || totalEvents(t, d) != events {
		t.Fatalf("events reported %d, stored %d", events, totalEvents(t, d))
	}
}

// A query whose response never comes is still an event: parsers that pair
// hold queries until the end of the file, and the ingest must flush them.
func TestUnansweredQueriesAtTheEndAreKept(t *testing.T) {
	d := openWS(t)
	log := "2024-03-04 10:00:00.000000 IP 10.0.0.5.40000 > 10.0.0.53.53: 4242+ A? answered.example. (34)\n" +
		"2024-03-04 10:00:00.010000 IP 10.0.0.53.53 > 10.0.0.5.40000: 4242 1/0/0 A 192.0.2.1 (50)\n" +
		"2024-03-04 10:00:01.000000 IP 10.0.0.5.40001 > 10.0.0.53.53: 4243+ A? unanswered.example. (36)\n"
	path := filepath.Join(t.TempDir(), "dns.txt")
	os.WriteFile(path, []byte(log), 0o644)
	old := time.Now().Add(-time.Minute)
	os.Chtimes(path, old, old)
	r := ingestOne(t, d, path, Options{})
	if r.Format != "tcpdump-text" || r.Events != 2 {
		t.Fatalf("report: %+v", r)
	}
	n, err := d.NameByText(context.Background(), 1, "unanswered.example")
	if err != nil || n.Count != 1 {
		t.Fatalf("the unanswered query: %+v %v", n, err)
	}
}

func TestWindowsDebugSampleKeepsEveryRecord(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "dns", "acandeias_windows_dns_debug_rawmsg_DERIVED.log")
	if _, err := os.Stat(path); err != nil {
		t.Skip("../shared/data is absent")
	}
	d := openWS(t)
	// 698: the parser's own count for this sample (engine/parse/windowsdns_test.go,
	// checked there with awk): 386 client queries and 312 answers without one.
	if r := ingestOne(t, d, path, Options{}); r.Events != 698 {
		t.Fatalf("report: %+v", r)
	}
}

// A last line without its newline in a file changed moments ago is left for
// the next read; that read must take it once the file has settled, not call
// the file unchanged because its size and time are those of the first read.
func TestUnterminatedLastLineIsReadOnceTheFileSettles(t *testing.T) {
	d := openWS(t)
	// One event a line, no header (the umbrella CSV of gen).
	lines := bytes.Split(bytes.TrimSuffix(genLog(t, "csv", 3), []byte("\n")), []byte("\n"))
	log := bytes.Join(lines, []byte("\n"))
	path := filepath.Join(t.TempDir(), "fresh.csv")
	if err := os.WriteFile(path, log, 0o644); err != nil {
		t.Fatal(err)
	}
	// Changed 2 s short of settling: the first read leaves the last line.
	mtime := time.Now().Add(-settleTime + 2*time.Second)
	os.Chtimes(path, mtime, mtime)
	first := ingestOne(t, d, path, Options{})
	if first.Events != int64(len(lines)-1) {
		t.Skipf("the first read was slower than 2 s and took the last line: %+v", first)
	}
	if !first.Unended {
		t.Errorf("the report does not say the last line was left: %+v", first)
	}
	time.Sleep(time.Until(mtime.Add(settleTime + 100*time.Millisecond)))
	r := ingestOne(t, d, path, Options{})
	if r.Events != 1 || r.Unended || totalEvents(t, d) != int64(len(lines)) {
		t.Fatalf("the settled file's last line: %+v, %d events stored", r, totalEvents(t, d))
	}
}

// A capture is cut into batches by count; small batches must give the same
// events as one.
func TestCaptureInSmallBatchesGivesTheSameEvents(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "tunnel", "iodine_elastic_examples.pcap")
	if _, err := os.Stat(path); err != nil {
		t.Skip("../shared/data is absent")
	}
	var got [2]string
	for i, size := range []int{0, 7} {
		d := openWS(t)
		r := ingestOne(t, d, path, Options{BatchSize: size})
		// 222: tshark -r F -Y 'dns.flags.response == 0' | wc -l (engine/parse's count).
		if r.Events != 222 {
			t.Fatalf("batch %d: %+v", size, r)
		}
		top, err := d.TopNames(context.Background(), subject.DNSName, 1000, 0)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, n := range top {
			fmt.Fprintf(&b, "%s %d %d %d %d\n", n.Name, n.Count, n.Clients, n.First, n.Last)
		}
		got[i] = b.String()
		srcs, _ := d.Sources(context.Background())
		if len(srcs) != 1 || srcs[0].Events != 222 || srcs[0].State != "done" {
			t.Fatalf("batch %d: sources %+v", size, srcs)
		}
	}
	if got[0] != got[1] {
		t.Errorf("one batch:\n%s\nbatches of 7:\n%s", got[0], got[1])
	}
}

// A run is large, and the loader builds its indexes after it, when its
// files hold at least half what the workspace does: a second day into
// the first's, not a day into a month's; what cannot be sized counts
// for nothing, and what was read before counts for nothing either.
func TestLargeRunIsAboutTheWorkspacesSize(t *testing.T) {
	d := openWS(t)
	ws, err := os.Stat(d.Path())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := func(name string, size int64) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	half, small := file("half", ws.Size()/2), file("small", ws.Size()/4)
	for _, c := range []struct {
		paths []string
		want  bool
	}{
		{[]string{half}, true},
		{[]string{small}, false},
		{[]string{small, small}, true},
		{[]string{small, filepath.Join(dir, "missing"), os.DevNull}, false},
	} {
		if got := largeRun(d, unread(context.Background(), d, c.paths)); got != c.want {
			t.Errorf("largeRun(%q) = %v, want %v", c.paths, got, c.want)
		}
	}
}

// A follow's read of a file the workspace read before is not large,
// however large the file: only what it grew by counts (Follow runs Run
// on its files every second, and a large run drops and builds the
// indexes of the whole workspace).
func TestLargeRunCountsWhatWasNotRead(t *testing.T) {
	d := openWS(t)
	path := filepath.Join(t.TempDir(), "day.csv")
	log := genLog(t, "csv", 20000)
	if err := os.WriteFile(path, log, 0o644); err != nil {
		t.Fatal(err)
	}
	ingestOne(t, d, path, Options{})
	ws, err := os.Stat(d.Path())
	if err != nil {
		t.Fatal(err)
	}
	if 2*int64(len(log)) < ws.Size() {
		t.Fatalf("the log (%d bytes) is less than half the workspace (%d): the test proves nothing", len(log), ws.Size())
	}
	if largeRun(d, unread(context.Background(), d, []string{path})) {
		t.Error("a file read to its end is a large run")
	}
	copyPath := filepath.Join(t.TempDir(), "copy.csv")
	if err := os.WriteFile(copyPath, log, 0o644); err != nil {
		t.Fatal(err)
	}
	if !largeRun(d, unread(context.Background(), d, []string{copyPath})) {
		t.Error("the same log at another path, never read, is not a large run")
	}
}

// A small run is cut into several batches, so that the parser and the
// writer overlap, and a large run or one of unknown size into batches of
// DefaultBatch; a compressed file counts for the text it holds.
func TestBatchesAreSizedToTheRun(t *testing.T) {
	d := openWS(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "day.csv")
	log := genLog(t, "csv", 20000)
	if err := os.WriteFile(text, log, 0o644); err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(dir, "day.csv.gz")
	writeGzip(t, gz, log)
	ctx := context.Background()
	if got := batchFor(unread(ctx, d, []string{"-"})); got != DefaultBatch {
		t.Errorf("standard input: batches of %d, want %d", got, DefaultBatch)
	}
	if got := batchFor(added{text: 20e6 * 60, known: true}); got != DefaultBatch {
		t.Errorf("20M lines: batches of %d, want %d", got, DefaultBatch)
	}
	if got, lines := batchFor(added{text: 2e6 * 60, known: true}), int(2e6); got >= lines/4 || got < minBatch {
		t.Errorf("2M lines: batches of %d, want at least 4 of at least %d", got, minBatch)
	}
	if got := batchFor(unread(ctx, d, []string{text})); got != minBatch {
		t.Errorf("20,000 lines: batches of %d, want %d", got, minBatch)
	}
	fi, err := os.Stat(gz)
	if err != nil {
		t.Fatal(err)
	}
	if in := unread(ctx, d, []string{gz}); in.disk != fi.Size() || in.text != compressionGuess*fi.Size() {
		t.Errorf("a compressed file of %d bytes adds %+v, want its size and %d× it as text", fi.Size(), in, compressionGuess)
	}
}

// writeGzip writes b compressed at path.
func writeGzip(t *testing.T, path string, b []byte) {
	t.Helper()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(b)
	zw.Close()
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// logrotate renames yesterday's log and compresses it: the compressed
// file is the log read before, read on from where that read stopped,
// not a new one whose every line is stored twice.
func TestALogRotatedAndCompressedIsReadOnWhereItStopped(t *testing.T) {
	d := openWS(t)
	lines := bytes.SplitAfter(genLog(t, "csv", 20000), []byte("\n"))
	dir := t.TempDir()
	live, rotated := filepath.Join(dir, "dns.log"), filepath.Join(dir, "dns.log.1.gz")
	os.WriteFile(live, bytes.Join(lines[:12000], nil), 0o644)
	if r := ingestOne(t, d, live, Options{}); r.Events != 12000 {
		t.Fatalf("first read: %+v", r)
	}
	writeGzip(t, rotated, bytes.Join(lines[:16000], nil)) // it grew, then was rotated
	os.WriteFile(live, bytes.Join(lines[16000:], nil), 0o644)
	reps, err := Run(context.Background(), d, []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 || reps[0].Events != 4000 || reps[1].Status != Resumed || reps[1].Events != 4000 ||
		reps[1].ReadAs != live || totalEvents(t, d) != 20000 {
		t.Fatalf("after the rotation: %+v, %d events in all, want 20000", reps, totalEvents(t, d))
	}
	if !strings.Contains(reps[1].Describe(), "read before as "+live) {
		t.Errorf("the compressed log's report does not say it was read before: %s", reps[1].Describe())
	}
	reps, _ = Run(context.Background(), d, []string{dir}, Options{})
	if len(reps) != 2 || reps[0].Status != Unchanged || reps[1].Status != Unchanged || totalEvents(t, d) != 20000 {
		t.Errorf("read again: %+v, %d events", reps, totalEvents(t, d))
	}
}

// A compressed log read by an older longtail, which knew it by its
// compressed bytes, is still known once logrotate renames it (.1.gz to
// .2.gz): not read a second time.
func TestACompressedLogReadBeforeIsKnownByItsOldFingerprint(t *testing.T) {
	d := openWS(t)
	dir := t.TempDir()
	one, two := filepath.Join(dir, "dns.log.1.gz"), filepath.Join(dir, "dns.log.2.gz")
	writeGzip(t, one, genLog(t, "csv", 3000))
	if r := ingestOne(t, d, one, Options{}); r.Events != 3000 {
		t.Fatalf("first read: %+v", r)
	}
	raw, _ := os.ReadFile(one)
	old, err := sql.Open("sqlite", d.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := old.Exec("UPDATE sources SET fingerprint = ?", fingerprint(raw[:min(len(raw), parse.HeadSize)])); err != nil {
		t.Fatal(err)
	}
	os.Rename(one, two)
	if r := ingestOne(t, d, two, Options{}); r.Status != Unchanged || totalEvents(t, d) != 3000 {
		t.Errorf("renamed: %+v, %d events in all, want 3000", r, totalEvents(t, d))
	}
}

// A compressed copy cut short says so: "unexpected EOF" alone did not
// say which end was missing, nor why.
func TestACompressedFileCutShortSaysSo(t *testing.T) {
	d := openWS(t)
	path := filepath.Join(t.TempDir(), "dns.log.gz")
	writeGzip(t, path, genLog(t, "csv", 20000))
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)/2], 0o644)
	r := ingestOne(t, d, path, Options{})
	if r.Status != Failed || r.Events == 0 || !strings.Contains(r.Describe(), "cut short: the compressed data ends early") {
		t.Errorf("a compressed file cut short: %s", r.Describe())
	}
}

// A log whose first line is longer than the head detection peeks (an
// access log's 70 KB query string) is read, plain or compressed, where it
// was refused as no known format.
func TestAFirstLineLongerThanTheHeadIsRead(t *testing.T) {
	d := openWS(t)
	dir := t.TempDir()
	log := func(q string) []byte {
		return []byte(`10.0.0.5 - - [05/Mar/2024:10:00:00 +0000] "GET /search?q=` + strings.Repeat(q, 70000) + ` HTTP/1.1" 200 512 "-" "curl/8.0"` + "\n" +
			`10.0.0.6 - - [05/Mar/2024:10:00:01 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0"` + "\n")
	}
	plain, gz := filepath.Join(dir, "access.log"), filepath.Join(dir, "other.log.gz")
	if err := os.WriteFile(plain, log("A"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeGzip(t, gz, log("B"))
	for _, path := range []string{plain, gz} {
		reps, err := Run(context.Background(), d, []string{path}, Options{})
		if err != nil || len(reps) != 1 || reps[0].Format != "access-log" || reps[0].Events != 2 {
			t.Errorf("%s: %+v, %v", filepath.Base(path), reps, err)
		}
	}
}
