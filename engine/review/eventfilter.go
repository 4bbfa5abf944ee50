package review

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/subject"
)

// filterSpec is what an event filter reads for one kind of event: each kind
// stores its fields in its own way (an HTTP status where a DNS rcode is, a
// logon's event id where a DNS type is), so a key of another kind would
// match nothing, or the wrong field, and is refused.
type filterSpec struct {
	noun string // what the events are, in the refusal
	keys string // the keys, in the refusal
	help string // the filter's help, the drill-down's f key's
	// set sets the field key names; known is false for a key of no field
	// of this kind.
	set func(f *db.EventFilter, key, val string) (known bool, err error)
}

var filterSpecs = map[record.Kind]filterSpec{
	record.KindDNS: {"DNS queries", "client, type or rcode", "only client=… type=TXT rcode=NXDOMAIN (- no response)", setDNSField},
	record.KindHTTP: {"HTTP requests", "client, method or status", "only client=… method=POST status=404, 4xx or - (no response)",
		setHTTPField},
	record.KindLogon: {"logons", "source, result, id (a Windows event's number) or type", "only source=… result=success|failure|invalid (or a list: success,failure) id=4625 type=10|remote",
		setLogonField},
}

// specOf is kind's filterSpec; an unknown kind reads DNS's, as the
// events of a subject of no kind are queries.
func specOf(kind record.Kind) filterSpec {
	if s, ok := filterSpecs[kind]; ok {
		return s
	}
	return filterSpecs[record.KindDNS]
}

// EventFilterHelp says what ParseEventFilter reads for events of kind:
// "only client=… type=TXT rcode=NXDOMAIN (- no response)".
func EventFilterHelp(kind record.Kind) string { return specOf(kind).help }

// ParseEventFilter reads "client=10.0.0.5 type=TXT rcode=NXDOMAIN" into a
// filter of the events' kind (filterSpecs): the drill-down's f and
// longtail events --where.
func ParseEventFilter(s string, kind record.Kind) (db.EventFilter, error) {
	var f db.EventFilter
	spec := specOf(kind)
	for _, w := range strings.Fields(s) {
		key, val, ok := strings.Cut(w, "=")
		if !ok || val == "" {
			return f, fmt.Errorf("%q: write key=value (%s)", w, spec.keys)
		}
		key = strings.ToLower(key)
		if key == "client" || key == "source" {
			f.Client = val
			if kind == record.KindLogon {
				// Stored as logons compare them: SCORPIA is scorpia.
				f.Client = string(subject.AppendLogonClient(nil, []byte(val)))
			}
			continue
		}
		known, err := spec.set(&f, key, val)
		if !known {
			return f, fmt.Errorf("%q: filter %s by %s", key, spec.noun, spec.keys)
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

func setDNSField(f *db.EventFilter, key, val string) (bool, error) {
	switch key {
	case "type", "qtype":
		if f.QType = parse.QTypeByName([]byte(val)); f.QType == 0 {
			return true, fmt.Errorf("type %q: not a DNS type (A, TXT, TYPE65…)", val)
		}
	case "rcode":
		c, err := parseRCode(val)
		f.Code = &db.CodeRange{Lo: c, Hi: c}
		return true, err
	default:
		return false, nil
	}
	return true, nil
}

func setHTTPField(f *db.EventFilter, key, val string) (bool, error) {
	switch key {
	case "method":
		f.Method = strings.ToUpper(val)
	case "status":
		r, err := parseStatus(val)
		f.Code = &r
		return true, err
	default:
		return false, nil
	}
	return true, nil
}

func setLogonField(f *db.EventFilter, key, val string) (bool, error) {
	switch key {
	case "result":
		r, err := parseResults(val)
		f.Results = r
		return true, err
	case "id", "event", "eventid":
		n, err := strconv.ParseUint(val, 10, 16)
		if err != nil || n == 0 {
			return true, fmt.Errorf("event id %q: a Windows event's number (4625)", val)
		}
		f.EventID = uint16(n)
	case "type":
		f.Type = val
	default:
		return false, nil
	}
	return true, nil
}

// parseRCode reads an rcode's name or number; "-" is no response seen.
func parseRCode(s string) (int16, error) {
	if s == "-" {
		return record.NoRCode, nil
	}
	if n, err := strconv.ParseInt(s, 10, 16); err == nil && n >= 0 {
		return int16(n), nil
	}
	if c := parse.RCodeByName([]byte(s)); c != record.NoRCode {
		return c, nil
	}
	return 0, fmt.Errorf("rcode %q: a name (NXDOMAIN), a number (3) or - (no response)", s)
}

// parseStatus reads an HTTP status (404), a class of them (4xx), or "-",
// no response seen (stored as 0).
func parseStatus(s string) (db.CodeRange, error) {
	if s == "-" {
		return db.CodeRange{}, nil
	}
	if len(s) == 3 && strings.EqualFold(s[1:], "xx") && '1' <= s[0] && s[0] <= '9' {
		lo := int16(s[0]-'0') * 100
		return db.CodeRange{Lo: lo, Hi: lo + 99}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 16); err == nil && n >= 100 && n <= 999 {
		return db.CodeRange{Lo: int16(n), Hi: int16(n)}, nil
	}
	return db.CodeRange{}, fmt.Errorf("status %q: a code (404), a class (4xx) or - (no response)", s)
}

// parseResults reads one result or several, "success,failure": the logon
// summary's row opens the results it counted, which a value's client
// versions and commands typed are not.
func parseResults(s string) ([]string, error) {
	var out []string
	for _, one := range strings.Split(s, ",") {
		r, err := parseResult(one)
		if err != nil {
			return nil, err
		}
		out = append(out, r...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// parseResult reads a logon's result into the stored results it keeps.
// A failure is what the logon summary counts as one: sshd's "Invalid user"
// notice is not (the "Failed password for invalid user" after it is), and
// keeping it made the summary's row of 43 failures open on 86 logons.
// invalid keeps the notices.
func parseResult(s string) ([]string, error) {
	switch strings.ToLower(s) {
	case "success", "ok":
		return []string{string(record.LogonSuccess)}, nil
	case "failure", "fail", "failed":
		return []string{string(record.LogonFailure)}, nil
	case "invalid", "invalid-user":
		return []string{string(record.LogonInvalidUser)}, nil
	}
	return nil, fmt.Errorf("result %q: success, failure or invalid (an unknown user)", s)
}
