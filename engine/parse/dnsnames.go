package parse

import (
	"strconv"

	"github.com/longtail/longtail/engine/record"
)

// Helpers shared by the text parsers: DNS type and response code mnemonics
// (also used to display them) and allocation-free number and time parsing.

// qtypeNames maps DNS type numbers to their mnemonics: the IANA registry's
// types defined by RFCs, which tshark and tcpdump print (tshark -G values
// lists them under dns.qry.type).
var qtypeNames = map[uint16]string{
	1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG",
	9: "MR", 10: "NULL", 11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO",
	15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25", 20: "ISDN",
	21: "RT", 22: "NSAP", 23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX",
	27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC",
	33: "SRV", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6",
	39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP",
	45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID",
	50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP",
	56: "NINFO", 57: "RKEY", 58: "TALINK", 59: "CDS", 60: "CDNSKEY",
	61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB", 65: "HTTPS",
	99: "SPF", 100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC",
	104: "NID", 105: "L32", 106: "L64", 107: "LP", 108: "EUI48",
	109: "EUI64", 249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR",
	253: "MAILB", 254: "MAILA", 255: "ANY", 256: "URI", 257: "CAA",
	258: "AVC", 259: "DOA", 260: "AMTRELAY", 261: "RESINFO", 32768: "TA",
	32769: "DLV",
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
	// Aliases some sources write (tcpdump spells NSAP-PTR with '_').
	qtypeByName["NSAP_PTR"] = 23
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
	// Most queries are A or AAAA: answered without hashing into the map,
	// which every line of a text log would otherwise pay.
	switch string(u) {
	case "A":
		return 1
	case "AAAA":
		return 28
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
// for once per line. It does not validate: 30 Feb is 2 Mar.
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

// The times an event may take: the years --year takes. Before 1970 is
// negative (0 is "no time"), and a stamp past 9999 is a unit mistaken
// (milliseconds read as seconds) or garbage, never an event's time.
const (
	MinYear = 1970
	MaxYear = 9999
	// endMicro is 10000-01-01, the first time past MaxYear.
	endMicro = 253402300800 * 1_000_000
)

// inRange says whether us, unix microseconds, is within MinYear-MaxYear.
func inRange(us int64) bool { return 0 <= us && us < endMicro }

// UnixMicro returns the unix time in microseconds of a UTC civil time, and
// whether the fields name one: a day of its month (no 30 Feb, 29 Feb in
// leap years only), an hour, a minute and a second (60 for a leap second)
// in range, a year within MinYear-MaxYear. When they do not, the time is
// what the arithmetic gives (30 Feb is 2 Mar): a guess of the year, as the
// syslog clock makes, may compare it, but never store it.
func UnixMicro(y, mo, d, h, mi, s int64) (int64, bool) {
	ok := MinYear <= y && y <= MaxYear && 1 <= mo && mo <= 12 && 1 <= d && d <= daysIn(y, mo) &&
		0 <= h && h < 24 && 0 <= mi && mi < 60 && 0 <= s && s <= 60
	return ((daysFromCivil(y, mo, d)*24+h)*60+mi)*60*1_000_000 + s*1_000_000, ok
}

// daysIn is the number of days of month mo (1-12) of year y.
func daysIn(y, mo int64) int64 {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
