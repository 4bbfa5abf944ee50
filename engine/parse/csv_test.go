package parse

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/longtail/longtail/engine/record"
)

const openDNSSample = `08/25/2016 17:20:00,s1.mohito.com,A,360,78.24.161.76
08/25/2016 17:20:00,nx.example.org,AAAA,,
2016-08-25 17:21:07,Mail.Example.COM.,mx,3600,mx1.example.com
08/25/2016 17:20:01,too,many,fields,1,2
08/25/2016 17:20:01,few,A

13/25/2016 17:20:01,bad.month.example,A,1,1.2.3.4
08/25/2016 17:20:01,bad.ttl.example,A,-1,1.2.3.4
08/25/2016 17:20:01,,A,1,1.2.3.4
08/25/2016 17:20:02,typed.example,TYPE65,1,
08/25/2016 17:20:03,huge.ttl.example,A,4294967295,1.2.3.4
08/25/2016 17:20:04,weird.type.example,NOPE,1,1.2.3.4
2016-08-25T17:22:00.5Z,iso.example,16,0,"v=spf1"
`

func TestOpenDNS(t *testing.T) {
	out := parseText(t, "opendns-csv", []byte(openDNSSample))
	checkRecords(t, out,
		gotRec{Time: micro("2016-08-25T17:20:00Z"), Name: "s1.mohito.com", QType: 1, RCode: 0, TTL: 360, Answers: "78.24.161.76", Line: 1, Offset: 0},
		gotRec{Time: micro("2016-08-25T17:20:00Z"), Name: "nx.example.org", QType: 28, RCode: record.NoRCode, TTL: record.NoTTL, Line: 2},
		gotRec{Time: micro("2016-08-25T17:21:07Z"), Name: "Mail.Example.COM.", QType: 15, RCode: 0, TTL: 3600, Answers: "mx1.example.com", Line: 3},
		gotRec{Time: micro("2016-08-25T17:20:02Z"), Name: "typed.example", QType: 65, RCode: record.NoRCode, TTL: 1, Line: 10},
		gotRec{Time: micro("2016-08-25T17:22:00.5Z"), Name: "iso.example", QType: 16, RCode: 0, TTL: 0, Answers: `"v=spf1"`, Line: 13},
	)
	if len(out.recs) != 5 {
		t.Errorf("%d records, want 5: %+v", len(out.recs), out.recs)
	}
	want := []gotSkip{
		{4, 157, "6 fields, want 5"},
		{5, 197, "3 fields, want 5"},
		{7, 224, "bad time"},
		{8, 274, "bad TTL"},
		{9, 323, "empty name"},
		{11, 400, "bad TTL"},
		{12, 458, "unknown query type"},
	}
	if !slices.Equal(out.skips, want) {
		t.Errorf("skips\n got %v\nwant %v", out.skips, want)
	}
}

// The date cache must not carry a minute over to a line of another minute
// or day.
func TestOpenDNSTimeCache(t *testing.T) {
	in := "12/31/2016 23:59:59,a,A,1,\n01/01/2017 00:00:00,b,A,1,\n01/01/2017 00:00:01,c,A,1,\n12/31/2016 23:59:58,d,A,1,\n"
	out := parseText(t, "opendns-csv", []byte(in))
	var got []int64
	for _, r := range out.recs {
		got = append(got, r.Time)
	}
	want := []int64{micro("2016-12-31T23:59:59Z"), micro("2017-01-01T00:00:00Z"), micro("2017-01-01T00:00:01Z"), micro("2016-12-31T23:59:58Z")}
	if !slices.Equal(got, want) {
		t.Errorf("times %v, want %v", got, want)
	}
}

func TestUmbrellaSample(t *testing.T) {
	data := sample(t, "dns/elastic_integrations_test-umbrella-dnslogs.log")
	out := parseText(t, "umbrella-csv", data)
	// 15 rows: `wc -l`; every rcode is NOERROR and 14 are "1 (A)", one
	// "28 (AAAA)": python3 csv.reader(skipinitialspace=True), Counter
	// over columns 7 and 8.
	if len(out.recs) != 15 || len(out.skips) != 0 {
		t.Fatalf("%d records, %d skips (%v), want 15, 0", len(out.recs), len(out.skips), out.skips)
	}
	aaaa := 0
	for _, r := range out.recs {
		if r.RCode != 0 || r.TTL != record.NoTTL || r.Answers != "" {
			t.Errorf("line %d: rcode %d ttl %d answers %q", r.Line, r.RCode, r.TTL, r.Answers)
		}
		if r.QType == 28 {
			aaaa++
		}
	}
	if aaaa != 1 {
		t.Errorf("%d AAAA records, want 1", aaaa)
	}
	checkRecords(t, out,
		gotRec{Time: micro("2020-07-23T23:49:54Z"), Client: "192.168.1.1", Name: "www.elastic.co.", QType: 1, RCode: 0, TTL: -1, Line: 1, Offset: 0},
		// Blanks after the commas between quoted fields.
		gotRec{Time: micro("2015-01-16T17:48:41Z"), Client: "10.10.1.100", Name: "domain-visited.com.", QType: 1, RCode: 0, TTL: -1, Line: 9},
		// Commas inside quoted identities.
		gotRec{Time: micro("2023-05-05T12:50:00Z"), Client: "2a02:cf40::1", Name: "us-v10c.events.data.microsoft.com.", QType: 28, RCode: 0, TTL: -1, Line: 12},
		gotRec{Time: micro("2023-05-05T12:40:01Z"), Client: "10.245.149.68", Name: "outlook.office365.com.", QType: 1, RCode: 0, TTL: -1, Line: 14},
	)
}

func TestUmbrellaEdgeCases(t *testing.T) {
	in := `"2020-07-23 23:49:54","id","a,b","10.0.0.1","1.2.3.4","Blocked","16 (TXT)","NXDOMAIN","say ""hi"".example.","cat"
"2020-07-23 23:49:55","id","a,b","10.0.0.1","1.2.3.4","Allowed","1 (A)","NOERROR
"2020-07-23 23:49:56","id","a","10.0.0.1"
"2020-07-23 23:49:57","id","a","10.0.0.2","1.2.3.4","Allowed","","","plain.example."
"2020-07-23 23:49:58","id","a","10.0.0.2","1.2.3.4","Allowed","1 (A)","WHAT","x.example."
"2020-07-23 23:49:59","id","a","10.0.0.2","1.2.3.4","Allowed","1 (A)","REFUSED","x.example." junk
`
	out := parseText(t, "umbrella-csv", []byte(in))
	checkRecords(t, out,
		gotRec{Time: micro("2020-07-23T23:49:54Z"), Client: "10.0.0.1", Name: `say "hi".example.`, QType: 16, RCode: 3, TTL: -1, Line: 1},
		gotRec{Time: micro("2020-07-23T23:49:57Z"), Client: "10.0.0.2", Name: "plain.example.", QType: 0, RCode: -1, TTL: -1, Line: 4},
	)
	reasons := out.skipList()
	want := []string{"2 unbalanced quotes", "3 4 fields, want at least 9", "5 unknown response code", "6 unbalanced quotes"}
	if len(out.recs) != 2 || !slices.Equal(reasons, want) {
		t.Errorf("%d records; skips %q, want %q", len(out.recs), reasons, want)
	}
}

func TestCSVSplitter(t *testing.T) {
	var s csvSplitter
	for in, want := range map[string][]string{
		`a,b,,c`:              {"a", "b", "", "c"},
		`"a,b", "c""d" ,e`:    {"a,b", `c"d`, "e"},
		`""`:                  {""},
		`"x""",""""`:          {`x"`, `"`},
		`,`:                   {"", ""},
		`a "b",c`:             {`a "b"`, "c"},
		`"{""k"":""v""}",end`: {`{"k":"v"}`, "end"},
	} {
		f, ok := s.split([]byte(in))
		var got []string
		for _, b := range f {
			got = append(got, string(b))
		}
		if !ok || !slices.Equal(got, want) {
			t.Errorf("split(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{`"a`, `"a"b,c`, `"a""`} {
		if _, ok := s.split([]byte(in)); ok {
			t.Errorf("split(%s) accepted", in)
		}
	}
}

func TestCSVDetect(t *testing.T) {
	umbrella := sample(t, "dns/elastic_integrations_test-umbrella-dnslogs.log")
	for _, c := range []struct {
		name string
		head []byte
		want []string
	}{
		{"opendns", []byte(openDNSSample[:157]), []string{"opendns-csv"}},
		{"opendns with a bad line among the first five", []byte(openDNSSample), nil},
		{"opendns one line without newline", []byte("08/25/2016 17:20:00,s1.mohito.com,A,360,78.24.161.76"), []string{"opendns-csv"}},
		{"umbrella", umbrella, []string{"umbrella-csv"}},
		{"opendns with a non-DNS type", []byte("08/25/2016 17:20:00,alice,login,360,ok\n"), nil},
		{"csv of something else", []byte("name,count\nexample.com,3\n"), nil},
		{"empty", nil, nil},
	} {
		if got := detectedBy(c.head, myFormats...); !slices.Equal(got, c.want) {
			t.Errorf("%s: detected by %v, want %v", c.name, got, c.want)
		}
		// Nothing registered earlier (other files' formats) claims it.
		if f, err := Detect(c.head); len(c.want) > 0 && (err != nil || f.Name != c.want[0]) {
			t.Errorf("%s: registry picks %q (%v)", c.name, f.Name, err)
		}
	}
}

func FuzzOpenDNS(f *testing.F) {
	for line := range bytes.SplitSeq([]byte(openDNSSample), []byte("\n")) {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		fuzzLines(t, "opendns-csv", line)
	})
}

func FuzzUmbrella(f *testing.F) {
	f.Add([]byte(`"2020-07-23 23:49:54","id","a,b","10.0.0.1","1.2.3.4","Blocked","16 (TXT)","NXDOMAIN","say ""hi"".example.","cat"`))
	f.Add([]byte(`"2015-01-16 17:48:41","c4", "c4", "10.10.1.100","81.2.69.144","Allowed","1 (A)", "NOERROR","android.googleapis.com."`))
	f.Fuzz(func(t *testing.T, line []byte) {
		fuzzLines(t, "umbrella-csv", line)
	})
}

// fuzzLines runs a format over arbitrary input (and its detection) and
// checks that what comes out is sane; a panic fails the fuzz run by itself.
func fuzzLines(t *testing.T, format string, data []byte) {
	f, _ := ByName(format)
	f.Detect(data)
	out := parseText(t, format, data)
	for _, r := range out.recs {
		if r.Name == "" || r.Line < 1 || r.Offset < 0 || r.Offset >= int64(len(data)) {
			t.Fatalf("bad record %+v from %q", r, data)
		}
	}
	for _, s := range out.skips {
		if s.Reason == "" || s.Line < 1 {
			t.Fatalf("bad skip %+v", s)
		}
	}
}

// BenchmarkOpenDNS measures the bulk path on lines like those of
// `longtail gen dns --format csv`.
func BenchmarkOpenDNS(b *testing.B) {
	benchLines(b, "opendns-csv", openDNSBench())
}

// openDNSBench is 8 MiB of OpenDNS CSV.
func openDNSBench() []byte {
	var buf bytes.Buffer
	types := []string{"A", "AAAA", "TXT", "MX", "CNAME"}
	for i := 0; buf.Len() < 8<<20; i++ {
		fmt.Fprintf(&buf, "08/25/2016 17:%02d:%02d,host%d.sub%d.example%d.com,%s,%d,10.%d.%d.%d\n",
			i/60000%60, i/1000%60, i%977, i%31, i%7919, types[i%len(types)], 60+i%3600, i%256, i/256%256, i%200)
	}
	return buf.Bytes()
}

// benchLines parses data repeatedly with the named format and reports MB/s;
// it fails if anything is skipped, so that the benchmark measures the
// success path.
func benchLines(b *testing.B, format string, data []byte) {
	f, _ := ByName(format)
	out := &countOut{}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p := f.Lines()
		if _, err := ScanLines(b.Context(), bytes.NewReader(data), p, Position{}, Resume{}, true, out); err != nil {
			b.Fatal(err)
		}
		p.Flush(out)
	}
	if out.skips > 0 {
		b.Fatalf("%d lines skipped", out.skips)
	}
	b.ReportMetric(float64(out.recs)/b.Elapsed().Seconds(), "records/s")
}

// countOut counts, so that benchmarks measure the parser, not a collector.
type countOut struct{ recs, skips int }

func (o *countOut) Record(*record.Record)     { o.recs++ }
func (o *countOut) Skip(int64, int64, string) { o.skips++ }
