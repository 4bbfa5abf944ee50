// Package custom reads format files: TOML files that describe a user's own
// CSV, TSV or JSON-lines log (which column is the time, the client, the
// query name or the request…) so that longtail reads it without code.
// They are found in the user's formats folder (Dir) and given with
// --format-file; Use registers them with package parse, whose ingest then
// reads them like the built-in formats. Check shows how a file would be
// read, for longtail formats --check.
//
// A format file:
//
//	name   = "resolver-csv"   # shown by longtail formats, stored with each source
//	kind   = "dns"            # dns, http or logon
//	layout = "csv"            # csv, tsv or jsonl
//	header = true             # csv, tsv: the first line names the columns
//	delimiter = ","           # csv: one character (default ",")
//	quote  = '"'              # csv: one character (default '"'), "" for none
//	comment = "#"             # lines that start with it are not data
//
//	[fields]                  # a column's header name, its number (1 for the first), or a JSON key path
//	time   = { column = "timestamp", layout = "%Y-%m-%d %H:%M:%S", timezone = "UTC" }
//	client = "client"
//	name   = "qname"
//
//	[detect]                  # all optional
//	header = "timestamp,client,qname,qtype,response"
//	regex  = '^\d{4}-'
//	keys   = ["ts", "request.uri"]
package custom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
)

// Error is a format file that cannot be used: the file, the line (0 when
// unknown) and the key at fault, and why.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxFileSize bounds a format file: a few hundred bytes in practice.
const maxFileSize = 1 << 20

// Format is a custom format and the file it was read from.
type Format struct {
	*parse.CustomFormat
	Origin   string
	nameLine int // where the file says its name, for the errors about it
}

// ReadFile reads a format file.
func ReadFile(path string) (*Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(src) > maxFileSize {
		return nil, &Error{File: path, Msg: "larger than 1 MiB: not a format file"}
	}
	cf, err := Parse(path, src)
	if err != nil {
		return nil, err
	}
	return &Format{cf, path, keyLine(src, "name")}, nil
}

// file is a format file as TOML decodes it.
type file struct {
	Name      string             `toml:"name"`
	Kind      string             `toml:"kind"`
	Layout    string             `toml:"layout"`
	Header    bool               `toml:"header"`
	Delimiter *string            `toml:"delimiter"`
	Quote     *string            `toml:"quote"`
	Comment   string             `toml:"comment"`
	Fields    map[string]*column `toml:"fields"`
	Detect    struct {
		Header string   `toml:"header"`
		Regex  string   `toml:"regex"`
		Keys   []string `toml:"keys"`
	} `toml:"detect"`
}

// column is a field's place: a name or a number, or (for the time) a
// table that adds the layout and the zone.
type column struct {
	parse.Column
	Layout   string
	Timezone string
	table    bool
}

// UnmarshalTOML takes "name", 3, or { column = …, layout = …, timezone = … }.
func (c *column) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		if x == "" {
			return errors.New("an empty column name")
		}
		c.Name = x
		return nil
	case int64:
		if x < 1 {
			return fmt.Errorf("columns count from 1, not %d", x)
		}
		c.Index = int(min(x, 1<<20))
		return nil
	case map[string]any:
		c.table = true
		for k, val := range x {
			s, isString := val.(string)
			switch {
			case k == "column":
				if err := c.UnmarshalTOML(val); err != nil {
					return err
				}
				if c.Name == "" && c.Index == 0 {
					return errors.New("column: want a column's name or number")
				}
			case k == "layout" && isString:
				c.Layout = s
			case k == "timezone" && isString:
				c.Timezone = s
			case k == "layout" || k == "timezone":
				return fmt.Errorf("%s: want a string", k)
			default:
				return fmt.Errorf("unknown key %q (a field is a column, or { column = …, layout = …, timezone = … } for the time)", k)
			}
		}
		if !c.set() {
			return errors.New("the table names no column (column = …)")
		}
		return nil
	}
	return fmt.Errorf("want a column's name (\"ts\"), its number (3), or for the time a table { column = …, layout = … }, not %T", v)
}

func (c *column) set() bool { return c.Name != "" || c.Index != 0 }

var (
	kinds   = map[string]record.Kind{"dns": record.KindDNS, "http": record.KindHTTP, "logon": record.KindLogon}
	layouts = map[string]parse.CustomLayout{"csv": parse.CSV, "tsv": parse.TSV, "jsonl": parse.JSONLines, "json": parse.JSONLines}
	topKeys = "name, kind, layout, header, delimiter, quote, comment, [fields] and [detect]"
)

// Parse reads a format file's text; origin names it in errors. It never
// panics, whatever src holds.
func Parse(origin string, src []byte) (*parse.CustomFormat, error) {
	var f file
	md, err := toml.Decode(string(src), &f)
	if err != nil && bytes.HasPrefix(bytes.TrimSpace(src), []byte("{")) {
		// JSON, say, where the TOML decoder's words ("expected '.' or
		// '='") would not tell why.
		return nil, &Error{File: origin, Line: 1, Msg: "a format file is TOML (name = \"…\", [fields] …), not JSON: see examples/formats"}
	}
	if err != nil {
		return nil, decodeError(origin, src, err)
	}
	at := func(key, format string, args ...any) error {
		return &Error{File: origin, Line: keyLine(src, key), Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		k := undecoded[0]
		if len(k) > 1 && k[0] == "detect" {
			return nil, at(k.String(), "unknown key ([detect] has header, regex and keys)")
		}
		return nil, at(k.String(), "unknown key (a format file has %s)", topKeys)
	}
	c := parse.Custom{Name: f.Name, Header: f.Header, Comment: f.Comment,
		DetectHeader: f.Detect.Header, DetectRegex: f.Detect.Regex, DetectKeys: f.Detect.Keys, Fields: map[string]parse.Column{}}
	var ok bool
	if c.Kind, ok = kinds[strings.ToLower(f.Kind)]; !ok {
		return nil, at("kind", "%s (want dns, http or logon)", missingOr(f.Kind))
	}
	if c.Layout, ok = layouts[strings.ToLower(f.Layout)]; !ok {
		return nil, at("layout", "%s (want csv, tsv or jsonl)", missingOr(f.Layout))
	}
	if c.Delimiter, err = oneChar(f.Delimiter, false); err != nil {
		return nil, at("delimiter", "%v", err)
	}
	if c.Quote, err = oneChar(f.Quote, true); err != nil {
		return nil, at("quote", "%v", err)
	}
	c.NoQuote = f.Quote != nil && *f.Quote == ""
	if c.Layout != parse.CSV && (f.Delimiter != nil && c.Layout != parse.TSV || f.Quote != nil) {
		key := "quote"
		if f.Delimiter != nil {
			key = "delimiter"
		}
		return nil, at(key, "only a csv layout has one")
	}
	for name, col := range f.Fields {
		if name == "time" {
			c.Time, c.TimeLayout, c.TimeZone = col.Column, col.Layout, col.Timezone
			continue
		}
		if col.table {
			return nil, at("fields."+name, "only the time is a table (with its layout): write the column alone")
		}
		c.Fields[name] = col.Column
	}
	cf, err := c.Compile()
	if err != nil {
		var fe *parse.FieldError
		if errors.As(err, &fe) {
			return nil, at(fe.Key, "%v", fe.Err)
		}
		return nil, &Error{File: origin, Msg: err.Error()}
	}
	return cf, nil
}

func missingOr(s string) string {
	if s == "" {
		return "missing"
	}
	return fmt.Sprintf("%q is not one", s)
}

// oneChar reads a delimiter or a quote: one ASCII character ("\t" is a
// tab); empty, for a quote, means none.
func oneChar(s *string, emptyOK bool) (byte, error) {
	switch {
	case s == nil:
		return 0, nil
	case *s == "" && emptyOK:
		return 0, nil
	case len(*s) != 1 || (*s)[0] >= 0x80:
		return 0, fmt.Errorf("want one ASCII character, not %q", *s)
	}
	return (*s)[0], nil
}

// tomlTypeError is how the TOML decoder words a value of the wrong type.
var tomlTypeError = regexp.MustCompile(`^toml: (?:line \d+ )?\(last key "(.*?)"\): (.*)$`)

// decodeError turns TOML's errors into an Error with the line and key.
func decodeError(origin string, src []byte, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line := pe.Position.Line
		if line == 0 && pe.LastKey != "" {
			line = keyLine(src, pe.LastKey)
		}
		return &Error{File: origin, Line: line, Key: pe.LastKey, Msg: strings.TrimPrefix(pe.Message, "toml: ")}
	}
	if m := tomlTypeError.FindStringSubmatch(err.Error()); m != nil {
		return &Error{File: origin, Line: keyLine(src, m[1]), Key: m[1], Msg: m[2]}
	}
	return &Error{File: origin, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
}

// keyLine finds the line of a dotted key in a format file, or of the
// nearest table or inline table that holds it; 0 when none is found. It
// reads lines as "[table]" and "key = value", which is how format files
// are written; it need not understand all of TOML, only place a message.
func keyLine(src []byte, key string) int {
	want := splitKey(key)
	best, bestLen := 0, 0
	var table []string
	for i, line := range strings.Split(string(src), "\n") {
		l := strings.TrimSpace(line)
		var k []string
		switch {
		case strings.HasPrefix(l, "["):
			end := strings.LastIndex(l, "]")
			if end < 0 {
				continue
			}
			table = splitKey(strings.Trim(l[:end], "[] \t"))
			k = table
		default:
			name, _, ok := strings.Cut(l, "=")
			if !ok || strings.HasPrefix(l, "#") {
				continue
			}
			k = append(slices.Clone(table), splitKey(name)...)
		}
		if n := len(k); n > bestLen && n <= len(want) && slices.Equal(k, want[:n]) {
			best, bestLen = i+1, n
		}
	}
	return best
}

// splitKey splits a dotted TOML key, unquoting its parts.
func splitKey(k string) []string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return parts
}

// Dir is the folder of the user's format files: $XDG_CONFIG_HOME/longtail/formats,
// else ~/.config/longtail/formats; "" when neither can be told.
func Dir() string {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "longtail", "formats")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "longtail", "formats")
}

// Load reads the format files named (in order) and then those of Dir
// (*.toml, by name). A file named explicitly overrides one of Dir with the
// same format name; two of one kind with the same name are an error.
func Load(files []string) ([]*Format, error) {
	var out []*Format
	byName := map[string]*Format{}
	add := func(path string, explicit bool) error {
		f, err := ReadFile(path)
		if err != nil {
			return err
		}
		if prior, taken := byName[f.Name()]; taken {
			if !explicit && slices.Contains(files, prior.Origin) {
				return nil // overridden by the file given
			}
			return &Error{File: path, Line: f.nameLine, Key: "name",
				Msg: fmt.Sprintf("%q is the name of the format in %s too", f.Name(), prior.Origin)}
		}
		byName[f.Name()] = f
		out = append(out, f)
		return nil
	}
	for _, path := range files {
		if err := add(path, true); err != nil {
			return nil, err
		}
	}
	if dir := Dir(); dir != "" {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
		slices.Sort(paths)
		for _, path := range paths {
			if err := add(path, false); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Set is the custom formats in use: registered with package parse, so
// that its detection and the ingest know them, until Release.
type Set struct {
	formats []*Format
	remove  []func()
}

// Use loads the format files (see Load) and registers their formats.
func Use(files []string) (*Set, error) {
	formats, err := Load(files)
	if err != nil {
		return nil, err
	}
	s := &Set{formats: formats}
	for _, f := range formats {
		remove, err := parse.Register(f.Format())
		if err != nil {
			s.Release()
			return nil, &Error{File: f.Origin, Line: f.nameLine, Key: "name", Msg: err.Error()}
		}
		s.remove = append(s.remove, remove)
	}
	return s, nil
}

// Release unregisters the formats; a nil Set has none.
func (s *Set) Release() {
	if s == nil {
		return
	}
	for _, remove := range s.remove {
		remove()
	}
	s.remove = nil
}

// Formats lists the formats in use, in detection order.
func (s *Set) Formats() []*Format {
	if s == nil {
		return nil
	}
	return s.formats
}

// Lookup finds a format in use by name.
func (s *Set) Lookup(name string) *Format {
	for _, f := range s.Formats() {
		if f.Name() == name {
			return f
		}
	}
	return nil
}
