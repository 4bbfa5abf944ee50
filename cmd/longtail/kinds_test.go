package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/gen"
)

// webWorkspace is a workspace holding a generated access log.
func webWorkspace(t *testing.T, lines int64) (string, gen.HTTPTruth) {
	t.Helper()
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := gen.WriteHTTP(f, gen.Options{Lines: lines, Seed: 2})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(dir, "ws.db")
	ltOK(t, ws, "ingest", "--no-score", log)
	return ws, truth
}

// top, events and rules take the kind and subject, and answer from the
// same engine as the screen.
func TestHeadlessKinds(t *testing.T) {
	ws, truth := webWorkspace(t, 5000)
	var agents []map[string]any
	if err := json.Unmarshal([]byte(ltOK(t, ws, "top", "--kind", "http", "--by", "ua", "--format", "json", "--limit", "0")), &agents); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range agents {
		if a["user_agent"] == truth.ScannerAgent {
			found = a["count"] == float64(truth.ScannerPaths) && a["family"] == "zgrab" && a["kind"] == "http.ua"
		}
	}
	if !found {
		t.Errorf("the scanner's agent is not listed with its %d requests and family: %v", truth.ScannerPaths, agents)
	}
	fam := ltOK(t, ws, "top", "--kind", "http", "--by", "ua:group", "--format", "csv")
	if !strings.HasPrefix(fam, "count,clients,names,first_seen,last_seen,family,") || !strings.Contains(fam, ",zgrab,") {
		t.Errorf("families:\n%s", fam)
	}
	evs := ltOK(t, ws, "events", "--kind", "http", "--by", "path", truth.WebshellPath, "--format", "csv")
	if !strings.HasPrefix(evs, "time,client,method,host,target,status,bytes,user_agent,referer,source,line,offset\n") ||
		strings.Count(evs, ","+truth.WebshellClient+",POST,") != 12 {
		t.Errorf("the webshell's requests:\n%s", evs)
	}
	if _, errOut, err := lt(t, ws, "top", "--kind", "dns", "--by", "ua"); err == nil || !strings.Contains(errOut+err.Error(), "dns has no subject") {
		t.Errorf("--by ua on dns: %v %s", err, errOut)
	}

	// A rule for a user agent and one for a DNS name: each keeps its kind
	// through list and export; a resolver's format carries only host names.
	if out := ltOK(t, ws, "rules", "add", "--kind", "http", "--by", "ua", truth.ScannerAgent, "--verdict", "bad"); !strings.Contains(out, "covers 1 user agent, ") {
		t.Errorf("rules add of a user agent says what it covers in names:\n%s", out)
	}
	ltOK(t, ws, "rules", "add", "evil.example", "--verdict", "bad")
	list := ltOK(t, ws, "rules", "list", "--format", "csv")
	if !strings.Contains(list, ","+truth.ScannerAgent+",name,bad,") || !strings.Contains(list, ",http.ua\n") || !strings.Contains(list, ",dns.name\n") {
		t.Errorf("rules list:\n%s", list)
	}
	out, errOut, err := lt(t, ws, "export", "--format", "plain")
	if err != nil || strings.Contains(out, "\n"+truth.ScannerAgent) || !strings.Contains(out, "\nevil.example\n") ||
		!strings.Contains(errOut, "only csv and json carry it") {
		t.Errorf("plain export: %v\nout %s\nerr %s", err, out, errOut)
	}
	csv := ltOK(t, ws, "export", "--format", "csv", "--kind", "http")
	if strings.Contains(csv, "evil.example") || !strings.Contains(csv, "zgrab") || !strings.Contains(csv, ",http.ua\n") {
		t.Errorf("csv export of http rules:\n%s", csv)
	}
	// And back: the rule imported into another workspace is still a rule
	// for user agents.
	file := filepath.Join(t.TempDir(), "rules.csv")
	os.WriteFile(file, []byte(csv), 0o644)
	other, _ := webWorkspace(t, 100)
	ltOK(t, other, "import-list", file)
	if back := ltOK(t, other, "rules", "list", "--format", "csv"); !strings.Contains(back, ",http.ua\n") {
		t.Errorf("imported:\n%s", back)
	}
}
