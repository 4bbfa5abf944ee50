//go:build linux

// Package netnstest makes network namespaces for tests of live capture:
// two joined by a veth pair, a DNS responder and a web server in one,
// clients in the other. Linux and root only; tests skip otherwise.
package netnstest

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

// Pair is two network namespaces joined by a veth pair, made by a test
// and deleted after it: its traffic never leaves them.
type Pair struct {
	A, B       string // namespace names
	VethA      string // the end in A, where a capture runs
	AddrA      netip.Addr
	AddrB      netip.Addr
	AddrB6     netip.Addr
	OtherAddrB netip.Addr // a second address in B
}

// New makes the namespaces; it skips the test unless it runs as root
// with the ip command, and outside -short (it changes the machine's
// network state, if only for a moment).
func New(t testing.TB) *Pair {
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
	n := &Pair{
		A: fmt.Sprintf("ltcap%da", id), B: fmt.Sprintf("ltcap%db", id), VethA: fmt.Sprintf("ltc%da", id),
		AddrA: netip.MustParseAddr("10.77.0.1"), AddrB: netip.MustParseAddr("10.77.0.2"),
		AddrB6: netip.MustParseAddr("fd77::2"), OtherAddrB: netip.MustParseAddr("10.77.0.3"),
	}
	vethB := fmt.Sprintf("ltc%db", id)
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, ns := range []string{n.A, n.B} {
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() }) // the veth pair goes with them
		ip("netns", "add", ns)
		ip("-n", ns, "link", "set", "lo", "up")
	}
	ip("link", "add", n.VethA, "netns", n.A, "type", "veth", "peer", "name", vethB, "netns", n.B)
	ip("-n", n.A, "addr", "add", "10.77.0.1/24", "dev", n.VethA)
	ip("-n", n.A, "addr", "add", "fd77::1/64", "dev", n.VethA, "nodad")
	ip("-n", n.B, "addr", "add", "10.77.0.2/24", "dev", vethB)
	ip("-n", n.B, "addr", "add", "10.77.0.3/24", "dev", vethB)
	ip("-n", n.B, "addr", "add", "fd77::2/64", "dev", vethB, "nodad")
	ip("-n", n.A, "link", "set", n.VethA, "up")
	ip("-n", n.B, "link", "set", vethB, "up")
	return n
}

// In runs fn on a thread of its own inside namespace ns: the sockets fn
// makes belong to ns, wherever they are used later. The thread is never
// given back to the runtime (it ends with its goroutine).
func In(t testing.TB, ns string, fn func() error) {
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

// Servers starts, in B, a DNS responder on port 53 of every address of b
// (each name answered with 10.9.9.9) and a web server on port 80.
func (n *Pair) Servers(t testing.TB) {
	var udp *net.UDPConn
	var web net.Listener
	In(t, n.B, func() (err error) {
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

// Query is a DNS query for name with id.
func Query(id uint16, name string) []byte {
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, RecursionDesired: true})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name + "."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET})
	msg, _ := b.Finish()
	return msg
}

// Resolve sends a query for each name to server, from a socket made in
// namespace ns, and waits for each answer.
func Resolve(t testing.TB, ns string, server netip.AddrPort, names []string) {
	In(t, ns, func() error {
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server))
		if err != nil {
			return err
		}
		defer c.Close()
		buf := make([]byte, 1500)
		for i, name := range names {
			if _, err := c.Write(Query(uint16(i+1), name)); err != nil {
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

// Fetch requests each path from the web server in B over one kept-alive
// connection made in A.
func (n *Pair) Fetch(t testing.TB, host string, paths []string) {
	In(t, n.A, func() error {
		c, err := net.Dial("tcp", netip.AddrPortFrom(n.AddrB, 80).String())
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
