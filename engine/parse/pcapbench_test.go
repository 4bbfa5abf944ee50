package parse

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

var benchMixed []byte

// BenchmarkPcapDecodeMixed decodes a generated capture of 1M packets: 250k
// DNS queries and their responses, and 500k TCP segments of TLS
// connections (port 443) that carry no HTTP: what DNS costs in a capture
// that is mostly other traffic.
func BenchmarkPcapDecodeMixed(b *testing.B) {
	const pairs = 250_000
	if benchMixed == nil {
		var buf bytes.Buffer
		w := pcapgo.NewWriter(&buf)
		_ = w.WriteFileHeader(65535, layers.LinkTypeEthernet)
		tls := append([]byte{0x17, 0x03, 0x03, 0x02, 0x00}, bytes.Repeat([]byte{0xa5}, 512)...)
		seq := map[uint16]uint32{}
		for i := range pairs {
			name := "host" + strconv.Itoa(i%50_000) + ".dept" + strconv.Itoa(i%97) + ".example.com"
			id := uint16(i)
			client := "10.1." + strconv.Itoa(i%200) + "." + strconv.Itoa(1+i%250)
			sp := uint16(1024 + i%60000)
			cp := uint16(30000 + i%500) // 500 TLS connections
			ts := t0.Add(time.Duration(i) * 100 * time.Microsecond)
			for _, p := range [][]byte{
				ether(udp4(client, "10.0.0.53", sp, 53, dnsWire(id, false, name, 1, 0, 0))),
				ether(tcp4("10.2.0.1", "192.0.2.80", cp, 443, seq[cp], 0x18, tls)),
				ether(tcp4("192.0.2.80", "10.2.0.1", 443, cp, seq[cp], 0x18, tls)),
				ether(udp4("10.0.0.53", client, 53, sp, dnsWire(id, true, name, 1, 0, 300, [4]byte{192, 0, 2, byte(i)}))),
			} {
				_ = w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(p), Length: len(p)}, p)
				ts = ts.Add(time.Millisecond)
			}
			seq[cp] += uint32(len(tls))
		}
		benchMixed = buf.Bytes()
	}
	b.SetBytes(int64(len(benchMixed)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var o capCount
		at, err := streamPcap(context.Background(), bytes.NewReader(benchMixed), Resume{}, &o)
		if err != nil || o.recs != pairs || at.Read.Line != 4*pairs {
			b.Fatalf("%v: %d records, %+v", err, o.recs, at)
		}
	}
	b.ReportMetric(float64(4*pairs)*float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
}

var benchHTTP []byte

// BenchmarkPcapDecodeHTTP decodes a generated capture of 100k HTTP
// requests on 10k keep-alive connections, 100 open at once, each request
// answered with a 1 kB body, and acknowledged: about 300k packets.
func BenchmarkPcapDecodeHTTP(b *testing.B) {
	const conns, each = 10_000, 10
	if benchHTTP == nil {
		body := strings.Repeat("x", 1024)
		var p []capPkt
		for g := 0; g < conns; g += 100 {
			cvs := make([]*conv, 100)
			for i := range cvs {
				cvs[i] = newConv("10.3."+strconv.Itoa(i)+"."+strconv.Itoa(1+g/100%250), "192.0.2.80", uint16(20000+g/100), 80)
				cvs[i].sec = float64(g) / 10
				p = append(p, cvs[i].open()...)
			}
			for r := range each {
				for _, cv := range cvs {
					p = append(p, cv.c("GET /page/"+strconv.Itoa(r)+"?session=12345 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (bench)\r\nAccept: */*\r\n\r\n"),
						cv.s("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1024\r\n\r\n"+body),
						cv.packet(true, cv.cseq, tcpACK, ""))
				}
			}
			for _, cv := range cvs {
				p = append(p, cv.close()...)
			}
		}
		benchHTTP = writeCapture(b, layers.LinkTypeEthernet, p...)
	}
	b.SetBytes(int64(len(benchHTTP)))
	b.ReportAllocs()
	b.ResetTimer()
	var pkts int64
	for range b.N {
		var o capCount
		at, err := streamPcap(context.Background(), bytes.NewReader(benchHTTP), Resume{}, &o)
		if err != nil || o.recs != conns*each || o.skips != 0 {
			b.Fatalf("%v: %d records, %d skips", err, o.recs, o.skips)
		}
		pkts = at.Read.Line
	}
	b.ReportMetric(float64(conns*each)*float64(b.N)/b.Elapsed().Seconds(), "reqs/s")
	b.ReportMetric(float64(pkts)*float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
}
