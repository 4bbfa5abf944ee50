package parse

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/longtail/longtail/engine/record"
)

// MaxLine is the longest line handed to a parser; a longer line is skipped
// and counted, so that binary junk without newlines cannot exhaust memory.
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
	br := bufio.NewReaderSize(r, 1<<20)
	pos := start
	if w, ok := p.(Waiter); ok && from.Read.Line > 0 {
		w.Hold(from.Held)
	}
	cp, _ := out.(Checkpointer)
	var long []byte // a line longer than the buffer, assembled
	tooLong := false
	for {
		if pos.Line&0x3ff == 0 {
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
			if !tooLong {
				if len(long)+len(chunk) > MaxLine {
					tooLong, long = true, long[:0]
				} else {
					long = append(long, chunk...)
				}
			}
			pos.Offset += int64(len(chunk))
			continue
		}
		if err != nil && err != io.EOF {
			return pos, err
		}
		if len(chunk) == 0 && err == io.EOF {
			return pos, nil
		}
		complete := err == nil
		if !complete && !final {
			// A partial last line of a growing log: leave it for next time.
			return pos, nil
		}
		line := chunk
		if len(long) > 0 || tooLong {
			long = append(long, chunk...)
			line = long
		}
		start := pos.Offset - int64(len(line)-len(chunk))
		pos.Offset += int64(len(chunk))
		pos.Line++
		replay := pos.Line <= from.Warm.Line
		switch {
		case tooLong:
			if pos.Line > from.Read.Line {
				out.Skip(pos.Line, start, "line longer than 1 MiB")
			}
		case !replay && pos.Line <= from.Read.Line:
			p.Line(trimEOL(line), pos.Line, start, false, discard{})
		default:
			p.Line(trimEOL(line), pos.Line, start, replay, out)
		}
		long, tooLong = long[:0], false
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
