package score

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/longtail/longtail/internal/words"
)

// attackWords are what an injected command, SQL statement, path traversal
// or script looks like once a request target is decoded. Each is the usual
// first probe of its kind and rare in a real query string; a longer list
// would mostly add false alarms (a search for "select" or "exec"), and
// what it misses tends to be long and encoded, which is judged apart.
// Words ending in '=' are parameter names: they count only at the start
// of a parameter (cmd=, not xcmd=).
var attackWords = [...]struct{ word, class string }{
	{"cmd=", "shell"}, {"exec=", "shell"}, {"command=", "shell"}, {"whoami", "shell"},
	{"/bin/sh", "shell"}, {"/bin/bash", "shell"}, {"wget http", "shell"}, {"curl http", "shell"},
	{"base64_decode(", "shell"}, {"eval(", "shell"}, {"system(", "shell"}, {"passthru(", "shell"},
	{"union select", "SQL"}, {"union all select", "SQL"}, {"' or '1'='1", "SQL"}, {" or 1=1", "SQL"},
	{"sleep(", "SQL"}, {"information_schema", "SQL"}, {"xp_cmdshell", "SQL"},
	{"../", "traversal"}, {"..\\", "traversal"}, {"/etc/passwd", "traversal"},
	{"<script", "script"}, {"javascript:", "script"},
}

// judgement is how a request target looks.
type judgement struct {
	strength float64
	word     string  // the first attack word found ("" none)
	class    string  // its class: shell, SQL, traversal, script
	length   int     // of the query string
	encoded  float64 // share of the query's bytes percent-escaped or in base64-like runs
}

// Query strings up to longQuery bytes are ordinary (search terms, tracking
// parameters); from there to veryLongQuery they are more and more likely
// to carry data. A base64-like run is one of at least minBase64 letters,
// digits and +/_- holding upper and lower case and a digit.
const (
	longQuery     = 128
	veryLongQuery = 1024
	minBase64     = 24
)

// targetJudge judges request targets, reusing its buffers.
type targetJudge struct{ a, b []byte }

// path judges a path by its attack words alone.
func (t *targetJudge) path(p string) judgement {
	var j judgement
	j.word, j.class = t.find(p)
	if j.word != "" {
		j.strength = 1
	}
	return j
}

// query judges a query string: an attack word is 1; otherwise its length
// and encoding give up to 0.8. The judgement of its path (path) counts
// when the query has no attack word of its own.
func (t *targetJudge) query(q string, path judgement) judgement {
	j := judgement{length: len(q)}
	if q != "" {
		j.word, j.class = t.find(q)
		j.encoded = encodedShare(q)
	}
	if j.word == "" {
		j.word, j.class = path.word, path.class
	}
	lenS := clamp01(float64(len(q)-longQuery) / (veryLongQuery - longQuery))
	encS := clamp01((j.encoded-0.3)/0.5) * clamp01(float64(len(q))/64)
	j.strength = 1 - (1-0.5*lenS)*(1-0.6*encS)
	if j.word != "" {
		j.strength = 1
	}
	return j
}

// find returns the first attack word in s, decoded, and its class.
func (t *targetJudge) find(s string) (word, class string) {
	t.a = unescape(t.a[:0], s)
	t.b = unescape(t.b[:0], t.a)
	t.a = squeeze(t.a[:0], t.b)
	for _, w := range attackWords {
		if hasWord(t.a, w.word) {
			return w.word, w.class
		}
	}
	return "", ""
}

// hasWord finds w in t; a parameter name only where a parameter starts.
func hasWord(t []byte, w string) bool {
	if !strings.HasSuffix(w, "=") {
		return bytes.Contains(t, []byte(w))
	}
	for i := 0; ; {
		k := bytes.Index(t[i:], []byte(w))
		if k < 0 {
			return false
		}
		at := i + k
		if at == 0 || bytes.IndexByte([]byte("?&;"), t[at-1]) >= 0 {
			return true
		}
		i = at + 1
	}
}

// unescape appends s lower-cased, with its %XX escapes undone and '+' as a
// space; a broken escape stays as it is. Applied twice it also undoes a
// double encoding (%252e), a common filter evasion.
func unescape[T string | []byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// squeeze appends s with SQL comments used as spaces (/**/) and runs of
// white space made one space: "union/**/select" and "union  select" are
// "union select".
func squeeze(dst, s []byte) []byte {
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '/' && i+3 < len(s) && s[i+1] == '*' && s[i+2] == '*' && s[i+3] == '/' {
			c = ' '
			i += 3
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			if space {
				continue
			}
			c, space = ' ', true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// encodedShare is the share of q's bytes inside %XX escapes or base64-like
// runs: data carried in a parameter rather than words a person chose.
func encodedShare(q string) float64 {
	enc := 0
	run, upper, lower, digit := 0, false, false, false
	end := func() {
		if run >= minBase64 && upper && lower && digit {
			enc += run
		}
		run, upper, lower, digit = 0, false, false, false
	}
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '%' && i+2 < len(q) && isHex(q[i+1]) && isHex(q[i+2]):
			end()
			enc += 3
			i += 2
			continue
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		case '0' <= c && c <= '9':
			digit = true
		case c == '+' || c == '/' || c == '_' || c == '-':
		default:
			end()
			continue
		}
		run++
	}
	end()
	return min(1, float64(enc)/float64(len(q)))
}

// queryStats are the requests of a path judged by their targets.
type queryStats struct {
	requests int64 // requests whose detail was read
	suspect  int64 // of those, judged 0.5 or more
	best     judgement
	method   string // of the best request
	sample   string // its query string, cut to sampleLen
}

// sampleLen is how much of a query string an explanation quotes.
const sampleLen = 60

// add counts n requests with that method and query string, judged j, and
// says whether they are the strongest yet.
func (q *queryStats) add(method, query string, n int64, j judgement) bool {
	q.requests += n
	if j.strength >= 0.5 {
		q.suspect += n
	}
	if j.strength > q.best.strength || q.sample == "" && j.strength == q.best.strength && query != "" {
		q.best, q.method, q.sample = j, method, cut(query, sampleLen)
		return true
	}
	return false
}

// cut shortens s to n bytes and says so.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// words explain the strongest request, of requests in all.
func (q *queryStats) words(requests int64) string {
	b := &q.best
	var w string
	if b.word != "" {
		w = fmt.Sprintf("%s of %s requests look like attacks; the strongest carries %s words (%s)", words.Int(q.suspect), words.Int(requests), b.class, b.word)
	} else {
		w = fmt.Sprintf("query of %d chars, %.0f%% encoded", b.length, 100*b.encoded)
		if q.suspect > 1 {
			w += fmt.Sprintf(" (%s of %s requests alike)", words.Int(q.suspect), words.Int(requests))
		}
	}
	switch {
	case q.sample != "" && q.method != "":
		w += fmt.Sprintf(": %s ?%q", q.method, q.sample)
	case q.sample != "":
		w += fmt.Sprintf(": ?%q", q.sample)
	}
	return w
}
