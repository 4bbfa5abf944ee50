package networks

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
)

// benchWorkspace imports the real routeviews dump (v4 and v6) and AS names.
func benchWorkspace(b *testing.B) *db.DB {
	dir := referenceDir(b)
	d, err := db.Open(filepath.Join(b.TempDir(), "ws.db"), db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	for _, f := range []string{"pyasn_asnames.json.gz", "pyasn_routeviews_ipasn_v4v6_20151101.dat.gz"} {
		if _, err := Import(context.Background(), d, filepath.Join(dir, f), time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

func randomAddrs(n int) []netip.Addr {
	r := rand.New(rand.NewPCG(3, 4))
	out := make([]netip.Addr, n)
	for i := range out {
		out[i] = netip.AddrFrom4([4]byte{byte(1 + r.IntN(222)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
	}
	return out
}

// BenchmarkLookupSQL is a range query per address, 1000 addresses an op.
func BenchmarkLookupSQL(b *testing.B) {
	d := benchWorkspace(b)
	addrs := randomAddrs(1000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.NetworksOf(context.Background(), addrs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(addrs)), "ns/addr")
}

// BenchmarkLoadTable is loading every range and AS name into memory once.
func BenchmarkLoadTable(b *testing.B) {
	d := benchWorkspace(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Load(context.Background(), d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupTable is a binary search per address in the loaded table.
func BenchmarkLookupTable(b *testing.B) {
	d := benchWorkspace(b)
	t, err := Load(context.Background(), d)
	if err != nil {
		b.Fatal(err)
	}
	addrs := randomAddrs(100_000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t.Of(addrs[i%len(addrs)])
	}
}

// BenchmarkOf100kClients annotates 100k distinct clients the way a list does.
func BenchmarkOf100kClients(b *testing.B) {
	d := benchWorkspace(b)
	addrs := randomAddrs(100_000)
	vals := make([]string, len(addrs))
	for i, a := range addrs {
		vals[i] = a.String()
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Of(context.Background(), d, vals); err != nil {
			b.Fatal(err)
		}
	}
}
