package lists

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func benchmarkStream(b *testing.B, data []byte, want int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if _, err := Stream(bytes.NewReader(data), func(Entry) error { n++; return nil }); err != nil || n != want {
			b.Fatalf("%d entries, %v", n, err)
		}
	}
}

// BenchmarkStreamUmbrella100k reads the real Umbrella top-100k list.
func BenchmarkStreamUmbrella100k(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(referenceDir(b), "umbrella-top-100k.txt"))
	if err != nil {
		b.Fatal(err)
	}
	benchmarkStream(b, data, 100000)
}

// millionRankList is a Tranco-shaped list of 1M "rank,name" lines.
func millionRankList() []byte {
	var buf bytes.Buffer
	for i := 1; i <= 1_000_000; i++ {
		fmt.Fprintf(&buf, "%d,site%d.example%d.com\n", i, i, i%1000)
	}
	return buf.Bytes()
}

func BenchmarkStream1MRankList(b *testing.B) {
	benchmarkStream(b, millionRankList(), 1_000_000)
}

// BenchmarkRead1MRankList collects all entries, as Read does.
func BenchmarkRead1MRankList(b *testing.B) {
	data := millionRankList()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if l, err := Read(bytes.NewReader(data)); err != nil || len(l.Entries) != 1_000_000 {
			b.Fatalf("%d entries, %v", len(l.Entries), err)
		}
	}
}
