package networks_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
)

// awkV4 turns a dotted IPv4 address into a number, for the awk programs
// that find an address's AS in the reference tables independently.
const awkV4 = `function n(a, p) { split(a, p, "."); return ((p[1]*256 + p[2])*256 + p[3])*256 + p[4] } `

// awkASN is the AS number of a v4 address by a second tool: the most
// specific prefix of the pyasn dump that holds it, unless a range of the
// iptoasn table (imported later, so it answers) does.
func awkASN(t *testing.T, ref, addr string) uint32 {
	t.Helper()
	iptoasn := fmt.Sprintf(`awk -F'\t' -v ip=%s '%s BEGIN { x = n(ip) } n($1) <= x && x <= n($2) { a = $3 } END { print a + 0 }' %s`,
		addr, awkV4, filepath.Join(ref, "iptoasn_subset_ip2asn-v4.tsv"))
	if asn := networks.CountForTest(t, iptoasn); asn != 0 {
		return uint32(asn)
	}
	pyasn := fmt.Sprintf(`zcat %s | awk -F'\t' -v ip=%s '%s BEGIN { x = n(ip) } !/^;/ && $1 !~ /:/ { split($1, c, "/"); s = n(c[1]); `+
		`if (s <= x && x <= s + 2^(32 - c[2]) - 1 && c[2] + 0 > best) { best = c[2] + 0; a = $2 } } END { print a + 0 }'`,
		filepath.Join(ref, "pyasn_routeviews_ipasn_v4v6_20151101.dat.gz"), addr, awkV4)
	return uint32(networks.CountForTest(t, pyasn))
}

// The networks of a name's answers, against the real reference tables:
// each answer address's AS as awk finds it in the same files, grouped per
// name, the AS holding most of its addresses first.
func TestAnswerNetworksOfReferenceTables(t *testing.T) {
	ref := networks.ReferenceDirForTest(t)
	ctx := context.Background()
	d := testws.Text(t, "03/20/2024 10:00:00,dns.google,A,300,8.8.8.8\n"+
		"03/20/2024 10:00:01,dns.google,A,300,8.8.4.4\n"+
		"03/20/2024 10:00:02,one.example,A,300,1.1.1.1\n"+
		"03/20/2024 10:00:03,one.example,A,300,1.1.1.2\n"+
		"03/20/2024 10:00:04,www.cpp.example,A,300,134.71.3.16\n"+
		"03/20/2024 10:00:05,doc.example,A,300,192.0.2.1\n")
	sets, err := networks.OfNames(ctx, d, nil)
	if err != nil || sets != nil {
		t.Fatalf("without a table: %v, %v", sets, err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, f := range []string{"pyasn_routeviews_ipasn_v4v6_20151101.dat.gz", "pyasn_asnames.json.gz", "iptoasn_subset_ip2asn-v4.tsv"} {
		if _, err := networks.Import(ctx, d, filepath.Join(ref, f), at.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]uint32{
		"dns.google":      {awkASN(t, ref, "8.8.8.8")},
		"www.cpp.example": {awkASN(t, ref, "134.71.3.16")},
		"doc.example":     {awkASN(t, ref, "192.0.2.1")}, // routed in 2015: a /32 within a /24
	}
	if a, b := awkASN(t, ref, "1.1.1.1"), awkASN(t, ref, "1.1.1.2"); a == b || a == 0 || b == 0 {
		t.Fatalf("the iptoasn sample changed: 1.1.1.1 in AS%d, 1.1.1.2 in AS%d", a, b)
	} else {
		want["one.example"] = []uint32{min(a, b), max(a, b)} // one address each: by AS number
	}
	if got := awkASN(t, ref, "8.8.4.4"); got != want["dns.google"][0] {
		t.Fatalf("8.8.4.4 in AS%d, 8.8.8.8 in AS%d", got, want["dns.google"][0])
	}
	sets, err = networks.OfNames(ctx, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]uint32{}
	for _, n := range names(t, d) {
		if s, ok := sets[n.ID]; ok {
			got[n.Name] = s.ASNs()
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answer networks %v, awk says %v", got, want)
	}
	google := sets[nameID(t, d, "dns.google")]
	if len(google) != 1 || google[0].Addrs != 2 || google.Short() != "AS15169 GOOGLE US" {
		t.Errorf("dns.google: %+v %q", google, google.Short())
	}
	if s := sets[nameID(t, d, "one.example")].Short(); s != fmt.Sprintf("AS%d CSTNET-AS-AP CN +1", want["one.example"][0]) {
		t.Errorf("one.example: %q", s)
	}
	// Asked about one name, the others are not read.
	only, err := networks.OfNames(ctx, d, []uint32{nameID(t, d, "dns.google")})
	if err != nil || len(only) != 1 || !reflect.DeepEqual(only[nameID(t, d, "dns.google")], google) {
		t.Errorf("one name: %v, %v", only, err)
	}
}

func names(t *testing.T, d *db.DB) []db.NameRow {
	t.Helper()
	ns, err := d.AllNames(context.Background(), subject.DNSName)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func nameID(t *testing.T, d *db.DB, name string) uint32 {
	t.Helper()
	for _, n := range names(t, d) {
		if n.Name == name {
			return n.ID
		}
	}
	t.Fatalf("no name %s", name)
	return 0
}

func TestAnswerAddrsAndSets(t *testing.T) {
	if got := networks.AnswerAddrs("cdn.example.net, 192.0.2.1,2001:db8::1,192.0.2.1,v=spf1 -all"); !reflect.DeepEqual(got, []string{"192.0.2.1", "2001:db8::1"}) {
		t.Errorf("AnswerAddrs: %v", got)
	}
	nets := map[string]networks.Network{"a": nw(2, "TWO", ""), "b": nw(1, "ONE", "FR"), "c": nw(1, "ONE", "FR")}
	s := networks.SetOf([]string{"a", "b", "c", "unknown"}, nets)
	if s.Short() != "AS1 ONE FR +1" || !reflect.DeepEqual(s.ASNs(), []uint32{1, 2}) || s[0].Addrs != 2 {
		t.Errorf("SetOf: %+v", s)
	}
	m := networks.Merge(networks.SetOf([]string{"a"}, nets), networks.SetOf([]string{"a", "b"}, nets), nil)
	if !reflect.DeepEqual(m.All(), []string{"AS2 TWO", "AS1 ONE FR"}) || m[0].Addrs != 2 {
		t.Errorf("Merge: %+v", m)
	}
	if (networks.Set{}).Short() != "" {
		t.Error("an empty set shows something")
	}
}

func TestOwner(t *testing.T) {
	for name, want := range map[string]string{
		"GOOGLE-2 - Google LLC": "GOOGLE", "GOOGLE, US": "GOOGLE", "CLOUDFLARENET-SFO05": "CLOUDFLARENET",
		"AKAMAI-AS - Akamai": "AKAMAI", "": "AS7", "3NET": "NET", "AS-CHOOPA": "CHOOPA", "ASN-QUADRANET-GLOBAL": "QUADRANET",
		"AS12876 ONLINE S.A.S.": "AS7", "1234": "AS7",
	} {
		if got := networks.Owner(networks.Network{ASN: 7, Name: name}); got != want {
			t.Errorf("networks.Owner(%q) = %q, want %q", name, got, want)
		}
	}
}

func nw(asn uint32, name, country string) networks.Network {
	return networks.Network{ASN: asn, Name: name, Country: country}
}

// Lookups are made when a list is shown, never while ingesting: neither the
// ingest nor the parsers depend on this package, so no event waits on a
// lookup (the cost is on the list: BenchmarkOfNamesList).
func TestIngestDoesNotLookUp(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/longtail/longtail/engine/ingest",
		"github.com/longtail/longtail/engine/parse", "github.com/longtail/longtail/engine/capture").Output()
	if err != nil {
		t.Skip("go list:", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/longtail/longtail/engine/networks" {
			t.Fatal("the ingest path imports engine/networks")
		}
	}
}
