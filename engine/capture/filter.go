package capture

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Filter is a --filter expression: a small built-in set matched in Go on
// each packet's headers, not a BPF expression. libpcap's compiler is C (a
// cgo build, which longtail does without) and no maintained pure-Go
// compiler of its language exists; golang.org/x/net/bpf assembles
// programs, it does not compile expressions. The set covers what narrows
// a capture to DNS and HTTP:
//
//	port N, host ADDR, net CIDR, udp, tcp, ip, ip6
//
// each may follow "not", terms are joined with "and" and alternatives with
// "or" ("and" binds tighter, as in tcpdump); there are no parentheses and
// no src/dst qualifiers. port, host and net match either side.
type Filter struct {
	expr string
	any  [][]term // alternatives, each a conjunction
	// Decoding state, reused from packet to packet.
	parsers  map[layers.LinkType]*gopacket.DecodingLayerParser
	eth      layers.Ethernet
	dot1q    layers.Dot1Q
	ip4      layers.IPv4
	ip6      layers.IPv6
	udp      layers.UDP
	tcp      layers.TCP
	decoded  []gopacket.LayerType
	headerOf packetHeader
}

type termKind uint8

const (
	termPort termKind = iota
	termHost
	termNet
	termUDP
	termTCP
	termIP4
	termIP6
)

type term struct {
	kind termKind
	not  bool
	port uint16
	net  netip.Prefix // host: a one-address prefix
}

// ParseFilter reads a filter expression; an empty one matches everything.
func ParseFilter(expr string) (*Filter, error) {
	f := &Filter{expr: strings.TrimSpace(expr)}
	words := strings.Fields(strings.ToLower(f.expr))
	if len(words) == 0 {
		return f, nil
	}
	all := []term{}
	for len(words) > 0 {
		t, rest, err := parseTerm(words)
		if err != nil {
			return nil, fmt.Errorf("filter %q: %w", f.expr, err)
		}
		all = append(all, t)
		words = rest
		if len(words) == 0 {
			break
		}
		op := words[0]
		switch op {
		case "and", "&&":
		case "or", "||":
			f.any, all = append(f.any, all), []term{}
		default:
			return nil, fmt.Errorf("filter %q: %q where and/or was expected", f.expr, op)
		}
		if words = words[1:]; len(words) == 0 {
			return nil, fmt.Errorf("filter %q ends with %q", f.expr, op)
		}
	}
	f.any = append(f.any, all)
	return f, nil
}

// parseTerm reads one term from the start of words.
func parseTerm(words []string) (term, []string, error) {
	var t term
	if words[0] == "not" || words[0] == "!" {
		t.not, words = true, words[1:]
		if len(words) == 0 {
			return t, nil, fmt.Errorf("not what?")
		}
	}
	kinds := map[string]termKind{"udp": termUDP, "tcp": termTCP, "ip": termIP4, "ip6": termIP6}
	if k, ok := kinds[words[0]]; ok {
		t.kind = k
		return t, words[1:], nil
	}
	if len(words) < 2 {
		return t, nil, fmt.Errorf("%q is not port N, host ADDR, net CIDR, udp, tcp, ip or ip6", words[0])
	}
	arg := words[1]
	switch words[0] {
	case "port":
		p, err := strconv.ParseUint(arg, 10, 16)
		if err != nil {
			return t, nil, fmt.Errorf("port %q is not a number from 0 to 65535", arg)
		}
		t.kind, t.port = termPort, uint16(p)
	case "host":
		a, err := netip.ParseAddr(arg)
		if err != nil {
			return t, nil, fmt.Errorf("host %q is not an IP address (names are not resolved)", arg)
		}
		t.kind, t.net = termHost, netip.PrefixFrom(a, a.BitLen())
	case "net":
		p, err := netip.ParsePrefix(arg)
		if err != nil {
			return t, nil, fmt.Errorf("net %q is not an address/bits prefix", arg)
		}
		t.kind, t.net = termNet, p.Masked()
	default:
		return t, nil, fmt.Errorf("%q is not port N, host ADDR, net CIDR, udp, tcp, ip or ip6", words[0])
	}
	return t, words[2:], nil
}

// String is the expression as given.
func (f *Filter) String() string { return f.expr }

// packetHeader is what a filter looks at in a packet.
type packetHeader struct {
	ip4, ip6, udp, tcp bool
	src, dst           netip.Addr
	sport, dport       uint16
	ports              bool // known: the transport header was decoded
}

// Match says whether a frame of link type lt passes the filter.
func (f *Filter) Match(lt layers.LinkType, data []byte) bool {
	if len(f.any) == 0 {
		return true
	}
	h := f.header(lt, data)
	for _, all := range f.any {
		ok := true
		for _, t := range all {
			if t.matches(h) == t.not {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (t term) matches(h *packetHeader) bool {
	switch t.kind {
	case termPort:
		return h.ports && (h.sport == t.port || h.dport == t.port)
	case termHost, termNet:
		return h.src.IsValid() && t.net.Contains(h.src) || h.dst.IsValid() && t.net.Contains(h.dst)
	case termUDP:
		return h.udp
	case termTCP:
		return h.tcp
	case termIP4:
		return h.ip4
	case termIP6:
		return h.ip6
	}
	return false
}

// header decodes what the filter needs of a packet; a packet it cannot
// decode has nothing known (and matches only negated terms).
func (f *Filter) header(lt layers.LinkType, data []byte) *packetHeader {
	h := &f.headerOf
	*h = packetHeader{}
	first := lt
	if lt == layers.LinkTypeRaw && len(data) > 0 {
		first = layers.LinkTypeIPv4
		if data[0]>>4 == 6 {
			first = layers.LinkTypeIPv6
		}
	}
	p := f.parser(first)
	if p == nil {
		return h
	}
	_ = p.DecodeLayers(data, &f.decoded) // what was decoded before an error is used
	for _, l := range f.decoded {
		switch l {
		case layers.LayerTypeIPv4:
			h.ip4 = true
			h.src, _ = netip.AddrFromSlice(f.ip4.SrcIP)
			h.dst, _ = netip.AddrFromSlice(f.ip4.DstIP)
		case layers.LayerTypeIPv6:
			h.ip6 = true
			h.src, _ = netip.AddrFromSlice(f.ip6.SrcIP)
			h.dst, _ = netip.AddrFromSlice(f.ip6.DstIP)
		case layers.LayerTypeUDP:
			h.udp, h.ports, h.sport, h.dport = true, true, uint16(f.udp.SrcPort), uint16(f.udp.DstPort)
		case layers.LayerTypeTCP:
			h.tcp, h.ports, h.sport, h.dport = true, true, uint16(f.tcp.SrcPort), uint16(f.tcp.DstPort)
		}
	}
	// A later IPv4 fragment has no transport header: it is not taken
	// for one.
	if h.ip4 && f.ip4.FragOffset != 0 {
		h.ports = false
	}
	return h
}

// parser returns the decoder that starts at link type lt (nil: not one
// the filter reads).
func (f *Filter) parser(lt layers.LinkType) *gopacket.DecodingLayerParser {
	if p, ok := f.parsers[lt]; ok {
		return p
	}
	var first gopacket.LayerType
	switch lt {
	case layers.LinkTypeEthernet:
		first = layers.LayerTypeEthernet
	case layers.LinkTypeIPv4:
		first = layers.LayerTypeIPv4
	case layers.LinkTypeIPv6:
		first = layers.LayerTypeIPv6
	default:
		return nil
	}
	p := gopacket.NewDecodingLayerParser(first, &f.eth, &f.dot1q, &f.ip4, &f.ip6, &f.udp, &f.tcp)
	p.IgnoreUnsupported = true
	if f.parsers == nil {
		f.parsers = map[layers.LinkType]*gopacket.DecodingLayerParser{}
	}
	f.parsers[lt] = p
	return p
}
