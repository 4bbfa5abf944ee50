package lists

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/longtail/longtail/engine/rules"
)

// longtail's own formats carry every field of a rule, so rules move between
// workspaces unchanged. CSV follows RFC 4180 with a header row; JSON is one
// object per line (JSON Lines), which streams and which a reader can tell
// from a JSON array by its first byte.

var csvHeader = []string{"id", "pattern", "scope", "verdict", "note", "author", "origin", "created"}

// jsonRule is the JSON form of a rule; field names match the CSV header.
type jsonRule struct {
	ID      int64  `json:"id"`
	Pattern string `json:"pattern"`
	Scope   string `json:"scope"`
	Verdict string `json:"verdict"`
	Note    string `json:"note"`
	Author  string `json:"author"`
	Origin  string `json:"origin"`
	Created string `json:"created"` // RFC 3339 in UTC; "" when unknown
}

func toJSONRule(r *rules.Rule) jsonRule {
	return jsonRule{
		ID: r.ID, Pattern: r.Pattern, Scope: r.Scope.String(), Verdict: r.Verdict.String(),
		Note: r.Note, Author: r.Author, Origin: r.Origin, Created: formatTime(r.Created),
	}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// rule validates the fields of a rule read back from CSV or JSON.
func (j *jsonRule) rule() (rules.Rule, error) {
	r := rules.Rule{ID: j.ID, Note: j.Note, Author: j.Author, Origin: j.Origin}
	var err error
	var scope rules.Scope
	if r.Pattern, scope, err = rules.ParsePattern(j.Pattern); err != nil {
		return r, fmt.Errorf("pattern: %w", err)
	}
	if r.Scope, err = rules.ParseScope(j.Scope); err != nil {
		return r, err
	}
	if scope == rules.Domain && r.Scope == rules.Name {
		return r, errors.New(`"*." pattern with name scope`)
	}
	if r.Verdict, err = rules.ParseVerdict(j.Verdict); err != nil {
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
	return len(head) > 0 && head[0] == strings.Join(csvHeader, ",")
}

func writeCSV(w io.Writer, rs []rules.Rule, _ ExportMeta) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	for i := range rs {
		j := toJSONRule(&rs[i])
		cw.Write([]string{strconv.FormatInt(j.ID, 10), j.Pattern, j.Scope, j.Verdict, j.Note, j.Author, j.Origin, j.Created})
	}
	cw.Flush()
	return cw.Error()
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
		if len(rec) != len(csvHeader) {
			s.skip(line, fmt.Sprintf("%d fields, want %d", len(rec), len(csvHeader)), strings.Join(rec, ","))
			continue
		}
		j := jsonRule{Pattern: rec[1], Scope: rec[2], Verdict: rec[3], Note: rec[4], Author: rec[5], Origin: rec[6], Created: rec[7]}
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

func jsonSigned(head []string) bool {
	for _, l := range head {
		if l = strings.TrimSpace(l); l != "" {
			return l[0] == '{'
		}
	}
	return false
}

func writeJSON(w io.Writer, rs []rules.Rule, _ ExportMeta) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range rs {
		if err := enc.Encode(toJSONRule(&rs[i])); err != nil {
			return err
		}
	}
	return nil
}

func newJSONParser() lineParser {
	return parseFunc(func(s string, add func(Entry)) string {
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
	})
}
