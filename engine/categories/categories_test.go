package categories

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
)

var ctx = context.Background()

func openTemp(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "ws.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// ut1Dir is ../shared/data/reference/ut1_categories seen from the
// repository root: the UT1 lists, one NAME.domains file per category.
func ut1Dir(t testing.TB) string {
	dir := filepath.Join("..", "..", "..", "shared", "data", "reference", "ut1_categories")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("reference data not present:", dir)
	}
	return dir
}

// shell runs a command line of the counting tools and returns its output
// as a number.
func shell(t testing.TB, dir, script string) int64 {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("%s: %v", script, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("%s: %q", script, out)
	}
	return n
}

func write(t testing.TB, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func importPath(t testing.TB, d *db.DB, p string, opt Options) Report {
	t.Helper()
	if opt.Origin == "" {
		opt.Origin = Origin(p)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	}
	rep, err := Import(ctx, d, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// lookup returns the categories of each name, by key and by scan, and
// fails when the two ways disagree.
func lookup(t testing.TB, d *db.DB, names ...string) map[string][]string {
	t.Helper()
	cat, err := LoadCatalog(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	var got [2]map[string][]string
	for i, fill := range []func(context.Context, *db.DB, map[string]Set) error{byKey, byScan} {
		want := wanted(names)
		if err := fill(ctx, d, want); err != nil {
			t.Fatal(err)
		}
		got[i] = map[string][]string{}
		for n, s := range inherit(names, want) {
			got[i][n] = cat.Names(s)
		}
	}
	if !equal(got[0], got[1]) {
		t.Fatalf("by key %v, by scan %v", got[0], got[1])
	}
	all, err := Of(ctx, d, names)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(got[0]) {
		t.Fatalf("Of found %d names, the lookups %d", len(all), len(got[0]))
	}
	return got[0]
}

func equal(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// The UT1 lists as shipped here: every category's names counted by awk,
// the distinct names over all of them by sort -u, and a few names looked
// up with what grep says their categories are.
func TestUT1Reference(t *testing.T) {
	dir := ut1Dir(t)
	d := openTemp(t)
	rep := importPath(t, d, dir, Options{})
	files := shell(t, dir, "ls *.domains | wc -l")
	if int64(len(rep.Info.Files)) != files || int64(len(rep.Counts)) != files {
		t.Errorf("%d files, %d categories; ls finds %d", len(rep.Info.Files), len(rep.Counts), files)
	}
	for _, f := range rep.Info.Files {
		// Every non-empty line is a name: UT1 has neither comments nor
		// headers; a name a list has twice is stored once.
		lines := shell(t, dir, "awk 'NF' "+f.File+" | wc -l")
		names := shell(t, dir, "awk 'NF' "+f.File+" | sort -u | wc -l")
		if int64(f.Entries) != lines || rep.Counts[f.Category] != names {
			t.Errorf("%s: %d entries, %d names stored; awk counts %d lines, sort -u %d names", f.File, f.Entries,
				rep.Counts[f.Category], lines, names)
		}
		if f.SkippedTotal != 0 || f.Err != nil {
			t.Errorf("%s: %d skipped, %v", f.File, f.SkippedTotal, f.Err)
		}
	}
	if want := shell(t, dir, "cat *.domains | awk 'NF' | wc -l"); int64(rep.Info.Entries()) != want {
		t.Errorf("%d entries, awk counts %d", rep.Info.Entries(), want)
	}
	// Each name once, whatever number of categories it has.
	if want := shell(t, dir, "cat *.domains | awk 'NF' | sort -u | wc -l"); rep.Source.Names != want {
		t.Errorf("%d names stored, sort -u counts %d", rep.Source.Names, want)
	}
	if rep.Info.Ignored != 1 { // README.md
		t.Errorf("%d files ignored, want the README", rep.Info.Ignored)
	}
	// The categories of a name are the files it is in (grep -lx) and those
	// of its parents.
	for _, name := range []string{"pokerstars.fr", "anthropic.com", "jw.org"} {
		cmd := exec.Command("sh", "-c", "grep -lxF "+name+" *.domains | sed 's/[.]domains$//' | sort | paste -sd, -")
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Skip(err)
		}
		want := strings.TrimSpace(string(out))
		got := lookup(t, d, name, "www."+name)
		if strings.Join(got[name], ",") != want || strings.Join(got["www."+name], ",") != want {
			t.Errorf("%s: %v, www: %v; grep finds %q", name, got[name], got["www."+name], want)
		}
	}
	// Importing the same folder again replaces it.
	again := importPath(t, d, dir, Options{})
	srcs, err := d.CatSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].Names != rep.Source.Names || again.Source.Names != rep.Source.Names {
		t.Errorf("after a second import: %+v", srcs)
	}
}

// A name takes its own categories and those of every parent domain, but
// not a TLD's, and a parent not those of a name below it; an address
// only its own.
func TestParentsGiveTheirCategories(t *testing.T) {
	d := openTemp(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "bl", "gambling", "domains"), "y.com\n192.0.2.7\n")
	write(t, filepath.Join(dir, "bl", "ads", "domains"), "x.y.com\ny.com\n")
	write(t, filepath.Join(dir, "bl", "tld", "domains"), "com\n")
	importPath(t, d, filepath.Join(dir, "bl"), Options{})
	got := lookup(t, d, "www.x.y.com", "x.y.com", "y.com", "z.y.com", "other.com", "y.com.evil.test", "192.0.2.7", "7.192.0.2.7")
	want := map[string][]string{
		"www.x.y.com": {"ads", "gambling"},
		"x.y.com":     {"ads", "gambling"},
		"y.com":       {"ads", "gambling"},
		"z.y.com":     {"ads", "gambling"},
		"192.0.2.7":   {"gambling"},
	}
	if !equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if p := Parents("www.x.y.com"); !slices.Equal(p, []string{"www.x.y.com", "x.y.com", "y.com"}) {
		t.Errorf("parents %v", p)
	}
}

// The upstream layout (blacklists/NAME/domains, with urls beside them and
// a big list gzipped) reads the same from its folder and from its .tar.gz.
func TestUpstreamLayoutFolderAndArchive(t *testing.T) {
	files := map[string]string{
		"blacklists/adult/domains":     "a.example\nb.example\nA.Example.\n", // a name twice
		"blacklists/adult/urls":        "a.example/x\n",
		"blacklists/gambling/domains":  "casino.example\n\nbad name!\n",
		"blacklists/malware/domains":   "evil.example\n",
		"blacklists/README":            "UT1\n",
		"blacklists/empty/domains":     "",
		"blacklists/BadName!/domains":  "x.example\n",
		"blacklists/phishing/domains":  "",
		"blacklists/phishing/usage":    "black\n",
		"blacklists/cryptojacking/x.y": "",
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	tw := tar.NewWriter(z)
	for name, text := range files {
		write(t, filepath.Join(dir, filepath.FromSlash(name)), text)
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(text)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(text))
	}
	tw.Close()
	z.Close()
	tgz := write(t, filepath.Join(t.TempDir(), "blacklists.tar.gz"), buf.String())
	for _, p := range []string{filepath.Join(dir, "blacklists"), tgz} {
		d := openTemp(t)
		rep := importPath(t, d, p, Options{})
		want := map[string]int64{"adult": 2, "gambling": 1, "malware": 1}
		if len(rep.Counts) != len(want) {
			t.Errorf("%s: counts %v", p, rep.Counts)
		}
		for c, n := range want {
			if rep.Counts[c] != n {
				t.Errorf("%s: %s has %d names, want %d", p, c, rep.Counts[c], n)
			}
		}
		// urls, README, usage, x.y and the badly named folder are no
		// category's domains; the empty lists are said so, not fatal.
		if rep.Info.Ignored != 5 || rep.Info.Skipped() != 1 {
			t.Errorf("%s: %d ignored, %d skipped", p, rep.Info.Ignored, rep.Info.Skipped())
		}
		var b strings.Builder
		rep.Write(&b)
		for _, s := range []string{"3 categories", "4 names stored", "empty: ", "skipped: 1 line", "bad name!"} {
			if !strings.Contains(b.String(), s) {
				t.Errorf("%s: report without %q:\n%s", p, s, b.String())
			}
		}
	}
}

// A plain, hosts or adblock list becomes one category with --category; a
// second import of the same file replaces the first, the category no list
// gives any more leaving the workspace.
func TestListsWithACategory(t *testing.T) {
	d := openTemp(t)
	dir := t.TempDir()
	for _, tc := range []struct{ file, text string }{
		{"plain.txt", "# ads\nads.example\ntrack.example # a note\n"},
		{"hosts", "127.0.0.1 localhost\n0.0.0.0 ads.example\n0.0.0.0 cdn.example\n"},
		{"easylist.txt", "[Adblock Plus 2.0]\n||ads.example^\n||pix.example^$third-party\n@@||ok.example^\n"},
	} {
		p := write(t, filepath.Join(dir, tc.file), tc.text)
		rep := importPath(t, d, p, Options{Categories: []string{"ads"}})
		if rep.Info.Layout != Named || rep.Counts["ads"] != int64(rep.Info.Entries()-rep.Info.exceptions()) || rep.Source.Names == 0 {
			t.Errorf("%s: %+v", tc.file, rep)
		}
	}
	got := lookup(t, d, "ads.example", "track.example", "cdn.example", "www.pix.example", "ok.example", "localhost")
	for _, n := range []string{"ads.example", "track.example", "cdn.example", "www.pix.example"} {
		if !slices.Equal(got[n], []string{"ads"}) {
			t.Errorf("%s: %v", n, got[n])
		}
	}
	if _, ok := got["localhost"]; ok {
		t.Error("a hosts file's localhost is a category's name")
	}
	if _, ok := got["ok.example"]; ok {
		t.Error("an adblock exception (@@) is a category's name")
	}
	// The same hosts file, now of another category: it replaces its
	// import; the other lists still say ads.example is ads.
	importPath(t, d, filepath.Join(dir, "hosts"), Options{Categories: []string{"cdn"}})
	got = lookup(t, d, "ads.example", "cdn.example")
	if !slices.Equal(got["cdn.example"], []string{"cdn"}) || !slices.Equal(got["ads.example"], []string{"ads", "cdn"}) {
		t.Errorf("after the replacement: %v", got)
	}
	cat, _ := LoadCatalog(ctx, d)
	if !slices.Equal(cat.All(), []string{"ads", "cdn"}) {
		t.Errorf("categories %v", cat.All())
	}
	if n, err := d.ClearCategories(ctx, ""); n != 3 || err != nil {
		t.Fatalf("cleared %d: %v", n, err)
	}
	if cat, _ = LoadCatalog(ctx, d); cat.Len() != 0 {
		t.Errorf("after clearing: %v", cat.All())
	}
}

// Categories are context: no rule is added, unless --verdict names the
// categories whose names become rules of their whole domains.
func TestVerdictOnlyWhenAsked(t *testing.T) {
	d := openTemp(t)
	dir := t.TempDir()
	// com, a whole public suffix, makes no rule: it would decide every
	// .com name; the rest of the category does.
	write(t, filepath.Join(dir, "bl", "malware.domains"), "evil.example\n198.51.100.9\ncom\n")
	write(t, filepath.Join(dir, "bl", "games.domains"), "play.example\n")
	importPath(t, d, filepath.Join(dir, "bl"), Options{})
	if rs, _ := d.Rules(ctx); len(rs) != 0 {
		t.Fatalf("rules from categories: %v", rs)
	}
	rep := importPath(t, d, filepath.Join(dir, "bl"), Options{Categories: []string{"malware", "malwre"}, Verdict: rules.Bad, Note: "ut1"})
	rs, _ := d.Rules(ctx)
	if rep.Rules != 2 || len(rs) != 2 {
		t.Fatalf("%d rules reported, %v", rep.Rules, rs)
	}
	var b strings.Builder
	rep.Write(&b)
	if !strings.Contains(b.String(), "no rules from malwre: no such category in bl") {
		t.Errorf("a category named wrong is not said:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "no rules from 1 public suffix") {
		t.Errorf("the public suffix left out is not said:\n%s", b.String())
	}
	for _, r := range rs {
		wantScope := rules.Domain
		if r.Pattern == "198.51.100.9" {
			wantScope = rules.Name
		}
		if r.Verdict != rules.Bad || r.Scope != wantScope || r.Note != "ut1; category malware (bl)" || r.Origin != "bl" {
			t.Errorf("rule %+v", r)
		}
	}
	// games is still a category, and only that.
	if got := lookup(t, d, "play.example"); !slices.Equal(got["play.example"], []string{"games"}) {
		t.Errorf("games: %v", got)
	}
}

// Options that contradict each other are refused before anything is read.
func TestOptionsRefused(t *testing.T) {
	d := openTemp(t)
	dir := t.TempDir()
	plain := write(t, filepath.Join(dir, "list.txt"), "a.example\n")
	ut1 := write(t, filepath.Join(dir, "bl", "adult.domains"), "a.example\n")
	for _, tc := range []struct {
		p   string
		opt Options
		err string
	}{
		{plain, Options{}, "needs one --category"},
		{plain, Options{Categories: []string{"a", "b"}}, "needs one --category"},
		{plain, Options{Categories: []string{"Bad Name"}}, "lower-case"},
		{filepath.Dir(ut1), Options{Verdict: rules.Bad}, "needs --category"},
		{filepath.Dir(ut1), Options{Categories: []string{"adult"}}, "give --verdict too"},
		{write(t, filepath.Join(dir, "none.txt"), "#\n"), Options{Categories: []string{"x"}}, "no usable names"},
	} {
		tc.opt.Origin, tc.opt.Now = "o", time.Now()
		if _, err := Import(ctx, d, tc.p, tc.opt); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s %+v: %v, want %q", tc.p, tc.opt, err, tc.err)
		}
	}
	if srcs, _ := d.CatSources(ctx); len(srcs) != 0 {
		t.Errorf("a refused import stored %+v", srcs)
	}
	// A NAME.domains file given another category is a named list.
	rep := importPath(t, d, ut1, Options{Categories: []string{"porn"}})
	if rep.Counts["porn"] != 1 || rep.Info.Layout != Named {
		t.Errorf("%+v", rep)
	}
}

// More categories than ids is an error, and nothing is stored.
func TestTooManyCategories(t *testing.T) {
	d := openTemp(t)
	dir := filepath.Join(t.TempDir(), "bl")
	for i := range db.MaxCategories + 1 {
		write(t, filepath.Join(dir, "c"+strconv.Itoa(i)+".domains"), "x.example\n")
	}
	if _, err := Import(ctx, d, dir, Options{Origin: "bl", Now: time.Now()}); !errors.Is(err, db.ErrTooManyCategories) {
		t.Fatalf("got %v", err)
	}
	if cat, _ := LoadCatalog(ctx, d); cat.Len() != 0 {
		t.Errorf("%d categories kept", cat.Len())
	}
}

// The column's short form and the filter's parsing.
func TestShortAndParse(t *testing.T) {
	c := NewCatalog([]string{"", "social_networks", "ads", "adult"})
	var s Set
	s.Add(1)
	if got := c.Short(s); got != "social_ne" {
		t.Errorf("short %q", got)
	}
	s.Add(2)
	if got := c.Short(s); got != "ads+1" {
		t.Errorf("short %q", got)
	}
	p, unknown := c.Parse("ads, Adult nope")
	if !p.Has(2) || !p.Has(3) || p.Has(1) || !slices.Equal(unknown, []string{"nope"}) {
		t.Errorf("parse %v %v", p.IDs(), unknown)
	}
}

// A file of a category folder that is no list of names (notes under a
// .domains name) is noted and passed over; the folder's other categories
// are read. It used to fail the whole import.
func TestAFolderFileOfNotesIsNotedNotFatal(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bank.domains"), []byte("bank.example\nsavings.example\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.domains"), []byte("We keep this folder up to date by hand.\nAsk the team first.\nfoo.example\n"), 0o644)
	var got []string
	info, err := Read(dir, "", func(name, cat string) error {
		got = append(got, cat+" "+name)
		return nil
	})
	if err != nil {
		t.Fatalf("the folder: %v", err)
	}
	if !slices.Contains(got, "bank bank.example") || !slices.Contains(got, "bank savings.example") {
		t.Errorf("read %q", got)
	}
	noted := false
	for _, f := range info.Files {
		noted = noted || f.Category == "notes" && f.Err != nil
	}
	if !noted {
		t.Errorf("the notes file is not noted: %+v", info.Files)
	}
}
