package networks

import (
	"bytes"
	"testing"
)

// FuzzRead feeds the reader one sample of each format, so that mutations
// explore each parser and the detection between them. Whatever comes in,
// Read must not panic, every range must be one family with its first
// address not after its last, and Flatten must make them disjoint.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		"1.1.1.0\t1.1.1.0\t13335\tUS\tCLOUDFLARENET - Cloudflare, Inc.\n1.1.1.1\t1.1.1.1\t7497\tCN\tCSTNET\n0.0.0.0\t0.255.255.255\t0\tNone\tNot routed\n",
		"; IP-ASN32-DAT file\n; Converted on  : Thu Nov 19 19:03:21 2015\n; \n1.0.0.0/24\t15169\n1.0.128.0/17\t9737\n1.0.128.0/18\t9737\n2001:db8::/32\t64500\n",
		`{"15169": "GOOGLE - Google Inc., US", "0": "-Reserved AS-, ZZ", "x": 1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range tab.Ranges {
			if r.First.Is4() != r.Last.Is4() || r.Last.Less(r.First) || r.ASN == 0 {
				t.Fatalf("range %+v", r)
			}
		}
		flat := Flatten(tab.Ranges)
		for i := 1; i < len(flat); i++ {
			if !flat[i-1].Last.Less(flat[i].First) {
				t.Fatalf("ranges %v and %v overlap", flat[i-1], flat[i])
			}
		}
	})
}
