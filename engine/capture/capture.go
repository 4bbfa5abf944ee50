// Package capture reads DNS and HTTP from a network interface into the
// workspace, without cgo: packets come from an AF_PACKET socket with a
// memory-mapped ring (gopacket's afpacket), pass the built-in filter
// (filter.go), are kept in rotating pcapng files when asked (pcapng.go)
// and are decoded by the same code as a capture file (parse.StreamPackets)
// into an ingest of their own (ingest.Live), committed every second.
//
// Linux only: elsewhere Open says that live capture is not available.
// Opening the socket needs root or CAP_NET_RAW.
package capture

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
)

// Options say what to capture and where to keep it.
type Options struct {
	Interface string
	Filter    *Filter // nil: every packet
	// Dir, when set, is where the packets that pass the filter are
	// written, in pcapng files of at most RotateBytes each.
	Dir         string
	RotateBytes int64 // DefaultRotate when 0
}

// ErrPermission is wrapped by Open's error when the socket was refused.
var ErrPermission = errors.New("capture needs root or CAP_NET_RAW")

// Stats are a capture's figures.
type Stats struct {
	Packets int64    // read from the interface
	Passed  int64    // passed the filter
	Dropped int64    // dropped by the kernel: the ring was full
	Files   []string // pcapng files written
}

// Source is an open interface: a parse.PacketSource that applies the
// filter and writes what passes to the pcapng files.
type Source struct {
	iface  string
	h      handle
	lt     layers.LinkType
	filter *Filter
	w      *rotator // nil: none kept
	// Counts, read while the capture runs (Stats).
	packets, passed, dropped atomic.Int64
	closed                   atomic.Bool
	files                    []string // the pcapng files written, once closed
}

// handle is the socket a Source reads (afpacket's TPacket).
type handle interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	Close()
	dropped() int64 // packets the kernel dropped so far (-1: cannot tell)
}

// ZeroCopyReadPacketData returns the next packet that passes the filter,
// or parse.ErrNoPacket when none came for a while.
func (s *Source) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	for {
		data, ci, err := s.h.ZeroCopyReadPacketData()
		if err != nil {
			return nil, ci, err
		}
		s.packets.Add(1)
		if s.filter != nil && !s.filter.Match(s.lt, data) {
			continue
		}
		s.passed.Add(1)
		if s.w != nil {
			if err := s.w.write(ci, data); err != nil {
				return nil, ci, fmt.Errorf("writing the capture file: %w", err)
			}
		}
		return data, ci, nil
	}
}

// LinkType is the link type of the interface's frames.
func (s *Source) LinkType() layers.LinkType { return s.lt }

// Stats are the figures so far, safe to read while the capture runs;
// Files is set once Close returned.
func (s *Source) Stats() Stats {
	if !s.closed.Load() {
		s.countDrops()
	}
	return Stats{Packets: s.packets.Load(), Passed: s.passed.Load(), Dropped: s.dropped.Load(), Files: s.files}
}

func (s *Source) countDrops() {
	if n := s.h.dropped(); n >= 0 {
		s.dropped.Store(n)
	}
}

// Close ends the capture and completes the last pcapng file.
func (s *Source) Close() error {
	s.countDrops()
	s.closed.Store(true)
	s.h.Close()
	if s.w == nil {
		return nil
	}
	err := s.w.close()
	s.files = s.w.files
	return err
}

// Run reads the interface into the workspace until ctx ends, then commits
// what was read (the queries still waiting as unanswered), completes the
// pcapng files and closes the source. The workspace's source is named
// "capture:IFACE".
func (s *Source) Run(ctx context.Context, d *db.DB, opt ingest.LiveOptions) (ingest.Report, error) {
	stream := func(ctx context.Context, out record.Output) (parse.Resume, error) {
		return parse.StreamPackets(ctx, s, s.lt, out)
	}
	rep, err := ingest.Live(ctx, d, "capture:"+s.iface, "live capture", stream, opt)
	return rep, errors.Join(err, s.Close())
}
