package ingest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/longtail/longtail/engine/parse"
)

// target is a file Run reads: one named, or one found under a directory
// named (inDir), whose walk may have failed there (err).
type target struct {
	path  string
	inDir bool
	err   error
}

// targets are the files Run reads for paths: a directory stands for the
// files under it, at any depth, in name order (a folder of daily logs),
// hidden ones (.git, .DS_Store) left out; symbolic links to directories
// are not followed.
func targets(paths []string) []target {
	var out []target
	for _, p := range paths {
		st, err := os.Stat(p)
		if p == "-" || err != nil || !st.IsDir() {
			out = append(out, target{path: p})
			continue
		}
		werr := filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			switch {
			case err != nil:
				out = append(out, target{path: path, inDir: true, err: err})
				return nil
			case path != p && strings.HasPrefix(e.Name(), "."):
				if e.IsDir() {
					return filepath.SkipDir
				}
				return nil
			case e.Type().IsRegular():
				out = append(out, target{path: path, inDir: true})
			}
			return nil
		})
		if werr != nil {
			out = append(out, target{path: p, err: werr})
		}
	}
	return out
}

// passOver turns the report of a file found under a directory that is no
// log longtail reads (a README, notes) into one that says so, and does
// not fail the run: a folder of logs holds such files, a file named on
// the command line is meant to be read. (A log of the folder without
// events does not fail it either: Report.InDir.)
func passOver(t target, r Report) Report {
	r.InDir = t.inDir
	var unknown *parse.UnknownFormatError
	if t.inDir && r.Events == 0 && errors.As(r.Err, &unknown) {
		r.Status, r.Reason, r.Err = PassedOver, "", nil
		if unknown.Guess != "" {
			r.Reason = "it looks like " + unknown.Guess
		}
	}
	return r
}
