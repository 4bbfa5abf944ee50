package ingest

import (
	"errors"
	"fmt"
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
// hidden ones (.git, .DS_Store) and the workspace's own (its database,
// journal and lock: ws) left out; symbolic links to directories are not
// followed.
func targets(paths []string, ws string) []target {
	own := map[string]bool{}
	if ws != "" {
		if abs, err := filepath.Abs(ws); err == nil {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal", ".lock"} {
				own[abs+suffix] = true
			}
		}
	}
	var out []target
	for _, p := range paths {
		st, err := os.Stat(p)
		if p == "-" || err != nil || !st.IsDir() {
			out = append(out, target{path: p})
			continue
		}
		before := len(out)
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
			case own[absPath(path)] || e.IsDir():
			case e.Type().IsRegular():
				out = append(out, target{path: path, inDir: true})
			default:
				if t, ok := odd(path); ok {
					out = append(out, t)
				}
			}
			return nil
		})
		switch {
		case werr != nil:
			out = append(out, target{path: p, err: werr})
		case len(out) == before:
			out = append(out, target{path: p, err: errNoFiles})
		}
	}
	return out
}

// odd is what a directory's entry that is no regular file stands for: the
// file a symbolic link names (a folder of links to logs, a daemon's
// "current"), or one to pass over and say why (a broken link, a FIFO a
// walk would wait on forever); none for a link to a directory, which is
// not followed.
func odd(path string) (target, bool) {
	t := target{path: path, inDir: true}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		t.err = errBrokenLink
	case st.IsDir():
		return t, false
	case !st.Mode().IsRegular():
		t.err = errNotFile
	}
	return t, true
}

// errBrokenLink and errNotFile are the errors of a directory's entries
// passed over for what they are.
var (
	errBrokenLink = errors.New("a broken symbolic link")
	errNotFile    = errors.New("not a file (a FIFO, socket or device is read when named alone)")
)

// errNoFiles is the error of a directory given that holds no file to read.
var errNoFiles = errors.New("no files in it (hidden ones are left out)")

// absPath is path made absolute, or path when it cannot be.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// errEmpty is the error of an empty file: under a directory, a log just
// rotated and not yet written to, passed over until it is.
var errEmpty = errors.New("empty file")

// emptyReason is the Reason of an empty file passed over.
const emptyReason = "empty"

// passOver turns the report of a file found under a directory that is no
// log longtail reads (a README, notes) into one that says so, and does
// not fail the run: a folder of logs holds such files, a file named on
// the command line is meant to be read. (A log of the folder without
// events does not fail it either: Report.InDir.)
func passOver(t target, r Report) Report {
	r.InDir = t.inDir
	var unknown *parse.UnknownFormatError
	switch {
	case !t.inDir || r.Events > 0:
	case errors.As(r.Err, &unknown):
		r.Status, r.Reason, r.Err = PassedOver, "not a log longtail reads", nil
		if unknown.Guess != "" {
			r.Reason += " (it looks like " + unknown.Guess + ")"
		}
	case errors.Is(r.Err, errEmpty):
		r.Status, r.Reason, r.Err = PassedOver, emptyReason, nil
	case errors.Is(r.Err, errNamesList):
		r.Status, r.Reason, r.Err = PassedOver, namesListReason, nil
	case errors.Is(r.Err, errBrokenLink), errors.Is(r.Err, errNotFile):
		r.Status, r.Reason, r.Err = PassedOver, r.Err.Error(), nil
	}
	return r
}

// NoLogs says whether the reports are of files that were all passed over
// for what they hold (notes, lists of names, unknown formats; not empty
// logs, which a rotation leaves): a directory given that holds no log,
// which a script is told as a failure, as a file named alone is.
func NoLogs(reps []Report) bool {
	for _, r := range reps {
		if r.Status != PassedOver || r.Reason == emptyReason {
			return false
		}
	}
	return len(reps) > 0
}

// errNamesList is the error of a list of names found under a directory,
// which is passed over for namesListReason.
var errNamesList = errors.New("a list of names")

const namesListReason = "a list of names, not a log (import-list FILE makes rules of it; ingest FILE, named alone, reads it as queries)"

// Unreadable says, before a workspace is made for them, what an ingest of
// paths would report when none of them can give events: each file
// missing, unreadable, empty or in no format longtail reads (passed over
// when found under a directory). It is nil when any of them may give
// some: standard input, a FIFO or a device, a file a format detects. A
// first ingest of a mistyped path or of notes then makes no workspace for
// a later command to take for one.
func Unreadable(paths []string) []Report {
	var reps []Report
	for _, t := range targets(paths, "") {
		err := t.err
		if err == nil {
			err = recognised(t.path)
		}
		if err == nil {
			return nil
		}
		reps = append(reps, passOver(t, failed(Report{Path: t.path}, err)))
	}
	return reps
}

// recognised says why the file at path cannot be ingested as what it
// looks like, nil when a format detects its start (or it is a stream,
// which is read as it comes).
func recognised(path string) error {
	if path == "-" {
		return nil
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return err
	case st.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case !st.Mode().IsRegular():
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, head, err := parse.Head(f)
	switch {
	case err != nil:
		return err
	case len(head) == 0:
		return errEmpty
	}
	_, err = parse.Detect(head)
	return err
}
