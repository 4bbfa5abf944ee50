package parallel

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// caught runs f and returns what it panicked with, nil if it did not.
func caught(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

func TestRunRaisesAGoroutinesPanicInTheCaller(t *testing.T) {
	r := caught(func() { Run(func() {}, func() { panic("boom") }) })
	p, ok := r.(*Panic)
	if !ok || p.Value != "boom" || !strings.Contains(string(p.Stack), "parallel_test.go") {
		t.Fatalf("recovered %#v, want a *Panic with the goroutine's stack", r)
	}
}

// A goroutine that hands its error over a channel hands its panic over
// the same way, and the receiver raises it again.
func TestCatchCarriesAPanicToTheGoroutineThatWaits(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		var err error
		defer func() { done <- err }()
		defer Catch(&err)
		panic(fmt.Errorf("index out of range"))
	}()
	err := <-done
	var p *Panic
	if !errors.As(err, &p) {
		t.Fatalf("error %v is not a *Panic", err)
	}
	if r := caught(func() { Reraise(fmt.Errorf("scoring: %w", err)) }); r != p {
		t.Fatalf("Reraise panicked with %#v, want the *Panic", r)
	}
	if r := caught(func() { Reraise(errors.New("plain")) }); r != nil {
		t.Fatalf("Reraise of a plain error panicked with %v", r)
	}
}
