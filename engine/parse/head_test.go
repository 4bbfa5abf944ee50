package parse

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// longFirstLines are access logs whose first line is longer than
// HeadSize: a 70 KB query string, a 70 KB user agent.
func longFirstLines() map[string]string {
	long := strings.Repeat("a", 70_000)
	next := `198.51.100.7 - - [10/Oct/2023:13:55:37 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0"` + "\n"
	return map[string]string{
		"query":      `203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] "GET /search?q=` + long + ` HTTP/1.1" 414 0 "-" "curl/8.0"` + "\n" + next,
		"user agent": `203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 9 "-" "` + long + `"` + "\n" + next,
	}
}

// A first line longer than HeadSize (but within MaxLine, which a line is
// read up to) does not make the file an unknown format: the head goes on
// to its end.
func TestHeadOfLongFirstLine(t *testing.T) {
	for name, text := range longFirstLines() {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(text))
		zw.Close()
		for how, raw := range map[string][]byte{"plain": []byte(text), "gzipped": gz.Bytes()} {
			br, head, err := Head(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s, %s: %v", name, how, err)
			}
			f, err := Detect(head)
			if err != nil || f.Name != "access-log" {
				t.Errorf("%s, %s: detected %q, %v, on a head of %d bytes", name, how, f.Name, err, len(head))
				continue
			}
			// The stream is still at its start: the ingest reads all of it.
			all, err := io.ReadAll(br)
			if err != nil || string(all) != text {
				t.Fatalf("%s, %s: read %d bytes, %v", name, how, len(all), err)
			}
			if out := parseText(t, f.Name, all); len(out.http) != 2 || len(out.skips) != 0 {
				t.Errorf("%s, %s: %d requests, skips %+v", name, how, len(out.http), out.skips)
			}
		}
	}
}

// errPipeWait stands for a pipe with nothing more to read yet: PeekHead
// must not ask for it once the first line is whole.
var errPipeWait = errors.New("waited on the pipe")

// PeekHead reads a long first line as it comes, in small reads, and stops
// at its end; a head whose first line fits is HeadSize bytes, as before.
func TestPeekHead(t *testing.T) {
	line := longFirstLines()["query"]
	line = line[:strings.IndexByte(line, '\n')+1]
	r := iotest.OneByteReader(io.MultiReader(strings.NewReader(line), iotest.ErrReader(errPipeWait)))
	head, err := PeekHead(bufio.NewReaderSize(r, MaxLine))
	if err != nil || string(head) != line {
		t.Errorf("head of %d bytes, %v; want the %d bytes of the line", len(head), err, len(line))
	}
	// The buffer bounds the head: a small one cannot hold the line.
	if head, _ := PeekHead(bufio.NewReaderSize(strings.NewReader(line), HeadSize)); len(head) != HeadSize {
		t.Errorf("head of %d bytes from a buffer of HeadSize", len(head))
	}
	short := strings.Repeat("x\n", HeadSize)
	if head, err := PeekHead(bufio.NewReaderSize(strings.NewReader(short), MaxLine)); err != nil || len(head) != HeadSize {
		t.Errorf("head of %d bytes, %v, of short lines", len(head), err)
	}
}
