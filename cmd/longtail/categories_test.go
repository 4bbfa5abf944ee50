package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// categoryWorkspace ingests DNS names (one a line) and an Apache
// vhost_combined log, and imports a UT1-style folder and a hosts list
// with --category.
func categoryWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	req := func(host string) string {
		return host + `:80 192.0.2.10 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 123 "-" "curl/8.0"` + "\n"
	}
	files := map[string]string{
		"names.txt": strings.Repeat("www.casino.example\n", 5) + strings.Repeat("ads.tracker.example\n", 3) +
			"x.both.example\nplain.example\nplain.example\n",
		"access.log":               req("shop.casino.example") + req("shop.casino.example") + req("intranet.example"),
		"ut1/gambling/domains":     "casino.example\nboth.example\n",
		"ut1/gambling/urls":        "casino.example/poker\n",
		"ut1/publicite/domains":    "tracker.example\n",
		"ut1/malware/domains":      "both.example\nevil.example\n",
		"lists/ads-hosts.txt":      "0.0.0.0 both.example\n",
		"lists/nothing-usable.txt": "# only a comment\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, errOut, err := lt(t, ws, "ingest", "--no-score", filepath.Join(dir, "names.txt"), filepath.Join(dir, "access.log")); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	out := ltOK(t, ws, "import-list", filepath.Join(dir, "ut1"))
	for _, s := range []string{"ut1: ut1 layout, 3 categories, 5 lines, 5 entries", "4 names stored (origin ut1",
		"gambling 2, malware 2, publicite 1", "ignored: 1 file of no category", "skipped: 0 lines"} {
		if !strings.Contains(out, s) {
			t.Errorf("import-list said %q, without %q", out, s)
		}
	}
	out = ltOK(t, ws, "import-list", filepath.Join(dir, "lists", "ads-hosts.txt"), "--category", "ads")
	if !strings.Contains(out, "ads-hosts.txt: list layout, 1 category, 1 line, 1 entry") {
		t.Errorf("import-list --category said %q", out)
	}
	if _, _, err := lt(t, ws, "import-list", filepath.Join(dir, "lists", "nothing-usable.txt"), "--category", "ads"); err == nil ||
		!strings.Contains(err.Error(), "no usable names") {
		t.Errorf("a list with nothing in it: %v", err)
	}
	return ws
}

func topCatJSON(t *testing.T, ws string, args ...string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal([]byte(ltOK(t, ws, append(append([]string{"top"}, args...), "--format", "json")...)), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// top shows each host name's categories (its own and its parents'), hides
// or keeps categories, and tallies DNS names and HTTP hosts by category.
func TestTopCategories(t *testing.T) {
	ws := categoryWorkspace(t)
	got := map[string]any{}
	for _, r := range topCatJSON(t, ws) {
		got[r["name"].(string)] = r["category"]
	}
	want := map[string]any{"www.casino.example": "gambling", "ads.tracker.example": "publicite",
		"x.both.example": "ads,gambling,malware", "plain.example": ""}
	if len(got) != len(want) {
		t.Errorf("rows %v", got)
	}
	for n, c := range want {
		if got[n] != c {
			t.Errorf("%s: category %v, want %v", n, got[n], c)
		}
	}
	var names []string
	for _, r := range topCatJSON(t, ws, "--hide-category", "publicite,malware") {
		names = append(names, r["name"].(string))
	}
	if !slices.Equal(names, []string{"www.casino.example", "plain.example"}) {
		t.Errorf("--hide-category: %v", names)
	}
	names = nil
	for _, r := range topCatJSON(t, ws, "--only-category", "gambling", "--kind", "http") {
		names = append(names, r["host"].(string))
	}
	if !slices.Equal(names, []string{"shop.casino.example"}) {
		t.Errorf("--only-category on HTTP hosts: %v", names)
	}
	tally := func(args ...string) []string {
		var out []string
		for _, r := range topCatJSON(t, ws, append([]string{"--by", "category"}, args...)...) {
			out = append(out, r["category"].(string)+" "+jsonInt(r["names"])+" "+jsonInt(r["count"])+" "+jsonInt(r["clients"]))
		}
		return out
	}
	if got := tally(); !slices.Equal(got, []string{"gambling 2 6 0", "publicite 1 3 0", "ads 1 1 0", "malware 1 1 0", "(none) 1 2 0"}) {
		t.Errorf("--by category: %v", got)
	}
	// The rows are hosts: shop.casino.example, asked twice by one client
	// (the DNS log has no clients).
	if got := tally("--kind", "http"); !slices.Equal(got, []string{"gambling 1 2 1", "(none) 1 1 1"}) {
		t.Errorf("--kind http --by category: %v", got)
	}
	if got := tally("--hide-category", "gambling"); !slices.Equal(got, []string{"publicite 1 3 0", "(none) 1 2 0"}) {
		t.Errorf("--by category --hide-category gambling: %v", got)
	}
	if got := tally("--limit", "2"); !slices.Equal(got, []string{"gambling 2 6 0", "publicite 1 3 0"}) {
		t.Errorf("--by category --limit 2: %v", got)
	}
	// Unknown categories, and subjects that have none, are told.
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"--hide-category", "nope"}, "no category nope (known: ads, gambling, malware, publicite)"},
		{[]string{"--kind", "http", "--by", "ua", "--only-category", "ads"}, "categories are of host names"},
		{[]string{"--kind", "logon", "--by", "category"}, "categories are of host names"},
	} {
		if _, _, err := lt(t, ws, append([]string{"top"}, tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("top %v: %v, want %q", tc.args, err, tc.err)
		}
	}
	// categories lookup and list.
	out := ltOK(t, ws, "categories", "lookup", "WWW.X.Both.Example.", "plain.example")
	if !strings.Contains(out, "www.x.both.example  ads,gambling,malware") {
		t.Errorf("lookup: %q", out)
	}
	if out := ltOK(t, ws, "categories", "list"); strings.Count(out, "\n") != 5 {
		t.Errorf("list: %q", out)
	}
	// --verdict with --category: the named categories become rules.
	dir := filepath.Dir(ws)
	out = ltOK(t, ws, "import-list", filepath.Join(dir, "ut1"), "--verdict", "bad", "--category", "malware")
	if !strings.Contains(out, "rules: 2 added or replaced") {
		t.Errorf("import-list --verdict: %q", out)
	}
	if out := ltOK(t, ws, "rules", "list"); !strings.Contains(out, "evil.example") || strings.Contains(out, "casino") {
		t.Errorf("rules: %q", out)
	}
}

// jsonInt is a JSON number as the text of an integer.
func jsonInt(v any) string {
	f, _ := v.(float64)
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// On a real Pi-hole log and the UT1 lists: the events of each category
// as top --by category tallies them are those an awk script counts from
// the log's query lines, each name taking the categories of the UT1 files
// that list it or one of its parent domains (but not a TLD).
func TestByCategoryOnRealData(t *testing.T) {
	log := sharedSample(t, "dns", "bazmonk_pihole_full_pihole.log")
	ut1 := sharedSample(t, "reference", "ut1_categories")
	ws := filepath.Join(t.TempDir(), "ws.db")
	ltOK(t, ws, "ingest", "--no-score", log)
	ltOK(t, ws, "import-list", ut1)
	const script = `
FILENAME ~ /[.]domains$/ { c = FILENAME; sub(/.*\//, "", c); sub(/[.]domains$/, "", c); cats[$0] = cats[$0] " " c; next }
/: query\[/ {
	for (i = 1; i < NF; i++) if ($i ~ /^query\[/) name = tolower($(i + 1))
	delete seen; n = 0
	for (s = name; index(s, "."); s = substr(s, index(s, ".") + 1)) {
		k = split(cats[s], cs, " ")
		for (j = 1; j <= k; j++) if (!(cs[j] in seen)) { seen[cs[j]] = 1; n++ }
	}
	if (n == 0) ev["(none)"]++
	for (c in seen) ev[c]++
}
END { for (c in ev) print c, ev[c] }`
	cmd := exec.Command("sh", "-c", "awk '"+script+"' "+filepath.Join(ut1, "*.domains")+" "+log+" | sort")
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("awk: %v", err)
	}
	want := strings.Split(strings.TrimSpace(string(out)), "\n")
	var got []string
	for _, r := range topCatJSON(t, ws, "--by", "category") {
		got = append(got, r["category"].(string)+" "+jsonInt(r["count"]))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("top --by category:\n%s\nawk:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(got) < 5 {
		t.Errorf("only %d categories in the log", len(got))
	}
}
