package networks

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
)

func nw(asn uint32, name, country string) Network {
	return Network{ASN: asn, Name: name, Country: country}
}

func openTemp(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "ws.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// importText writes text to a file called name and imports it.
func importText(t *testing.T, d *db.DB, name, text string, at time.Time) db.NetSource {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Import(context.Background(), d, path, at)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const (
	routes = "; IP-ASN32-DAT file\n" +
		"10.0.0.0/8\t64500\n" + // around
		"10.1.0.0/16\t64501\n" + // nested
		"192.0.2.0/24\t64502\n" +
		"2001:db8::/32\t64503\n" +
		"2001:db8:1::/48\t64504\n"
	asNames = `{"64500": "BIGNET - Big Net, DE", "64501": "SUBNET Sub, FR", "64503": "SIXNET - Six, NL"}`
	ranges  = "198.51.100.0\t198.51.100.127\t64510\tUS\tTESTNET - Test Net\n" +
		"198.51.100.128\t198.51.100.255\t0\tNone\tNot routed\n" +
		"10.1.2.0\t10.1.2.255\t64511\tJP\tOVERRIDE - newer data\n"
)

// lookupBoth answers with a range query per address and with the table in
// memory, and fails when they differ.
func lookupBoth(t *testing.T, d *db.DB, addrs ...string) []Network {
	t.Helper()
	ctx := context.Background()
	as := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		as[i] = netip.MustParseAddr(a)
	}
	bySQL, err := d.NetworksOf(ctx, as)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Load(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range as {
		if m := tab.Of(a); m != bySQL[i] {
			t.Errorf("%s: in memory %+v, by SQL %+v", a, m, bySQL[i])
		}
	}
	return bySQL
}

func TestLookupEdges(t *testing.T) {
	d := openTemp(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if s := importText(t, d, "routes.dat", routes, t0); s.Ranges != 7 || s.Format != "pyasn" {
		t.Fatalf("routes: %+v", s) // 10/8 cut in two around 10.1/16, 2001:db8::/32 in two around the /48
	}
	importText(t, d, "names.json", asNames, t0.Add(time.Second))
	cases := map[string]Network{
		"10.0.0.0":        nw(64500, "BIGNET - Big Net", "DE"), // first address of a range
		"10.0.255.255":    nw(64500, "BIGNET - Big Net", "DE"), // last before the nested one
		"10.1.0.0":        nw(64501, "SUBNET Sub", "FR"),       // first of the nested one
		"10.1.255.255":    nw(64501, "SUBNET Sub", "FR"),       // its last
		"10.2.0.0":        nw(64500, "BIGNET - Big Net", "DE"), // the outer one again
		"10.255.255.255":  nw(64500, "BIGNET - Big Net", "DE"), // its last
		"11.0.0.0":        {},                                  // between ranges
		"9.255.255.255":   {},                                  // before the first
		"192.0.2.255":     nw(64502, "", ""),                   // no name known
		"193.0.0.0":       {},                                  // after the last v4
		"2001:db8::":      nw(64503, "SIXNET - Six", "NL"),
		"2001:db8:1::1":   nw(64504, "", ""),
		"2001:db8:ffff::": nw(64503, "SIXNET - Six", "NL"),
		"2001:db9::":      {},
		"::ffff:10.1.0.1": nw(64501, "SUBNET Sub", "FR"), // a mapped IPv4 is the IPv4
	}
	for a, want := range cases {
		if got := lookupBoth(t, d, a)[0]; got != want {
			t.Errorf("%s: %+v, want %+v", a, got, want)
		}
	}
	// A later import answers first where it has a range; the earlier one
	// answers elsewhere.
	importText(t, d, "iptoasn.tsv", ranges, t0.Add(2*time.Second))
	for a, want := range map[string]Network{
		"10.1.2.0":       nw(64511, "OVERRIDE - newer data", "JP"),
		"10.1.3.0":       nw(64501, "SUBNET Sub", "FR"),
		"198.51.100.127": nw(64510, "TESTNET - Test Net", "US"),
		"198.51.100.128": {}, // not routed
	} {
		if got := lookupBoth(t, d, a)[0]; got != want {
			t.Errorf("%s: %+v, want %+v", a, got, want)
		}
	}
	if s := Short(lookupBoth(t, d, "10.0.0.1")[0]); s != "AS64500 BIGNET DE" {
		t.Errorf("Short: %q", s)
	}
}

// TestReimportReplaces imports a file of the same name twice: the second
// one's ranges and names replace the first's.
func TestReimportReplaces(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	importText(t, d, "routes.dat", routes, t0)
	importText(t, d, "names.json", asNames, t0)
	importText(t, d, "routes.dat", "192.0.2.0/25\t64599\n", t0.Add(time.Hour))
	importText(t, d, "names.json", `{"64599": "NEWNET - New, SE"}`, t0.Add(time.Hour))
	srcs, err := d.NetSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Ranges+srcs[1].Ranges != 1 || srcs[0].Names+srcs[1].Names != 1 {
		t.Fatalf("sources after re-import: %+v", srcs)
	}
	got := lookupBoth(t, d, "10.0.0.1", "192.0.2.0", "192.0.2.128")
	want := []Network{{}, nw(64599, "NEWNET - New", "SE"), {}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if n, err := d.ClearNetworks(ctx, "routes.dat"); err != nil || n != 1 {
		t.Fatalf("clear: %d, %v", n, err)
	}
	if got := lookupBoth(t, d, "192.0.2.0")[0]; got != (Network{}) {
		t.Errorf("after clear: %+v", got)
	}
}

// TestOfValues annotates a list's values: what is not an address, or not
// in any range, is left out; many values take the table in memory.
func TestOfValues(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	importText(t, d, "routes.dat", routes, time.Now())
	vals := []string{"10.1.0.1", "WORKSTATION7", "-", "11.0.0.1", "2001:db8::1"}
	for len(vals) < ManyAt+10 {
		vals = append(vals, netip.AddrFrom4([4]byte{192, 0, 2, byte(len(vals))}).String())
	}
	for _, n := range []int{5, len(vals)} {
		got, err := Of(ctx, d, vals[:n])
		if err != nil {
			t.Fatal(err)
		}
		if got["10.1.0.1"].ASN != 64501 || got["2001:db8::1"].ASN != 64503 {
			t.Errorf("%d values: %+v", n, got)
		}
		for _, v := range []string{"WORKSTATION7", "-", "11.0.0.1"} {
			if _, ok := got[v]; ok {
				t.Errorf("%d values: %q annotated", n, v)
			}
		}
	}
}
