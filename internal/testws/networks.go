package testws

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
)

// answerLog is a DNS log whose names answer in the networks of answerRoutes:
// a domain's names in one network, a CDN's, a name whose answers are in
// two, one in no known network.
var answerLog = []struct {
	name    string
	n       int
	answers []string
}{
	{"www.example.com", 30, []string{"192.0.2.10"}},
	{"img.cdn.example.net", 24, []string{"198.51.100.1", "198.51.100.2"}},
	{"js.cdn.example.net", 20, []string{"198.51.100.3"}},
	{"mail.example.com", 12, []string{"192.0.2.11"}},
	{"mixed.example.org", 10, []string{"192.0.2.20", "203.0.113.5"}},
	{"plain.example.net", 5, []string{"203.0.113.9"}},
	{"nowhere.test", 3, []string{"100.64.0.1"}},
}

const answerRoutes = "; IP-ASN32-DAT file\n192.0.2.0/24\t64500\n198.51.100.0/24\t64501\n203.0.113.0/24\t64502\n"

const answerNames = `{"64500": "EXAMPLENET - Example Networks, DE", "64501": "BIGCDN - Big CDN, US", "64502": "DROPLETS - Hosting, NL"}`

// AnswerNetworks opens a new workspace holding answerLog, with
// answerRoutes and its AS names imported.
func AnswerNetworks(tb testing.TB) *db.DB {
	tb.Helper()
	var b strings.Builder
	for i, l := range answerLog {
		for j := range l.n {
			fmt.Fprintf(&b, "03/20/2024 %02d:%02d:%02d,%s,A,300,%s\n", i, j/60, j%60, l.name, l.answers[j%len(l.answers)])
		}
	}
	d := Text(tb, b.String())
	ImportNetworks(tb, d, map[string]string{"routes.dat": answerRoutes, "asnames.json": answerNames})
	return d
}

// ImportNetworks writes each text to a file of its name and imports them
// as AS tables (engine/networks), in the order of their names.
func ImportNetworks(tb testing.TB, d *db.DB, files map[string]string) {
	tb.Helper()
	dir := tb.TempDir()
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(files[name]), 0o600); err != nil {
			tb.Fatal(err)
		}
		if _, err := networks.Import(context.Background(), d, path, time.Now()); err != nil {
			tb.Fatal(err)
		}
	}
}
