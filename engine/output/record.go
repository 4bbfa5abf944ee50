package output

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
)

// Record is a result that is one thing with named fields (stats): one JSON
// object with typed fields in their order, for scripts; "field  value"
// lines for people. A field holding a *Table is an array of objects in
// JSON and a block of its own in the table form. CSV is one header and one
// row of the other fields: a nested table has no place in one row, and a
// script that wants it asks for JSON (or the command that lists it).
type Record struct {
	Fields []Field
}

// Field is one named value of a Record: what a Table cell holds, or a *Table.
type Field struct {
	Name  string
	Value any
}

// Add appends a field.
func (r *Record) Add(name string, v any) { r.Fields = append(r.Fields, Field{name, v}) }

// Write renders r in format.
func (r *Record) Write(w io.Writer, format string) error {
	return render(w, format, r.writeTable, r.writeCSV, r.writeJSON)
}

// scalars is the record's fields that are not tables, as a two-column table.
func (r *Record) scalars() *Table {
	t := &Table{Columns: []string{"field", "value"}}
	for _, f := range r.Fields {
		if _, nested := f.Value.(*Table); !nested {
			t.Add(f.Name, f.Value)
		}
	}
	return t
}

func (r *Record) writeTable(w io.Writer) error {
	if err := r.scalars().writeTable(w); err != nil {
		return err
	}
	for _, f := range r.Fields {
		if t, nested := f.Value.(*Table); nested {
			if _, err := fmt.Fprintf(w, "\n%s:\n", f.Name); err != nil {
				return err
			}
			if err := t.writeTable(w); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *Record) writeCSV(w io.Writer) error {
	s := r.scalars()
	head := make([]string, len(s.Rows))
	rec := make([]string, len(s.Rows))
	for i, row := range s.Rows {
		head[i], rec[i] = row[0].(string), csvCell(row[1])
	}
	cw := csv.NewWriter(w)
	cw.Write(head)
	cw.Write(rec)
	cw.Flush()
	return cw.Error()
}

func (r *Record) writeJSON(w io.Writer) error {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range r.Fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		t, nested := f.Value.(*Table)
		if !nested {
			if err := appendField(&buf, f.Name, f.Value); err != nil {
				return err
			}
			continue
		}
		if err := appendKey(&buf, f.Name); err != nil {
			return err
		}
		if err := t.appendJSON(&buf); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return writeIndented(w, buf.Bytes())
}
