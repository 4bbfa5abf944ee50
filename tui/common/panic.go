package common

import (
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

// Parallel runs fs side by side and waits for all of them. A panic in one
// of them is raised again in the caller as a *Panic: in a goroutine of its
// own it would end the process before the app could restore the terminal,
// while the caller (a command) is recovered by the app.
func Parallel(fs ...func()) {
	var wg sync.WaitGroup
	panics := make([]*Panic, len(fs))
	for i, f := range fs {
		wg.Go(func() {
			defer func() {
				switch r := recover().(type) {
				case nil:
				case *Panic: // from a Parallel inside f: already has its stack
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
