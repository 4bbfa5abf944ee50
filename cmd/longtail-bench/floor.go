package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// The Go in-memory floor: the least a program can do to count the names
// of the CSV (scan it, split out the name field, count in a map, on the
// machine's 2 cores). Issue 15 sets longtail's first load against it. It
// runs in a process of its own (the bench started again with -floor) so
// that its peak RSS is its own.

// floorWorkers is the goroutines of the floor: the machine's 2 cores, as
// the reference figure was measured with.
const floorWorkers = 2

// floor times the floor on logPath in a process of its own and sets
// longtail's first load (first, firstRSS) against it. It returns the
// floor's "lines distinct" for DuckDB's to be checked against.
func floor(logPath string, first time.Duration, firstRSS int64) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	var out strings.Builder
	cmd := exec.Command(self, "-floor", logPath)
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	wall, rss, err := timedCmd(cmd)
	if err != nil {
		return "", fmt.Errorf("the Go floor: %w", err)
	}
	fmt.Printf("\nGo in-memory floor (scan, split out the name, count in a map; %d goroutines)\n", floorWorkers)
	fmt.Printf("  wall            %8.2f s\n", wall.Seconds())
	fmt.Printf("  peak RSS        %8.0f MB\n", float64(rss)/1e6)
	meet("first load ÷ Go floor", ratio(first.Seconds()/wall.Seconds()), "≤ 2×", first <= 2*wall)
	meet("first load peak RSS", mb(firstRSS), "≤ 400 MB", firstRSS <= 400e6)
	return strings.TrimSpace(out.String()), nil
}

// runFloor is the bench started with -floor: it counts path and prints
// "lines distinct" for the bench to check against DuckDB's.
func runFloor(path string) error {
	counts, err := floorCount(path, floorWorkers)
	if err != nil {
		return err
	}
	var lines int64
	for _, n := range counts {
		lines += n
	}
	fmt.Println(lines, len(counts))
	return nil
}

// floorCount counts the second comma-separated field of every line of
// path (the name of the OpenDNS CSV), each of workers goroutines counting
// its own part of the file into its own map; the maps are merged at the
// end.
func floorCount(path string, workers int) (map[string]int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	size := st.Size()
	parts := make([]map[string]*int64, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i], errs[i] = floorPart(path, size*int64(i)/int64(workers), size*int64(i+1)/int64(workers))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	all := map[string]int64{}
	for _, p := range parts {
		for name, n := range p {
			all[name] += *n
		}
	}
	return all, nil
}

// floorPart counts the lines that start in [from, to) of path: a part
// that starts inside a line leaves that line to the part before it.
func floorPart(path string, from, to int64) (map[string]*int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pos := from
	if from > 0 {
		pos = from - 1 // the byte before: a '\n' there means a line starts at from
	}
	if _, err := f.Seek(pos, io.SeekStart); err != nil {
		return nil, err
	}
	r := bufio.NewReaderSize(f, 1<<20)
	if from > 0 {
		skipped, err := r.ReadSlice('\n')
		pos += int64(len(skipped))
		switch {
		case err == io.EOF:
			return nil, nil // no line starts in this part
		case err != nil:
			return nil, fmt.Errorf("%s at byte %d: %w", path, pos, err)
		}
	}
	counts := map[string]*int64{}
	for pos < to {
		line, err := r.ReadSlice('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s at byte %d: %w", path, pos, err)
		}
		if len(line) == 0 {
			break
		}
		pos += int64(len(line))
		name := line
		if i := bytes.IndexByte(name, ','); i >= 0 {
			name = name[i+1:]
			if j := bytes.IndexByte(name, ','); j >= 0 {
				name = name[:j]
			} else {
				name = bytes.TrimSuffix(name, []byte{'\n'})
			}
		} else {
			name = nil
		}
		// Through a pointer: m[string(b)]++ and m[string(b)] = n
		// allocate the key every time, a lookup does not.
		if n := counts[string(name)]; n != nil {
			*n++
		} else {
			n = new(int64)
			*n = 1
			counts[string(name)] = n
		}
		if err != nil {
			break
		}
	}
	return counts, nil
}
