package parse

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/longtail/longtail/engine/record"
)

// MaxLine is the longest line, its terminator included, handed to a parser;
// a longer line is skipped and counted (at the byte where it starts), so
// that binary junk without newlines cannot exhaust memory.
const MaxLine = 1 << 20

// ScanLines feeds the lines of r to p. r is positioned at start (the
// beginning of the stream, or from.Warm, which the caller sought to when
// the format needs no replay). Lines up to from.Warm are replayed (see
// LineParser.Line); those up to from.Read are parsed again for the
// queries they leave waiting, their records dropped (see Waiter). It
// returns the position after the last complete line: a final line without
// a terminator is not consumed, because a live log may still be writing
// it; at EOF of a finished file the caller passes final=true so that it is
// parsed too.
func ScanLines(ctx context.Context, r io.Reader, p LineParser, start Position, from Resume, final bool, out record.Output) (Position, error) {
	br := bufio.NewReaderSize(r, MaxLine)
	pos := start
	if w, ok := p.(Waiter); ok && from.Read.Line > 0 {
		w.Hold(from.Held)
	}
	cp, _ := out.(Checkpointer)
	// pos is always where a line starts: a line longer than the reader's
	// buffer comes in pieces, counted in partial until its end.
	var partial int64
	for {
		if partial == 0 && pos.Line&0x3ff == 0 {
			if ctx.Err() != nil {
				return pos, ctx.Err()
			}
			if cp != nil && pos.Line > from.Read.Line {
				at := pos
				cp.Checkpoint(func() Resume { return ResumeAt(p, at) })
			}
		}
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// The buffer holds MaxLine bytes or more: this line is too
			// long, and its pieces are not kept.
			partial += int64(len(chunk))
			if ctx.Err() != nil {
				return pos, ctx.Err()
			}
			continue
		}
		if err != nil && err != io.EOF {
			return pos, err
		}
		if len(chunk) == 0 && err == io.EOF && partial == 0 {
			return pos, nil
		}
		complete := err == nil
		if !complete && !final {
			// A partial last line of a growing log: leave it for next time.
			return pos, nil
		}
		start := pos.Offset
		tooLong := partial > 0 || len(chunk) > MaxLine
		pos.Offset += partial + int64(len(chunk))
		pos.Line++
		partial = 0
		replay := pos.Line <= from.Warm.Line
		switch {
		case tooLong:
			if pos.Line > from.Read.Line {
				out.Skip(pos.Line, start, "line longer than 1 MiB")
			}
		case !replay && pos.Line <= from.Read.Line:
			p.Line(firstLine(trimEOL(chunk), pos.Line), pos.Line, start, false, discard{})
		default:
			p.Line(firstLine(trimEOL(chunk), pos.Line), pos.Line, start, replay, out)
		}
		if !complete {
			return pos, nil
		}
	}
}

// trimEOL drops a line's trailing CR and LF bytes. bytes.TrimRight with a
// cutset was 5% of a CSV ingest's parsing.
func trimEOL(line []byte) []byte {
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	return line
}

// bom is the byte order mark some Windows tools (Notepad, PowerShell's
// Out-File, Excel's CSV) put at the start of a UTF-8 file.
var bom = []byte("\xef\xbb\xbf")

// firstLine is line without a byte order mark when it is the file's
// first (no): no parser need know of one.
func firstLine(line []byte, no int64) []byte {
	if no == 1 {
		return bytes.TrimPrefix(line, bom)
	}
	return line
}
