// Package textsafe makes untrusted text safe to show on a terminal or to
// write into a text export.
//
// A DNS name taken from a packet can hold any byte: ESC sequences that clear
// the screen, set the clipboard (OSC 52) or plant hyperlinks (OSC 8), bidi
// overrides that make "moc.elgoog" read as something else, invisible
// characters that make two different names look equal, and bytes that are
// not UTF-8 at all. Every such character is replaced by a visible escape:
// C0 controls, DEL and invalid bytes as \xHH, other runes as \uHHHH (or
// \UHHHHHHHH above the BMP). Everything else, including any backslash, is
// kept as it is.
//
// Backslashes are deliberately not doubled. Zeek already writes unprintable
// bytes of a query as \xHH and tshark as octal \312; keeping a backslash as
// it is lets those show through in the same notation we use, with the same
// meaning (a raw byte in the name), and makes String idempotent, so a value
// that is sanitised twice on its way to the screen does not sprout "\\x1b".
// The price is that a name that literally contains the text `\x1b` looks
// like one that contained ESC; both are equally suspicious to an analyst.
package textsafe

import (
	"bytes"
	"encoding/hex"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/charmbracelet/x/ansi"
)

const hexDigits = "0123456789abcdef"

// String returns s with every unsafe character escaped. When s is already
// safe it is returned as is, without allocating.
func String(s string) string {
	i := unsafeIndex(s)
	if i < 0 {
		return s
	}
	return string(appendFrom(make([]byte, 0, len(s)+16), s, i))
}

// Bytes is String for a byte slice: it returns b itself when b is safe and a
// new, escaped slice otherwise.
func Bytes(b []byte) []byte {
	// The string view never outlives this call and b is not modified, so
	// aliasing it is safe and saves a copy on the fast path.
	s := unsafe.String(unsafe.SliceData(b), len(b))
	i := unsafeIndex(s)
	if i < 0 {
		return b
	}
	return appendFrom(make([]byte, 0, len(b)+16), s, i)
}

// Append appends the escaped form of s to dst, for callers that build output
// in a reusable buffer.
func Append(dst []byte, s string) []byte {
	i := unsafeIndex(s)
	if i < 0 {
		return append(dst, s...)
	}
	return appendFrom(dst, s, i)
}

// Lossless returns s escaped as String does, for people, and its exact
// bytes in hex, for a format that must show text safely yet keep every
// byte of it (a name from a packet in JSON or CSV).
func Lossless(s string) (text, hexBytes string) {
	return String(s), hex.EncodeToString([]byte(s))
}

// Text is String for text people wrote, a note say: line breaks and tabs
// are kept, everything else String escapes is escaped.
func Text(s string) string {
	if unsafeIndex(s) < 0 {
		return s
	}
	return string(appendText(nil, s))
}

// appendText appends s escaped as Text does.
func appendText(dst []byte, s string) []byte {
	for {
		i := strings.IndexAny(s, "\n\t")
		if i < 0 {
			return Append(dst, s)
		}
		dst = append(Append(dst, s[:i]), s[i])
		s = s[i+1:]
	}
}

// Safe reports whether s would be returned unchanged by String.
func Safe(s string) bool { return unsafeIndex(s) < 0 }

// Truncate sanitises s and shortens it to at most width terminal cells,
// ending in "…" when something was cut. Width counts display cells, so wide
// (CJK, emoji) characters count as two.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	s = String(s)
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// unsafeIndex returns the byte offset of the first character that needs an
// escape, or -1.
func unsafeIndex(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || needsEscape(r) {
			return i
		}
		i += n
	}
	return -1
}

// appendFrom appends s to dst, escaping from byte offset i on (everything
// before i is known to be safe).
func appendFrom(dst []byte, s string, i int) []byte {
	dst = append(dst, s[:i]...)
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				dst = appendByteEscape(dst, c)
			} else {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = appendByteEscape(dst, c)
		case needsEscape(r):
			dst = appendRuneEscape(dst, r)
		default:
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}

// needsEscape reports whether a non-ASCII rune must not reach a terminal as
// is: C1 controls (some terminals act on them), format characters (bidi
// controls, zero-width characters, BOM, invisible tags: unicode.Cf),
// line and paragraph separators, and letters that render as blanks.
func needsEscape(r rune) bool {
	switch {
	case r <= 0x9f: // C1 controls; the ASCII range never gets here
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	case r == 0x115f || r == 0x1160 || r == 0x3164 || r == 0xffa0:
		// Hangul fillers: letters that draw nothing, used to fake blanks.
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

func appendByteEscape(dst []byte, c byte) []byte {
	return append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
}

func appendRuneEscape(dst []byte, r rune) []byte {
	if r > 0xffff {
		dst = append(dst, '\\', 'U')
		for shift := 28; shift >= 0; shift -= 4 {
			dst = append(dst, hexDigits[r>>shift&15])
		}
		return dst
	}
	return appendU4(dst, r)
}

// appendU4 appends \uHHHH, the escape of a rune in the BMP.
func appendU4(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
}

// JSON rewrites an encoded JSON document (valid UTF-8, as encoding/json
// writes it) so that no character String would escape stands in it raw:
// DEL, C1 controls, bidi and zero-width characters become \uXXXX escapes
// (surrogate pairs above the BMP). Every JSON reader decodes them back to
// the same characters, and they can only occur inside strings, so the
// document means what it meant; it just cannot act on a terminal or hide
// its text any more. encoding/json already escapes C0 controls.
func JSON(b []byte) []byte {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	i := unsafeIndex(s)
	if i < 0 {
		return b
	}
	out := append(make([]byte, 0, len(b)+16), b[:i]...)
	for _, r := range s[i:] {
		switch {
		case r == 0x7f || r >= utf8.RuneSelf && needsEscape(r):
			out = appendJSONEscape(out, r)
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}

func appendJSONEscape(dst []byte, r rune) []byte {
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		return appendJSONEscape(appendJSONEscape(dst, hi), lo)
	}
	return appendU4(dst, r)
}

// LineWriter passes text on line by line with every unsafe character of a
// line escaped as String does, keeping the line breaks and tabs that
// separate records and fields: for text files (an export) shown on a
// terminal. Call Flush at the end for a last line without a break.
type LineWriter struct {
	w   io.Writer
	buf []byte // the current line, not yet complete
	out []byte
}

// maxLine bounds what LineWriter holds of a line without a break.
const maxLine = 64 << 10

// NewLineWriter returns a LineWriter writing to w.
func NewLineWriter(w io.Writer) *LineWriter { return &LineWriter{w: w} }

// Write escapes and writes every complete line of p; the rest is held.
func (lw *LineWriter) Write(p []byte) (int, error) {
	lw.buf = append(lw.buf, p...)
	i := bytes.LastIndexByte(lw.buf, '\n')
	if i < 0 && len(lw.buf) < maxLine {
		return len(p), nil
	}
	if i < 0 {
		i = len(lw.buf) - 1
	}
	if err := lw.emit(lw.buf[:i+1]); err != nil {
		return 0, err
	}
	lw.buf = append(lw.buf[:0], lw.buf[i+1:]...)
	return len(p), nil
}

// Flush writes what is held of a last line.
func (lw *LineWriter) Flush() error {
	err := lw.emit(lw.buf)
	lw.buf = lw.buf[:0]
	return err
}

func (lw *LineWriter) emit(b []byte) error {
	lw.out = appendText(lw.out[:0], string(b))
	_, err := lw.w.Write(lw.out)
	return err
}
