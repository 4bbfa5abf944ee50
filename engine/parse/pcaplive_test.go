package parse

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/longtail/longtail/engine/record"
)

// replaySource hands over a capture's packets as a network interface
// would: stamped with the time they are read, a wait with no packet
// (ErrNoPacket) before each; after stopAt packets (0: all), it calls stop
// and has no packet any more.
type replaySource struct {
	r      *pcapgo.Reader
	waited bool
	n      int
	stopAt int
	stop   func()
}

func (s *replaySource) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	if !s.waited {
		s.waited = true
		return nil, gopacket.CaptureInfo{}, ErrNoPacket
	}
	s.waited = false
	if s.stopAt > 0 && s.n >= s.stopAt {
		s.stop()
		return nil, gopacket.CaptureInfo{}, ErrNoPacket
	}
	data, ci, err := s.r.ZeroCopyReadPacketData()
	if err == io.EOF {
		s.stop()
		return nil, ci, ErrNoPacket
	}
	if err != nil {
		return nil, ci, err
	}
	s.n++
	ci.Timestamp = time.Now()
	return data, ci, nil
}

// decoded is what a decode gave, without the times and positions (a
// replay's differ from the file's).
func decoded(o *gotOut) (dns, http []string) {
	for _, r := range o.recs {
		dns = append(dns, r.Client+" "+r.Name+" "+r.Answers+" "+string(rune('0'+r.RCode)))
	}
	for _, r := range o.http {
		http = append(http, r.Client+" "+r.Method+" "+r.Host+r.Path+" "+string(rune('0'+r.Status/100)))
	}
	slices.Sort(dns)
	slices.Sort(http)
	return dns, http
}

// TestStreamPacketsDecodesAsTheFileIs replays real captures as live
// packets, waits between them, and checks that the queries, answers and
// requests are those decoding the file gives; and that a stop part-way
// emits every query seen so far, answered or not, as the end of a file
// cut there does.
func TestStreamPacketsDecodesAsTheFileIs(t *testing.T) {
	for _, rel := range []string{"pcap/general/acandeias/freqy_domains.pcap", "pcap/general/acandeias/Misc1.pcap"} {
		b := sample(t, rel)
		for _, stopAt := range []int{0, 300} {
			r, err := pcapgo.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			want, _, err := decodeCapture(t, firstPackets(t, b, stopAt), Resume{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			var got gotOut
			_, err = StreamPackets(ctx, &replaySource{r: r, stopAt: stopAt, stop: cancel}, r.LinkType(), &got)
			cancel()
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			gotDNS, gotHTTP := decoded(&got)
			wantDNS, wantHTTP := decoded(want)
			if len(wantDNS) == 0 || len(wantHTTP) == 0 {
				t.Fatalf("%s up to packet %d: no DNS or no HTTP in it, nothing checked", rel, stopAt)
			}
			if !slices.Equal(gotDNS, wantDNS) || !slices.Equal(gotHTTP, wantHTTP) {
				t.Errorf("%s up to packet %d: live decode gave\n%q\n%q\nthe file\n%q\n%q", rel, stopAt, gotDNS, gotHTTP, wantDNS, wantHTTP)
			}
		}
	}
}

// firstPackets is the pcap b cut after n packets (all of it when n is 0).
func firstPackets(t *testing.T, b []byte, n int) []byte {
	t.Helper()
	if n == 0 {
		return b
	}
	r, err := pcapgo.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := pcapgo.NewWriterNanos(&out)
	if err := w.WriteFileHeader(r.Snaplen(), r.LinkType()); err != nil {
		t.Fatal(err)
	}
	for range n {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// A source that fails ends the read with its error, after emitting what
// was waiting.
func TestStreamPacketsEndsWithTheSourceError(t *testing.T) {
	var got gotOut
	_, err := StreamPackets(context.Background(), failingSource{}, layers.LinkTypeEthernet, &got)
	if err != errInterfaceGone {
		t.Errorf("got %v, want the source's error", err)
	}
}

var errInterfaceGone = io.ErrClosedPipe

type failingSource struct{}

func (failingSource) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	return nil, gopacket.CaptureInfo{}, errInterfaceGone
}

// A query left unanswered is emitted once it is too old to be answered,
// though no packet follows it to move the capture clock: waits do.
func TestStreamPacketsEmitsUnansweredQueriesWhileIdle(t *testing.T) {
	query := dnsQueryFrame(t, "quiet.example")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got gotOut
	seenWhileIdle := -1
	calls := 0
	src := sourceFunc(func() ([]byte, gopacket.CaptureInfo, error) {
		calls++
		switch calls {
		case 1: // a query from a minute ago (pairWindow is 30 s)
			return query, gopacket.CaptureInfo{Timestamp: time.Now().Add(-time.Minute), CaptureLength: len(query), Length: len(query)}, nil
		case 2:
			return nil, gopacket.CaptureInfo{}, ErrNoPacket
		default:
			seenWhileIdle = len(got.recs)
			cancel()
			return nil, gopacket.CaptureInfo{}, ErrNoPacket
		}
	})
	if _, err := StreamPackets(ctx, src, layers.LinkTypeEthernet, &got); err != nil {
		t.Fatal(err)
	}
	if seenWhileIdle != 1 || len(got.recs) != 1 || got.recs[0].Name != "quiet.example" || got.recs[0].RCode != record.NoRCode {
		t.Errorf("emitted while idle: %d; in all %+v; want the query, unanswered, before the stop", seenWhileIdle, got.recs)
	}
}

type sourceFunc func() ([]byte, gopacket.CaptureInfo, error)

func (f sourceFunc) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) { return f() }

// dnsQueryFrame is an Ethernet frame holding a DNS query for name.
func dnsQueryFrame(t *testing.T, name string) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: []byte{2, 0, 0, 0, 0, 1}, DstMAC: []byte{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: []byte{10, 0, 0, 1}, DstIP: []byte{10, 0, 0, 2}}
	udp := &layers.UDP{SrcPort: 40000, DstPort: 53}
	udp.SetNetworkLayerForChecksum(ip)
	dns := &layers.DNS{ID: 7, RD: true, Questions: []layers.DNSQuestion{{Name: []byte(name), Type: layers.DNSTypeA, Class: layers.DNSClassIN}}}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, udp, dns); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A stop reads first what the source still holds from before it (the
// kernel's ring), then ends: the packets that came before Ctrl-C are kept.
func TestStreamPacketsReadsWhatCameBeforeTheStop(t *testing.T) {
	before := time.Now()
	frames := [][]byte{dnsQueryFrame(t, "one.example"), dnsQueryFrame(t, "two.example"), dnsQueryFrame(t, "three.example")}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	src := sourceFunc(func() ([]byte, gopacket.CaptureInfo, error) {
		cancel() // stopped before the first packet was read
		if calls++; calls <= len(frames) {
			f := frames[calls-1]
			return f, gopacket.CaptureInfo{Timestamp: before, CaptureLength: len(f), Length: len(f)}, nil
		}
		return nil, gopacket.CaptureInfo{}, ErrNoPacket
	})
	var got gotOut
	if _, err := StreamPackets(ctx, src, layers.LinkTypeEthernet, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.recs) != len(frames) {
		t.Errorf("stored %+v; want the %d queries that came before the stop", got.recs, len(frames))
	}
}
