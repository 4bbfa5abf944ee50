package capture

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/subject"
)

// netns is a pair of network namespaces joined by a veth pair, made by
// the test and deleted after it: its traffic never leaves them.
type netns struct {
	a, b       string // namespace names
	vethA      string // the end in a, where the capture runs
	addrA      netip.Addr
	addrB      netip.Addr
	addrB6     netip.Addr
	otherAddrB netip.Addr // a second address in b, for the filter
}

// newNetns makes the namespaces; it skips the test unless it runs as root
// with the ip command, and outside -short (it changes the machine's
// network state, if only for a moment).
func newNetns(t testing.TB) *netns {
	t.Helper()
	if testing.Short() {
		t.Skip("creates network namespaces: make e2e runs it")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates network namespaces and opens a packet socket")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2) to create network namespaces")
	}
	id := os.Getpid() % 100000
	n := &netns{
		a: fmt.Sprintf("ltcap%da", id), b: fmt.Sprintf("ltcap%db", id), vethA: fmt.Sprintf("ltc%da", id),
		addrA: netip.MustParseAddr("10.77.0.1"), addrB: netip.MustParseAddr("10.77.0.2"),
		addrB6: netip.MustParseAddr("fd77::2"), otherAddrB: netip.MustParseAddr("10.77.0.3"),
	}
	vethB := fmt.Sprintf("ltc%db", id)
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, ns := range []string{n.a, n.b} {
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() }) // the veth pair goes with them
		ip("netns", "add", ns)
		ip("-n", ns, "link", "set", "lo", "up")
	}
	ip("link", "add", n.vethA, "netns", n.a, "type", "veth", "peer", "name", vethB, "netns", n.b)
	ip("-n", n.a, "addr", "add", "10.77.0.1/24", "dev", n.vethA)
	ip("-n", n.a, "addr", "add", "fd77::1/64", "dev", n.vethA, "nodad")
	ip("-n", n.b, "addr", "add", "10.77.0.2/24", "dev", vethB)
	ip("-n", n.b, "addr", "add", "10.77.0.3/24", "dev", vethB)
	ip("-n", n.b, "addr", "add", "fd77::2/64", "dev", vethB, "nodad")
	ip("-n", n.a, "link", "set", n.vethA, "up")
	ip("-n", n.b, "link", "set", vethB, "up")
	return n
}

// in runs fn on a thread of its own inside namespace ns: the sockets fn
// makes belong to ns, wherever they are used later. The thread is never
// given back to the runtime (it ends with its goroutine).
func in(t testing.TB, ns string, fn func() error) {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/run/netns/" + ns)
		if err == nil {
			err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
			f.Close()
		}
		if err == nil {
			err = fn()
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatalf("in namespace %s: %v", ns, err)
	}
}

// servers starts, in b, a DNS responder on port 53 of every address of b
// (each name answered with 10.9.9.9) and a web server on port 80.
func (n *netns) servers(t testing.TB) {
	var udp *net.UDPConn
	var web net.Listener
	in(t, n.b, func() (err error) {
		if udp, err = net.ListenUDP("udp", &net.UDPAddr{Port: 53}); err != nil {
			return err
		}
		web, err = net.Listen("tcp", ":80")
		return err
	})
	t.Cleanup(func() { udp.Close() })
	go answerDNS(udp)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "page %s\n", r.URL.Path)
	})}
	t.Cleanup(func() { srv.Close() })
	go srv.Serve(web)
}

func answerDNS(c *net.UDPConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true})
		b.StartQuestions()
		b.Question(q)
		b.StartAnswers()
		b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}, dnsmessage.AResource{A: [4]byte{10, 9, 9, 9}})
		if msg, err := b.Finish(); err == nil {
			c.WriteToUDPAddrPort(msg, from)
		}
	}
}

func dnsQuery(id uint16, name string) []byte {
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, RecursionDesired: true})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name + "."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET})
	msg, _ := b.Finish()
	return msg
}

// resolve sends a query for each name to server, from a socket made in
// namespace ns, and waits for each answer.
func resolve(t testing.TB, ns string, server netip.AddrPort, names []string) {
	in(t, ns, func() error {
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server))
		if err != nil {
			return err
		}
		defer c.Close()
		buf := make([]byte, 1500)
		for i, name := range names {
			if _, err := c.Write(dnsQuery(uint16(i+1), name)); err != nil {
				return err
			}
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, err := c.Read(buf); err != nil {
				return fmt.Errorf("answer to %s: %w", name, err)
			}
		}
		return nil
	})
}

// fetch requests each path from the web server on b over one kept-alive
// connection made in a.
func (n *netns) fetch(t testing.TB, host string, paths []string) {
	in(t, n.a, func() error {
		c, err := net.Dial("tcp", netip.AddrPortFrom(n.addrB, 80).String())
		if err != nil {
			return err
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for _, p := range paths {
			req, _ := http.NewRequest("GET", "http://"+host+p, nil)
			req.Header.Set("User-Agent", "longtail-capture-test/1.0")
			if err := req.Write(c); err != nil {
				return err
			}
			resp, err := http.ReadResponse(br, req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("GET %s: %s", p, resp.Status)
			}
		}
		return nil
	})
}

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
	n := newNetns(t)
	n.servers(t)
	filter, err := ParseFilter("port 53 or port 80")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pcaps")
	var src *Source
	in(t, n.a, func() (err error) {
		src, err = Open(Options{Interface: n.vethA, Filter: filter, Dir: dir, RotateBytes: 4096})
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
		rep, err := src.Run(ctx, d, ingest.Options{})
		done <- result{rep, err}
	}()

	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("host%02d.capture-test.example", i))
	}
	resolve(t, n.a, netip.AddrPortFrom(n.addrB, 53), names[:30])
	resolve(t, n.a, netip.AddrPortFrom(n.addrB6, 53), names[30:])
	// DNS on port 5353 (mDNS, which longtail decodes) is kept out by the
	// filter; the responder there does not exist, so no answer is awaited.
	in(t, n.a, func() error {
		c, err := net.Dial("udp", netip.AddrPortFrom(n.otherAddrB, 5353).String())
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write(dnsQuery(99, "filtered.capture-test.example"))
		return err
	})
	paths := []string{"/", "/login", "/static/app.js", "/admin/shell.php"}
	n.fetch(t, "web.capture-test.example", paths)

	// Committed while the capture runs: within a second or so.
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := liveSource(t, d, "capture:"+n.vethA)
		if s.Events >= int64(len(names)+len(paths)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the workspace holds %d events of the capture, want %d", s.Events, len(names)+len(paths))
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

	s := liveSource(t, d, "capture:"+n.vethA)
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
	n := newNetns(b)
	n.servers(b)
	var src *Source
	in(b, n.a, func() (err error) {
		src, err = Open(Options{Interface: n.vethA})
		return err
	})
	d := openWS(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := src.Run(ctx, d, ingest.Options{})
		done <- err
	}()
	queries := make([][]byte, 1000)
	for i := range queries {
		queries[i] = dnsQuery(uint16(i), fmt.Sprintf("bench%03d.capture-test.example", i))
	}
	b.ResetTimer()
	start := time.Now()
	in(b, n.a, func() error {
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(n.addrB, 53)))
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
