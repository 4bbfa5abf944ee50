package lists

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/rules"
)

// mustRead reads src and fails the test on error.
func mustRead(t *testing.T, src string) List {
	t.Helper()
	l, err := Read(strings.NewReader(src))
	if err != nil {
		t.Fatalf("Read: %v\ninput:\n%s", err, src)
	}
	return l
}

// entry is an Entry without the Rule pointer, for comparisons.
type entry struct {
	Name    string
	Scope   rules.Scope
	Verdict rules.Verdict
	Rank    int
	Note    string
}

func plainEntries(es []Entry) []entry {
	out := make([]entry, len(es))
	for i, e := range es {
		out[i] = entry{e.Name, e.Scope, e.Verdict, e.Rank, e.Note}
	}
	return out
}

func skipLines(ss []Skip) []int {
	var out []int
	for _, s := range ss {
		out = append(out, s.Line)
	}
	return out
}

func TestReadDetectsAndParses(t *testing.T) {
	const (
		N = rules.Name
		D = rules.Domain
	)
	for _, tc := range []struct {
		name   string
		src    string
		format Format
		want   []entry
		skips  []int
	}{
		{
			name:   "plain with comments",
			src:    "# a list\n\nExample.COM.\nwww.example.org # seen in phishing\n*.evil.test\nnot a name\n",
			format: Plain,
			want: []entry{
				{Name: "example.com"},
				{Name: "www.example.org", Note: "seen in phishing"},
				{Name: "evil.test", Scope: D},
			},
			skips: []int{6},
		},
		{
			name: "hosts",
			src: "# hosts\n127.0.0.1 localhost localhost.localdomain\n::1 localhost ip6-localhost ip6-loopback\n" +
				"255.255.255.255 broadcasthost\n0.0.0.0 ads.example.com\n127.0.0.1 a.example b.example # two\n" +
				"::1 v6.example\n0.0.0.0 bad!name ok.example\n0.0.0.0\n",
			format: Hosts,
			want: []entry{
				{Name: "ads.example.com"}, {Name: "a.example"}, {Name: "b.example"}, {Name: "v6.example"}, {Name: "ok.example"},
			},
			skips: []int{8, 9},
		},
		{
			name: "adblock",
			src: "[Adblock Plus 2.0]\n! comment\n||ads.example.com^\n||track.example^$important\n@@||good.example^\n" +
				"|exact.example^\n@@|only.example^|\nexample.net##.banner\n||example.org/path^\n/regex/\n",
			format: Adblock,
			want: []entry{
				{Name: "ads.example.com", Scope: D},
				{Name: "track.example", Scope: D},
				{Name: "good.example", Scope: D, Verdict: rules.Good},
				{Name: "exact.example", Scope: N},
				{Name: "only.example", Scope: N, Verdict: rules.Good},
			},
			skips: []int{8, 9, 10},
		},
		{
			name:   "adblock without header",
			src:    "! Title: x\n||a.example^\n||b.example^\n",
			format: Adblock,
			want:   []entry{{Name: "a.example", Scope: D}, {Name: "b.example", Scope: D}},
		},
		{
			name:   "rank list with header",
			src:    "rank,domain\n1,google.com\n2,Microsoft.com\nx,bad.example\n3,\n",
			format: Ranked,
			want:   []entry{{Name: "google.com", Rank: 1}, {Name: "microsoft.com", Rank: 2}},
			skips:  []int{4, 5},
		},
		{
			name:   "suricata dataset",
			src:    "ZXZpbC5leGFtcGxl\nYmFkLmV4YW1wbGUuY29t\n!!!!\n",
			format: SuricataDataset,
			want:   []entry{{Name: "evil.example"}, {Name: "bad.example.com"}},
			skips:  []int{3},
		},
		{
			name:   "zeek intel from another feed",
			src:    "#separator \\x09\n#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\nevil.example\tIntel::DOMAIN\tfeed\tC2 server\n1.2.3.4\tIntel::ADDR\tfeed\t-\nshort.example\tIntel::DOMAIN\n",
			format: ZeekIntel,
			want:   []entry{{Name: "evil.example", Note: "C2 server"}},
			skips:  []int{4, 5},
		},
		{
			name: "rpz from another source",
			src: "$TTL 60\n$ORIGIN rpz.example.\n@ IN SOA ns. admin. (\n 1 ; serial\n 3600 600 86400 60 )\n  IN NS ns.\n" +
				"bad.test CNAME .\n*.bad.test CNAME .\nok.test 60 IN CNAME rpz-passthru.\n*.wild.test CNAME *.\n" +
				"abs.test.rpz.example. CNAME rpz-drop. ; abused\nother.zone. CNAME .\n32.1.2.0.10.rpz-ip CNAME .\nwalled.test CNAME garden.example.\nhost.test A 10.0.0.1\n",
			format: RPZ,
			want: []entry{
				{Name: "bad.test", Scope: D},
				{Name: "ok.test", Verdict: rules.Good},
				{Name: "wild.test", Scope: D},
				{Name: "abs.test", Note: "abused"},
			},
			skips: []int{12, 13, 14, 15},
		},
		{
			name:   "CRLF and BOM",
			src:    "\xef\xbb\xbfa.example\r\nb.example\r\n",
			format: Plain,
			want:   []entry{{Name: "a.example"}, {Name: "b.example"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := mustRead(t, tc.src)
			if l.Format != tc.format {
				t.Errorf("format %q, want %q", l.Format, tc.format)
			}
			if got := plainEntries(l.Entries); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("entries\n got %+v\nwant %+v", got, tc.want)
			}
			if got := skipLines(l.Skipped); !reflect.DeepEqual(got, tc.skips) {
				t.Errorf("skipped lines %v, want %v (%+v)", got, tc.skips, l.Skipped)
			}
			if l.Info.Entries != len(l.Entries) || l.SkippedTotal != len(l.Skipped) {
				t.Errorf("info counts %+v disagree with %d entries", l.Info, len(l.Entries))
			}
		})
	}
}

func TestReadNothingUsable(t *testing.T) {
	for _, src := range []string{"", "# only comments\n\n", "this is prose, not a list.\nAnd more prose!\n", "\x00\x01\x02"} {
		_, err := Read(strings.NewReader(src))
		if !errors.Is(err, ErrNothingUsable) {
			t.Errorf("Read(%q) error = %v, want ErrNothingUsable", src, err)
			continue
		}
		for _, f := range []string{"plain", "hosts", "adblock", "rank", "rpz", "zeek-intel", "suricata-dataset", "csv", "json"} {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("error %q does not name format %s", err, f)
			}
		}
	}
	// A recognised longtail file whose every record is broken is no list.
	if _, err := Read(strings.NewReader("{\"pattern\":\"a b\"}\n")); !errors.Is(err, ErrNothingUsable) {
		t.Errorf("broken json: error = %v", err)
	}
}

func TestReadBadLinesAreNotFatal(t *testing.T) {
	long := strings.Repeat("x", 70_000)
	l := mustRead(t, "a.example\n"+long+"\nb..example\nc.example\n")
	if got := plainEntries(l.Entries); len(got) != 2 || got[0].Name != "a.example" || got[1].Name != "c.example" {
		t.Errorf("entries %+v", got)
	}
	if got := skipLines(l.Skipped); !reflect.DeepEqual(got, []int{2, 3}) {
		t.Errorf("skipped %+v", l.Skipped)
	}
	if len(l.Skipped[0].Text) > maxSkipText {
		t.Errorf("skip text not cut: %d bytes", len(l.Skipped[0].Text))
	}
}

func TestReadBoundsSkips(t *testing.T) {
	src := strings.Repeat("ok.example\n", MaxSkips+50) + strings.Repeat("bad name\n", MaxSkips+50)
	l := mustRead(t, src)
	if len(l.Skipped) != MaxSkips || l.SkippedTotal != MaxSkips+50 {
		t.Errorf("kept %d skips of %d", len(l.Skipped), l.SkippedTotal)
	}
}

// A plain "list" most of whose lines are not names is notes given by
// mistake, refused whole: its one name would become a rule.
func TestMostlyNotNamesIsNoList(t *testing.T) {
	notes := strings.Repeat("These are my notes about the incident.\n", 9) + "foo.com\n"
	for src, refused := range map[string]bool{
		notes:                                true,
		"a note\nanother note\nfoo.com\n":    true,
		"a.example\nb..example\n":            false, // one typo in two: not most
		"a.example\nb..example\nc.example\n": false,
	} {
		_, err := Read(strings.NewReader(src))
		if got := err != nil && strings.Contains(err.Error(), "are not names"); got != refused {
			t.Errorf("%q: %v, want refused %v", src, err, refused)
		}
	}
}

func TestStreamStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := Stream(strings.NewReader("a.example\nb.example\nc.example\n"), func(Entry) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("err %v after %d entries", err, n)
	}
}

// TestLookalikePatternsAreSkipped: a hand-written rules file whose pattern
// IDNA would rewrite (a zero-width space dropped) gives no rule for the
// name it would become, and says why the line was skipped.
func TestLookalikePatternsAreSkipped(t *testing.T) {
	for _, src := range []string{
		`{"pattern":"\u200bwww.google.com","scope":"name","verdict":"bad","kind":"dns.name"}` + "\n" +
			`{"pattern":"evil.example","scope":"name","verdict":"bad","kind":"dns.name"}` + "\n",
		"\u200bwww.google.com\nevil.example\nother.example\n",
	} {
		l, err := Read(strings.NewReader(src))
		if err != nil || len(l.Entries) == 0 || l.SkippedTotal != 1 || !strings.Contains(l.Skipped[0].Reason, `invalid character '\u200b'`) {
			t.Errorf("%s read as %+v, %v", l.Format, l, err)
		}
		for _, e := range l.Entries {
			if e.Name == "www.google.com" {
				t.Errorf("%s: a zero-width lookalike became a rule for www.google.com", l.Format)
			}
		}
	}
}

// TestJSONArraysAndLines: longtail writes an array; one laid out by hand
// or by jq reads too, a bad element skipped with its line, and so does
// JSON Lines, which exports wrote before.
func TestJSONArraysAndLines(t *testing.T) {
	for _, tc := range []struct {
		src   string
		names []string
		skip  int // line of the one skip; 0: none
	}{
		{src: "[\n]\n"},
		{src: "[]"},
		{src: `[{"pattern":"a.example","scope":"name","verdict":"bad"}, {"pattern":"b.example","scope":"domain","verdict":"good"}]`,
			names: []string{"a.example", "b.example"}},
		{src: "\n[\n  {\n    \"pattern\": \"a.example\",\n    \"scope\": \"name\",\n    \"verdict\": \"bad\"\n  },\n" +
			"  {\n    \"pattern\": \"bad name!\",\n    \"scope\": \"name\",\n    \"verdict\": \"bad\"\n  },\n" +
			"  {\"pattern\": \"c.example\", \"scope\": \"name\", \"verdict\": \"evil\"}\n]\n",
			names: []string{"a.example"}, skip: 8},
		{src: "[\n{\"pattern\":\"a.example\",\"scope\":\"name\",\"verdict\":\"bad\"},\n{\"pattern\":\n", names: []string{"a.example"}, skip: 3},
		{src: "[\n{\"pattern\":\"a.example\",\"scope\":\"name\",\"verdict\":\"bad\"},\n\n{\"pattern\" x}]\n", names: []string{"a.example"}, skip: 4},
		{src: `{"pattern":"a.example","scope":"name","verdict":"bad"}` + "\n" + `{"pattern":"b.example","scope":"name","verdict":"good"}` + "\n",
			names: []string{"a.example", "b.example"}},
	} {
		l, err := Read(strings.NewReader(tc.src))
		if err != nil || l.Format != JSON || !reflect.DeepEqual(entryNames(l.Entries), tc.names) && len(tc.names)+len(l.Entries) > 0 {
			t.Errorf("%q read as %s %q, %v", tc.src, l.Format, entryNames(l.Entries), err)
		}
		if tc.skip != 0 && (l.SkippedTotal == 0 || l.Skipped[0].Line != tc.skip) || tc.skip == 0 && l.SkippedTotal != 0 {
			t.Errorf("%q: skipped %+v, want the first on line %d", tc.src, l.Skipped, tc.skip)
		}
	}
	if l, err := Read(strings.NewReader("[Adblock Plus 2.0]\n||a.example^\n")); err != nil || l.Format != Adblock {
		t.Errorf("an Adblock header read as %s, %v", l.Format, err)
	}
}

// A broken element deep in an array is reported on its own line: the
// syntax error's offset counts from the element's start, and line 202 was
// reported as 198 (found in review).
func TestABrokenJSONElementIsReportedOnItsLine(t *testing.T) {
	var b strings.Builder
	b.WriteString("[\n")
	for i := range 200 {
		fmt.Fprintf(&b, "{\"pattern\":\"a%d.example\",\"scope\":\"name\",\"verdict\":\"bad\"},\n", i)
	}
	b.WriteString("{\"pattern\" x}\n]\n") // line 202
	l, err := Read(strings.NewReader(b.String()))
	if err != nil || len(l.Entries) != 200 || len(l.Skipped) != 1 || l.Skipped[0].Line != 202 {
		t.Errorf("entries %d, skipped %+v, err %v", len(l.Entries), l.Skipped, err)
	}
}
