// Package atomicfile writes a file so that readers, and a crash at any
// moment, see either the old content or the complete new content, never a
// half-written file.
package atomicfile

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WriteFile writes path with what write produces. The data goes to a
// temporary file in the same directory (a rename is only atomic within one
// file system), which is flushed to disk and then renamed over path; the
// directory is synced so the rename itself survives a crash.
//
// The file keeps the mode and, where the process may set it, the owner of
// the file it replaces, so a zone the resolver's user reads stays readable
// by it and an export an operator made private stays private; a new file
// gets perm less the process's umask, as os.Create does. A symbolic link
// is followed: its target is replaced, and the link stays. A device or a
// FIFO (/dev/stdout, a pipe) cannot be replaced by a rename and is written
// into directly. When write or any step fails, or write panics, the
// temporary file is removed and path is left as it was.
func WriteFile(path string, write func(io.Writer) error, perm os.FileMode) (err error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	fi, statErr := os.Stat(path)
	switch {
	case statErr == nil && fi.IsDir():
		return &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory")}
	case statErr == nil && !fi.Mode().IsRegular():
		return writeInto(path, write)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	mode, replace := perm, statErr == nil
	if replace {
		mode = fi.Mode().Perm()
	}
	tmp, err := createTemp(dir, base, mode)
	if err != nil {
		return asPath(err, path)
	}
	defer func() { err = asPath(err, path) }()
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	// The umask applied when the file was made; an existing file's mode is
	// kept exactly, so it is set again past the umask.
	if replace {
		if err = tmp.Chmod(mode); err != nil {
			return err
		}
		if err = keepOwner(tmp, fi); err != nil {
			return err
		}
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	done = true
	return syncDir(dir)
}

// asPath names path in an error about the temporary file it is written
// through: "open /nonexistent/dir/x.hosts: no such file or directory",
// not a ".x.hosts.tmp-5fa380c3e4d5" whoever asked for path never typed.
func asPath(err error, path string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(filepath.Base(pe.Path), ".tmp-") {
		return &fs.PathError{Op: pe.Op, Path: path, Err: pe.Err}
	}
	return err
}

// createTemp makes a new, exclusive temporary file ".base.tmp-XXXX" in dir
// with mode less the umask. os.CreateTemp would make it 0600 whatever the
// umask says, and a later chmod could not tell what the umask was.
func createTemp(dir, base string, mode os.FileMode) (*os.File, error) {
	for range 100 {
		var r [6]byte
		if _, err := rand.Read(r[:]); err != nil {
			return nil, err
		}
		name := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(r[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, "."+base+".tmp-*"), Err: fs.ErrExist}
}

// writeInto writes to an existing file that is not a regular one.
func writeInto(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	// Some file systems cannot fsync a directory; the rename is done
	// either way, so only a real I/O error is worth reporting.
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		d.Close()
		return err
	}
	return d.Close()
}
