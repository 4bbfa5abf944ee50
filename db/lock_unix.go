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

// ingestRunning reports whether a process holds the ingest lock of the
// workspace at path. It creates nothing: a reader on read-only storage
// asks too.
func ingestRunning(path string) bool {
	f, err := os.Open(path + ".lock")
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// dirWritable says why files cannot be created in dir (a read-only mount
// binds root too; permissions bind the others), nil when they can.
func dirWritable(dir string) error {
	const wOK = 0x2 // access(2)'s W_OK
	return syscall.Access(dir, wOK)
}
