package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/parse"
)

// Following a live log is ingesting it again and again: each cycle is a Run
// over the files that changed, which reads only their new part, keeps the
// queries waiting for their response across reads and commits as it goes;
// its end writes the aggregates, which is what a screen polling the
// workspace sees move. A kill loses at most the open batch (FlushEvery old)
// and the next Follow or ingest carries on from the last commit. Between
// cycles Follow holds no lock: `longtail ingest` of the same file may run
// then, and each reads on from where the other stopped.

// DefaultPoll is how often Follow looks at its files when no filesystem
// event woke it (some, network mounts, FUSE, /proc, never send one), and
// the least time between the starts of two cycles: a log written without
// a pause wakes Follow without a pause, and each cycle reads the
// workspace's dictionaries and writes its aggregates once.
const DefaultPoll = time.Second

// FollowBatch is Follow's batch size when none is given: a batch is
// committed at least every FlushEvery anyway, and the buffers of a smaller
// one cost each cycle less.
const FollowBatch = 1 << 18

// FollowOptions tune Follow.
type FollowOptions struct {
	// Options of each cycle's Run; FlushEvery is a second when 0,
	// BatchSize FollowBatch.
	Options
	Poll time.Duration // DefaultPoll when 0
	// Cycle, when set, gets the reports of each cycle: the files that
	// changed since the last.
	Cycle func([]Report)
	// Notice, when set, is told what the user should know: a rotated log
	// that was not found again, watching that fell back to polling.
	Notice func(string)
}

// live is o with the defaults of a read that goes on (Follow's, Live's):
// a batch committed at least every second, FollowBatch events at most.
func (o Options) live() Options {
	if o.FlushEvery <= 0 {
		o.FlushEvery = time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = FollowBatch
	}
	if o.Progress == nil {
		o.Progress = &Counters{}
	}
	return o
}

// followed is a file Follow reads.
type followed struct {
	path string // absolute
	// named: given to Follow, read on through its rotations; otherwise
	// the rotated part of one, read until it is complete.
	named  bool
	seen   os.FileInfo // at the last look; nil before or when missing
	src    db.Source   // the source it is in the workspace; ID 0: none yet
	readAt time.Time   // the start of the last cycle that read it
	told   bool        // that it is not there yet
}

// CheckFollow says why paths cannot be followed, before anything starts:
// a directory, or a file that holds what no format reads and is not being
// written (a live log's first line may be half written yet). A missing or
// empty file can: a log is followed through its rotations, and may not
// exist yet.
func CheckFollow(paths []string) error {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		// A directory's files come and go: following them would need its
		// own rules for what appears; ingest reads one whole.
		if st.IsDir() {
			return fmt.Errorf("%s is a directory: follow reads files as they grow, name them (%s)", p, filepath.Join(p, "*.log"))
		}
		var unknown *parse.UnknownFormatError
		if err := recognised(p); errors.As(err, &unknown) && time.Since(st.ModTime()) > settleTime {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

// Follow reads the files as they grow until ctx ends, then returns nil
// with everything read committed and the aggregates written. A file
// renamed away by a rotation is read to its end under its new name
// (found in the same folder) and the new file under the old name read
// from its start; a file copied away and truncated (copytruncate) is
// read on in the copy, then from the start again.
func Follow(ctx context.Context, d *db.DB, paths []string, opt FollowOptions) error {
	if opt.Poll <= 0 {
		opt.Poll = DefaultPoll
	}
	opt.Options = opt.live()
	d.KeepWarm()
	if opt.Notice == nil {
		opt.Notice = func(string) {}
	}
	if err := CheckFollow(paths); err != nil {
		return err
	}
	var files []*followed
	var dirs []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		// The source last read from the path: a rotation while nothing
		// followed it left its unread part next to it (due finds it).
		last, err := d.SourcesByPath(ctx, abs)
		if err != nil {
			return endOnStop(ctx, err)
		}
		f := &followed{path: abs, named: true}
		if len(last) > 0 {
			f.src = last[0]
		}
		files = append(files, f)
		if dir := filepath.Dir(abs); !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	wake, stopWatching := watch(dirs, opt.Notice)
	defer stopWatching()
	tick := time.NewTicker(opt.Poll)
	defer tick.Stop()
	waited := false // for another ingest to finish
	for {
		start := time.Now()
		todo, err := due(ctx, d, &files, opt.Notice)
		if err != nil {
			return endOnStop(ctx, err)
		}
		if len(todo) > 0 {
			reps, err := Run(ctx, d, todo, opt.Options)
			if opt.Cycle != nil {
				opt.Cycle(reps)
			}
			switch {
			case ctx.Err() != nil:
				return nil
			case errors.Is(err, db.ErrIngesting):
				// An ingest from cron, say: the files are read on
				// once it is done (not lost, not read twice).
				if !waited {
					opt.Notice("another longtail is ingesting into the workspace: reading on once it is done")
				}
				waited = true
				for _, f := range files {
					f.seen = nil // not read: due again
				}
			case err != nil:
				return err
			default:
				waited = false
				for _, f := range files {
					if slices.Contains(todo, f.path) {
						f.readAt = start
					}
				}
				if err := readInto(ctx, d, files, reps); err != nil {
					return endOnStop(ctx, err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
		if pause := opt.Poll - time.Since(start); pause > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(pause):
			}
		}
	}
}

// endOnStop is err, or nil when ctx ended: a query cut short by the stop
// is the stop, which Follow reports as a clean end (what the CI saw fail:
// ctrl-c during a look at the files returned "context canceled").
func endOnStop(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// due looks at every file and returns those to read now: changed since
// they were read, or left with a last line or waiting queries that are
// complete now that the file settled. A named file whose source is no
// longer the file at its path was rotated: where its content went is
// added (read first), and the file at the path is read as a new one.
func due(ctx context.Context, d *db.DB, files *[]*followed, notice func(string)) ([]string, error) {
	var moved, todo []string
	var keep []*followed
	for _, f := range *files {
		cur, st, err := identify(ctx, d, f.path)
		if err != nil {
			return nil, err
		}
		if f.named && f.src.ID != 0 && (st == nil || cur.ID != f.src.ID) {
			m, err := rotated(ctx, d, f, *files)
			if err != nil {
				return nil, err
			}
			if m != nil {
				keep = append(keep, m)
				moved = append(moved, m.path)
			} else {
				notice(fmt.Sprintf("%s was rotated and its old part not found next to it: read up to line %d", f.path, f.src.Lines))
			}
			f.src, f.seen = db.Source{}, nil
		}
		if st == nil || st.Size() == 0 && cur.ID == 0 {
			if st == nil && f.named && f.readAt.IsZero() && !f.told {
				notice(fmt.Sprintf("%s is not there yet: waiting for it", f.path))
				f.told = true
			}
			if f.named || st != nil {
				keep = append(keep, f) // renamed, the new file not there yet; or nothing in it yet
			}
			continue
		}
		fresh := f.readAt.IsZero()
		changed := fresh || f.seen == nil || st.Size() != f.seen.Size() || !st.ModTime().Equal(f.seen.ModTime())
		if cur.ID != 0 {
			f.src = cur
			// What the workspace holds of it, against what is there: a
			// cycle reads what the file held when it opened it.
			changed = fresh || st.Size() != cur.Size || st.ModTime().UnixMicro() != cur.Mtime
		}
		settled := time.Since(st.ModTime()) > settleTime
		pending := cur.ID != 0 && cur.State != "done" && settled && f.readAt.Before(st.ModTime().Add(settleTime))
		f.seen = st
		if !f.named && cur.State == "done" && !changed && settled {
			continue // a rotated file read to its end
		}
		keep = append(keep, f)
		if changed || pending {
			todo = append(todo, f.path)
		}
	}
	*files = keep
	return append(moved, todo...), nil
}

// readInto notes the source each file was read into: the file may be
// rotated before the next look, which then needs to know what was read.
func readInto(ctx context.Context, d *db.DB, files []*followed, reps []Report) error {
	srcs, err := d.Sources(ctx)
	if err != nil {
		return err
	}
	for _, r := range reps {
		i := slices.IndexFunc(srcs, func(s db.Source) bool { return s.ID == r.source })
		for _, f := range files {
			if i >= 0 && f.path == r.Path {
				f.src = srcs[i]
			}
		}
	}
	return nil
}

// identify returns the file at path (nil when there is none) and the
// source it is in the workspace: the one a read of it would carry on.
func identify(ctx context.Context, d *db.DB, path string) (db.Source, os.FileInfo, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return db.Source{}, nil, nil
	}
	if err != nil {
		return db.Source{}, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return db.Source{}, st, err
	}
	head := make([]byte, parse.HeadSize)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return db.Source{}, nil, err
	}
	src := db.Source{Path: path, Size: st.Size(), Mtime: st.ModTime().UnixMicro(), Fingerprint: fingerprint(head[:n])}
	prior, err := priorRead(ctx, d, src, []io.ReaderAt{f}, []string{src.Fingerprint}, false)
	if err != nil || prior == nil {
		return db.Source{}, st, err
	}
	return *prior, st, nil
}

// rotated finds where the content of a named file's source went: the same
// file renamed in its folder, or a copy of it (copytruncate) that holds
// all that was read of it. The source is moved there, to be read on.
func rotated(ctx context.Context, d *db.DB, f *followed, files []*followed) (*followed, error) {
	dir := filepath.Dir(f.path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var best *followed
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() || slices.ContainsFunc(files, func(o *followed) bool { return o.path == path }) {
			continue
		}
		st, err := os.Stat(path)
		if err != nil || st.Size() < f.src.Size {
			continue
		}
		if f.seen != nil && os.SameFile(f.seen, st) {
			best = &followed{path: path, seen: st}
			break // renamed
		}
		if !rotationOf(filepath.Base(f.path), e.Name()) {
			continue // another log that starts the same: not this one's
		}
		same, err := startsAsFile(path, f.src.Fingerprint)
		if err != nil {
			return nil, err
		}
		if same && (best == nil || st.ModTime().After(best.seen.ModTime())) {
			best = &followed{path: path, seen: st}
		}
	}
	if best == nil {
		return nil, nil
	}
	if err := d.MoveSource(ctx, f.src.ID, best.path); err != nil {
		return nil, err
	}
	return best, nil
}

// rotationOf says whether name is a rotated copy's name of the log called
// base: base with a suffix (access.log.1, access.log-20261207) or its stem
// with one (access-20261207.log, logrotate's "extension"). A copy that
// holds all that was read of a log but is named otherwise is another file
// (b.log, a longer copy of a.log, was taken for its rotation).
func rotationOf(base, name string) bool {
	suffixed := func(rest string) bool { return len(rest) > 1 && strings.ContainsRune(".-_", rune(rest[0])) }
	if rest, ok := strings.CutPrefix(name, base); ok && suffixed(rest) {
		return true
	}
	ext := filepath.Ext(base)
	rest, ok := strings.CutPrefix(name, strings.TrimSuffix(base, ext))
	return ok && ext != "" && suffixed(strings.TrimSuffix(rest, ext)) && strings.HasSuffix(rest, ext)
}

func startsAsFile(path, fp string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, nil // gone meanwhile
	}
	defer f.Close()
	return startsAs(f, fp)
}

// watch wakes Follow on any change in the folders of its files (a rotation
// creates and renames files next to them). Without inotify (or past its
// limits) the poll alone does.
func watch(dirs []string, notice func(string)) (<-chan struct{}, func()) {
	wake := make(chan struct{}, 1)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		notice(fmt.Sprintf("no file-change events (%v): looking every second", err))
		return wake, func() {}
	}
	for _, dir := range dirs {
		if err := w.Add(dir); err != nil {
			notice(fmt.Sprintf("no file-change events for %s (%v): looking every second", dir, err))
		}
	}
	go func() {
		for {
			select {
			case _, ok := <-w.Events:
				if !ok {
					return
				}
				select {
				case wake <- struct{}{}:
				default:
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
	return wake, func() { w.Close() }
}
