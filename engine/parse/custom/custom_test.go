package custom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
)

// examples is the folder of the format files shipped with longtail.
const examples = "../../../examples/formats"

// noUserFormats points the user's formats folder at an empty one, so that
// the tests do not read the formats of whoever runs them.
func noUserFormats(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	return filepath.Join(dir, "longtail", "formats")
}

// use registers the format files for the test.
func use(t *testing.T, files ...string) *Set {
	t.Helper()
	s, err := Use(files)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Release)
	return s
}

// check runs Check over a file.
func check(t *testing.T, set *Set, path string, limit int) (*Preview, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Check(context.Background(), f, set, limit)
}

// shown is a column of the records a Preview shows, as text.
func shown(p *Preview, name string) []string {
	var out []string
	for i, c := range p.Records.Columns {
		if c == name {
			for _, row := range p.Records.Rows {
				out = append(out, sprint(row[i]))
			}
		}
	}
	return out
}

func sprint(v any) string { return fmt.Sprint(v) }

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// The shipped examples read their sample logs: the talk's five-field CSV
// (one line in another date form skipped, with its reason) and a Caddy
// JSON access log.
func TestExamples(t *testing.T) {
	noUserFormats(t)
	set := use(t, filepath.Join(examples, "opendns5.toml"), filepath.Join(examples, "caddy.toml"))

	p, err := check(t, set, filepath.Join(examples, "opendns5.csv"), 100)
	if err != nil {
		t.Fatal(err)
	}
	if p.Format.Name != "opendns5" || p.Why != "its header (line 1) is detect.header; 9 of lines 2-11 give records" || p.Lines != 13 {
		t.Errorf("opendns5: %q %q %d lines", p.Format.Name, p.Why, p.Lines)
	}
	if len(p.Records.Rows) != 11 || len(p.Skipped.Rows) != 1 || sprint(p.Skipped.Rows[0][:3]) != `[11 583 bad time in "timestamp"]` {
		t.Errorf("opendns5: %d records, skipped %v", len(p.Records.Rows), p.Skipped.Rows)
	}
	if got := strings.Join(shown(p, "rcode"), " "); got != "NOERROR NOERROR NOERROR NOERROR NXDOMAIN NXDOMAIN NXDOMAIN NOERROR NXDOMAIN NXDOMAIN SERVFAIL" {
		t.Errorf("opendns5 rcodes: %s", got)
	}
	if len(p.Declined) != 1 || p.Declined[0].Name != "caddy" || p.Declined[0].Why != "none of lines 1-10 is in the format (line 1 is not a JSON object)" {
		t.Errorf("opendns5 declined: %+v", p.Declined)
	}

	p, err = check(t, set, filepath.Join(examples, "caddy.log"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.Format.Name != "caddy" || p.Format.Kind != record.KindHTTP || len(p.Records.Rows) != 3 || len(p.Skipped.Rows) != 0 {
		t.Fatalf("caddy: %q %v %d records %v", p.Format.Name, p.Format.Kind, len(p.Records.Rows), p.Skipped.Rows)
	}
	if got := sprint(p.Records.Rows[1][3:]); got != "[GET shop.example /static/app.css v=12 200 5120 Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0 https://shop.example/]" {
		t.Errorf("caddy record: %s", got)
	}
}

// A broken format file is an error naming the file, the line and the key,
// never a panic.
func TestBrokenFormatFiles(t *testing.T) {
	const good = "name = \"x\"\nkind = \"dns\"\nlayout = \"csv\"\nheader = true\n\n[fields]\ntime = \"t\"\nname = \"n\"\n"
	for _, c := range []struct{ src, want string }{
		{good + "qtype = [1]\n", `f.toml:9: fields.qtype: want a column's name ("ts"), its number (3), or for the time a table { column = …, layout = … }, not []interface {}`},
		{strings.Replace(good, `kind = "dns"`, `kind = "smtp"`, 1), `f.toml:2: kind: "smtp" is not one (want dns, http or logon)`},
		{strings.Replace(good, `kind = "dns"`+"\n", "", 1), `f.toml: kind: missing (want dns, http or logon)`},
		{strings.Replace(good, `layout = "csv"`, `layout = "xml"`, 1), `f.toml:3: layout: "xml" is not one (want csv, tsv or jsonl)`},
		{strings.Replace(good, "header = true", "header = \"yes\"", 1), `f.toml:4: header: incompatible types: TOML value has type string; destination has type boolean`},
		{good + "method = \"m\"\n", `f.toml:9: fields.method: not a field of a dns log (its fields: time, client, name, qtype, rcode, answers, ttl)`},
		{good + "ttl = 0\n", `f.toml:9: fields.ttl: columns count from 1, not 0`},
		{strings.Replace(good, `time = "t"`, `time = { column = "t", layout = "YYYY-MM-DD hh:mm" }`, 1), `f.toml:7: fields.time.layout: layout "YYYY-MM-DD hh:mm" does not hold a whole date and time`},
		{strings.Replace(good, `time = "t"`, `time = { column = "t", zone = "UTC" }`, 1), `f.toml:7: fields.time: unknown key "zone"`},
		{strings.Replace(good, `time = "t"`+"\n", "", 1) + "[fields.time]\ncolumn = \"t\"\ntimezone = \"Moon/Base\"\n", `f.toml:10: fields.time.timezone: unknown time zone "Moon/Base"`},
		{good + "client = { column = \"c\", layout = \"unix\" }\n", `f.toml:9: fields.client: only the time is a table`},
		{good + "[detect]\nregex = '(['\n", "f.toml:10: detect.regex: error parsing regexp: missing closing ]"},
		{good + "[detect]\nhedaer = \"t,n\"\n", "f.toml:10: detect.hedaer: unknown key ([detect] has header, regex and keys)"},
		{"nmae = \"x\"\n" + good, "f.toml:1: nmae: unknown key (a format file has name, kind, layout"},
		{good + "delimiter = \";;\"\n", `f.toml:9: fields.delimiter: not a field of a dns log`},
		{strings.Replace(good, "header = true", "header = true\ndelimiter = \";;\"", 1), `f.toml:5: delimiter: want one ASCII character, not ";;"`},
		{strings.Replace(good, `layout = "csv"`, `layout = "jsonl"`, 1), `f.toml:4: header: a JSON lines log has no header line`},
		{strings.Replace(good, "name = \"n\"\n", "", 1), `f.toml:6: fields.name: missing: a dns format says where the query name is`},
		{"name = \"x\"\nkind = \"dns\n", `f.toml:2: kind: strings cannot contain newlines`},
		{"name = \"x\"\nname = \"y\"\n", `f.toml:2: name: Key 'name' has already been defined.`},
		{"\x00", `f.toml:1: files cannot contain NULL bytes; probably using UTF-16; TOML files must be UTF-8`},
		{"{\"name\": \"x\", \"kind\": \"dns\"}\n", `f.toml:1: a format file is TOML (name = "…", [fields] …), not JSON`},
	} {
		_, err := Parse("f.toml", []byte(c.src))
		var fe *Error
		if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("got  %v\nwant %s…\nfor %q", err, c.want, c.src)
		}
	}
}

// FuzzParse: any format file is a format or an Error, never a panic; a
// format it gives reads its own text without panicking.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"opendns5.toml", "caddy.toml", "snare-siem.toml"} {
		b, err := os.ReadFile(filepath.Join(examples, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("name=\"t\"\nkind=\"http\"\nlayout=\"tsv\"\n[fields]\ntime={column=1,layout=\"%d/%b/%Y:%H:%M:%S %z\",timezone=\"-05:00\"}\nurl=2\n[detect]\nregex='^\\d'\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		cf, err := Parse("f.toml", src)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.File != "f.toml" || fe.Line < 0 {
				t.Fatalf("not an Error: %#v", err)
			}
			return
		}
		cf.Explain(src)
		p := cf.Format().Lines()
		for i, line := range bytes.Split(src, []byte("\n")) {
			p.Line(line, int64(i+1), 0, false, discard{})
		}
	})
}

type discard struct{}

func (discard) Record(*record.Record)     {}
func (discard) Skip(int64, int64, string) {}

// The user's folder ($XDG_CONFIG_HOME/longtail/formats) is read with the
// files given; a file given overrides one of the folder with its name;
// two of the folder with one name, or a built-in's name, are errors; and
// Release takes the formats out of detection again.
func TestLoadAndUse(t *testing.T) {
	dir := noUserFormats(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, name, layout string) string {
		src := "name = \"" + name + "\"\nkind = \"dns\"\nlayout = \"" + layout + "\"\n[fields]\ntime = 1\nname = 2\n"
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write(filepath.Join(dir, "a.toml"), "mine", "tsv")
	write(filepath.Join(dir, "notes.txt"), "ignored", "tsv")
	given := write(filepath.Join(t.TempDir(), "given.toml"), "mine", "csv")

	set := use(t)
	if f := set.Lookup("mine"); f == nil || f.Origin != filepath.Join(dir, "a.toml") {
		t.Fatalf("folder: %+v", set.Formats())
	}
	if _, ok := parse.ByName("mine"); !ok {
		t.Fatal("not registered")
	}
	set.Release()
	if _, ok := parse.ByName("mine"); ok {
		t.Fatal("still registered after Release")
	}

	set = use(t, given)
	if len(set.Formats()) != 1 || set.Lookup("mine").Origin != given {
		t.Errorf("a file given overrides the folder's: %+v", set.Formats())
	}
	set.Release()

	write(filepath.Join(dir, "b.toml"), "mine", "tsv")
	if _, err := Use(nil); err == nil || !strings.Contains(err.Error(), "b.toml:1: name: \"mine\" is the name of the format in "+filepath.Join(dir, "a.toml")+" too") {
		t.Errorf("two of one name: %v", err)
	}
	os.Remove(filepath.Join(dir, "b.toml"))
	write(filepath.Join(dir, "b.toml"), "zeek-json", "tsv")
	if _, err := Use(nil); err == nil || !strings.Contains(err.Error(), `b.toml:1: name: a format named "zeek-json" exists already`) {
		t.Errorf("a built-in's name: %v", err)
	}
	if _, ok := parse.ByName("mine"); ok {
		t.Error("a failed Use left formats registered")
	}
	if _, err := Use([]string{filepath.Join(dir, "missing.toml")}); err == nil || !os.IsNotExist(errors.Unwrap(err)) && !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing file: %v", err)
	}
}

// A JSON lines log read from its middle (its first line cut) is its format
// file's still: the cut line is skipped, on its line.
func TestCheckCutJSON(t *testing.T) {
	noUserFormats(t)
	set := use(t, filepath.Join(examples, "caddy.toml"))
	log, err := os.ReadFile(filepath.Join(examples, "caddy.log"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Check(context.Background(), bytes.NewReader(log[40:]), set, 100)
	if err != nil || p.Format.Name != "caddy" || len(p.Records.Rows) != 7 || len(p.Skipped.Rows) != 1 ||
		sprint(p.Skipped.Rows[0][:3]) != "[1 0 not a JSON object]" {
		t.Fatalf("got %v %+v", err, p)
	}
}

// The skipped lines Check lists stop at maxSkipsShown, and it counts the
// others: the list of 20 read as all there were where ingest said 24.
func TestCheckCountsTheSkipsItDoesNotList(t *testing.T) {
	noUserFormats(t)
	set := use(t, filepath.Join(examples, "opendns5.toml"))
	var b strings.Builder
	b.WriteString("timestamp,client,qname,qtype,response\n")
	for i := range 5 {
		fmt.Fprintf(&b, "2024-03-04 10:00:%02d,10.0.0.1,a%d.example.com,A,NOERROR\n", i, i)
	}
	for range maxSkipsShown + 7 {
		b.WriteString("no fields here\n")
	}
	b.WriteString("2024-03-04 10:01:00,10.0.0.1,b.example.com,A,NOERROR\n")
	p, err := Check(context.Background(), strings.NewReader(b.String()), set, 100)
	if err != nil || len(p.Skipped.Rows) != maxSkipsShown || p.SkippedUnshown != 7 {
		t.Fatalf("got %v: %d skips listed, %d not", err, len(p.Skipped.Rows), p.SkippedUnshown)
	}
}

// Without a format that takes it, Check says why each format file did not.
func TestCheckUnknown(t *testing.T) {
	noUserFormats(t)
	set := use(t, filepath.Join(examples, "opendns5.toml"), filepath.Join(examples, "caddy.toml"))
	p, err := Check(context.Background(), strings.NewReader("when,who,what\n1,2,3\n"), set, 10)
	// The detection's error says why too, for the ingest to show.
	if err == nil || !strings.Contains(err.Error(), "unknown format") || !strings.Contains(err.Error(), "; caddy: none of lines 1-2 is in the format") ||
		p == nil || len(p.Declined) != 2 ||
		p.Declined[0].Why != "line 1: the header line is not detect.header" || p.Declined[1].Why != "none of lines 1-2 is in the format (line 1 is not a JSON object)" {
		t.Errorf("got %v %+v", err, p)
	}
	if _, err := Check(context.Background(), strings.NewReader(""), set, 10); err == nil {
		t.Error("an empty file")
	}
}

// sampleFile is a file of the shared sample data, or the test skips.
func sampleFile(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	return p
}

// sampleFormat is a sample file with the format a format file's text
// describes.
func sampleFormat(t *testing.T, rel, src string) (string, *parse.CustomFormat) {
	t.Helper()
	path := sampleFile(t, rel)
	cf, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return path, cf
}

// tool runs a shell pipeline over the samples, or skips without it.
func tool(t *testing.T, name, pipeline string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s absent", name)
	}
	out, err := exec.Command("sh", "-c", pipeline).Output()
	if err != nil {
		t.Fatalf("%s: %v", pipeline, err)
	}
	return strings.TrimSpace(string(out))
}

// tally counts records by a key of them, and skips by reason.
type tally struct {
	records int
	key     func(*record.Record) string
	by      map[string]int
	skips   map[string]int
}

func (o *tally) Record(r *record.Record) {
	o.records++
	if o.key != nil {
		o.by[o.key(r)]++
	}
}

func (o *tally) Skip(_, _ int64, reason string) { o.skips[reason]++ }

// counts reads "N key" lines (uniq -c) into a map.
func counts(s string) map[string]int {
	m := map[string]int{}
	for _, l := range strings.Split(s, "\n") {
		n, k, _ := strings.Cut(strings.TrimSpace(l), " ")
		m[k] = atoi(n)
	}
	return m
}

// A real Zeek http.log in JSON, read through a format file as an HTTP log
// (its "id.orig_h" a literal dotted key): as many requests as jq finds,
// with the same methods and statuses.
func TestRealZeekHTTPJSON(t *testing.T) {
	path, cf := sampleFormat(t, "zeek/slips_test9-mixed-zeek-dir_http.log", `
name = "zeek-http-json"
kind = "http"
layout = "jsonl"
[fields]
time = { column = "ts", layout = "unix" }
client = "id.orig_h"
method = "method"
host = "host"
url = "uri"
status = "status_code"
bytes = "response_body_len"
user_agent = "user_agent"
referer = "referrer"
`)
	out := readAllBy(t, cf, path, nil)
	lines := atoi(tool(t, "jq", "jq -c . "+path+" | wc -l"))
	if out.records != lines || len(out.skips) != 0 {
		t.Errorf("%d records, skips %v; jq reads %d rows", out.records, out.skips, lines)
	}
	for _, c := range []struct {
		jq  string
		key func(*record.Record) string
	}{
		{`.method`, func(r *record.Record) string { return string(r.Method) }},
		{`.status_code // 0`, func(r *record.Record) string { return sprint(r.Status) }},
		{`."id.orig_h"`, func(r *record.Record) string { return string(r.Client) }},
	} {
		want := counts(tool(t, "jq", "jq -r '"+c.jq+"' "+path+" | sort | uniq -c"))
		out := readAllBy(t, cf, path, c.key)
		if d := diff(out.by, want); d != "" {
			t.Errorf("by %s, got vs jq:\n%s", c.jq, d)
		}
	}
}

// readAllBy runs a format over a whole file, as the ingest would,
// counting the records by key.
func readAllBy(t *testing.T, cf *parse.CustomFormat, path string, key func(*record.Record) string) *tally {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := &tally{by: map[string]int{}, skips: map[string]int{}, key: key}
	if _, err := parse.ScanLines(context.Background(), f, cf.Format().Lines(), parse.Position{}, parse.Resume{}, true, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A real SIEM export (a quoted field holds the delimiter), read by header
// names: awk counts the rows by client and response code, and the rows it
// skips: a blank domain (no name), a code written "dr  noerror".
func TestRealSIEMCSVByHeaderNames(t *testing.T) {
	path, cf := sampleFormat(t, "dns/acandeias_siem_export_windows_dns_debug.csv", `
name = "siem-dns"
kind = "dns"
layout = "csv"
header = true
[fields]
time = "meta_ts"
client = "srcipv4"
name = "domain"
qtype = "querytypename"
rcode = "result"
`)
	head, _ := os.ReadFile(path)
	if ok, why := cf.Explain(head[:min(len(head), parse.HeadSize)]); !ok {
		t.Fatalf("not detected: %s", why)
	}
	out := readAllBy(t, cf, path, func(r *record.Record) string { return string(r.Client) + "/" + parse.RCodeName(r.RCode) })
	// awk splits on every comma: the quoted "windows,dns" shifts the
	// domain, column 21, to $22.
	const blank = `$22 ~ /^ *$/`
	awk := counts(tool(t, "awk", `awk -F, 'NR > 1 && $2 !~ / / && !(`+blank+`) { print $1 "/" toupper($2) }' `+path+" | sort | uniq -c"))
	if d := diff(out.by, awk); d != "" {
		t.Errorf("records by client and rcode, got vs awk:\n%s", d)
	}
	want := map[string]int{
		`no name in "domain"`:   atoi(tool(t, "awk", `awk -F, 'NR > 1 && `+blank+`' `+path+" | wc -l")),
		`bad rcode in "result"`: atoi(tool(t, "awk", `awk -F, 'NR > 1 && $2 ~ / / && !(`+blank+`)' `+path+" | wc -l")),
	}
	if sprint(out.skips) != sprint(want) || want[`bad rcode in "result"`] == 0 {
		t.Errorf("skips %v, awk %v", out.skips, want)
	}
}

// diff lists the keys whose counts differ.
func diff(got, want map[string]int) string {
	var b strings.Builder
	for k, n := range got {
		if want[k] != n {
			fmt.Fprintf(&b, "  %s: %d vs %d\n", k, n, want[k])
		}
	}
	for k, n := range want {
		if _, ok := got[k]; !ok {
			fmt.Fprintf(&b, "  %s: 0 vs %d\n", k, n)
		}
	}
	return b.String()
}

// The shipped Snare example on the real SIEM export: the Windows
// authentication events whose account or source the SIEM parsed are
// logons, counted per event id as sqlite3's CSV import counts them; those
// it did not parse are skipped with their reason; every other event of
// the export is passed over, neither read nor skipped.
func TestRealSnareExample(t *testing.T) {
	path := sampleFile(t, "windows/acandeias_siem_export_snare_mswineventlog.csv")
	set := use(t, filepath.Join(examples, "snare-siem.toml"))
	head, _ := os.ReadFile(path)
	if f, err := parse.Detect(head[:min(len(head), parse.HeadSize)]); err != nil || f.Name != "snare-siem" {
		t.Fatalf("detected as %q: %v", f.Name, err)
	}
	cf := set.Lookup("snare-siem").CustomFormat
	out := readAllBy(t, cf, path, func(r *record.Record) string { return strconv.Itoa(int(r.EventID)) })
	const auth = `eventid IN ('4624','4625','4648','4672','4768','4769','4771','4776')`
	query := func(q string) string {
		return tool(t, "sqlite3", `sqlite3 :memory: -cmd ".import --csv `+path+` t" "`+q+`"`)
	}
	want := counts(strings.ReplaceAll(query(`SELECT count(*) || ' ' || eventid FROM t WHERE `+auth+
		` AND (trim(username) <> '' OR trim(srcipv4) <> '') GROUP BY eventid`), "|", " "))
	if d := diff(out.by, want); d != "" || want["4624"] != 78 {
		t.Errorf("logons by event id, got vs sqlite3:\n%s", d)
	}
	unparsed := atoi(query(`SELECT count(*) FROM t WHERE ` + auth + ` AND trim(username) = '' AND trim(srcipv4) = ''`))
	if sprint(out.skips) != sprint(map[string]int{"no account nor source": unparsed}) {
		t.Errorf("skips %v, sqlite3 counts %d events without account nor source", out.skips, unparsed)
	}
}
