package lists

import (
	"bytes"
	"testing"

	"github.com/longtail/longtail/engine/rules"
)

// FuzzRead feeds every importer: the seeds are one sample per format, so
// mutations explore each parser and the detection between them. Whatever
// comes in, Read must not panic, every entry must be a valid normalised
// name (longtail's own CSV and JSON: a rule that passes rules.Rule.Check,
// which a name from the data may be), and what was read must survive a CSV
// round trip.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		"# c\nexample.com # note\n*.evil.test\n",
		"0.0.0.0 a.example\n127.0.0.1 localhost b.example c.example\n::1 v6.example\n",
		"[Adblock Plus 2.0]\n||a.example^$important\n@@||b.example^\n|c.example^\n",
		"rank,domain\n1,google.com\n2,example.org\n",
		"ZXZpbC5leGFtcGxl\nYmFkLmV4YW1wbGUuY29t\n",
		"#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\nevil.example\tIntel::DOMAIN\tlongtail\tbad (domain and subdomains): c2\n",
		"$TTL 300\n@ IN SOA localhost. h.localhost. ( 1 3600 600 604800 300 )\na.example CNAME . ; bad: x\n*.a.example CNAME .\nb.example CNAME rpz-passthru.\n",
		"id,pattern,scope,verdict,note,author,origin,created\n1,a.example,domain,bad,\"multi\nline\",ana,tui,2025-01-02T03:04:05Z\n",
		"{\"id\":1,\"pattern\":\"a.example\",\"scope\":\"name\",\"verdict\":\"good\",\"note\":\"n\",\"author\":\"\",\"origin\":\"cli\",\"created\":\"\"}\n",
		"[\n{\"id\":1,\"pattern\":\"a.example\",\"scope\":\"name\",\"verdict\":\"good\",\"kind\":\"dns.name\"},\n{\"pattern\":\"b.example\",\"scope\":\"domain\",\"verdict\":\"bad\"}\n]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		if l.SkippedTotal > l.Lines {
			t.Fatalf("%d skips in %d lines", l.SkippedTotal, l.Lines)
		}
		rs := make([]rules.Rule, len(l.Entries))
		for i, e := range l.Entries {
			if (l.Format == CSV || l.Format == JSON) != (e.Rule != nil) {
				t.Fatalf("%s entry with rule %v", l.Format, e.Rule)
			}
			if e.Rule != nil {
				if err := e.Rule.Check(); err != nil {
					t.Fatalf("entry %+v fails Check: %v", e.Rule, err)
				}
			} else if p, _, err := rules.ParsePattern(e.Name); err != nil || p != e.Name {
				t.Fatalf("entry %q is not a normalised name (%q, %v)", e.Name, p, err)
			}
			rs[i] = rules.Rule{Pattern: e.Name, Scope: e.Scope, Verdict: e.Verdict, Note: e.Note}
			if rs[i].Verdict == rules.None {
				rs[i].Verdict = rules.Bad
			}
		}
		var buf bytes.Buffer
		if _, err := Write(&buf, string(CSV), rs, ExportMeta{}); err != nil {
			t.Fatal(err)
		}
		back, err := Read(&buf)
		if err != nil && len(rs) > 0 || len(back.Entries) != len(rs) || back.SkippedTotal != 0 {
			t.Fatalf("csv round trip: %d of %d entries, %+v, %v", len(back.Entries), len(rs), back.Skipped, err)
		}
		for i, e := range back.Entries {
			if *e.Rule != rs[i] {
				t.Fatalf("csv round trip changed %+v into %+v", rs[i], *e.Rule)
			}
		}
	})
}
