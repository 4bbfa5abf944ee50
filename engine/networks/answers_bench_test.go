package networks_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
)

// BenchmarkOfNamesList is what a DNS list pays for its network column:
// the networks of the answers of every name of the benchmark workspace
// (testws.BenchLines events, a private copy) against the 2015 routeviews
// dump and its AS names: one read of the DNS events, each distinct answer
// list read once and each distinct address looked up once.
func BenchmarkOfNamesList(b *testing.B) {
	ref := networks.ReferenceDirForTest(b)
	ctx := context.Background()
	d, err := db.Open(testws.Copy(b, testws.BenchLines(b)), db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	for _, f := range []string{"pyasn_asnames.json.gz", "pyasn_routeviews_ipasn_v4v6_20151101.dat.gz"} {
		if _, err := networks.Import(ctx, d, filepath.Join(ref, f), time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	names, err := d.AllNames(ctx, subject.DNSName)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var known int
	for b.Loop() {
		sets, err := networks.OfNames(ctx, d, nil)
		if err != nil {
			b.Fatal(err)
		}
		known = len(sets)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(names)), "ns/name")
	b.ReportMetric(float64(known), "names-with-network")
}
