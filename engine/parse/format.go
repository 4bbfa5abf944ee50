// Package parse knows the source formats longtail reads: it recognises a
// format from the first bytes of a stream (never from the file name) and
// turns the stream into records. Each format lives in its own file; all of
// them register in formats.go.
package parse

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/longtail/longtail/engine/record"
)

// HeadSize is how many leading bytes detection looks at, more only when
// the first line is longer (PeekHead). The ingest fingerprints a file by
// as many bytes: a change would make a log renamed or rotated since its
// last read new to it.
const HeadSize = 64 << 10

// Every format that pairs queries with responses (pcap, tcpdump-text,
// dnsmasq) lets a query wait pairWindow (source time) for its response, and
// at most maxPending queries wait, so that memory stays bounded on long logs.
const (
	pairWindow = 30 * 1_000_000 // microseconds
	maxPending = 100_000
)

// Position is where a decode starts in a stream: how much of it was already
// ingested. A zero Position decodes everything.
type Position struct {
	Line   int64 // lines (text) or packets (captures) already consumed
	Offset int64 // bytes already consumed (of the decompressed stream)
}

// Format is one source format.
type Format struct {
	// Name is the short name users see ("zeek-tsv", "pcap", "umbrella-csv").
	Name string
	// Kind is what its records are: record.KindDNS when zero. Kinds, when
	// set, lists them for a format that gives several (a capture).
	Kind  record.Kind
	Kinds []record.Kind
	// Detect reports whether head (the first HeadSize bytes, or the whole
	// stream when shorter, or more when the first line is longer: see
	// PeekHead) is in this format. It must be cheap and must not
	// accept text that another format owns: it is tried in registry order.
	Detect func(head []byte) bool
	// Explain, when set (a format file's format), says why Detect takes
	// head or not, in words: Detect's error names why it did not.
	Explain func(head []byte) (bool, string)
	// Lines creates a parser for a line-oriented text format. Nil for
	// binary formats, which set Stream instead.
	Lines func() LineParser
	// Replay is true for a text format whose parser needs the lines before
	// a resume point (a header that declares the fields). Without it a
	// resumed ingest seeks straight to where it stopped.
	Replay bool
	// Stream decodes a binary stream (captures) from r, emitting nothing
	// for the first from.Read.Line packets but the queries from packet
	// from.Held on that get their response later, until EOF or ctx is
	// done. It returns how a later read resumes (packets and bytes
	// consumed, the queries still waiting when ctx stopped it) and an
	// error only when the stream as a whole cannot be read or ctx is done
	// (not for bad packets, which go to out.Skip).
	Stream func(ctx context.Context, r io.Reader, from Resume, out record.Output) (Resume, error)
	// Record, for a Stream format, names what its positions count:
	// "packet" when empty (captures), "record" for an event log.
	Record string
}

// Unit names what a position in the format counts, for people: "line",
// "packet" or "record".
func (f Format) Unit() string {
	switch {
	case f.Stream == nil:
		return "line"
	case f.Record != "":
		return f.Record
	}
	return "packet"
}

// EventKinds lists the kinds of the format's records.
func (f Format) EventKinds() []record.Kind {
	switch {
	case len(f.Kinds) > 0:
		return f.Kinds
	case f.Kind == 0:
		return []record.Kind{record.KindDNS}
	}
	return []record.Kind{f.Kind}
}

// LineParser turns the lines of one text format into records.
type LineParser interface {
	// Line handles one line (without its line terminator). no is its
	// 1-based line number and off its byte offset. A parser reports a
	// broken line through out.Skip and carries on; it never panics.
	//
	// When replay is true the line was ingested before (a resumed, grown
	// log): the parser must only update state it needs for later lines
	// (Zeek's #fields header, a year inferred from a header) and emit
	// nothing.
	Line(line []byte, no, off int64, replay bool, out record.Output)
	// Flush emits whatever the parser still holds (queries waiting for a
	// response that never came) at the end of the stream.
	Flush(out record.Output)
}

// A Waiter is a LineParser that holds queries until their response comes
// (or their time is up). A read that stops while queries wait (a batch
// committed mid-file, the end of a live log's read) is resumed so that
// each is neither lost nor counted twice when its response comes after the
// stop: the next read parses the stream again from where the parser must
// start to rebuild them (Resume.Warm), drops what those lines gave the
// first time, and emits no query from a line before Resume.Held.
// Dated is a parser of a log whose time stamps have no year (syslog's
// "Mar 27 13:06:56"). By default a stamp takes the year that puts the
// first line no later than now, and later lines follow it through each
// new year, none after now; an ingest that knows better (the file's
// modification time, which its last line does not pass, or the year a
// user gives, which dates the first line only) says so.
type Dated interface {
	// DateFrom makes the first line's year the one that puts it no later
	// than t; last says no line is later than t either. tail, when known,
	// is the end of the log: its last stamped line is then the one put no
	// later than t, and the first line's year follows from it.
	DateFrom(t time.Time, last bool, tail []byte)
}

type Waiter interface {
	// Waiting returns the line of the oldest query that the parser holds
	// and has not emitted, and the position from which a later read
	// rebuilds it as this read saw it: before its line, or before earlier
	// lines whose queries may take its answers. ok is false when none.
	Waiting() (held int64, warm Position, ok bool)
	// Hold tells a resumed parser that the queries on lines before held
	// were emitted by an earlier read: rebuilt, they may still take
	// answers, but they are not emitted again.
	Hold(held int64)
}

// heldBack is embedded by the parsers that are Waiters: it keeps what Hold
// says.
type heldBack struct{ held int64 }

func (h *heldBack) Hold(held int64) { h.held = held }

// emitted says whether the query on line no was emitted by an earlier read.
func (h *heldBack) emitted(no int64) bool { return no < h.held }

// Resume is where an earlier read of a stream stopped.
type Resume struct {
	Read Position // how far it consumed the stream; those lines gave their records
	Held int64    // lines before this one gave every record they will give
	Warm Position // where parsing starts again to rebuild what its parser held
}

// Done is the Resume of a read that consumed the stream up to pos and
// holds nothing.
func Done(pos Position) Resume {
	return Resume{Read: pos, Held: pos.Line + 1, Warm: pos}
}

// ResumeAt is how a read that consumed the stream up to pos, with p in
// its state at that point, is resumed.
func ResumeAt(p LineParser, pos Position) Resume {
	if w, ok := p.(Waiter); ok {
		if held, warm, ok := w.Waiting(); ok && warm.Line < pos.Line {
			return Resume{Read: pos, Held: held, Warm: warm}
		}
	}
	return Done(pos)
}

// Checkpointer is implemented by an Output that commits in batches.
// ScanLines and the capture reader offer it a checkpoint between lines or
// packets, so that a batch ends where a resumed read can start; resume
// (how the stream was consumed so far and what the parser holds) is called
// only when a batch does end there.
type Checkpointer interface {
	Checkpoint(resume func() Resume)
}

// discard is the Output of replayed lines: what they gave was kept by an
// earlier read.
type discard struct{}

func (discard) Record(*record.Record)     {}
func (discard) Skip(int64, int64, string) {}

// Head reads r as a check before an ingest does: through gzip when its
// first bytes say so. It returns the (decompressed) stream, positioned at
// its start, and its head as PeekHead gives it (none: an empty file).
func Head(r io.Reader) (*bufio.Reader, []byte, error) {
	br := bufio.NewReaderSize(r, HeadSize)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, HeadSize)
	}
	if head, _ := br.Peek(HeadSize); firstLineCut(head) {
		// Only a stream whose first line is that long gets a buffer that
		// holds the longest line: a small file keeps a small one.
		br = bufio.NewReaderSize(br, MaxLine)
	}
	head, err := PeekHead(br)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, err
	}
	return br, head, nil
}

// PeekHead peeks the head Detect reads from br: its first HeadSize bytes,
// or, when they end inside the first line (a query string or user agent
// of 70 KB), up to that line's end, as far as br's buffer and MaxLine go,
// since every format detects on whole lines and a line is read up to
// MaxLine. It reads no more than the line needs: a pipe is not waited on
// for bytes past it.
func PeekHead(br *bufio.Reader) ([]byte, error) {
	head, err := br.Peek(HeadSize)
	if !firstLineCut(head) {
		return head, err
	}
	limit := min(br.Size(), MaxLine)
	for seen := 0; err == nil && len(head) < limit && bytes.IndexByte(head[seen:], '\n') < 0; {
		seen = len(head)
		// One byte more than br holds makes it read once, what comes.
		if _, err = br.Peek(len(head) + 1); err == nil || errors.Is(err, io.EOF) {
			head, _ = br.Peek(br.Buffered())
		}
	}
	return head, err
}

// firstLineCut says whether a head of at least HeadSize bytes holds no
// line end: its first line goes on past it.
func firstLineCut(head []byte) bool {
	return len(head) >= HeadSize && bytes.IndexByte(head, '\n') < 0
}
