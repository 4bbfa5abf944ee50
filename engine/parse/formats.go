package parse

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// registry holds every format, ordered by detection priority: binary formats
// with magic numbers first, then text formats from the most specific
// signature to the most lenient. The built-in formats register from init;
// custom formats (format files) come and go at run time through Register,
// so every access holds registryMu.
var (
	registryMu sync.RWMutex
	registry   []registered
	nextID     int
)

type registered struct {
	priority int
	id       int // tells two registrations of one name apart, for their removal
	Format
}

// CustomPriority is where the formats added with Register are tried: after
// every built-in format with a signature of its own (captures, Zeek,
// Umbrella, Windows, BIND, dnsmasq), before the lenient ones (opendns-csv,
// tcpdump-text, names-list) that would take a user's CSV for theirs.
const CustomPriority = 50

// register adds a format; each format's file calls it from init. Lower
// priority values are tried first.
func register(priority int, f Format) int {
	registryMu.Lock()
	defer registryMu.Unlock()
	nextID++
	registry = append(registry, registered{priority, nextID, f})
	sort.SliceStable(registry, func(i, j int) bool { return registry[i].priority < registry[j].priority })
	return nextID
}

// Register adds a format at run time (a user's format file), tried at
// CustomPriority after the formats registered before it. It fails when the
// name is taken, by a built-in format or another custom one. remove takes
// it out again; it is safe to call more than once.
func Register(f Format) (remove func(), err error) {
	switch {
	case f.Name == "":
		return nil, errors.New("a format needs a name")
	case f.Detect == nil || (f.Lines == nil) == (f.Stream == nil):
		return nil, fmt.Errorf("format %s: needs Detect and one of Lines or Stream", f.Name)
	}
	if _, taken := ByName(f.Name); taken {
		return nil, fmt.Errorf("a format named %q exists already (longtail formats lists them)", f.Name)
	}
	id := register(CustomPriority, f)
	var once sync.Once
	return func() { once.Do(func() { unregister(id) }) }, nil
}

// unregister removes the registration id.
func unregister(id int) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry = slices.DeleteFunc(registry, func(r registered) bool { return r.id == id })
}

// Formats lists the registered formats in detection order.
func Formats() []Format {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Format, len(registry))
	for i, r := range registry {
		out[i] = r.Format
	}
	return out
}

// ByName finds a format by its Name.
func ByName(name string) (Format, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	for _, r := range registry {
		if r.Name == name {
			return r.Format, true
		}
	}
	return Format{}, false
}

// UnknownFormatError is Detect's error when no format accepts the file:
// it is not a log longtail reads. Guess is what it looks like (Guess; ""
// when it cannot tell), Tried the formats tried, Declined why each format
// that explains itself (a format file's) did not take it ("caddy: line 1
// is not a JSON object"): a user who wrote one for the file needs that
// more than the list.
type UnknownFormatError struct {
	Guess    string
	Tried    []string
	Declined []string
}

func (e *UnknownFormatError) Error() string {
	msg := "unknown format (tried " + strings.Join(e.Tried, ", ") + ")"
	if e.Guess != "" {
		msg = "this looks like " + e.Guess + ": longtail reads DNS, web and logon logs and captures, not this kind of log yet (longtail formats lists them; a format file describes your own)"
	}
	for _, d := range e.Declined {
		msg += "; " + d
	}
	return msg
}

// Detect returns the first format that accepts head, or an
// *UnknownFormatError.
func Detect(head []byte) (Format, error) {
	head = bytes.TrimPrefix(head, bom)
	formats := Formats()
	for _, f := range formats {
		if f.Detect(head) {
			return f, nil
		}
	}
	e := &UnknownFormatError{Guess: Guess(head)}
	for _, f := range formats {
		e.Tried = append(e.Tried, f.Name)
		if f.Explain != nil {
			_, why := f.Explain(head)
			e.Declined = append(e.Declined, f.Name+": "+why)
		}
	}
	return Format{}, e
}
