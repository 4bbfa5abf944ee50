// Package atomicfile writes a file so that readers, and a crash at any
// moment, see either the old content or the complete new content, never a
// half-written file.
package atomicfile

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes path with what write produces. The data goes to a
// temporary file in the same directory (a rename is only atomic within one
// file system), which is flushed to disk and then renamed over path; the
// directory is synced so the rename itself survives a crash. When write or
// any step fails, the temporary file is removed and path is left as it was.
func WriteFile(path string, write func(io.Writer) error, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
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
	// CreateTemp makes the file 0600; give it the permissions asked for.
	if err = tmp.Chmod(perm); err != nil {
		return err
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
	return syncDir(dir)
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
