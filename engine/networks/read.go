// Package networks knows the open IP-to-ASN tables an analyst loads once
// (sensors have no internet): it tells their formats apart by content,
// reads them into disjoint ranges, and answers, for a set of addresses,
// their autonomous system, its owner and the country. Lookups are made per
// distinct address when a list is shown, never per event, so the ingest
// does not pay for them.
package networks

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// Format is a kind of network table.
type Format string

const (
	// IPtoASN is iptoasn.com's ip2asn TSV: first and last address, ASN,
	// country, AS description, one range a line.
	IPtoASN Format = "iptoasn"
	// PyASN is pyasn's IPASN dump of a routeviews RIB: "prefix<TAB>asn"
	// lines under ";" comments, IPv4 or IPv4 and IPv6.
	PyASN Format = "pyasn"
	// ASNames is pyasn's AS names: a JSON object from ASN to
	// "NAME - description, CC".
	ASNames Format = "asnames"
)

// Range is a range of addresses and the autonomous system announcing it.
type Range struct {
	First, Last netip.Addr
	ASN         uint32
	Country     string
}

// Name is the name and registration country of an autonomous system.
type Name struct {
	ASN     uint32
	Name    string
	Country string
}

// File is what a network table file holds.
type File struct {
	Format Format
	// Dated is the date the data says it was made, when it says one.
	Dated   string
	Ranges  []Range // as read: they may nest (a prefix inside another)
	Names   []Name
	Skipped int // lines that are not a range or a name

	named map[uint32]bool // ASNs in Names, for a format naming one per range
}

// maxLine bounds a line of a table; a longer one is skipped.
const maxLine = 64 << 10

// Detect tells the format of a table from its first bytes (already
// decompressed); ok is false when it is none this package reads.
func Detect(head []byte) (Format, bool) {
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(head) > 0 && head[0] == '{' {
		return ASNames, true
	}
	for line := range bytes.Lines(head) {
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 || line[0] == ';' || line[0] == '#' {
			continue
		}
		f := bytes.Split(line, []byte{'\t'})
		switch {
		case len(f) >= 3 && isAddr(f[0]) && isAddr(f[1]) && isUint(f[2]):
			return IPtoASN, true
		case len(f) == 2 && isPrefix(f[0]) && isUint(f[1]):
			return PyASN, true
		}
		return "", false
	}
	return "", false
}

func isAddr(b []byte) bool {
	_, err := netip.ParseAddr(string(b))
	return err == nil
}

func isPrefix(b []byte) bool {
	_, err := netip.ParsePrefix(string(b))
	return err == nil
}

func isUint(b []byte) bool {
	_, err := strconv.ParseUint(string(b), 10, 32)
	return err == nil
}

var gzipMagic = []byte{0x1f, 0x8b}

// Read reads a table, gzip-compressed or not, whatever its format.
func Read(r io.Reader) (*File, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	head, err := br.Peek(8 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	f, ok := Detect(head)
	if !ok {
		return nil, errors.New("not a network table this build reads (iptoasn TSV, pyasn IPASN dump or pyasn AS names)")
	}
	t := &File{Format: f}
	switch f {
	case ASNames:
		err = t.readNames(br)
	default:
		err = t.readLines(br)
	}
	return t, err
}

// readLines reads the line formats: a line that is not a range is
// skipped and counted.
func (t *File) readLines(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		if line[0] == ';' || line[0] == '#' {
			t.comment(line)
			continue
		}
		var ok bool
		if t.Format == IPtoASN {
			ok = t.addIPtoASN(line)
		} else {
			ok = t.addPyASN(line)
		}
		if !ok {
			t.Skipped++
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("a line longer than %d bytes", maxLine)
	}
	return sc.Err()
}

// convertedOn is the date line of a pyasn dump's header.
var convertedOn = regexp.MustCompile(`^;\s*Converted on\s*:\s*(.+)$`)

func (t *File) comment(line string) {
	if m := convertedOn.FindStringSubmatch(line); m != nil && t.Dated == "" {
		t.Dated = strings.TrimSpace(m[1])
	}
}

// addIPtoASN takes "first last asn country description". ASN 0 is
// iptoasn's "not routed": no network, so no range.
func (t *File) addIPtoASN(line string) bool {
	f := strings.SplitN(line, "\t", 5)
	if len(f) < 3 {
		return false
	}
	first, err1 := netip.ParseAddr(f[0])
	last, err2 := netip.ParseAddr(f[1])
	asn, err3 := strconv.ParseUint(f[2], 10, 32)
	if err1 != nil || err2 != nil || err3 != nil || first.Is4() != last.Is4() || last.Less(first) {
		return false
	}
	if asn == 0 {
		return true
	}
	r := Range{First: first.Unmap(), Last: last.Unmap(), ASN: uint32(asn)}
	if len(f) > 3 {
		r.Country = country(f[3])
	}
	t.Ranges = append(t.Ranges, r)
	if len(f) > 4 && f[4] != "" && !t.named[r.ASN] {
		if t.named == nil {
			t.named = map[uint32]bool{}
		}
		t.named[r.ASN] = true
		t.Names = append(t.Names, Name{ASN: r.ASN, Name: f[4], Country: r.Country})
	}
	return true
}

// addPyASN takes "prefix asn".
func (t *File) addPyASN(line string) bool {
	pfx, asnText, ok := strings.Cut(line, "\t")
	if !ok {
		return false
	}
	p, err1 := netip.ParsePrefix(pfx)
	asn, err2 := strconv.ParseUint(strings.TrimSpace(asnText), 10, 32)
	if err1 != nil || err2 != nil || asn == 0 {
		return false
	}
	p = p.Masked()
	t.Ranges = append(t.Ranges, Range{First: p.Addr(), Last: lastOf(p), ASN: uint32(asn)})
	return true
}

// lastOf is the last address of a prefix.
func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// readNames reads pyasn's AS names, {"15169": "GOOGLE - Google Inc., US"}:
// the country is the two capital letters after the last comma. An entry
// that is not a number and a string is skipped and counted.
func (t *File) readNames(r io.Reader) error {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("AS names: not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("AS names: %w", err)
		}
		key, _ := tok.(string)
		var val any
		if err := dec.Decode(&val); err != nil {
			return fmt.Errorf("AS names: %w", err)
		}
		asn, err := strconv.ParseUint(key, 10, 32)
		s, isText := val.(string)
		if err != nil || !isText || asn == 0 {
			t.Skipped++
			continue
		}
		n := Name{ASN: uint32(asn), Name: s}
		if i := strings.LastIndexByte(s, ','); i >= 0 {
			if cc := country(strings.TrimSpace(s[i+1:])); cc != "" {
				n.Name, n.Country = strings.TrimSpace(s[:i]), cc
			}
		}
		t.Names = append(t.Names, n)
	}
	return nil
}

// country is a two-letter country code, upper case, or "" (iptoasn's
// "None", the "ZZ" of an unknown one, anything else).
func country(s string) string {
	if len(s) != 2 || s == "ZZ" || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return ""
	}
	return s
}
