package hostile

import (
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// HTTPPcap is a capture of one HTTP request and its 404 response for each
// hostile name, on a connection of its own from Client's address: the name
// is the Host header and the user agent, and stands in the path, the query
// string and the referer, bytes exactly as listed. A name with a line
// break ends its header there, as it would on the wire, and what follows
// is a header line of its own. One ordinary request follows.
func HTTPPcap() ([]byte, error) {
	return exchanges(func(i int, name string, reply bool) ([]byte, error) {
		request := "GET /" + name + "?q=" + name + " HTTP/1.1\r\nHost: " + name + "\r\nUser-Agent: " + name +
			"\r\nReferer: http://" + name + "/\r\n\r\n"
		cport := layers.TCPPort(40000 + i)
		tcp := &layers.TCP{SrcPort: cport, DstPort: 80, Seq: 1000, Ack: 5000, ACK: true, PSH: true, Window: 65535}
		data := request
		if reply {
			tcp.SrcPort, tcp.DstPort, tcp.Seq, tcp.Ack = 80, cport, 5000, 1000+uint32(len(request))
			data = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
		}
		return frame(net.IPv4(10, 9, 9, 9), net.IPv4(10, 0, 0, 80), reply, tcp, gopacket.Payload(data))
	})
}
