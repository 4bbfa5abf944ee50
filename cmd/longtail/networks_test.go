package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// networkWorkspace ingests a web log and an sshd log whose clients are in
// documentation ranges, and imports a small routing table and AS names
// that cover some of them.
func networkWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	files := map[string]string{
		"access.log": `192.0.2.10 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 123 "-" "curl/8.0"` + "\n" +
			`192.0.2.10 - - [10/Oct/2024:13:55:37 +0000] "GET /a HTTP/1.1" 200 123 "-" "curl/8.0"` + "\n" +
			`2001:db8::7 - - [10/Oct/2024:13:55:38 +0000] "GET /b HTTP/1.1" 404 0 "-" "curl/8.0"` + "\n" +
			`203.0.113.5 - - [10/Oct/2024:13:55:39 +0000] "GET /c HTTP/1.1" 200 5 "-" "curl/8.0"` + "\n",
		"auth.log": "Sep 30 12:11:33 host sshd[22789]: Invalid user hadoop from 198.51.100.77 port 56762\n" +
			"Sep 30 12:11:34 host sshd[22789]: Failed password for invalid user hadoop from 198.51.100.77 port 56762 ssh2\n",
		"dns.csv": "03/20/2024 10:00:00,two.example,A,300,192.0.2.10\n" +
			"03/20/2024 10:00:01,two.example,A,300,198.51.100.1\n" +
			"03/20/2024 10:00:02,two.example,A,300,192.0.2.11\n" +
			"03/20/2024 10:00:03,dark.example,A,300,203.0.113.1\n",
		"routes.dat":   "; IP-ASN32-DAT file\n192.0.2.0/24\t64500\n198.51.100.0/24\t64501\n2001:db8::/32\t64502\n",
		"asnames.json": `{"64500": "EXAMPLENET - Example Networks, DE", "64501": "DOCNET Doc, FR"}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, errOut, err := lt(t, ws, "ingest", "--no-score", filepath.Join(dir, "access.log"), filepath.Join(dir, "auth.log"), filepath.Join(dir, "dns.csv")); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	out := ltOK(t, ws, "import-asn", filepath.Join(dir, "routes.dat"), filepath.Join(dir, "asnames.json"))
	if !strings.Contains(out, "routes.dat: pyasn, 3 ranges") || !strings.Contains(out, "asnames.json: asnames, 0 ranges, 2 AS names") {
		t.Fatalf("import-asn said %q", out)
	}
	return ws
}

// The client and source lists carry each address's network, in every
// format; an address no table knows has none.
func TestTopShowsNetworks(t *testing.T) {
	ws := networkWorkspace(t)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(ltOK(t, ws, "top", "--kind", "http", "--by", "client", "--format", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	got := map[string][2]any{}
	for _, r := range rows {
		got[r["client"].(string)] = [2]any{r["asn"], r["owner"]}
	}
	want := map[string][2]any{
		"192.0.2.10":  {64500.0, "AS64500 EXAMPLENET DE"},
		"2001:db8::7": {64502.0, "AS64502"},
		"203.0.113.5": {nil, nil},
	}
	for c, w := range want {
		if got[c] != w {
			t.Errorf("%s: %v, want %v", c, got[c], w)
		}
	}
	csv := ltOK(t, ws, "top", "--kind", "logon", "--by", "source", "--format", "csv")
	if head := csvHeader(t, csv); !slices.Contains(head, "asn") || !slices.Contains(head, "owner") {
		t.Errorf("logon sources header %v", head)
	}
	if !strings.Contains(csv, "198.51.100.77,") || !strings.Contains(csv, ",64501,AS64501 DOCNET FR,") {
		t.Errorf("logon sources:\n%s", csv)
	}
	// Other subjects, and groups of addresses, have no such column.
	for _, args := range [][]string{{"--kind", "http", "--by", "path"}, {"--kind", "http", "--by", "client:group"}} {
		if head := csvHeader(t, ltOK(t, ws, append([]string{"top", "--format", "csv"}, args...)...)); slices.Contains(head, "asn") {
			t.Errorf("%v: %v", args, head)
		}
	}
}

func TestASNLookupAndList(t *testing.T) {
	ws := networkWorkspace(t)
	out := ltOK(t, ws, "asn", "lookup", "192.0.2.0", "192.0.2.255", "192.0.3.0", "2001:db8:ffff::1", "--format", "csv")
	want := "address,asn,owner,as_name,country\n" +
		"192.0.2.0,64500,AS64500 EXAMPLENET DE,EXAMPLENET - Example Networks,DE\n" +
		"192.0.2.255,64500,AS64500 EXAMPLENET DE,EXAMPLENET - Example Networks,DE\n" +
		"192.0.3.0,,,,\n" +
		"2001:db8:ffff::1,64502,AS64502,,\n"
	if out != want {
		t.Errorf("lookup:\n%s\nwant\n%s", out, want)
	}
	if _, _, err := lt(t, ws, "asn", "lookup", "not-an-address"); err == nil {
		t.Error("lookup of a name succeeded")
	}
	list := ltOK(t, ws, "asn", "list", "--format", "csv")
	if !strings.Contains(list, "routes.dat,pyasn,") || !strings.Contains(list, "asnames.json,asnames,") {
		t.Errorf("list:\n%s", list)
	}
	if out := ltOK(t, ws, "asn", "clear", "routes.dat"); out != "1 network table removed\n" {
		t.Errorf("clear: %q", out)
	}
	if out := ltOK(t, ws, "asn", "lookup", "192.0.2.0", "--format", "csv"); out != "address,asn,owner,as_name,country\n192.0.2.0,,,,\n" {
		t.Errorf("after clear: %q", out)
	}
}

// A DNS name's answers have networks: the main one and all of them in
// top, each event's beside its answers in events; looked up at query time.
func TestTopAndEventsShowAnswerNetworks(t *testing.T) {
	ws := networkWorkspace(t)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(ltOK(t, ws, "top", "--format", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	got := map[string][3]any{}
	for _, r := range rows {
		got[r["name"].(string)] = [3]any{r["asn"], r["owner"], fmt.Sprint(r["answer_networks"])}
	}
	want := map[string][3]any{
		"two.example":  {64500.0, "AS64500 EXAMPLENET DE", "[AS64500 EXAMPLENET DE AS64501 DOCNET FR]"},
		"dark.example": {nil, nil, "[]"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("top: %v, want %v", got, want)
	}
	// Rolled up, a domain's answers are its names' together.
	if out := ltOK(t, ws, "top", "--by", "domain", "--format", "csv"); !strings.Contains(out, `,64500,AS64500 EXAMPLENET DE,"AS64500 EXAMPLENET DE,AS64501 DOCNET FR",`) {
		t.Errorf("top --by domain:\n%s", out)
	}
	out := ltOK(t, ws, "events", "two.example", "--format", "csv")
	if head := csvHeader(t, out); !slices.Equal(head[3:6], []string{"rcode", "answers", "answer_networks"}) {
		t.Errorf("events header %v", head)
	}
	if !strings.Contains(out, ",198.51.100.1,AS64501 DOCNET FR,") {
		t.Errorf("events:\n%s", out)
	}
}

// top --hide-asn leaves out the names whose answers are all in the ASNs
// named, as the screen's filter does; a bad number is refused.
func TestTopHideASN(t *testing.T) {
	ws := networkWorkspace(t)
	names := func(args ...string) []string {
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(ltOK(t, ws, append([]string{"top", "--format", "csv"}, args...)...)), "\n")[1:] {
			out = append(out, strings.Split(l, ",")[4])
		}
		return out
	}
	if got := names("--hide-asn", "AS64500"); !slices.Equal(got, []string{"two.example", "dark.example"}) {
		t.Errorf("two.example has an answer outside AS64500: %v", got)
	}
	if got := names("--hide-asn", "64501,as64500"); !slices.Equal(got, []string{"dark.example"}) {
		t.Errorf("hiding both: %v", got)
	}
	if _, errOut, err := lt(t, ws, "top", "--hide-asn", "google"); err == nil || !strings.Contains(errOut+err.Error(), "not an AS number") {
		t.Errorf("a bad ASN: %v %s", err, errOut)
	}
}

// top --by asn|owner|country counts a kind's addressed subject per
// network; top --asn pivots to the names or clients of one.
func TestTopByNetworkAndPivot(t *testing.T) {
	ws := networkWorkspace(t)
	want := map[string]string{
		"--kind dns --by asn": "asn,as_name,country,names,events,clients,asns,top\n" +
			"AS64500,EXAMPLENET - Example Networks,DE,1,3,0,64500,two.example\n" +
			"AS64501,DOCNET Doc,FR,1,3,0,64501,two.example\n",
		"--kind http --by owner": "owner,addresses,events,clients,asns,top\n" +
			"EXAMPLENET,1,2,1,64500,192.0.2.10\n" +
			"AS64502,1,1,1,64502,2001:db8::7\n",
		"--kind logon --by country": "country,addresses,events,clients,asns,top\n" +
			"FR,1,2,1,64501,198.51.100.77\n",
	}
	for args, w := range want {
		if got := ltOK(t, ws, append([]string{"top", "--format", "csv"}, strings.Fields(args)...)...); got != w {
			t.Errorf("top %s:\n%s\nwant\n%s", args, got, w)
		}
	}
	out := ltOK(t, ws, "top", "--kind", "http", "--by", "client", "--asn", "AS64500", "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "192.0.2.10") {
		t.Errorf("the clients of AS64500:\n%s", out)
	}
	if got := ltOK(t, ws, "top", "--asn", "64501", "--format", "csv"); !strings.Contains(got, "two.example") || strings.Contains(got, "dark.example") {
		t.Errorf("the names of AS64501:\n%s", got)
	}
}
