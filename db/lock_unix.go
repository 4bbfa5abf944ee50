//go:build unix

package db

import (
	"errors"
	"os"
	"syscall"
)

// ingestLock is held by the process that ingests into a workspace. The
// kernel drops it when that process dies, which is how Open tells a running
// ingest (leave its half-written aggregates alone) from a dead one (rebuild
// them).
type ingestLock struct{ f *os.File }

var errLocked = errors.New("locked")

func lockIngest(path string) (*ingestLock, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return &ingestLock{f}, nil
}

func (l *ingestLock) release() {
	if l != nil {
		syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		l.f.Close()
	}
}
