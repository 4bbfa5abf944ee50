package lists

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

var exportTime = time.Date(2025, 3, 4, 5, 6, 7, 890123000, time.UTC)

// sampleRules covers every verdict and scope, a duplicated pattern, and
// notes with the characters that break naive writers.
func sampleRules() []rules.Rule {
	return []rules.Rule{
		{ID: 1, Pattern: "example.com", Scope: rules.Domain, Verdict: rules.Good, Note: "corporate, \"all\" of it", Author: "ana", Origin: "tui", Created: exportTime},
		{ID: 2, Pattern: "evil.example.com", Scope: rules.Domain, Verdict: rules.Bad, Note: "c2\tbeacon\nsecond line; more", Author: "ana", Origin: "cli", Created: exportTime.Add(time.Second)},
		{ID: 3, Pattern: "odd.example.net", Scope: rules.Name, Verdict: rules.Suspicious, Note: "ünïcode ✓", Author: "bo", Origin: "/tmp/feed.txt", Created: exportTime.Add(time.Minute)},
		{ID: 4, Pattern: "_dmarc.xn--bcher-kva.example", Scope: rules.Name, Verdict: rules.Bad, Origin: "tui"},
		{ID: 5, Pattern: "wpad", Scope: rules.Name, Verdict: rules.Good, Author: "x,y", Origin: "tui", Created: exportTime},
		{ID: 6, Pattern: "evil.example.com", Scope: rules.Name, Verdict: rules.Suspicious, Origin: "tui"},
	}
}

// carried is what format keeps of r when written and read back; ok is false
// when the format leaves r out.
func carried(f Format, r rules.Rule) (e entry, ok bool) {
	e.Name = r.Pattern
	switch f {
	case Plain, SuricataDataset, Hosts:
		return e, r.Verdict != rules.Good
	case Adblock:
		e.Scope = r.Scope
		if r.Verdict == rules.Good {
			e.Verdict = rules.Good
		}
		return e, true
	case ZeekIntel, RPZ, CSV, JSON:
		e.Scope, e.Verdict, e.Note = r.Scope, r.Verdict, r.Note
		if f == ZeekIntel || f == RPZ {
			e.Note = oneLine(r.Note)
		}
		return e, f != ZeekIntel || r.Verdict != rules.Good
	}
	panic("no expectation for " + f)
}

// expected applies carried to rs; formats without scope or verdict list a
// pattern once.
func expected(f Format, rs []rules.Rule) []entry {
	var out []entry
	seen := map[string]bool{}
	for _, r := range rs {
		e, ok := carried(f, r)
		if !ok {
			continue
		}
		if f == Plain || f == Hosts || f == SuricataDataset {
			if seen[e.Name] {
				continue
			}
			seen[e.Name] = true
		}
		out = append(out, e)
	}
	return out
}

func export(t *testing.T, f Format, rs []rules.Rule) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Write(&buf, string(f), rs, ExportMeta{Generated: exportTime, Source: "test workspace"}); err != nil {
		t.Fatalf("Write %s: %v", f, err)
	}
	return buf.Bytes()
}

// readableFormats are the export formats Read takes back: all but
// suricata-rules, a rule file rather than a list.
func readableFormats() []Format {
	var out []Format
	for _, f := range ExportFormats {
		if f != SuricataRules {
			out = append(out, f)
		}
	}
	return out
}

func TestRoundTripEveryFormat(t *testing.T) {
	rs := sampleRules()
	for _, f := range readableFormats() {
		t.Run(string(f), func(t *testing.T) {
			out := export(t, f, rs)
			l, err := Read(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("Read: %v\n%s", err, out)
			}
			if l.Format != f {
				t.Errorf("read back as %q", l.Format)
			}
			if l.SkippedTotal != 0 {
				t.Errorf("skipped %+v\n%s", l.Skipped, out)
			}
			if got, want := plainEntries(l.Entries), expected(f, rs); !reflect.DeepEqual(got, want) {
				t.Errorf("read back\n got %+v\nwant %+v\nfile:\n%s", got, want, out)
			}
			if f == CSV || f == JSON {
				for i, e := range l.Entries {
					if e.Rule == nil || !reflect.DeepEqual(*e.Rule, rs[i]) {
						t.Errorf("rule %d: got %+v, want %+v", i, e.Rule, rs[i])
					}
				}
			}
		})
	}
}

func TestRoundTripEmptyExport(t *testing.T) {
	for _, f := range []Format{CSV, JSON, ZeekIntel, RPZ} {
		l, err := Read(bytes.NewReader(export(t, f, nil)))
		if err != nil || len(l.Entries) != 0 || l.Format != f {
			t.Errorf("%s: empty export read back as %+v, %v", f, l, err)
		}
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	_, err := Write(new(bytes.Buffer), "xml", nil, ExportMeta{})
	if err == nil || !strings.Contains(err.Error(), "rpz") {
		t.Errorf("err = %v, want a list of formats", err)
	}
}

func TestZeekIntelLayout(t *testing.T) {
	rs := sampleRules()[1:3]
	want := "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n" +
		"evil.example.com\tIntel::DOMAIN\tlongtail\tbad (domain and subdomains): c2 beacon second line; more\n" +
		"odd.example.net\tIntel::DOMAIN\tlongtail\tsuspicious: ünïcode ✓\n"
	got := string(export(t, ZeekIntel, rs))
	head, body, _ := strings.Cut(got, "#fields")
	if "#fields"+body != want {
		t.Errorf("zeek intel file\n got %q\nwant %q", got, want)
	}
	for _, l := range strings.Split(strings.TrimSuffix(head, "\n"), "\n") {
		if !strings.HasPrefix(l, "# ") {
			t.Errorf("header line %q is not a comment", l)
		}
	}
	if !strings.Contains(head, "Intel::DOMAIN matches exact names") {
		t.Errorf("header does not say how domain rules are carried:\n%s", head)
	}
}

// TestVerdictlessFormatsLeaveGoodOut: plain, zeek-intel and
// suricata-dataset cannot tell a consumer which names are known-good, so
// an export of every verdict leaves those out (with a note saying so);
// asked for alone, they are the export: an allowlist.
func TestVerdictlessFormatsLeaveGoodOut(t *testing.T) {
	rs := []rules.Rule{
		{ID: 1, Pattern: "google.com", Scope: rules.Domain, Verdict: rules.Good},
		{ID: 2, Pattern: "evil.example", Verdict: rules.Bad},
		{ID: 3, Pattern: "odd.example", Verdict: rules.Suspicious},
	}
	meta := ExportMeta{Below: map[string][]string{"google.com": {"www.google.com"}}}
	for _, f := range []Format{Plain, ZeekIntel, SuricataDataset} {
		var buf bytes.Buffer
		rep, err := Write(&buf, string(f), rs, meta)
		if err != nil {
			t.Fatal(err)
		}
		l := mustRead(t, buf.String())
		if got := entryNames(l.Entries); !reflect.DeepEqual(got, []string{"evil.example", "odd.example"}) {
			t.Errorf("%s of every verdict holds %q", f, got)
		}
		if rep.Written != 2 || len(rep.Notes) == 0 || !strings.Contains(rep.Notes[0], "1 known-good rule left out: ") ||
			!strings.Contains(rep.Notes[0], "--verdict good") {
			t.Errorf("%s: report %+v does not say the known-good rule was left out", f, rep)
		}
		buf.Reset()
		meta.Verdict = rules.Good
		if _, err := Write(&buf, string(f), rs[:1], meta); err != nil {
			t.Fatal(err)
		}
		meta.Verdict = rules.None
		if got := entryNames(mustRead(t, buf.String()).Entries); !reflect.DeepEqual(got, []string{"google.com", "www.google.com"}) {
			t.Errorf("%s --verdict good holds %q", f, got)
		}
	}
}

func entryNames(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
	}
	return out
}

func TestSuricataDatasetLayout(t *testing.T) {
	// Suricata base64-decodes every line of a string dataset; nothing else
	// may be in the file. printf 'evil.example.com' | base64 → ZXZpbC5leGFtcGxlLmNvbQ==
	got := string(export(t, SuricataDataset, []rules.Rule{{Pattern: "evil.example.com"}, {Pattern: "evil.example.com", Scope: rules.Domain}}))
	if got != "ZXZpbC5leGFtcGxlLmNvbQ==\n" {
		t.Errorf("dataset %q", got)
	}
}

func TestHostsAndAdblockLayout(t *testing.T) {
	rs := []rules.Rule{
		{Pattern: "a.example", Scope: rules.Domain, Verdict: rules.Bad},
		{Pattern: "b.example", Verdict: rules.Suspicious},
		{Pattern: "c.example", Scope: rules.Domain, Verdict: rules.Good},
		{Pattern: "d.example", Verdict: rules.Good},
	}
	hosts := string(export(t, Hosts, rs))
	if !strings.Contains(hosts, "\n0.0.0.0 a.example\n0.0.0.0 b.example\n") || strings.Contains(hosts, "c.example") {
		t.Errorf("hosts:\n%s", hosts)
	}
	if !strings.Contains(hosts, "bare name") || !strings.Contains(hosts, "2 known-good rules left out") {
		t.Errorf("hosts header does not explain what it leaves out:\n%s", hosts)
	}
	adblock := string(export(t, Adblock, rs))
	if !strings.HasSuffix(adblock, "\n||a.example^\n|b.example^\n@@||c.example^\n@@|d.example^\n") {
		t.Errorf("adblock:\n%s", adblock)
	}
}

func TestRPZLayoutAndNamedCheckzone(t *testing.T) {
	out := export(t, RPZ, sampleRules())
	for _, line := range []string{
		"example.com CNAME rpz-passthru. ; good: corporate, \"all\" of it\n*.example.com CNAME rpz-passthru.\n",
		// evil.example.com has a Name rule too, which decides the bare name.
		"\n*.evil.example.com CNAME . ; bad: c2 beacon second line; more\n",
		"\nevil.example.com CNAME . ; suspicious\n",
		"odd.example.net CNAME . ; suspicious: ünïcode ✓\n",
		"\nwpad CNAME rpz-passthru. ; good\n",
		"@ IN SOA localhost. hostmaster.localhost. ( 1741064767 ",
	} {
		if !bytes.Contains(out, []byte(line)) {
			t.Errorf("zone lacks %q:\n%s", line, out)
		}
	}
	checkzone, err := exec.LookPath("named-checkzone")
	if err != nil {
		t.Skip("named-checkzone not installed (Debian: apt-get install bind9-utils)")
	}
	path := filepath.Join(t.TempDir(), "longtail.rpz")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(checkzone, "rpz.longtail", path).CombinedOutput(); err != nil {
		t.Errorf("named-checkzone: %v\n%s\nzone:\n%s", err, msg, out)
	}
}

func TestRPZOneCNAMEPerOwner(t *testing.T) {
	// A zone holds one CNAME per name: rules that disagree about a name
	// must come out as the policy the Matcher would apply.
	rs := []rules.Rule{
		{ID: 1, Pattern: "a.example", Scope: rules.Domain, Verdict: rules.Bad},
		{ID: 2, Pattern: "a.example", Scope: rules.Name, Verdict: rules.Good},
		{ID: 3, Pattern: "b.example", Scope: rules.Domain, Verdict: rules.Good},
		{ID: 4, Pattern: "b.example", Scope: rules.Domain, Verdict: rules.Bad},
	}
	out := string(export(t, RPZ, rs))
	want := "*.a.example CNAME . ; bad\na.example CNAME rpz-passthru. ; good\nb.example CNAME . ; bad\n*.b.example CNAME .\n"
	if !strings.HasSuffix(out, want) {
		t.Errorf("zone ends\n%s\nwant\n%s", out, want)
	}
	l := mustRead(t, out)
	m := rules.NewMatcher(rs, subject.DNSName)
	for _, e := range l.Entries {
		name := e.Name
		if e.Scope == rules.Domain {
			name = "sub." + name
		}
		if r, _ := m.Match(name); e.Verdict != r.Verdict {
			t.Errorf("%s read back as %v, matcher says %v", name, e.Verdict, r.Verdict)
		}
	}
	if len(l.Entries) != 3 {
		t.Errorf("entries %+v", plainEntries(l.Entries))
	}
	checkzone, err := exec.LookPath("named-checkzone")
	if err != nil {
		t.Skip("named-checkzone not installed")
	}
	path := filepath.Join(t.TempDir(), "z.rpz")
	os.WriteFile(path, []byte(out), 0o600)
	if msg, err := exec.Command(checkzone, "rpz.longtail", path).CombinedOutput(); err != nil {
		t.Errorf("named-checkzone: %v\n%s", err, msg)
	}
}

// TestRPZLengthFitsTheRecordsWritten: only a domain rule writes "*.name",
// so only it needs the two more bytes; an exact rule whose name fits under
// the zone is written, and the zone loads.
func TestRPZLengthFitsTheRecordsWritten(t *testing.T) {
	long := strings.Repeat(strings.Repeat("d", 63)+".", 3) + strings.Repeat("d", 48) // 240 bytes
	rs := []rules.Rule{
		{ID: 1, Pattern: long, Verdict: rules.Bad},
		{ID: 2, Pattern: long[2:], Scope: rules.Domain, Verdict: rules.Bad}, // *. and 238 bytes: 240
		{ID: 3, Pattern: long, Scope: rules.Domain, Verdict: rules.Bad},
	}
	var buf bytes.Buffer
	rep, err := Write(&buf, string(RPZ), rs, ExportMeta{})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"\n" + long + " CNAME . ; bad\n", "\n*." + long[2:] + " CNAME .\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("zone lacks %q:\n%s", want, out)
		}
	}
	if len(rep.Omitted) != 1 || rep.Omitted[0].Rule.ID != 3 || !strings.HasPrefix(rep.Omitted[0].Reason, "*."+long+" under zone rpz.longtail is 255 bytes") {
		t.Errorf("omitted %+v, want rule 3 for its *. record", rep.Omitted)
	}
	checkzone, err := exec.LookPath("named-checkzone")
	if err != nil {
		t.Skip("named-checkzone not installed")
	}
	path := filepath.Join(t.TempDir(), "z.rpz")
	os.WriteFile(path, buf.Bytes(), 0o600)
	if msg, err := exec.Command(checkzone, DefaultZone, path).CombinedOutput(); err != nil {
		t.Errorf("named-checkzone: %v\n%s", err, msg)
	}
}

// TestExactRuleDecidesTheBareNameInEveryFormat: a Domain rule's bare name
// that an exact rule decides is that rule's, whether the exact rule is
// written, left out by the format (a known-good name in a blocklist), or
// not given at all (ExportMeta.Decided: an export of one verdict).
func TestExactRuleDecidesTheBareNameInEveryFormat(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	domain := rules.Rule{ID: 1, Pattern: "example.org", Scope: rules.Domain, Verdict: rules.Bad}
	good := rules.Rule{ID: 2, Pattern: "example.org", Verdict: rules.Good, Created: exportTime}
	below := map[string][]string{"example.org": {"x.example.org"}}
	// noted: the report says a bare name was left out.
	type want struct {
		has, lacks []string
		noted      bool
	}
	for _, c := range []struct {
		name string
		rs   []rules.Rule
		meta ExportMeta
		want map[Format]want
	}{
		{"the exact rule given", []rules.Rule{domain, good}, ExportMeta{Below: below}, map[Format]want{
			Plain:           {[]string{"\nx.example.org\n"}, []string{"\nexample.org\n"}, true},
			Hosts:           {[]string{"\n0.0.0.0 x.example.org\n"}, []string{"\n0.0.0.0 example.org\n"}, true},
			ZeekIntel:       {[]string{"\nx.example.org\t"}, []string{"\nexample.org\t"}, true},
			SuricataDataset: {[]string{"\n" + b64("x.example.org") + "\n"}, []string{"\n" + b64("example.org") + "\n"}, true},
			RPZ:             {[]string{"\n*.example.org CNAME . ; bad\nexample.org CNAME rpz-passthru. ; good\n"}, []string{"\nexample.org CNAME . "}, false},
			Adblock:         {[]string{"\n||example.org^\n@@|example.org^\n"}, nil, false},
			SuricataRules:   {[]string{"\nalert dns any any -> any any (msg:\"longtail bad domain example.org\"", "\npass dns any any -> any any (msg:\"longtail good name example.org\""}, nil, false},
		}},
		{"the exact rule not given", []rules.Rule{domain}, ExportMeta{Below: below, Decided: map[string]bool{"example.org": true}}, map[Format]want{
			Plain:           {[]string{"\nx.example.org\n"}, []string{"\nexample.org\n"}, true},
			Hosts:           {[]string{"\n0.0.0.0 x.example.org\n"}, []string{"\n0.0.0.0 example.org\n"}, true},
			ZeekIntel:       {[]string{"\nx.example.org\t"}, []string{"\nexample.org\t"}, true},
			SuricataDataset: {[]string{"\n" + b64("x.example.org") + "\n"}, []string{"\n" + b64("example.org") + "\n"}, true},
			RPZ:             {[]string{"\n*.example.org CNAME . ; bad\n"}, []string{"\nexample.org CNAME"}, true},
			// These cover the bare name with the names below it: the
			// report must not say it was left out (the review found it
			// did), but that it is still covered.
			Adblock:       {[]string{"\n||example.org^\n"}, nil, false},
			SuricataRules: {[]string{"\nalert dns any any -> any any (msg:\"longtail bad domain example.org\""}, nil, false},
		}},
	} {
		for f, w := range c.want {
			var buf bytes.Buffer
			rep, err := Write(&buf, string(f), c.rs, c.meta)
			if err != nil {
				t.Fatal(err)
			}
			out := "\n" + buf.String()
			for _, s := range w.has {
				if !strings.Contains(out, s) {
					t.Errorf("%s, %s: lacks %q:\n%s", c.name, f, s, out)
				}
			}
			for _, s := range w.lacks {
				if strings.Contains(out, s) {
					t.Errorf("%s, %s: has %q:\n%s", c.name, f, s, out)
				}
			}
			noted := slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.HasPrefix(n, "the bare name of 1 domain rule left out") })
			if noted != w.noted {
				t.Errorf("%s, %s: the report says the bare name was left out: %v, want %v: %q", c.name, f, noted, w.noted, rep.Notes)
			}
			covered := slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.HasPrefix(n, "the bare name of 1 domain rule still covered") })
			if want := c.meta.Decided != nil && (f == Adblock || f == SuricataRules); covered != want {
				t.Errorf("%s, %s: the report says the bare name is still covered: %v, want %v: %q", c.name, f, covered, want, rep.Notes)
			}
		}
	}
}
