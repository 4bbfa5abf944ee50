package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/internal/netnstest"
)

// lockedBuffer is a process's stderr, read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// longtail capture run in a network namespace the test makes (ip netns
// exec) stores the DNS queries and HTTP requests that cross it, and the
// Ctrl-C that comes right after them commits them all (before the
// second's commit would) and completes the pcapng files; longtail sources
// lists the capture.
func TestCaptureCommitsWhatItReadOnCtrlC(t *testing.T) {
	n := netnstest.New(t)
	n.Servers(t)
	ws, dir := filepath.Join(t.TempDir(), "ws.db"), filepath.Join(t.TempDir(), "pcaps")
	cmd := exec.Command("ip", "netns", "exec", n.A, os.Args[0], "--db", ws, "capture", "-i", n.VethA, "--filter", "port 53 or port 80", "-w", dir)
	cmd.Env = append(os.Environ(), "LONGTAIL_TEST_MAIN=1")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stderr.String(), "capturing on"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("capture did not start: %s", stderr.String())
		}
	}
	var names []string
	for i := range 25 {
		names = append(names, fmt.Sprintf("cli%02d.capture-test.example", i))
	}
	netnstest.Resolve(t, n.A, netip.AddrPortFrom(n.AddrB, 53), names)
	paths := []string{"/", "/wp-login.php"}
	n.Fetch(t, "cli.capture-test.example", paths)
	cmd.Process.Signal(syscall.SIGINT)
	waitExit(t, cmd, 60*time.Second)
	t.Logf("stderr: %s", stderr.String())

	out, err := self("--db", ws, "sources", "--format", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var srcs []struct {
		Path, State string
		Events      int64
	}
	if err := json.Unmarshal(out, &srcs); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if want := len(names) + len(paths); len(srcs) != 1 || srcs[0].Path != "capture:"+n.VethA || srcs[0].State != "done" || srcs[0].Events != int64(want) {
		t.Errorf("sources %+v; want capture:%s done with %d events", srcs, n.VethA, want)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.pcapng"))
	if len(files) != 1 || !strings.Contains(stderr.String(), "wrote "+files[0]) {
		t.Fatalf("pcapng files %v, stderr %s", files, stderr.String())
	}
	// Complete: read by tshark's reader too, the requests all in it.
	if tshark, err := exec.LookPath("tshark"); err == nil {
		out, err := exec.Command(tshark, "-r", files[0], "-Y", "http.request or dns.flags.response == 0").Output()
		if got := strings.Count(string(out), "\n"); err != nil || got != len(names)+len(paths) {
			t.Errorf("tshark finds %d queries and requests in %s (%v), want %d", got, files[0], err, len(names)+len(paths))
		}
	}
}

// capture --screen opens the review screen while it captures: what crosses
// the interface shows up in the list within seconds, marked + (it arrived
// while the screen was open), the status line says what is captured, and
// quitting the screen stops the capture with everything committed.
func TestCaptureScreenMovesWithWhatArrives(t *testing.T) {
	n := netnstest.New(t)
	n.Servers(t)
	tm := newTmux(t)
	bin := buildBinary(t)
	ws := filepath.Join(t.TempDir(), "ws.db")
	tm.start(120, 40, "ip", "netns", "exec", n.A, bin, "--db", ws, "capture", "-i", n.VethA, "--screen")
	tm.waitFor("the capture's status line", func(s string) bool { return strings.Contains(s, "capturing "+n.VethA) })
	var names []string
	for i := range 12 {
		names = append(names, fmt.Sprintf("live%02d.screen-test.example", i))
	}
	netnstest.Resolve(t, n.A, netip.AddrPortFrom(n.AddrB, 53), names)
	screen := tm.waitFor("the captured domain, marked +", func(s string) bool {
		for _, line := range strings.Split(s, "\n") {
			if strings.Contains(line, "screen-test.example") && strings.HasPrefix(line, "+") {
				return true
			}
		}
		return false
	})
	if !strings.Contains(screen, "events/s") {
		t.Errorf("the status line does not say the rate:\n%s", screen)
	}
	tm.keys("q")
	tm.waitGone()
	out, errOut, err := runBin(t, bin, "--db", ws, "sources", "--format", "json")
	if err != nil {
		t.Fatalf("sources: %v %s", err, errOut)
	}
	var srcs []struct {
		Path, State string
		Events      int64
	}
	if err := json.Unmarshal([]byte(out), &srcs); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(srcs) != 1 || srcs[0].State != "done" || srcs[0].Events != int64(len(names)) {
		t.Errorf("sources %+v; want the capture done with %d events", srcs, len(names))
	}
}

// BenchmarkCaptureWithScreen: the DNS queries a second that `longtail
// capture --screen` stores with the review screen open (the real binary
// in tmux, in a network namespace the benchmark makes), while one socket
// sends queries across the veth pair as fast as it can, each answered;
// headless-events/s is `capture` without the screen in the same run, and
// stored/sent what each kept of what was sent (the kernel drops what a
// full ring cannot take).
func BenchmarkCaptureWithScreen(b *testing.B) {
	n := netnstest.New(b)
	n.Servers(b)
	tm := newTmux(b)
	bin := buildBinary(b)
	queries := int(benchLines() / 10)
	var screen, headless time.Duration
	var keptScreen, keptHeadless int64
	b.ResetTimer()
	for range b.N {
		took, kept := captured(b, n, queries, func(ws string) func() {
			tm.start(120, 40, "ip", "netns", "exec", n.A, bin, "--db", ws, "capture", "-i", n.VethA, "--screen")
			tm.waitFor("the capture", func(s string) bool { return strings.Contains(s, "capturing "+n.VethA) })
			return func() { tm.keys("q"); tm.waitGone() }
		})
		screen, keptScreen = screen+took, keptScreen+kept
		took, kept = captured(b, n, queries, func(ws string) func() {
			cmd := exec.Command("ip", "netns", "exec", n.A, bin, "--db", ws, "capture", "-i", n.VethA)
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stderr.String(), "capturing on"); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					b.Fatalf("capture did not start: %s", stderr.String())
				}
			}
			return func() { cmd.Process.Signal(syscall.SIGINT); waitExit(b, cmd, time.Minute) }
		})
		headless, keptHeadless = headless+took, keptHeadless+kept
	}
	b.StopTimer()
	b.ReportMetric(float64(keptScreen)/screen.Seconds(), "events/s")
	b.ReportMetric(float64(keptHeadless)/headless.Seconds(), "headless-events/s")
	b.ReportMetric(float64(keptScreen)/float64(queries*b.N), "stored/sent")
	b.ReportMetric(float64(keptHeadless)/float64(queries*b.N), "headless-stored/sent")
}

// captured starts a capture into a new workspace, sends queries DNS
// queries across the pair as fast as one socket can, and returns the time
// from the first query until the workspace stopped growing, and how many
// events it stored; then it stops the capture.
func captured(b *testing.B, n *netnstest.Pair, queries int, start func(ws string) (stop func())) (time.Duration, int64) {
	b.Helper()
	ws := filepath.Join(b.TempDir(), "ws.db")
	stop := start(ws)
	defer stop()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(ws); err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the capture did not make its workspace")
		}
	}
	d, err := db.Open(ws, db.Options{Access: db.ReadOnly})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	// Each query its own name: the same id and name again from the same
	// port would be a retransmission, one event.
	msgs := make([][]byte, queries)
	for i := range msgs {
		msgs[i] = netnstest.Query(uint16(i), fmt.Sprintf("bench%07d.capture-test.example", i))
	}
	began := time.Now()
	netnstest.In(b, n.A, func() error {
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(n.AddrB, 53)))
		if err != nil {
			return err
		}
		defer c.Close()
		for i := range queries {
			if _, err := c.Write(msgs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	// Until every query is stored, or none more came for two seconds (a
	// live cycle is one).
	var got int64
	last := time.Now()
	for got < int64(queries) && time.Since(last) < 2*time.Second {
		time.Sleep(20 * time.Millisecond)
		if st, err := d.Stats(context.Background()); err == nil && st.Events > got {
			got, last = st.Events, time.Now()
		}
	}
	return last.Sub(began), got
}
