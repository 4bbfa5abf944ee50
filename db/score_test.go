package db

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// The contributions are written without encoding/json; what it reads back
// must be what was written, whatever a name holds.
func TestScoreContribsRoundTrip(t *testing.T) {
	cs := []Contribution{
		{Signal: "tunnel", Points: 87.5, Why: `1,843 unique subdomains under "x\y", tab	and newline` + "\n\x01 é ✓"},
		{Signal: "rare", Points: 0.1},
		{Signal: "dga", Points: 12, Why: "bad utf-8 \xff\xfe here"},
	}
	var got []Contribution
	if err := json.Unmarshal(appendContribs(nil, cs), &got); err != nil {
		t.Fatalf("%s: %v", appendContribs(nil, cs), err)
	}
	want := append([]Contribution(nil), cs...)
	want[2].Why = "bad utf-8 \ufffd\ufffd here" // as encoding/json writes it
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if s := string(appendContribs(nil, nil)); s != "[]" {
		t.Errorf("no contributions: %s", s)
	}
}

func TestPutScoresReplaces(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	first := []Score{{ID: 9, Score: 40, Contribs: []Contribution{{Signal: "dga", Points: 40, Why: "w"}}}, {ID: 3, Score: 5}}
	if err := d.PutScores(ctx, first, []Score{{ID: 2, Score: 70}}); err != nil {
		t.Fatal(err)
	}
	// A second run without name 9 (known-good now) drops its score.
	if err := d.PutScores(ctx, []Score{{ID: 3, Score: 6, Contribs: []Contribution{{Signal: "rare", Points: 6}}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ScoreOf(ctx, ScoreName, 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("name 9 kept a score: %v", err)
	}
	if m, err := d.Scores(ctx, ScoreDomain); err != nil || len(m) != 0 {
		t.Errorf("domain scores %v, %v", m, err)
	}
	got, err := d.ScoreOf(ctx, ScoreName, 3)
	if err != nil || got.Score != 6 || len(got.Contribs) != 1 || got.Contribs[0] != (Contribution{Signal: "rare", Points: 6}) {
		t.Errorf("name 3: %+v, %v", got, err)
	}
}
