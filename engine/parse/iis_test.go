package parse

import (
	"bytes"
	"slices"
	"testing"

	"github.com/longtail/longtail/engine/record"
)

func TestIISW3CSample(t *testing.T) {
	data := detectedSample(t, "web/sbousseaden_Tunna_rdp_tunnel_IIS.log", "iis-w3c")
	out := parseText(t, "iis-w3c", data)
	// The rows: neither a header (#) nor blank, CRLF or not.
	rows := toolCount(t, data, "awk", `{sub(/\r$/, "")} !/^#/ && NF {n++} END {print n+0}`)
	tunnel := toolCount(t, data, "awk", `!/^#/ && $6 ~ /port=3389/ {n++} END {print n+0}`)
	if int64(len(out.http)) != rows || len(out.skips) != 0 {
		t.Errorf("%d records, %d skips; awk: %d rows", len(out.http), len(out.skips), rows)
	}
	opened := 0
	for _, r := range out.http {
		if r.Query == "proxy&port=3389&ip=127.0.0.1" {
			opened++
		}
	}
	if int64(opened) != tunnel {
		t.Errorf("%d requests open the tunnel, awk %d", opened, tunnel)
	}
	// Line 7 under the first header, line 2605 under the second.
	checkHTTP(t, out,
		gotHTTP{Time: micro("2019-09-03T10:13:36Z"), Client: "10.0.2.17", Method: "GET", Path: "/erp/conn.aspx", Query: "proxy&port=3389&ip=127.0.0.1",
			Status: 200, Bytes: record.NoBytes, Line: 7, Offset: 327},
		gotHTTP{Time: micro("2019-09-03T11:04:05Z"), Client: "10.0.2.17", Method: "GET", Path: "/erp/conn.aspx", Query: "proxy",
			Status: 200, Bytes: record.NoBytes, Line: 2605},
	)
}

const iisW3CSeed = `#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2024-01-02 00:00:00
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes time-taken
2024-01-02 03:04:05 10.0.0.5 GET /owa/auth/x.js a=1&b=2 443 - 2001:db8::7 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) https://mail.example/owa/ mail.example 200 0 0 5120 15
2024-01-02 03:04:06 10.0.0.5 POST /ews/exchange.asmx - 443 DOM\user 10.0.0.9 - - - 401 1 2148074254 0 3
2024-01-02 03:04:07 10.0.0.5 GET http://other.example:8080/p q 80 - 10.0.0.9 - - mail.example 200 0 0 - 1
2024-01-02 03:04:08 10.0.0.5 - - - 80 - 10.0.0.9 - - - 400 0 0 0 0
2024-01-02 03:04:09 10.0.0.5 GET /short
2024-01-02 25:04:09 10.0.0.5 GET / - 443 - 10.0.0.9 - - - 200 0 0 1 1
2024-01-02 03:04:10 10.0.0.5 GET / - 443 - 10.0.0.9 - - - 2x 0 0 1 1
#Fields: date time s-ip cs-method cs-uri-stem sc-status
2024-01-02 03:04:11 10.0.0.5 HEAD /new-header 204
#Fields: s-ip c-ip
10.0.0.5 10.0.0.9
`

func TestIISW3CFixture(t *testing.T) {
	if got := detectedBy([]byte(iisW3CSeed), append(slices.Clone(myFormats), httpFormats...)...); !slices.Equal(got, []string{"iis-w3c"}) {
		t.Errorf("detected by %v", got)
	}
	out := parseText(t, "iis-w3c", []byte(iisW3CSeed))
	checkHTTP(t, out,
		gotHTTP{Time: micro("2024-01-02T03:04:05Z"), Client: "2001:db8::7", Method: "GET", Host: "mail.example", Path: "/owa/auth/x.js", Query: "a=1&b=2",
			Status: 200, Bytes: 5120, UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", Referer: "https://mail.example/owa/", Line: 5},
		gotHTTP{Time: micro("2024-01-02T03:04:06Z"), Client: "10.0.0.9", Method: "POST", Path: "/ews/exchange.asmx", Status: 401, Bytes: 0, Line: 6},
		// An absolute stem names its host; the query column wins over none.
		gotHTTP{Time: micro("2024-01-02T03:04:07Z"), Client: "10.0.0.9", Method: "GET", Host: "other.example:8080", Path: "/p", Query: "q",
			Status: 200, Bytes: record.NoBytes, Line: 7},
		gotHTTP{Time: micro("2024-01-02T03:04:11Z"), Method: "HEAD", Path: "/new-header", Status: 204, Bytes: record.NoBytes, Line: 13},
	)
	want := []string{"8 no request", "9 5 fields, want at least 16", "10 bad date or time", "11 bad sc-status",
		"15 no date, time, cs-method or cs-uri-stem in #Fields"}
	if skips := out.skipList(); len(out.http) != 4 || !slices.Equal(skips, want) {
		t.Errorf("%d records, skips %q, want 4, %q", len(out.http), skips, want)
	}
	// Rows before any header.
	out = parseText(t, "iis-w3c", []byte("2024-01-02 03:04:05 GET /\n"))
	if len(out.http) != 0 || !slices.Equal(out.skipList(), []string{"1 row before the #Fields header"}) {
		t.Errorf("headerless row: %+v", out)
	}
}

// A resumed ingest replays the header and emits only what follows.
func TestIISW3CReplay(t *testing.T) {
	data := []byte(iisW3CSeed)
	f, _ := ByName("iis-w3c")
	full := parseText(t, "iis-w3c", data)
	out := &gotOut{}
	if _, err := ScanLines(t.Context(), bytes.NewReader(data), f.Lines(), Position{}, Done(Position{Line: 6}), true, out); err != nil {
		t.Fatal(err)
	}
	if !f.Replay || len(out.http) != 2 || out.http[0] != full.http[2] || out.http[1] != full.http[3] {
		t.Errorf("resumed at line 6: %+v, want %+v", out.http, full.http[2:])
	}
}

// Neither the W3C header of another program nor one without the request
// fields is taken for IIS's.
func TestIISW3CDetect(t *testing.T) {
	for head, want := range map[string]bool{
		"#Version: 1.0\n#Fields: date time cs-method cs-uri-stem\n": true,
		"#Version: 1.0\n#Fields: date time c-ip s-ip\n":             false,
		"#Fields: date time cs-method cs-uri-stem":                  true,
		"# comment\n\n#Fields: date time cs-method cs-uri-stem\n":   false,
		"2024-01-02 03:04:05 GET /\n":                               false,
		"#separator \\x09\n#fields\tts\tmethod\n":                   false,
		"#Software: Microsoft Internet Information Services 10.0\n": false,
	} {
		if got := detectIISW3C([]byte(head)); got != want {
			t.Errorf("detectIISW3C(%q) = %v, want %v", head, got, want)
		}
	}
}

func TestIISEventSample(t *testing.T) {
	data := detectedSample(t, "web/crowdsec_iis-logs.log", "iis-event-xml")
	out := parseText(t, "iis-event-xml", data)
	events := toolCount(t, data, "grep", "-c", "Microsoft-Windows-IIS-Logging")
	if int64(len(out.http)) != events || len(out.skips) != 0 {
		t.Fatalf("%d records, %d skips; grep: %d events", len(out.http), len(out.skips), events)
	}
	checkHTTP(t, out, gotHTTP{Time: micro("2022-10-01T11:25:51Z"), Client: "192.168.9.212", Method: "GET", Path: "/autodiscover/autodiscover.json",
		Query:  "bla=powershell&CorrelationID=;&cafeReqId=f1351975-5024-4240-9508-3b4ea50eaf70;",
		Status: 400, Bytes: 134, UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/105.0.0.0 Safari/537.36", Line: 1})
}

const iisEventSeed = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"> <System> <Provider Name="Microsoft-Windows-IIS-Logging" Guid="{7e8ad27f-b271-4ea2-a783-a47bde29143b}" /> <EventID>6200</EventID> </System> <EventData> <Data Name="date">2022-10-01</Data> <Data Name="time">11:25:51</Data> <Data Name="c-ip">192.168.9.212</Data> <Data Name="cs-method">GET</Data> <Data Name="cs-uri-stem">/a&#x2F;b</Data> <Data Name="cs-uri-query">x=&lt;1&gt;&amp;y=&#39;&bogus;&#0;& &amp;</Data> <Data Name="sc-status">404</Data> <Data Name="CustomFields" /> <Data Name="csUser-Agent">curl/8.0</Data> <Data Name="cs-host">www.example</Data> </EventData> </Event>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"> <System> <Provider Name="Microsoft-Windows-Security-Auditing" /> </System> </Event>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"> <System> <Provider Name="Microsoft-Windows-IIS-Logging" /> </System> <EventData> <Data Name="date">2022-10-01</Data> <Data Name="cs-method">GET</Data>
`

func TestIISEventFixture(t *testing.T) {
	out := parseText(t, "iis-event-xml", []byte(iisEventSeed))
	checkHTTP(t, out, gotHTTP{Time: micro("2022-10-01T11:25:51Z"), Client: "192.168.9.212", Method: "GET", Host: "www.example", Path: "/a/b",
		Query: "x=<1>&y='&bogus;&#0;& &", Status: 404, Bytes: record.NoBytes, UserAgent: "curl/8.0", Line: 1})
	want := []string{"2 not an IIS logging event", "3 bad date or time"}
	if skips := out.skipList(); len(out.http) != 1 || !slices.Equal(skips, want) {
		t.Errorf("%d records, skips %q, want 1, %q", len(out.http), skips, want)
	}
	// An export of other events is not IIS's, even with IIS's further on.
	if detectIISEventXML([]byte(iisEventSeed[bytes.IndexByte([]byte(iisEventSeed), '\n')+1:])) {
		t.Error("an export that starts with a security event detected as IIS's")
	}
}

func TestIISNoAllocs(t *testing.T) {
	w := newIISW3C()
	f, _ := ByName("iis-event-xml")
	ev := f.Lines()
	lines := bytes.Split([]byte(iisW3CSeed), []byte("\n"))
	event := []byte(iisEventSeed[:bytes.IndexByte([]byte(iisEventSeed), '\n')])
	var out countOut
	for _, l := range lines[:5] {
		w.Line(l, 1, 0, false, &out)
	}
	ev.Line(event, 1, 0, false, &out)
	if n := testing.AllocsPerRun(100, func() {
		w.Line(lines[4], 5, 0, false, &out)
		ev.Line(event, 1, 0, false, &out)
	}); n != 0 || out.skips != 0 {
		t.Errorf("%v allocations a run, %d skips", n, out.skips)
	}
}
