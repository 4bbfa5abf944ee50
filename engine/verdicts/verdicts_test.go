package verdicts

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/lists"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
	"github.com/longtail/longtail/internal/words"
)

var ctx = context.Background()

// count is a name and how many times the log asks for it.
type count = testws.Count

// workspace opens a new workspace holding an OpenDNS CSV log with the
// given counts, so every expected figure below is the test's own.
var workspace = testws.Counts

// put stores rules typed as "bad *.evil.example" or "good cdn.example".
func put(t *testing.T, d *db.DB, typed ...string) {
	t.Helper()
	for _, s := range typed {
		word, pattern, _ := strings.Cut(s, " ")
		v, err := rules.ParseVerdict(word)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := TypedRules([]string{pattern}, "", rules.Rule{Verdict: v, Origin: "test", Created: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := d.PutRules(ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
}

// stored is the workspace's rules by "scope pattern".
func stored(t *testing.T, d *db.DB) map[string]rules.Rule {
	t.Helper()
	rs, err := d.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]rules.Rule)
	for _, r := range rs {
		m[r.Scope.String()+" "+r.Pattern] = r
	}
	return m
}

// importFile imports a file as import-list does.
func importFile(t *testing.T, d *db.DB, path string, opt ImportOptions) (ImportReport, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opt.Origin, opt.Author, opt.Now = filepath.Base(path), "tester", time.Now().UTC()
	return Import(ctx, d, f, opt)
}

// importOK is importFile for imports that must succeed; it returns the report's text.
func importOK(t *testing.T, d *db.DB, path string, opt ImportOptions) string {
	t.Helper()
	rep, err := importFile(t, d, path, opt)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return rep.String()
}

// referenceDir is ../shared/data/reference seen from the repository root.
func referenceDir(t *testing.T) string {
	dir := filepath.Join("..", "..", "..", "shared", "data", "reference")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("reference data not present:", dir)
	}
	return dir
}

func TestImportReferenceLists(t *testing.T) {
	ref := referenceDir(t)
	d := workspace(t)
	umbrella := filepath.Join(ref, "umbrella-top-100k.txt")
	kmik := filepath.Join(ref, "toplist_50k_rank_domain_kmikholap.csv")

	// A plain list does not say whether it is a blocklist or a popularity
	// list: refused without a verdict or AsRanks, and nothing is stored.
	if _, err := importFile(t, d, umbrella, ImportOptions{}); err == nil || !strings.Contains(err.Error(), "--verdict") {
		t.Fatalf("plain list without a verdict: %v", err)
	}
	// wc -l umbrella-top-100k.txt: 100000; sort -u | wc -l: 100000.
	if out := importOK(t, d, umbrella, ImportOptions{AsRanks: true}); !strings.Contains(out, "ranks: 100,000 added, 0 replaced") {
		t.Errorf("umbrella as ranks: %s", out)
	}
	// wc -l: 50526 lines, cut -d, -f2 | sort -u | wc -l: 50526 names;
	// comm -12 of both sorted name lists | wc -l: 11399 in both; awk
	// (kmikholap rank < umbrella line number): 9895 ranked better by it.
	out := importOK(t, d, kmik, ImportOptions{})
	if !strings.Contains(out, "rank list, 50,526 lines, 50,526 entries") || !strings.Contains(out, "ranks: 39,127 added, 11,399 replaced") {
		t.Errorf("kmikholap: %s", out)
	}
	got, err := d.RankLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []db.RankList{{List: "toplist_50k_rank_domain_kmikholap.csv", Names: 50526 - 11399 + 9895, Best: 2, Worst: 50526},
		{List: "umbrella-top-100k.txt", Names: 100000 - 9895, Best: 1, Worst: 100000}}
	if !slices.Equal(got, want) {
		t.Errorf("ranks = %+v, want %+v", got, want)
	}
	// head -3 umbrella-top-100k.txt: www.google.com is line 3.
	if r, err := d.RankOf(ctx, "www.google.com"); err != nil || r.Rank != 3 || r.List != "umbrella-top-100k.txt" {
		t.Errorf("www.google.com: %+v, %v", r, err)
	}
	if _, err := d.RankOf(ctx, "unranked.example"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("unranked.example: %v", err)
	}
	if _, err := importFile(t, d, kmik, ImportOptions{Verdict: rules.Bad}); err == nil {
		t.Error("a rank list with the verdict bad was accepted")
	}
	if rs := stored(t, d); len(rs) != 0 {
		t.Fatalf("ranks or refusals made %d rules", len(rs))
	}

	// head -1000 umbrella-top-100k.txt | sort -u | wc -l: 1000.
	out = importOK(t, d, umbrella, ImportOptions{Verdict: rules.Good, Top: 1000})
	if !strings.Contains(out, "rules: 1,000 added, 0 replaced") || !strings.Contains(out, "beyond --top: 99,000") {
		t.Errorf("umbrella good, top 1000: %s", out)
	}
	// awk -F, '$1<=1000' toplist_50k_rank_domain_kmikholap.csv | wc -l: 1000.
	// A rank list ranks sites: its entries made known-good are domain
	// rules, for the names below them too, as the domain's row shows.
	if out = importOK(t, d, kmik, ImportOptions{Verdict: rules.Good, Top: 1000}); !strings.Contains(out, "beyond --top: 49,526") ||
		!strings.Contains(out, "ranked: 1,000 domain rules, each for the name and every name below it") {
		t.Errorf("kmikholap good, top 1000: %s", out)
	}
	if r := stored(t, d)["domain google.com"]; r.Verdict != rules.Good || r.Origin != "toplist_50k_rank_domain_kmikholap.csv" || r.Note != "rank 1 in toplist_50k_rank_domain_kmikholap.csv" {
		t.Errorf("google.com = %+v", r)
	}

	// grep -v '^#' FILE | awk 'NF>=2{for(i=2;i<=NF;i++)print $i}' | sort -u | wc -l:
	// 8527 names in blp_hosts_scam.txt, 1904 in blp_hosts_ransomware.txt;
	// grep -v '^#' blp_ransomware-nl.txt | grep . | sort -u | wc -l: 1904.
	blp := filepath.Join(ref, "blocklistproject")
	for file, n := range map[string]int{"blp_hosts_scam.txt": 8527, "blp_hosts_ransomware.txt": 1904} {
		out = importOK(t, d, filepath.Join(blp, file), ImportOptions{Verdict: rules.Bad})
		if !strings.Contains(out, fmt.Sprintf("hosts list, %s lines, %s entries", words.Int(countLines(t, filepath.Join(blp, file))), words.Int(n))) ||
			!strings.Contains(out, fmt.Sprintf("rules: %s added", words.Int(n))) || !strings.Contains(out, "skipped: 0 lines") {
			t.Errorf("%s: %s", file, out)
		}
	}
	// The plain twin of the ransomware hosts list holds the same names:
	// all replaced, none added.
	if out = importOK(t, d, filepath.Join(blp, "blp_ransomware-nl.txt"), ImportOptions{Verdict: rules.Bad}); !strings.Contains(out, "rules: 0 added, 1,904 replaced") {
		t.Errorf("ransomware-nl: %s", out)
	}
	var nv *NeedVerdictError
	if _, err := importFile(t, d, filepath.Join(blp, "blp_scam-nl.txt"), ImportOptions{}); !errors.As(err, &nv) || !strings.Contains(err.Error(), "plain list") {
		t.Errorf("plain blocklist without a verdict: %v", err)
	}
	// Without a verdict a hosts list blocks what it lists.
	d2 := workspace(t)
	if out = importOK(t, d2, filepath.Join(blp, "blp_hosts_ransomware.txt"), ImportOptions{}); !strings.Contains(out, "verdict: bad for the entries without one") {
		t.Errorf("hosts list without a verdict: %s", out)
	}
	rs, err := d2.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bad := Select(rs, rules.Bad); len(bad) != 1904 || len(rs) != 1904 {
		t.Errorf("hosts without a verdict: %d bad rules of %d", len(bad), len(rs))
	}
}

// countLines is wc -l.
func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func TestImportOptionsCheck(t *testing.T) {
	err := ImportOptions{AsRanks: true, Verdict: rules.Bad}.Check()
	if err == nil || err.Error() != "a popularity list becomes ranks, or known-good rules with --verdict good; not bad" {
		t.Errorf("ranks with the verdict bad: %v", err)
	}
	if err := (ImportOptions{AsRanks: true, Verdict: rules.Good}).Check(); err != nil {
		t.Errorf("ranks with the verdict good: %v", err)
	}
}

func TestImportReportsSkippedLines(t *testing.T) {
	d := workspace(t)
	list := filepath.Join(t.TempDir(), "list.hosts")
	var b strings.Builder
	b.WriteString("# a hosts list with seven broken lines\n0.0.0.0 good1.example\n")
	for i := range 7 {
		fmt.Fprintf(&b, "0.0.0.0 bad\x1bname%d!\n", i)
	}
	b.WriteString("0.0.0.0 good2.example good1.example\n")
	os.WriteFile(list, []byte(b.String()), 0o644)
	out := importOK(t, d, list, ImportOptions{Note: "test list"})
	for _, want := range []string{"rules: 2 added, 0 replaced (origin list.hosts)", "duplicates: 1", "skipped: 7 lines",
		"  line 3: ", "  line 7: ", "  … and 2 more"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "line 8: ") {
		t.Errorf("report shows an escape byte or more than five skips:\n%s", out)
	}
	if r := stored(t, d)["name good1.example"]; r.Note != "test list" || r.Verdict != rules.Bad || r.Origin != "list.hosts" {
		t.Errorf("good1.example = %+v", r)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "  line ") {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d skipped lines shown, want 5", n)
	}
}

// A domain rule on a whole public suffix would decide every domain
// registered under it: typed, it is refused; an exact rule on the name,
// a private-section suffix and a registered domain are made.
func TestTypedRulesRefuseADomainRuleOnAPublicSuffix(t *testing.T) {
	like := rules.Rule{Verdict: rules.Bad}
	for _, c := range []struct{ pattern, scope string }{
		{"com", "domain"}, {"*.co.uk", ""}, {"org.", "domain"}, {"рф", "domain"}, {"ck", "domain"},
	} {
		_, err := TypedRules([]string{c.pattern}, c.scope, like)
		if err == nil || !strings.Contains(err.Error(), "is a public suffix") || !strings.Contains(err.Error(), "--scope name") {
			t.Errorf("%s --scope %q: err %v, want a public suffix refused", c.pattern, c.scope, err)
		}
	}
	for _, c := range []struct{ pattern, scope string }{
		{"com", ""}, {"co.uk", "name"}, {"*.example.com", ""}, {"github.io", "domain"}, {"corp", "domain"},
		{"in-addr.arpa", "domain"}, {"ip6.arpa", "domain"}, // the list's own groups of reverse lookups
	} {
		if _, err := TypedRules([]string{c.pattern}, c.scope, like); err != nil {
			t.Errorf("%s --scope %q: %v", c.pattern, c.scope, err)
		}
	}
	agents := rules.Rule{Kind: subject.HTTPAgent, Verdict: rules.Bad}
	if _, err := TypedRules([]string{"com"}, "domain", agents); err != nil {
		t.Errorf("a user agent family named com: %v", err)
	}
}

// An import leaves out a domain rule on a public suffix, counts it and
// says why; the rest of the list is taken.
func TestImportLeavesOutADomainRuleOnAPublicSuffix(t *testing.T) {
	d := workspace(t)
	dir := t.TempDir()
	block := filepath.Join(dir, "block.txt")
	os.WriteFile(block, []byte("||com^\n||evil.example^\n||co.uk^\n"), 0o644)
	rep, err := importFile(t, d, block, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "public suffixes: 2 entries left out (com, co.uk): a domain rule on one would decide every domain registered under it"
	if rep.Suffixes != 2 || rep.Added != 1 || !strings.Contains(rep.String(), want) {
		t.Errorf("report:\n%s\nwant %d added and %q", rep.String(), 1, want)
	}
	if got := rep.summary(); got != "block.txt: 1 rule added as bad, 2 public suffixes left out" {
		t.Errorf("summary %q", got)
	}
	plain := filepath.Join(dir, "good.txt")
	os.WriteFile(plain, []byte("com\n*.org\nexample.net\n"), 0o644)
	if rep, err = importFile(t, d, plain, ImportOptions{Verdict: rules.Good}); err != nil || rep.Suffixes != 1 {
		t.Errorf("plain list: %d suffixes left out, err %v", rep.Suffixes, err)
	}
	var got []string
	for k := range stored(t, d) {
		got = append(got, k)
	}
	slices.Sort(got)
	if want := []string{"domain evil.example", "name com", "name example.net"}; !slices.Equal(got, want) {
		t.Errorf("rules %q, want %q", got, want)
	}
}

// Notes given as a list by mistake are refused whole: their one-word
// lines would have become rules. A plain list with a few typos is taken.
func TestImportRefusesProseAsAPlainList(t *testing.T) {
	d := workspace(t)
	dir := t.TempDir()
	prose := filepath.Join(dir, "notes.md")
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "Line %d of the notes, about what we saw.\n", i)
	}
	b.WriteString("usable\nport\nlongtail          # review ./longtail.db\n")
	os.WriteFile(prose, []byte(b.String()), 0o644)
	f, _ := os.Open(prose)
	defer f.Close()
	_, err := Import(context.Background(), d, f, ImportOptions{Verdict: rules.Good, Origin: "notes.md"})
	if err == nil || !strings.Contains(err.Error(), "30 of its 33 lines are not names (line 1: ") {
		t.Errorf("prose imported: %v", err)
	}
	if n := len(stored(t, d)); n != 0 {
		t.Errorf("%d rules stored from prose", n)
	}

	typos := filepath.Join(dir, "list.txt")
	b.Reset()
	for i := range 30 {
		fmt.Fprintf(&b, "host%d.example\n", i)
	}
	for range 12 {
		b.WriteString("not a name\n")
	}
	os.WriteFile(typos, []byte(b.String()), 0o644)
	if out := importOK(t, d, typos, ImportOptions{Verdict: rules.Good}); !strings.Contains(out, "rules: 30 added") {
		t.Errorf("a list with some broken lines:\n%s", out)
	}
}

func TestImportTyped(t *testing.T) {
	d := workspace(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "my list.txt")
	os.WriteFile(plain, []byte("one.example\ntwo.example\n"), 0o644)

	// A plain list without a verdict asks for one, in the prompt's words.
	_, err := ImportTyped(ctx, d, plain, "tester")
	if err == nil || !strings.Contains(err.Error(), "type its path followed by good, suspicious or bad") || strings.Contains(err.Error(), "--verdict") {
		t.Errorf("plain list without a verdict: %v", err)
	}
	out, err := ImportTyped(ctx, d, "  "+plain+" suspicious ", "tester")
	// The first line, the status line's, says what the list became; the
	// whole report follows for the messages.
	if err != nil || !strings.HasPrefix(out, "my list.txt: 2 rules added as suspicious\nmy list.txt: plain list, 2 lines, 2 entries\nrules: 2 added") || strings.HasSuffix(out, "\n") {
		t.Errorf("PATH suspicious: %q, %v", out, err)
	}
	// ~/ is the home directory, as in a shell.
	t.Setenv("HOME", dir)
	if out, err := ImportTyped(ctx, d, "~/my list.txt suspicious", "tester"); err != nil || !strings.HasPrefix(out, "my list.txt: 2 rules as suspicious: 0 added, 2 replaced\n") {
		t.Errorf("~/PATH: %q, %v", out, err)
	}
	if r := stored(t, d)["name one.example"]; r.Verdict != rules.Suspicious || r.Author != "tester" || r.Origin != "my list.txt" {
		t.Errorf("one.example = %+v", r)
	}
	if out, err := ImportTyped(ctx, d, plain+" ranks", "tester"); err != nil || !strings.Contains(out, "ranks: 2 added") {
		t.Errorf("PATH ranks: %q, %v", out, err)
	}
	// A file whose name ends in a verdict is taken whole.
	odd := filepath.Join(dir, "list bad")
	os.WriteFile(odd, []byte("0.0.0.0 three.example\n"), 0o644)
	if out, err := ImportTyped(ctx, d, odd, "tester"); err != nil || !strings.Contains(out, "verdict: bad for the entries without one") {
		t.Errorf("a file named %q: %q, %v", odd, out, err)
	}
	if _, err := ImportTyped(ctx, d, filepath.Join(dir, "absent.txt")+" good", "tester"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// roundTripRules is a set of rules exercising every field.
var roundTripRules = []struct{ pattern, verdict, note string }{
	{"*.corp.example", "good", `internal, "quoted"`},
	{"corp.example", "bad", "the bare name alone"},
	{"cdn.example.net", "good", ""},
	{"*.evil.example", "bad", "c2: seen 2024-03-04"},
	{"tracker.example.org", "suspicious", "beacon?"},
	{"_dmarc.mail.example", "suspicious", ""},
	{"*.xn--bcher-kva.example", "bad", ""},
	{"10.0.0.1", "good", "resolver's PTR"},
}

// roundTripWorkspace holds roundTripRules, and a rule with a note of two
// lines when multiline.
func roundTripWorkspace(t *testing.T, multiline bool) *db.DB {
	t.Helper()
	d := workspace(t)
	created := time.Date(2024, 3, 4, 15, 4, 5, 123456789, time.UTC)
	var rs []rules.Rule
	add := func(pattern, verdict, note string) {
		v, err := rules.ParseVerdict(verdict)
		if err != nil {
			t.Fatal(err)
		}
		r, err := TypedRules([]string{pattern}, "", rules.Rule{Verdict: v, Note: note, Author: "alice", Origin: "cli", Created: created})
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r...)
	}
	for _, r := range roundTripRules {
		add(r.pattern, r.verdict, r.note)
	}
	if multiline {
		add("multi.example", "bad", "line one\nline two")
	}
	if _, _, err := d.PutRules(ctx, rs); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestExportImportRoundTrip(t *testing.T) {
	src := roundTripWorkspace(t, true)
	all := stored(t, src)
	dir := t.TempDir()
	// The switch below says what each format carries back.
	for _, tc := range []struct {
		format  string
		verdict rules.Verdict // on import; None for none
	}{
		{format: "csv"}, {format: "json"},
		{format: "zeek-intel"}, {format: "rpz"},
		{format: "adblock"},
		{format: "hosts"},
		{format: "plain", verdict: rules.Suspicious},
		{format: "suricata-dataset", verdict: rules.Suspicious},
	} {
		t.Run(tc.format, func(t *testing.T) {
			rs, meta, err := Export(ctx, src, rules.None, tc.format, time.Now().UTC())
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "export."+tc.format)
			var b bytes.Buffer
			if _, err := lists.Write(&b, tc.format, rs, meta); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(file, b.Bytes(), 0o644)
			dst := workspace(t)
			if out := importOK(t, dst, file, ImportOptions{Verdict: tc.verdict}); !strings.Contains(out, "skipped: 0 lines") {
				t.Errorf("import: %s", out)
			}
			got := stored(t, dst)
			want := make(map[string]rules.Rule)
			origin := "export." + tc.format
			for k, r := range all {
				if r.Verdict == rules.Good && slices.Contains([]string{"hosts", "plain", "suricata-dataset", "zeek-intel"}, tc.format) {
					continue // these formats cannot say known-good
				}
				switch tc.format {
				case "csv", "json":
					// every field but the id, which is the workspace's own
				case "zeek-intel", "rpz":
					r.Author, r.Origin = "", origin
					r.Note = strings.ReplaceAll(r.Note, "\n", " ")
				case "adblock":
					if r.Verdict != rules.Good {
						r.Verdict = rules.Bad
					}
					r.Note, r.Author, r.Origin = "", "", origin
				case "hosts":
					r.Scope, r.Verdict = rules.Name, rules.Bad
					k = "name " + r.Pattern
					r.Note, r.Author, r.Origin = "", "", origin
				case "plain", "suricata-dataset":
					r.Scope, r.Verdict = rules.Name, tc.verdict
					k = "name " + r.Pattern
					r.Note, r.Author, r.Origin = "", "", origin
				}
				want[k] = r
			}
			if len(got) != len(want) {
				t.Errorf("%d rules back, want %d: %v", len(got), len(want), got)
			}
			for k, w := range want {
				g, ok := got[k]
				if !ok {
					t.Errorf("%s: missing", k)
					continue
				}
				if tc.format != "csv" && tc.format != "json" {
					// The importer's author and time.
					if g.Origin != w.Origin {
						t.Errorf("%s: origin %q, want %q", k, g.Origin, w.Origin)
					}
					g.Author, g.Created, w.Created = "", time.Time{}, time.Time{}
				}
				if !g.Created.Equal(w.Created) {
					t.Errorf("%s: created %v, want %v", k, g.Created, w.Created)
				}
				g.ID, w.ID, g.Created, w.Created = 0, 0, time.Time{}, time.Time{}
				if g != w {
					t.Errorf("%s:\n got %+v\nwant %+v", k, g, w)
				}
			}
		})
	}
}

func TestExportSelectsAVerdict(t *testing.T) {
	d := roundTripWorkspace(t, false)
	rs, meta, err := Export(ctx, d, rules.Bad, "csv", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || slices.ContainsFunc(rs, func(r rules.Rule) bool { return r.Verdict != rules.Bad }) {
		t.Errorf("bad rules: %+v", rs)
	}
	if meta.Source != "workspace ws.db, verdict bad" {
		t.Errorf("meta.Source = %q", meta.Source)
	}
}

func TestExportRPZPassesNamedCheckzone(t *testing.T) {
	checkzone, err := exec.LookPath("named-checkzone")
	if err != nil {
		t.Skip("named-checkzone (bind9-utils) not installed")
	}
	rs, meta, err := Export(ctx, roundTripWorkspace(t, false), rules.None, "rpz", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	zone := filepath.Join(t.TempDir(), "rpz.zone")
	var b bytes.Buffer
	if _, err := lists.Write(&b, "rpz", rs, meta); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(zone, b.Bytes(), 0o644)
	out, err := exec.Command(checkzone, "rpz.longtail", zone).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("named-checkzone: %v\n%s", err, out)
	}
	// Eight rules, three of domain scope (two records each), but the bare
	// corp.example is written once, by its name rule: ten policy records.
	if !strings.Contains(string(out), "loaded serial") {
		t.Errorf("named-checkzone: %s", out)
	}
	if n := strings.Count(b.String(), " CNAME "); n != 10 {
		t.Errorf("%d CNAME records, want 10:\n%s", n, b.String())
	}
}

func TestCoverageMostSpecificRuleWins(t *testing.T) {
	rs := []rules.Rule{
		{ID: 1, Pattern: "example.com", Scope: rules.Domain, Verdict: rules.Good},
		{ID: 2, Pattern: "evil.example.com", Scope: rules.Domain, Verdict: rules.Bad},
		{ID: 3, Pattern: "x.evil.example.com", Scope: rules.Name, Verdict: rules.Suspicious},
		{ID: 4, Pattern: "unused.example", Scope: rules.Name, Verdict: rules.Bad},
	}
	names := []db.NameRow{
		{Name: "example.com", Count: 1}, {Name: "www.example.com", Count: 10},
		{Name: "evil.example.com", Count: 100}, {Name: "a.evil.example.com", Count: 1000},
		{Name: "x.evil.example.com", Count: 10000}, {Name: "other.example", Count: 5},
	}
	got := Coverage(rs, names)
	want := map[int64]Covered{1: {2, 11}, 2: {2, 1100}, 3: {1, 10000}}
	if len(got) != len(want) {
		t.Errorf("coverage = %v, want %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("rule %d covers %+v, want %+v", id, got[id], w)
		}
	}
}

func TestRemoveTyped(t *testing.T) {
	d := workspace(t)
	put(t, d, "bad *.evil.example", "good evil.example", "bad other.example")
	// A bare pattern selects its rules of every scope.
	gone, err := RemoveTyped(ctx, d, []string{"evil.example"}, "", 0)
	if err != nil || len(gone) != 2 {
		t.Errorf("rm evil.example: %+v, %v", gone, err)
	}
	if _, err := RemoveTyped(ctx, d, []string{"nothing.example"}, "", 0); err == nil || err.Error() != "no rule matches nothing.example" {
		t.Errorf("rm of an unknown pattern: %v", err)
	}
	put(t, d, "bad *.evil.example", "good evil.example")
	if gone, err := RemoveTyped(ctx, d, []string{"*.evil.example"}, "", 0); err != nil || len(gone) != 1 || gone[0].Scope != rules.Domain {
		t.Errorf("rm *.evil.example: %+v, %v", gone, err)
	}
	if _, err := TypedRules([]string{"*.evil.example"}, "name", rules.Rule{}); err == nil {
		t.Error("*. with the scope name was accepted")
	}
	if got := stored(t, d); len(got) != 2 || got["name evil.example"].Verdict != rules.Good {
		t.Errorf("left: %+v", got)
	}
}

// TestRemoveTypedOfOneSubject: a pattern that rules of several subjects
// share is removed for one subject when it is named, and not at all
// when it is not: the refusal names each rule and how to pick it.
func TestRemoveTypedOfOneSubject(t *testing.T) {
	d := workspace(t)
	rs := []rules.Rule{
		{Pattern: "www.alexa.com", Verdict: rules.Good},
		{Pattern: "www.alexa.com", Verdict: rules.Bad, Kind: subject.HTTPHost},
	}
	if _, _, err := d.PutRules(ctx, rs); err != nil {
		t.Fatal(err)
	}
	_, err := RemoveTyped(ctx, d, []string{"www.alexa.com"}, "", 0)
	var several *SeveralSubjectsError
	if !errors.As(err, &several) || len(several.Rules) != 2 || !strings.Contains(err.Error(), "none was removed") ||
		!strings.Contains(err.Error(), "for HTTP hosts: bad www.alexa.com (--kind http --by host)") {
		t.Errorf("rm of a pattern of two subjects: %v", err)
	}
	if got, _ := d.Rules(ctx); len(got) != 2 {
		t.Errorf("a refused rm removed rules: %+v", got)
	}
	gone, err := RemoveTyped(ctx, d, []string{"www.alexa.com"}, "", subject.HTTPHost)
	if err != nil || len(gone) != 1 || gone[0].Subject() != subject.HTTPHost {
		t.Errorf("rm --kind http --by host: %+v, %v", gone, err)
	}
	if got, _ := d.Rules(ctx); len(got) != 1 || got[0].Verdict != rules.Good || got[0].Subject() != subject.DNSName {
		t.Errorf("left: %+v", got)
	}
	if _, err := RemoveTyped(ctx, d, []string{"www.alexa.com"}, "", subject.LogonAccount); err == nil {
		t.Error("rm of a subject without the pattern removed something")
	}
}

func TestBaseline(t *testing.T) {
	// Counts chosen around the thresholds: more than 10 is normal, fewer
	// than 3 suspicious; decided.example's names are left out by a rule.
	d := workspace(t,
		count{Name: "busy.a.example", N: 30}, count{Name: "www.a.example", N: 12}, count{Name: "eleven.b.example", N: 11},
		count{Name: "ten.b.example", N: 10}, count{Name: "three.c.example", N: 3}, count{Name: "two.c.example", N: 2},
		count{Name: "one.d.example", N: 1}, count{Name: "one.e.example", N: 1},
		count{Name: "x.decided.example", N: 40}, count{Name: "y.decided.example", N: 1})
	put(t, d, "good *.decided.example")
	dir := filepath.Join(t.TempDir(), "out")
	b, err := ComputeBaseline(ctx, d, "fqdn", 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	if err := WriteBaseline(dir, b, &report); err != nil {
		t.Fatal(err)
	}
	wantReport := filepath.Join(dir, "normal_traffic") + ".txt, normal_traffic.csv: 3 names seen more than 10 times\n" +
		filepath.Join(dir, "suspicious_traffic") + ".txt, suspicious_traffic.csv: 3 names seen fewer than 3 times\n" +
		"left out: 2 names the rules decide\n"
	if report.String() != wantReport {
		t.Errorf("report:\n%s\nwant:\n%s", report.String(), wantReport)
	}
	// Busiest first, ties by name.
	for file, want := range map[string][]string{
		"normal_traffic.txt":     {"busy.a.example", "www.a.example", "eleven.b.example"},
		"suspicious_traffic.txt": {"two.c.example", "one.d.example", "one.e.example"},
	} {
		if got := fileLines(t, filepath.Join(dir, file)); !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	csv := fileLines(t, filepath.Join(dir, "normal_traffic.csv"))
	if len(csv) != 4 || csv[0] != "name,domain,count,clients,first_seen,last_seen" ||
		!strings.HasPrefix(csv[1], "busy.a.example,a.example,30,0,2024-03-20T00:00:00Z,") {
		t.Errorf("normal_traffic.csv = %q", csv)
	}

	// By registered domain: a.example 42, b.example 21, c.example 5,
	// d.example and e.example 1 each; decided.example by its domain rule.
	if b, err = ComputeBaseline(ctx, d, "domain", 10, 3); err != nil {
		t.Fatal(err)
	}
	report.Reset()
	if err := WriteBaseline(dir, b, &report); err != nil {
		t.Fatal(err)
	}
	if got := fileLines(t, filepath.Join(dir, "normal_traffic.txt")); !slices.Equal(got, []string{"a.example", "b.example"}) {
		t.Errorf("by domain, normal = %q", got)
	}
	if got := fileLines(t, filepath.Join(dir, "suspicious_traffic.txt")); !slices.Equal(got, []string{"d.example", "e.example"}) {
		t.Errorf("by domain, suspicious = %q", got)
	}
	if csv := fileLines(t, filepath.Join(dir, "normal_traffic.csv")); csv[0] != "domain,names,count,clients,first_seen,last_seen" || !strings.HasPrefix(csv[1], "a.example,2,42,") {
		t.Errorf("by domain, normal_traffic.csv = %q", csv)
	}
	if !strings.Contains(report.String(), "left out: 1 registered domains the rules decide") {
		t.Errorf("by domain report: %s", report.String())
	}
	// A rule on one name does not decide its registered domain.
	put(t, d, "bad www.a.example")
	if b, _ := ComputeBaseline(ctx, d, "domain", 10, 3); b.Decided != 1 || len(b.Normal) != 2 {
		t.Errorf("a name rule decided its domain: %+v", b)
	}

	if _, err := ComputeBaseline(ctx, d, "fqdn", 2, 5); err == nil || err.Error() != "--suspicious-under 5 and --normal-over 2 overlap" {
		t.Errorf("overlapping thresholds: %v", err)
	}
	if _, err := ComputeBaseline(ctx, d, "client", 10, 3); err == nil {
		t.Error("--by client was accepted")
	}
}

// fileLines is a file's lines.
func fileLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// The baseline's .txt files are text exports an analyst reads with cat or
// less: a name from the data must not carry its escape sequences into them.
func TestBaselineTextIsSanitised(t *testing.T) {
	d := workspace(t, count{Name: "evil\x1b]52;c;aGk=\x07.example", N: 1})
	dir := filepath.Join(t.TempDir(), "out")
	b, err := ComputeBaseline(ctx, d, "fqdn", 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteBaseline(dir, b, io.Discard); err != nil {
		t.Fatal(err)
	}
	got := fileLines(t, filepath.Join(dir, "suspicious_traffic.txt"))
	if len(got) != 1 || got[0] != `evil\x1b]52;c;agk=\x07.example` {
		t.Errorf("suspicious_traffic.txt = %q", got)
	}
}

// TestExportBelowADomainRespectsExceptions: an exact-match format gets the
// names seen below a domain rule, but not a name a more specific rule
// decides otherwise (the known-good mail server below a bad domain).
func TestExportBelowADomainRespectsExceptions(t *testing.T) {
	d := workspace(t, count{Name: "mail.evil.example", N: 3}, count{Name: "x.evil.example", N: 1}, count{Name: "a.b.evil.example", N: 1}, count{Name: "other.example", N: 1})
	put(t, d, "bad *.evil.example", "good mail.evil.example", "suspicious *.b.evil.example")
	for _, format := range []string{"hosts", "zeek-intel", "plain"} {
		rs, meta, err := Export(ctx, d, rules.Bad, format, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := meta.Below["evil.example"]; !slices.Equal(got, []string{"x.evil.example"}) {
			t.Errorf("%s: names below evil.example %q, want only x.evil.example", format, got)
		}
		var b bytes.Buffer
		lists.Write(&b, format, rs, meta)
		if strings.Contains(b.String(), "mail.evil.example") || strings.Contains(b.String(), "a.b.evil.example") {
			t.Errorf("%s: an exception was exported as bad:\n%s", format, b.String())
		}
	}
	if _, meta, _ := Export(ctx, d, rules.Bad, "adblock", time.Now()); meta.Below != nil {
		t.Error("adblock, which covers below names itself, was given the names below")
	}
}

// TestExportLeavesABareNameToItsExactRule: a name marked good is not
// blocked for the domain rule above it, whether the export holds every
// verdict or the bad rules alone.
func TestExportLeavesABareNameToItsExactRule(t *testing.T) {
	d := workspace(t, count{Name: "x.evil.example", N: 1})
	put(t, d, "bad *.evil.example", "good evil.example")
	// Per format, the record of the bare name and one of a name below.
	records := map[string][2]string{
		"hosts":            {"\n0.0.0.0 evil.example\n", "\n0.0.0.0 x.evil.example\n"},
		"plain":            {"\nevil.example\n", "\nx.evil.example\n"},
		"zeek-intel":       {"\nevil.example\t", "\nx.evil.example\t"},
		"suricata-dataset": {"\nZXZpbC5leGFtcGxl\n", "\neC5ldmlsLmV4YW1wbGU=\n"},
		"rpz":              {"\nevil.example CNAME . ", "\n*.evil.example CNAME . "},
	}
	for format, record := range records {
		for _, v := range []rules.Verdict{rules.None, rules.Bad} {
			rs, meta, err := Export(ctx, d, v, format, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if _, err := lists.Write(&b, format, rs, meta); err != nil {
				t.Fatal(err)
			}
			if out := "\n" + b.String(); strings.Contains(out, record[0]) || !strings.Contains(out, record[1]) {
				t.Errorf("%s, verdict %s: the good evil.example is blocked, or x.evil.example is not:\n%s", format, v, out)
			}
		}
	}
}

// An import typed at the screen's prompt is one step of the workspace's
// undo: taken back, its rules are gone and a rule it replaced is back. A
// popularity list is not a step (its ranks replace other lists' name by
// name), and the import says how to remove it.
func TestImportTypedIsUndone(t *testing.T) {
	d := workspace(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte("one.example\ntwo.example\n"), 0o644)
	if _, _, err := d.PutRules(ctx, []rules.Rule{{Pattern: "one.example", Verdict: rules.Good, Note: "mine"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportTyped(ctx, d, list+" bad", "tester"); err != nil {
		t.Fatal(err)
	}
	out, err := ImportTyped(ctx, d, list+" ranks", "tester")
	if err != nil || !strings.Contains(out, "undo does not take ranks back: longtail ranks clear list.txt") {
		t.Errorf("the ranks import said %q (%v)", out, err)
	}
	if s, left, ok, err := d.Undo(ctx); !ok || err != nil || s.What != "the import of list.txt" || left != 0 {
		t.Fatalf("undo: %q, %d left, %v %v", s.What, left, ok, err)
	}
	got := stored(t, d)
	if r := got["name one.example"]; len(got) != 1 || r.Verdict != rules.Good || r.Note != "mine" {
		t.Errorf("after undoing the import the rules are %+v", got)
	}
}

// An undo says how many steps are left, then what it took back: it read
// "undone, 1 more to undo: the mark of x", as if the mark were left.
func TestUndoSaysWhatItTookBackAndWhatIsLeft(t *testing.T) {
	ctx := context.Background()
	d := testws.Text(t, "a.example\nb.example\n")
	for _, name := range []string{"a.example", "b.example"} {
		r := rules.Rule{Kind: subject.DNSName, Pattern: name, Verdict: rules.Bad}
		if _, _, err := d.PutRules(ctx, []rules.Rule{r}); err != nil {
			t.Fatal(err)
		}
		KeepUndo(ctx, d, "", db.UndoStep{What: "the mark of " + name, Stored: []rules.Rule{r}})
	}
	for _, want := range []string{"1 step left to undo; undid the mark of b.example", "nothing left to undo; undid the mark of a.example", "nothing to undo"} {
		if got, err := UndoLast(ctx, d); err != nil || got != want {
			t.Errorf("undo: %q, %v; want %q", got, err, want)
		}
	}
}
