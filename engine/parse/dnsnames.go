package parse

import (
	"strconv"

	"github.com/longtail/longtail/engine/record"
)

// Helpers shared by the text parsers: DNS type and response code mnemonics
// (also used to display them) and allocation-free number and time parsing.

// qtypeNames maps DNS type numbers to their mnemonics (RFC 1035 and later).
var qtypeNames = map[uint16]string{
	1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 10: "NULL", 12: "PTR", 13: "HINFO",
	15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 35: "NAPTR", 39: "DNAME",
	41: "OPT", 43: "DS", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 50: "NSEC3",
	51: "NSEC3PARAM", 52: "TLSA", 64: "SVCB", 65: "HTTPS", 99: "SPF",
	251: "IXFR", 252: "AXFR", 255: "ANY", 257: "CAA",
}

// rcodeNames maps DNS response codes to their mnemonics (RFC 1035, 2136,
// 6891 and 8945).
var rcodeNames = map[int16]string{
	0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
	5: "REFUSED", 6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH",
	10: "NOTZONE", 16: "BADVERS", 17: "BADKEY", 18: "BADTIME", 19: "BADMODE",
	20: "BADNAME", 21: "BADALG", 22: "BADTRUNC", 23: "BADCOOKIE",
}

// The reverse maps are keyed by upper-case mnemonic; lookups upper-case the
// input into a stack buffer so that the hot path does not allocate.
var (
	qtypeByName = invert(qtypeNames)
	rcodeByName = invert(rcodeNames)
)

func invert[K comparable](m map[K]string) map[string]K {
	r := make(map[string]K, len(m)+4)
	for k, v := range m {
		r[v] = k
	}
	return r
}

func init() {
	// Aliases some sources write.
	rcodeByName["NOTIMPL"] = 4
	rcodeByName["NOERR"] = 0
}

// upper copies b upper-cased into buf and reports whether it fitted.
func upper(buf []byte, b []byte) ([]byte, bool) {
	if len(b) > len(buf) {
		return nil, false
	}
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(b)], true
}

// QTypeByName returns the type number of a mnemonic ("A", "aaaa", "TYPE65"),
// or 0 when it is unknown.
func QTypeByName(b []byte) uint16 {
	var buf [16]byte
	u, ok := upper(buf[:], b)
	if !ok {
		return 0
	}
	if t, ok := qtypeByName[string(u)]; ok {
		return t
	}
	if len(u) > 4 && string(u[:4]) == "TYPE" {
		if n, ok := Atoi(u[4:]); ok && n <= 0xffff {
			return uint16(n)
		}
	}
	return 0
}

// QTypeName returns the mnemonic of a type number, "TYPEnnn" for one
// without a mnemonic, and "" for 0 (unknown).
func QTypeName(t uint16) string {
	if t == 0 {
		return ""
	}
	if s, ok := qtypeNames[t]; ok {
		return s
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// RCodeByName returns the response code of a mnemonic ("NXDOMAIN",
// "servfail"), or record.NoRCode when it is unknown.
func RCodeByName(b []byte) int16 {
	var buf [16]byte
	u, ok := upper(buf[:], b)
	if !ok {
		return record.NoRCode
	}
	if c, ok := rcodeByName[string(u)]; ok {
		return c
	}
	return record.NoRCode
}

// RCodeName returns the mnemonic of a response code, "RCODEnn" for one
// without a mnemonic, and "" for record.NoRCode or any negative value.
func RCodeName(c int16) string {
	if c < 0 {
		return ""
	}
	if s, ok := rcodeNames[c]; ok {
		return s
	}
	return "RCODE" + strconv.Itoa(int(c))
}

// Atoi parses an unsigned decimal integer without allocating. It rejects
// empty input, any non-digit, and values that do not fit in 18 digits.
func Atoi(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// Hex parses an unsigned hexadecimal integer (no prefix) of up to 16 digits.
func Hex(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | uint64(c)
	}
	return n, true
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's days_from_civil). Parsers call it instead of
// time.Date, which normalises every field and consults a location: too slow
// for once per line.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// UnixMicro returns the unix time in microseconds of a UTC civil time. The
// fields are not validated beyond what callers check.
func UnixMicro(y, mo, d, h, mi, s int64) int64 {
	return ((daysFromCivil(y, mo, d)*24+h)*60+mi)*60*1_000_000 + s*1_000_000
}
