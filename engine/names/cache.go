package names

import "strings"

// Cache memoises RegisteredDomain for the ingest, where the same names come
// back millions of times. It is bounded: when it holds max names it starts
// over, which costs one list lookup per name afterwards and keeps a
// long-tail flood from growing memory. Not safe for concurrent use.
type Cache struct {
	max     int
	byName  map[string]string
	domains map[string]string // interned results, so cached values share storage
}

// NewCache returns a cache holding at most max names (a default of 1<<20 if
// max <= 0).
func NewCache(max int) *Cache {
	if max <= 0 {
		max = 1 << 20
	}
	return &Cache{max: max, byName: make(map[string]string), domains: make(map[string]string)}
}

// RegisteredDomain returns RegisteredDomain(string(name)) for a normalised
// name. A hit does not allocate.
func (c *Cache) RegisteredDomain(name []byte) string {
	if d, ok := c.byName[string(name)]; ok {
		return d
	}
	if len(c.byName) >= c.max {
		clear(c.byName)
		clear(c.domains)
	}
	key := string(name)
	d := RegisteredDomain(key)
	if in, ok := c.domains[d]; ok {
		d = in
	} else {
		// d is a substring of key; clone it so that a domain does not pin
		// the first (possibly 250-byte) name it was seen under.
		d = strings.Clone(d)
		c.domains[d] = d
	}
	c.byName[key] = d
	return d
}
