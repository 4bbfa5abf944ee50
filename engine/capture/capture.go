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
	stats  Stats
}

// handle is the socket a Source reads (afpacket's TPacket).
type handle interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	Close()
}

// ZeroCopyReadPacketData returns the next packet that passes the filter,
// or parse.ErrNoPacket when none came for a while.
func (s *Source) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	for {
		data, ci, err := s.h.ZeroCopyReadPacketData()
		if err != nil {
			return nil, ci, err
		}
		s.stats.Packets++
		if s.filter != nil && !s.filter.Match(s.lt, data) {
			continue
		}
		s.stats.Passed++
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

// Stats are the figures so far; Files is complete once Close returned.
func (s *Source) Stats() Stats { return s.stats }

// Close ends the capture and completes the last pcapng file.
func (s *Source) Close() error {
	s.h.Close()
	if s.w == nil {
		return nil
	}
	err := s.w.close()
	s.stats.Files = s.w.files
	return err
}

// Run reads the interface into the workspace until ctx ends, then commits
// what was read (the queries still waiting as unanswered), completes the
// pcapng files and closes the source. The workspace's source is named
// "capture:IFACE".
func (s *Source) Run(ctx context.Context, d *db.DB, opt ingest.Options) (ingest.Report, error) {
	stream := func(ctx context.Context, out record.Output) (parse.Resume, error) {
		return parse.StreamPackets(ctx, s, s.lt, out)
	}
	rep, err := ingest.Live(ctx, d, "capture:"+s.iface, "live capture", stream, opt)
	return rep, errors.Join(err, s.Close())
}
