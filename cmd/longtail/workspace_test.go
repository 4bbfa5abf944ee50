//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/longtail/longtail/internal/testfs"
)

// --db on what is not a workspace is refused in plain words by the
// commands that read and by ingest, and nothing is created there.
func TestDBThatIsNotAWorkspaceIsRefused(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("not a database\n"), 0o644)
	log := filepath.Join(dir, "dns.csv")
	writeLog(t, log, "a.example")
	missing := filepath.Join(dir, "typo.db")
	// Left by an older longtail, it cannot tell this one's behaviour.
	_, err := os.Stat(os.DevNull + "-journal")
	journalBefore := err == nil
	for _, c := range []struct{ db, want string }{
		{empty, "an empty file"},
		{os.DevNull, "a device"},
		{":memory:", "in memory"},
		{dir, "a directory"},
		{notes, "not an SQLite file"},
	} {
		for _, args := range [][]string{{"stats"}, {"top"}, {"rules", "list"}, {"ingest", log}} {
			_, _, err := lt(t, c.db, args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("--db %s %s: %v; want it to say %q", c.db, args[0], err, c.want)
			}
		}
	}
	for _, args := range [][]string{{"stats"}, {"top"}, {"sources"}, {"events", "a.example"}, {"export", "--format", "plain"}} {
		if _, _, err := lt(t, missing, args...); err == nil || !strings.Contains(err.Error(), "no workspace at") {
			t.Errorf("--db %s %s: %v", missing, args[0], err)
		}
	}
	if _, err := os.Stat(os.DevNull + "-journal"); err == nil && !journalBefore {
		t.Errorf("%s-journal was created", os.DevNull)
	}
	if st, err := os.Stat(empty); err != nil || st.Size() != 0 {
		t.Error("the empty file was written")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a command that only reads created a workspace")
	}
}

// A workspace on a read-only mount answers every command that only reads
// it; a command that writes says why it cannot. The mount binds root, as a
// read-only directory does not.
func TestWorkspaceOnReadOnlyMount(t *testing.T) {
	mnt := testfs.Tmpfs(t, "16m")
	ws, _, _ := genWorkspace(t)
	ro := filepath.Join(mnt, "ws.db")
	copyFile(t, ws, ro)
	testfs.ReadOnly(t, mnt)
	for _, args := range [][]string{
		{"stats"}, {"top", "--by", "domain"}, {"sources"}, {"rules", "list"},
		{"export", "--format", "plain"}, {"score", "--stored"}, {"series"}, {"new", "--since", "2020-01-01"},
	} {
		if _, errOut, err := lt(t, ro, args...); err != nil {
			t.Errorf("%s on a read-only mount: %v\n%s", strings.Join(args, " "), err, errOut)
		}
	}
	for _, args := range [][]string{{"ingest", "-"}, {"rules", "add", "x.example", "--verdict", "bad"}} {
		_, _, err := lt(t, ro, args...)
		if err == nil || !strings.Contains(err.Error(), "read-only file system") {
			t.Errorf("%s on a read-only mount: %v; want the read-only file system named", args[0], err)
		}
	}
}

// A workspace in a directory another user cannot write: that user reads
// it, and is told why an ingest cannot go in. As root the test runs
// longtail as nobody, whom the permissions bind.
func TestWorkspaceInAReadOnlyDirectory(t *testing.T) {
	ws, log, _ := genWorkspace(t)
	dir := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(dir, 0o755)
	copyFile(t, ws, filepath.Join(dir, "ws.db"))
	os.Chmod(filepath.Join(dir, "ws.db"), 0o644)
	os.Chmod(log, 0o644)
	bin := os.Args[0]
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// nobody must reach the files and run the test binary.
		bin = filepath.Join(t.TempDir(), "longtail.test")
		copyFile(t, os.Args[0], bin)
		os.Chmod(bin, 0o755)
		for _, p := range []string{filepath.Dir(bin), filepath.Dir(dir), filepath.Dir(filepath.Dir(dir)), filepath.Dir(log)} {
			os.Chmod(p, 0o755)
		}
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, append([]string{"--db", filepath.Join(dir, "ws.db")}, args...)...)
		cmd.Env = append(os.Environ(), "LONGTAIL_TEST_MAIN=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("stats")
	if err != nil {
		t.Fatalf("stats in a read-only directory: %v\n%s", err, out)
	}
	if m := regexp.MustCompile(`events\s+(\d+)`).FindStringSubmatch(out); m == nil || m[1] != strconv.Itoa(3000) {
		t.Errorf("stats: %s", out)
	}
	if out, err := run("top", "--limit", "3"); err != nil {
		t.Errorf("top in a read-only directory: %v\n%s", err, out)
	}
	out, err = run("ingest", "--no-score", log)
	if err == nil || !strings.Contains(out, "permission denied") || !strings.Contains(out, "read-only") {
		t.Errorf("ingest in a read-only directory: %v\n%s", err, out)
	}
}

// An ingest that fills the disk says how many events it stored, which is
// what the workspace holds; stats, top and the review screen's open still
// work on the full disk.
func TestIngestOnAFullDisk(t *testing.T) {
	mnt := testfs.Tmpfs(t, "3m")
	ws := filepath.Join(mnt, "ws.db")
	log := filepath.Join(t.TempDir(), "dns.csv")
	gen := self("gen", "dns", "--lines", "100000", "--format", "csv")
	out, err := gen.Output()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(log, out, 0o644)
	_, errOut, err := lt(t, ws, "ingest", "--batch", "5000", log)
	m := regexp.MustCompile(`failed: database or disk is full \(13\) \((\d+) events stored before it\)`).FindStringSubmatch(errOut)
	if err == nil || m == nil {
		t.Fatalf("ingest on a full disk: %v\n%s", err, errOut)
	}
	srcs := jsonRows[struct{ Events float64 }](t, ltOK(t, ws, "sources", "--format", "json"))
	if len(srcs) != 1 || strconv.Itoa(int(srcs[0].Events)) != m[1] {
		t.Errorf("the ingest said %s events stored; the workspace holds %+v", m[1], srcs)
	}
	// The totals are either up to date (the first open's recovery fitted
	// on the disk: where the disk fills depends on the workspace's pages)
	// or said to lag; never wrong in silence, never said to lag when right.
	upToDate := false
	for _, args := range [][]string{{"stats"}, {"top"}} {
		out, errOut, err := lt(t, ws, args...)
		if err != nil {
			t.Errorf("%s on a full disk: %v\n%s", args[0], err, errOut)
			continue
		}
		if ev := regexp.MustCompile(`events\s+(\d+)`).FindStringSubmatch(out); args[0] == "stats" {
			upToDate = ev != nil && ev[1] == m[1]
		}
		lag := strings.Contains(errOut, "interrupted")
		if !lag && !upToDate {
			t.Errorf("%s on a full disk does not say its totals lag:\n%s", args[0], errOut)
		}
		if upToDate && strings.Contains(errOut, "could not be brought up to date") {
			t.Errorf("%s shows the %s events stored and says its totals lag:\n%s", args[0], m[1], errOut)
		}
	}
	e := &env{dbPath: ws, stderr: &strings.Builder{}}
	d, err := e.openReview(false)
	if err != nil {
		t.Fatalf("the review screen's open on a full disk: %v", err)
	}
	d.Close()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
