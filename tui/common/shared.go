package common

import (
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
)

// Shared is what the list publishes for the screens above it: the filters
// in force, which every list of names honours (the pivot hides known-good
// when the list does).
type Shared struct {
	Filters review.Query
}

// MarkMsg asks the list, which writes marks and keeps their undo, to mark
// a value another screen shows (the pivot's row): one write, undone by u
// like any other, wherever it was made.
type MarkMsg struct {
	Kind         subject.Code
	Name, Domain string // the value and the group it rolls up to
	Verdict      rules.Verdict
	Scope        rules.Scope // known-good: the value, or its whole group
	Clear, Undo  bool        // clear its verdict; undo the last mark instead
}
