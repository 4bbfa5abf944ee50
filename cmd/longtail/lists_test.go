package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/lists"
)

// lt runs the longtail command line in-process against the workspace ws.
func lt(t *testing.T, ws string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	err = run(context.Background(), append([]string{"--db", ws}, args...), &o, &e)
	return o.String(), e.String(), err
}

// ltOK is lt for commands that must succeed.
func ltOK(t *testing.T, ws string, args ...string) string {
	t.Helper()
	out, errOut, err := lt(t, ws, args...)
	if err != nil {
		t.Fatalf("longtail %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// genWorkspace ingests a small generated log into a new workspace and
// returns the workspace, the log and what gen planted in it.
func genWorkspace(t *testing.T) (ws, logPath string, truth gen.Truth) {
	t.Helper()
	dir := t.TempDir()
	ws, logPath = filepath.Join(dir, "ws.db"), filepath.Join(dir, "gen.csv")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	truth, err = gen.Write(f, gen.Options{Lines: 3000, Seed: 7, Format: "csv"})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ltOK(t, ws, "ingest", logPath)
	return ws, logPath, truth
}

// logCounts counts the events per name of OpenDNS CSV logs by reading the
// lines directly, apart from the ingest.
func logCounts(t *testing.T, paths ...string) map[string]int64 {
	t.Helper()
	counts := make(map[string]int64)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			f := strings.Split(line, ",")
			counts[strings.TrimSuffix(strings.ToLower(f[1]), ".")]++
		}
	}
	return counts
}

// writeLog writes an OpenDNS CSV log (time,name,type,ttl,answer) with one
// line per name, n times for "name*n".
func writeLog(t *testing.T, path string, entries ...string) {
	t.Helper()
	var b strings.Builder
	for i, e := range entries {
		name, n := e, 1
		if before, after, ok := strings.Cut(e, "*"); ok {
			name = before
			fmt.Sscan(after, &n)
		}
		for j := 0; j < n; j++ {
			fmt.Fprintf(&b, "03/20/2024 10:%02d:%02d,%s,A,300,192.0.2.1\n", i, j, name)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// jsonRows decodes the --format json output of a command.
func jsonRows[T any](t *testing.T, out string) []T {
	t.Helper()
	var rows []T
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	return rows
}

type ruleRow struct {
	ID      int64  `json:"id"`
	Pattern string `json:"pattern"`
	Scope   string `json:"scope"`
	Verdict string `json:"verdict"`
	Note    string `json:"note"`
	Author  string `json:"author"`
	Created string `json:"created"`
	Origin  string `json:"origin"`
	Names   int64  `json:"names"`
	Events  int64  `json:"events"`
}

func listRules(t *testing.T, ws string) map[string]ruleRow {
	t.Helper()
	m := make(map[string]ruleRow)
	for _, r := range jsonRows[ruleRow](t, ltOK(t, ws, "rules", "list", "--format", "json")) {
		m[r.Scope+" "+r.Pattern] = r
	}
	return m
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

func TestRulesAddListRemove(t *testing.T) {
	ws, logPath, truth := genWorkspace(t)
	counts := logCounts(t, logPath)
	dom := truth.Popular[0]
	// The names under dom, and one of them for an exact rule.
	var under []string
	var domEvents int64
	for n, c := range counts {
		if n == dom || strings.HasSuffix(n, "."+dom) {
			under = append(under, n)
			domEvents += c
		}
	}
	slices.Sort(under)
	if len(under) < 2 {
		t.Fatalf("gen gave %s only %d names; pick another seed", dom, len(under))
	}
	one := under[len(under)-1]

	out := ltOK(t, ws, "rules", "add", "*."+dom, "--verdict", "good", "--note", "the office's CDN")
	if !strings.HasPrefix(out, "added rule ") {
		t.Errorf("add: %q", out)
	}
	ltOK(t, ws, "rules", "add", one, "--verdict", "bad")
	rs := listRules(t, ws)
	d, n := rs["domain "+dom], rs["name "+one]
	if d.Verdict != "good" || d.Note != "the office's CDN" || d.Origin != "cli" || d.Author == "" || d.Created == "" {
		t.Errorf("domain rule = %+v", d)
	}
	// The most specific rule wins each name: one is the name rule's.
	if d.Names != int64(len(under)-1) || d.Events != domEvents-counts[one] {
		t.Errorf("domain rule covers %d names, %d events; want %d, %d", d.Names, d.Events, len(under)-1, domEvents-counts[one])
	}
	if n.Names != 1 || n.Events != counts[one] || n.Verdict != "bad" {
		t.Errorf("name rule = %+v, want 1 name, %d events", n, counts[one])
	}

	// Adding the same pattern and scope again replaces the rule.
	out = ltOK(t, ws, "rules", "add", dom, "--scope", "domain", "--verdict", "suspicious")
	if !strings.HasPrefix(out, fmt.Sprintf("replaced rule %d: suspicious *.%s", d.ID, dom)) {
		t.Errorf("replace: %q", out)
	}
	if _, _, err := lt(t, ws, "rules", "add", "*."+dom, "--scope", "name", "--verdict", "bad"); err == nil {
		t.Error("*. with --scope name was accepted")
	}
	if _, _, err := lt(t, ws, "rules", "add", "bad name!", "--verdict", "bad"); err == nil {
		t.Error("an invalid pattern was accepted")
	}

	ltOK(t, ws, "rules", "rm", one)
	ltOK(t, ws, "rules", "rm", fmt.Sprint(d.ID))
	if rs := listRules(t, ws); len(rs) != 0 {
		t.Errorf("after rm: %+v", rs)
	}
	if _, _, err := lt(t, ws, "rules", "rm", "nothing.example"); err == nil {
		t.Error("rm of an unknown pattern succeeded")
	}
}

// TestUnknownVerdictNamesTheCommand: a mistyped --verdict is reported
// under the command's name, as every other error of it is.
func TestUnknownVerdictNamesTheCommand(t *testing.T) {
	dir := t.TempDir()
	ws, list := filepath.Join(dir, "ws.db"), filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte("evil.example\n"), 0o644)
	ltOK(t, ws, "rules", "add", "x.example", "--verdict", "bad")
	for cmd, args := range map[string][]string{
		"rules add":    {"rules", "add", "x.example", "--verdict", "evil"},
		"rules list":   {"rules", "list", "--verdict", "evil"},
		"export":       {"export", "--format", "plain", "--verdict", "evil"},
		"rules export": {"rules", "export", "--verdict", "evil"},
		"import-list":  {"import-list", list, "--verdict", "evil"},
	} {
		if _, _, err := lt(t, ws, args...); err == nil || !strings.HasPrefix(err.Error(), cmd+`: unknown verdict "evil"`) {
			t.Errorf("%s: %v", cmd, err)
		}
	}
}

// TestExportErrorNamesTheFileAsked: a file that cannot be written is
// named as the user typed it, not as the temporary file it goes through.
func TestExportErrorNamesTheFileAsked(t *testing.T) {
	dir := t.TempDir()
	ws, out := filepath.Join(dir, "ws.db"), filepath.Join(dir, "missing", "x.hosts")
	ltOK(t, ws, "rules", "add", "evil.example", "--verdict", "bad")
	_, _, err := lt(t, ws, "export", "--format", "hosts", "-o", out)
	if err == nil || err.Error() != "open "+out+": no such file or directory" {
		t.Errorf("export into a missing directory: %v", err)
	}
}

// TestRuleTypedInUnicodeDecidesTheNameStoredInUnicode: a name the wire
// carried in UTF-8 is decided by a rule typed as it is shown, which
// says what it covers.
func TestRuleTypedInUnicodeDecidesTheNameStoredInUnicode(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws.db")
	ltOK(t, ws, "ingest", filepath.Join(hostileDir, "dns.pcap"))
	out := ltOK(t, ws, "rules", "add", "日本語.例え.jp", "--verdict", "bad")
	if !strings.Contains(out, "covers 1 name, 1 event\n") || !strings.Contains(out, "is 日本語.例え.jp in punycode") {
		t.Errorf("rules add:\n%s", out)
	}
	type row struct {
		Name    string  `json:"name"`
		Verdict *string `json:"verdict"`
	}
	found := false
	for _, r := range jsonRows[row](t, ltOK(t, ws, "top", "--limit", "0", "--format", "json")) {
		if r.Name == "日本語.例え.jp" {
			found = true
			if r.Verdict == nil || *r.Verdict != "bad" {
				t.Errorf("日本語.例え.jp has verdict %v", r.Verdict)
			}
		}
	}
	if !found {
		t.Error("日本語.例え.jp is not in top")
	}
}

// TestRulesRemoveOfOneSubject: rules rm takes rules add's --kind and
// --by; a pattern of several subjects without them removes nothing and
// says which rules there are.
func TestRulesRemoveOfOneSubject(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws.db")
	ltOK(t, ws, "rules", "add", "www.alexa.com", "--verdict", "good")
	ltOK(t, ws, "rules", "add", "--kind", "http", "--by", "host", "www.alexa.com", "--verdict", "bad")
	_, _, err := lt(t, ws, "rules", "rm", "www.alexa.com")
	if err == nil || !strings.Contains(err.Error(), "none was removed") || !strings.Contains(err.Error(), "(--kind http --by host)") {
		t.Errorf("rm of a pattern of two subjects: %v", err)
	}
	if _, _, err := lt(t, ws, "rules", "rm", "www.alexa.com", "--kind", "logon"); err == nil || !strings.Contains(err.Error(), "no rule matches") {
		t.Errorf("rm --kind logon: %v", err)
	}
	if out := ltOK(t, ws, "rules", "rm", "www.alexa.com", "--kind", "http", "--by", "host"); !strings.HasSuffix(out, ": bad www.alexa.com (http.host)\n") {
		t.Errorf("rm --kind http --by host: %q", out)
	}
	if rs := listRules(t, ws); len(rs) != 1 || rs["name www.alexa.com"].Verdict != "good" {
		t.Errorf("left: %+v", rs)
	}
	ltOK(t, ws, "rules", "rm", "www.alexa.com") // one subject left: no question
	if rs := listRules(t, ws); len(rs) != 0 {
		t.Errorf("left: %+v", rs)
	}
}

// A rule acts at once on what is loaded, and on what is loaded after it.
func TestRulesActAtOnceAndOnLaterIngests(t *testing.T) {
	ws, _, _ := genWorkspace(t)
	dir := filepath.Dir(ws)
	ltOK(t, ws, "baseline", "snapshot", "before")
	ltOK(t, ws, "rules", "add", "*.blocked.test", "--verdict", "bad", "--note", "added before its names were seen")
	later := filepath.Join(dir, "later.csv")
	writeLog(t, later, "fresh1.later.test", "fresh2.later.test*2", "pre.blocked.test*4")
	ltOK(t, ws, "ingest", later)

	type newRow struct {
		Name    string  `json:"name"`
		Count   int64   `json:"count"`
		Verdict *string `json:"verdict"`
	}
	newNames := func(extra ...string) map[string]newRow {
		m := make(map[string]newRow)
		for _, r := range jsonRows[newRow](t, ltOK(t, ws, append([]string{"new", "--format", "json"}, extra...)...)) {
			m[r.Name] = r
		}
		return m
	}
	got := newNames()
	if len(got) != 3 || got["fresh2.later.test"].Count != 2 || got["pre.blocked.test"].Count != 4 ||
		got["pre.blocked.test"].Verdict == nil || *got["pre.blocked.test"].Verdict != "bad" || got["fresh1.later.test"].Verdict != nil {
		t.Errorf("new since the snapshot = %+v", got)
	}
	if rs := listRules(t, ws); rs["domain blocked.test"].Names != 1 || rs["domain blocked.test"].Events != 4 {
		t.Errorf("rule on later data covers %+v", rs["domain blocked.test"])
	}

	out := filepath.Join(dir, "base")
	ltOK(t, ws, "baseline", "-o", out)
	susp := lines(t, filepath.Join(out, "suspicious_traffic.txt"))
	if !slices.Contains(susp, "fresh1.later.test") || !slices.Contains(susp, "fresh2.later.test") || slices.Contains(susp, "pre.blocked.test") {
		t.Errorf("suspicious before the good rule: later names missing or decided name present")
	}

	ltOK(t, ws, "rules", "add", "*.later.test", "--verdict", "good")
	if got := newNames(); len(got) != 1 || got["pre.blocked.test"].Count != 4 {
		t.Errorf("new after the good rule = %+v", got)
	}
	if got := newNames("--all"); len(got) != 3 || *got["fresh1.later.test"].Verdict != "good" {
		t.Errorf("new --all = %+v", got)
	}
	ltOK(t, ws, "baseline", "-o", out)
	if susp := lines(t, filepath.Join(out, "suspicious_traffic.txt")); slices.Contains(susp, "fresh1.later.test") {
		t.Error("baseline still lists a name a new rule decides")
	}

	// --since a time: the names first seen after it in log time. gen's
	// week ends on 2024-03-11; later.csv is of 2024-03-20.
	if got := newNames("--since", "2024-03-15", "--all"); len(got) != 3 {
		t.Errorf("new --since 2024-03-15 = %+v", got)
	}
	if _, _, err := lt(t, ws, "new", "--since", "no-such-snapshot"); err == nil {
		t.Error("an unknown snapshot was accepted")
	}
}

// The baseline command end to end; what goes in the files is
// engine/verdicts's TestBaseline.
func TestBaselineCommand(t *testing.T) {
	ws, logPath, truth := genWorkspace(t)
	counts := logCounts(t, logPath)
	decided := truth.Popular[1]
	ltOK(t, ws, "rules", "add", "*."+decided, "--verdict", "good")
	normal := 0
	for n, c := range counts {
		if c > 10 && n != decided && !strings.HasSuffix(n, "."+decided) {
			normal++
		}
	}
	out := filepath.Join(filepath.Dir(ws), "out")
	report := ltOK(t, ws, "baseline", "--normal-over", "10", "--suspicious-under", "3", "-o", out)
	if !strings.Contains(report, fmt.Sprintf("%d names seen more than 10 times", normal)) {
		t.Errorf("report: %s", report)
	}
	if got := lines(t, filepath.Join(out, "normal_traffic.txt")); len(got) != normal {
		t.Errorf("normal_traffic.txt: %d names, want %d", len(got), normal)
	}
	if report := ltOK(t, ws, "baseline", "--by", "domain", "-o", out); !strings.Contains(report, "registered domains seen more than 10 times") {
		t.Errorf("--by domain report: %s", report)
	}
	if _, _, err := lt(t, ws, "baseline", "--normal-over", "2", "--suspicious-under", "5"); err == nil ||
		err.Error() != "baseline: --suspicious-under 5 and --normal-over 2 overlap" {
		t.Errorf("overlapping thresholds: %v", err)
	}
	if _, _, err := lt(t, ws, "baseline", "--by", "client"); err == nil || err.Error() != `baseline: --by is fqdn or domain, not "client"` {
		t.Errorf("--by client: %v", err)
	}
}

// import-list and ranks end to end: the flags reach the importer, whose
// decisions are engine/verdicts's TestImportReferenceLists.
func TestImportListCommand(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	top := filepath.Join(dir, "top.txt")
	os.WriteFile(top, []byte("first.example\nwww.second.example\nthird.example\n"), 0o644)

	if _, _, err := lt(t, ws, "import-list", top); err == nil || !strings.Contains(err.Error(), "--verdict") ||
		!strings.HasPrefix(err.Error(), "import-list "+top+": a plain list") {
		t.Fatalf("plain list without --verdict: %v", err)
	}
	if _, _, err := lt(t, ws, "import-list", top, "--ranks", "--verdict", "bad"); err == nil ||
		err.Error() != "import-list: a popularity list becomes ranks, or known-good rules with --verdict good; not bad" {
		t.Errorf("--ranks --verdict bad: %v", err)
	}
	if out := ltOK(t, ws, "import-list", top, "--ranks"); !strings.Contains(out, "ranks: 3 added, 0 replaced (list top.txt; 3 ranked names in the workspace)") {
		t.Errorf("--ranks: %s", out)
	}
	type rankListRow struct {
		List  string `json:"list"`
		Names int64  `json:"names"`
		Best  int64  `json:"best"`
		Worst int64  `json:"worst"`
	}
	if got := jsonRows[rankListRow](t, ltOK(t, ws, "ranks", "--format", "json")); !slices.Equal(got, []rankListRow{{"top.txt", 3, 1, 3}}) {
		t.Errorf("ranks = %+v", got)
	}
	type rankRow struct {
		Name string `json:"name"`
		Rank *int64 `json:"rank"`
		List string `json:"list"`
	}
	look := jsonRows[rankRow](t, ltOK(t, ws, "ranks", "lookup", "WWW.Second.example.", "unranked.example", "--format", "json"))
	if len(look) != 2 || look[0].Name != "www.second.example" || look[0].Rank == nil || *look[0].Rank != 2 ||
		look[0].List != "top.txt" || look[1].Rank != nil {
		t.Errorf("lookup: %+v", look)
	}
	if rs := listRules(t, ws); len(rs) != 0 {
		t.Fatalf("ranks or refusals made %d rules", len(rs))
	}
	out := ltOK(t, ws, "import-list", top, "--verdict", "good", "--top", "2", "--note", "office top")
	if !strings.Contains(out, "rules: 2 added, 0 replaced (origin top.txt)") || !strings.Contains(out, "beyond --top: 1") {
		t.Errorf("--verdict good --top 2: %s", out)
	}
	if r := listRules(t, ws)["name www.second.example"]; r.Verdict != "good" || r.Note != "office top" || r.Origin != "top.txt" {
		t.Errorf("www.second.example = %+v", r)
	}
	if out := ltOK(t, ws, "ranks", "clear"); out != "3 ranks removed\n" {
		t.Errorf("ranks clear: %q", out)
	}
}

// export and rules export end to end; what each format carries is
// engine/verdicts's TestExportImportRoundTrip.
func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	ltOK(t, src, "rules", "add", "*.corp.example", "--verdict", "good", "--note", `internal, "quoted"`)
	ltOK(t, src, "rules", "add", "evil.example", "--verdict", "bad")
	file := filepath.Join(dir, "export.zeek")
	ltOK(t, src, "export", "--format", "zeek-intel", "--verdict", "bad", "-o", file)
	dst := filepath.Join(dir, "dst.db")
	if out := ltOK(t, dst, "import-list", file); !strings.Contains(out, "rules: 1 added") || !strings.Contains(out, "skipped: 0 lines") {
		t.Errorf("import: %s", out)
	}
	if got := listRules(t, dst); len(got) != 1 || got["name evil.example"].Verdict != "bad" {
		t.Errorf("back: %+v", got)
	}
	// rules export defaults to csv, and carries rules to another workspace.
	out := ltOK(t, src, "rules", "export")
	if !strings.HasPrefix(out, "id,pattern,scope,verdict,note,author,origin,created,pattern_hex,kind\n") {
		t.Errorf("rules export: %.80q", out)
	}
	csv := filepath.Join(dir, "rules.csv")
	os.WriteFile(csv, []byte(out), 0o644)
	ltOK(t, dst, "import-list", csv)
	if got := listRules(t, dst); got["domain corp.example"].Note != `internal, "quoted"` || got["domain corp.example"].Origin != "cli" {
		t.Errorf("after rules export | import-list: %+v", got)
	}
}

func TestExportIsAtomicAndChecksTheFormat(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	ltOK(t, ws, "rules", "add", "evil.example", "--verdict", "bad")
	file := filepath.Join(dir, "out.txt")
	os.WriteFile(file, []byte("previous\n"), 0o644)
	if _, _, err := lt(t, ws, "export", "--format", "excel", "-o", file); err == nil {
		t.Error("an unknown format was accepted")
	}
	if b, _ := os.ReadFile(file); string(b) != "previous\n" {
		t.Errorf("a failed export changed the file: %q", b)
	}
	ltOK(t, ws, "export", "--format", "hosts", "--verdict", "bad", "-o", file)
	if got := lines(t, file); got[len(got)-1] != "evil.example" {
		t.Errorf("hosts export: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	if out := ltOK(t, ws, "export", "--format", "plain", "--verdict", "good"); strings.Contains(out, "evil.example") {
		t.Errorf("--verdict good exported a bad rule: %s", out)
	}
}

// TestExportLeavesKnownGoodOut: a format that cannot say a verdict gets
// no known-good name unless those are asked for alone (an allowlist), and
// the export says what it left out.
func TestExportLeavesKnownGoodOut(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws.db")
	ltOK(t, ws, "rules", "add", "*.google.com", "--verdict", "good")
	ltOK(t, ws, "rules", "add", "evil.example", "--verdict", "bad")
	for _, f := range []string{"plain", "suricata-dataset", "zeek-intel"} {
		out, errOut, err := lt(t, ws, "export", "--format", f)
		if err != nil || !strings.Contains(errOut, "1 known-good rule left out") || !strings.Contains(errOut, "--verdict good") {
			t.Errorf("%s: %v, report %q", f, err, errOut)
		}
		if l := readList(t, out); !reflect.DeepEqual(l, []string{"evil.example"}) {
			t.Errorf("%s of every verdict holds %q", f, l)
		}
		if l := readList(t, ltOK(t, ws, "export", "--format", f, "--verdict", "good")); !reflect.DeepEqual(l, []string{"google.com"}) {
			t.Errorf("%s --verdict good holds %q", f, l)
		}
	}
}

// readList is the names of an exported list, read back as import-list
// reads it.
func readList(t *testing.T, src string) []string {
	t.Helper()
	l, err := lists.Read(strings.NewReader(src))
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	var out []string
	for _, e := range l.Entries {
		out = append(out, e.Name)
	}
	return out
}

// top end to end: the verdict column, --hide and --unreviewed; paging and
// the domain's verdict are engine/verdicts's TestTop.
func TestTopVerdicts(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "log.csv")
	writeLog(t, log, "www.good.example*5", "c2.bad.example*4", "odd.sus.example*3", "unknown.example*2", "good.example*1")
	ltOK(t, ws, "ingest", log)
	ltOK(t, ws, "rules", "add", "*.good.example", "--verdict", "good")
	ltOK(t, ws, "rules", "add", "*.bad.example", "--verdict", "bad")
	ltOK(t, ws, "rules", "add", "odd.sus.example", "--verdict", "suspicious")
	type topRow struct {
		Name    string  `json:"name"`
		Domain  string  `json:"domain"`
		Count   int64   `json:"count"`
		Verdict *string `json:"verdict"`
	}
	top := func(args ...string) []string {
		var out []string
		for _, r := range jsonRows[topRow](t, ltOK(t, ws, append([]string{"top", "--format", "json"}, args...)...)) {
			v := "-"
			if r.Verdict != nil {
				v = *r.Verdict
			}
			out = append(out, fmt.Sprintf("%s%s %d %s", r.Name, r.Domain, r.Count, v))
		}
		return out
	}
	if got := top("--limit", "2"); !slices.Equal(got, []string{"www.good.examplegood.example 5 good", "c2.bad.examplebad.example 4 bad"}) {
		t.Errorf("top --limit 2 = %q", got)
	}
	if got := top("--hide", "good,bad", "--limit", "2"); !slices.Equal(got, []string{"odd.sus.examplesus.example 3 suspicious", "unknown.exampleunknown.example 2 -"}) {
		t.Errorf("top --hide good,bad = %q", got)
	}
	if got := top("--unreviewed"); !slices.Equal(got, []string{"unknown.exampleunknown.example 2 -"}) {
		t.Errorf("top --unreviewed = %q", got)
	}
	// By domain: sus.example has no rule of its own; its name's rule does
	// not decide it.
	if got := top("--by", "domain", "--hide", "good"); !slices.Equal(got, []string{"bad.example 4 bad", "sus.example 3 -", "unknown.example 2 -"}) {
		t.Errorf("top --by domain --hide good = %q", got)
	}
	if _, _, err := lt(t, ws, "top", "--hide", "ok"); err == nil || !strings.Contains(err.Error(), "top: --hide: unknown verdict") {
		t.Errorf("--hide ok: %v", err)
	}
	table := ltOK(t, ws, "top", "--limit", "1")
	if first := strings.SplitN(table, "\n", 2)[0]; !strings.Contains(first, "verdict  score  rank  new") {
		t.Errorf("table header: %q", first)
	}
	// The screen's other filters and sorts, headless.
	if got := top("--rare", "2", "--sort", "name"); !slices.Equal(got, []string{"good.examplegood.example 1 good", "unknown.exampleunknown.example 2 -"}) {
		t.Errorf("top --rare 2 --sort name = %q", got)
	}
	// Rolled up, a domain is rare when most of its names are, whatever its
	// total: good.example, 6 events of names seen 5 times and once, is rare
	// at 5, and says how many of its names are.
	var rare []string
	for _, r := range jsonRows[map[string]any](t, ltOK(t, ws, "top", "--by", "domain", "--rare", "5", "--sort", "name", "--format", "json")) {
		rare = append(rare, fmt.Sprintf("%v %v %v/%v", r["domain"], r["count"], r["rare_names"], r["names"]))
	}
	if want := []string{"bad.example 4 1/1", "good.example 6 2/2", "sus.example 3 1/1", "unknown.example 2 1/1"}; !slices.Equal(rare, want) {
		t.Errorf("top --by domain --rare 5 = %q, want %q", rare, want)
	}
	if got := top("--hide-top", "3", "--reverse"); !slices.Equal(got, []string{"good.examplegood.example 1 good", "unknown.exampleunknown.example 2 -"}) {
		t.Errorf("top --hide-top 3 --reverse = %q", got)
	}
	if _, _, err := lt(t, ws, "top", "--new"); err == nil || !strings.Contains(err.Error(), "no baseline snapshot") {
		t.Errorf("top --new without a snapshot: %v", err)
	}
	ltOK(t, ws, "baseline", "snapshot", "day1")
	writeLog(t, log, "fresh.example*2", "www.good.example*1")
	ltOK(t, ws, "ingest", log)
	if got := top("--new"); !slices.Equal(got, []string{"fresh.examplefresh.example 2 -"}) {
		t.Errorf("top --new = %q", got)
	}
}

// One file that gives nothing among several must not keep the others from
// being scored: the exit status says 2, and the scores are there.
func TestIngestScoresDespiteAnUnusableFile(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	good := filepath.Join(dir, "dns.csv")
	writeLog(t, good, "a.example", "b.example", "a.example")
	junk := filepath.Join(dir, "junk.bin")
	os.WriteFile(junk, []byte("\x00\x01 not a log\n"), 0o644)
	_, errOut, err := lt(t, ws, "ingest", good, junk)
	var ex exitError
	if !errors.As(err, &ex) || ex != 2 {
		t.Fatalf("exit: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "scored") {
		t.Errorf("no scoring after the ingest:\n%s", errOut)
	}

	// Into a workspace that holds nothing, the unusable file alone is
	// not followed by "scored 0 names".
	_, errOut, err = lt(t, filepath.Join(dir, "empty.db"), "ingest", junk)
	if !errors.As(err, &ex) || ex != 2 || strings.Contains(errOut, "scored") {
		t.Errorf("exit %v, scored an empty workspace:\n%s", err, errOut)
	}
}

// A folder's log without events does not fail the run; a run whose every
// log gave none does, so that cron hears of it.
func TestAFolderOfQuietLogsFailsOnlyWhenAllAre(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	zeek := ltOK(t, filepath.Join(dir, "gen.db"), "gen", "dns", "--format", "zeek", "--lines", "20")
	var header strings.Builder
	for _, l := range strings.SplitAfter(zeek, "\n") {
		if strings.HasPrefix(l, "#") {
			header.WriteString(l)
		}
	}
	os.WriteFile(filepath.Join(logs, "a-quiet.log"), []byte(header.String()), 0o644)
	_, errOut, err := lt(t, filepath.Join(dir, "quiet.db"), "ingest", "--no-score", logs)
	var ex exitError
	if !errors.As(err, &ex) || ex != 2 || !strings.Contains(errOut, "none of the logs gave any events") {
		t.Errorf("a folder of one quiet log: %v\n%s", err, errOut)
	}
	os.WriteFile(filepath.Join(logs, "b-dns.log"), []byte(zeek), 0o644)
	if _, errOut, err := lt(t, filepath.Join(dir, "busy.db"), "ingest", "--no-score", logs); err != nil {
		t.Errorf("a quiet log beside a busy one: %v\n%s", err, errOut)
	}
}

// new --since 3m: what the last three minutes of the data brought, up to
// its last event (a log of 2024, read now, is not empty of news).
func TestNewSinceASpanBeforeTheLastEvent(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "dns.csv")
	writeLog(t, log, "a.test", "b.test", "c.test", "d.test", "e.test", "f.test") // 10:00 … 10:05
	ltOK(t, ws, "ingest", "--no-score", log)
	type row struct {
		Name string `json:"name"`
	}
	var got []string
	for _, r := range jsonRows[row](t, ltOK(t, ws, "new", "--since", "3m", "--format", "json")) {
		got = append(got, r.Name)
	}
	if strings.Join(got, " ") != "d.test e.test f.test" {
		t.Errorf("new --since 3m: %v", got)
	}
	if _, errOut, err := lt(t, ws, "new", "--since", "3x"); err == nil || !strings.Contains(errOut+err.Error(), "1d, 12h") {
		t.Errorf("new --since 3x: %v %s", err, errOut)
	}
}

// An ingest that adds nothing (every file unchanged) does not score the
// workspace again, unless its scores were out of date already.
func TestAnUnchangedIngestScoresOnlyStaleScores(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	log := filepath.Join(dir, "dns.csv")
	writeLog(t, log, "a.example", "b.example")
	for i, c := range []struct {
		args   []string
		scored bool
	}{
		{[]string{"ingest", "--no-score", log}, false},
		{[]string{"ingest", log}, true}, // unchanged, but never scored
		{[]string{"ingest", log}, false},
	} {
		_, errOut, err := lt(t, ws, c.args...)
		if err != nil || strings.Contains(errOut, "scored ") != c.scored || !strings.Contains(errOut, "unchanged") && i > 0 {
			t.Errorf("run %d %v: %v, scored %v:\n%s", i, c.args, err, !c.scored, errOut)
		}
	}
}

// ingestLeavesNoWorkspace ingests file into ws, which is not there yet,
// and fails the test unless the ingest failed (status 2), said it made no
// workspace and left no file.
func ingestLeavesNoWorkspace(t *testing.T, ws, file string) {
	t.Helper()
	_, errOut, err := lt(t, ws, "ingest", file)
	var ex exitError
	if !errors.As(err, &ex) || ex != 2 || !strings.Contains(errOut, "no workspace was made at "+ws) {
		t.Errorf("%s: exit %v:\n%s", file, err, errOut)
	}
	if left, _ := filepath.Glob(ws + "*"); len(left) > 0 {
		t.Errorf("%s: left %v", file, left)
	}
}

// An ingest that stores nothing into a workspace it made (a mistyped
// path, a file that is no log) leaves no file behind for a later command
// to take for a workspace; one that already was, it leaves alone.
func TestAFailedFirstIngestLeavesNoWorkspace(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.bin")
	os.WriteFile(junk, []byte("\x00\x01 not a log\n"), 0o644)
	for _, file := range []string{junk, filepath.Join(dir, "missing.log")} {
		ingestLeavesNoWorkspace(t, filepath.Join(dir, "new.db"), file)
	}

	ws := filepath.Join(dir, "kept.db")
	good := filepath.Join(dir, "dns.csv")
	writeLog(t, good, "a.example")
	if _, errOut, err := lt(t, ws, "ingest", good); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	_, errOut, _ := lt(t, ws, "ingest", junk)
	if _, err := os.Stat(ws); err != nil || strings.Contains(errOut, "no workspace") {
		t.Errorf("a workspace with events went: %v\n%s", err, errOut)
	}
}
