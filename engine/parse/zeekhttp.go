package parse

import (
	"encoding/json"
	"math"

	"github.com/longtail/longtail/engine/record"
)

// Zeek's http.log, as TSV and as JSON lines: one row per request, with
// the status of its response. Two formats, like dns.log's, rather than
// one for both logs: a format's records are of one kind, and only the TSV
// form needs its header replayed on resume. They read Zeek's header and
// rows with zeek.go's readers.

func init() {
	register(26, Format{
		Name:   "zeek-http-tsv",
		Kind:   record.KindHTTP,
		Detect: detectZeekHTTPTSV,
		Lines:  func() LineParser { return newZeekHTTPTSV() },
		Replay: true, // a resumed ingest needs the #fields header again
	})
	register(31, Format{
		Name:   "zeek-http-json",
		Kind:   record.KindHTTP,
		Detect: detectZeekHTTPJSON,
		Lines:  func() LineParser { return &zeekJSONLines{log: &zeekHTTPJSON{}} },
	})
}

// zeekHTTPRow is what both forms extract from an http row.
type zeekHTTPRow struct {
	zeekBase
	method, host, uri, referrer, userAgent []byte
	status                                 int16
	size                                   int64
}

func (z *zeekHTTPRow) reset() { *z = zeekHTTPRow{size: record.NoBytes} }

// setStatus takes status_code; 0 is "no response".
func (z *zeekHTTPRow) setStatus(n float64) bool {
	ok := 0 <= n && n <= 999 && n == math.Trunc(n)
	if ok {
		z.status = int16(n)
	}
	return ok
}

// setSize takes response_body_len.
func (z *zeekHTTPRow) setSize(n float64) bool {
	ok := 0 <= n && n < 1e18 && n == math.Trunc(n)
	if ok {
		z.size = int64(n)
	}
	return ok
}

// number parses a count as the fast paths meet it.
func number(b []byte) (float64, bool) {
	n, ok := Atoi(b)
	return float64(n), ok
}

// emit turns a row into a record, or says why the row is not a request.
func (z *zeekHTTPRow) emit(rec *record.Record, no, off int64, out record.Output) {
	if reason := z.other("http"); reason != "" {
		out.Skip(no, off, reason)
		return
	}
	if len(z.method) == 0 {
		// Zeek logs a row for a connection that timed out (408) or a
		// response without its request.
		out.Skip(no, off, "no request")
		return
	}
	rec.ResetHTTP()
	rec.Time, rec.Client, rec.Method = z.time, z.client, z.method
	rec.Host, rec.Path, rec.Query = splitTarget(z.method, z.uri)
	if len(rec.Host) == 0 {
		rec.Host = z.host
	}
	rec.Referer, rec.UserAgent = z.referrer, z.userAgent
	rec.Status, rec.Bytes = z.status, z.size
	rec.Line, rec.Offset = no, off
	out.Record(rec)
}

// The fields of an http row, by slot.
var zeekHTTPFields = []string{"ts", "id.orig_h", "method", "host", "uri", "referrer", "user_agent", "status_code", "response_body_len"}

const (
	httpTS = iota
	httpClient
	httpMethod
	httpHost
	httpURI
	httpReferrer
	httpUserAgent
	httpStatus
	httpSize
)

// zeekHTTPTSV reads the rows of Zeek's http.log in TSV.
type zeekHTTPTSV struct {
	zeekHTTPRow
	tp timeParser
}

func newZeekHTTPTSV() *zeekTSVLines {
	return &zeekTSVLines{zeekTSV: newZeekTSVReader("http", zeekHTTPFields, "no ts or method in #fields, not an http log", httpTS, httpMethod), log: &zeekHTTPTSV{}}
}

func (p *zeekHTTPTSV) parse(h *zeekTSV) string {
	z := &p.zeekHTTPRow
	z.reset()
	if !h.ts(httpTS, &p.tp, &z.zeekBase) {
		return "bad ts"
	}
	z.client, z.method, z.host, z.uri = h.value(httpClient), h.value(httpMethod), h.value(httpHost), h.value(httpURI)
	z.referrer, z.userAgent = h.value(httpReferrer), h.value(httpUserAgent)
	if v := h.value(httpStatus); v != nil {
		if n, ok := number(v); !ok || !z.setStatus(n) {
			return "bad status_code"
		}
	}
	if v := h.value(httpSize); v != nil {
		if n, ok := number(v); !ok || !z.setSize(n) {
			return "bad response_body_len"
		}
	}
	return ""
}

// detectZeekHTTPTSV accepts a Zeek TSV header that declares an http log:
// "#path http", or, without #path, #fields naming method, uri and host
// (sip.log has the first two).
func detectZeekHTTPTSV(head []byte) bool {
	p := newZeekHTTPTSV()
	return p.detect(head, httpMethod, httpURI, httpHost)
}

// zeekHTTPJSON reads the rows of Zeek's http.log as JSON lines.
type zeekHTTPJSON struct {
	zeekHTTPRow
	tp timeParser
}

func (p *zeekHTTPJSON) scan(line []byte) bool {
	z := &p.zeekHTTPRow
	z.reset()
	s := jsonScanner{b: line}
	return s.object(func(key []byte) bool {
		if known, ok := z.scanKey(&s, &p.tp, key); known {
			return ok
		}
		var str *[]byte
		switch string(key) {
		case "method":
			str = &z.method
		case "host":
			str = &z.host
		case "uri":
			str = &z.uri
		case "referrer":
			str = &z.referrer
		case "user_agent":
			str = &z.userAgent
		case "status_code":
			n, ok := number(s.number())
			return ok && z.setStatus(n)
		case "response_body_len":
			n, ok := number(s.number())
			return ok && z.setSize(n)
		default:
			return s.skipValue()
		}
		var ok bool
		*str, ok = s.plainString()
		return ok
	})
}

// zeekJSONHTTPRow is the slow path's view of an http row.
type zeekJSONHTTPRow struct {
	zeekJSONBaseRow
	Method    *string  `json:"method"`
	Host      *string  `json:"host"`
	URI       *string  `json:"uri"`
	Referrer  *string  `json:"referrer"`
	UserAgent *string  `json:"user_agent"`
	Status    *float64 `json:"status_code"`
	Size      *float64 `json:"response_body_len"`
}

func (p *zeekHTTPJSON) decode(line []byte) string {
	var v zeekJSONHTTPRow
	if err := json.Unmarshal(line, &v); err != nil {
		return "invalid JSON"
	}
	z := &p.zeekHTTPRow
	z.reset()
	if reason := v.base(&p.tp, &z.zeekBase); reason != "" {
		return reason
	}
	for _, f := range []struct {
		dst *[]byte
		src *string
	}{{&z.method, v.Method}, {&z.host, v.Host}, {&z.uri, v.URI}, {&z.referrer, v.Referrer}, {&z.userAgent, v.UserAgent}} {
		if f.src != nil {
			*f.dst = []byte(*f.src)
		}
	}
	if v.Status != nil && !z.setStatus(*v.Status) {
		return "bad status_code"
	}
	if v.Size != nil && !z.setSize(*v.Size) {
		return "bad response_body_len"
	}
	return ""
}

// detectZeekHTTPJSON accepts JSON lines that look like Zeek http rows:
// "_path" is "http", or a row holds the keys of one.
func detectZeekHTTPJSON(head []byte) bool {
	return detectZeekJSONLog(head, "http", func(has func(string) bool) bool {
		return has("ts") && has("uid") && has("method") && has("uri") && has("host")
	})
}
