//go:build !linux

package capture

import "errors"

// Open says that live capture is not available: it reads AF_PACKET
// sockets, which only Linux has.
func Open(opt Options) (*Source, error) {
	return nil, errors.New("longtail capture reads network interfaces on Linux only")
}
