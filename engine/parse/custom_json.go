package parse

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONPaths bounds the paths one walker looks for: the fields of a kind
// (numSlots) or detect.keys (maxDetectKeys), so that the paths a key ends
// fit in a bit mask.
const maxJSONPaths = max(int(numSlots), maxDetectKeys)

// jsonWalker finds the values at a few key paths of a JSON object in one
// pass over the line, stepping over everything else without decoding it.
// A path "a.b" is the literal key "a.b" first, else key "b" in object "a"
// (Zeek writes "id.orig_h" as one key, other loggers nest).
type jsonWalker struct {
	paths []string
	found []jsonFound // by path
	bufs  [][]byte    // by path: its value unescaped, or its array joined
	key   []byte      // a key with escapes, unescaped
	// stack holds the paths still looked for in each object being read,
	// each object's below its parent's: objects refer to their part by
	// index, as it may move when it grows.
	stack []jsonPath
}

// jsonPath is a path still looked for: what is left of it below the
// object being read.
type jsonPath struct {
	i   int
	rem string
}

// jsonFound is where a path's value is in the line.
type jsonFound struct {
	raw   []byte // the value's JSON text
	depth int    // objects entered to reach it: a literal dotted key (fewer) wins
	ok    bool
}

func (w *jsonWalker) init(paths []string) {
	w.paths = paths
	w.found = make([]jsonFound, len(paths))
	w.bufs = make([][]byte, len(paths))
	w.stack = make([]jsonPath, 0, 4*len(paths))
}

// walk reads line, which must be one JSON object, and finds the paths in
// it.
func (w *jsonWalker) walk(line []byte) bool {
	clear(w.found)
	w.stack = w.stack[:0]
	for i, p := range w.paths {
		w.stack = append(w.stack, jsonPath{i, p})
	}
	s := jsonScanner{b: line}
	return w.object(&s, 0, len(w.stack), 0) && s.end()
}

// object reads the object at the cursor, keeping the values of the paths
// (w.stack[lo:hi]) that end at one of its keys and entering the values
// that paths go on into.
func (w *jsonWalker) object(s *jsonScanner, lo, hi, depth int) bool {
	if !s.byte('{') {
		return false
	}
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		key, ok := w.readKey(s)
		if !ok || !s.byte(':') {
			return false
		}
		var leaves uint32
		for _, a := range w.stack[lo:hi] {
			switch {
			case a.rem == string(key):
				leaves |= 1 << a.i
			case len(a.rem) > len(key) && a.rem[len(key)] == '.' && a.rem[:len(key)] == string(key):
				w.stack = append(w.stack, jsonPath{a.i, a.rem[len(key)+1:]})
			}
		}
		s.ws()
		start := s.i
		if len(w.stack) > hi && s.peek() == '{' {
			if !w.object(s, hi, len(w.stack), depth+1) {
				return false
			}
		} else if !s.skipValue() {
			return false
		}
		w.stack = w.stack[:hi]
		for i := 0; leaves != 0; i, leaves = i+1, leaves>>1 {
			if f := &w.found[i]; leaves&1 != 0 && (!f.ok || depth < f.depth) {
				*f = jsonFound{s.b[start:s.i], depth, true}
			}
		}
		switch s.next() {
		case ',':
		case '}':
			return true
		default:
			return false
		}
	}
}

// readKey reads an object's key, unescaped.
func (w *jsonWalker) readKey(s *jsonScanner) ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start := s.i
	if !s.skipStringBody() {
		return nil, false
	}
	k := s.b[start : s.i-1]
	if bytes.IndexByte(k, '\\') < 0 {
		return k, true
	}
	var ok bool
	w.key, ok = appendUnescaped(w.key[:0], k)
	return w.key, ok
}

// value is the text of path i's value: a string unescaped, a number or
// true/false as written, an array of those joined with ','; nothing for
// null or a path not found. ok is false for an object, or an array that
// holds one.
func (w *jsonWalker) value(i int) (v []byte, ok bool) {
	f := w.found[i]
	if !f.ok {
		return nil, true
	}
	raw := f.raw
	switch raw[0] {
	case '"':
		body := raw[1 : len(raw)-1]
		if bytes.IndexByte(body, '\\') < 0 {
			return body, true
		}
		w.bufs[i], ok = appendUnescaped(w.bufs[i][:0], body)
		return w.bufs[i], ok
	case '[':
		w.bufs[i], ok = joinArray(w.bufs[i][:0], raw)
		return w.bufs[i], ok
	case '{':
		return nil, false
	}
	if string(raw) == "null" {
		return nil, true
	}
	return raw, true
}

// joinArray appends the elements of a JSON array of strings and numbers
// to dst, joined with ','.
func joinArray(dst, raw []byte) ([]byte, bool) {
	s := jsonScanner{b: raw}
	n := 0
	ok := s.array(func() bool {
		var elem []byte
		switch s.peek() {
		case '{', '[':
			return false
		case '"':
			s.i++
			start := s.i
			if !s.skipStringBody() {
				return false
			}
			elem = s.b[start : s.i-1]
		default:
			if elem = s.number(); len(elem) == 0 {
				return false
			}
			if string(elem) == "null" {
				return true
			}
		}
		if n++; n > 1 {
			dst = append(dst, ',')
		}
		var ok bool
		dst, ok = appendUnescaped(dst, elem)
		return ok
	})
	return dst, ok && s.end()
}

// appendUnescaped appends the content of a JSON string, its escapes
// decoded, to dst.
func appendUnescaped(dst, s []byte) ([]byte, bool) {
	for len(s) > 0 {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			return append(dst, s...), true
		}
		dst = append(dst, s[:i]...)
		if i+1 >= len(s) {
			return dst, false
		}
		c := s[i+1]
		s = s[i+2:]
		switch c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s)
			if !ok {
				return dst, false
			}
			s = s[4:]
			if utf16.IsSurrogate(r) && len(s) >= 6 && s[0] == '\\' && s[1] == 'u' {
				if r2, ok := hex4(s[2:]); ok {
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						r, s = pair, s[6:]
					}
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
	return dst, true
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, ok := Hex(b[:4])
	return rune(n), ok
}
