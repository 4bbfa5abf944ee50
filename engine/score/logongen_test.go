package score

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/longtail/longtail/engine/gen"
	"github.com/longtail/longtail/engine/subject"
)

// The planted scenarios of `longtail gen logon` are the top rows of their
// subjects: the spray that worked and the brute force that did are the top
// sources; their accounts and the account that logged on at night the top
// accounts; their pairs, the admin's from a workstation it never used and
// the night's the top pairs. Whatever else scores is below them. Seed 2
// has a user's mistyped password from a new place late in the log (a
// pair that never logged on); seed 1 is the command's default, run too
// without -short.
func TestGeneratedLogonsPlantedOnTop(t *testing.T) {
	seeds := []int64{2, 1}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { plantedOnTop(t, seed) })
	}
}

// plantedOnTop generates the logon log of seed, scores it and checks the
// planted scenarios are the top rows.
func plantedOnTop(t *testing.T, seed int64) {
	p := filepath.Join(t.TempDir(), "security.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := gen.WriteLogon(f, gen.Options{Lines: 100_000, Seed: seed})
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	acct := func(user string) string { return user + "@" + strings.ToLower(tr.Domain) }
	pair := func(user, source string) string { return acct(user) + " ← " + strings.ToLower(source) }
	d := scoreFiles(t, p)
	for _, c := range []struct {
		code subject.Code
		want []string
	}{
		{subject.LogonSource, []string{strings.ToLower(tr.SprayClient), strings.ToLower(tr.BruteClient)}},
		{subject.LogonAccount, []string{acct(tr.SprayAccount), acct(tr.BruteAccount), acct(tr.OffHoursAccount)}},
		{subject.LogonPair, []string{pair(tr.SprayAccount, tr.SprayClient), pair(tr.BruteAccount, tr.BruteClient),
			pair(tr.AdminAccount, tr.AdminNewClient), pair(tr.OffHoursAccount, tr.OffHoursClient)}},
	} {
		rs := ranked(t, d, c.code, false)
		var top []string
		for _, r := range rs[:min(len(c.want), len(rs))] {
			top = append(top, r.name)
		}
		if slices.Sort(top); !slices.Equal(top, slices.Sorted(slices.Values(c.want))) {
			t.Errorf("%s: top %d %q, want the planted %q; ranking: %v", subject.Must(c.code).Name, len(c.want), top, c.want, rs[:min(len(rs), len(c.want)+3)])
		}
		if len(rs) > len(c.want) && rs[len(c.want)-1].score.Score <= rs[len(c.want)].score.Score {
			t.Errorf("%s: the last planted row ties with the first normal one: %v", subject.Must(c.code).Name, rs[:len(c.want)+1])
		}
	}
}
