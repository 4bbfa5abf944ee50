// Package parallel runs functions side by side so that a panic in one of
// them is not lost: in a goroutine of its own a panic ends the process at
// once, before the review screen can restore the terminal, so it is caught
// and raised again in the goroutine that waited, which the screen recovers.
package parallel

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// Panic is a panic caught in a goroutine and raised again in the one that
// started it, with the stack where it happened.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return fmt.Sprint(p.Value) }

// Run runs fs side by side and waits for all of them. A panic in one of
// them is raised again in the caller as a *Panic.
func Run(fs ...func()) {
	var wg sync.WaitGroup
	panics := make([]*Panic, len(fs))
	for i, f := range fs {
		wg.Go(func() {
			defer func() {
				switch r := recover().(type) {
				case nil:
				case *Panic: // from a Run inside f: already has its stack
					panics[i] = r
				default:
					panics[i] = &Panic{Value: r, Stack: debug.Stack()}
				}
			}()
			f()
		})
	}
	wg.Wait()
	for _, p := range panics {
		if p != nil {
			panic(p)
		}
	}
}

// Catch, deferred in a goroutine that hands its error to another one (on
// a channel, in a field), turns a panic there into that error: a *Panic
// with the stack where it happened. The goroutine that receives it calls
// Reraise, so the panic goes on in the goroutine the screen recovers,
// instead of ending the process from one it cannot.
func Catch(err *error) {
	if r := recover(); r != nil {
		if p, ok := r.(*Panic); ok {
			*err = p
			return
		}
		*err = &Panic{Value: r, Stack: debug.Stack()}
	}
}

// Reraise panics with the *Panic err carries, if it carries one.
func Reraise(err error) {
	if p := (*Panic)(nil); errors.As(err, &p) {
		panic(p)
	}
}
