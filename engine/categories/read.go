package categories

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/longtail/longtail/engine/lists"
	"github.com/longtail/longtail/engine/rules"
)

// Layouts a category source is read from.
const (
	// UT1 is the UT1 blacklists: a folder (or its .tar.gz) of one folder
	// per category with a domains file (blacklists/adult/domains), or of
	// one NAME.domains file per category; or one such file.
	UT1 = "ut1"
	// Named is any list longtail reads (plain, hosts, adblock...) whose
	// every name gets the category given on the command line.
	Named = "list"
)

// FileInfo is what one file of a source gave.
type FileInfo struct {
	Category string
	File     string // its path in the folder or archive
	lists.Info
	Err error // the file gave nothing usable (an empty category): not fatal
	// Exceptions are entries that say a name is fine (adblock's @@): not
	// of the category.
	Exceptions int
}

// Info is what reading a source gave.
type Info struct {
	Layout string
	Files  []FileInfo
	// Ignored are files of a UT1 folder that are no category's domains
	// (urls, expressions, READMEs, usage).
	Ignored int
	Dated   string // the newest file's date (YYYY-MM-DD), when known
}

// sum adds a count of every file.
func (i Info) sum(of func(FileInfo) int) (n int) {
	for _, f := range i.Files {
		n += of(f)
	}
	return n
}

// Lines sums the files' lines.
func (i Info) Lines() int { return i.sum(func(f FileInfo) int { return f.Lines }) }

// Entries sums the files' entries.
func (i Info) Entries() int { return i.sum(func(f FileInfo) int { return f.Entries }) }

// Skipped sums the files' skipped lines.
func (i Info) Skipped() int { return i.sum(func(f FileInfo) int { return f.SkippedTotal }) }

func (i Info) exceptions() int { return i.sum(func(f FileInfo) int { return f.Exceptions }) }

// AddFunc receives each name with its category.
type AddFunc func(name, category string) error

// IsUT1 says whether path is read as the UT1 layout: a folder, a .tar.gz
// or .tgz, or a file named domains or NAME.domains (optionally .gz).
func IsUT1(p string) bool {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return true
	}
	base := strings.TrimSuffix(filepath.Base(p), ".gz")
	return strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz") || base == "domains" || strings.HasSuffix(base, ".domains")
}

// Origin names a source in the workspace: its base name, with the folder
// above for a bare domains file (blacklists/adult/domains is
// "adult/domains", not one "domains" shared by every category).
func Origin(p string) string {
	base := filepath.Base(p)
	if strings.TrimSuffix(base, ".gz") == "domains" {
		return filepath.Base(filepath.Dir(p)) + "/" + base
	}
	return base
}

// Read reads the source at p. With category set, p is one list of any
// format longtail reads and every name gets that category; else p is in
// the UT1 layout (IsUT1). fn gets every name, with its category.
func Read(p, category string, fn AddFunc) (Info, error) {
	if category != "" {
		info := Info{Layout: Named}
		f, err := os.Open(p)
		if err != nil {
			return info, err
		}
		defer f.Close()
		info.Dated = dateOf(f)
		fi, err := readList(f, category, p, fn)
		info.Files = append(info.Files, fi)
		if err == nil {
			err = fi.Err
		}
		return info, err
	}
	info := Info{Layout: UT1}
	st, err := os.Stat(p)
	switch {
	case err != nil:
		return info, err
	case st.IsDir():
		err = readDir(p, &info, fn)
	case strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz"):
		var f *os.File
		if f, err = os.Open(p); err != nil {
			return info, err
		}
		defer f.Close()
		info.Dated = dateOf(f)
		err = ReadTar(f, &info, fn)
	default:
		cat, ok := categoryOf(p)
		if !ok {
			return info, fmt.Errorf("%s: not a UT1 category file (NAME.domains or NAME/domains): give --category", p)
		}
		err = readFile(p, cat, p, &info, fn)
	}
	if err == nil && len(info.Files) == 0 {
		err = errors.New("no category in it: a UT1 folder holds NAME/domains or NAME.domains files")
	}
	return info, err
}

// categoryOf names the category of a file in the UT1 layout: adult for
// adult/domains (or domains.gz) and for adult.domains; ok is false for
// any other file.
func categoryOf(p string) (string, bool) {
	base := strings.TrimSuffix(path.Base(filepath.ToSlash(p)), ".gz")
	var name string
	switch {
	case base == "domains":
		name = path.Base(path.Dir(filepath.ToSlash(p)))
	case strings.HasSuffix(base, ".domains"):
		name = strings.TrimSuffix(base, ".domains")
	default:
		return "", false
	}
	return name, validCategory(name)
}

// validCategory keeps category names to what a column and a flag show
// plainly.
func validCategory(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// CheckCategory refuses a category name the analyst typed that a list
// could not show plainly.
func CheckCategory(s string) error {
	if !validCategory(s) {
		return fmt.Errorf("category %q: use lower-case letters, digits, - _ or . (at most 40)", s)
	}
	return nil
}

func readDir(root string, info *Info, fn AddFunc) error {
	var paths []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(paths)
	for _, p := range paths {
		cat, ok := categoryOf(p)
		if !ok {
			info.Ignored++
			continue
		}
		if st, err := os.Stat(p); err == nil {
			if d := st.ModTime().UTC().Format("2006-01-02"); d > info.Dated {
				info.Dated = d
			}
		}
		rel, _ := filepath.Rel(root, p)
		if err := readFile(p, cat, rel, info, fn); err != nil {
			return err
		}
	}
	return nil
}

func readFile(p, cat, name string, info *Info, fn AddFunc) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(p, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			info.Files = append(info.Files, FileInfo{Category: cat, File: name, Err: err})
			return nil
		}
		defer z.Close()
		r = z
	}
	fi, err := readList(r, cat, name, fn)
	info.Files = append(info.Files, fi)
	return err
}

// readList reads one list with the list readers of engine/lists. A list
// with nothing usable in it, or that is no list of names (a README), is
// noted in its FileInfo, not fatal: UT1 has categories of one name, or
// none. The error is fn's or a read error.
func readList(r io.Reader, cat, name string, fn AddFunc) (FileInfo, error) {
	fi := FileInfo{Category: cat, File: name}
	var err error
	fi.Info, err = lists.Stream(r, func(e lists.Entry) error {
		if e.Verdict == rules.Good {
			fi.Exceptions++
			return nil
		}
		return fn(e.Name, cat)
	})
	if errors.Is(err, lists.ErrNothingUsable) || errors.Is(err, lists.ErrNotNames) {
		fi.Err, err = err, nil
	}
	return fi, err
}

// ReadTar reads a UT1 archive (blacklists.tar.gz): every
// blacklists/NAME/domains entry, or NAME.domains, is a category.
func ReadTar(r io.Reader, info *Info, fn AddFunc) error {
	z, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("not a .tar.gz: %w", err)
	}
	defer z.Close()
	tr := tar.NewReader(z)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		cat, ok := categoryOf(h.Name)
		if !ok {
			info.Ignored++
			continue
		}
		var body io.Reader = tr
		if strings.HasSuffix(h.Name, ".gz") {
			gz, err := gzip.NewReader(tr)
			if err != nil {
				info.Files = append(info.Files, FileInfo{Category: cat, File: h.Name, Err: err})
				continue
			}
			body = gz
		}
		fi, err := readList(body, cat, h.Name, fn)
		info.Files = append(info.Files, fi)
		if err != nil {
			return err
		}
	}
	return nil
}

// dateOf is a file's modification date, the best a plain list says of
// when it was made.
func dateOf(f *os.File) string {
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	return st.ModTime().UTC().Format("2006-01-02")
}
