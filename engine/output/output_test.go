package output

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/hostile"
)

func TestTableAlignsNumbersAndEscapesData(t *testing.T) {
	tb := &Table{Columns: []string{"count", "name", "what"}}
	tb.Add(int64(12345), "evil\x1b[2J.example", "x")
	tb.Add(int64(7), "ok.example", int64(3))
	var b bytes.Buffer
	if err := tb.Write(&b, "table"); err != nil {
		t.Fatal(err)
	}
	want := "count  name                 what\n" +
		"12345  evil\\x1b[2J.example  x\n" +
		"    7  ok.example           3\n"
	if b.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestCSVAndJSON(t *testing.T) {
	when := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	tb := &Table{Columns: []string{"time", "name", "n"}}
	tb.Add(when, "a,b\u202e", int64(2))
	tb.Add(time.Time{}, "c", nil)
	var c bytes.Buffer
	if err := tb.Write(&c, "csv"); err != nil {
		t.Fatal(err)
	}
	if want := "time,name,n\n2024-03-04T05:06:07Z,\"a,b\\u202e\",2\n,c,\n"; c.String() != want {
		t.Errorf("csv %q, want %q", c.String(), want)
	}
	var j bytes.Buffer
	if err := tb.Write(&j, "json"); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(j.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0]["time"] != "2024-03-04T05:06:07Z" || rows[0]["n"] != 2.0 || rows[1]["time"] != nil || rows[0]["name"] != "a,b\u202e" {
		t.Errorf("json rows %v", rows)
	}
	if err := tb.Write(&j, "yaml"); err == nil || !strings.Contains(err.Error(), "table, csv, json") {
		t.Errorf("unknown format: %v", err)
	}
}

// TestJSONEscapesWhatCouldActOnATerminal: the hostile names come out of
// JSON with no raw C1, bidi, zero-width or escape character, and read back
// as the same text; invalid UTF-8 keeps its exact bytes in name_hex.
func TestJSONEscapesWhatCouldActOnATerminal(t *testing.T) {
	tb := &Table{Columns: []string{"name"}}
	for _, n := range hostile.Strings() {
		tb.Add(n)
	}
	var j bytes.Buffer
	if err := tb.Write(&j, "json"); err != nil {
		t.Fatal(err)
	}
	if !textsafe.Safe(strings.ReplaceAll(j.String(), "\n", "")) {
		t.Errorf("json holds characters that act on a terminal:\n%q", j.String())
	}
	for _, want := range []string{`\u202e`, `\u200b`, `\u009b`, `\u001b`} {
		if !strings.Contains(j.String(), want) {
			t.Errorf("json lacks the escape %s", want)
		}
	}
	var rows []map[string]string
	if err := json.Unmarshal(j.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	for i, n := range hostile.Strings() {
		got := rows[i]["name"]
		if h, ok := rows[i]["name_hex"]; ok {
			b, _ := hex.DecodeString(h)
			if got = string(b); rows[i]["name"] != textsafe.String(n) {
				t.Errorf("%q: name %q, want its escaped form", n, rows[i]["name"])
			}
		}
		if got != n {
			t.Errorf("%q read back as %q", n, got)
		}
	}
}

// A very long escaped name is cut with "…" in the table form, so the other
// columns stay on screen; CSV and JSON keep it whole.
func TestTableCutsALongCellButCSVKeepsIt(t *testing.T) {
	long := strings.Repeat("\x01", 300) + ".example" // 900 cells once escaped
	tb := &Table{Columns: []string{"name", "count"}}
	tb.Add(long, int64(3))
	var b bytes.Buffer
	if err := tb.Write(&b, "table"); err != nil {
		t.Fatal(err)
	}
	row := strings.Split(b.String(), "\n")[1]
	if !strings.Contains(row, "…") || !strings.HasSuffix(row, "  3") || len([]rune(row)) > MaxCell+10 {
		t.Errorf("table row %q", row)
	}
	b.Reset()
	if err := tb.Write(&b, "csv"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), textsafe.String(long)) {
		t.Errorf("csv cut the name: %q", b.String())
	}
}
