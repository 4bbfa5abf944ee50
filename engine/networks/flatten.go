package networks

import (
	"net/netip"
	"slices"
)

// Flatten turns ranges that may nest (a routing table's prefixes: a /24
// announced inside a /16) into disjoint ranges in address order, where an
// address keeps the range that holds it most narrowly: the longest-prefix
// match a router makes. Adjacent pieces of the same network are joined.
// The range of an address is then the one with the greatest first address
// not above it, which a sorted table or an index answers at once.
func Flatten(rs []Range) []Range {
	slices.SortStableFunc(rs, func(a, b Range) int {
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		return b.Last.Compare(a.Last) // the wider first: it holds the narrower
	})
	f := flattener{}
	for _, p := range rs {
		f.push(p)
	}
	f.popUntil(netip.Addr{})
	return f.out
}

// flattener sweeps the ranges in order with a stack of the ranges still
// open, each inside the one below it; cur is the next address not yet
// given to a piece (invalid past the end of the address space).
type flattener struct {
	out   []Range
	stack []Range
	cur   netip.Addr
}

func (f *flattener) push(p Range) {
	f.popUntil(p.First)
	if n := len(f.stack); n > 0 {
		f.emit(f.stack[n-1], p.First.Prev())
	}
	f.cur = p.First
	f.stack = append(f.stack, p)
}

// popUntil closes the open ranges that end before addr (all of them when
// addr is invalid), giving each what is left of it.
func (f *flattener) popUntil(addr netip.Addr) {
	for n := len(f.stack); n > 0 && (!addr.IsValid() || f.stack[n-1].Last.Less(addr)); n = len(f.stack) {
		top := f.stack[n-1]
		f.stack = f.stack[:n-1]
		f.emit(top, top.Last)
	}
}

// emit gives [cur, last] to r's network, when that is not empty.
func (f *flattener) emit(r Range, last netip.Addr) {
	if !f.cur.IsValid() || !last.IsValid() || last.Less(f.cur) {
		return
	}
	if n := len(f.out); n > 0 && f.out[n-1].ASN == r.ASN && f.out[n-1].Country == r.Country && f.out[n-1].Last.Next() == f.cur {
		f.out[n-1].Last = last
	} else {
		f.out = append(f.out, Range{First: f.cur, Last: last, ASN: r.ASN, Country: r.Country})
	}
	f.cur = last.Next()
}
