package categories

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
)

// benchWorkspace imports the UT1 lists shipped here (369k names in 64
// categories) and returns names to look up: one in ten listed (as
// www.NAME, so that its parent answers), the rest not.
func benchWorkspace(b *testing.B, n int) (*db.DB, []string) {
	dir := ut1Dir(b)
	d, err := db.Open(filepath.Join(b.TempDir(), "ws.db"), db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if _, err := Import(context.Background(), d, dir, Options{Origin: "ut1", Now: time.Now()}); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "shopping.domains"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var listed []string
	for s := bufio.NewScanner(f); s.Scan(); {
		listed = append(listed, s.Text())
	}
	r := rand.New(rand.NewPCG(5, 6))
	names := make([]string, n)
	for i := range names {
		if i%10 == 0 {
			names[i] = "www." + listed[r.IntN(len(listed))]
		} else {
			names[i] = "host.n" + strconv.FormatUint(r.Uint64(), 36) + ".example.net"
		}
	}
	return d, names
}

// BenchmarkLookupKey is a primary-key query per distinct name and
// parent, for 1000 names an op (about 3 keys a name).
func BenchmarkLookupKey(b *testing.B) {
	d, names := benchWorkspace(b, 1000)
	keys := 0
	b.ResetTimer()
	for b.Loop() {
		want := wanted(names)
		keys = len(want)
		if err := byKey(context.Background(), d, want); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*keys), "ns/key")
}

// BenchmarkLookupScan is one pass over every stored name, the wanted
// names in a set.
func BenchmarkLookupScan(b *testing.B) {
	d, names := benchWorkspace(b, 1000)
	stored, _ := d.CategorisedNames(context.Background())
	b.ResetTimer()
	for b.Loop() {
		if err := byScan(context.Background(), d, wanted(names)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(stored), "ns/row")
}

// BenchmarkOf is a list's lookup of 100k distinct names, Of choosing the
// way.
func BenchmarkOf(b *testing.B) {
	d, names := benchWorkspace(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Of(context.Background(), d, names); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(names)), "ns/name")
}
