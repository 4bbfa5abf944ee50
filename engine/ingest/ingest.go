// Package ingest reads sources into a workspace: it opens each file
// (gunzipping transparently), recognises its format from its content,
// resumes a file that grew since it was last read, and runs the parser and
// the database writer side by side, one batch in flight between them.
package ingest

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
)

// DefaultBatch is how many events go into one committed batch: large enough
// that per-transaction costs vanish, small enough that a kill loses little
// and memory stays bounded.
const DefaultBatch = 1 << 20

// finishGC is the collector's GOGC while the aggregates are written: they
// allocate their rows as they go, and at the default a live heap of 100 MB
// (20M events) grew to 245 MB between collections beside SQLite's index
// builds, the ingest's peak memory.
const finishGC = 25

// settleTime is how long a file must be unchanged before an unterminated
// last line counts as complete.
const settleTime = 5 * time.Second

// MaxSkipsShown is how many skipped lines a report lists.
const MaxSkipsShown = 5

// Options tune a run.
type Options struct {
	Force     bool // re-read files already ingested
	BatchSize int  // events per committed batch; when 0, sized to the run (batchFor)
	// Progress, when set, is called from a separate goroutine with the
	// run's counters; the CLI draws its progress line from it.
	Progress *Counters
	// FlushEvery, when set, also commits a batch that is not full once it
	// is that old (at the parser's next checkpoint): a followed log's
	// events reach the workspace within it however slowly they come.
	FlushEvery time.Duration
	// Year, when set, is the year of the first line of a log whose stamps
	// have none (syslog); else a file's modification time dates it (its
	// last line is no later), and standard input the present.
	Year int
}

// Counters are the live figures of a run, safe to read from another goroutine.
type Counters struct {
	Bytes  atomic.Int64 // raw bytes read of the current file
	Size   atomic.Int64 // raw size of the current file (0: unknown, stdin)
	Events atomic.Int64 // events parsed in the whole run
	File   atomic.Value // string: the current file
	// Finishing is set once every file is read and committed: the
	// aggregates and indexes are being written (seconds on a large load).
	Finishing atomic.Bool
}

// Status says what happened to a file.
type Status string

const (
	Ingested  Status = "ingested"
	Resumed   Status = "resumed"   // grew (or was interrupted) since last read: only the new part was read
	Unchanged Status = "unchanged" // read before and not grown: nothing added
	Failed    Status = "failed"
	// PassedOver: a file found under a directory that is no log longtail
	// reads (Reason says why); it does not fail the run.
	PassedOver Status = "passed over"
	// Interrupted: the run was cancelled while the file was read; what
	// was read is stored, and the next read carries on from there.
	Interrupted Status = "interrupted"
)

// Skip is one line or packet that could not be used.
type Skip struct {
	Line   int64
	Offset int64
	Reason string
}

// Report is the outcome for one file. Its counts are those of the batches
// committed to the workspace: a file that failed half-way reports what
// was stored, not what was read.
type Report struct {
	Path    string
	Format  string
	Status  Status
	Events  int64
	Skipped int64
	Skips   []Skip // the first MaxSkipsShown
	Err     error
	Reason  string // why a file was passed over: what it looks like, when Detect could tell; emptyReason for an empty one
	// Stream is set for standard input, a FIFO or a device: a read of it
	// cannot be resumed.
	Stream bool
	// Unended: the file's last line has no end yet and was written
	// under settleTime ago (a line still being written), and was left
	// for the next read.
	Unended bool
	// InDir is set for a file found under a directory: a log in it that
	// holds none of its events (a Zeek log of an hour without any, its
	// header alone) is reported, and does not fail the run.
	InDir bool
	// ReadAs is the path under which the file was read before, when not
	// its own: a copy (copied: that file is still there), or a log rotated
	// (and perhaps compressed) since.
	ReadAs string
	copied bool
	source uint32 // the source read, when there is one (Follow's)
}

// Usable is false when the file yielded nothing: the CLI's exit status.
func (r Report) Usable() bool {
	return r.Err == nil && (r.Status == Unchanged || r.Status == Resumed || r.Status == Interrupted || r.Status == PassedOver || r.Events > 0 || r.InDir)
}

// Run ingests the files ("-" is standard input; a directory, the files
// under it: targets) in order, one loader for the whole run so the
// aggregates are written once at the end.
//
// Cancelling ctx stops the reading at the next line or packet (a read
// waiting on a pipe, a FIFO with no writer or a terminal included); what
// was read is committed and the totals written before Run returns
// ctx.Err(), so the workspace is complete and the next run of the same
// files carries on where this one stopped. A caller that cannot wait for
// that may end the process: the workspace survives a kill.
func Run(ctx context.Context, d *db.DB, paths []string, opt Options) ([]Report, error) {
	if opt.Progress == nil {
		opt.Progress = &Counters{}
	}
	// Writes finish what was read, whether or not ctx is cancelled.
	wctx := context.WithoutCancel(ctx)
	l, err := d.NewLoader(wctx)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	files := targets(paths, d.Path())
	paths = make([]string, len(files))
	for i, f := range files {
		paths[i] = f.path
	}
	in := unread(ctx, d, paths)
	if largeRun(d, in) {
		if err := l.ExpectLarge(wctx); err != nil {
			return nil, err
		}
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = batchFor(in)
	}
	w := startWriter(wctx, l, 0)
	var reports []Report
	interrupted := false
	for _, f := range files {
		if ctx.Err() != nil {
			interrupted = true
			break
		}
		if f.err != nil {
			reports = append(reports, passOver(f, failed(Report{Path: f.path}, f.err)))
			continue
		}
		r := passOver(f, ingestFile(ctx, d, l, w, f.path, f.inDir, opt))
		reports = append(reports, r)
		interrupted = interrupted || r.Status == Interrupted
		if w.failed() {
			break
		}
	}
	if err := w.close(); err != nil {
		return reports, fmt.Errorf("writing the workspace: %w", err)
	}
	// The batch buffers are a third of the heap; the aggregates written
	// next need the room, and the peak memory of a large ingest is there:
	// they go back to the system before, where the collector would keep
	// them for the heap's next growth while SQLite's index builds and
	// page caches take as much again beside them. (Not after a follow's
	// read of a second: a forced collection of the screen's heap each.)
	w.release()
	if w.stored().events >= DefaultBatch {
		debug.FreeOSMemory()
		defer debug.SetGCPercent(debug.SetGCPercent(finishGC))
	}
	opt.Progress.Finishing.Store(true)
	if err := l.Finish(wctx); err != nil {
		return reports, err
	}
	if interrupted {
		return reports, ctx.Err()
	}
	return reports, nil
}

// largeRun says whether a run that adds in to the workspace adds about as
// much as it holds (at least half its size: a second day's log into the
// first's), for which the loader builds its indexes once after the run
// (Loader.ExpectLarge). A day's log into a month's workspace is not, nor
// a follow's read of what a file grew by.
func largeRun(d *db.DB, in added) bool {
	ws, err := os.Stat(d.Path())
	if err != nil {
		return false
	}
	return 2*in.disk >= ws.Size()
}

// added is what the files of a run add to the workspace: the part of each
// the workspace has not read. A pipe or a file that cannot be sized counts
// for nothing and makes the text's size unknown.
type added struct {
	disk  int64 // bytes on disk
	text  int64 // bytes of text, a compressed file's guessed
	known bool  // whether text counts every input
}

// compressionGuess is how many bytes of text a byte of a compressed log
// is taken to hold: gzip packs logs eight to fifteen times.
const compressionGuess = 10

// unread sizes what the files at paths add to the workspace.
func unread(ctx context.Context, d *db.DB, paths []string) added {
	in := added{known: true}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			in.known = false
			continue
		}
		n := fi.Size() - readBefore(ctx, d, p, fi.Size())
		in.disk += n
		if gzipped(p) {
			n *= compressionGuess
		}
		in.text += n
	}
	return in
}

// gzipped says whether the file at path starts as gzip data does.
func gzipped(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [2]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && magic == [2]byte{0x1f, 0x8b}
}

// Batch sizes for a run whose size is known: about batchesPerRun batches
// of at least minBatch events, a log line taken as bytesPerEvent bytes.
const (
	minBatch      = 1 << 16
	batchesPerRun = 8
	bytesPerEvent = 64
)

// batchFor is the batch size of a run that adds in: DefaultBatch for a
// large run or one of unknown size, smaller ones for a small run, so that
// the parser and the writer work side by side. In two batches of a
// million (2M lines) the writer waited for the first batch and the parser
// for the last: in batches of 230k the 2M lines of make bench took 3.4–3.9
// s against 4.5–4.9. A large run keeps large batches, whose blocks hold
// more events each: 20M lines in batches of 256k made 4.7M blocks where a
// million made 2.7M, and took 27.8 s against 18.6, their scoring 11 s
// against 4.5.
func batchFor(in added) int {
	if !in.known {
		return DefaultBatch
	}
	return int(min(max(in.text/(batchesPerRun*bytesPerEvent), minBatch), DefaultBatch))
}

// readBefore is how much of the file at path, now size bytes, the
// workspace read before: the size it had then, unless it shrank since (a
// rotation or a truncation: read again from its start).
func readBefore(ctx context.Context, d *db.DB, path string, size int64) int64 {
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0
	}
	srcs, err := d.SourcesByPath(ctx, abs)
	if err != nil || len(srcs) == 0 || srcs[0].Size > size {
		return 0
	}
	return srcs[0].Size
}

// ingestFile reads one file: ctx ends the reading, the workspace is
// written with a context of its own (see Run).
func ingestFile(ctx context.Context, d *db.DB, l *db.Loader, w *writer, path string, inDir bool, opt Options) (rep Report) {
	rep.Path = path
	wctx := context.WithoutCancel(ctx)
	var raw io.Reader
	var file *os.File // a regular file: resumable
	var section *io.SectionReader
	var src db.Source
	// A last line without its newline is still being written when the file
	// changed moments ago (a live resolver log): it is left for the next
	// read. An older file, a compressed one or a stream is complete.
	final := true
	if path == "-" {
		raw, rep.Stream = stdin(ctx), true
		src = db.Source{Path: "(stdin)"}
		opt.Progress.Size.Store(0)
	} else {
		abs, err := filepath.Abs(path)
		if err != nil {
			return failed(rep, err)
		}
		st, err := os.Stat(abs)
		if err != nil {
			return failed(rep, err)
		}
		if st.IsDir() {
			return failed(rep, fmt.Errorf("%s is a directory", path))
		}
		src = db.Source{Path: abs}
		if st.Mode().IsRegular() {
			if file, err = os.Open(abs); err != nil {
				return failed(rep, err)
			}
			defer file.Close()
			// The size and time of what is read: the file may grow.
			if st, err = file.Stat(); err != nil {
				return failed(rep, err)
			}
			// Only what the file held when it was opened is read: a log
			// written faster than it is read would keep the read going
			// for ever (Follow reads the rest in its next cycle).
			section = io.NewSectionReader(file, 0, st.Size())
			raw = section
			src.Size, src.Mtime = st.Size(), st.ModTime().UnixMicro()
			final = time.Since(st.ModTime()) > settleTime
		} else {
			// A FIFO, a device: read like standard input.
			f, err := openStream(ctx, abs, st.Mode())
			if err != nil {
				return stopped(ctx, rep, err)
			}
			defer f.Close()
			raw, rep.Stream = newCancelReader(ctx, f), true
		}
		opt.Progress.Size.Store(src.Size)
	}
	opt.Progress.File.Store(path)
	opt.Progress.Bytes.Store(0)
	counted := &countingReader{r: raw, n: &opt.Progress.Bytes}
	br := bufio.NewReaderSize(counted, 1<<20)
	cr, _ := raw.(*cancelReader)
	rawHead := peekHead(br, cr)
	if ctx.Err() != nil && (cr == nil || len(rawHead) == 0) {
		// A file is read on by the next run; a stream's lines come
		// once, and those that came are read (headOnly, below).
		return stopped(ctx, rep, ctx.Err())
	}
	src.Fingerprint = fingerprint(rawHead)

	sb, head := br, rawHead
	gzipped := len(rawHead) >= 2 && rawHead[0] == 0x1f && rawHead[1] == 0x8b
	if gzipped {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return failed(rep, fmt.Errorf("gzip: %w", err))
		}
		zr.Multistream(true)
		sb = bufio.NewReaderSize(zr, 1<<20)
		final = true
		head, _ = sb.Peek(parse.HeadSize)
		if ctx.Err() != nil && len(head) == 0 {
			return stopped(ctx, rep, ctx.Err())
		}
	}
	known := []io.ReaderAt{file}
	fps := []string{src.Fingerprint}
	if gzipped && file != nil {
		// A compressed file is known by what it holds: a log that
		// logrotate renamed and compressed is the log read before, and
		// carries on where that read stopped. (A compressed file read
		// by an older longtail is known by its own bytes: file.)
		src.Fingerprint = fingerprint(head)
		known, fps = append(known, bytes.NewReader(head)), append(fps, src.Fingerprint)
	}

	var from parse.Resume
	if file != nil {
		prior, err := priorRead(wctx, d, src, known, fps, gzipped)
		if err != nil {
			return failed(rep, err)
		}
		if prior != nil && prior.Path != src.Path {
			rep.ReadAs = prior.Path
			_, err := os.Stat(prior.Path)
			rep.copied = err == nil
		}
		switch {
		case prior == nil:
		case opt.Force:
			if err := w.sync(); err != nil {
				return failed(rep, err)
			}
			if err := l.DropSource(wctx, prior.ID); err != nil {
				return failed(rep, err)
			}
		case prior.State == "done" && prior.Size == src.Size && prior.Mtime == src.Mtime:
			rep.Status, rep.Format, rep.source = Unchanged, prior.Format, prior.ID
			return rep
		default:
			src.ID, src.Fingerprint = prior.ID, prior.Fingerprint
			from = parse.Done(parse.Position{Line: prior.Lines, Offset: prior.Offset})
			if prior.Held >= 0 {
				from.Held, from.Warm = prior.Held, parse.Position{Line: prior.WarmLines, Offset: prior.WarmOffset}
			}
			rep.Status = Resumed
		}
	}

	if len(head) == 0 {
		if rep.Status == Resumed {
			rep.Status = Unchanged
			return rep
		}
		return failed(rep, errEmpty)
	}
	if len(head) >= parse.HeadSize && bytes.IndexByte(head, '\n') < 0 {
		// A first line longer than the fingerprint's head (a 70 KB
		// query string) is detected whole; a shorter head, which a
		// quiet stream gives, is not waited on for more.
		if h, _ := parse.PeekHead(sb); len(h) > len(head) {
			head = h
		}
	}
	format, err := parse.Detect(head)
	if err != nil {
		return failed(rep, err)
	}
	if inDir && format.Name == parse.NamesList {
		// A folder of logs beside a blocklist or a popularity list
		// (UT1's domains files, a top-1M list) would store each entry
		// as an undated query: named alone, such a file is read so.
		return failed(rep, errNamesList)
	}
	rep.Format, src.Format = format.Name, format.Name
	if rep.Status == "" {
		rep.Status = Ingested
	}
	if err := w.sync(); err != nil {
		return failed(rep, err)
	}
	src, err = l.StartSource(wctx, src)
	if err != nil {
		return failed(rep, err)
	}
	rep.source = src.ID

	readCtx, headOnly := ctx, cr != nil && ctx.Err() != nil
	if headOnly {
		// Stopped while a stream's head came: its whole lines that came
		// are read, and no more.
		came, _ := sb.Peek(sb.Buffered())
		if i := bytes.LastIndexByte(came, '\n'); i >= 0 {
			came = came[:i+1]
		}
		sb, readCtx = bufio.NewReader(bytes.NewReader(came)), wctx
	}
	base := w.stored()
	out := newSink(l, w, src.ID, opt.BatchSize, opt.FlushEvery, &opt.Progress.Events)
	var end parse.Resume
	if format.Stream != nil {
		end, err = format.Stream(readCtx, sb, from, out)
	} else {
		start := parse.Position{}
		if file != nil && from.Warm.Offset > 0 && !format.Replay && !gzipped {
			// A grown log whose format needs no header: read only the
			// new part (and what rebuilds the queries the last read left
			// waiting) instead of the whole file again.
			if _, err := section.Seek(from.Warm.Offset, io.SeekStart); err != nil {
				return failed(rep, err)
			}
			opt.Progress.Bytes.Store(from.Warm.Offset)
			sb, start = bufio.NewReaderSize(counted, 1<<20), from.Warm
		}
		p := format.Lines()
		if d, ok := p.(parse.Dated); ok {
			if at, last, ok := dateFrom(opt.Year, src.Mtime); ok {
				var tail []byte
				if file != nil && !gzipped {
					tail = logTail(file, src.Size)
				}
				d.DateFrom(at, last, tail)
			}
		}
		var pos parse.Position
		pos, err = parse.ScanLines(readCtx, sb, p, start, from, final, out)
		// A live log's response may be in the next read, and a stopped
		// read is resumed: the next read resumes for the queries still
		// waiting (parse.Waiter). At the end of a finished file, or for a
		// parser that cannot resume for them, they are unanswered.
		end = parse.ResumeAt(p, pos)
		if _, waits := p.(parse.Waiter); !waits || final && err == nil {
			p.Flush(out)
			end = parse.Done(pos)
		}
	}
	werr := commitRest(w, out, end, base, &rep)
	switch {
	case werr != nil:
		return failed(rep, werr)
	case gzipped && errors.Is(err, io.ErrUnexpectedEOF):
		// A copy cut short, or a log still being compressed.
		return failed(rep, fmt.Errorf("cut short: the compressed data ends early (%w)", err))
	case err != nil || headOnly:
		return stopped(ctx, rep, err)
	}
	if format.Stream == nil && !final && (end.Read.Offset < src.Size || end.Held <= end.Read.Line) {
		// A last line left for later, or queries waiting for their
		// response, keep the source unfinished: the next read takes
		// them, even when the file has not changed since.
		rep.Unended = end.Read.Offset < src.Size
		return rep
	}
	if err := l.EndSource(wctx, src.ID); err != nil {
		return failed(rep, err)
	}
	return rep
}

// commitRest commits the rest of what out read, which ended at end, and puts
// in rep what the workspace holds of it: what the report claims is what
// was stored. base is what the run had stored before the source.
func commitRest(w *writer, out *sink, end parse.Resume, base committed, rep *Report) error {
	out.finish(end)
	werr := w.sync()
	stored := w.stored()
	rep.Events, rep.Skipped = stored.events-base.events, stored.skipped-base.skipped
	for _, s := range out.skips {
		if stored.source == out.source && s.Line <= stored.lines {
			rep.Skips = append(rep.Skips, s)
		}
	}
	return werr
}

func failed(rep Report, err error) Report {
	rep.Status, rep.Err = Failed, err
	return rep
}

// stopped reports a read that ended with err: interrupted when ctx was
// cancelled, failed otherwise.
func stopped(ctx context.Context, rep Report, err error) Report {
	if ctx.Err() != nil {
		rep.Status = Interrupted
		return rep
	}
	return failed(rep, err)
}

// headWait is how long a stream may pause before its head is what came.
const headWait = 500 * time.Millisecond

// peekHead peeks the head that detection and the fingerprint read:
// parse.HeadSize bytes, or all there is; of a stream (cr), what came
// before it paused for headWait after a whole line, or before it was
// stopped, so that a quiet pipe's lines are read as they come.
func peekHead(br *bufio.Reader, cr *cancelReader) []byte {
	if cr == nil {
		h, _ := br.Peek(parse.HeadSize)
		return h
	}
	cr.wait = headWait
	defer func() { cr.wait = 0 }()
	for {
		h, err := br.Peek(parse.HeadSize)
		if err != errPaused || bytes.IndexByte(h, '\n') >= 0 {
			return h
		}
	}
}

// fingerprint identifies a file by its first bytes: a log that grew keeps
// it, a rotated one does not. The length is part of it so that a short file
// that grew can still be recognised by its old prefix.
func fingerprint(head []byte) string {
	sum := sha256.Sum256(head)
	return strconv.Itoa(len(head)) + ":" + hex.EncodeToString(sum[:])
}

// priorRead finds an earlier read of the same file: same path and the same
// leading bytes (up to what was there then), or the same content under
// another name. known is what the file begins with: its bytes, and for a
// compressed one (gzipped) its content too; fps their fingerprints.
func priorRead(ctx context.Context, d *db.DB, src db.Source, known []io.ReaderAt, fps []string, gzipped bool) (*db.Source, error) {
	prior, err := d.SourcesByPath(ctx, src.Path)
	if err != nil {
		return nil, err
	}
	for i := range prior {
		p := &prior[i]
		if src.Size < p.Size {
			continue // shrunk: a new file under the old name
		}
		for _, k := range known {
			if same, err := startsAs(k, p.Fingerprint); same || err != nil {
				return p, err
			}
		}
	}
	var same []db.Source
	for _, fp := range fps {
		by, err := d.SourcesByFingerprint(ctx, fp)
		if err != nil {
			return nil, err
		}
		same = append(same, by...)
	}
	for i := range same {
		c := same[i]
		switch {
		case c.Size == 0:
			// Standard input or a FIFO: nothing to carry on from, and
			// a file of the same content is a read of its own.
		case c.Size == src.Size && c.State == "done":
			c.Mtime = src.Mtime // a copy: unchanged whatever its time
			return &c, nil
		case c.Size <= src.Size || gzipped:
			// The same file, grown, under another name: a live log
			// rotated (renamed, perhaps compressed) since it was last
			// read. The read carries on where it stopped, with the
			// queries it left waiting.
			return &c, nil
		}
	}
	return nil, nil
}

// startsAs reports whether f begins with the bytes a source's fingerprint
// was taken of (as many as the source had then).
func startsAs(f io.ReaderAt, fp string) (bool, error) {
	n, _, ok := strings.Cut(fp, ":")
	if !ok {
		return false, nil
	}
	length, _ := strconv.Atoi(n)
	buf := make([]byte, length)
	if _, err := f.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return fingerprint(buf) == fp, nil
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// sink turns parsed records into stored events and cuts them into batches.
type sink struct {
	l       *db.Loader
	w       *writer
	source  uint32
	size    int
	batch   *db.Batch
	norm    []byte
	detail  []byte
	client  []byte                           // a record's client as its kind compares it (multiKind.client)
	ids     []uint32                         // a record's subject values (subjectIDs)
	multi   [record.KindLogon + 1]*multiKind // by kind; nil for DNS
	events  int64
	skipped int64
	batchSk int64
	skips   []Skip
	counter *atomic.Int64
	// every is Options.FlushEvery; due is when the open batch is that old.
	every time.Duration
	due   time.Time
}

// multiKind is how the events of a kind with several subjects (HTTP,
// logons) are stored: once per subject the event has, every copy pointing
// to one detail text, with the kind's numbers in the event's fields.
type multiKind struct {
	subjects []subject.Subject
	detail   func(dst []byte, r *record.Record) ([]byte, bool)
	numbers  func(ev *db.Event, r *record.Record)
	// memo is the subject values of records seen before (memo.go), made
	// for a kind whose records repeat: logons, not HTTP requests, whose
	// detail holds the path and query (276k details in 5M generated
	// requests), where the memo costs more than it saves.
	memo    *memo
	repeats bool
	// client, when set, appends a record's client as the kind compares
	// it: the sources of logons in lower case (subject.AppendLogonClient).
	client func(dst, client []byte) []byte
}

// multiKinds are the kinds stored through multiKind. DNS is not: a query
// has one subject, and its path is the fastest.
var multiKinds = map[record.Kind]multiKind{
	record.KindHTTP: {detail: subject.AppendHTTPDetail, numbers: func(ev *db.Event, r *record.Record) {
		ev.RCode, ev.TTL = r.Status, int32(min(r.Bytes, math.MaxInt32))
	}},
	record.KindLogon: {detail: subject.AppendLogonDetail, numbers: func(ev *db.Event, r *record.Record) {
		ev.QType = r.EventID
	}, repeats: true, client: subject.AppendLogonClient},
}

func newSink(l *db.Loader, w *writer, source uint32, size int, every time.Duration, counter *atomic.Int64) *sink {
	s := &sink{l: l, w: w, source: source, size: size, every: every, counter: counter}
	for k, m := range multiKinds {
		// The primary subject first: it is the record's event, and the
		// others copies of it (db.Copy), so a subject's values are all
		// one or the other, in the order they came.
		m.subjects = slices.Clone(subject.Of(k))
		slices.SortStableFunc(m.subjects, func(a, b subject.Subject) int {
			return cmp.Compare(btoi(b.Primary), btoi(a.Primary))
		})
		if m.repeats {
			m.memo = &memo{}
		}
		s.multi[k] = &m
	}
	s.batch = s.newBatch()
	return s
}

func (s *sink) newBatch() *db.Batch {
	if s.every > 0 {
		s.due = time.Now().Add(s.every)
	}
	bufs := s.w.buffer(s.size)
	return &db.Batch{Source: s.source, Events: bufs.events, Also: bufs.also}
}

func (s *sink) Record(r *record.Record) {
	if int(r.Kind) < len(s.multi) && s.multi[r.Kind] != nil {
		s.multiple(s.multi[r.Kind], r)
		return
	}
	var ok bool
	s.norm, ok = names.AppendNormalized(s.norm[:0], r.Name)
	if !ok {
		if len(r.Name) == 0 {
			s.Skip(r.Line, r.Offset, "empty query name")
			return
		}
		s.norm = append(s.norm[:0], '.') // the root: priming and NS . queries
	}
	in := s.l.Interner
	s.batch.Events = append(s.batch.Events, db.Event{
		Time:   r.Time,
		Name:   in.Name(uint8(subject.DNSName), s.norm, names.RegisteredDomain),
		Client: in.Client(r.Client),
		Answer: in.Answer(r.Answers),
		Source: s.source,
		QType:  r.QType,
		RCode:  r.RCode,
		TTL:    r.TTL,
		Line:   r.Line,
		Offset: r.Offset,
	})
	s.counted()
}

// counted counts a record stored, and shows the run's progress every 1024.
func (s *sink) counted() {
	s.events++
	s.batch.Records++
	if s.events&0x3ff == 0 {
		s.counter.Add(0x400)
	}
}

// btoi is 1 for true.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// multiple stores an event of a kind with several subjects once under each
// subject it has (see engine/subject): as an event under the first (the
// primary, which every record has), as a copy under the others, every one
// pointing to the one detail text.
func (s *sink) multiple(m *multiKind, r *record.Record) {
	if m.client != nil && len(r.Client) > 0 {
		// The parser's record is lent: its own client goes back after.
		raw := r.Client
		s.client = m.client(s.client[:0], raw)
		r.Client = s.client
		defer func() { r.Client = raw }()
	}
	in := s.l.Interner
	var exact bool
	s.detail, exact = m.detail(s.detail[:0], r)
	ev := db.Event{
		Time:   r.Time,
		Client: in.Client(r.Client),
		Answer: in.Answer(s.detail),
		Source: s.source,
		Line:   r.Line,
		Offset: r.Offset,
	}
	m.numbers(&ev, r)
	// A detail that does not hold the fields exactly is not a key: the
	// record is not like the one whose exact text it matches.
	var ids []uint32
	key := memoKey{answer: ev.Answer, client: ev.Client, eventID: r.EventID, status: r.Status}
	ok := false
	if m.memo != nil && exact {
		ids, ok = m.memo.get(key)
	}
	if !ok {
		ids = s.subjectIDs(m, r)
		if m.memo != nil && exact {
			m.memo.put(key, ids)
		}
	}
	if len(ids) > 0 {
		b, at := s.batch, int32(len(s.batch.Events))
		ev.Name = ids[0]
		b.Events = append(b.Events, ev)
		for _, name := range ids[1:] {
			b.Also = append(b.Also, db.Copy{Event: at, Name: name})
		}
	}
	s.counted()
}

// subjectIDs interns the values of the subjects r has, in m's order.
func (s *sink) subjectIDs(m *multiKind, r *record.Record) []uint32 {
	s.ids = s.ids[:0]
	for i := range m.subjects {
		sub := &m.subjects[i]
		var ok bool
		if s.norm, ok = sub.Append(s.norm[:0], r); ok {
			s.ids = append(s.ids, s.l.Interner.Name(uint8(sub.Code), s.norm, sub.RollUp))
		}
	}
	return s.ids
}

func (s *sink) Skip(line, offset int64, reason string) {
	s.skipped++
	s.batchSk++
	if len(s.skips) < MaxSkipsShown {
		s.skips = append(s.skips, Skip{line, offset, reason})
	}
}

// Checkpoint commits the batch once it is full (or, with FlushEvery, old),
// at a line (or packet) boundary, with how a later read resumes from there.
func (s *sink) Checkpoint(resume func() parse.Resume) {
	if s.batch.Len() >= s.size || s.every > 0 && s.batch.Len() > 0 && time.Now().After(s.due) {
		s.send(resume())
	}
}

func (s *sink) send(at parse.Resume) {
	b := s.batch
	b.Lines, b.Offset, b.Skipped = at.Read.Line, at.Read.Offset, s.batchSk
	b.Held, b.WarmLines, b.WarmOffset = -1, at.Read.Line, at.Read.Offset
	if at.Held <= at.Read.Line {
		b.Held, b.WarmLines, b.WarmOffset = at.Held, at.Warm.Line, at.Warm.Offset
	}
	s.l.Interner.Flush(b)
	s.w.put(b)
	s.batch, s.batchSk = s.newBatch(), 0
}

// finish commits what is left.
func (s *sink) finish(at parse.Resume) {
	s.send(at)
	s.counter.Add(s.events & 0x3ff)
}

// writer owns the loader's Write side: a goroutine that commits batches
// while the parser fills the next one.
type writer struct {
	ctx  context.Context
	l    *db.Loader
	in   chan *db.Batch
	free chan buffers // written batches' buffers, for the next ones
	done chan struct{}
	idle chan error
	err  atomic.Value
	// committed is what the workspace holds of the run, read after a sync.
	committed committed
}

// committed counts the events and skips of the committed batches, and
// where the last one left its source.
type committed struct {
	events, skipped int64
	source          uint32
	lines           int64
}

// startWriter starts the writer, with room for slack batches between the
// parser and it. A file's are handed over unbuffered: the parser fills one
// while the writer writes the other, and a third waiting between them
// (48 MB at DefaultBatch) would only smooth out a slow commit, the writer
// being the slower side or idle. A capture keeps one of slack: a reader
// that waits on a slow commit (the Keeper's scores being stored) is a
// kernel dropping packets.
func startWriter(ctx context.Context, l *db.Loader, slack int) *writer {
	w := &writer{ctx: ctx, l: l, in: make(chan *db.Batch, slack), free: make(chan buffers, 2), done: make(chan struct{}), idle: make(chan error)}
	go func() {
		defer close(w.done)
		for b := range w.in {
			if b == nil { // a sync request
				w.idle <- w.loadErr()
				continue
			}
			if w.loadErr() != nil {
				continue // drain: the run is failing
			}
			if err := l.Write(ctx, b); err != nil {
				w.err.Store(err)
			} else {
				c := &w.committed
				c.events += b.Records
				c.skipped += b.Skipped
				c.source, c.lines = b.Source, b.Lines
			}
			select {
			case w.free <- buffers{b.Events[:0], b.Also[:0]}:
			default:
			}
		}
	}()
	return w
}

// buffers are a batch's slices, kept for the next batch once it is
// written.
type buffers struct {
	events []db.Event
	also   []db.Copy
}

// buffer returns empty batch buffers, reusing a written batch's: a batch
// is tens of megabytes, and allocating one per batch keeps the collector busy.
func (w *writer) buffer(size int) buffers {
	select {
	case b := <-w.free:
		return b
	default:
		// (Pages of either are only touched as they fill.)
		return buffers{events: make([]db.Event, 0, size+batchSlack), also: make([]db.Copy, 0, size+batchSlack)}
	}
}

// batchSlack is room past a batch's size: a batch is sent at the first
// checkpoint after it is full, and parsers checkpoint every 1024 lines,
// each of which may store a dozen events (one per subject of a request or
// logon). Without it, the overshoot copies the whole batch into a new one
// twice its size.
const batchSlack = 1024 * 16

func (w *writer) loadErr() error {
	if e, ok := w.err.Load().(error); ok {
		return e
	}
	return nil
}

func (w *writer) failed() bool { return w.loadErr() != nil }

func (w *writer) put(b *db.Batch) {
	if len(b.Events) == 0 && b.Lines == 0 {
		return
	}
	w.in <- b
}

// sync waits until every batch sent so far is committed.
func (w *writer) sync() error {
	w.in <- nil
	return <-w.idle
}

// stored is what was committed up to the last sync: the sync's channel
// hand-over orders the writer's updates before this read.
func (w *writer) stored() committed { return w.committed }

// release drops the buffers kept for reuse.
func (w *writer) release() {
	for {
		select {
		case <-w.free:
		default:
			return
		}
	}
}

func (w *writer) close() error {
	close(w.in)
	<-w.done
	return w.loadErr()
}

// Describe formats a report line for people.
func (r Report) Describe() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s: ", r.Path)
	switch {
	case r.Status == PassedOver:
		b.WriteString("passed over: " + r.Reason)
	case r.Err != nil:
		fmt.Fprintf(&b, "failed: %v", r.Err)
		if r.Events > 0 {
			fmt.Fprintf(&b, " (%d events stored before it)", r.Events)
		}
	case r.Status == Interrupted && r.Format == "":
		b.WriteString("interrupted before any data came")
	case r.Status == Interrupted:
		fmt.Fprintf(&b, "interrupted, %s stored", words.Count(r.Events, "event"))
		if r.Skipped > 0 {
			fmt.Fprintf(&b, ", %d skipped", r.Skipped)
		}
		if !r.Stream {
			b.WriteString("; ingest it again to carry on")
		}
	case r.Status == Resumed && r.ReadAs != "" && r.Events == 0 && r.Skipped == 0:
		fmt.Fprintf(&b, "read before as %s (%s), nothing added", r.ReadAs, r.Format)
	case r.Status == Resumed && r.ReadAs != "":
		fmt.Fprintf(&b, "read before as %s: resumed %s, %s more", r.ReadAs, r.Format, words.Count(r.Events, "event"))
		if r.Skipped > 0 {
			fmt.Fprintf(&b, ", %d skipped", r.Skipped)
		}
	case r.Status == Unchanged && r.ReadAs != "" && r.copied:
		fmt.Fprintf(&b, "read before as %s (%s), nothing added; --force reads it again in its place", r.ReadAs, r.Format)
	case r.Status == Unchanged && r.ReadAs != "":
		fmt.Fprintf(&b, "read before as %s (%s), nothing added", r.ReadAs, r.Format)
	case r.Status == Unchanged:
		fmt.Fprintf(&b, "unchanged since last read (%s), nothing added", r.Format)
	case r.Events == 0 && r.Status == Ingested:
		fmt.Fprintf(&b, "%s with no %s in it", r.Format, eventWord(r.Format))
		if r.Skipped > 0 {
			fmt.Fprintf(&b, ", %d skipped", r.Skipped)
		}
	default:
		fmt.Fprintf(&b, "%s %s, %s", r.Status, r.Format, words.Count(r.Events, "event"))
		if r.Skipped > 0 {
			fmt.Fprintf(&b, ", %d skipped", r.Skipped)
		}
	}
	return b.String()
}

// eventWord names what a format's events are, for a report.
func eventWord(format string) string {
	f, _ := parse.ByName(format)
	var words []string
	for _, k := range f.EventKinds() {
		words = append(words, map[record.Kind]string{record.KindDNS: "DNS queries", record.KindHTTP: "HTTP requests", record.KindLogon: "logons"}[k])
	}
	return strings.Join(words, " or ")
}

// logTail is the end of a file, up to 64 KiB of it: a log without years
// in its stamps is dated from its last line (parse.Dated).
func logTail(f *os.File, size int64) []byte {
	n := min(size, 64<<10)
	tail := make([]byte, n)
	if _, err := f.ReadAt(tail, size-n); err != nil && !errors.Is(err, io.EOF) {
		return nil
	}
	return tail
}

// dateFrom is the time a log without years in its stamps is dated from:
// the end of the year given (its first line's), else the file's
// modification time, which its last line does not pass either (a log
// that runs past New Year gets the year before for its first months, where
// the present would have put its last ones in the future); ok false for
// neither (standard input: the present).
func dateFrom(year int, mtime int64) (at time.Time, last, ok bool) {
	switch {
	case year > 0:
		return time.Date(year, 12, 31, 23, 59, 59, 0, time.UTC), false, true
	case mtime > 0:
		return time.UnixMicro(mtime), true, true
	}
	return time.Time{}, false, false
}
