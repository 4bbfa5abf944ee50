package parse

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/record"
)

// queries counts the records with a query string.
func queries(out *gotOut) int64 {
	var n int64
	for _, r := range out.http {
		if r.Query != "" {
			n++
		}
	}
	return n
}

func TestZeekHTTPTSVSamples(t *testing.T) {
	// Columns of these samples' #fields: 8 method, 10 uri, 15 or 16
	// response_body_len (acandeias and rita_proxy have one more field
	// before it).
	for _, file := range []string{"zeek/rita_valid_tsv_http.log.gz", "zeek/rita_proxy_http.log", "zeek/acandeias_http_copy.log",
		"zeek/otrf_lsass_campaign01/http.log", "malformed/logs/rita_has_unknown_field_http.log"} {
		t.Run(file, func(t *testing.T) {
			data := detectedSample(t, file, "zeek-http-tsv")
			if got := detectedBy(data, append(slices.Clone(myFormats), httpFormats...)...); !slices.Equal(got, []string{"zeek-http-tsv"}) {
				t.Errorf("detected by %v", got)
			}
			out := parseText(t, "zeek-http-tsv", data)
			rows := toolCount(t, data, "awk", "-F\t", `!/^#/ {n++} END {print n+0}`)
			requests := toolCount(t, data, "awk", "-F\t", `!/^#/ && $8 != "-" {n++} END {print n+0}`)
			withQuery := toolCount(t, data, "awk", "-F\t", `!/^#/ && $8 != "-" && $10 ~ /\?./ {n++} END {print n+0}`)
			if int64(len(out.http)) != requests || int64(len(out.skips)) != rows-requests || queries(out) != withQuery {
				t.Errorf("%d records, %d skips, %d with a query; awk: %d rows, %d requests, %d with a query",
					len(out.http), len(out.skips), queries(out), rows, requests, withQuery)
			}
			for _, s := range out.skips {
				if s.Reason != "no request" {
					t.Errorf("skip %+v", s)
				}
			}
		})
	}
}

// The 27,204 rows of RITA's log hold 1,023 without a request (408 time
// outs, mostly); the sizes add up as awk adds them.
func TestZeekHTTPTSVRecords(t *testing.T) {
	data := sample(t, "zeek/rita_valid_tsv_http.log.gz")
	out := parseText(t, "zeek-http-tsv", data)
	if len(out.http) != 26181 || len(out.skips) != 1023 {
		t.Errorf("%d records, %d skips; want 26181, 1023", len(out.http), len(out.skips))
	}
	var size int64
	for _, r := range out.http {
		if r.Bytes != record.NoBytes {
			size += r.Bytes
		}
	}
	if want := toolCount(t, data, "awk", "-F\t", `!/^#/ && $8 != "-" && $15 != "-" {s += $15} END {printf "%.0f\n", s}`); size != want {
		t.Errorf("%d bytes in all, awk %d", size, want)
	}
	checkHTTP(t, out, gotHTTP{Time: micro("2018-01-30T18:15:54.078555Z"), Client: "10.55.100.109", Method: "GET", Host: "www.alexa.com",
		Path: "/topsites/category;2/Top/Business/", Status: 301, Bytes: 178,
		UserAgent: "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.16299.98", Line: 9})

	// A proxy's CONNECT names the host and port it tunnels to.
	out = parseText(t, "zeek-http-tsv", sample(t, "zeek/rita_proxy_http.log"))
	checkHTTP(t, out, gotHTTP{Time: micro("2023-01-04T14:37:36.914972Z"), Client: "10.136.0.18", Method: "CONNECT", Host: "www.google.com:443",
		Status: 200, Bytes: 0, UserAgent: "Modzilla/-2.0 (Atari 7800)", Line: 9})

	out = parseText(t, "zeek-http-tsv", sample(t, "zeek/acandeias_http_copy.log"))
	r := out.http[0]
	if r.Host != "bi.bisrv.com" || r.Path != "/init/3YZMylIM/803b1bc764eb4a45845a0391e7a4fefe" || !strings.HasPrefix(r.Query, "v=2.2&uid=803b") ||
		r.Status != 200 || r.Bytes != 258472 || r.Referer != "" || r.UserAgent != "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)" {
		t.Errorf("first record %+v", r)
	}
	if r := out.http[1]; !strings.HasPrefix(r.Referer, "http://bi.bisrv.com/init/3YZMylIM/") {
		t.Errorf("second record's referrer %q", r.Referer)
	}
}

func TestZeekHTTPJSONSamples(t *testing.T) {
	for _, file := range []string{"zeek/slips_test9-mixed-zeek-dir_http.log", "zeek/rita_json_with_all_fields_http.log"} {
		t.Run(file, func(t *testing.T) {
			data := detectedSample(t, file, "zeek-http-json")
			if got := detectedBy(data, append(slices.Clone(myFormats), httpFormats...)...); !slices.Equal(got, []string{"zeek-http-json"}) {
				t.Errorf("detected by %v", got)
			}
			out := parseText(t, "zeek-http-json", data)
			requests := toolCount(t, data, "jq", "-n", `[inputs | select(.method)] | length`)
			withQuery := toolCount(t, data, "jq", "-n", `[inputs | select(.method and (.uri // "" | test("\\?.")))] | length`)
			noUA := toolCount(t, data, "jq", "-n", `[inputs | select(.method and .user_agent == null)] | length`)
			got := 0
			for _, r := range out.http {
				if r.UserAgent == "" {
					got++
				}
			}
			if int64(len(out.http)) != requests || len(out.skips) != 0 || queries(out) != withQuery || int64(got) != noUA {
				t.Errorf("%d records, %d skips, %d with a query, %d without UA; jq: %d, 0, %d, %d",
					len(out.http), len(out.skips), queries(out), got, requests, withQuery, noUA)
			}
		})
	}
	// Line 182 has escapes: the slow path reads it.
	out := parseText(t, "zeek-http-json", sample(t, "zeek/slips_test9-mixed-zeek-dir_http.log"))
	checkHTTP(t, out, gotHTTP{Time: micro("1970-01-01T00:00:29.868252Z"), Client: "10.0.2.15", Method: "GET", Host: "112.255.161.10", Path: "/bin.sh",
		Status: 200, Bytes: 593, Line: 1})
	for _, r := range out.http {
		if r.Line == 182 && (r.Path != "/ut/v3" || !strings.HasPrefix(r.Query, `cb=apntag.handleCb&q={"tags":[{"sizes"`)) {
			t.Errorf("line 182: %+v", r)
		}
	}
}

// Rows of a JSON log other than requests, and rows only encoding/json
// reads.
func TestZeekHTTPJSONSlowPathAndSkips(t *testing.T) {
	in := `{"ts":1.5,"id.orig_h":"10.0.0.1","method":"GET","host":"a.example","uri":"/p?q=1","user_agent":"UA","referrer":"http://r.example/","status_code":200,"response_body_len":10}
{"ts":1.5e0,"id.orig_h":"10.0.0.1","method":"G\u0045T","host":"a.example","uri":"http://b.example:81/x?y","status_code":2e2,"x":{"y":[1,{"z":"\""}]}}
{"ts":"2018-03-24T17:15:20.865716+01:00","id.orig_h":"10.0.0.2","method":"POST","uri":"/","status_code":null}
{"ts":2,"id.orig_h":"10.0.0.3","status_code":408}
{"_path":"dns","ts":2,"id.orig_h":"10.0.0.3","query":"x.example"}
{"ts":2,"method":"GET"
{"ts":2,"method":"GET","status_code":1000}
{"ts":2,"method":"GET","response_body_len":-1}
{"ts":"yesterday","method":"GET"}
`
	out := parseText(t, "zeek-http-json", []byte(in))
	checkHTTP(t, out,
		gotHTTP{Time: micro("1970-01-01T00:00:01.5Z"), Client: "10.0.0.1", Method: "GET", Host: "a.example", Path: "/p", Query: "q=1", Status: 200, Bytes: 10,
			UserAgent: "UA", Referer: "http://r.example/", Line: 1, Offset: 0},
		gotHTTP{Time: micro("1970-01-01T00:00:01.5Z"), Client: "10.0.0.1", Method: "GET", Host: "b.example:81", Path: "/x", Query: "y", Status: 200,
			Bytes: record.NoBytes, Line: 2},
		gotHTTP{Time: micro("2018-03-24T16:15:20.865716Z"), Client: "10.0.0.2", Method: "POST", Path: "/", Bytes: record.NoBytes, Line: 3},
	)
	want := []string{"4 no request", "5 zeek dns row, not http", "6 invalid JSON", "7 bad status_code", "8 bad response_body_len", "9 bad ts"}
	if skips := out.skipList(); len(out.http) != 3 || !slices.Equal(skips, want) {
		t.Errorf("%d records, skips %q, want 3, %q", len(out.http), skips, want)
	}
}

// Another separator and marker, columns in another order, a dns log
// concatenated after it, and rows that cannot be read.
func TestZeekHTTPTSVHeaders(t *testing.T) {
	in := strings.Join([]string{
		`#separator \x7c`,
		`#unset_field|NONE`,
		`#empty_field|EMPTY`,
		`#path|http`,
		`#fields|uri|method|ts|id.orig_h|status_code|host|user_agent`,
		`/a?b|GET|10.5|10.0.0.1|404|h.example|UA 1`,
		`EMPTY|GET|11|10.0.0.1|NONE|NONE|NONE`,
		`NONE|NONE|12|10.0.0.1|408|NONE|NONE`,
		`/x|GET|12`,
		`/x|GET|13|10.0.0.1|2000|h|u`,
		`/x|GET|x|10.0.0.1|200|h|u`,
		"#separator \\x09",
		"#path\tdns",
		"#fields\tts\tquery",
		"14\tx.example",
	}, "\n")
	out := parseText(t, "zeek-http-tsv", []byte(in))
	checkHTTP(t, out,
		gotHTTP{Time: micro("1970-01-01T00:00:10.5Z"), Client: "10.0.0.1", Method: "GET", Host: "h.example", Path: "/a", Query: "b", Status: 404,
			Bytes: record.NoBytes, UserAgent: "UA 1", Line: 6},
		gotHTTP{Time: micro("1970-01-01T00:00:11Z"), Client: "10.0.0.1", Method: "GET", Bytes: record.NoBytes, Line: 7},
	)
	want := []string{"8 no request", "9 3 fields, want at least 7", "10 bad status_code", "11 bad ts", "15 zeek dns log, not http"}
	if skips := out.skipList(); len(out.http) != 2 || !slices.Equal(skips, want) {
		t.Errorf("%d records, skips %q, want 2, %q", len(out.http), skips, want)
	}
	// Without #path, the fields decide; sip.log has method and uri too.
	for head, want := range map[string]bool{
		"#separator \\x09\n#fields\tts\tuid\tid.orig_h\tmethod\thost\turi\n":         true,
		"#separator \\x09\n#fields\tts\tuid\tid.orig_h\tmethod\turi\trequest_from\n": false,
		"#separator \\x09\n#path\thttp\n":                                            true,
		"#separator \\x09\n#path\tsip\n#fields\tts\tmethod\thost\turi\n":             false,
	} {
		if got := detectZeekHTTPTSV([]byte(head)); got != want {
			t.Errorf("detectZeekHTTPTSV(%q) = %v, want %v", head, got, want)
		}
	}
}

func TestZeekHTTPNoAllocs(t *testing.T) {
	tsv, js := newZeekHTTPTSV(), &zeekJSONLines{log: &zeekHTTPJSON{}}
	var out countOut
	seed := strings.Split(zeekHTTPTSVSeed, "\n")
	for _, l := range seed {
		tsv.Line([]byte(l), 1, 0, false, &out)
	}
	row, line := []byte(fmt.Sprintf(zeekHTTPTSVRow, 1)), []byte(zeekHTTPJSONLine)
	if n := testing.AllocsPerRun(100, func() {
		tsv.Line(row, 9, 0, false, &out)
		js.Line(line, 1, 0, false, &out)
	}); n != 0 || out.skips != 0 || out.recs == 0 {
		t.Errorf("%v allocations a run, %d records, %d skips", n, out.recs, out.skips)
	}
}

const zeekHTTPTSVSeed = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\thttp\n#open\t2019-02-28-12-07-01\n" +
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\treferrer\tversion\tuser_agent\trequest_body_len\tresponse_body_len\tstatus_code\tstatus_msg\tinfo_code\tinfo_msg\ttags\tusername\tpassword\tproxied\torig_fuids\torig_filenames\torig_mime_types\tresp_fuids\tresp_filenames\tresp_mime_types\n" +
	"#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\tstring\tcount\tcount\tcount\tstring\tcount\tstring\tset[enum]\tstring\tstring\tset[string]\tvector[string]\tvector[string]\tvector[string]\tvector[string]\tvector[string]\tvector[string]\n"

const zeekHTTPTSVRow = "1517336162.615244\tClmlDRtRxVxeI68pc\t10.55.100.109\t52135\t72.21.91.29\t80\t1\tGET\tocsp.digicert.com\t/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQQX6Z6gAidtSefNc6DC0OInqPHDQQUD4BhHIIxYdUvKOeNRji0LOHG2eICEA0xaNqvbgoWhaatVZDMkfU=?n=%d\thttp://referrer.example/\t1.1\tMicrosoft-CryptoAPI/10.0\t0\t471\t200\tOK\t-\t-\t(empty)\t-\t-\t-\t-\t-\t-\tFXoOb7k8rzRYNzHJ4\t-\tapplication/ocsp-response\n"

const zeekHTTPJSONLine = `{"ts": 1517422328.146198, "uid": "CB9DKu4WI1kRo88sj6", "id.orig_h": "10.55.100.105", "id.orig_p": 52261, "id.resp_h": "205.204.101.182", "id.resp_p": 80, "trans_depth": 1, "method": "GET", "host": "gm.mmstat.com", "uri": "/sc.13.1?cache=70ebbd&gmkey=OTHER&logtype=2", "referrer": "http://www.alibaba.com/", "version": "1.1", "user_agent": "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", "request_body_len": 0, "response_body_len": 43, "status_code": 200, "status_msg": "OK", "resp_fuids": ["FcQXaP1ZtYELKO6py1"], "resp_mime_types": ["image/gif"], "_path": "http"}` + "\n"

func BenchmarkZeekHTTPTSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(zeekHTTPTSVSeed)
	for i := 0; sb.Len() < 8<<20; i++ {
		fmt.Fprintf(&sb, zeekHTTPTSVRow, i)
	}
	benchLines(b, "zeek-http-tsv", []byte(sb.String()))
}
