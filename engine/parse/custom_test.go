package parse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/record"
)

// compile compiles c or fails the test.
func compile(t testing.TB, c Custom) *CustomFormat {
	t.Helper()
	f, err := c.Compile()
	if err != nil {
		t.Fatalf("compile %s: %v", c.Name, err)
	}
	return f
}

// use registers a custom format for the test.
func use(t testing.TB, c Custom) Format {
	t.Helper()
	f := compile(t, c).Format()
	remove, err := Register(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	return f
}

// The hand-written DNS CSV: a header naming the columns, a byte order
// mark, a repeated header (two exports concatenated), a comment, quoted
// fields holding the delimiter, qtypes and rcodes as numbers and names,
// "-" for none, and broken lines, each skipped with its reason.
var dnsCSV = Custom{
	Name: "test-dns-csv", Kind: record.KindDNS, Layout: CSV, Header: true, Comment: "#",
	Time:   Column{Name: "timestamp"},
	Fields: map[string]Column{"client": {Name: "client"}, "name": {Name: "qname"}, "qtype": {Name: "qtype"}, "rcode": {Name: "response"}},
}

const dnsCSVText = "\ufefftimestamp,client,qname,qtype,response\n" +
	"2024-03-05 13:04:05,10.0.0.1,www.example.com,A,NOERROR\n" +
	"2024-03-05T13:04:06.25Z, 10.0.0.2 ,\"odd,name.example\",28,nxdomain\n" +
	"# a comment\n" +
	"timestamp,client,qname,qtype,response\n" +
	"2024-03-05 13:04:07+01:00,-,txt.example.org,16,3\n" +
	"2024-03-05 13:04:08,10.0.0.1,,A,NOERROR\n" +
	"yesterday,10.0.0.1,late.example,A,NOERROR\n" +
	"2024-03-05 13:04:09,10.0.0.1,bad.example,NOPE,NOERROR\n" +
	"2024-03-05 13:04:10,10.0.0.1,short.example\n" +
	"2024-03-05 13:04:11,10.0.0.1,\"open.example,A,NOERROR\n" +
	"2024-03-05 13:04:12,10.0.0.3,last.example,,\n"

func TestCustomCSVByHeaderName(t *testing.T) {
	out := runLines(t, compile(t, dnsCSV).newParser(), []byte(dnsCSVText))
	checkSequence(t, out, dnsCSVText, []gotRec{
		{Line: 2, Time: micro("2024-03-05T13:04:05Z"), Client: "10.0.0.1", Name: "www.example.com", QType: 1, RCode: 0, TTL: record.NoTTL},
		{Line: 3, Time: micro("2024-03-05T13:04:06.25Z"), Client: "10.0.0.2", Name: "odd,name.example", QType: 28, RCode: 3, TTL: record.NoTTL},
		{Line: 6, Time: micro("2024-03-05T12:04:07Z"), Name: "txt.example.org", QType: 16, RCode: 3, TTL: record.NoTTL},
		{Line: 12, Time: micro("2024-03-05T13:04:12Z"), Client: "10.0.0.3", Name: "last.example", RCode: record.NoRCode, TTL: record.NoTTL},
	})
	want := []string{
		`7 no name in "qname"`,
		`8 bad time in "timestamp"`,
		`9 bad qtype in "qtype"`,
		"10 3 fields, want at least 5",
		"11 unbalanced quotes",
	}
	if got := out.skipList(); !equalStrings(got, want) {
		t.Errorf("skips:\n got %q\nwant %q", got, want)
	}
}

func equalStrings(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

// A TSV without a header, by column number, with a semicolon CSV beside
// it: the delimiter and the quote are the format's.
func TestCustomTSVByIndexAndDelimiters(t *testing.T) {
	tsv := compile(t, Custom{Name: "t", Kind: record.KindDNS, Layout: TSV,
		Time: Column{Index: 1}, TimeLayout: "unix",
		Fields: map[string]Column{"client": {Index: 2}, "name": {Index: 4}, "qtype": {Index: 3}, "answers": {Index: 5}, "ttl": {Index: 6}}})
	text := "1709643845.5\t10.0.0.9\tAAAA\tv6.example\t2001:db8::1,2001:db8::2\t300\n" +
		"1709643846\t10.0.0.9\t1\t\"quoted\tname\"\t\t60.000000\n"
	out := runLines(t, tsv.newParser(), []byte(text))
	checkSequence(t, out, text, []gotRec{
		{Line: 1, Time: micro("2024-03-05T13:04:05.5Z"), Client: "10.0.0.9", Name: "v6.example", QType: 28, RCode: record.NoRCode, TTL: 300, Answers: "2001:db8::1,2001:db8::2"},
		{Line: 2, Time: micro("2024-03-05T13:04:06Z"), Client: "10.0.0.9", Name: `"quoted`, QType: 1, RCode: record.NoRCode, TTL: record.NoTTL, Answers: "name\""},
	})

	semi := compile(t, Custom{Name: "s", Kind: record.KindDNS, Layout: CSV, Delimiter: ';', Quote: '\'',
		Time: Column{Index: 1}, TimeLayout: "%d/%m/%Y %H:%M:%S", TimeZone: "+02:00",
		Fields: map[string]Column{"name": {Index: 2}, "rcode": {Index: 3}}})
	text = "05/03/2024 15:04:05;'a;b.example';SERVFAIL\n"
	out = runLines(t, semi.newParser(), []byte(text))
	checkSequence(t, out, text, []gotRec{
		{Line: 1, Time: micro("2024-03-05T13:04:05Z"), Name: "a;b.example", RCode: 2, TTL: record.NoTTL},
	})
}

// httpOut is what runHTTP read: the records without their offsets, the
// skips as "line reason".
type httpOut struct {
	recs  []gotHTTP
	skips []string
}

func runHTTP(t testing.TB, f *CustomFormat, text string) *httpOut {
	t.Helper()
	var got gotOut
	if _, err := ScanLines(context.Background(), strings.NewReader(text), f.newParser(), Position{}, Resume{}, true, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.recs) > 0 {
		t.Fatalf("an HTTP format gave DNS records: %+v", got.recs)
	}
	out := &httpOut{recs: got.http}
	for i := range out.recs {
		out.recs[i].Offset = 0
	}
	for _, sk := range got.skips {
		out.skips = append(out.skips, fmt.Sprint(sk.Line, " ", sk.Reason))
	}
	return out
}

// An HTTP JSON log with nested keys (a Caddy-like access log): a literal
// dotted key wins over the nested one, arrays of header values are
// joined, escapes are decoded, an absolute URL gives the host when the
// log has none, "-" and null are nothing.
var httpJSON = Custom{
	Name: "test-http-json", Kind: record.KindHTTP, Layout: JSONLines,
	Time: Column{Name: "ts"}, TimeLayout: "unix",
	Fields: map[string]Column{
		"client": {Name: "request.remote_ip"}, "method": {Name: "request.method"}, "host": {Name: "request.host"},
		"url": {Name: "request.uri"}, "status": {Name: "status"}, "bytes": {Name: "size"},
		"user_agent": {Name: "request.headers.User-Agent"}, "referer": {Name: "request.headers.Referer"},
	},
}

const httpJSONText = `{"level":"info","ts":1709643845.123456,"msg":"handled request","request":{"remote_ip":"10.0.0.5","method":"GET","host":"shop.example","uri":"/cart?id=7&x=%20","headers":{"User-Agent":["curl/8.5.0"],"Referer":["https://shop.example/"]}},"size":512,"status":200}
{"ts":1709643846,"request":{"remote_ip":"10.0.0.6","method":"POST","uri":"http://proxy.example:8080/login#top","headers":{"User-Agent":["Mozilla/5.0 \"quoted\" \u00e9\ud83d\ude00"]}},"request.remote_ip":"192.0.2.1","size":null,"status":302}
{"ts":1709643847,"request":{"uri":"-","host":"-"},"status":404}
{"ts":1709643848,"request":{"uri":"/x","headers":{"User-Agent":{"nested":1}}},"status":200}
{"ts":"soon","request":{"uri":"/x"}}
{"ts":1709643849,"request":{"uri":"/x"},"status":"two hundred"}
not json
{"ts":1709643850,"request":{"uri":"/x"}} trailing
{"level":"info","msg":"server running"}
`

func TestCustomJSONLinesHTTP(t *testing.T) {
	out := runHTTP(t, compile(t, httpJSON), httpJSONText)
	want := []gotHTTP{
		{Time: micro("2024-03-05T13:04:05.123456Z"), Client: "10.0.0.5", Method: "GET", Host: "shop.example", Path: "/cart", Query: "id=7&x=%20",
			UserAgent: "curl/8.5.0", Referer: "https://shop.example/", Status: 200, Bytes: 512, Line: 1},
		{Time: micro("2024-03-05T13:04:06Z"), Client: "192.0.2.1", Method: "POST", Host: "proxy.example:8080", Path: "/login",
			UserAgent: "Mozilla/5.0 \"quoted\" é😀", Status: 302, Bytes: record.NoBytes, Line: 2},
	}
	if fmt.Sprint(out.recs) != fmt.Sprint(want) {
		t.Errorf("records:\n got %+v\nwant %+v", out.recs, want)
	}
	wantSkips := []string{
		"3 no host nor path",
		`4 bad user_agent in "request.headers.User-Agent"`,
		`5 bad time in "ts"`,
		`6 bad status in "status"`,
		"7 not a JSON object",
		"8 not a JSON object",
		`9 no time in "ts"`,
	}
	if !equalStrings(out.skips, wantSkips) {
		t.Errorf("skips:\n got %q\nwant %q", out.skips, wantSkips)
	}
}

// An HTTP CSV whose target is a path with its query, and one with path
// and query in columns of their own.
func TestCustomCSVHTTPPathAndQuery(t *testing.T) {
	f := compile(t, Custom{Name: "h", Kind: record.KindHTTP, Layout: CSV, Header: true,
		Time: Column{Name: "date"}, TimeLayout: "02/Jan/2006:15:04:05 -0700",
		Fields: map[string]Column{"client": {Name: "ip"}, "method": {Name: "verb"}, "path": {Name: "target"}, "query": {Name: "q"},
			"status": {Name: "code"}, "bytes": {Name: "len"}, "user_agent": {Name: "ua"}}})
	text := "date,ip,verb,target,q,code,len,ua\n" +
		"05/Mar/2024:14:04:05 +0100,10.1.1.1,GET,/a/b?c=d,,200,-,\"Go-http-client/1.1\"\n" +
		"05/Mar/2024:14:04:06 +0100,10.1.1.1,GET,/s,?term=x,404,12,-\n"
	out := runHTTP(t, f, text)
	want := []gotHTTP{
		{Time: micro("2024-03-05T13:04:05Z"), Client: "10.1.1.1", Method: "GET", Path: "/a/b", Query: "c=d", UserAgent: "Go-http-client/1.1", Status: 200, Bytes: record.NoBytes, Line: 2},
		{Time: micro("2024-03-05T13:04:06Z"), Client: "10.1.1.1", Method: "GET", Path: "/s", Query: "term=x", Status: 404, Bytes: 12, Line: 3},
	}
	if fmt.Sprint(out.recs) != fmt.Sprint(want) || len(out.skips) > 0 {
		t.Errorf("records:\n got %+v %q\nwant %+v", out.recs, out.skips, want)
	}
}

// A logon format: results in the words logs use, a Windows event id that
// passes over the other events and tells a result no column gives (a
// status code makes a Kerberos event a failure), blanks as none, and the
// lines that are no logon skipped with their reason.
func TestCustomCSVLogons(t *testing.T) {
	f := compile(t, Custom{Name: "l", Kind: record.KindLogon, Layout: CSV, Header: true, Time: Column{Name: "ts"},
		Fields: map[string]Column{"event_id": {Name: "id"}, "account": {Name: "user"}, "domain": {Name: "dom"},
			"source": {Name: "ip"}, "target": {Name: "host"}, "logon_type": {Name: "type"}, "result": {Name: "sev"}, "reason": {Name: "status"}}})
	text := "ts,id,user,dom,ip,host,type,sev,status\n" +
		"2024-03-05T13:04:05Z,4624,alice,CORP,10.0.0.5,dc1,3,Success Audit,\n" +
		"2024-03-05T13:04:06Z,4625,bob,CORP,10.0.0.6,dc1,3,failure audit,0xc000006a\n" +
		"2024-03-05T13:04:07Z,4634,alice,CORP,10.0.0.5,dc1,3,Success Audit,\n" +
		"2024-03-05T13:04:08Z,4771,carol,,10.0.0.7,dc1,, ,0x18\n" +
		"2024-03-05T13:04:09Z,4768,dave,CORP,10.0.0.8,dc1,,,0x6\n" +
		"2024-03-05T13:04:10Z,4624, , , ,dc1,3,Success Audit,\n" +
		"2024-03-05T13:04:11Z,4624,erin,CORP,10.0.0.9,dc1,3,maybe,\n" +
		"2024-03-05T13:04:12Z,x,erin,CORP,10.0.0.9,dc1,3,Success Audit,\n"
	out := runLines(t, f.newParser(), []byte(text))
	at := func(line int64, sec string, id uint16, l gotLogon) gotLogon {
		l.Line, l.Time, l.EventID, l.Target = line, micro("2024-03-05T13:04:"+sec+"Z"), id, "dc1"
		return l
	}
	checkAt(t, out.logon, []gotLogon{
		at(2, "05", 4624, gotLogon{Account: "alice", Domain: "CORP", Client: "10.0.0.5", Type: "3", Result: "success"}),
		at(3, "06", 4625, gotLogon{Account: "bob", Domain: "CORP", Client: "10.0.0.6", Type: "3", Result: "failure", Reason: "0xc000006a"}),
		at(5, "08", 4771, gotLogon{Account: "carol", Client: "10.0.0.7", Result: "failure", Reason: "0x18"}),
		at(6, "09", 4768, gotLogon{Account: "dave", Domain: "CORP", Client: "10.0.0.8", Result: "failure", Reason: "0x6"}),
	})
	want := []string{"7 no account nor source", `8 bad result in "sev"`, `9 bad event_id in "id"`}
	if len(out.logon) != 4 || fmt.Sprint(out.skipList()) != fmt.Sprint(want) {
		t.Errorf("%d logons, skips %q, want 4 and %q", len(out.logon), out.skipList(), want)
	}
	// A logon format says where the result is, or the event id.
	_, err := (&Custom{Name: "l", Kind: record.KindLogon, Layout: CSV, Time: Column{Index: 1},
		Fields: map[string]Column{"account": {Index: 2}}}).Compile()
	if err == nil || !strings.Contains(err.Error(), "where the result is") {
		t.Errorf("a format without result nor event id: %v", err)
	}
}

// Each time layout a format file may name, and a default zone applied to
// the times that carry none (across a daylight saving change) but not to
// those that do.
func TestCustomTimeLayouts(t *testing.T) {
	for _, c := range []struct{ layout, zone, in, want string }{
		{"", "", "2024-03-05 13:04:05", "2024-03-05T13:04:05Z"},
		{"iso8601", "Europe/Paris", "2024-03-05 13:04:05", "2024-03-05T12:04:05Z"},
		{"iso8601", "Europe/Paris", "2024-07-05 13:04:05.5", "2024-07-05T11:04:05.5Z"},
		{"rfc3339", "Europe/Paris", "2024-07-05T13:04:05Z", "2024-07-05T13:04:05Z"},
		{"iso8601", "-05:00", "03/05/2024 13:04:05", "2024-03-05T18:04:05Z"},
		{"unix", "", "1709643845", "2024-03-05T13:04:05Z"},
		{"unix", "", "1.709643845123e9", "2024-03-05T13:04:05.123Z"},
		{"unix_ms", "", "1709643845123", "2024-03-05T13:04:05.123Z"},
		{"unix_ms", "", "1709643845123.5", "2024-03-05T13:04:05.1235Z"},
		{"unix_us", "", "1709643845123456", "2024-03-05T13:04:05.123456Z"},
		{"unix_ns", "", "1709643845123456789", "2024-03-05T13:04:05.123456Z"},
		{"%Y-%m-%dT%H:%M:%S.%f", "", "2024-03-05T13:04:05.250000", "2024-03-05T13:04:05.25Z"},
		{"%d/%b/%Y:%H:%M:%S %z", "", "05/Mar/2024:14:04:05 +0100", "2024-03-05T13:04:05Z"},
		{"Jan _2 15:04:05 2006", "America/New_York", "Mar  5 08:04:05 2024", "2024-03-05T13:04:05Z"},
	} {
		r, err := newTimeReader(c.layout, c.zone)
		if err != nil {
			t.Errorf("%q %q: %v", c.layout, c.zone, err)
			continue
		}
		for range 2 { // the second read comes from the caches
			if got, ok := r.parse([]byte(c.in)); !ok || got != micro(c.want) {
				t.Errorf("%q in %q %q = %v %v, want %s", c.in, c.layout, c.zone, time.UnixMicro(got).UTC(), ok, c.want)
			}
		}
	}
	for _, c := range []struct{ layout, in string }{
		{"unix", "-5"}, {"unix", "12a"}, {"unix_ms", "1."}, {"unix_ns", "1.x"}, {"unix", ""}, {"iso8601", "2024-13-05 13:04:05"},
		{"2006-01-02 15:04:05", "2024-03-05"}, {"%Y-%m-%d %H:%M:%S", ""},
	} {
		r, _ := newTimeReader(c.layout, "")
		if got, ok := r.parse([]byte(c.in)); ok {
			t.Errorf("%q in %q = %v, want an error", c.in, c.layout, got)
		}
	}
}

// A time that does not exist, or is outside 1970-9999, skips its line with
// why: a unix time past 9999 names the finer units it may be in, and is
// not guessed to be in one.
func TestCustomTimeOutOfRange(t *testing.T) {
	for _, c := range []struct{ layout, zone, in, reason string }{
		{"unix", "", "1709643845123", `time in column 1 is past 9999 as seconds: milliseconds or microseconds? (layout = "unix_ms" or "unix_us")`},
		{"unix", "", "1709643845123456", `time in column 1 is past 9999 as seconds: milliseconds or microseconds? (layout = "unix_ms" or "unix_us")`},
		{"unix", "", "1.709643845123456e15", `time in column 1 is past 9999 as seconds: milliseconds or microseconds? (layout = "unix_ms" or "unix_us")`},
		{"unix_ms", "", "1709643845123456", `time in column 1 is past 9999 as milliseconds: microseconds or nanoseconds? (layout = "unix_us" or "unix_ns")`},
		{"unix_us", "", "1709643845123456789", `time in column 1 is past 9999 as microseconds: nanoseconds? (layout = "unix_ns")`},
		{"", "", "2024-02-30 13:04:05", "bad time in column 1"},
		{"", "", "2024-03-05 24:04:05", "bad time in column 1"},
		{"", "+01:00", "1970-01-01 00:30:00", "time in column 1 is before 1970"},
		{"%d/%b/%Y:%H:%M:%S", "", "30/Feb/2024:13:04:05", "bad time in column 1"},
		{"2006-01-02 15:04:05", "", "1969-12-31 23:59:59", "time in column 1 is before 1970"},
	} {
		f := compile(t, Custom{Name: "t", Kind: record.KindDNS, Layout: TSV, Time: Column{Index: 1},
			TimeLayout: c.layout, TimeZone: c.zone, Fields: map[string]Column{"name": {Index: 2}}})
		out := runLines(t, f.newParser(), []byte(c.in+"\ta.example\n"))
		if want := []string{"1 " + c.reason}; len(out.recs) != 0 || !equalStrings(out.skipList(), want) {
			t.Errorf("%q in %q: records %+v, skips %q, want %q", c.in, c.layout, out.recs, out.skipList(), want)
		}
	}
}

// A Custom that cannot be read says which key of the format file is at
// fault, and why.
func TestCustomCompileErrors(t *testing.T) {
	base := func() Custom {
		return Custom{Name: "x", Kind: record.KindDNS, Layout: CSV, Header: true,
			Time: Column{Name: "t"}, Fields: map[string]Column{"name": {Name: "n"}}}
	}
	for _, c := range []struct {
		edit    func(*Custom)
		key, in string
	}{
		{func(c *Custom) { c.Name = "Bad Name" }, "name", "not a format name"},
		{func(c *Custom) { c.Kind = record.Kind(200) }, "kind", "reads dns, http or logon logs"},
		{func(c *Custom) { c.Layout = 0 }, "layout", "want csv, tsv or jsonl"},
		{func(c *Custom) { c.Delimiter = '\n' }, "delimiter", "line break"},
		{func(c *Custom) { c.Quote = ',' }, "quote", "both ','"},
		{func(c *Custom) { c.Layout = TSV; c.Delimiter = ';' }, "delimiter", "split on tabs"},
		{func(c *Custom) { c.Layout = JSONLines }, "header", "no header line"},
		{func(c *Custom) { c.Fields["method"] = Column{Index: 1} }, "fields.method", "not a field of a dns log (its fields: time, client, name, qtype"},
		{func(c *Custom) { c.Time = Column{} }, "fields.time", "missing"},
		{func(c *Custom) { delete(c.Fields, "name") }, "fields.name", "missing"},
		{func(c *Custom) { c.Header = false }, "fields.time.column", `"t" is a column name, but the format has no header line`},
		{func(c *Custom) {
			c.Fields["qtype"] = Column{Index: 0, Name: ""}
			c.Fields["client"] = Column{Index: -2}
		}, "fields.client", "count from 1"},
		{func(c *Custom) { c.Layout, c.Header = JSONLines, false; c.Fields["name"] = Column{Name: "a..b"} }, "fields.name", "not a key path"},
		{func(c *Custom) { c.Layout, c.Header = JSONLines, false; c.Fields["name"] = Column{Index: 2} }, "fields.name", "names its keys"},
		{func(c *Custom) { c.TimeLayout = "YYYY-MM-DD" }, "fields.time.layout", `layout "YYYY-MM-DD" does not hold a whole date and time`},
		{func(c *Custom) { c.TimeLayout = "%Y-%m-%d %Q" }, "fields.time.layout", "%Q is not a strftime directive"},
		{func(c *Custom) { c.TimeLayout = "%s" }, "fields.time.layout", `write layout = "unix"`},
		{func(c *Custom) { c.TimeZone = "Mars/Olympus" }, "fields.time.timezone", `unknown time zone "Mars/Olympus"`},
		{func(c *Custom) { c.DetectRegex = "(" }, "detect.regex", "missing closing )"},
		{func(c *Custom) { c.DetectKeys = []string{"a"} }, "detect.keys", "for JSON lines"},
		{func(c *Custom) {
			c.Header = false
			c.DetectHeader = "a"
			c.Time, c.Fields = Column{Index: 1}, map[string]Column{"name": {Index: 2}}
		}, "detect.header", "no header line"},
	} {
		cu := base()
		c.edit(&cu)
		_, err := cu.Compile()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Key != c.key || !strings.Contains(err.Error(), c.in) {
			t.Errorf("want %s: …%s…, got %v", c.key, c.in, err)
		}
	}
	http := Custom{Name: "h", Kind: record.KindHTTP, Layout: JSONLines, Time: Column{Name: "t"}, Fields: map[string]Column{"method": {Name: "m"}}}
	if _, err := http.Compile(); err == nil || !strings.Contains(err.Error(), "fields: an http format says where the host, the url or the path is") {
		t.Errorf("http without host or path: %v", err)
	}
	http.Fields = map[string]Column{"url": {Name: "u"}, "path": {Name: "p"}}
	if _, err := http.Compile(); err == nil || !strings.Contains(err.Error(), "fields.path: give url") {
		t.Errorf("http with url and path: %v", err)
	}
}

// Detection: a custom format takes its own files, says why, and says why
// not for the others; registered, it is tried after the built-in formats
// with a signature and before the lenient ones.
func TestCustomDetect(t *testing.T) {
	csv := compile(t, dnsCSV)
	if ok, why := csv.Explain([]byte(dnsCSVText)); !ok || why != "its header (line 1) names every column the fields use; 4 of lines 2-12 give records" {
		t.Errorf("own file: %v %q", ok, why)
	}
	for _, c := range []struct{ head, why string }{
		{"time,client,qname,qtype,response\n", `line 1: the header line has no column "timestamp"`},
		{"timestamp,client,qname,qtype,response\nyesterday,a,b,A,NOERROR\n", `line 2 give no record (line 2: bad time in "timestamp")`},
		{"", "it has no header line"},
		{openDNSSample, `line 1: the header line has no column "timestamp"`},
	} {
		if ok, why := csv.Explain([]byte(c.head)); ok || !strings.Contains(why, c.why) {
			t.Errorf("%q: %v %q, want …%s…", c.head, ok, why, c.why)
		}
	}
	if ok, why := csv.Explain([]byte("timestamp,client,qname,qtype,response\n")); !ok || !strings.Contains(why, "no data lines yet") {
		t.Errorf("header only: %v %q", ok, why)
	}

	exact := dnsCSV
	exact.DetectHeader = "Timestamp, Client, QName, QType, Response"
	if ok, why := compile(t, exact).Explain([]byte(dnsCSVText)); !ok || !strings.Contains(why, "is detect.header") {
		t.Errorf("detect.header: %v %q", ok, why)
	}
	exact.DetectHeader = "timestamp,client,qname,qtype"
	if ok, why := compile(t, exact).Explain([]byte(dnsCSVText)); ok || !strings.Contains(why, "is not detect.header") {
		t.Errorf("detect.header differs: %v %q", ok, why)
	}

	js := httpJSON
	js.DetectKeys = []string{"ts", "request.uri"}
	jsLines := strings.Split(httpJSONText, "\n")
	if ok, why := compile(t, js).Explain([]byte(jsLines[0] + "\n" + jsLines[8] + "\n")); ok || why != `line 2 has no key "ts" (detect.keys)` {
		t.Errorf("keys: %v %q", ok, why)
	}
	if ok, why := compile(t, js).Explain([]byte(httpJSONText)); ok || why != "3 of lines 1-9 are not in the format, more than one in four (line 7 is not a JSON object)" {
		t.Errorf("keys: %v %q", ok, why)
	}
	if ok, why := compile(t, js).Explain([]byte(jsLines[0] + "\n" + jsLines[1] + "\n")); !ok ||
		why != "its first lines hold detect.keys; 2 of lines 1-2 give records" {
		t.Errorf("keys: %v %q", ok, why)
	}
	re := dnsCSV
	re.DetectRegex = `^\d{4}-`
	if ok, why := compile(t, re).Explain([]byte(dnsCSVText)); !ok || !strings.Contains(why, "but line 8 does not match detect.regex (not in the format: 1 of lines 2-12") {
		t.Errorf("regex, one line in nine not: %v %q", ok, why)
	}
	re.DetectRegex = `^\d{4}-\d\d-\d\d 13:04:0`
	if ok, why := compile(t, re).Explain([]byte(dnsCSVText)); ok || why != "5 of lines 2-12 are not in the format, more than one in four (line 3 does not match detect.regex)" {
		t.Errorf("regex, five lines in nine not: %v %q", ok, why)
	}

	// A log read from its middle starts with a cut line, and a stray line
	// may come among the first: one in four at most is let through, and
	// the ingest skips it with its line.
	caddy := strings.Repeat(jsLines[0]+"\n", 9)
	for _, c := range []struct{ head, why string }{
		{jsLines[0][40:] + "\n" + caddy, "but line 1 is not a JSON object (not in the format: 1 of lines 1-10, one in four at most may be); 9 of lines 1-10 give records"},
		{jsLines[0] + "\nstray\n" + caddy, "but line 2 is not a JSON object (not in the format: 1 of lines 1-10, one in four at most may be); 9 of lines 1-10 give records"},
	} {
		for _, f := range []*CustomFormat{compile(t, js), compile(t, httpJSON)} {
			if ok, why := f.Explain([]byte(c.head)); !ok || !strings.HasSuffix(why, c.why) {
				t.Errorf("%.40q: %v %q, want …%s", c.head, ok, why, c.why)
			}
		}
	}

	// Registered, the custom format comes before opendns-csv, which reads
	// five-column CSVs too (so that a user's lenient format takes them:
	// longtail formats --check says so), but after zeek-json.
	opendns := []byte(openDNSSample[:157])
	if f, err := Detect(opendns); err != nil || f.Name != "opendns-csv" {
		t.Errorf("opendns: %q %v", f.Name, err)
	}
	five := use(t, Custom{Name: "test-five", Kind: record.KindDNS, Layout: CSV,
		Time: Column{Index: 1}, Fields: map[string]Column{"client": {Index: 2}, "name": {Index: 3}, "qtype": {Index: 4}, "answers": {Index: 5}}})
	if f, err := Detect(opendns); err != nil || f.Name != five.Name {
		t.Errorf("five columns: %q %v", f.Name, err)
	}
	use(t, Custom{Name: "test-zeek-like", Kind: record.KindDNS, Layout: JSONLines,
		Time: Column{Name: "ts"}, TimeLayout: "unix", Fields: map[string]Column{"name": {Name: "query"}}})
	if f, err := Detect([]byte(zeekJSONLine)); err != nil || f.Name != "zeek-json" {
		t.Errorf("zeek json: %q %v", f.Name, err)
	}
}

func TestRegisterNames(t *testing.T) {
	f := compile(t, Custom{Name: "opendns-csv", Kind: record.KindDNS, Layout: TSV, Time: Column{Index: 1}, Fields: map[string]Column{"name": {Index: 2}}})
	if _, err := Register(f.Format()); err == nil || !strings.Contains(err.Error(), `a format named "opendns-csv" exists already`) {
		t.Errorf("a built-in name: %v", err)
	}
	g := compile(t, Custom{Name: "test-twice", Kind: record.KindDNS, Layout: TSV, Time: Column{Index: 1}, Fields: map[string]Column{"name": {Index: 2}}})
	remove, err := Register(g.Format())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Register(g.Format()); err == nil {
		t.Error("registered one name twice")
	}
	remove()
	remove()
	if _, ok := ByName("test-twice"); ok {
		t.Error("still registered after remove")
	}
	remove, err = Register(g.Format())
	if err != nil {
		t.Fatalf("registered again after remove: %v", err)
	}
	remove()
}

// Formats come and go while files are detected (the commands of one
// process, tests): the registry is guarded (run with -race).
func TestRegisterWhileDetecting(t *testing.T) {
	f := compile(t, Custom{Name: "test-racing", Kind: record.KindDNS, Layout: TSV, Time: Column{Index: 1}, Fields: map[string]Column{"name": {Index: 2}}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			remove, err := Register(f.Format())
			if err != nil {
				t.Error(err)
				return
			}
			remove()
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
			Detect([]byte(openDNSSample))
			ByName("test-racing")
		}
	}
}

// A header format replays its header on a resumed read: split anywhere,
// a log read in two runs gives the records of one.
func TestCustomHeaderResume(t *testing.T) {
	f := use(t, dnsCSV)
	if !f.Replay {
		t.Fatal("a format with a header line must replay it")
	}
	one := runLines(t, f.Lines(), []byte(dnsCSVText))
	for k := 1; k < strings.Count(dnsCSVText, "\n"); k++ {
		two := readInTwo(t, f.Name, []byte(dnsCSVText), k)
		if d := firstDiff(byProvenance(two.recs), byProvenance(one.recs)); d != "none" {
			t.Errorf("split after line %d: %s", k, d)
		}
	}
}

// The record path allocates nothing per line, for a CSV by header name
// (ISO and strftime times) and for JSON lines with nested keys and
// escapes.
func TestCustomNoAllocations(t *testing.T) {
	strf := dnsCSV
	strf.TimeLayout = "%Y-%m-%d %H:%M:%S"
	for _, c := range []struct {
		name string
		f    Custom
		text string
	}{
		{"csv iso", dnsCSV, "timestamp,client,qname,qtype,response\n2024-03-05 13:04:05,10.0.0.1,www.example.com,A,NOERROR\n2024-03-05 13:04:06,10.0.0.1,\"a,b\",AAAA,3\n"},
		{"csv strftime", strf, "timestamp,client,qname,qtype,response\n2024-03-05 13:04:05,10.0.0.1,www.example.com,A,NOERROR\n2024-03-05 13:04:06,10.0.0.1,x.example,AAAA,3\n"},
		{"jsonl", httpJSON, strings.Join(strings.Split(httpJSONText, "\n")[:2], "\n")},
	} {
		f := compile(t, c.f)
		p := f.newParser()
		lines := bytes.Split([]byte(c.text), []byte("\n"))
		var out countOut
		for i, l := range lines {
			p.Line(l, int64(i+1), 0, false, &out) // warm: the header, the buffers
		}
		allocs := testing.AllocsPerRun(100, func() {
			for i, l := range lines[1:] {
				p.Line(l, int64(i+2), 0, false, &out)
			}
		})
		if allocs != 0 || out.skips != 0 {
			t.Errorf("%s: %v allocations per run, %d skips", c.name, allocs, out.skips)
		}
	}
}

// FuzzCustomLine: any line, through formats of each layout, gives at most
// one record or one skip, never panics, and a record has a time and its
// subject.
func FuzzCustomLine(f *testing.F) {
	for _, l := range strings.Split(dnsCSVText+httpJSONText, "\n") {
		f.Add([]byte(l))
	}
	f.Add([]byte("1709643845.5\t10.0.0.9\tAAAA\tv6.example\t2001:db8::1\t300"))
	f.Add([]byte("2024-03-05T13:04:08Z,4771,carol,10.0.0.7, ,0x18"))
	f.Add([]byte(`{"a.b":{"c":"\ud83d\ude00"},"a":{"b.c":1,"b":{"c":[1,"x",null]}}}`))
	header := []byte("timestamp,client,qname,qtype,response")
	formats := []*CustomFormat{
		compile(f, dnsCSV),
		compile(f, httpJSON),
		compile(f, Custom{Name: "t", Kind: record.KindDNS, Layout: TSV, Time: Column{Index: 1}, TimeLayout: "unix",
			Fields: map[string]Column{"client": {Index: 2}, "qtype": {Index: 3}, "name": {Index: 4}, "answers": {Index: 5}, "ttl": {Index: 6}}}),
		compile(f, Custom{Name: "j", Kind: record.KindDNS, Layout: JSONLines, Time: Column{Name: "a.b.c"}, TimeLayout: "%Y %j %H:%M",
			Fields: map[string]Column{"name": {Name: "a.b"}, "answers": {Name: "a"}, "rcode": {Name: "x.y.z"}}}),
		compile(f, Custom{Name: "u", Kind: record.KindHTTP, Layout: CSV, Quote: '\'', Delimiter: '|', Time: Column{Index: 2}, TimeLayout: "unix_ns",
			Fields: map[string]Column{"url": {Index: 1}, "status": {Index: 3}, "bytes": {Index: 4}}}),
		compile(f, Custom{Name: "l", Kind: record.KindLogon, Layout: CSV, Time: Column{Index: 1},
			Fields: map[string]Column{"event_id": {Index: 2}, "account": {Index: 3}, "source": {Index: 4}, "result": {Index: 5}, "reason": {Index: 6}}}),
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, cf := range formats {
			p := cf.newParser()
			p.Line(header, 1, 0, false, &countOut{})
			var out countOut
			check := &checkOut{t: t, inner: &out}
			p.Line(line, 2, 40, false, check)
			if out.recs+out.skips > 1 {
				t.Fatalf("%s: %d records, %d skips from one line", cf.Name(), out.recs, out.skips)
			}
			cf.Explain(line)
		}
	})
}

// checkOut checks each record as it comes.
type checkOut struct {
	t     *testing.T
	inner record.Output
}

func (o *checkOut) Record(r *record.Record) {
	if r.Line != 2 || r.Offset != 40 || (r.Kind == record.KindDNS && len(r.Name) == 0) ||
		(r.Kind == record.KindHTTP && len(r.Host) == 0 && len(r.Path) == 0) || bytes.IndexByte(r.Path, '?') >= 0 ||
		(r.Kind == record.KindLogon && (len(r.Result) == 0 || len(r.Account)+len(r.Client) == 0)) {
		o.t.Fatalf("bad record %+v", r)
	}
	o.inner.Record(r)
}

func (o *checkOut) Skip(line, off int64, reason string) {
	if reason == "" {
		o.t.Fatal("a skip without a reason")
	}
	o.inner.Skip(line, off, reason)
}

// BenchmarkCustomCSV reads the data of BenchmarkOpenDNS through a format
// file's description of the same five columns: the cost of a format
// described instead of written.
func BenchmarkCustomCSV(b *testing.B) {
	f := use(b, Custom{Name: "bench-opendns", Kind: record.KindDNS, Layout: CSV,
		Time:   Column{Index: 1},
		Fields: map[string]Column{"name": {Index: 2}, "qtype": {Index: 3}, "ttl": {Index: 4}, "answers": {Index: 5}}})
	benchLines(b, f.Name, openDNSBench())
}

// BenchmarkCustomJSON reads the data of BenchmarkZeekJSON through a
// format file (id.orig_h a literal dotted key, answers an array).
func BenchmarkCustomJSON(b *testing.B) {
	f := use(b, Custom{Name: "bench-zeek", Kind: record.KindDNS, Layout: JSONLines,
		Time: Column{Name: "ts"},
		Fields: map[string]Column{"client": {Name: "id.orig_h"}, "name": {Name: "query"}, "qtype": {Name: "qtype"},
			"rcode": {Name: "rcode"}, "answers": {Name: "answers"}}})
	benchLines(b, f.Name, zeekJSONBench())
}
