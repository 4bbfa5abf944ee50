package parse

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/longtail/longtail/engine/record"
)

// Live packets: a network interface is decoded by the same code as a
// capture file (runCapture), fed from a PacketSource instead of a file.

// PacketSource hands over the packets read from a network interface, as
// gopacket's ZeroCopyPacketDataSource does (the data is valid until the
// next read). It returns ErrNoPacket when a wait for one timed out, so
// that the read can commit what it holds and see that it was stopped.
type PacketSource interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// ErrNoPacket is what a PacketSource returns when no packet came in time.
var ErrNoPacket = errors.New("no packet came in time")

// StreamPackets decodes the DNS and HTTP in the packets of src, whose
// frames are of link type lt, until ctx ends or src fails (any error but
// ErrNoPacket ends the read and is returned). When ctx ends, the packets
// src still holds that came before are read first: a stop loses none of
// them. Queries and requests still waiting for their answer at the end
// are emitted unanswered. The records' lines are packet numbers, their
// offsets the bytes of the packets before them.
func StreamPackets(ctx context.Context, src PacketSource, lt layers.LinkType, out record.Output) (Resume, error) {
	var seen, last int64 // bytes of the packets read, before the last one
	var stop int64       // unix µs when ctx ended; 0 before
	var failed error
	next := func(p *capPacket) error {
		seen, last = seen+last, 0
		if stop == 0 && ctx.Err() != nil {
			stop = time.Now().UnixMicro()
		}
		data, ci, err := src.ZeroCopyReadPacketData()
		switch {
		case err == ErrNoPacket && stop != 0:
			return io.EOF // stopped, and nothing more came before
		case err == ErrNoPacket:
			return err
		case err != nil:
			failed = err
			return io.EOF
		}
		last = int64(len(data))
		p.data, p.cut, p.lt, p.off = data, ci.CaptureLength < ci.Length, lt, seen
		p.time = ci.Timestamp.UnixMicro()
		if ci.Timestamp.IsZero() {
			p.time = time.Now().UnixMicro()
		}
		if stop != 0 && p.time > stop {
			return io.EOF // came after the stop
		}
		return nil
	}
	end, _ := runCapture(ctx, capSource{next: next, consumed: func() int64 { return seen + last }, live: true}, Done(Position{}), out)
	return end, failed
}

// idle is a live capture's wait with no packet: the clock moves on, so
// queries and requests that will not be answered any more are emitted.
func (c *capture) idle() {
	c.now = time.Now().UnixMicro()
	c.expire()
	if h := c.http; h != nil && c.now >= h.nextFlush {
		h.flushIdle()
	}
}
