package hostile

import (
	"bytes"
	"fmt"
	"net"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// HTTPPcap is a capture of one HTTP request and its 404 response for each
// hostile name, on a connection of its own from Client's address: the name
// is the Host header and the user agent, and stands in the path, the query
// string and the referer, bytes exactly as listed. A name with a line
// break ends its header there, as it would on the wire, and what follows
// is a header line of its own. One ordinary request follows.
func HTTPPcap() ([]byte, error) {
	var out bytes.Buffer
	w := pcapgo.NewWriter(&out)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return nil, err
	}
	names := append(Strings(), "www.example.com")
	for i, name := range names {
		request := "GET /" + name + "?q=" + name + " HTTP/1.1\r\nHost: " + name + "\r\nUser-Agent: " + name +
			"\r\nReferer: http://" + name + "/\r\n\r\n"
		response := "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
		t := Start.Add(time.Duration(i) * time.Second)
		cport := layers.TCPPort(40000 + i)
		for j, p := range []struct {
			fromClient bool
			data       string
		}{{true, request}, {false, response}} {
			pkt, err := segment(cport, p.fromClient, uint32(len(request)), []byte(p.data))
			if err != nil {
				return nil, fmt.Errorf("name %d: %w", i, err)
			}
			ci := gopacket.CaptureInfo{Timestamp: t.Add(time.Duration(j) * time.Millisecond), CaptureLength: len(pkt), Length: len(pkt)}
			if err := w.WritePacket(ci, pkt); err != nil {
				return nil, err
			}
		}
	}
	return out.Bytes(), nil
}

// segment builds the client's request segment, or the server's response,
// which acknowledges the request's requestLen bytes.
func segment(cport layers.TCPPort, fromClient bool, requestLen uint32, data []byte) ([]byte, error) {
	client, server := net.IPv4(10, 9, 9, 9), net.IPv4(10, 0, 0, 80)
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{0, 1, 2, 3, 4, 5}, DstMAC: net.HardwareAddr{0, 1, 2, 3, 4, 6}, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: client, DstIP: server}
	tcp := &layers.TCP{SrcPort: cport, DstPort: 80, Seq: 1000, Ack: 5000, ACK: true, PSH: true, Window: 65535}
	if !fromClient {
		ip.SrcIP, ip.DstIP = server, client
		tcp.SrcPort, tcp.DstPort, tcp.Seq, tcp.Ack = 80, cport, 5000, 1000+requestLen
	}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, tcp, gopacket.Payload(data)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
