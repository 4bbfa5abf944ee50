package capture

import (
	"net"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// frame builds a packet from src:sport to dst:dport over proto ("udp" or
// "tcp"), on link type lt (Ethernet or raw IP).
func frame(t testing.TB, lt layers.LinkType, proto, src string, sport uint16, dst string, dport uint16) []byte {
	t.Helper()
	s, d := net.ParseIP(src), net.ParseIP(dst)
	var ls []gopacket.SerializableLayer
	var nl gopacket.NetworkLayer
	et := layers.EthernetTypeIPv4
	p := layers.IPProtocolUDP
	if proto == "tcp" {
		p = layers.IPProtocolTCP
	}
	if s.To4() != nil {
		nl = &layers.IPv4{Version: 4, TTL: 64, Protocol: p, SrcIP: s.To4(), DstIP: d.To4()}
	} else {
		et, nl = layers.EthernetTypeIPv6, &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: p, SrcIP: s, DstIP: d}
	}
	if lt == layers.LinkTypeEthernet {
		ls = append(ls, &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: et})
	}
	ls = append(ls, nl.(gopacket.SerializableLayer))
	if proto == "tcp" {
		tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), SYN: true}
		tcp.SetNetworkLayerForChecksum(nl)
		ls = append(ls, tcp)
	} else {
		udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
		udp.SetNetworkLayerForChecksum(nl)
		ls = append(ls, udp)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFilterMatchesAsTcpdumpWould(t *testing.T) {
	dns := frame(t, layers.LinkTypeEthernet, "udp", "10.0.0.5", 40000, "10.0.0.53", 53)
	web := frame(t, layers.LinkTypeEthernet, "tcp", "10.0.0.5", 40001, "192.0.2.80", 80)
	dns6 := frame(t, layers.LinkTypeRaw, "udp", "fd00::5", 40002, "fd00::53", 53)
	other := frame(t, layers.LinkTypeEthernet, "udp", "10.0.0.5", 40003, "10.0.0.9", 123)
	for _, tc := range []struct {
		expr                  string
		dns, web, dns6, other bool
	}{
		{"", true, true, true, true},
		{"port 53", true, false, true, false},
		{"port 53 or port 80", true, true, true, false},
		{"udp", true, false, true, true},
		{"tcp and port 80", false, true, false, false},
		{"not port 53", false, true, false, true},
		{"host 10.0.0.53", true, false, false, false},
		{"host fd00::5", false, false, true, false},
		{"net 10.0.0.0/24 and not port 123", true, true, false, false},
		{"net 192.0.2.0/24 or ip6", false, true, true, false},
		{"ip and udp and port 53 or tcp", true, true, false, false},
		{"PORT 40001", false, true, false, false},
	} {
		f, err := ParseFilter(tc.expr)
		if err != nil {
			t.Fatalf("%q: %v", tc.expr, err)
		}
		got := [4]bool{f.Match(layers.LinkTypeEthernet, dns), f.Match(layers.LinkTypeEthernet, web), f.Match(layers.LinkTypeRaw, dns6), f.Match(layers.LinkTypeEthernet, other)}
		if want := [4]bool{tc.dns, tc.web, tc.dns6, tc.other}; got != want {
			t.Errorf("%q matches dns, web, dns6, other: %v, want %v", tc.expr, got, want)
		}
	}
}

func TestFilterErrorsSayWhatIsWrong(t *testing.T) {
	for expr, want := range map[string]string{
		"port":                 `"port" is not port N`,
		"port http":            `port "http" is not a number`,
		"port 70000":           "is not a number from 0 to 65535",
		"host example.com":     "names are not resolved",
		"net 10.0.0.0":         "is not an address/bits prefix",
		"udp port 53":          `"port" where and/or was expected`,
		"port 53 and":          `ends with "and"`,
		"not":                  "not what?",
		"src host 10.0.0.1":    `"src" is not port N`,
		"(port 53 or port 80)": `"(port" is not port N`,
	} {
		_, err := ParseFilter(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error saying %s", expr, err, want)
		}
	}
}

// FuzzFilter: any expression is refused or parsed, and a parsed one
// matches any bytes without failing.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{"port 53", "host 10.0.0.1 or net fd00::/8", "not udp and tcp", "ip6 || ! port 80 && host ::1"} {
		f.Add(s, []byte{0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 53, 0, 53, 0, 8, 0, 0})
	}
	f.Fuzz(func(t *testing.T, expr string, data []byte) {
		flt, err := ParseFilter(expr)
		if err != nil {
			return
		}
		flt.Match(layers.LinkTypeEthernet, data)
		flt.Match(layers.LinkTypeRaw, data)
	})
}
