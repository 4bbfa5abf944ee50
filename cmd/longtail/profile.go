package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// profiling runs a command under the global --cpuprofile and --memprofile
// flags: a CPU profile of the whole command, and a heap profile taken when
// the live heap was at its highest (looked at every peakLook), which is
// what a peak RSS is made of; a profile taken at the end shows only what
// outlived the command.
type profiling struct {
	cpu, mem string
	cpuFile  *os.File
	stop     chan struct{}
	done     chan struct{}
	peak     []byte // the heap profile at the highest live heap seen
	peakSize uint64
}

// peakLook is how often the live heap is looked at for the memory profile.
const peakLook = 50 * time.Millisecond

// start begins the profiles asked for.
func (p *profiling) start() error {
	if p.cpu != "" {
		f, err := os.Create(p.cpu)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		p.cpuFile = f
	}
	if p.mem != "" {
		runtime.MemProfileRate = 64 << 10 // finer than the default 512 KiB: the scorer's slices are smaller
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.watch()
	}
	return nil
}

// watch keeps the heap profile of the highest live heap until stopped.
func (p *profiling) watch() {
	defer close(p.done)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTicker(peakLook)
	defer t.Stop()
	for {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > p.peakSize {
			var b bytes.Buffer
			if pprof.Lookup("heap").WriteTo(&b, 0) == nil {
				p.peak, p.peakSize = b.Bytes(), v
			}
		}
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

// finish writes the profiles; err is the command's, returned unless it is
// nil and writing a profile failed.
func (p *profiling) finish(err error) error {
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		if cerr := p.cpuFile.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("--cpuprofile: %w", cerr)
		}
	}
	if p.stop != nil {
		close(p.stop)
		<-p.done
		if werr := os.WriteFile(p.mem, p.peak, 0o644); err == nil && werr != nil {
			err = fmt.Errorf("--memprofile: %w", werr)
		}
	}
	return err
}
