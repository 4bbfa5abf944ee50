package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// recorder passes what is written to w on and keeps its lines: the report
// of the ingest before the review screen, which the screen's messages show
// once the terminal is the screen's. A progress line (redrawn after \r,
// then erased) is not kept.
type recorder struct {
	w     io.Writer
	buf   []byte
	lines []string
}

func (r *recorder) Write(p []byte) (int, error) {
	r.buf = append(r.buf, p...)
	for {
		i := bytes.IndexByte(r.buf, '\n')
		if i < 0 {
			break
		}
		line := string(r.buf[:i])
		r.buf = r.buf[i+1:]
		if j := strings.LastIndexByte(line, '\r'); j >= 0 {
			line = line[j+1:]
		}
		if line = strings.TrimRight(ansi.Strip(line), " "); strings.TrimSpace(line) != "" {
			r.lines = append(r.lines, line)
		}
	}
	return r.w.Write(p)
}

// Terminal is where a progress line goes: the writer itself, whose being a
// terminal decides whether one is drawn.
func (r *recorder) Terminal() io.Writer { return r.w }

// problem is the one line the screen opens with after an ingest that did
// not go clean: a file that gave nothing, lines skipped.
func (r *recorder) problem(unusable bool) string {
	skipped := false
	for _, l := range r.lines {
		skipped = skipped || strings.HasPrefix(strings.TrimSpace(l), "skipped ")
	}
	switch {
	case unusable:
		return "a file gave nothing usable: ! shows the ingest's report"
	case skipped:
		return "lines skipped: ! shows which and why"
	}
	return ""
}
