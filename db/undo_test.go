package db

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/internal/hostile"
)

// rulesText is the workspace's rules in a line each, for comparing.
func rulesText(t *testing.T, d *DB) string {
	t.Helper()
	rs, err := d.Rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := ""
	for _, r := range rs {
		s += fmt.Sprintf("%d %q %s %s %s\n", r.ID, r.Pattern, r.Scope, r.Verdict, r.Note)
	}
	return s
}

// Undo takes steps back newest first, across a reopening of the workspace:
// a mark that replaced a rule brings the old one back, a cleared rule comes
// back; a pattern of any bytes comes back as it was.
func TestUndoTakesStepsBackAcrossARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	odd := hostile.Strings()[0]
	first, _, err := d.PutRules(ctx, []rules.Rule{{Pattern: "a.example", Verdict: rules.Good, Note: "first"},
		{Pattern: odd, Verdict: rules.Bad}})
	if err != nil {
		t.Fatal(err)
	}
	before := rulesText(t, d)
	// 1: a mark that replaces a.example's rule and adds b.example's.
	stored, replaced, err := d.PutRules(ctx, []rules.Rule{{Pattern: "a.example", Verdict: rules.Bad, Note: "second"},
		{Pattern: "b.example", Verdict: rules.Suspicious}})
	if err != nil {
		t.Fatal(err)
	}
	push := func(s UndoStep) {
		s.At = time.Now()
		if err := d.PushUndo(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	push(UndoStep{What: "the mark of a.example", Stored: stored, Replaced: replaced})
	// 2: the odd rule cleared.
	if err := d.DeleteRules(ctx, []int64{first[1].ID}); err != nil {
		t.Fatal(err)
	}
	push(UndoStep{What: "the clearing of the odd one", Deleted: first[1:]})
	d.Close()

	if d, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i, want := range []string{"the clearing of the odd one", "the mark of a.example"} {
		s, left, ok, err := d.Undo(ctx)
		if err != nil || !ok || s.What != want || left != 1-i {
			t.Fatalf("undo %d: %q, %d left, %v %v; want %q", i, s.What, left, ok, err, want)
		}
	}
	if got := rulesText(t, d); got != before {
		t.Errorf("after two undos the rules are\n%s\nwant\n%s", got, before)
	}
	if _, _, ok, err := d.Undo(ctx); ok || err != nil {
		t.Errorf("a third undo: %v %v", ok, err)
	}
}

// The workspace keeps the newest UndoSteps steps.
func TestUndoKeepsTheNewestSteps(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	for i := range UndoSteps + 5 {
		if err := d.PushUndo(ctx, UndoStep{What: fmt.Sprint(i), Deleted: []rules.Rule{{Pattern: "x.example"}}}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := d.UndoCount(ctx)
	if err != nil || n != UndoSteps {
		t.Errorf("%d steps kept (%v), want %d", n, err, UndoSteps)
	}
	if s, _, _, _ := d.Undo(ctx); s.What != fmt.Sprint(UndoSteps+4) {
		t.Errorf("the newest step is %q", s.What)
	}
}
