package score

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/testws"
)

// netLog is a day of a small network's DNS: twelve names of example.com
// in its own network, one (planted) on a rented server; a name whose
// answers go to two unrelated owners; names of a CDN in two of its own
// networks (one owner); and names in no known network.
func netLog() string {
	var b strings.Builder
	add := func(hour int, name string, answers ...string) {
		for j := range 6 {
			fmt.Fprintf(&b, "03/20/2024 %02d:%02d:00,%s,A,300,%s\n", hour, j, name, answers[j%len(answers)])
		}
	}
	for i := range 12 {
		add(i, fmt.Sprintf("host%d.example.com", i), fmt.Sprintf("192.0.2.%d", i+1))
	}
	add(13, "login.example.com", "203.0.113.66")
	add(14, "moving.example.org", "192.0.2.200", "198.51.100.7", "100.64.0.7", "203.0.113.7")
	add(15, "a.cdn.example.net", "198.18.0.1", "198.19.0.1")
	add(16, "b.cdn.example.net", "198.18.0.2")
	add(17, "local.test", "192.88.99.1")
	return b.String()
}

const (
	netRoutes = "; IP-ASN32-DAT file\n192.0.2.0/24\t64500\n198.51.100.0/24\t64501\n203.0.113.0/24\t14061\n" +
		"198.18.0.0/16\t64510\n198.19.0.0/16\t64511\n100.64.0.0/10\t64520\n"
	netNames = `{"64500": "EXAMPLENET - Example Networks, DE", "64501": "OTHERNET Other, FR", "14061": "DIGITALOCEAN-ASN - DigitalOcean, LLC, US",` +
		`"64510": "BIGCDN-1 - Big CDN, US", "64511": "BIGCDN-2 - Big CDN, US", "64520": "AS-CGNAT Carrier, BR"}`
)

// scoredNetworks scores the workspace and returns its names best first,
// with the words of their networks contribution.
func scoredNetworks(t *testing.T, d *db.DB) ([]string, map[string]string) {
	t.Helper()
	if _, err := Run(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	var order []string
	why := map[string]string{}
	for _, v := range ranked(t, d, subject.DNSName, false) {
		order = append(order, v.name)
		for _, c := range v.score.Contribs {
			if c.Signal == SigNetworks {
				why[v.name] = c.Why
			}
		}
	}
	return order, why
}

// A host of a company's domain answering on a rented server ranks first
// once an AS table is imported, with the reason in words, beside a name
// whose answers go to four unrelated owners; a CDN in two networks of
// its own is not held against it. Without a table nothing is judged.
func TestNetworksSignalRanksPlantedName(t *testing.T) {
	d := testws.Text(t, netLog())
	before, why := scoredNetworks(t, d)
	if len(why) != 0 {
		t.Fatalf("judged without a table: %v", why)
	}
	if slices.Index(before, "login.example.com") < 2 {
		t.Fatalf("login.example.com ranks high without a table: %v", before)
	}
	testws.ImportNetworks(t, d, map[string]string{"routes.dat": netRoutes, "asnames.json": netNames})
	order, why := scoredNetworks(t, d)
	if top := []string{order[0], order[1]}; !slices.Contains(top, "login.example.com") || !slices.Contains(top, "moving.example.org") {
		t.Errorf("ranking %v", order)
	}
	want := map[string]string{
		"login.example.com":  "answers in AS14061 DIGITALOCEAN-ASN US while the other 12 names of example.com answer in AS64500 EXAMPLENET DE",
		"moving.example.org": "answers in the networks of 4 unrelated owners: AS14061 DIGITALOCEAN-ASN US, AS64500 EXAMPLENET DE, AS64501 OTHERNET FR, AS64520 AS-CGNAT BR",
	}
	for name, w := range want {
		if why[name] != w {
			t.Errorf("%s: %q, want %q", name, why[name], w)
		}
	}
	for name := range why {
		if _, ok := want[name]; !ok {
			t.Errorf("%s judged: %q", name, why[name])
		}
	}
}
