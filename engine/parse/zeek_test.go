package parse

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/record"
)

func TestZeekTSVSamples(t *testing.T) {
	for _, c := range []struct {
		file          string
		recs, skips   int
		root, noRCode int
	}{
		// Counted with
		//   zcat -f FILE | awk -F'\t' '/^#fields/{for(i=2;i<=NF;i++){if($i=="query")q=i-1; if($i=="rcode")r=i-1}}
		//     /^#/{next} {rows++} $q=="-"{noq++} $q=="(empty)"{root++} $q!="-" && $r=="-"{norc++}
		//     END{print rows, noq, root, norc}'
		// records = rows - noq; skips = noq.
		{"zeek/acandeias_dns.log", 21, 0, 0, 7},
		{"zeek/rita_open_conns_open_dns.log", 34, 0, 0, 2},
		{"zeek/rita_proxy_dns.log", 942, 0, 0, 686},
		{"zeek/rita_proxy_rolling_dns.16_00_00-17_00_00.log.gz", 3189 - 7, 7, 0, 10},
		{"zeek/wrccdc2018_zeek_tsv_dns.log.gz", 53615 - 2, 2, 12, 9497},
		{"zeek/otrf_lsass_campaign01/dns.log", 96 - 68, 68, 0, 27},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := sample(t, c.file)
			if got := detectedBy(data, myFormats...); !slices.Equal(got, []string{"zeek-tsv"}) {
				t.Errorf("detected by %v", got)
			}
			out := parseText(t, "zeek-tsv", data)
			if len(out.recs) != c.recs || len(out.skips) != c.skips {
				t.Errorf("%d records, %d skips, want %d, %d", len(out.recs), len(out.skips), c.recs, c.skips)
			}
			root, noRCode := 0, 0
			for _, r := range out.recs {
				if r.Name == "." {
					root++
				}
				if r.RCode == record.NoRCode {
					noRCode++
				}
			}
			if root != c.root || noRCode != c.noRCode {
				t.Errorf("%d root queries, %d without rcode; want %d, %d", root, noRCode, c.root, c.noRCode)
			}
			for _, s := range out.skips {
				if s.Reason != "no query" {
					t.Errorf("skip %+v", s)
				}
			}
		})
	}
}

func TestZeekTSVRecords(t *testing.T) {
	out := parseText(t, "zeek-tsv", sample(t, "zeek/acandeias_dns.log"))
	// `date -u -d @1286954335`; fields 3, 9, 12, 14, 21, 22 of line 9.
	checkRecords(t, out,
		gotRec{Time: micro("2010-10-13T07:18:55.115032Z"), Client: "192.168.2.46", Name: "wpad", QType: 1, RCode: 0, TTL: 60, Answers: "10.179.172.193", Line: 9, Offset: 429},
		gotRec{Time: micro("2010-10-13T07:22:27.23999Z"), Client: "192.168.2.47", Name: "irc.zief.pl", QType: 1, RCode: 0, TTL: 60, Answers: "10.179.172.193", Line: 29},
	)
	if ttl := sumTTL(out); ttl != 840 {
		// awk: per row the smallest of split($22, ",") (int), summed.
		t.Errorf("sum of TTLs %d, want 840", ttl)
	}
}

// The brimdata sample has the same capture logged as TSV and as JSON: both
// parsers must agree record for record (lines differ by the TSV's eight
// header lines).
func TestZeekTSVAndJSONAgree(t *testing.T) {
	tsv := parseText(t, "zeek-tsv", sample(t, "zeek/wrccdc2018_zeek_tsv_dns.log.gz"))
	js := parseText(t, "zeek-json", sample(t, "zeek/wrccdc2018_zeek_json_dns.json.gz"))
	// jq -s 'map(select(.query==null))|length' → 2 skipped rows; 53615 rows.
	if len(js.recs) != 53613 || len(js.skips) != 2 || len(tsv.recs) != len(js.recs) {
		t.Fatalf("json %d records %d skips, tsv %d records", len(js.recs), len(js.skips), len(tsv.recs))
	}
	for i, j := range js.recs {
		w := tsv.recs[i]
		j.Line, j.Offset, w.Offset = j.Line+8, 0, 0
		if j != w {
			t.Fatalf("record %d:\n json %+v\n  tsv %+v", i, j, w)
		}
	}
	// jq: sum over rows with a query of floor(min(TTLs)); the same with awk
	// over the TSV.
	if ttl := sumTTL(js); ttl != 153356706 {
		t.Errorf("sum of TTLs %d, want 153356706", ttl)
	}
	checkRecords(t, tsv,
		gotRec{Time: micro("2018-03-24T17:15:20.865716Z"), Client: "10.47.1.100", Name: "ise.wrccdc.org", QType: 1, RCode: 0, TTL: 2230, Answers: "ise.wrccdc.cpp.edu,134.71.3.16", Line: 9, Offset: 442},
		// query "(empty)": the root, asked of a root server.
		gotRec{Time: micro("2018-03-24T17:18:14.801298Z"), Client: "10.47.3.142", Name: ".", QType: 2, RCode: record.NoRCode, TTL: record.NoTTL, Line: 7290},
		gotRec{Time: micro("2018-03-24T17:36:30.151237Z"), Client: "172.31.255.5", Name: "talk.google.com", QType: 1, RCode: record.NoRCode, TTL: record.NoTTL, Line: 53623},
	)
}

func sumTTL(out *gotOut) int64 {
	var s int64
	for _, r := range out.recs {
		if r.TTL != record.NoTTL {
			s += int64(r.TTL)
		}
	}
	return s
}

func TestZeekJSONSamples(t *testing.T) {
	for _, c := range []struct {
		file                   string
		recs, noRCode, sumTTLs int
	}{
		// zcat -f FILE | jq -s -c '[length, (map(select(.query==null))|length),
		//   (map(select(.query!=null and .rcode==null))|length),
		//   (map(select(.query!=null and .TTLs!=null)|(.TTLs|min|floor))|add)]'
		// (no row lacks a query in these three)
		{"zeek/rita_json_with_all_fields_dns.log", 34, 2, 4440},
		{"zeek/slips_test9-mixed-zeek-dir_dns.log", 239, 49, 148626},
		// id_orig_h instead of id.orig_h.
		{"zeek/otrf_apt29_day1_NASHUA_dns.log", 21, 7, 6976},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := sample(t, c.file)
			if got := detectedBy(data, myFormats...); !slices.Equal(got, []string{"zeek-json"}) {
				t.Errorf("detected by %v", got)
			}
			out := parseText(t, "zeek-json", data)
			noRCode := 0
			for _, r := range out.recs {
				if r.RCode == record.NoRCode {
					noRCode++
				}
				if r.Client == "" {
					t.Errorf("line %d: no client", r.Line)
				}
			}
			if len(out.recs) != c.recs || len(out.skips) != 0 || noRCode != c.noRCode || sumTTL(out) != int64(c.sumTTLs) {
				t.Errorf("%d records, %d skips, %d without rcode, TTL sum %d; want %d, 0, %d, %d",
					len(out.recs), len(out.skips), noRCode, sumTTL(out), c.recs, c.noRCode, c.sumTTLs)
			}
		})
	}
	out := parseText(t, "zeek-json", sample(t, "zeek/slips_test9-mixed-zeek-dir_dns.log"))
	// jq -c 'select(.TTLs|length>1)|[input_line_number, ...]'
	checkRecords(t, out, gotRec{Time: micro("1970-01-01T00:00:30.037934Z"), Client: "10.0.2.15", Name: "www.msftncsi.com", QType: 1, RCode: 0, TTL: 20,
		Answers: "www.msftncsi.com.edgesuite.net,a1961.g2.akamai.net,195.113.232.73,195.113.232.75", Line: 5})
}

// Rows the fast scanner declines go through encoding/json and come out the
// same; rows that are not DNS events are skipped with a reason.
func TestZeekJSONSlowPathAndSkips(t *testing.T) {
	in := `{"ts":1.5,"id.orig_h":"10.0.0.1","query":"plain.example","qtype":1,"rcode":0,"answers":["1.2.3.4","5.6.7.8"],"TTLs":[60.0,30.5]}
{"ts":1.5e0,"id.orig_h":"10.0.0.1","query":"esc\u0061ped.example","qtype":1.0,"rcode":0,"answers":["1.2.3.4","5.6.7.8"],"TTLs":[60.0,30.5],"x":{"y":[1,{"z":"\""}]}}
{"ts":"2018-03-24T17:15:20.865716+01:00","id.orig_h":"10.0.0.2","query":"iso.example","qtype":28,"answers":[],"TTLs":[]}
{"ts":2,"id.orig_h":"10.0.0.3","query":null,"rcode":2}
{"_path":"conn","ts":2,"id.orig_h":"10.0.0.3"}
{"ts":2,"query":"x.example"
not json
{"ts":"yesterday","query":"x.example"}
{"ts":3, "query" : "" , "qtype" : 2 }

`
	out := parseText(t, "zeek-json", []byte(in))
	checkRecords(t, out,
		gotRec{Time: micro("1970-01-01T00:00:01.5Z"), Client: "10.0.0.1", Name: "plain.example", QType: 1, RCode: 0, TTL: 30, Answers: "1.2.3.4,5.6.7.8", Line: 1},
		gotRec{Time: micro("1970-01-01T00:00:01.5Z"), Client: "10.0.0.1", Name: "escaped.example", QType: 1, RCode: 0, TTL: 30, Answers: "1.2.3.4,5.6.7.8", Line: 2},
		gotRec{Time: micro("2018-03-24T16:15:20.865716Z"), Client: "10.0.0.2", Name: "iso.example", QType: 28, RCode: -1, TTL: -1, Line: 3},
		gotRec{Time: micro("1970-01-01T00:00:03Z"), Name: ".", QType: 2, RCode: -1, TTL: -1, Line: 9},
	)
	skips := out.skipList()
	want := []string{"4 no query", "5 zeek conn row, not dns", "6 invalid JSON", "7 invalid JSON", "8 bad ts"}
	if len(out.recs) != 4 || !slices.Equal(skips, want) {
		t.Errorf("%d records, skips %q, want 4, %q", len(out.recs), skips, want)
	}
}

// A log written with other separators and markers, two logs concatenated
// (the second with its columns in another order), and a conn log after
// them.
func TestZeekTSVHeaders(t *testing.T) {
	in := strings.Join([]string{
		`#separator \x7c`,
		`#set_separator|;`,
		`#empty_field|EMPTY`,
		`#unset_field|NONE`,
		`#path|dns`,
		`#fields|ts|id.orig_h|query|qtype|rcode|answers|TTLs`,
		`#types|time|addr|string|count|count|vector[string]|vector[interval]`,
		`10.000001|10.0.0.1|a.example|1|0|1.1.1.1;2.2.2.2|5.000000;3.000000`,
		`11|10.0.0.1|EMPTY|2|NONE|NONE|NONE`,
		`12|10.0.0.1|NONE|1|0|NONE|NONE`,
		`13|10.0.0.1|short`,
		`14|10.0.0.1|b.example|x|0|NONE|NONE`,
		`#close|2024`,
		"#separator \\x09",
		"#path\tdns",
		"#fields\tquery\tts\tTTLs\tid.orig_h",
		"c.example\t15.5\t-\t10.0.0.9",
		"#separator \\x09",
		"#path\tconn",
		"#fields\tts\tuid\tid.orig_h",
		"16\tCabc\t10.0.0.1",
	}, "\n")
	out := parseText(t, "zeek-tsv", []byte(in))
	checkRecords(t, out,
		gotRec{Time: micro("1970-01-01T00:00:10.000001Z"), Client: "10.0.0.1", Name: "a.example", QType: 1, RCode: 0, TTL: 3, Answers: "1.1.1.1,2.2.2.2", Line: 8},
		gotRec{Time: micro("1970-01-01T00:00:11Z"), Client: "10.0.0.1", Name: ".", QType: 2, RCode: -1, TTL: -1, Line: 9},
		gotRec{Time: micro("1970-01-01T00:00:15.5Z"), Client: "10.0.0.9", Name: "c.example", RCode: -1, TTL: -1, Line: 17},
	)
	skips := out.skipList()
	want := []string{"10 no query", "11 3 fields, want at least 7", "12 bad qtype", "21 zeek conn log, not dns"}
	if len(out.recs) != 3 || !slices.Equal(skips, want) {
		t.Errorf("%d records, skips %q, want 3, %q", len(out.recs), skips, want)
	}
	// A row before any header.
	out = parseText(t, "zeek-tsv", []byte("1\t10.0.0.1\ta.example\n"))
	if len(out.recs) != 0 || len(out.skips) != 1 || out.skips[0].Reason != "row before the #fields header" {
		t.Errorf("headerless row: %+v", out)
	}
}

// A resumed ingest replays the header and emits only what follows.
func TestZeekTSVReplay(t *testing.T) {
	data := sample(t, "zeek/acandeias_dns.log")
	f, _ := ByName("zeek-tsv")
	if !f.Replay {
		t.Fatal("zeek-tsv must replay its header on resume")
	}
	full := parseText(t, "zeek-tsv", data)
	out := &gotOut{}
	p := f.Lines()
	from := Position{Line: 20}
	if _, err := ScanLines(t.Context(), bytes.NewReader(data), p, Position{}, Done(from), true, out); err != nil {
		t.Fatal(err)
	}
	var want []gotRec
	for _, r := range full.recs {
		if r.Line > 20 {
			want = append(want, r)
		}
	}
	if len(want) == 0 || !slices.Equal(out.recs, want) {
		t.Errorf("resumed records %+v, want %+v", out.recs, want)
	}
}

func TestZeekDetectOnlyDNS(t *testing.T) {
	for _, file := range []string{
		"zeek/acandeias_conn.log", "zeek/acandeias_http_copy.log", "zeek/rita_proxy_conn.log",
		"zeek/rita_json_with_all_fields_conn.log", "zeek/rita_json_with_all_fields_http.log",
		"zeek/rita_json_with_all_fields_ssl.log", "zeek/slips_test9-mixed-zeek-dir_conn.log",
		"zeek/slips_test9-mixed-zeek-dir_http.log", "zeek/rita_valid_tsv_http.log.gz",
		"zeek/wrccdc2018_zeek_tsv_kerberos.log.gz", "zeek/otrf_lsass_campaign01/weird.log",
		"zeek/otrf_lsass_campaign01/conn.log", "malformed/logs/rita_truncated_conn_json.log",
	} {
		if got := detectedBy(sample(t, file), myFormats...); len(got) != 0 {
			t.Errorf("%s detected as %v", file, got)
		}
	}
	// Without #path, the fields decide.
	head := "#separator \\x09\n#fields\tts\tuid\tid.orig_h\ttrans_id\tquery\tqtype\n1\tC\t10.0.0.1\t1\ta\t1\n"
	if got := detectedBy([]byte(head), myFormats...); !slices.Equal(got, []string{"zeek-tsv"}) {
		t.Errorf("headless-path dns detected by %v", got)
	}
}

var zeekTSVSeed = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n" +
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n" +
	"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n"

const zeekTSVRow = "1521911720.865716\tCqKst53mF3det3eDV9\t10.47.1.100\t41772\t10.0.0.100\t53\tudp\t36329\t0.000870\tise%d.wrccdc.org\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\tise.wrccdc.cpp.edu,134.71.3.16\t2230.000000,41830.000000\tF\n"

const zeekJSONLine = `{"_path":"dns","_write_ts":"2018-03-24T17:15:20.866586Z","ts":"2018-03-24T17:15:20.865716Z","uid":"CqKst53mF3det3eDV9","id.orig_h":"10.47.1.100","id.orig_p":41772,"id.resp_h":"10.0.0.100","id.resp_p":53,"proto":"udp","trans_id":36329,"rtt":0.0008699893951416016,"query":"ise%d.wrccdc.org","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["ise.wrccdc.cpp.edu","134.71.3.16"],"TTLs":[2230.0,41830.0],"rejected":false}` + "\n"

func FuzzZeekTSV(f *testing.F) {
	f.Add([]byte(zeekTSVSeed + fmt.Sprintf(zeekTSVRow, 1)))
	f.Add([]byte("#separator \\x7c\n#fields|ts|query|TTLs\n1|a|1.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLines(t, "zeek-tsv", data)
	})
}

func FuzzZeekJSON(f *testing.F) {
	f.Add([]byte(fmt.Sprintf(zeekJSONLine, 1)))
	f.Add([]byte(`{"ts":1.5e0,"query":"esc\u0061ped","qtype":1.0,"x":{"y":[1,{"z":"\""}]},"TTLs":[1,2]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLines(t, "zeek-json", data)
	})
}

func BenchmarkZeekTSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(zeekTSVSeed)
	for i := 0; buf.Len() < 8<<20; i++ {
		fmt.Fprintf(&buf, zeekTSVRow, i)
	}
	benchLines(b, "zeek-tsv", buf.Bytes())
}

func BenchmarkZeekJSON(b *testing.B) {
	benchLines(b, "zeek-json", zeekJSONBench())
}

// zeekJSONBench is 8 MiB of Zeek dns.log JSON lines.
func zeekJSONBench() []byte {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 8<<20; i++ {
		fmt.Fprintf(&buf, zeekJSONLine, i)
	}
	return buf.Bytes()
}

// A Zeek time stamp outside the years every parser keeps skips its line:
// one in milliseconds was stored in the year 42751 (the review found it).
func TestZeekTimeOutOfRange(t *testing.T) {
	row := strings.Replace(fmt.Sprintf(zeekTSVRow, 1), "1521911720.865716", "1521911720865.716", 1)
	json := strings.Replace(fmt.Sprintf(zeekJSONLine, 1), `"ts":"2018-03-24T17:15:20.865716Z"`, `"ts":1521911720865.716`, 1)
	for format, text := range map[string]string{"zeek-tsv": zeekTSVSeed + row + fmt.Sprintf(zeekTSVRow, 2), "zeek-json": json + fmt.Sprintf(zeekJSONLine, 2)} {
		f, _ := ByName(format)
		out := runLines(t, f.Lines(), []byte(text))
		if len(out.recs) != 1 || out.recs[0].Time != 1521911720865716 || len(out.skipList()) != 1 {
			t.Errorf("%s: %d records, skips %q", format, len(out.recs), out.skipList())
		}
	}
}
