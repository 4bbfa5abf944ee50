// Package lists reads and writes lists of names: allowlists and blocklists
// from other tools (plain, hosts, Adblock-style), popularity lists
// (rank,domain), and every format longtail exports (plain, hosts, adblock,
// zeek-intel, suricata-dataset, rpz, csv, json; suricata-rules is written
// only). Writing validates every name for its format (Write).
//
// Reading detects the format from the content, never from the file name, and
// streams: a million-line list goes through a callback without being held in
// memory (Stream), or is collected when the caller wants it all (Read). A bad
// line is reported with its line number and reading carries on; only a
// stream with nothing usable in it is an error.
package lists

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/textsafe"
)

// Format names a list format. The same names are used for export.
type Format string

// The formats Read detects and Write produces (Ranked is read-only,
// SuricataRules write-only).
const (
	Plain           Format = "plain"
	Hosts           Format = "hosts"
	Adblock         Format = "adblock"
	Ranked          Format = "rank"
	ZeekIntel       Format = "zeek-intel"
	SuricataDataset Format = "suricata-dataset"
	SuricataRules   Format = "suricata-rules"
	RPZ             Format = "rpz"
	CSV             Format = "csv"
	JSON            Format = "json"
)

// Entry is one name taken from a list.
type Entry struct {
	Name    string // normalised (rules.ParsePattern)
	Scope   rules.Scope
	Verdict rules.Verdict // None when the format does not say
	Rank    int           // popularity rank, 0 unless a rank list
	Note    string
	Rule    *rules.Rule // the full rule, for longtail's own csv and json
}

// Skip is a line that gave nothing usable, or only part of what it held.
type Skip struct {
	Line   int
	Reason string
	Text   string // the line, cut to maxSkipText bytes
}

// Info describes a list that was read.
type Info struct {
	Format  Format
	Lines   int // lines read (CSV: records; a JSON array: elements)
	Entries int // entries produced
	// Skipped holds the first MaxSkips skipped lines; SkippedTotal counts
	// them all, so a garbage file cannot fill memory with reasons.
	Skipped      []Skip
	SkippedTotal int
}

// List is a list read whole.
type List struct {
	Info
	Entries []Entry
}

// MaxSkips bounds Info.Skipped.
const MaxSkips = 1000

const (
	headSize    = 64 << 10 // bytes detection looks at
	headLines   = 1000     // lines detection looks at
	maxSkipText = 200
)

// ErrNotNames is wrapped by the error Stream returns for a plain list most
// of whose lines are not names (notes, a README).
var ErrNotNames = errors.New("it does not look like a list of names, and nothing was imported")

// ErrNothingUsable is wrapped by the error Read and Stream return for a
// stream without a single usable entry.
var ErrNothingUsable = errors.New("no usable names")

// Read reads a whole list; see Stream.
func Read(r io.Reader) (List, error) {
	var l List
	info, err := Stream(r, func(e Entry) error {
		l.Entries = append(l.Entries, e)
		return nil
	})
	l.Info = info
	return l, err
}

// Stream detects the format of r and calls fn for each entry in order. An
// error from fn stops the stream and is returned. The error is
// ErrNothingUsable (wrapped, naming the formats tried) when the stream holds
// no entry and either no format signature or broken lines; a list longtail
// exported with zero rules reads back as an empty list without error.
func Stream(r io.Reader, fn func(Entry) error) (Info, error) {
	br := bufio.NewReaderSize(r, headSize)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	head, err := br.Peek(headSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return Info{}, err
	}
	f, signed := detect(splitHead(head, err == nil))
	if f == nil {
		return Info{}, nothingUsable()
	}
	s := &sink{info: Info{Format: f.name}, fn: fn}
	if f.stream != nil {
		err = f.stream(br, s)
	} else {
		err = readLines(br, f.lines(), s)
	}
	if err == nil && s.info.Entries == 0 && (!signed || s.info.SkippedTotal > 0) {
		err = nothingUsable()
	}
	if err == nil {
		err = s.info.notNames()
	}
	return s.info, err
}

// notNames refuses a plain list most of whose lines are not names: notes
// or a README given by mistake, whose one-word lines ("foo.com" among nine
// sentences) would become rules. Most is most, from two such lines: a
// list of names with a typo is taken, its typo reported. (Other formats
// have their own syntax; an adblock list skips its page rules by design.)
func (i Info) notNames() error {
	if i.Format != Plain || i.SkippedTotal < 2 || i.SkippedTotal <= i.Entries {
		return nil
	}
	why := ""
	if len(i.Skipped) > 0 {
		why = fmt.Sprintf(" (line %d: %s)", i.Skipped[0].Line, i.Skipped[0].Reason)
	}
	return fmt.Errorf("%d of its %d lines are not names%s: %w", i.SkippedTotal, i.Lines, why, ErrNotNames)
}

func nothingUsable() error {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f.name)
	}
	return fmt.Errorf("%w: not a list in any format longtail reads (tried %s)", ErrNothingUsable, strings.Join(names, ", "))
}

// sink collects what a format reader finds.
type sink struct {
	info Info
	fn   func(Entry) error
	err  error // first error from fn; stops the stream
}

func (s *sink) add(e Entry) {
	if s.err != nil {
		return
	}
	if e.Rule == nil {
		// A list's comment is text from the data: kept as the exports
		// write a note (textsafe.Text), so one read back is the same.
		e.Note = textsafe.Text(e.Note)
	}
	s.info.Entries++
	s.err = s.fn(e)
}

func (s *sink) skip(line int, reason, text string) {
	s.info.SkippedTotal++
	if len(s.info.Skipped) < MaxSkips {
		if len(text) > maxSkipText {
			text = text[:maxSkipText]
		}
		s.info.Skipped = append(s.info.Skipped, Skip{Line: line, Reason: reason, Text: text})
	}
}

// lineParser reads one line-oriented format.
type lineParser interface {
	// line parses one line (without its terminator) and adds its entries.
	// It returns why the line, or part of it, was unusable; "" when it was
	// used or deliberately ignored (a comment, a header).
	line(s string, add func(Entry)) (reason string)
	// flush adds whatever the parser held back for a following line.
	flush(add func(Entry))
}

// format is one readable format. Exactly one of lines and stream is set.
type format struct {
	name Format
	// signed reports whether the head carries this format's unmistakable
	// signature (a header line). Nil for formats recognised by content.
	signed func(head []string) bool
	lines  func() lineParser
	stream func(br *bufio.Reader, s *sink) error
}

// formats in detection order: signatures are tried first in this order,
// then the content-scored formats, where an earlier format wins a tie
// (suricata-dataset before plain: a base64 line that decodes to a name is
// stronger evidence than a dot-less single label).
var formats = []*format{
	{name: CSV, signed: csvSigned, stream: readCSV},
	{name: JSON, signed: jsonSigned, stream: readJSON},
	{name: ZeekIntel, signed: zeekSigned, lines: newZeekParser},
	{name: RPZ, signed: rpzSigned, lines: newRPZParser},
	{name: Adblock, signed: adblockSigned, lines: newAdblockParser},
	{name: Hosts, lines: newHostsParser},
	{name: Ranked, lines: newRankParser},
	{name: SuricataDataset, lines: newSuricataParser},
	{name: Plain, lines: newPlainParser},
}

// detect picks the format of a stream from its first lines; signed tells
// whether it was picked by signature.
func detect(head []string) (f *format, signed bool) {
	for _, f := range formats {
		if f.signed != nil && f.signed(head) {
			return f, true
		}
	}
	best, bestScore := (*format)(nil), 0
	for _, f := range formats {
		if f.lines == nil {
			continue
		}
		score := 0
		p := f.lines()
		for _, l := range head {
			n := 0
			p.line(l, func(Entry) { n++ })
			if n > 0 {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = f, score
		}
	}
	return best, false
}

// splitHead cuts the detection sample into lines. When the sample was cut
// short of the stream's end, its last line may be partial and is dropped.
func splitHead(head []byte, truncated bool) []string {
	var out []string
	for len(head) > 0 && len(out) < headLines {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			if !truncated || len(out) == 0 {
				out = append(out, string(trimEOL(head)))
			}
			break
		}
		out = append(out, string(trimEOL(head[:i+1])))
		head = head[i+1:]
	}
	return out
}

// readLines drives a line parser over the whole stream. A line longer than
// the buffer is skipped rather than held: no list has a legitimate one.
func readLines(br *bufio.Reader, p lineParser, s *sink) error {
	add := s.add // one method value, not one per line
	for s.err == nil {
		b, err := br.ReadSlice('\n')
		if len(b) > 0 {
			s.info.Lines++
			if err == bufio.ErrBufferFull {
				s.skip(s.info.Lines, "line longer than 64 KiB", string(b[:maxSkipText]))
				if err = discardLine(br); err == io.EOF {
					break
				}
			} else {
				text := string(trimEOL(b))
				if reason := p.line(text, add); reason != "" {
					s.skip(s.info.Lines, reason, text)
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			return err
		}
	}
	p.flush(add)
	return s.err
}

func discardLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// cutComment splits "text # comment" at the first marker.
func cutComment(s string, marker byte) (text, comment string) {
	if i := strings.IndexByte(s, marker); i >= 0 {
		return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	return strings.TrimSpace(s), ""
}

// nextField returns the first whitespace-separated field of s and the rest,
// without allocating.
func nextField(s string) (field, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}
