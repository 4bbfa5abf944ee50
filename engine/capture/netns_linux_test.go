package capture

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/netnstest"
)

func openWS(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "ws.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestCaptureInNetworkNamespaces captures on one end of a veth pair while
// DNS queries and HTTP requests cross it, and checks that the workspace
// holds each of them, answered, committed while the capture ran, that
// the filter kept out what it should, and that the pcapng files written
// read back to the same events.
func TestCaptureInNetworkNamespaces(t *testing.T) {
	n := netnstest.New(t)
	n.Servers(t)
	filter, err := ParseFilter("port 53 or port 80")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pcaps")
	var src *Source
	netnstest.In(t, n.A, func() (err error) {
		src, err = Open(Options{Interface: n.VethA, Filter: filter, Dir: dir, RotateBytes: 4096})
		return err
	})
	d := openWS(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		rep ingest.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		// Totals written every 300 ms: the test sees them move.
		rep, err := src.Run(ctx, d, ingest.LiveOptions{Cycle: 300 * time.Millisecond})
		done <- result{rep, err}
	}()

	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("host%02d.capture-test.example", i))
	}
	netnstest.Resolve(t, n.A, netip.AddrPortFrom(n.AddrB, 53), names[:30])
	netnstest.Resolve(t, n.A, netip.AddrPortFrom(n.AddrB6, 53), names[30:])
	// DNS on port 5353 (mDNS, which longtail decodes) is kept out by the
	// filter; the responder there does not exist, so no answer is awaited.
	netnstest.In(t, n.A, func() error {
		c, err := net.Dial("udp", netip.AddrPortFrom(n.OtherAddrB, 5353).String())
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write(netnstest.Query(99, "filtered.capture-test.example"))
		return err
	})
	paths := []string{"/", "/login", "/static/app.js", "/admin/shell.php"}
	n.Fetch(t, "web.capture-test.example", paths)

	// Committed while the capture runs, within a second or so, and the
	// totals (what the list shows) written by a cycle.
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := liveSource(t, d, "capture:"+n.VethA)
		row, _ := d.NameByText(context.Background(), subject.DNSName, names[len(names)-1])
		if s.Events >= int64(len(names)+len(paths)) && row.Count == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the workspace holds %d events of the capture, want %d; the last name's count is %d, want 1",
				s.Events, len(names)+len(paths), row.Count)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	st := src.Stats()
	t.Logf("%d packets read, %d kept, %d events, %d pcapng files", st.Packets, st.Passed, res.rep.Events, len(st.Files))

	s := liveSource(t, d, "capture:"+n.VethA)
	if s.State != "done" || s.Events != int64(len(names)+len(paths)) {
		t.Errorf("source %+v: want done with %d events", s, len(names)+len(paths))
	}
	for _, name := range names {
		if e, ok := onlyEvent(t, d, subject.DNSName, name); ok && (e.RCode != 0 || !strings.Contains(e.Answers, "10.9.9.9")) {
			t.Errorf("%s: stored as %+v, want answered with 10.9.9.9", name, e)
		}
	}
	if _, err := d.NameByText(context.Background(), subject.DNSName, "filtered.capture-test.example"); err == nil {
		t.Error("the query to port 5353 was stored although the filter keeps only ports 53 and 80")
	}
	for _, p := range paths {
		if e, ok := onlyEvent(t, d, subject.HTTPPath, p); ok && e.Status != 200 {
			t.Errorf("HTTP path %s: stored as %+v, want answered 200", p, e)
		}
	}
	if _, err := d.NameByText(context.Background(), subject.HTTPHost, "web.capture-test.example"); err != nil {
		t.Errorf("HTTP host: %v", err)
	}
	checkPcapngs(t, st.Files, len(names)+len(paths))
}

// onlyEvent is the one event stored of value of a subject; ok is false
// (and the test failed) when there is not exactly one.
func onlyEvent(t *testing.T, d *db.DB, code subject.Code, value string) (db.EventRow, bool) {
	t.Helper()
	row, err := d.NameByText(context.Background(), code, value)
	if err != nil {
		t.Errorf("%s: %v", value, err)
		return db.EventRow{}, false
	}
	evs, _, err := d.Events(context.Background(), row.ID, 10)
	if err != nil || len(evs) != 1 {
		t.Errorf("%s: events %+v, %v; want one", value, evs, err)
		return db.EventRow{}, false
	}
	return evs[0], true
}

// liveSource is the workspace's source of that name.
func liveSource(t testing.TB, d *db.DB, name string) db.Source {
	t.Helper()
	srcs, err := d.SourcesByPath(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 {
		t.Fatalf("sources named %s: %+v", name, srcs)
	}
	return srcs[0]
}

// checkPcapngs checks that the capture was written to several files (it
// rotated), each readable by its owner only, which ingested give the
// events the capture gave.
func checkPcapngs(t *testing.T, files []string, events int) {
	t.Helper()
	if len(files) < 2 {
		t.Fatalf("pcapng files %v: want several (rotated every 4 KiB)", files)
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	d := openWS(t)
	reps, err := ingest.Run(context.Background(), d, files, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got int64
	for _, r := range reps {
		got += r.Events
		if r.Err != nil || r.Format != "pcapng" {
			t.Errorf("%s", r.Describe())
		}
	}
	// A query and its answer may be in different files: read one by one,
	// a query whose answer is in the next file is stored unanswered, so
	// the count is what is compared.
	if got != int64(events) {
		t.Errorf("the pcapng files hold %d events, the capture stored %d", got, events)
	}
}

// BenchmarkCaptureInNamespaces: packets/s captured, decoded and stored
// while DNS queries are sent across the veth pair as fast as one socket
// sends them (each answered, when the responder keeps up: two packets a
// query). Packets the kernel dropped because the ring was full are
// reported as dropped/op.
func BenchmarkCaptureInNamespaces(b *testing.B) {
	n := netnstest.New(b)
	n.Servers(b)
	var src *Source
	netnstest.In(b, n.A, func() (err error) {
		src, err = Open(Options{Interface: n.VethA})
		return err
	})
	d := openWS(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := src.Run(ctx, d, ingest.LiveOptions{})
		done <- err
	}()
	queries := make([][]byte, 1000)
	for i := range queries {
		queries[i] = netnstest.Query(uint16(i), fmt.Sprintf("bench%03d.capture-test.example", i))
	}
	b.ResetTimer()
	start := time.Now()
	netnstest.In(b, n.A, func() error {
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(n.AddrB, 53)))
		if err != nil {
			return err
		}
		defer c.Close()
		for i := range b.N {
			if _, err := c.Write(queries[i%len(queries)]); err != nil {
				return err
			}
		}
		return nil
	})
	// Until the capture has seen everything, or stopped seeing more.
	var got int64
	last := time.Now()
	for got < int64(2*b.N) && time.Since(last) < time.Second {
		time.Sleep(10 * time.Millisecond)
		if p := src.Stats().Packets; p > got {
			got, last = p, time.Now()
		}
	}
	elapsed := last.Sub(start)
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(got)/elapsed.Seconds(), "packets/s")
	b.ReportMetric(float64(src.Stats().Dropped)/float64(b.N), "dropped/op")
}

// TestCaptureLoopbackOnce captures on a namespace's loopback while it
// resolves names at its own address: a packet socket there sees every
// packet twice (leaving and arriving), and each query must be stored once,
// answered, from one copy of each packet.
func TestCaptureLoopbackOnce(t *testing.T) {
	n := netnstest.New(t)
	n.Servers(t)
	var src *Source
	netnstest.In(t, n.B, func() (err error) {
		src, err = Open(Options{Interface: "lo"})
		return err
	})
	d := openWS(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := src.Run(ctx, d, ingest.LiveOptions{Cycle: 100 * time.Millisecond})
		done <- err
	}()
	names := []string{"one.loopback-test.example", "two.loopback-test.example", "three.loopback-test.example"}
	netnstest.Resolve(t, n.B, netip.AddrPortFrom(n.AddrB, 53), names)
	deadline := time.Now().Add(5 * time.Second)
	for src.Stats().Packets < int64(2*len(names)) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a second copy, if any, comes microseconds after the first
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := src.Stats(); st.Packets != int64(2*len(names)) {
		t.Errorf("%d packets read on lo for %d queries and their answers", st.Packets, len(names))
	}
	for _, name := range names {
		if e, ok := onlyEvent(t, d, subject.DNSName, name); ok && !strings.Contains(e.Answers, "10.9.9.9") {
			t.Errorf("%s: stored as %+v, want answered", name, e)
		}
	}
}
