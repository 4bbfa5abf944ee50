package score

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
)

// BenchmarkIncrementalPass measures one incremental pass after 1,000
// lines were appended to a workspace scored whole: the log
// LONGTAIL_INC_LOG (a `longtail gen http` or `gen logon` output, say)
// but its last 10,000 lines is read and scored whole, then each
// iteration reads the next 1,000 lines of it as a log of their own and
// times the pass after (up to 10 iterations: -benchtime=5x). It reports
// the CPU time (user+sys) of a pass besides its wall time, and the whole
// scoring's wall and CPU time: the machine is shared.
func BenchmarkIncrementalPass(b *testing.B) {
	logPath := os.Getenv("LONGTAIL_INC_LOG")
	if logPath == "" {
		b.Skip("LONGTAIL_INC_LOG names no log")
	}
	text, err := os.ReadFile(logPath)
	if err != nil {
		b.Fatal(err)
	}
	const chunk, chunks = 1000, 10
	lines := strings.SplitAfter(strings.TrimSuffix(string(text), "\n"), "\n")
	if len(lines) < 2*chunk*chunks || b.N > chunks {
		b.Skipf("%d lines and %d iterations: want %d lines or more and %d iterations or fewer", len(lines), b.N, 2*chunk*chunks, chunks)
	}
	ctx := context.Background()
	dir := b.TempDir()
	d, err := db.Open(filepath.Join(dir, "ws.db"), db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	read := func(name string, ls []string) {
		p := filepath.Join(dir, name+filepath.Ext(logPath))
		if err := os.WriteFile(p, []byte(strings.Join(ls, "")), 0o600); err != nil {
			b.Fatal(err)
		}
		if _, err := ingest.Run(ctx, d, []string{p}, ingest.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	head := len(lines) - chunk*chunks
	read("base", lines[:head])
	start, cpu := time.Now(), cpuTime()
	_, base, err := runWhole(ctx, d, d.NewScoreWriter)
	if err != nil {
		b.Fatal(err)
	}
	whole, wholeCPU := time.Since(start), cpuTime()-cpu
	var passCPU time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		read("more"+strconv.Itoa(i), lines[head+i*chunk:head+(i+1)*chunk])
		b.StartTimer()
		cpu := cpuTime()
		var sum Summary
		if sum, base, err = increment(ctx, d, base); err != nil {
			b.Fatal(err)
		}
		passCPU += cpuTime() - cpu
		b.Logf("%s", sum)
	}
	b.ReportMetric(float64(whole.Milliseconds()), "whole-ms")
	b.ReportMetric(float64(wholeCPU.Milliseconds()), "whole-cpu-ms")
	b.ReportMetric(float64(passCPU.Milliseconds())/float64(b.N), "cpu-ms/op")
}
