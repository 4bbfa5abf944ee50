package networks

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

func rng(first, last string, asn uint32) Range {
	return Range{First: netip.MustParseAddr(first), Last: netip.MustParseAddr(last), ASN: asn}
}

// TestFlattenLongestPrefix cuts nested prefixes out of the ones around
// them: each address keeps its most specific range.
func TestFlattenLongestPrefix(t *testing.T) {
	got := Flatten([]Range{
		rng("10.0.0.0", "10.255.255.255", 1),       // 10/8
		rng("10.1.0.0", "10.1.255.255", 2),         // 10.1/16 inside it
		rng("10.1.2.0", "10.1.2.255", 3),           // 10.1.2/24 inside that
		rng("10.1.3.0", "10.1.3.255", 2),           // same AS as around it: joined
		rng("255.255.255.0", "255.255.255.255", 4), // the end of the space
		rng("::", "::ffff", 5),
		rng("2001:db8::", "2001:db8::ffff", 6),
	})
	want := []Range{
		rng("10.0.0.0", "10.0.255.255", 1),
		rng("10.1.0.0", "10.1.1.255", 2),
		rng("10.1.2.0", "10.1.2.255", 3),
		rng("10.1.3.0", "10.1.255.255", 2),
		rng("10.2.0.0", "10.255.255.255", 1),
		rng("255.255.255.0", "255.255.255.255", 4),
		rng("::", "::ffff", 5),
		rng("2001:db8::", "2001:db8::ffff", 6),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
}

// TestFlattenMatchesLongestPrefix checks random nested prefixes against
// the definition: for each address, the longest prefix that holds it.
func TestFlattenMatchesLongestPrefix(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var pfx []netip.Prefix
	var rs []Range
	for i := range 200 {
		b := [4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), 0}
		p := netip.PrefixFrom(netip.AddrFrom4(b), 8+r.IntN(17)).Masked()
		pfx = append(pfx, p)
		rs = append(rs, Range{First: p.Addr(), Last: lastOf(p), ASN: uint32(i + 1)})
	}
	asn := map[netip.Prefix]uint32{}
	for i, p := range pfx {
		asn[p] = uint32(i + 1) // a later duplicate wins, as in Flatten
	}
	flat := Flatten(rs)
	for range 5000 {
		a := netip.AddrFrom4([4]byte{10, byte(r.IntN(5)), byte(r.IntN(256)), byte(r.IntN(256))})
		var want uint32
		best := -1
		for _, p := range pfx {
			if p.Contains(a) && p.Bits() > best {
				best, want = p.Bits(), asn[p]
			}
		}
		if got := find(flat, a).ASN; got != want {
			t.Fatalf("%s: AS%d, longest prefix gives AS%d", a, got, want)
		}
	}
	for i := 1; i < len(flat); i++ {
		if !flat[i-1].Last.Less(flat[i].First) {
			t.Fatalf("ranges %v and %v overlap or are out of order", flat[i-1], flat[i])
		}
	}
}
