package parse

import (
	"fmt"
	"sort"
	"strings"
)

// registry holds every format, ordered by detection priority: binary formats
// with magic numbers first, then text formats from the most specific
// signature to the most lenient.
var registry []registered

type registered struct {
	priority int
	Format
}

// register adds a format; each format's file calls it from init. Lower
// priority values are tried first.
func register(priority int, f Format) {
	registry = append(registry, registered{priority, f})
	sort.SliceStable(registry, func(i, j int) bool { return registry[i].priority < registry[j].priority })
}

// Formats lists the registered formats in detection order.
func Formats() []Format {
	out := make([]Format, len(registry))
	for i, r := range registry {
		out[i] = r.Format
	}
	return out
}

// ByName finds a format by its Name.
func ByName(name string) (Format, bool) {
	for _, r := range registry {
		if r.Name == name {
			return r.Format, true
		}
	}
	return Format{}, false
}

// Detect returns the first format that accepts head.
func Detect(head []byte) (Format, error) {
	for _, r := range registry {
		if r.Detect(head) {
			return r.Format, nil
		}
	}
	if kind := Guess(head); kind != "" {
		return Format{}, fmt.Errorf("this looks like %s: longtail reads DNS and web logs and captures, not this kind of log yet (longtail formats lists them)", kind)
	}
	names := make([]string, len(registry))
	for i, r := range registry {
		names[i] = r.Name
	}
	return Format{}, fmt.Errorf("unknown format (tried %s)", strings.Join(names, ", "))
}
