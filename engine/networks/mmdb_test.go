package networks

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeMMDB writes a small GeoLite2-ASN-shaped database: none ships with
// the samples.
func writeMMDB(t *testing.T, records map[string]mmdbtype.Map) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", RecordSize: 24, IPVersion: 6, IncludeReservedNetworks: true,
		BuildEpoch: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	// Wider networks first: a narrower one inserted after cuts itself out.
	for _, cidr := range []string{"10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"} {
		rec, ok := records[cidr]
		if !ok {
			continue
		}
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(n, rec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "GeoLite2-ASN.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}

func asRecord(asn uint32, org string) mmdbtype.Map {
	return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(asn), "autonomous_system_organization": mmdbtype.String(org)}
}

// TestImportMMDB reads a MaxMind DB by its content (whatever its name),
// IPv4 and IPv6, and looks addresses up at the edges of its networks.
func TestImportMMDB(t *testing.T) {
	withCountry := asRecord(64502, "TESTNET-3 Test Three")
	withCountry["country"] = mmdbtype.Map{"iso_code": mmdbtype.String("SE")}
	path := writeMMDB(t, map[string]mmdbtype.Map{
		"10.0.0.0/8":      asRecord(64500, "BIGNET Big"),
		"10.1.0.0/16":     asRecord(64501, "SUBNET Sub"),
		"192.0.2.0/24":    withCountry,
		"198.51.100.0/24": {"country": mmdbtype.Map{"iso_code": mmdbtype.String("FR")}}, // no AS: skipped
		"2001:db8::/32":   asRecord(64503, "SIXNET Six"),
	})
	renamed := filepath.Join(t.TempDir(), "asn.data")
	if err := os.Rename(path, renamed); err != nil {
		t.Fatal(err)
	}
	d := openTemp(t)
	s, err := Import(context.Background(), d, renamed, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != "mmdb" || s.Ranges != 5 || s.Names != 4 || s.Skipped != 1 || s.Dated != "2026-11-03" {
		t.Errorf("imported %+v", s) // 10/8 in two around 10.1/16
	}
	for a, want := range map[string]Network{
		"10.0.0.0":             nw(64500, "BIGNET Big", ""),
		"10.0.255.255":         nw(64500, "BIGNET Big", ""),
		"10.1.0.0":             nw(64501, "SUBNET Sub", ""),
		"10.1.255.255":         nw(64501, "SUBNET Sub", ""),
		"10.2.0.0":             nw(64500, "BIGNET Big", ""),
		"11.0.0.0":             {},
		"192.0.2.255":          nw(64502, "TESTNET-3 Test Three", "SE"),
		"198.51.100.1":         {},
		"2001:db8:ffff:ffff::": nw(64503, "SIXNET Six", ""),
		"2001:db9::":           {},
		"::ffff:192.0.2.1":     nw(64502, "TESTNET-3 Test Three", "SE"),
	} {
		if got := lookupBoth(t, d, a)[0]; got != want {
			t.Errorf("%s: %+v, want %+v", a, got, want)
		}
	}
}

// A MaxMind DB without autonomous systems (a country database) is refused
// with the reason, not imported empty.
func TestImportMMDBWithoutASN(t *testing.T) {
	path := writeMMDB(t, map[string]mmdbtype.Map{"192.0.2.0/24": {"country": mmdbtype.Map{"iso_code": mmdbtype.String("FR")}}})
	if _, err := Import(context.Background(), openTemp(t), path, time.Now()); err == nil {
		t.Fatal("a country database imported")
	}
}
