package hostile

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/hostile")

// Dir is where the fixtures live, from this package's directory.
const Dir = "../../testdata/hostile"

// TestFixturesAreWhatThisPackageWrites keeps the committed fixtures equal
// to what the code above makes of Names (go test -update rewrites them).
func TestFixturesAreWhatThisPackageWrites(t *testing.T) {
	pcap, err := Pcap()
	if err != nil {
		t.Fatal(err)
	}
	web, err := HTTPPcap()
	if err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string][]byte{"dns.pcap": pcap, "http.pcap": web, "zeek-dns.json": ZeekJSON()} {
		path := filepath.Join(Dir, file)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what this package writes (%v): run go test ./internal/hostile -update", path, err)
		}
	}
}
