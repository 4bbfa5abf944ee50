package verdicts

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/atomicfile"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
)

// BaselineRow is one name or registered domain of a baseline file.
type BaselineRow struct {
	Name, Domain   string // Domain: the name's registered domain (by fqdn)
	Names          int64  // by domain: distinct names under it
	Count, Clients int64
	First, Last    int64 // unix µs
	Decided        bool  // a rule covers it
}

// Baseline is the talk's first baseline: names seen more than NormalOver
// times are normal, fewer than SuspiciousUnder times suspicious; names a
// rule decides (any verdict) are left out of both.
type Baseline struct {
	ByDomain                    bool
	NormalOver, SuspiciousUnder int64
	Normal, Suspicious          []BaselineRow // busiest first
	Decided                     int           // names or domains left out
}

// CheckThresholds refuses thresholds under which a name could be both
// normal and suspicious.
func CheckThresholds(normalOver, suspiciousUnder int64) error {
	if suspiciousUnder > normalOver+1 {
		return fmt.Errorf("--suspicious-under %d and --normal-over %d overlap", suspiciousUnder, normalOver)
	}
	return nil
}

// ComputeBaseline splits d's names (by "fqdn") or registered domains (by
// "domain") into the baseline's normal and suspicious traffic.
func ComputeBaseline(ctx context.Context, d *db.DB, by string, normalOver, suspiciousUnder int64) (Baseline, error) {
	b := Baseline{ByDomain: by == "domain", NormalOver: normalOver, SuspiciousUnder: suspiciousUnder}
	if err := CheckThresholds(normalOver, suspiciousUnder); err != nil {
		return b, err
	}
	rows, err := baselineRows(ctx, d, by)
	if err != nil {
		return b, err
	}
	for _, r := range rows {
		switch {
		case r.Decided:
			b.Decided++
		case r.Count > normalOver:
			b.Normal = append(b.Normal, r)
		case r.Count < suspiciousUnder:
			b.Suspicious = append(b.Suspicious, r)
		}
	}
	return b, nil
}

// baselineRows returns the names (or registered domains), busiest first,
// each marked decided when a rule covers it. A registered domain is decided
// only by a domain-scope rule on it or above it: a rule on one of its names
// leaves the rest of it undecided.
func baselineRows(ctx context.Context, d *db.DB, by string) ([]BaselineRow, error) {
	rs, err := d.Rules(ctx)
	if err != nil {
		return nil, err
	}
	var rows []BaselineRow
	switch by {
	case "fqdn", "name":
		m := rules.NewMatcher(rs, subject.DNSName)
		names, err := d.AllNames(ctx, subject.DNSName)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			_, decided := m.Match(n.Name)
			rows = append(rows, BaselineRow{Name: n.Name, Domain: n.Domain, Count: n.Count, Clients: n.Clients, First: n.First, Last: n.Last, Decided: decided})
		}
	case "domain":
		m := rules.NewMatcher(rs, subject.DNSName)
		doms, err := d.AllDomains(ctx, subject.DNSName)
		if err != nil {
			return nil, err
		}
		for _, dm := range doms {
			_, decided := m.MatchGroup(dm.Name)
			rows = append(rows, BaselineRow{Name: dm.Name, Names: dm.Names, Count: dm.Count, Clients: dm.Clients, First: dm.First, Last: dm.Last, Decided: decided})
		}
	default:
		return nil, fmt.Errorf("--by is fqdn or domain, not %q", by)
	}
	slices.SortFunc(rows, func(a, b BaselineRow) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return rows, nil
}

// WriteBaseline writes normal_traffic and suspicious_traffic, each as .txt
// (one name per line, as the talk's files) and .csv (with the counts), into
// dir, every file atomically, and says on w what each holds.
func WriteBaseline(dir string, b Baseline, w io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	unit := "names"
	if b.ByDomain {
		unit = "registered domains"
	}
	for _, f := range []struct {
		base string
		rows []BaselineRow
		what string
	}{
		{"normal_traffic", b.Normal, fmt.Sprintf("seen more than %d times", b.NormalOver)},
		{"suspicious_traffic", b.Suspicious, fmt.Sprintf("seen fewer than %d times", b.SuspiciousUnder)},
	} {
		if err := writeBaselineFiles(filepath.Join(dir, f.base), f.rows, b.ByDomain); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s.txt, %s.csv: %d %s %s\n", filepath.Join(dir, f.base), f.base, len(f.rows), unit, f.what)
	}
	fmt.Fprintf(w, "left out: %d %s the rules decide\n", b.Decided, unit)
	return nil
}

// writeBaselineFiles writes base.txt and base.csv.
func writeBaselineFiles(base string, rows []BaselineRow, byDomain bool) error {
	err := atomicfile.WriteFile(base+".txt", func(w io.Writer) error {
		for _, r := range rows {
			// One name a line, and no escape sequence from the data
			// reaching whoever cats the file.
			if _, err := fmt.Fprintln(w, textsafe.String(r.Name)); err != nil {
				return err
			}
		}
		return nil
	}, 0o666)
	if err != nil {
		return err
	}
	t := &output.Table{Columns: []string{"name", "domain", "count", "clients", "first_seen", "last_seen"}}
	if byDomain {
		t.Columns = []string{"domain", "names", "count", "clients", "first_seen", "last_seen"}
	}
	for _, r := range rows {
		second := any(r.Domain)
		if byDomain {
			second = r.Names
		}
		t.Add(r.Name, second, r.Count, r.Clients, micros(r.First), micros(r.Last))
	}
	return atomicfile.WriteFile(base+".csv", func(w io.Writer) error { return t.Write(w, "csv") }, 0o666)
}

// micros is a unix µs time for a table; 0 (never) is the zero time.
func micros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
