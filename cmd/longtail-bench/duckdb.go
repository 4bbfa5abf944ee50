package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// DuckDB's bare GROUP BY over the same CSV, through npm's @duckdb/node-api
// and a few lines of Node (the reference: 3.3 s and 310 MB for the
// 20M lines). The package lives in bench-out/duckdb (`make bench` installs
// it there when npm is present); without node or the package the case is
// skipped with one line.

// duckdbScript groups the CSV given as its argument by name and prints
// "lines distinct". The outer count keeps the result out of JavaScript:
// what is measured is DuckDB's reading and grouping.
const duckdbScript = `const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const file = process.argv[2].replaceAll("'", "''");
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const reader = await con.runAndReadAll(
    "SELECT sum(n) AS lines, count(*) AS names FROM (SELECT qname, count(*) AS n FROM read_csv('" + file +
    "', header = false, delim = ',', quote = '', escape = '', " +
    "columns = {'ts': 'VARCHAR', 'qname': 'VARCHAR', 'qtype': 'VARCHAR', 'ttl': 'VARCHAR', 'answer': 'VARCHAR'}) GROUP BY 1)");
  const [lines, names] = reader.getRows()[0];
  console.log(String(lines), String(names));
})().catch((e) => { console.error(e.message); process.exit(1); });
`

// duckdb times the GROUP BY on logPath, checks its counts against the
// floor's ("lines distinct") and sets longtail's first load against it.
func duckdb(dir, logPath, floorCounts string, first time.Duration) error {
	pkg := filepath.Join(dir, "duckdb")
	if _, err := exec.LookPath("node"); err != nil {
		fmt.Println("\nDuckDB: node not installed, skipped")
		return nil
	}
	if _, err := os.Stat(filepath.Join(pkg, "node_modules", "@duckdb", "node-api")); err != nil {
		fmt.Printf("\nDuckDB: @duckdb/node-api not in %s, skipped (npm install --prefix %s @duckdb/node-api)\n", pkg, pkg)
		return nil
	}
	script := filepath.Join(pkg, "groupby.js") // beside node_modules, where require looks
	if err := os.WriteFile(script, []byte(duckdbScript), 0o644); err != nil {
		return err
	}
	var out strings.Builder
	cmd := exec.Command("node", script, logPath)
	cmd.Stdout = &out
	wall, rss, err := timedCmd(cmd)
	if err != nil {
		return fmt.Errorf("DuckDB: %w", err)
	}
	counts := strings.TrimSpace(out.String())
	fmt.Printf("\nDuckDB (%s; SELECT qname, count(*) … GROUP BY 1 on the CSV)\n", duckdbVersion(pkg))
	fmt.Printf("  wall            %8.2f s\n", wall.Seconds())
	fmt.Printf("  peak RSS        %8.0f MB\n", float64(rss)/1e6)
	if counts != floorCounts {
		fmt.Printf("  lines and names %s, the floor's %s: they differ\n", counts, floorCounts)
	}
	meet("first load ÷ DuckDB GROUP BY", ratio(first.Seconds()/wall.Seconds()), "≤ 3×", first <= 3*wall)
	return nil
}

// duckdbVersion is the installed package's name and version.
func duckdbVersion(pkg string) string {
	var p struct{ Version string }
	b, err := os.ReadFile(filepath.Join(pkg, "node_modules", "@duckdb", "node-api", "package.json"))
	if err == nil && json.Unmarshal(b, &p) == nil && p.Version != "" {
		return "@duckdb/node-api " + p.Version
	}
	return "@duckdb/node-api"
}
