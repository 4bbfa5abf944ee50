package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// examplesDir holds the format files shipped with longtail.
const examplesDir = "../../examples/formats"

// userFormats points the user's formats folder at a new, empty one.
func userFormats(t *testing.T) string {
	t.Helper()
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	dir := filepath.Join(cfg, "longtail", "formats")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyInto copies a file into dir.
func copyInto(t *testing.T, src, dir string) string {
	t.Helper()
	dst := filepath.Join(dir, filepath.Base(src))
	copyFile(t, src, dst)
	return dst
}

// A log of the user's own, described by a format file given with
// --format-file (before the command or after it), is ingested like a
// built-in format: its events, its skipped line with the reason, and a
// grown file read again only for what it gained.
func TestIngestWithFormatFile(t *testing.T) {
	userFormats(t)
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	logPath := copyInto(t, filepath.Join(examplesDir, "opendns5.csv"), dir)
	toml := filepath.Join(examplesDir, "opendns5.toml")

	_, errOut, err := lt(t, ws, "ingest", logPath)
	if err == nil || !strings.Contains(errOut, "unknown format") {
		t.Fatalf("without the format file: %v %s", err, errOut)
	}
	_, errOut, err = lt(t, ws, "ingest", logPath, "--format-file", toml, "--no-score")
	if err != nil || !strings.Contains(errOut, "ingested opendns5, 11 events, 1 skipped") ||
		!strings.Contains(errOut, `skipped line 11 (byte 583): bad time in "timestamp"`) {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	out := ltOK(t, ws, "events", "x7f3k2q9.badcdn.example", "--format", "json")
	if !strings.Contains(out, `"client": "10.0.0.44"`) || !strings.Contains(out, `"rcode": "NXDOMAIN"`) || !strings.Contains(out, `"qtype": "TXT"`) {
		t.Errorf("events: %s", out)
	}

	// The log grows: the header is read again, the old lines are not.
	f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("2024-03-05 13:09:00,10.0.0.77,new.example.net,A,NOERROR\n")
	f.Close()
	_, errOut, err = lt(t, ws, "--format-file", toml, "ingest", logPath, "--no-score")
	if err != nil || !strings.Contains(errOut, "resumed opendns5, 1 event") {
		t.Fatalf("resumed: %v\n%s", err, errOut)
	}
	var stats struct{ Events int64 }
	if err := json.Unmarshal([]byte(ltOK(t, ws, "stats", "--format", "json")), &stats); err != nil || stats.Events != 12 {
		t.Errorf("stats: %+v %v", stats, err)
	}
}

// The user's formats folder is read by every command that reads logs,
// and longtail formats lists its formats with where they come from.
func TestFormatsFolderAndList(t *testing.T) {
	dir := userFormats(t)
	toml := copyInto(t, filepath.Join(examplesDir, "caddy.toml"), dir)
	ws := filepath.Join(t.TempDir(), "ws.db")
	out := ltOK(t, ws, "formats", "--format", "csv", "--format-file", filepath.Join(examplesDir, "opendns5.toml"))
	for _, want := range []string{"caddy,text,http," + toml, "opendns5,text,dns," + filepath.Join(examplesDir, "opendns5.toml"), "zeek-json,text,dns,built-in", `pcap,capture,"dns, http",built-in`, "evtx,event log,logon,built-in"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("formats lacks %q:\n%s", want, out)
		}
	}
	// The custom formats come before the lenient built-in ones.
	if strings.Index(out, "caddy,") > strings.Index(out, "opendns-csv,") || strings.Index(out, "caddy,") < strings.Index(out, "umbrella-csv,") {
		t.Errorf("detection order:\n%s", out)
	}
}

// formats --check shows the format that takes a file and why, its first
// records and skipped lines, and why the other format files did not.
func TestFormatsCheck(t *testing.T) {
	userFormats(t)
	ws := filepath.Join(t.TempDir(), "ws.db")
	args := []string{"formats", "--format-file", filepath.Join(examplesDir, "opendns5.toml"), "--format-file", filepath.Join(examplesDir, "caddy.toml")}
	var got struct {
		Format, Kind, Origin, Why string
		Records                   []map[string]any
		Skipped                   []map[string]any
		NotTakenBy                []map[string]any `json:"not taken by"`
	}
	out := ltOK(t, ws, append(args, "--check", filepath.Join(examplesDir, "caddy.log"), "--limit", "2", "--format", "json")...)
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Format != "caddy" || got.Kind != "http" || !strings.HasSuffix(got.Origin, "caddy.toml") ||
		got.Why != "its first lines hold detect.keys; 8 of lines 1-8 give records" || len(got.Records) != 2 ||
		got.Records[0]["path"] != "/" || got.Records[0]["status"] != 200.0 || len(got.Skipped) != 0 ||
		len(got.NotTakenBy) != 1 || got.NotTakenBy[0]["why"] != "line 1: the header line has unbalanced quotes" {
		t.Errorf("check caddy.log: %s", out)
	}

	table := ltOK(t, ws, append(args, "--check", filepath.Join(examplesDir, "opendns5.csv"))...)
	for _, want := range []string{"format  opendns5", "why     its header (line 1) is detect.header", "records:", "x7f3k2q9.badcdn.example  TXT    NXDOMAIN",
		"skipped:", `11   583  bad time in "timestamp"  03/05/2024 13:07:00`} {
		if !strings.Contains(table, want) {
			t.Errorf("check table lacks %q:\n%s", want, table)
		}
	}

	out, _, err := lt(t, ws, append(args, "--check", filepath.Join(examplesDir, "opendns5.toml"))...)
	if err == nil || !strings.Contains(err.Error(), "unknown format") || !strings.Contains(out, "opendns5  ") {
		t.Errorf("a file no format reads: %v\n%s", err, out)
	}
}

// Captures and event logs are checked in their own units: a capture's
// HTTP requests in a table of their own beside its DNS (they crashed the
// check, in the DNS table's columns), an event log's records counted as
// records. A file nothing reads is the error alone.
func TestFormatsCheckOfCapturesAndEventLogs(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws.db")
	out := ltOK(t, ws, "formats", "--check", sharedSample(t, "pcap", "general", "acandeias", "webattack.pcap"), "--limit", "3")
	for _, want := range []string{"read    ", " packets", "dns records:\npacket  time", "http records:\npacket  time", "content.fordfoundation.org"} {
		if !strings.Contains(out, want) {
			t.Errorf("check of a capture lacks %q:\n%s", want, out)
		}
	}
	out = ltOK(t, ws, "formats", "--check", sharedSample(t, "windows", "evtx", "acandeias_Sec-5-security.evtx"))
	if !strings.Contains(out, " records (the start of the file)") || !strings.Contains(out, "records:\nrecord  time") ||
		strings.Contains(out, "packet") || strings.Contains(out, "skipped:") {
		t.Errorf("check of an event log:\n%s", out)
	}
	notes := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notes, []byte("Dear diary, today I looked at logs.\n"), 0o644)
	out, _, err := lt(t, ws, "formats", "--check", notes)
	if err == nil || out != "" {
		t.Errorf("check of notes: %v, out %q", err, out)
	}
}

// A broken format file stops the commands that read logs with the file,
// the line and the key at fault.
func TestBrokenFormatFile(t *testing.T) {
	dir := userFormats(t)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("name = \"bad\"\nkind = \"dns\"\nlayout = \"csv\"\n[fields]\ntime = 1\nname = 2\nqtype = \"qt\"\n"), 0o644)
	ws := filepath.Join(t.TempDir(), "ws.db")
	for _, args := range [][]string{{"formats"}, {"ingest", filepath.Join(examplesDir, "opendns5.csv")}} {
		_, _, err := lt(t, ws, args...)
		want := bad + `:7: fields.qtype: "qt" is a column name, but the format has no header line (header = true): give its number (1 for the first)`
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", args[0], err, want)
		}
	}
}
