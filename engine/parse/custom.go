package parse

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/longtail/longtail/engine/record"
)

// Custom formats: a user's CSV, TSV or JSON-lines log, described by a
// format file (engine/parse/custom reads those) instead of code. A Custom
// compiles into a Format like the built-in ones, so the ingest reads it
// with the same resume, dedup and skip reporting, and at the same cost: no
// allocation per line.

// CustomLayout is how the lines of a custom format are laid out.
type CustomLayout uint8

const (
	CSV       CustomLayout = iota + 1 // fields between a delimiter, optionally quoted
	TSV                               // fields between tabs, never quoted
	JSONLines                         // one JSON object per line
)

// Column says where a field's value is: a 1-based column number (CSV,
// TSV), or a name: the header's name of a column, or a JSON key path
// ("id.orig_h" is that literal key, else key "orig_h" inside "id").
type Column struct {
	Index int
	Name  string
}

func (c Column) set() bool { return c.Index != 0 || c.Name != "" }

func (c Column) String() string {
	if c.Name == "" {
		return "column " + strconv.Itoa(c.Index)
	}
	return strconv.Quote(c.Name)
}

// Custom describes a log format as a format file does.
type Custom struct {
	Name      string
	Kind      record.Kind // KindDNS or KindHTTP
	Layout    CustomLayout
	Delimiter byte   // CSV: the delimiter; 0 is ','
	Quote     byte   // CSV: the quote; 0 is '"'
	NoQuote   bool   // CSV: fields are never quoted
	Header    bool   // CSV, TSV: the first line names the columns
	Comment   string // lines that start with it are not data (nor skipped)

	Time       Column
	TimeLayout string // see newTimeReader; "" is ISO 8601
	TimeZone   string // of times without one; "" is UTC
	// Fields maps the kind's fields (CustomFields) to where they are.
	Fields map[string]Column

	// Detection, besides the first lines giving records: the header line
	// is exactly this (else it names every column the fields use); every
	// first line matches this regular expression; every first line holds
	// these JSON key paths.
	DetectHeader string
	DetectRegex  string
	DetectKeys   []string
}

// FieldError is a Custom that cannot be compiled, with the key of the
// format file at fault ("fields.qtype", "detect.regex").
type FieldError struct {
	Key string
	Err error
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// fieldErr is a FieldError for key, with the message formatted.
func fieldErr(key, format string, args ...any) error {
	return &FieldError{Key: key, Err: fmt.Errorf(format, args...)}
}

// slot is a field a record is filled from.
type slot uint8

const (
	slotTime slot = iota
	slotClient
	slotName
	slotQType
	slotRCode
	slotAnswers
	slotTTL
	slotMethod
	slotHost
	slotURL
	slotPath
	slotQuery
	slotStatus
	slotBytes
	slotUserAgent
	slotReferer
	slotSource
	slotAccount
	slotDomain
	slotTarget
	slotLogonType
	slotAuth
	slotResult
	slotReason
	slotEventID
	numSlots
)

var slotNames = [numSlots]string{"time", "client", "name", "qtype", "rcode", "answers", "ttl",
	"method", "host", "url", "path", "query", "status", "bytes", "user_agent", "referer",
	"source", "account", "domain", "target", "logon_type", "auth", "result", "reason", "event_id"}

// kindSlots are the fields of each kind, besides time.
var kindSlots = map[record.Kind][]slot{
	record.KindDNS:   {slotClient, slotName, slotQType, slotRCode, slotAnswers, slotTTL},
	record.KindHTTP:  {slotClient, slotMethod, slotHost, slotURL, slotPath, slotQuery, slotStatus, slotBytes, slotUserAgent, slotReferer},
	record.KindLogon: {slotSource, slotAccount, slotDomain, slotTarget, slotLogonType, slotAuth, slotResult, slotReason, slotEventID},
}

// CustomFields lists the fields a format of kind maps, time first.
func CustomFields(kind record.Kind) []string {
	out := []string{slotNames[slotTime]}
	for _, s := range kindSlots[kind] {
		out = append(out, slotNames[s])
	}
	return out
}

var customName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,39}$`)

// maxDetectKeys bounds detect.keys (and the walker's stack).
const maxDetectKeys = 16

// CustomFormat is a compiled Custom.
type CustomFormat struct {
	c       Custom
	cols    [numSlots]Column
	used    []slot
	need    int // CSV, TSV by number: the columns a line needs
	tm      *timeReader
	regex   *regexp.Regexp
	paths   []string // JSON: the path of each used slot, in used order
	keys    []string // JSON: detect.keys
	missing [numSlots]string
	bad     [numSlots]string
	noPath  string // HTTP: no host nor path
	comment []byte
	// A time read but outside MinYear-MaxYear: before, and after (with
	// the unit a unix time may be in instead).
	early, late string
}

// Compile checks c and prepares it for reading. Its errors are
// *FieldErrors naming the key of the format file at fault.
func (c *Custom) Compile() (*CustomFormat, error) {
	f := &CustomFormat{c: *c}
	if !customName.MatchString(c.Name) {
		return nil, fieldErr("name", "%q is not a format name: lower-case letters, digits, '.', '_' and '-', at most 40", c.Name)
	}
	if kindSlots[c.Kind] == nil {
		return nil, fieldErr("kind", "a custom format reads dns, http or logon logs, not %s", c.Kind)
	}
	if err := c.checkLayout(); err != nil {
		return nil, err
	}
	if err := f.mapFields(); err != nil {
		return nil, err
	}
	tm, err := newTimeReader(c.TimeLayout, c.TimeZone)
	if err != nil {
		var fe *FieldError
		errors.As(err, &fe)
		return nil, &FieldError{Key: "fields.time." + fe.Key, Err: fe.Err}
	}
	f.tm = tm
	if err := f.compileDetect(); err != nil {
		return nil, err
	}
	f.reasons()
	return f, nil
}

// checkLayout checks the keys that say how a line is split.
func (c *Custom) checkLayout() error {
	switch c.Layout {
	case CSV:
		d, q := c.Delimiter, c.Quote
		if d == 0 {
			d = ','
		}
		if q == 0 {
			q = '"'
		}
		switch {
		case d == '\n' || d == '\r':
			return fieldErr("delimiter", "a line break cannot be the delimiter")
		case !c.NoQuote && (q == '\n' || q == '\r' || q == ' ' || q == '\t'):
			return fieldErr("quote", "%q cannot be the quote", q)
		case !c.NoQuote && q == d:
			return fieldErr("quote", "the quote and the delimiter are both %q", d)
		}
	case TSV:
		if c.Delimiter != 0 && c.Delimiter != '\t' {
			return fieldErr("delimiter", "a tsv log is split on tabs: leave delimiter out, or write layout = \"csv\"")
		}
	case JSONLines:
		if c.Header {
			return fieldErr("header", "a JSON lines log has no header line")
		}
	default:
		return fieldErr("layout", "want csv, tsv or jsonl")
	}
	if strings.ContainsAny(c.Comment, "\r\n") {
		return fieldErr("comment", "a comment prefix is on one line")
	}
	return nil
}

// mapFields checks the field map against the kind and the layout.
func (f *CustomFormat) mapFields() error {
	c := &f.c
	byName := make(map[string]slot, numSlots)
	for _, s := range kindSlots[c.Kind] {
		byName[slotNames[s]] = s
	}
	f.cols[slotTime] = c.Time
	for name, col := range c.Fields {
		s, ok := byName[name]
		if !ok {
			return fieldErr("fields."+name, "not a field of a %s log (its fields: %s)", c.Kind, strings.Join(CustomFields(c.Kind), ", "))
		}
		f.cols[s] = col
	}
	if !c.Time.set() {
		return fieldErr("fields.time", "missing: every format says where the time is")
	}
	switch {
	case c.Kind == record.KindDNS && !f.cols[slotName].set():
		return fieldErr("fields.name", "missing: a dns format says where the query name is")
	case c.Kind == record.KindHTTP && !f.cols[slotHost].set() && !f.cols[slotURL].set() && !f.cols[slotPath].set():
		return fieldErr("fields", "an http format says where the host, the url or the path is")
	case c.Kind == record.KindLogon && !f.cols[slotAccount].set() && !f.cols[slotSource].set():
		return fieldErr("fields", "a logon format says where the account or the source is")
	case c.Kind == record.KindLogon && !f.cols[slotResult].set() && !f.cols[slotEventID].set():
		return fieldErr("fields", "a logon format says where the result is (or the Windows event id, which tells it)")
	case f.cols[slotURL].set() && f.cols[slotPath].set():
		return fieldErr("fields.path", "give url (split into host, path and query) or path, not both")
	}
	for s := range numSlots {
		col := f.cols[s]
		if !col.set() {
			continue
		}
		key := "fields." + slotNames[s]
		if s == slotTime {
			key += ".column"
		}
		if err := f.checkColumn(col); err != nil {
			return &FieldError{Key: key, Err: err}
		}
		f.used = append(f.used, s)
		f.need = max(f.need, col.Index)
		if c.Layout == JSONLines {
			f.paths = append(f.paths, col.Name)
		}
	}
	return nil
}

// checkColumn checks that col can be found in a line of the layout.
func (f *CustomFormat) checkColumn(col Column) error {
	c := &f.c
	switch {
	case c.Layout == JSONLines && col.Name == "":
		return errors.New("a JSON lines log names its keys: write the key (or a path such as \"request.host\"), not a number")
	case c.Layout == JSONLines:
		return checkPath(col.Name)
	case col.Name != "" && !c.Header:
		return fmt.Errorf("%q is a column name, but the format has no header line (header = true): give its number (1 for the first)", col.Name)
	case col.Name == "" && col.Index < 1:
		return fmt.Errorf("columns count from 1, not %d", col.Index)
	case col.Index > 1000:
		return fmt.Errorf("column %d: at most 1000", col.Index)
	}
	return nil
}

// checkPath refuses a JSON key path with an empty key in it.
func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") || strings.Contains(p, "..") {
		return fmt.Errorf("%q is not a key path (keys joined by dots, such as \"request.host\")", p)
	}
	return nil
}

// compileDetect checks the detection keys.
func (f *CustomFormat) compileDetect() error {
	c := &f.c
	if c.DetectHeader != "" && !c.Header {
		return fieldErr("detect.header", "the format has no header line (header = true)")
	}
	if c.DetectRegex != "" {
		re, err := regexp.Compile(c.DetectRegex)
		if err != nil {
			return fieldErr("detect.regex", "%v", err)
		}
		f.regex = re
	}
	if len(c.DetectKeys) > 0 && c.Layout != JSONLines {
		return fieldErr("detect.keys", "keys are for JSON lines logs (layout = \"jsonl\")")
	}
	if len(c.DetectKeys) > maxDetectKeys {
		return fieldErr("detect.keys", "at most %d keys", maxDetectKeys)
	}
	for _, k := range c.DetectKeys {
		if err := checkPath(k); err != nil {
			return &FieldError{Key: "detect.keys", Err: err}
		}
	}
	f.keys = c.DetectKeys
	return nil
}

// reasons writes the skip reasons once, naming the columns, so that a
// skipped line costs no formatting.
func (f *CustomFormat) reasons() {
	for _, s := range f.used {
		what := slotNames[s]
		f.missing[s] = "no " + what + " in " + f.cols[s].String()
		f.bad[s] = "bad " + what + " in " + f.cols[s].String()
	}
	f.noPath = "no host nor path"
	f.early = "time in " + f.cols[slotTime].String() + " is before 1970"
	f.late = "time in " + f.cols[slotTime].String() + " is past 9999" + f.tm.pastHint()
	f.comment = []byte(f.c.Comment)
}

// Name is the format's name.
func (f *CustomFormat) Name() string { return f.c.Name }

// Format is f as the ingest reads it.
func (f *CustomFormat) Format() Format {
	return Format{
		Name:    f.c.Name,
		Kind:    f.c.Kind,
		Detect:  func(head []byte) bool { ok, _ := f.Explain(head); return ok },
		Explain: f.Explain,
		Lines:   func() LineParser { return f.newParser() },
		// The header says where the columns are: a resumed read needs it.
		Replay: f.c.Header,
	}
}

func (f *CustomFormat) newParser() *customParser {
	p := &customParser{f: f, tm: *f.tm}
	p.csv.sep, p.csv.quote, p.csv.plain = f.c.Delimiter, f.c.Quote, f.c.NoQuote
	if f.c.Layout == TSV {
		p.csv.sep, p.csv.plain = '\t', true
	}
	for _, s := range f.used {
		p.col[s] = f.cols[s].Index - 1
	}
	p.need = f.need
	if f.c.Layout == JSONLines {
		p.walk.init(f.paths)
	}
	return p
}

// customParser reads the lines of one custom format.
type customParser struct {
	f          *CustomFormat
	csv        csvSplitter
	col        [numSlots]int // CSV, TSV: the 0-based column of each used slot
	need       int           // columns a line needs
	header     []byte        // the header line, to pass over its repeats
	headerSeen bool
	noColumn   string // a column the header lacks: every line is skipped for it
	walk       jsonWalker
	vals       [numSlots][]byte
	tm         timeReader
	rec        record.Record
}

func (p *customParser) Line(line []byte, no, off int64, replay bool, out record.Output) {
	if len(line) == 0 || p.f.isComment(line) {
		return
	}
	if p.f.c.Header && !p.headerSeen {
		p.readHeader(line)
		return
	}
	if replay || (p.header != nil && bytes.Equal(line, p.header)) {
		return
	}
	if reason := p.parse(line); reason != "" {
		if reason != passedOver {
			out.Skip(no, off, reason)
		}
		return
	}
	p.rec.Line, p.rec.Offset = no, off
	out.Record(&p.rec)
}

func (p *customParser) Flush(record.Output) {}

// isComment says whether line is a comment line of the format.
func (f *CustomFormat) isComment(line []byte) bool {
	return len(f.comment) > 0 && bytes.HasPrefix(line, f.comment)
}

// readHeader finds the named columns in the header line.
func (p *customParser) readHeader(line []byte) {
	p.headerSeen = true
	p.header = append([]byte(nil), line...)
	names, ok := p.csv.split(line)
	if !ok {
		p.noColumn = "the header line has unbalanced quotes"
		return
	}
	for _, s := range p.f.used {
		name := p.f.cols[s].Name
		if name == "" {
			continue
		}
		i := columnOf(names, name)
		if i < 0 {
			p.noColumn = "no column " + strconv.Quote(name) + " in the header line"
			return
		}
		p.col[s] = i
		p.need = max(p.need, i+1)
	}
}

// columnOf finds a column by its header name: exactly, else ignoring case
// and blanks around it; -1 when none has it.
func columnOf(names [][]byte, name string) int {
	for i, n := range names {
		if string(n) == name {
			return i
		}
	}
	for i, n := range names {
		if strings.EqualFold(string(bytes.TrimSpace(n)), name) {
			return i
		}
	}
	return -1
}

// parse fills p.rec from a data line, or says why it cannot.
func (p *customParser) parse(line []byte) string {
	if p.f.c.Layout == JSONLines {
		return p.parseJSON(line)
	}
	if p.noColumn != "" {
		return p.noColumn
	}
	f, ok := p.csv.split(line)
	if !ok {
		return "unbalanced quotes"
	}
	if len(f) < p.need {
		return strconv.Itoa(len(f)) + " fields, want at least " + strconv.Itoa(p.need)
	}
	for _, s := range p.f.used {
		p.vals[s] = bytes.TrimSpace(f[p.col[s]])
	}
	return p.fill()
}

// parseJSON fills p.rec from a JSON object.
func (p *customParser) parseJSON(line []byte) string {
	if !p.walk.walk(bytes.TrimSpace(line)) {
		return "not a JSON object"
	}
	for i, s := range p.f.used {
		v, ok := p.walk.value(i)
		if !ok {
			return p.f.bad[s]
		}
		p.vals[s] = v
	}
	return p.fill()
}

// fill makes the record from p.vals.
func (p *customParser) fill() string {
	r, v := &p.rec, &p.vals
	switch p.f.c.Kind {
	case record.KindHTTP:
		r.ResetHTTP()
	case record.KindLogon:
		r.ResetLogon()
	default:
		r.Reset()
	}
	if len(v[slotTime]) == 0 {
		return p.f.missing[slotTime]
	}
	var ok bool
	if r.Time, ok = p.tm.parse(v[slotTime]); !ok {
		return p.f.bad[slotTime]
	}
	switch {
	case r.Time < 0:
		return p.f.early
	case !inRange(r.Time):
		return p.f.late
	}
	r.Client = dash(v[slotClient])
	switch p.f.c.Kind {
	case record.KindHTTP:
		return p.fillHTTP()
	case record.KindLogon:
		return p.fillLogon()
	}
	return p.fillDNS()
}

func (p *customParser) fillDNS() string {
	r, v := &p.rec, &p.vals
	if r.Name = dash(v[slotName]); len(r.Name) == 0 {
		return p.f.missing[slotName]
	}
	var ok bool
	if b := dash(v[slotQType]); len(b) > 0 {
		if r.QType, ok = qtypeText(b); !ok {
			return p.f.bad[slotQType]
		}
	}
	if b := dash(v[slotRCode]); len(b) > 0 {
		if r.RCode, ok = rcodeText(b); !ok {
			return p.f.bad[slotRCode]
		}
	}
	if b := dash(v[slotTTL]); len(b) > 0 {
		if r.TTL, ok = ttlSeconds(b); !ok {
			return p.f.bad[slotTTL]
		}
	}
	r.Answers = dash(v[slotAnswers])
	return ""
}

// rcodeText reads a response code given as a number ("3", "3 (NXDOMAIN)")
// or a mnemonic ("NXDOMAIN", "nxdomain").
func rcodeText(b []byte) (int16, bool) {
	if sp := bytes.IndexByte(b, ' '); sp > 0 {
		b = b[:sp]
	}
	if n, ok := Atoi(b); ok {
		return int16(n), n <= 0xfff
	}
	rc := RCodeByName(b)
	return rc, rc != record.NoRCode
}

func (p *customParser) fillHTTP() string {
	r, v := &p.rec, &p.vals
	r.Method = dash(v[slotMethod])
	r.Host = dash(v[slotHost])
	if u := dash(v[slotURL]); len(u) > 0 {
		host, path, query := splitTarget(r.Method, u)
		if len(r.Host) == 0 {
			r.Host = host
		}
		r.Path, r.Query = path, query
	}
	if b := dash(v[slotPath]); len(b) > 0 {
		r.Path, r.Query, _ = bytes.Cut(b, []byte("?"))
	}
	if b := dash(v[slotQuery]); len(b) > 0 {
		r.Query = bytes.TrimPrefix(b, []byte("?"))
	}
	if len(r.Host) == 0 && len(r.Path) == 0 {
		return p.f.noPath
	}
	if b := dash(v[slotStatus]); len(b) > 0 {
		n, ok := Atoi(b)
		if !ok || n > 999 {
			return p.f.bad[slotStatus]
		}
		r.Status = int16(n)
	}
	if b := dash(v[slotBytes]); len(b) > 0 {
		n, ok := Atoi(b)
		if !ok {
			return p.f.bad[slotBytes]
		}
		r.Bytes = n
	}
	r.UserAgent = dash(v[slotUserAgent])
	r.Referer = dash(v[slotReferer])
	return ""
}

// detectLines is how many data lines detection reads.
const detectLines = 10

// Explain says whether head is in the format, and why (or why not), in
// words for longtail formats --check and the ingest's "unknown format".
// A file is in it when its header line is the one expected (detect.header,
// else one that names every column the fields use), its first data lines
// (up to 10) but one in four at most, as the access log's detection
// allows, are JSON objects (jsonl), match detect.regex and hold
// detect.keys, when given, and at least one of them gives a record. A log
// read from its middle starts with a cut line, and a stray line may come
// among the first: the ingest skips those, with their line.
func (f *CustomFormat) Explain(head []byte) (bool, string) {
	p := f.newParser()
	var why []string
	var data [][]byte
	var nos []int64
	var no int64
	for line := range headLines(head) {
		if no++; no == 1 {
			line = bytes.TrimPrefix(line, bom)
		}
		if len(bytes.TrimSpace(line)) == 0 || f.isComment(line) || (p.header != nil && bytes.Equal(line, p.header)) {
			continue
		}
		if f.c.Header && !p.headerSeen {
			if msg := f.headerMismatch(p, line); msg != "" {
				return false, fmt.Sprintf("line %d: %s", no, msg)
			}
			p.Line(line, no, 0, true, discard{})
			why = append(why, fmt.Sprintf("its header (line %d) %s", no, f.headerMatch()))
			continue
		}
		data, nos = append(data, line), append(nos, no)
		if len(data) == detectLines {
			break
		}
	}
	if f.c.Header && !p.headerSeen {
		return false, "it has no header line"
	}
	if len(data) == 0 {
		if f.c.Header {
			return true, strings.Join(why, "; ") + "; no data lines yet"
		}
		return false, "it has no lines"
	}
	keys := jsonWalker{}
	keys.init(f.keys)
	var got, off detectOut // off: the lines not in the format's shape
	for i, line := range data {
		if fault := f.shapeFault(&keys, line); fault != "" {
			off.read(fault, nos[i])
			continue
		}
		got.read(p.parse(line), nos[i])
	}
	span := fmt.Sprintf("lines %d-%d", nos[0], nos[len(nos)-1])
	if len(nos) == 1 {
		span = fmt.Sprintf("line %d", nos[0])
	}
	fault := fmt.Sprintf("line %d %s", off.firstLine, off.firstReason)
	switch {
	case off.skipped*3 <= len(data)-off.skipped:
	case off.skipped == 1:
		return false, fault
	case off.skipped == len(data):
		return false, fmt.Sprintf("none of %s is in the format (%s)", span, fault)
	default:
		return false, fmt.Sprintf("%d of %s are not in the format, more than one in four (%s)", off.skipped, span, fault)
	}
	if f.regex != nil {
		why = append(why, "its first lines match detect.regex")
	}
	if len(f.keys) > 0 {
		why = append(why, "its first lines hold detect.keys")
	}
	if off.skipped > 0 {
		why = append(why, fmt.Sprintf("but %s (not in the format: %d of %s, one in four at most may be)", fault, off.skipped, span))
	}
	switch {
	case got.records > 0:
		why = append(why, fmt.Sprintf("%d of %s give records", got.records, span))
	case f.c.Header && got.passed > 0:
		// Its header names the columns, and its first lines are other
		// events of the log (a Windows export's first logon may come
		// after hundreds of them).
		why = append(why, fmt.Sprintf("%d of %s are events of other kinds", got.passed, span))
	default:
		return false, fmt.Sprintf("%s give no record (line %d: %s)", span, got.firstLine, got.firstReason)
	}
	return true, strings.Join(why, "; ")
}

// shapeFault says why a data line is not in the format's shape (a JSON
// object holding detect.keys, matching detect.regex), or "".
func (f *CustomFormat) shapeFault(keys *jsonWalker, line []byte) string {
	if f.regex != nil && !f.regex.Match(line) {
		return "does not match detect.regex"
	}
	if f.c.Layout != JSONLines {
		return ""
	}
	if !keys.walk(bytes.TrimSpace(line)) {
		return "is not a JSON object"
	}
	for k, key := range f.keys {
		if !keys.found[k].ok {
			return fmt.Sprintf("has no key %q (detect.keys)", key)
		}
	}
	return ""
}

// headerMismatch says what is wrong with a header line, or "".
func (f *CustomFormat) headerMismatch(p *customParser, line []byte) string {
	got, ok := p.csv.split(line)
	if !ok {
		return "the header line has unbalanced quotes"
	}
	got = append([][]byte(nil), got...)
	if f.c.DetectHeader != "" {
		want, _ := p.csv.split([]byte(f.c.DetectHeader))
		same := len(want) == len(got)
		for i := 0; same && i < len(want); i++ {
			same = bytes.EqualFold(bytes.TrimSpace(want[i]), bytes.TrimSpace(got[i]))
		}
		if !same {
			return "the header line is not detect.header"
		}
		return ""
	}
	for _, s := range f.used {
		if name := f.cols[s].Name; name != "" && columnOf(got, name) < 0 {
			return fmt.Sprintf("the header line has no column %q", name)
		}
	}
	return ""
}

func (f *CustomFormat) headerMatch() string {
	if f.c.DetectHeader != "" {
		return "is detect.header"
	}
	return "names every column the fields use"
}

// detectOut counts records and skips, and keeps the first skip.
type detectOut struct {
	records, passed, skipped int
	firstLine                int64
	firstReason              string
}

// read counts what parse said of line no.
func (o *detectOut) read(reason string, no int64) {
	switch reason {
	case "":
		o.records++
	case passedOver:
		o.passed++
	default:
		if o.skipped++; o.firstReason == "" {
			o.firstLine, o.firstReason = no, reason
		}
	}
}

// passedOver is what parse returns for a line that is no event of the
// kind (a Windows event other than a logon): neither a record nor a skip.
const passedOver = "\x00passed over"

// fillLogon reads a logon. With an event id, the log is Windows': only
// its authentication events are logons (the others are passed over), and
// the id tells the result when no column does.
func (p *customParser) fillLogon() string {
	r, v := &p.rec, &p.vals
	for _, s := range kindSlots[record.KindLogon] {
		v[s] = dash(bytes.TrimSpace(v[s])) // SIEM exports write " " for none
	}
	if b := v[slotEventID]; len(b) > 0 {
		n, ok := Atoi(b)
		if !ok || n > 0xffff {
			return p.f.bad[slotEventID]
		}
		if !(&winFields{id: n}).authentication() {
			return passedOver
		}
		r.EventID = uint16(n)
	} else if p.f.cols[slotEventID].set() {
		return p.f.missing[slotEventID]
	}
	r.Client, r.Account, r.AccountDomain = v[slotSource], v[slotAccount], v[slotDomain]
	if len(r.Client) == 0 && len(r.Account) == 0 {
		return "no account nor source"
	}
	r.Target, r.LogonType, r.AuthPackage, r.Reason = v[slotTarget], v[slotLogonType], v[slotAuth], v[slotReason]
	if b := v[slotResult]; len(b) > 0 {
		if r.Result = logonResultWord(b); r.Result == nil {
			return p.f.bad[slotResult]
		}
	} else if r.Result = windowsResult(r.EventID, r.Reason); r.Result == nil {
		return p.f.missing[slotResult]
	}
	return ""
}

// logonResultWord reads a result as logs word it: "success", "Audit
// Success", "Accepted", "failure", "Failure Audit", "failed", "denied"…
// It lower-cases at most 32 bytes on the stack: a result is one or two
// words.
func logonResultWord(b []byte) []byte {
	var buf [32]byte
	l := buf[:0]
	for _, c := range b[:min(len(b), len(buf))] {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l = append(l, c)
	}
	has := func(w string) bool { return bytes.Contains(l, []byte(w)) }
	switch {
	case has("success"), has("accept"), string(l) == "ok":
		return record.LogonSuccess
	case has("fail"), has("denied"), has("reject"):
		return record.LogonFailure
	case has("invalid"), has("unknown user"):
		return record.LogonInvalidUser
	}
	return nil
}

// windowsResult is what an authentication event says of its result when
// no column does: 4625 and 4771 are failures, and so is a Kerberos or NTLM
// event whose status (mapped as the reason) is a code; the others are
// successes. Without an event id it says nothing.
func windowsResult(id uint16, status []byte) []byte {
	switch {
	case id == 0:
		return nil
	case id == winLogonFailed || id == winPreAuthFailed:
		return record.LogonFailure
	case (id == winTGT || id == winServiceTicket || id == winNTLMValidation) && winCode(status):
		return record.LogonFailure
	}
	return record.LogonSuccess
}
