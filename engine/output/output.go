// Package output writes the headless answers (top, stats, events, rules…)
// as an aligned table for people, or CSV or JSON for scripts. Text from the
// data is sanitised for the table and CSV forms, which end up on terminals.
// JSON keeps the text, with every character that could act on a terminal
// written as a \u escape; a value that is not valid UTF-8 (which a JSON
// string cannot hold) is written in its escaped form, with its exact bytes
// in hex in a sibling field named COLUMN_hex.
package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/textsafe"
)

// Formats lists the accepted --format values.
var Formats = []string{"table", "csv", "json"}

// MaxCell is the widest a cell is shown in the table form, but for the
// last column: one long escaped name must not push every other column off
// the screen. The cut ends in "…"; CSV and JSON keep the whole value.
const MaxCell = 64

// Table is a result: named columns and rows of values (string, int64, int,
// float64, time.Time, or nil for "none").
type Table struct {
	Columns []string
	Rows    [][]any
}

// Add appends a row.
func (t *Table) Add(vals ...any) { t.Rows = append(t.Rows, vals) }

// Write renders t in format.
func (t *Table) Write(w io.Writer, format string) error {
	return render(w, format, t.writeTable, t.writeCSV, t.writeJSON)
}

// render calls the writer of format.
func render(w io.Writer, format string, table, csv, json func(io.Writer) error) error {
	switch format {
	case "", "table":
		return table(w)
	case "csv":
		return csv(w)
	case "json":
		return json(w)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return textsafe.String(x)
	case []string:
		return textsafe.String(strings.Join(x, ","))
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format("2006-01-02 15:04:05")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

func numeric(v any) bool {
	switch v.(type) {
	case int, int64, int32, uint32, float64:
		return true
	}
	return false
}

func (t *Table) writeTable(w io.Writer) error {
	cells := make([][]string, len(t.Rows))
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = ansi.StringWidth(c)
	}
	for r, row := range t.Rows {
		cells[r] = make([]string, len(row))
		for i, v := range row {
			cells[r][i] = text(v)
			if i < len(row)-1 {
				cells[r][i] = textsafe.Truncate(cells[r][i], MaxCell)
			}
			widths[i] = max(widths[i], ansi.StringWidth(cells[r][i]))
		}
	}
	// A column is right-aligned when every value in it is a number.
	numCol := make([]bool, len(t.Columns))
	for i := range numCol {
		numCol[i] = len(t.Rows) > 0
		for _, row := range t.Rows {
			if row[i] != nil && !numeric(row[i]) {
				numCol[i] = false
				break
			}
		}
	}
	var b strings.Builder
	line := func(vals []string, row []any) {
		for i, s := range vals {
			pad := strings.Repeat(" ", widths[i]-ansi.StringWidth(s))
			if i > 0 {
				b.WriteString("  ")
			}
			if row != nil && numCol[i] {
				b.WriteString(pad + s)
			} else if i < len(vals)-1 {
				b.WriteString(s + pad)
			} else {
				b.WriteString(s)
			}
		}
		b.WriteByte('\n')
	}
	line(t.Columns, nil)
	for r := range cells {
		line(cells[r], t.Rows[r])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// csvCell is a value in CSV: times in full (RFC 3339 with fractions, for
// scripts), everything else as the table shows it.
func csvCell(v any) string {
	if tm, ok := v.(time.Time); ok && !tm.IsZero() {
		return tm.UTC().Format(time.RFC3339Nano)
	}
	return text(v)
}

func (t *Table) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i, v := range row {
			rec[i] = csvCell(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (t *Table) writeJSON(w io.Writer) error {
	var buf bytes.Buffer
	if err := t.appendJSON(&buf); err != nil {
		return err
	}
	return writeIndented(w, buf.Bytes())
}

// appendJSON writes the rows as an array of objects whose keys keep the
// order of the columns (encoding a map would sort them), so that a JSON
// row reads like its CSV line.
func (t *Table) appendJSON(buf *bytes.Buffer) error {
	buf.WriteByte('[')
	for r, row := range t.Rows {
		if r > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('{')
		for i, v := range row {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := appendField(buf, t.Columns[i], v); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	}
	buf.WriteByte(']')
	return nil
}

// appendField writes "name":value; a string that is not valid UTF-8 is
// written escaped, followed by "name_hex" with its exact bytes.
func appendField(buf *bytes.Buffer, name string, v any) error {
	var hexBytes string
	switch x := v.(type) {
	case time.Time:
		v = nil
		if !x.IsZero() {
			v = x.UTC().Format(time.RFC3339Nano)
		}
	case string:
		if !utf8.ValidString(x) {
			v, hexBytes = textsafe.Lossless(x)
		}
	case []string:
		safe := make([]string, len(x))
		for i, s := range x {
			safe[i] = s
			if !utf8.ValidString(s) {
				safe[i] = textsafe.String(s)
			}
		}
		v = safe
	}
	if err := appendPair(buf, name, v); err != nil {
		return err
	}
	if hexBytes != "" {
		buf.WriteByte(',')
		return appendPair(buf, name+"_hex", hexBytes)
	}
	return nil
}

func appendPair(buf *bytes.Buffer, name string, v any) error {
	if err := appendKey(buf, name); err != nil {
		return err
	}
	val, err := json.Marshal(v)
	buf.Write(val)
	return err
}

// appendKey writes "name":.
func appendKey(buf *bytes.Buffer, name string) error {
	k, err := json.Marshal(name)
	buf.Write(k)
	buf.WriteByte(':')
	return err
}

// writeIndented writes compact JSON indented, one value a line, with every
// character that could act on a terminal escaped.
func writeIndented(w io.Writer, compact []byte) error {
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(textsafe.JSON(out.Bytes()))
	return err
}
