package textsafe

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestStringEscapes(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "www.example.com", "www.example.com"},
		{"empty", "", ""},
		{"clear screen", "\x1b[2Jevil.com", `\x1b[2Jevil.com`},
		{"osc52 clipboard", "\x1b]52;c;Y3VybCBldmlsfHNo\x07.x.com", `\x1b]52;c;Y3VybCBldmlsfHNo\x07.x.com`},
		{"osc8 hyperlink", "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\", `\x1b]8;;https://evil\x1b\click\x1b]8;;\x1b\`},
		{"nul", "a\x00b", `a\x00b`},
		{"tab newline cr", "a\tb\nc\rd", `a\x09b\x0ac\x0dd`},
		{"del", "a\x7fb", `a\x7fb`},
		{"c1 csi", "a\u009b2Jb", `a\u009b2Jb`},
		{"c1 nel", "a\u0085b", `a\u0085b`},
		{"rlo override", "\u202egnp.exe", `\u202egnp.exe`},
		{"bidi isolates", "a\u2066b\u2069\u2067\u2068", `a\u2066b\u2069\u2067\u2068`},
		{"lrm rlm alm", "\u200e\u200f\u061c", `\u200e\u200f\u061c`},
		{"bidi embeddings", "\u202a\u202b\u202c\u202d", `\u202a\u202b\u202c\u202d`},
		{"zero width", "pay\u200bpal\u200c\u200d\u2060\ufeff.com", `pay\u200bpal\u200c\u200d\u2060\ufeff.com`},
		{"line separators", "a\u2028b\u2029", `a\u2028b\u2029`},
		{"tag characters", "a\U000E0041", `a\U000e0041`},
		{"hangul filler", "a\u3164b", `a\u3164b`},
		{"invalid utf8", "caf\xe9.com\xff", `caf\xe9.com\xff`},
		{"truncated sequence", "a\xe2\x82", `a\xe2\x82`},
		{"encoded c1 vs raw byte", "\u0080\x80", `\u0080\x80`},
		{"tshark octal kept", `02fds82\3122hb\276.example.attack`, `02fds82\3122hb\276.example.attack`},
		{"zeek hex kept", `a\x00b`, `a\x00b`},
		{"unicode idn kept", "bücher.食狮.中国", "bücher.食狮.中国"},
		{"emoji kept", "i❤️.ws", "i❤️.ws"},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("%s: String(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
		if got := string(Bytes([]byte(c.in))); got != c.want {
			t.Errorf("%s: Bytes(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
		if got := string(Append([]byte("p:"), c.in)); got != "p:"+c.want {
			t.Errorf("%s: Append = %q, want %q", c.name, got, "p:"+c.want)
		}
		if Safe(c.in) != (c.in == c.want) {
			t.Errorf("%s: Safe(%q) = %v", c.name, c.in, Safe(c.in))
		}
	}
}

func TestSafeInputIsNotCopied(t *testing.T) {
	b := []byte("www.example.com")
	if out := Bytes(b); &out[0] != &b[0] {
		t.Error("Bytes copied a safe slice")
	}
	s := "www.example.com"
	if n := testing.AllocsPerRun(100, func() { _ = String(s) }); n != 0 {
		t.Errorf("String allocates %v times on safe input", n)
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  string
	}{
		{"example.com", 20, "example.com"},
		{"example.com", 11, "example.com"},
		{"example.com", 8, "example…"},
		{"example.com", 1, "…"},
		{"example.com", 0, ""},
		{"食狮食狮.cn", 5, "食狮…"},          // wide characters take two cells
		{"\x1b[2Jabcdef", 6, `\x1b[…`}, // escaped before measuring
	}
	for _, c := range cases {
		got := Truncate(c.in, c.width)
		if got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
		if w := ansi.StringWidth(got); w > c.width {
			t.Errorf("Truncate(%q, %d) is %d cells wide", c.in, c.width, w)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "www.example.com", "\x1b[2J", "\x1b]52;c;abc\x07", "\u202egnp", "\xff\xfe", `a\x1b`, "\u0085\u200b", "食狮.中国"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q is not valid UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("String(%q) = %q still holds %U", s, out, r)
			}
		}
		if String(out) != out {
			t.Fatalf("String is not idempotent on %q", s)
		}
		if Safe(s) != (out == s) {
			t.Fatalf("Safe(%q) = %v but String changed it to %q", s, Safe(s), out)
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r >= 0x7f }) && out != s {
			t.Fatalf("printable ASCII %q was changed to %q", s, out)
		}
		if tr := Truncate(s, 10); ansi.StringWidth(tr) > 10 {
			t.Fatalf("Truncate(%q, 10) = %q is too wide", s, tr)
		}
	})
}

func BenchmarkString(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"safe", "static.cdn.example-content.co.uk"},
		{"escape", "\x1b]52;c;Y3VybCBldmlsfHNo\x07.example.com"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				_ = String(bc.in)
			}
		})
	}
}

func TestJSONEscapesUnsafeRunes(t *testing.T) {
	in := "[\"a\u202eb\u200bc\u009bd\x7fe\U000E0041f\",\n\"ok ü\"]"
	got := string(JSON([]byte(in)))
	want := "[\"a\\u202eb\\u200bc\\u009bd\\u007fe\\udb40\\udc41f\",\n\"ok ü\"]"
	if got != want {
		t.Errorf("JSON(%q) = %q, want %q", in, got, want)
	}
	var back, orig []string
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(in), &orig)
	if !reflect.DeepEqual(back, orig) {
		t.Errorf("escaped JSON reads back as %q, want %q", back, orig)
	}
}

func TestLineWriterKeepsLinesAndTabs(t *testing.T) {
	var b strings.Builder
	lw := NewLineWriter(&b)
	// Written in pieces that split a line and an escape sequence.
	for _, p := range []string{"one\tname\x1b]0;", "x\x07\n", "two\u202e\nlast\x9b"} {
		if _, err := lw.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "one\tname\\x1b]0;x\\x07\ntwo\\u202e\nlast\\x9b"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
