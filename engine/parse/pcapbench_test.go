package parse

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

var benchMixed []byte

// BenchmarkPcapDecodeMixed decodes a generated capture of 1M packets: 250k
// DNS queries and their responses, and 500k TCP segments of TLS
// connections (port 443) that carry no HTTP: what DNS costs in a capture
// that is mostly other traffic.
func BenchmarkPcapDecodeMixed(b *testing.B) {
	const pairs = 250_000
	if benchMixed == nil {
		tls := append([]byte{0x17, 0x03, 0x03, 0x02, 0x00}, bytes.Repeat([]byte{0xa5}, 512)...)
		seq := map[uint16]uint32{}
		benchMixed = dnsBenchCapture(pairs, func(i int) [][]byte {
			cp := uint16(30000 + i%500) // 500 TLS connections
			at := seq[cp]
			seq[cp] += uint32(len(tls))
			return [][]byte{ether(tcp4("10.2.0.1", "192.0.2.80", cp, 443, at, 0x18, tls)), ether(tcp4("192.0.2.80", "10.2.0.1", 443, cp, at, 0x18, tls))}
		})
	}
	benchDecode(b, benchMixed, pairs)
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
	benchDecode(b, benchHTTP, conns*each)
}
