package main

import (
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/engine/ingest"
)

// While files are read the line tells how far and how fast; once they are
// read it says what the remaining seconds go to, not a stalled 100%.
func TestProgressLine(t *testing.T) {
	c := &ingest.Counters{}
	c.File.Store("/var/log/dns.csv")
	c.Size.Store(1 << 30)
	c.Bytes.Store(1 << 29)
	c.Events.Store(10_000_000)
	reading := progressLine(c, 5*time.Second, 0)
	for _, want := range []string{"/var/log/dns.csv", "512.0 MB / 1.00 GB", "ETA 5s", "2.00M events/s"} {
		if !strings.Contains(reading, want) {
			t.Errorf("reading: %q lacks %q", reading, want)
		}
	}

	c.Bytes.Store(1 << 30)
	c.Events.Store(20_000_000)
	c.Finishing.Store(true)
	line := ingestProgress(c)
	line(9 * time.Second) // the first tick that sees the files read
	finishing := line(12 * time.Second)
	if want := "20.00M events read in 9s  writing the aggregates and indexes  3s"; finishing != want {
		t.Errorf("finishing: %q, want %q", finishing, want)
	}
}
