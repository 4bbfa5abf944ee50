package db

import (
	"context"
	"testing"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/hostile"
)

// TestPutRulesChecksEveryRule: the workspace is the one place every rule
// passes through, whatever made it, so it is where rules.Rule.Check runs.
// A hostile name or domain from the data keeps its verdict byte for byte; a
// batch with a rule without a verdict or pattern stores nothing.
func TestPutRulesChecksEveryRule(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	var rs []rules.Rule
	for _, n := range hostile.Strings() {
		rs = append(rs, rules.Rule{Pattern: n, Verdict: rules.Bad, Origin: "tui"},
			rules.Rule{Pattern: n, Scope: rules.Domain, Verdict: rules.Suspicious, Origin: "tui"})
	}
	if _, _, err := d.PutRules(ctx, rs); err != nil {
		t.Fatal(err)
	}
	got, _ := d.Rules(ctx)
	if len(got) != len(rs) {
		t.Fatalf("%d rules stored, want %d", len(got), len(rs))
	}
	for i := range got {
		if got[i].Pattern != rs[i].Pattern {
			t.Errorf("%q stored as %q", rs[i].Pattern, got[i].Pattern)
		}
	}
	for _, bad := range [][]rules.Rule{
		{{Pattern: "ok.example", Verdict: rules.Bad}, {Pattern: "", Verdict: rules.Bad}},
		{{Pattern: "ok.example"}},
	} {
		if _, _, err := d.PutRules(ctx, bad); err == nil {
			t.Errorf("PutRules(%q) accepted", bad[len(bad)-1].Pattern)
		}
		// An undo step holding them (a journal written by a bug or by
		// hand) is refused too, and kept.
		if err := d.PushUndo(ctx, UndoStep{What: "bad", Deleted: bad}); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := d.Undo(ctx); err == nil {
			t.Errorf("undo of the deletion of %q accepted", bad[len(bad)-1].Pattern)
		}
	}
	if got2, _ := d.Rules(ctx); len(got2) != len(rs) {
		t.Errorf("a refused batch stored %d rules", len(got2)-len(rs))
	}
}

// A rule's id is never another's: one added after the newest was deleted
// took its id, so a `rules rm ID` read before, or an undo putting the
// deleted rule back under its id, removed the rule that took it.
func TestARuleIDIsNeverReused(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	a, _, err := d.PutRules(ctx, []rules.Rule{{Pattern: "a.example", Verdict: rules.Bad}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteRules(ctx, []int64{a[0].ID}); err != nil {
		t.Fatal(err)
	}
	b, _, err := d.PutRules(ctx, []rules.Rule{{Pattern: "b.example", Verdict: rules.Good}})
	if err != nil {
		t.Fatal(err)
	}
	if b[0].ID == a[0].ID {
		t.Errorf("b.example took the id %d of the deleted a.example", b[0].ID)
	}
}
