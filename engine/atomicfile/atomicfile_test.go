package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// dirEntries lists dir so a test can see that no temporary file is left.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, writeString("new\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "new\n" {
		t.Fatalf("content %q, %v", got, err)
	}
	// An export an operator made private stays private.
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("perm %v, want the replaced file's 0600", fi.Mode().Perm())
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only out.txt", names)
	}
}

func TestWriteFileFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	}, 0o644)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old\n" {
		t.Errorf("old file changed to %q", got)
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Errorf("temporary file left behind: %v", names)
	}
}

func TestWriteFileNewFileAndBadDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fresh.txt")
	if err := WriteFile(path, writeString("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "x" {
		t.Errorf("content %q", got)
	}
	if err := WriteFile(filepath.Join(dir, "missing", "f.txt"), writeString("x"), 0o600); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestWriteFileHonoursTheUmask(t *testing.T) {
	for _, tc := range []struct{ umask, want os.FileMode }{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o664}} {
		old := syscall.Umask(int(tc.umask))
		path := filepath.Join(t.TempDir(), "new.txt")
		err := WriteFile(path, writeString("x"), 0o666)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != tc.want {
			t.Errorf("umask %03o: perm %v, want %v", tc.umask, fi.Mode().Perm(), tc.want)
		}
	}
}

func TestWriteFileLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	// A panic in write.
	func() {
		defer func() { recover() }()
		WriteFile(filepath.Join(dir, "a.txt"), func(w io.Writer) error { panic("boom") }, 0o666)
	}()
	// A rename that fails: the target is a directory.
	if err := os.Mkdir(filepath.Join(dir, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "b"), writeString("x"), 0o666); err == nil {
		t.Error("writing over a directory succeeded")
	}
	if names := dirEntries(t, dir); len(names) != 1 || names[0] != "b" {
		t.Errorf("directory holds %v, want only b", names)
	}
}

// TestWriteFileKeepsTheOwner: a zone the resolver's user owns stays its
// own when root replaces it (skipped when not root: only root may chown).
func TestWriteFileKeepsTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user")
	}
	path := filepath.Join(t.TempDir(), "zone")
	if err := os.WriteFile(path, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 101, 102); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, writeString("new"), 0o666); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 101 || st.Gid != 102 || fi.Mode().Perm() != 0o640 {
		t.Errorf("owner %d:%d mode %v, want 101:102 0640", st.Uid, st.Gid, fi.Mode().Perm())
	}
}

// TestWriteFileFollowsLinksAndWritesIntoDevices: -o through a symlink
// replaces its target and keeps the link; -o /dev/null (or a FIFO, or
// /dev/stdout) is written into, never replaced by a regular file.
func TestWriteFileFollowsLinksAndWritesIntoDevices(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target"), filepath.Join(dir, "link")
	os.WriteFile(target, []byte("old"), 0o600)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, writeString("new"), 0o666); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target holds %q", b)
	}
	null := filepath.Join(dir, "null")
	if err := os.Symlink(os.DevNull, null); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(null, writeString("x"), 0o666); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(os.DevNull); fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a device", os.DevNull)
	}
	if names := dirEntries(t, dir); len(names) != 3 {
		t.Errorf("directory holds %v", names)
	}
}

// An error names the file asked for, not the temporary file it is
// written through, which whoever asked never typed.
func TestAnErrorNamesThePathAsked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "x.hosts")
	err := WriteFile(path, func(io.Writer) error { return nil }, 0o644)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != path {
		t.Errorf("WriteFile into a missing directory: %v", err)
	}
}
