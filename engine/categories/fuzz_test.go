package categories

import (
	"bytes"
	"testing"

	"github.com/longtail/longtail/engine/rules"
)

// FuzzReadTar feeds the UT1 archive reader (the seeds in testdata/fuzz:
// the upstream layout, NAME.domains files, a gzipped list inside). Whatever
// comes in, it must not panic, every name must be a valid normalised name
// of a category named plainly, and the counts must add up.
func FuzzReadTar(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var info Info
		names := 0
		err := ReadTar(bytes.NewReader(data), &info, func(name, cat string) error {
			names++
			if p, _, err := rules.ParsePattern(name); err != nil || p != name {
				t.Fatalf("name %q: %v", name, err)
			}
			if !validCategory(cat) {
				t.Fatalf("category %q", cat)
			}
			return nil
		})
		if err != nil {
			return
		}
		if names != info.Entries()-info.exceptions() {
			t.Fatalf("%d names given, %d entries, %d exceptions", names, info.Entries(), info.exceptions())
		}
	})
}
