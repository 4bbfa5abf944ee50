package ingest

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/internal/testfs"
)

// A directory stands for the files under it, in name order at any depth:
// its logs are read, a file that is no log is passed over without failing
// the run, and hidden files and directories are left alone.
func TestADirectoryIsReadWhole(t *testing.T) {
	d := openWS(t)
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dns := genLog(t, "zeek", 300)
	write("b-dns.log", dns)
	write("a-notes.txt", []byte("Dear diary, today I looked at DNS logs all day.\n"))
	write("c-error.log", []byte(strings.Repeat("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties\n", 5)))
	write("web/access.log", []byte(
		`192.0.2.7 - - [10/Oct/2024:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326 "-" "curl/8.0"`+"\n"+
			`192.0.2.8 - - [10/Oct/2024:13:55:37 +0000] "GET /login HTTP/1.1" 404 12 "-" "Mozilla/5.0"`+"\n"))
	// A Zeek log of an hour without queries: its header alone.
	var header []byte
	for _, line := range bytes.SplitAfter(dns, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("#")) {
			header = append(header, line...)
		}
	}
	write("d-quiet.log", header)
	write(".cache/old-dns.log", dns)
	write(".hidden.log", dns)
	reps, err := Run(context.Background(), d, []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name   string
		status Status
	}{{"a-notes.txt", PassedOver}, {"b-dns.log", Ingested}, {"c-error.log", PassedOver}, {"d-quiet.log", Ingested}, {"web/access.log", Ingested}}
	if len(reps) != len(want) {
		t.Fatalf("%d reports, want %d: %+v", len(reps), len(want), reps)
	}
	for i, w := range want {
		if r := reps[i]; r.Path != filepath.Join(dir, w.name) || r.Status != w.status || !r.Usable() {
			t.Errorf("report %d: %+v, want %s %s", i, r, w.name, w.status)
		}
	}
	if got := reps[0].Describe(); got != filepath.Join(dir, "a-notes.txt")+": passed over: not a log longtail reads" {
		t.Errorf("notes: %q", got)
	}
	if got := reps[2].Describe(); !strings.HasSuffix(got, "c-error.log: passed over: not a log longtail reads (it looks like a web server error log)") {
		t.Errorf("error log: %q", got)
	}
	if got := reps[3].Describe(); !strings.HasSuffix(got, "d-quiet.log: zeek-tsv with no DNS queries in it") {
		t.Errorf("quiet log: %q", got)
	}
	if got, want := totalEvents(t, d), reps[1].Events+reps[4].Events; got != want || reps[1].Events == 0 || reps[4].Events == 0 {
		t.Errorf("%d events stored, %d and %d reported", got, reps[1].Events, reps[4].Events)
	}
	// A file named on the command line is meant to be read: not a log
	// fails it, as before.
	if r := ingestOne(t, d, filepath.Join(dir, "a-notes.txt"), Options{}); r.Usable() || r.Status != Failed {
		t.Errorf("named notes: %+v", r)
	}
	// Nor does a log without events: the analyst meant to read it.
	if r := ingestOne(t, d, filepath.Join(dir, "d-quiet.log"), Options{Force: true}); r.Usable() {
		t.Errorf("named quiet log: %+v", r)
	}
}

// A folder's symbolic link to a log is read as the log (a folder of links,
// a daemon's "current"): it was left out, and a folder of links alone was
// "no files in it". A broken link, a loop and a FIFO (which a walk would
// wait on) are passed over, each saying what it is; a link to a folder is
// not followed.
func TestADirectoryReadsItsLinksToLogs(t *testing.T) {
	d := openWS(t)
	dir, elsewhere := t.TempDir(), t.TempDir()
	real := filepath.Join(elsewhere, "dns.log")
	os.WriteFile(real, genLog(t, "zeek", 30), 0o644)
	for link, to := range map[string]string{"current": real, "broken.log": filepath.Join(elsewhere, "gone.log"), "loop1": "loop2", "loop2": "loop1", "folder": elsewhere} {
		if err := os.Symlink(to, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	testfs.Mkfifo(t, filepath.Join(dir, "pipe.log"))
	reps, err := Run(context.Background(), d, []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range reps {
		got[filepath.Base(r.Path)] = strings.TrimPrefix(r.Describe(), r.Path+": ")
	}
	want := map[string]string{"broken.log": "passed over: a broken symbolic link", "current": "ingested zeek-tsv, 30 events",
		"loop1": "passed over: a broken symbolic link", "loop2": "passed over: a broken symbolic link",
		"pipe.log": "passed over: not a file (a FIFO, socket or device is read when named alone)"}
	if !maps.Equal(got, want) {
		t.Errorf("reports:\n%v\nwant\n%v", got, want)
	}
}

// "ingest ." in the workspace's folder reads the logs there, not the
// workspace's own files; and an empty log there (just rotated, nothing
// written yet) is passed over, not a failure of every run.
func TestADirectoryLeavesOutTheWorkspaceAndPassesOverEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	d, err := db.Open(filepath.Join(dir, "longtail.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	os.WriteFile(filepath.Join(dir, "dns.log"), genLog(t, "zeek", 30), 0o644)
	os.WriteFile(filepath.Join(dir, "new.log"), nil, 0o644)
	reps, err := Run(context.Background(), d, []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 || reps[0].Status != Ingested || reps[1].Status != PassedOver || !reps[1].Usable() {
		t.Fatalf("reports: %+v", reps)
	}
	if got := reps[1].Describe(); !strings.HasSuffix(got, "new.log: passed over: empty") {
		t.Errorf("the empty log: %q", got)
	}
}

// A list of names in a folder of logs (a blocklist, a popularity list)
// is passed over, where it stored every entry as an undated query; named
// alone, it is read as queries. A directory with no file says so.
func TestADirectoryPassesOverListsOfNames(t *testing.T) {
	dir := t.TempDir()
	d := openWS(t)
	os.WriteFile(filepath.Join(dir, "dns.log"), genLog(t, "zeek", 30), 0o644)
	list := filepath.Join(dir, "top-domains.txt")
	os.WriteFile(list, []byte("google.com\nfacebook.com\nexample.org\n"), 0o644)
	reps, err := Run(context.Background(), d, []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 || reps[0].Status != Ingested || reps[1].Status != PassedOver || !strings.Contains(reps[1].Describe(), "top-domains.txt: passed over: a list of names, not a log") {
		t.Fatalf("reports: %+v", reps)
	}
	if reps, err = Run(context.Background(), d, []string{list}, Options{}); err != nil || len(reps) != 1 || reps[0].Events != 3 {
		t.Fatalf("the list named alone: %+v, %v", reps, err)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if reps, _ = Run(context.Background(), d, []string{empty}, Options{}); len(reps) != 1 || !errors.Is(reps[0].Err, errNoFiles) {
		t.Fatalf("an empty directory: %+v", reps)
	}
}

// Follow refuses a directory, saying how to name its files: which of
// the files that come and go in it to follow is not its to guess.
func TestFollowRefusesADirectory(t *testing.T) {
	d := openWS(t)
	dir := t.TempDir()
	err := Follow(context.Background(), d, []string{dir}, FollowOptions{})
	if err == nil || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), "*.log") {
		t.Fatalf("follow of a directory: %v", err)
	}
}

// Before a first ingest makes a workspace, the files are looked at: none
// that a format reads, and the reports say why, as the ingest would.
func TestUnreadableBeforeAWorkspaceIsMade(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("Dear diary, today I looked at DNS logs all day.\n"), 0o644)
	empty := filepath.Join(dir, "empty.log")
	os.WriteFile(empty, nil, 0o644)
	dns := filepath.Join(dir, "sub", "dns.log")
	os.MkdirAll(filepath.Dir(dns), 0o755)
	os.WriteFile(dns, genLog(t, "zeek", 10), 0o644)
	missing := filepath.Join(dir, "missing.log")

	reps := Unreadable([]string{notes, missing, empty})
	if len(reps) != 3 || reps[0].Status != Failed || reps[0].Usable() || !strings.Contains(reps[1].Describe(), "no such file") ||
		!strings.HasSuffix(reps[2].Describe(), "failed: empty file") {
		t.Errorf("reports %+v", reps)
	}
	// Notes found under a directory are passed over, as the ingest does.
	os.Remove(dns)
	if reps := Unreadable([]string{dir}); len(reps) != 2 || reps[1].Status != PassedOver || !reps[1].Usable() {
		t.Errorf("a folder of notes: %+v", reps)
	}
	os.WriteFile(dns, genLog(t, "zeek", 10), 0o644)
	for _, paths := range [][]string{{notes, dns}, {dir}, {"-"}} {
		if reps := Unreadable(paths); reps != nil {
			t.Errorf("%v: %+v", paths, reps)
		}
	}
}
