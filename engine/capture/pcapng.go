package capture

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// DefaultRotate is the size at which a pcapng file is closed and the next
// one started.
const DefaultRotate = 100 << 20

// rotator writes packets to pcapng files in a folder, a new one each time
// the current one reaches its size: capture-IFACE-TIME-N.pcapng, readable
// by the owner only (packets hold whatever crossed the wire).
type rotator struct {
	dir, iface string
	limit      int64
	intf       pcapgo.NgInterface
	start      string // the capture's start, in every file's name
	f          *os.File
	n          countWriter
	w          *pcapgo.NgWriter
	files      []string
}

func newRotator(dir, iface string, limit int64, lt layers.LinkType, desc string) (*rotator, error) {
	if limit <= 0 {
		limit = DefaultRotate
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	intf := pcapgo.DefaultNgInterface
	intf.Name, intf.Description, intf.LinkType = iface, desc, lt
	intf.TimestampResolution = 9 // nanoseconds
	r := &rotator{dir: dir, iface: iface, limit: limit, intf: intf, start: time.Now().UTC().Format("20060102T150405Z")}
	return r, r.next()
}

// next closes the current file and starts the next.
func (r *rotator) next() error {
	if err := r.close(); err != nil {
		return err
	}
	path := filepath.Join(r.dir, fmt.Sprintf("capture-%s-%s-%04d.pcapng", r.iface, r.start, len(r.files)+1))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	r.f, r.n = f, countWriter{w: f}
	r.files = append(r.files, path)
	// NgWriter buffers in a bufio.Writer of its own; its Flush at close
	// writes the rest.
	r.w, err = pcapgo.NewNgWriterInterface(&r.n, r.intf, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "longtail capture"}})
	return err
}

// write writes one packet, starting a new file when this one is full.
func (r *rotator) write(ci gopacket.CaptureInfo, data []byte) error {
	if r.n.n >= r.limit {
		if err := r.next(); err != nil {
			return err
		}
	}
	ci.InterfaceIndex, ci.AncillaryData = 0, nil // the file's one interface
	return r.w.WritePacket(ci, data)
}

// close completes the current file.
func (r *rotator) close() error {
	if r.f == nil {
		return nil
	}
	err := r.w.Flush()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	r.f, r.w = nil, nil
	return err
}

// countWriter counts the bytes that reach the file, which is what the
// rotation size is of (the writer's buffer not included).
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
