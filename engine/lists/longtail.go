package lists

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
)

// longtail's own formats carry every field of a rule, so rules move between
// workspaces unchanged: CSV (RFC 4180, a header row) and JSON (an array, as
// every --format json of longtail writes, one rule a line). A JSON array
// is read in any layout (a hand-written one, jq's), element by element so
// that a big one streams; JSON Lines, which exports wrote before, still
// reads.
//
// A rule for a name from the data that is not a valid DNS name keeps its
// exact bytes in pattern_hex, and its pattern field holds the escaped text
// (textsafe) for people: neither form carries a byte that could act on a
// terminal or split a record, and a reader tells such a rule from one a
// person wrote by pattern_hex alone. Notes, authors and origins are text
// for people: CSV escapes what could act on a terminal in them (line
// breaks and tabs kept), JSON writes it as \u escapes.

// csvHeader is the CSV header; csvHeaderV1 the one before pattern_hex and
// csvHeaderV2 the one before kind, both still read (their rules are for
// DNS names).
var (
	csvHeader   = []string{"id", "pattern", "scope", "verdict", "note", "author", "origin", "created", "pattern_hex", "kind"}
	csvHeaderV1 = csvHeader[:8]
	csvHeaderV2 = csvHeader[:9]
)

// jsonRule is the JSON form of a rule; field names match the CSV header.
type jsonRule struct {
	ID         int64  `json:"id"`
	Pattern    string `json:"pattern"`
	Scope      string `json:"scope"`
	Verdict    string `json:"verdict"`
	Note       string `json:"note"`
	Author     string `json:"author"`
	Origin     string `json:"origin"`
	Created    string `json:"created"` // RFC 3339 in UTC; "" when unknown
	PatternHex string `json:"pattern_hex,omitempty"`
	Kind       string `json:"kind"` // the subject, "dns.name", "http.ua" ...
}

func toJSONRule(r *rules.Rule) jsonRule {
	j := jsonRule{
		ID: r.ID, Pattern: r.Pattern, Scope: r.Scope.String(), Verdict: r.Verdict.String(),
		Note: r.Note, Author: r.Author, Origin: r.Origin, Created: formatTime(r.Created),
	}
	sub := subject.Must(r.Subject())
	j.Kind = sub.QualifiedName()
	if (sub.Hostname && rules.ValidName(r.Pattern) != nil) || !textsafe.Safe(r.Pattern) {
		j.Pattern, j.PatternHex = textsafe.Lossless(r.Pattern)
	}
	return j
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// rule validates the fields of a rule read back from CSV or JSON: a
// pattern_hex is the exact bytes of a name from the data; a pattern alone
// is read as a person writes one ("*.Example.com."). The rule must pass
// rules.Rule.Check, like every rule that is stored.
func (j *jsonRule) rule() (rules.Rule, error) {
	r := rules.Rule{ID: j.ID, Note: j.Note, Author: j.Author, Origin: j.Origin}
	sub, err := subject.ParseQualified(j.Kind)
	if err != nil {
		return r, fmt.Errorf("kind: %w", err)
	}
	if sub.Code != subject.DNSName {
		r.Kind = sub.Code // zero is DNS names, as rules before kinds
	}
	if r.Scope, err = rules.ParseScope(j.Scope); err != nil {
		return r, err
	}
	if r.Verdict, err = rules.ParseVerdict(j.Verdict); err != nil {
		return r, err
	}
	if j.PatternHex != "" {
		b, err := hex.DecodeString(j.PatternHex)
		if err != nil {
			return r, fmt.Errorf("pattern_hex: %w", err)
		}
		r.Pattern = string(b)
	} else if !sub.Hostname {
		r.Pattern = j.Pattern // a path, a user agent: taken as written
	} else {
		var scope rules.Scope
		if r.Pattern, scope, err = rules.ParsePattern(j.Pattern); err != nil {
			return r, fmt.Errorf("pattern: %w", err)
		}
		if scope == rules.Domain && r.Scope == rules.Name {
			return r, errors.New(`"*." pattern with name scope`)
		}
	}
	if err := r.Check(); err != nil {
		return r, err
	}
	if j.Created != "" {
		if r.Created, err = time.Parse(time.RFC3339Nano, j.Created); err != nil {
			return r, fmt.Errorf("created: %w", err)
		}
		r.Created = r.Created.UTC()
	}
	return r, nil
}

func addRule(r rules.Rule, add func(Entry)) {
	add(Entry{Name: r.Pattern, Scope: r.Scope, Verdict: r.Verdict, Note: r.Note, Rule: &r})
}

func csvSigned(head []string) bool {
	if len(head) == 0 {
		return false
	}
	for _, h := range [][]string{csvHeader, csvHeaderV2, csvHeaderV1} {
		if head[0] == strings.Join(h, ",") {
			return true
		}
	}
	return false
}

func writeCSV(w io.Writer, p *plan) error {
	cw := csv.NewWriter(w)
	header, rows := CSVRows(p.rules)
	cw.Write(header)
	return cw.WriteAll(rows) // (flushes, and says what the writes met)
}

// CSVRows are rules as longtail's CSV holds them, which import-list reads
// back: the rules screen's rows as CSV (E) are an export too.
func CSVRows(rs []rules.Rule) (header []string, rows [][]string) {
	rows = make([][]string, len(rs))
	for i := range rs {
		j := toJSONRule(&rs[i])
		rows[i] = []string{strconv.FormatInt(j.ID, 10), j.Pattern, j.Scope, j.Verdict,
			textsafe.Text(j.Note), textsafe.Text(j.Author), textsafe.Text(j.Origin), j.Created, j.PatternHex, j.Kind}
	}
	return slices.Clone(csvHeader), rows
}

// readCSV reads longtail CSV through encoding/csv, because a quoted note
// may hold a line break and so a record is not a line.
func readCSV(br *bufio.Reader, s *sink) error {
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for first := true; s.err == nil; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			s.info.Lines++
			s.skip(perr.StartLine, perr.Err.Error(), "")
			continue
		}
		if err != nil {
			return err
		}
		s.info.Lines++
		if first {
			continue // the header, checked by detection
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(csvHeader) && len(rec) != len(csvHeaderV2) && len(rec) != len(csvHeaderV1) {
			s.skip(line, fmt.Sprintf("%d fields, want %d", len(rec), len(csvHeader)), strings.Join(rec, ","))
			continue
		}
		// Text as writeCSV writes it, so a file made by hand reads back
		// as its export will be.
		j := jsonRule{Pattern: rec[1], Scope: rec[2], Verdict: rec[3], Note: textsafe.Text(rec[4]),
			Author: textsafe.Text(rec[5]), Origin: textsafe.Text(rec[6]), Created: rec[7]}
		if len(rec) > len(csvHeaderV1) {
			j.PatternHex = rec[8]
		}
		if len(rec) > len(csvHeaderV2) {
			j.Kind = rec[9]
		}
		if rec[0] != "" {
			if j.ID, err = strconv.ParseInt(rec[0], 10, 64); err != nil {
				s.skip(line, "id is not a number", strings.Join(rec, ","))
				continue
			}
		}
		r, err := j.rule()
		if err != nil {
			s.skip(line, err.Error(), strings.Join(rec, ","))
			continue
		}
		addRule(r, s.add)
	}
	return s.err
}

// jsonSigned sees an object or an array of them: "[" alone, "[{", "[]";
// not "[Adblock Plus 2.0]".
func jsonSigned(head []string) bool {
	for _, l := range head {
		if l = strings.TrimSpace(l); l != "" {
			rest := strings.TrimSpace(l[1:])
			return l[0] == '{' || l[0] == '[' && (rest == "" || rest[0] == '{' || rest[0] == ']')
		}
	}
	return false
}

// writeJSON writes an array of rules, one a line, every character that
// could act on a terminal escaped (textsafe.JSON).
func writeJSON(w io.Writer, p *plan) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	sep := "[\n"
	for i := range p.rules {
		buf.Reset()
		if err := enc.Encode(toJSONRule(&p.rules[i])); err != nil {
			return err
		}
		io.WriteString(w, sep)
		if _, err := w.Write(textsafe.JSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))); err != nil {
			return err
		}
		sep = ",\n"
	}
	if sep == "[\n" {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	_, err := io.WriteString(w, "\n]\n")
	return err
}

// readJSON reads an array of rules, or JSON Lines (newJSONParser).
func readJSON(br *bufio.Reader, s *sink) error {
	head, _ := br.Peek(headSize)
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		return readJSONArray(br, s)
	}
	return readLines(br, newJSONParser(), s)
}

// readJSONArray decodes the array one element at a time, counting
// elements as Info.Lines: an element that is no rule is skipped with its
// line, as a bad line of a list is; broken JSON ends the array there, also
// reported.
func readJSONArray(r io.Reader, s *sink) error {
	lc := &lineCounter{r: r}
	dec := json.NewDecoder(lc)
	if _, err := dec.Token(); err != nil { // the '['
		return err
	}
	for s.err == nil && dec.More() {
		s.info.Lines++
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			s.skip(lc.lineAt(brokenAt(err, dec, lc.off)), "not JSON: "+err.Error(), "")
			break
		}
		if reason := jsonLine(string(raw), s.add); reason != "" {
			s.skip(lc.lineAt(dec.InputOffset()-int64(len(raw))), reason, string(raw))
		}
	}
	return s.err
}

// brokenAt is the offset of what broke a JSON array: the start of the
// element a syntax error is in (the error's own offset counts from where
// the decoder's buffer began, no offset of the input), or the last byte of
// one cut short (read bytes in all).
func brokenAt(err error, dec *json.Decoder, read int64) int64 {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return read - 1
	}
	// The decoder stops before the broken element: what it holds
	// unread begins with the space before it.
	rest, _ := io.ReadAll(dec.Buffered())
	return dec.InputOffset() + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
}

// lineCounter counts the lines of what a json.Decoder reads, keeping the
// offsets of only the line ends it has read ahead of the decoder.
type lineCounter struct {
	r    io.Reader
	off  int64   // bytes read
	ends []int64 // offsets of the '\n' read past the last lineAt
	line int     // lines ended before ends[0]
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			c.ends = append(c.ends, c.off+int64(i))
		}
	}
	c.off += int64(n)
	return n, err
}

// lineAt is the 1-based line of the byte at off; off must not decrease
// from one call to the next.
func (c *lineCounter) lineAt(off int64) int {
	i := 0
	for i < len(c.ends) && c.ends[i] < off {
		i++
	}
	c.line += i
	c.ends = c.ends[i:]
	return c.line + 1
}

func newJSONParser() lineParser { return parseFunc(jsonLine) }

// jsonLine reads one rule object.
func jsonLine(s string, add func(Entry)) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	var j jsonRule
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return "not a JSON object: " + err.Error()
	}
	r, err := j.rule()
	if err != nil {
		return err.Error()
	}
	addRule(r, add)
	return ""
}
