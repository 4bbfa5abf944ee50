//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this package's main as the longtail program
// (see self): the real signal handling and exit codes, without building
// a binary.
func TestMain(m *testing.M) {
	if os.Getenv("LONGTAIL_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// self is the longtail program with args: this test binary running main.
func self(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LONGTAIL_TEST_MAIN=1")
	return cmd
}

// waitExit waits for cmd and returns its exit code; a process still
// running after the deadline is killed and fails the test.
func waitExit(t testing.TB, cmd *exec.Cmd, deadline time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ex *exec.ExitError
		if errors.As(err, &ex) {
			return ex.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(deadline):
		cmd.Process.Kill()
		<-done
		t.Fatalf("longtail %s still runs %s later", strings.Join(cmd.Args[1:], " "), deadline)
	}
	return 0
}

// An ingest waiting for data that never comes (a FIFO nobody opened for
// writing waits in open(2); standard input from a silent pipe in read(2))
// ends at the first SIGTERM or Ctrl-C, says so, and leaves the workspace
// free: the next ingest runs.
func TestSignalEndsAnIngestWaitingForData(t *testing.T) {
	for _, c := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{
		{"fifo", syscall.SIGTERM, 143},
		{"stdin", syscall.SIGINT, 130},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			ws, fifo := filepath.Join(dir, "ws.db"), filepath.Join(dir, "fifo")
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := self("--db", ws, "ingest", fifo)
			if c.name == "stdin" {
				cmd = self("--db", ws, "ingest", "-")
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close() // open and silent until the end
				cmd.Stdin = r
				defer r.Close()
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitBlockedOnStream(t, cmd.Process.Pid)
			cmd.Process.Signal(c.sig)
			if code := waitExit(t, cmd, 20*time.Second); code != c.code {
				t.Errorf("exit code %d, want %d\n%s", code, c.code, &stderr)
			}
			for _, want := range []string{"interrupted before any data came", "stopped by"} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, &stderr)
				}
			}

			// A writer comes: the next ingest of the FIFO reads it.
			go func() {
				w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
				if err == nil {
					w.WriteString("03/20/2024 10:00:00,a.example,A,300,192.0.2.1\n")
					w.Close()
				}
			}()
			_, errOut, err := lt(t, ws, "ingest", "--no-score", fifo)
			if err != nil || !strings.Contains(errOut, "1 event") {
				t.Fatalf("the next ingest: %v\n%s", err, errOut)
			}
		})
	}
}

// The first signal cancels the command; the second ends the process at
// once, whatever the command is doing.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	exited := make(chan int, 1)
	stop := onSignals(cancel, io.Discard, func(code int) { exited <- code })
	defer stop()

	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the first SIGTERM did not cancel the command")
	}
	var sig signalled
	if !errors.As(context.Cause(ctx), &sig) || sig.exitCode() != 143 {
		t.Errorf("cause %v", context.Cause(ctx))
	}
	select {
	case code := <-exited:
		t.Fatalf("the first signal ended the process (%d)", code)
	case <-time.After(50 * time.Millisecond):
	}

	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit code %d after a second Ctrl-C, want 130", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second signal did not end the process")
	}
}

// Stopped by a second signal in the middle of a long ingest, longtail ends
// within a second, and the workspace opens consistent and resumes to the
// whole log.
func TestSecondSignalEndsALongIngestAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests a 600k-line log")
	}
	dir := t.TempDir()
	log, ws := filepath.Join(dir, "dns.csv"), filepath.Join(dir, "ws.db")
	const lines = 600000
	out, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	gen := self("gen", "dns", "--lines", "600000", "--seed", "5", "--format", "csv")
	gen.Stdout = out
	if err := gen.Run(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	old := time.Now().Add(-time.Minute)
	os.Chtimes(log, old, old)

	// Batches large enough that the stop the first signal asks for (the
	// batch read so far committed, the totals written) takes a while.
	cmd := self("--db", ws, "ingest", "--batch", "100000", log)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Once a batch is in, while the reading goes on.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no batch was committed within a minute")
		}
		if src, _, err := lt(t, ws, "sources", "--format", "csv"); err == nil && strings.Count(src, "\n") > 1 && !strings.Contains(src, ",0,0,0,0,") {
			break
		}
	}
	// Two of one signal sent at once may arrive as one; a Ctrl-C and a
	// SIGTERM arrive as two, in either order: the exit code is the
	// second's (130 for SIGINT, 143 for SIGTERM).
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd, time.Second); code != 143 && code != 130 {
		t.Errorf("exit code %d, want 143 or 130\n%s", code, &stderr)
	}
	if !strings.Contains(stderr.String(), "again: stopped at once") {
		t.Fatalf("the first signal's stop finished before the second came; stderr:\n%s", &stderr)
	}

	// Consistent: the totals are those of the stored events.
	events := statValue(t, ws, "events")
	srcs := jsonRows[struct{ Events, Lines float64 }](t, ltOK(t, ws, "sources", "--format", "json"))
	if len(srcs) != 1 || events == 0 || events >= lines || events != srcs[0].Events || events != srcs[0].Lines {
		t.Fatalf("after the stop: %v events; sources %+v", events, srcs)
	}
	if _, errOut, err := lt(t, ws, "ingest", "--no-score", log); err != nil || !strings.Contains(errOut, "resumed") {
		t.Fatalf("resume: %v %s", err, errOut)
	}
	if got := statValue(t, ws, "events"); got != lines {
		t.Errorf("after resuming: %v events of %d lines", got, lines)
	}
}

// waitBlockedOnStream waits until a thread of the process sleeps in the
// kernel on a FIFO's open or a pipe's read: the ingest is in its wait for
// data. A fixed sleep was not enough on a loaded machine, where the
// signal came before the ingest had started. Where the kernel never names
// where a thread sleeps (wchan is "0" for all of them), it gives up
// looking after three seconds.
func waitBlockedOnStream(t *testing.T, pid int) {
	t.Helper()
	start := time.Now()
	named := false
	for time.Since(start) < 20*time.Second {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
		for _, task := range tasks {
			w, _ := os.ReadFile(task)
			named = named || len(w) > 0 && string(w) != "0"
			if s := string(w); strings.Contains(s, "partner") || strings.Contains(s, "fifo") || strings.Contains(s, "pipe") {
				return
			}
		}
		if !named && time.Since(start) > 3*time.Second {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d never waited on its stream", pid)
}
