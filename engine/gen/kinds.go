package gen

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// A Kind is a kind of log gen writes, as `longtail gen KIND` names it.
type Kind struct {
	Name    string
	Formats []string // the formats it is written in, the default first
	// write writes o.Lines events in o.Format and says how many it
	// wrote (more when the planted ones need more).
	write func(w io.Writer, o Options) (int64, error)
}

// Kinds are the kinds of log gen writes.
var Kinds = []Kind{
	{"dns", []string{"csv", "zeek", "tcpdump", "pcap"}, func(w io.Writer, o Options) (int64, error) {
		tr, err := Write(w, o)
		return tr.Events, err
	}},
	{"http", []string{"vhost_combined"}, func(w io.Writer, o Options) (int64, error) {
		tr, err := WriteHTTP(w, o)
		return tr.Events, err
	}},
	{"logon", []string{"json"}, func(w io.Writer, o Options) (int64, error) {
		tr, err := WriteLogon(w, o)
		return tr.Events, err
	}},
}

// KindNamed is the kind of log called name.
func KindNamed(name string) (Kind, bool) {
	i := slices.IndexFunc(Kinds, func(k Kind) bool { return k.Name == name })
	if i < 0 {
		return Kind{}, false
	}
	return Kinds[i], true
}

// KindNames lists the kinds' names: "dns|http|logon" with sep "|".
func KindNames(sep string) string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = k.Name
	}
	return strings.Join(names, sep)
}

// Write writes a log of the kind in o.Format (its default when empty) and
// says how many events it holds. A format the kind lacks is refused, not
// replaced by the default.
func (k Kind) Write(w io.Writer, o Options) (int64, error) {
	if o.Format == "" {
		o.Format = k.Formats[0]
	} else if !slices.Contains(k.Formats, o.Format) {
		return 0, fmt.Errorf("gen %s: no format %q; it writes %s", k.Name, o.Format, strings.Join(k.Formats, ", "))
	}
	return k.write(w, o)
}
