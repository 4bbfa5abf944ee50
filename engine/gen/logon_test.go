package gen

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
)

// logonOut keeps what the windows-json parser makes of a generated log.
type logonOut struct {
	logons []record.Record // copies of the strings' records
	skips  []string
}

func (o *logonOut) Record(r *record.Record) {
	c := *r
	for _, b := range []*[]byte{&c.Client, &c.Account, &c.AccountDomain, &c.Target, &c.LogonType, &c.AuthPackage, &c.Result, &c.Reason} {
		*b = bytes.Clone(*b)
	}
	o.logons = append(o.logons, c)
}

func (o *logonOut) Skip(_, _ int64, reason string) { o.skips = append(o.skips, reason) }

// The logon log is detected and read by windows-json without a skip, has
// the lines asked for in time order, and each planted scenario is in it as
// the truth says, with nothing in the normal traffic that looks like it.
func TestLogonLog(t *testing.T) {
	var buf bytes.Buffer
	tr, err := WriteLogon(&buf, Options{Lines: 60_000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(buf.Bytes(), []byte("\n")); n != 60_000 {
		t.Fatalf("%d lines, want 60000", n)
	}
	f, err := parse.Detect(buf.Bytes()[:min(buf.Len(), parse.HeadSize)])
	if err != nil || f.Name != "windows-json" {
		t.Fatalf("detected %q, %v", f.Name, err)
	}
	var out logonOut
	if _, err := parse.ScanLines(context.Background(), bytes.NewReader(buf.Bytes()), f.Lines(), parse.Position{}, parse.Resume{}, true, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.skips) > 0 || len(out.logons) < 50_000 {
		t.Fatalf("%d logons, skips %q", len(out.logons), out.skips)
	}
	var prev int64
	sprayed := map[string]int{}
	var spraySuccess, bruteFail, bruteSuccess, adminNew, adminOther, night int
	for _, r := range out.logons {
		if r.Time < prev {
			t.Fatalf("line %d: out of time order", r.Line)
		}
		prev = r.Time
		acc, src, ok := string(r.Account), string(r.Client), string(r.Result) == "success"
		switch {
		case src == tr.SprayClient && !ok:
			sprayed[acc]++
		case src == tr.SprayClient:
			spraySuccess++
			if acc != tr.SprayAccount || sprayed[acc] != 1 || len(sprayed) != tr.SprayAccounts {
				t.Errorf("spray success as %s after %d accounts", acc, len(sprayed))
			}
		case src == tr.BruteClient && acc == tr.BruteAccount && !ok:
			bruteFail++
		case src == tr.BruteClient && acc == tr.BruteAccount:
			bruteSuccess++
			if bruteFail != tr.BruteFailures || string(r.LogonType) != "10" {
				t.Errorf("brute force success (type %s) after %d failures", r.LogonType, bruteFail)
			}
		case src == tr.BruteClient:
			t.Errorf("the brute force's source as %s", acc)
		case acc == tr.AdminAccount && src == tr.AdminNewClient:
			adminNew++
		case acc == tr.AdminAccount && src != tr.AdminUsualClient && src != "":
			adminOther++ // the admin's 4672 has no source
		}
		if office, _ := officeHours(r.Time); !office && string(r.LogonType) == "2" {
			night++
			if acc != tr.OffHoursAccount || src != tr.OffHoursClient || !time.UnixMicro(r.Time).UTC().Equal(tr.OffHoursTime) {
				t.Errorf("an interactive logon out of office hours: %s ← %s at %s", acc, src, time.UnixMicro(r.Time).UTC())
			}
		}
	}
	for acc, n := range sprayed {
		if n != 1 {
			t.Errorf("spray: %s failed %d times", acc, n)
		}
	}
	if len(sprayed) != tr.SprayAccounts || tr.SprayAccounts <= 40 || spraySuccess != 1 {
		t.Errorf("spray: %d accounts failed (truth %d), %d successes", len(sprayed), tr.SprayAccounts, spraySuccess)
	}
	if bruteFail != tr.BruteFailures || bruteSuccess != 1 {
		t.Errorf("brute force: %d failures (truth %d), %d successes", bruteFail, tr.BruteFailures, bruteSuccess)
	}
	if adminNew != 1 || adminOther != 0 {
		t.Errorf("admin: %d logons from the new source, %d from others", adminNew, adminOther)
	}
	if night != 1 {
		t.Errorf("%d interactive logons out of office hours, want 1", night)
	}
	sameSeed(t, buf.Bytes(), WriteLogon, Options{Lines: 60_000, Seed: 5})
}

func BenchmarkWriteLogon(b *testing.B) { benchLines(b, WriteLogon) }
