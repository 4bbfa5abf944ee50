package parse

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// The time column of a custom format, in the layout its format file names:
// one of the names below, a strftime pattern (anything with a '%') or a Go
// layout (anything else).
const (
	LayoutISO8601 = "iso8601" // also "rfc3339"; the default
	LayoutUnix    = "unix"    // seconds since the epoch, with an optional fraction
	LayoutUnixMS  = "unix_ms"
	LayoutUnixUS  = "unix_us"
	LayoutUnixNS  = "unix_ns"
)

// timeReader reads one custom format's times into unix microseconds.
type timeReader struct {
	unit   int64          // unix layouts: microseconds per unit, -1000 for nanoseconds; 0 otherwise
	layout string         // Go layout; "" for ISO 8601
	loc    *time.Location // the zone of times that carry none; nil is UTC
	iso    timeParser

	// The last text a Go layout parsed and its time: the lines of a burst
	// share their stamp, and time.Parse is the costly part.
	last   []byte
	lastUS int64
	// The offset of loc at the last wall-clock minute an ISO time without
	// a zone was placed in: it changes twice a year at most.
	zoneMinute, zoneOffset int64
	zoneKnown              bool
}

// newTimeReader compiles a layout and a time zone as a format file writes
// them. The errors say what is wrong with which, for the loader to place.
func newTimeReader(layout, zone string) (*timeReader, error) {
	loc, err := zoneOf(zone)
	if err != nil {
		return nil, &FieldError{Key: "timezone", Err: err}
	}
	r := &timeReader{loc: loc}
	switch strings.ToLower(layout) {
	case "", LayoutISO8601, "rfc3339":
		return r, nil
	case LayoutUnix:
		r.unit = 1_000_000
	case LayoutUnixMS:
		r.unit = 1_000
	case LayoutUnixUS:
		r.unit = 1
	case LayoutUnixNS:
		r.unit = -1_000
	default:
		goLayout := layout
		if strings.Contains(layout, "%") {
			if goLayout, err = strftimeLayout(layout); err != nil {
				return nil, &FieldError{Key: "layout", Err: err}
			}
		}
		if err := checkGoLayout(layout, goLayout); err != nil {
			return nil, &FieldError{Key: "layout", Err: err}
		}
		r.layout = goLayout
	}
	return r, nil
}

// pastHint is what a unix time past MaxYear in r's unit may be instead:
// a finer unit (1709643845123 is milliseconds, not seconds). It is not
// guessed: the line is skipped with it, for the format file to be fixed.
func (r *timeReader) pastHint() string {
	switch r.unit {
	case 1_000_000:
		return ` as seconds: milliseconds or microseconds? (layout = "unix_ms" or "unix_us")`
	case 1_000:
		return ` as milliseconds: microseconds or nanoseconds? (layout = "unix_us" or "unix_ns")`
	case 1:
		return ` as microseconds: nanoseconds? (layout = "unix_ns")`
	}
	return ""
}

// zoneOf reads a time zone: UTC (or nothing), Local, an IANA name, or an
// offset such as +02:00 or -0500.
func zoneOf(zone string) (*time.Location, error) {
	switch zone {
	case "", "UTC", "utc", "Z", "z":
		return nil, nil
	case "Local", "local":
		return time.Local, nil
	}
	if zone[0] == '+' || zone[0] == '-' {
		if off, ok := zoneOffset([]byte(zone)); ok {
			return time.FixedZone(zone, int(off/1_000_000)), nil
		}
	} else if loc, err := time.LoadLocation(zone); err == nil {
		return loc, nil
	}
	return nil, fmt.Errorf("unknown time zone %q (want UTC, Local, a name such as Europe/Paris, or an offset such as +02:00)", zone)
}

// strftimeDirectives maps each strftime directive to its Go layout.
var strftimeDirectives = map[string]string{
	"Y": "2006", "y": "06", "m": "01", "d": "02", "e": "_2", "j": "002",
	"H": "15", "I": "03", "M": "04", "S": "05", "p": "PM",
	"b": "Jan", "h": "Jan", "B": "January", "a": "Mon", "A": "Monday",
	"z": "-0700", ":z": "-07:00", "Z": "MST",
	"T": "15:04:05", "F": "2006-01-02", "D": "01/02/06", "R": "15:04",
	"%": "%", "n": "\n", "t": "\t",
}

// strftimeLayout turns "%Y-%m-%d %H:%M:%S" into Go's "2006-01-02 15:04:05".
// %f (microseconds, after a '.' or ',') becomes Go's fraction.
func strftimeLayout(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		d := s[i+1 : min(i+2, len(s))]
		if d == ":" {
			d = s[i+1 : min(i+3, len(s))]
		}
		i += len(d)
		switch g, ok := strftimeDirectives[d]; {
		case ok:
			b.WriteString(g)
		case d == "f":
			if out := b.String(); out == "" || (out[len(out)-1] != '.' && out[len(out)-1] != ',') {
				return "", errors.New("%f (the fraction of a second) must follow a '.' or ',' in the layout")
			}
			b.WriteString("000000")
		case d == "s":
			return "", errors.New(`%s is seconds since the epoch: write layout = "unix"`)
		case d == "":
			return "", errors.New("the layout ends with a lone %")
		default:
			return "", fmt.Errorf("%%%s is not a strftime directive longtail knows (it knows %%Y %%m %%d %%H %%M %%S %%f %%b %%z and the like)", d)
		}
	}
	return b.String(), nil
}

// checkGoLayout refuses a layout that cannot give a whole date and time:
// a reference time written in it must read back to the same minute.
func checkGoLayout(written, layout string) error {
	ref := time.Date(2024, time.March, 5, 13, 4, 5, 0, time.UTC)
	text := ref.Format(layout)
	got, err := time.Parse(layout, text)
	if err == nil && got.Year() == 2024 && got.YearDay() == ref.YearDay() && got.Hour() == 13 && got.Minute() == 4 {
		return nil
	}
	return fmt.Errorf("layout %q does not hold a whole date and time (2024-03-05 13:04:05 in it is %q): write a Go layout (2006-01-02 15:04:05), a strftime one (%%Y-%%m-%%d %%H:%%M:%%S), %s, %s, %s, %s or %s",
		written, text, LayoutISO8601, LayoutUnix, LayoutUnixMS, LayoutUnixUS, LayoutUnixNS)
}

// parse reads one time.
func (r *timeReader) parse(b []byte) (int64, bool) {
	switch {
	case r.unit != 0:
		return epochIn(b, r.unit)
	case r.layout != "":
		return r.parseGo(b)
	}
	us, ok := r.iso.parse(b)
	if !ok || r.loc == nil || zoned(b) {
		return us, ok
	}
	return r.inZone(us), true
}

// parseGo reads a time in a Go layout.
func (r *timeReader) parseGo(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	if r.last != nil && string(b) == string(r.last) {
		return r.lastUS, true
	}
	loc := r.loc
	if loc == nil {
		loc = time.UTC
	}
	// The text is only read during the call (and in an error, dropped
	// here): no copy of it is needed.
	t, err := time.ParseInLocation(r.layout, unsafe.String(&b[0], len(b)), loc)
	if err != nil {
		return 0, false
	}
	r.last, r.lastUS = append(r.last[:0], b...), t.UnixMicro()
	return r.lastUS, true
}

// zoned says whether an ISO time that timeParser read names its zone.
func zoned(b []byte) bool {
	rest := b[19:]
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		rest = rest[1:]
		for len(rest) > 0 && '0' <= rest[0] && rest[0] <= '9' {
			rest = rest[1:]
		}
	}
	return len(rest) > 0
}

// inZone takes us, a wall-clock time read as UTC, as a time in r.loc.
func (r *timeReader) inZone(us int64) int64 {
	minute := us / 60_000_000
	if !r.zoneKnown || minute != r.zoneMinute {
		w := time.UnixMicro(us).UTC()
		t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, r.loc)
		r.zoneMinute, r.zoneOffset, r.zoneKnown = minute, minute*60_000_000-t.UnixMicro(), true
	}
	return us - r.zoneOffset
}

// epochIn reads a time since the epoch in unit (see timeReader.unit), with
// an optional fraction, or in exponent form as JSON writers may give it.
// A time past MaxYear is returned as read (at most 2^62), not refused.
func epochIn(b []byte, unit int64) (int64, bool) {
	if unit == 1_000_000 {
		if us, ok := parseEpoch(b); ok {
			return us, true
		}
	} else {
		whole := b
		for i, c := range b {
			if c == '.' {
				whole = b[:i]
				break
			}
		}
		if n, ok := Atoi(whole); ok && (unit < 0 || n <= math.MaxInt64/unit-1) {
			frac := b[len(whole):]
			if len(frac) == 1 {
				return 0, false
			}
			if unit < 0 {
				return n / -unit, digitsOnly(frac[min(1, len(frac)):])
			}
			us := n * unit
			scale := unit
			for _, c := range frac[min(1, len(frac)):] {
				if c < '0' || c > '9' {
					return 0, false
				}
				scale /= 10
				us += int64(c-'0') * scale
			}
			return us, true
		}
	}
	if len(b) == 0 || b[0] == '-' || b[0] == '+' {
		return 0, false
	}
	f, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
	if err != nil || f < 0 {
		return 0, false
	}
	us := f * float64(unit)
	if unit < 0 {
		us = f / float64(-unit)
	}
	// A time too far for int64 is past MaxYear still, for the caller to
	// say so (the unit mistaken) rather than "bad time".
	return int64(min(us, 1<<62)), true
}

func digitsOnly(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
