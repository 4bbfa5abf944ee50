package lists

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/hostile"
)

// hostileRules marks every hostile name bad, the way a mark in the review
// screen stores it (the name exactly as seen), next to ordinary rules.
func hostileRules() []rules.Rule {
	rs := []rules.Rule{
		{ID: 1, Pattern: "ok.example", Scope: rules.Domain, Verdict: rules.Bad},
		{ID: 2, Pattern: "fine.example", Verdict: rules.Good},
	}
	for i, n := range hostile.Strings() {
		rs = append(rs, rules.Rule{ID: int64(i + 3), Pattern: n, Verdict: rules.Bad, Origin: "tui"})
	}
	return rs
}

// name matches what a record of a DNS format may hold: the characters of
// a valid name (each record's name is checked with rules.ValidName too).
const name = `([a-z0-9_.-]+)`

// recordLine is, per format, the shape of one record; comment is the
// prefix of a comment line ("" when the format has none).
var recordLine = map[Format]struct {
	re      *regexp.Regexp
	comment string
}{
	Plain:     {regexp.MustCompile(`^` + name + `$`), "#"},
	Hosts:     {regexp.MustCompile(`^0\.0\.0\.0 ` + name + `$`), "#"},
	Adblock:   {regexp.MustCompile(`^(?:@@)?\|\|?` + name + `\^$`), "!"},
	ZeekIntel: {regexp.MustCompile(`^` + name + `\tIntel::DOMAIN\tlongtail\t[^\t]*$`), "#"},
	SuricataRules: {regexp.MustCompile(`^(?:alert|pass) dns any any -> any any \(msg:"longtail (?:good|suspicious|bad) (?:name|domain) ` + name +
		`"; dns\.query; (?:content:"` + name + `"; startswith; endswith;|dotprefix; content:"\.` + name + `"; endswith;) nocase; sid:[0-9]+; rev:1;\)$`), "#"},
	RPZ: {regexp.MustCompile(`^(?:\*\.)?` + name + ` CNAME (?:\.|rpz-passthru\.)(?: ; .*)?$|^\$TTL 300$|^@ IN (?:SOA|NS) `), ";"},
}

// checkRecords fails unless every line of out is a comment or exactly one
// record of f whose names are all valid DNS names, and no line holds a
// character that could act on a terminal.
func checkRecords(t testing.TB, f Format, out []byte) {
	t.Helper()
	switch f {
	case CSV:
		checkCSV(t, out)
		return
	case JSON:
		checkJSON(t, out)
		return
	}
	for _, l := range strings.SplitAfter(string(out), "\n") {
		if l == "" {
			continue
		}
		if !strings.HasSuffix(l, "\n") {
			t.Fatalf("%s: last line %q has no line break", f, l)
		}
		l = strings.TrimSuffix(l, "\n")
		if !textsafe.Safe(strings.ReplaceAll(l, "\t", " ")) {
			t.Fatalf("%s: line %q holds an unsafe character", f, l)
		}
		if f == SuricataDataset {
			b, err := base64.StdEncoding.DecodeString(l)
			if err != nil || rules.ValidName(string(b)) != nil {
				t.Fatalf("dataset line %q is not a base64 name (%q, %v)", l, b, err)
			}
			continue
		}
		shape := recordLine[f]
		if strings.HasPrefix(l, shape.comment) {
			continue
		}
		m := shape.re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("%s: line %q is not one record", f, l)
		}
		for _, n := range m[1:] {
			if n != "" && rules.ValidName(n) != nil {
				t.Fatalf("%s: line %q holds the invalid name %q", f, l, n)
			}
		}
	}
}

// checkCSV: a header and one record per rule, whatever the bytes, and no
// character that could act on a terminal, since CSV is read in pipes too.
func checkCSV(t testing.TB, out []byte) {
	cr := csv.NewReader(bytes.NewReader(out))
	cr.FieldsPerRecord = len(csvHeader)
	if _, err := cr.ReadAll(); err != nil {
		t.Fatalf("csv: %v\n%q", err, out)
	}
	if textsafe.Text(string(out)) != string(out) {
		t.Fatalf("csv holds characters that act on a terminal:\n%q", out)
	}
}

// checkJSON: an array, one object a line, and not one character that
// could act on a terminal (encoding/json leaves C1 and bidi characters raw).
func checkJSON(t testing.TB, out []byte) {
	var all []map[string]any
	if err := json.Unmarshal(out, &all); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(all) == 0 {
		if string(out) != "[]\n" {
			t.Fatalf("empty json %q", out)
		}
		return
	}
	if len(lines) != len(all)+2 || lines[0] != "[" || lines[len(lines)-1] != "]" {
		t.Fatalf("json is not one object a line:\n%s", out)
	}
	for i, l := range lines[1 : len(all)+1] {
		var v map[string]any
		if i < len(all)-1 {
			l = strings.TrimSuffix(l, ",")
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("json line %q: %v", l, err)
		}
		if !textsafe.Safe(l) {
			t.Fatalf("json line %q holds an unsafe character", l)
		}
	}
}

func TestHostileNamesNeverMakeARecord(t *testing.T) {
	rs := hostileRules()
	for _, f := range ExportFormats {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			rep, err := Write(&buf, string(f), rs, ExportMeta{Generated: exportTime})
			if err != nil {
				t.Fatal(err)
			}
			out := buf.Bytes()
			checkRecords(t, f, out)
			for _, bad := range []string{"c2-attacker", "www.google.com", "pwned"} {
				if f != CSV && f != JSON && bytes.Contains(out, []byte(bad)) && !commentOnly(out, bad, recordLine[f].comment) {
					t.Errorf("%q reached a record:\n%s", bad, out)
				}
			}
			omitted := map[string]bool{}
			for _, o := range rep.Omitted {
				omitted[o.Rule.Pattern] = true
			}
			for _, r := range rs {
				_, idn := names.Punycode(r.Pattern) // written in punycode
				valid := rules.ValidName(r.Pattern) == nil || idn
				if f == CSV || f == JSON {
					valid = true
				}
				if !valid && !omitted[r.Pattern] && !leftOutByDesign(f, r) {
					t.Errorf("%q was neither written nor reported", r.Pattern)
				}
				if valid && omitted[r.Pattern] && !leftOutByDesign(f, r) {
					t.Errorf("valid %q was left out", r.Pattern)
				}
			}
			if f != CSV && f != JSON && f != SuricataDataset && !bytes.Contains(out, []byte("rules left out:")) {
				t.Errorf("the header does not list what was left out:\n%s", out)
			}
		})
	}
}

// leftOutByDesign: names a format refuses beyond DNS validity.
func leftOutByDesign(f Format, r rules.Rule) bool {
	return f == RPZ && strings.Contains(r.Pattern, "rpz-") || f == Hosts && r.Pattern == "1.2.3.4"
}

// commentOnly reports whether s occurs in out only on comment lines.
func commentOnly(out []byte, s, comment string) bool {
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, s) && (comment == "" || !strings.HasPrefix(l, comment)) {
			return false
		}
	}
	return true
}

// TestLosslessFormatsKeepEveryByte: CSV and JSON carry a rule for any
// name exactly, so a verdict on a hostile name moves between workspaces.
func TestLosslessFormatsKeepEveryByte(t *testing.T) {
	rs := hostileRules()
	for _, f := range []Format{CSV, JSON} {
		var buf bytes.Buffer
		if _, err := Write(&buf, string(f), rs, ExportMeta{}); err != nil {
			t.Fatal(err)
		}
		l, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil || l.SkippedTotal != 0 || len(l.Entries) != len(rs) {
			t.Fatalf("%s: read back %d of %d, %+v, %v", f, len(l.Entries), len(rs), l.Skipped, err)
		}
		for i, e := range l.Entries {
			if e.Rule.Pattern != rs[i].Pattern {
				t.Errorf("%s: %q read back as %q", f, rs[i].Pattern, e.Rule.Pattern)
			}
		}
	}
	var buf bytes.Buffer
	Write(&buf, string(JSON), []rules.Rule{{Pattern: "bad\xff.x", Verdict: rules.Bad}}, ExportMeta{})
	if !strings.Contains(buf.String(), `"pattern":"bad\\xff.x"`) || !strings.Contains(buf.String(), `"pattern_hex":"626164ff2e78"`) {
		t.Errorf("invalid UTF-8 not carried as escaped text and hex: %s", buf.String())
	}
}

// TestLosslessFormatsTellRawNamesFromTypedOnes: pattern_hex marks a name
// from the data, so one that looks like a typed pattern ("*.x", spaces)
// comes back as it was, and a pattern a person wrote is parsed as typed.
func TestLosslessFormatsTellRawNamesFromTypedOnes(t *testing.T) {
	raw := []rules.Rule{
		{ID: 1, Pattern: "*.teams.microsoft.com", Verdict: rules.Bad},
		{ID: 2, Pattern: " evil.com ", Verdict: rules.Bad},
		{ID: 3, Pattern: "a\r\nb.evil.com", Verdict: rules.Bad},
		{ID: 4, Pattern: "a..b.example", Scope: rules.Domain, Verdict: rules.Suspicious},
	}
	for _, f := range []Format{CSV, JSON} {
		var buf bytes.Buffer
		Write(&buf, string(f), raw, ExportMeta{})
		l, err := Read(&buf)
		if err != nil || len(l.Entries) != len(raw) {
			t.Fatalf("%s: %d of %d read back, %v %+v", f, len(l.Entries), len(raw), err, l.Skipped)
		}
		for i, e := range l.Entries {
			if e.Rule.Pattern != raw[i].Pattern || e.Rule.Scope != raw[i].Scope {
				t.Errorf("%s: %q read back as %q", f, raw[i].Pattern, e.Rule.Pattern)
			}
		}
	}
	typed := "id,pattern,scope,verdict,note,author,origin,created\n1, Evil.COM. ,name,bad,,,,\n2,*.c2.example,domain,bad,,,,\n"
	l, err := Read(strings.NewReader(typed))
	if err != nil || len(l.Entries) != 2 || l.Entries[0].Rule.Pattern != "evil.com" || l.Entries[1].Rule.Pattern != "c2.example" {
		t.Errorf("a hand-written CSV (the header before pattern_hex) read as %+v, %v", l.Entries, err)
	}
}

func TestIDNsAreExportedInPunycode(t *testing.T) {
	rs := []rules.Rule{
		{ID: 1, Pattern: "bücher.example", Verdict: rules.Bad},
		{ID: 2, Pattern: "zero\u200bwidth.example", Verdict: rules.Bad}, // IDNA would drop the ZWSP
	}
	var buf bytes.Buffer
	rep, _ := Write(&buf, string(Plain), rs, ExportMeta{})
	if !strings.Contains(buf.String(), "\nxn--bcher-kva.example\n") || strings.Contains(buf.String(), "\nzerowidth") {
		t.Errorf("plain export:\n%s", buf.String())
	}
	if len(rep.Omitted) != 1 || rep.Omitted[0].Rule.ID != 2 {
		t.Errorf("omitted %+v", rep.Omitted)
	}
}

func TestRPZExactNameRuleHasNoWildcard(t *testing.T) {
	rs := []rules.Rule{
		{ID: 1, Pattern: "mail.example.com", Verdict: rules.Good},
		{ID: 2, Pattern: "evil.example", Scope: rules.Domain, Verdict: rules.Bad},
		{ID: 3, Pattern: "one.example", Verdict: rules.Bad},
		{ID: 4, Pattern: "both.example", Verdict: rules.Bad},
		{ID: 5, Pattern: "both.example", Scope: rules.Domain, Verdict: rules.Suspicious},
	}
	out := string(export(t, RPZ, rs))
	want := "mail.example.com CNAME rpz-passthru. ; good\n" +
		"evil.example CNAME . ; bad\n*.evil.example CNAME .\n" +
		"one.example CNAME . ; bad\n" +
		"both.example CNAME . ; bad\n" +
		"*.both.example CNAME . ; suspicious\n"
	if !strings.HasSuffix(out, want) {
		t.Errorf("zone ends\n%s\nwant\n%s", out, want)
	}
	if strings.Contains(out, "*.mail") || strings.Contains(out, "*.one") {
		t.Errorf("an exact-name rule became a wildcard:\n%s", out)
	}
}

// TestExactFormatsCarryDomainScope: formats whose consumers match exact
// names get a domain rule's bare name and the names seen below it, and
// say so; formats that match below a name carry the scope themselves.
func TestExactFormatsCarryDomainScope(t *testing.T) {
	rs := []rules.Rule{{ID: 7, Pattern: "evil.example", Scope: rules.Domain, Verdict: rules.Bad}}
	meta := ExportMeta{Below: map[string][]string{"evil.example": {"a.evil.example", "b.c.evil.example", "bad\n.evil.example", "notevil.example"}}}
	for f, want := range map[Format][]string{
		Plain:           {"\nevil.example\na.evil.example\nb.c.evil.example\n"},
		Hosts:           {"\n0.0.0.0 evil.example\n0.0.0.0 a.evil.example\n0.0.0.0 b.c.evil.example\n"},
		ZeekIntel:       {"\nevil.example\tIntel::DOMAIN\tlongtail\tbad (domain and subdomains)\na.evil.example\tIntel::DOMAIN\tlongtail\tbad\nb.c.evil.example\tIntel::DOMAIN\tlongtail\tbad\n"},
		SuricataDataset: {"ZXZpbC5leGFtcGxl\nYS5ldmlsLmV4YW1wbGU=\nYi5jLmV2aWwuZXhhbXBsZQ==\n"},
		SuricataRules:   {`alert dns any any -> any any (msg:"longtail bad domain evil.example"; dns.query; dotprefix; content:".evil.example"; endswith; nocase; sid:1000007; rev:1;)`},
		Adblock:         {"\n||evil.example^\n"},
		RPZ:             {"\nevil.example CNAME . ; bad\n*.evil.example CNAME .\n"},
	} {
		var buf bytes.Buffer
		rep, err := Write(&buf, string(f), rs, meta)
		if err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		checkRecords(t, f, buf.Bytes())
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: lacks %q:\n%s", f, w, out)
			}
		}
		if strings.Contains(out, "notevil") {
			t.Errorf("%s: a name that only ends like the domain was written:\n%s", f, out)
		}
		if len(rep.Notes) == 0 || !strings.Contains(rep.Notes[len(rep.Notes)-1], "1 domain rule:") {
			t.Errorf("%s: the report does not say how domain rules are carried: %q", f, rep.Notes)
		}
	}
}

// FuzzWrite: any rule set, any bytes in the patterns and notes, gives in
// every format an output whose every non-comment line is exactly one
// record, and CSV and JSON read back exactly.
func FuzzWrite(f *testing.F) {
	for _, n := range hostile.Strings() {
		f.Add(n, "ok.example", "note\n; x", uint8(3), true)
	}
	f.Add("a.example", "a.example", "", uint8(1), false)
	f.Fuzz(func(t *testing.T, p1, p2, note string, verdict uint8, domain bool) {
		rs := []rules.Rule{
			{ID: 1, Pattern: p1, Verdict: rules.Verdict(verdict%3 + 1), Note: note},
			{ID: 2, Pattern: p2, Verdict: rules.Bad},
		}
		if domain {
			rs[1].Scope = rules.Domain
		}
		meta := ExportMeta{Below: map[string][]string{p2: {p1, "x." + p2}}, Source: note}
		for _, f := range ExportFormats {
			var buf bytes.Buffer
			if _, err := Write(&buf, string(f), rs, meta); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			checkRecords(t, f, buf.Bytes())
		}
		// Rules that pass Check, as every stored rule does, read back as
		// they were from CSV and JSON.
		var stored []rules.Rule
		for _, r := range rs {
			if r.Check() == nil {
				stored = append(stored, r)
			}
		}
		for _, f := range []Format{CSV, JSON} {
			var buf bytes.Buffer
			Write(&buf, string(f), stored, meta)
			l, err := Read(&buf)
			if len(stored) > 0 && (err != nil || len(l.Entries) != len(stored)) {
				t.Fatalf("%s: read back %d of %d: %v %+v", f, len(l.Entries), len(stored), err, l.Skipped)
			}
			for i, e := range l.Entries {
				// A note is text for people: CSV escapes what could act
				// on a terminal in it, JSON cannot hold bytes that are
				// not UTF-8 (U+FFFD); only a pattern keeps every byte.
				noteOK := e.Rule.Note == stored[i].Note || f == CSV && e.Rule.Note == textsafe.Text(stored[i].Note) ||
					f == JSON && !utf8.ValidString(stored[i].Note)
				if e.Rule.Pattern != stored[i].Pattern || !noteOK {
					t.Fatalf("%s: %q/%q read back as %q/%q", f, stored[i].Pattern, stored[i].Note, e.Rule.Pattern, e.Rule.Note)
				}
			}
		}
	})
}
