package capture

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/longtail/longtail/engine/parse"
)

// pollTimeout is the longest a read waits for a packet: a stop, and the
// commit of what was read, wait at most that long on a quiet interface.
const pollTimeout = 250 * time.Millisecond

// ring is the socket's ring buffer: blocks of packets the kernel fills
// while the decoder catches up (16 MiB in all).
const (
	ringBlock  = 1 << 20
	ringBlocks = 16
)

// Open opens the interface for capture.
func Open(opt Options) (*Source, error) {
	lt, loopback, err := linkType(opt.Interface)
	if err != nil {
		return nil, err
	}
	h, err := afpacket.NewTPacket(
		afpacket.OptInterface(opt.Interface),
		afpacket.OptPollTimeout(pollTimeout),
		afpacket.OptBlockSize(ringBlock),
		afpacket.OptNumBlocks(ringBlocks),
		afpacket.OptFrameSize(1<<16),
		afpacket.OptAddVLANHeader(true),
	)
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return nil, fmt.Errorf("%w: opening a packet socket on %s was refused (run it as root, or give the binary the capability: setcap cap_net_raw+ep longtail)", ErrPermission, opt.Interface)
	}
	if err != nil {
		return nil, fmt.Errorf("capture on %s: %w", opt.Interface, err)
	}
	if loopback {
		if err := h.SetBPF(dropOutgoing); err != nil {
			h.Close()
			return nil, fmt.Errorf("capture on %s: %w", opt.Interface, err)
		}
	}
	s := &Source{iface: opt.Interface, h: tpacket{h}, lt: lt, filter: opt.Filter}
	if opt.Dir != "" {
		name := opt.Interface
		if opt.Filter != nil {
			name += " (" + opt.Filter.String() + ")"
		}
		if s.w, err = newRotator(opt.Dir, opt.Interface, opt.RotateBytes, lt, name); err != nil {
			h.Close()
			return nil, err
		}
	}
	return s, nil
}

// dropOutgoing is a socket filter that drops the packets the host sends
// (PACKET_OUTGOING) and keeps whole every other. A packet socket on a
// loopback interface sees each packet twice, as it leaves and as it
// arrives: capture there keeps the arriving copy only, else every query
// and answer is stored twice. Elsewhere the host's own outgoing traffic
// (its queries to a resolver) is what is wanted, and no filter is set.
// afpacket gives no access to the packet type, so the kernel filters; the
// packets queued between the socket's bind and this filter (microseconds)
// are not filtered.
var dropOutgoing = mustAssemble(
	bpf.LoadExtension{Num: bpf.ExtType},
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_OUTGOING, SkipTrue: 1},
	bpf.RetConstant{Val: math.MaxUint32},
	bpf.RetConstant{Val: 0},
)

func mustAssemble(prog ...bpf.Instruction) []bpf.RawInstruction {
	raw, err := bpf.Assemble(prog)
	if err != nil {
		panic(err)
	}
	return raw
}

// linkType is the link type of an interface's frames, from its ARPHRD
// type (the family of its hardware address), and whether it is a
// loopback interface. It asks the kernel rather than sysfs, which shows
// the interfaces of the network namespace it was mounted in, not always
// the caller's.
func linkType(iface string) (lt layers.LinkType, loopback bool, err error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, false, err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(iface)
	if err == nil {
		err = unix.IoctlIfreq(fd, unix.SIOCGIFHWADDR, ifr)
	}
	if err != nil {
		return 0, false, fmt.Errorf("no network interface %q (ip link lists them): %w", iface, err)
	}
	switch t := ifr.Uint16(); t {
	case unix.ARPHRD_ETHER:
		return layers.LinkTypeEthernet, false, nil
	case unix.ARPHRD_LOOPBACK: // loopback frames are Ethernet's too
		return layers.LinkTypeEthernet, true, nil
	case unix.ARPHRD_NONE, unix.ARPHRD_IPGRE: // tun, GRE: bare IP
		return layers.LinkTypeRaw, false, nil
	default:
		return 0, false, fmt.Errorf("interface %s is of ARPHRD type %d, whose frames longtail does not decode", iface, t)
	}
}

// tpacket turns afpacket's timeout into parse.ErrNoPacket.
type tpacket struct{ *afpacket.TPacket }

func (t tpacket) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	data, ci, err := t.TPacket.ZeroCopyReadPacketData()
	if errors.Is(err, afpacket.ErrTimeout) {
		err = parse.ErrNoPacket
	}
	return data, ci, err
}

func (t tpacket) dropped() int64 {
	v2, v3, err := t.SocketStats()
	if err != nil {
		return -1
	}
	return int64(v2.Drops() + v3.Drops())
}
