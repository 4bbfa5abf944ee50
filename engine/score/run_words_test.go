package score

import (
	"testing"
	"time"
)

// A run's line names what it scored: a web log's values without "0 names
// and 0 domains" and an n-gram model of no label before them; an empty
// workspace still says it scored nothing.
func TestSummaryWordsNameWhatWasScored(t *testing.T) {
	for _, c := range []struct {
		sum  Summary
		want string
	}{
		{Summary{HTTP: 3680, Groups: 1611, Took: 82 * time.Millisecond},
			"scored 3,680 HTTP hosts, paths, user agents and clients and 1,611 of their groups in 82ms"},
		{Summary{Names: 12, Domains: 5, Logons: 40, Trained: 7, Took: time.Second},
			"scored 12 names and 5 domains, 40 logon accounts, sources and pairs in 1s (n-gram model of 7 labels)"},
		{Summary{}, "scored 0 names and 0 domains in 0s"},
		{Summary{Names: 1, Domains: 1, Trained: 1}, "scored 1 name and 1 domain in 0s (n-gram model of 1 label)"},
		{Summary{Incremental: true, HTTP: 3, Groups: 1, Took: time.Millisecond},
			"rescored 3 HTTP values and 1 of their groups that changed in 1ms"},
	} {
		if got := c.sum.String(); got != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.sum, got, c.want)
		}
	}
}
