package networks

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/subject"
)

// The networks a DNS name's answers point to: which autonomous systems
// hold the addresses it resolved to. They are found when a list is shown,
// from the stored answers (the answers dictionary), never while ingesting:
// each distinct answer list is read once and each distinct address looked
// up once (Of).

// Share is one network of a name's answers and how many of the distinct
// answer addresses it holds.
type Share struct {
	Network
	Addrs int
}

// Set is the networks of a name's (or a domain's) answers, the one holding
// most of the addresses first (ties by AS number); only addresses an
// imported table knows count. Empty when none is known.
type Set []Share

// Short is a Set as a list's column shows it: its main network and "+N"
// for the N others ("AS15169 GOOGLE US +2"); "" when empty.
func (s Set) Short() string {
	if len(s) == 0 {
		return ""
	}
	out := Short(s[0].Network)
	if len(s) > 1 {
		out += " +" + strconv.Itoa(len(s)-1)
	}
	return out
}

// All is every network of the Set, as a list of Short texts.
func (s Set) All() []string {
	out := make([]string, len(s))
	for i, n := range s {
		out[i] = Short(n.Network)
	}
	return out
}

// ASNs is the AS numbers of the Set, main first.
func (s Set) ASNs() []uint32 {
	out := make([]uint32, len(s))
	for i, n := range s {
		out[i] = n.ASN
	}
	return out
}

// Merge adds up Sets (a domain's from its names'), ordered as a Set is.
func Merge(sets ...Set) Set {
	by := map[uint32]int{}
	var out Set
	for _, s := range sets {
		for _, n := range s {
			if i, ok := by[n.ASN]; ok {
				out[i].Addrs += n.Addrs
				continue
			}
			by[n.ASN] = len(out)
			out = append(out, n)
		}
	}
	sortSet(out)
	return out
}

func sortSet(s Set) {
	slices.SortFunc(s, func(a, b Share) int {
		if c := cmp.Compare(b.Addrs, a.Addrs); c != 0 {
			return c
		}
		return cmp.Compare(a.ASN, b.ASN)
	})
}

// AnswerAddrs returns the addresses in a stored answer list (its records
// joined by ','): CNAME targets and other records' data are left out.
func AnswerAddrs(text string) []string {
	var out []string
	for f := range strings.SplitSeq(text, ",") {
		f = strings.TrimSpace(f)
		if a, err := netip.ParseAddr(f); err == nil && !slices.Contains(out, f) && a.IsValid() {
			out = append(out, f)
		}
	}
	return out
}

// maxAnswerLists is how many distinct answer lists of a name are read: a
// CDN name rotating through hundreds of lists shows its networks in the
// first few, and reading them all would cost a lookup per list.
const maxAnswerLists = 16

// OfNames returns the networks of the answers of DNS names, by name id:
// every DNS name when ids is nil, else those of ids. It reads the DNS
// events once (db.ScanBlocksOf), keeping up to maxAnswerLists distinct
// answer lists a name, reads those lists, and looks each distinct address
// up once. A name none of whose answer addresses a table knows is left
// out; so is everything when no table is imported (and nothing is read).
func OfNames(ctx context.Context, d *db.DB, ids []uint32) (map[uint32]Set, error) {
	srcs, err := d.NetSources(ctx)
	if err != nil || len(srcs) == 0 {
		return nil, err
	}
	var want map[uint32]bool
	if ids != nil {
		want = make(map[uint32]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
	}
	lists := map[uint32][]uint32{}
	err = d.ScanBlocksOf(ctx, subject.DNSName, func(name uint32, evs []db.Event) error {
		if want != nil && !want[name] {
			return nil
		}
		l := lists[name]
		for i := range evs {
			a := evs[i].Answer
			if a != 0 && len(l) < maxAnswerLists && !slices.Contains(l, a) {
				l = append(l, a)
			}
		}
		if len(l) > 0 {
			lists[name] = l
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return setsOf(ctx, d, lists)
}

// OfAnswers returns the networks of the addresses of each stored answer
// list of ids (the scorer's, engine/score); nil when no table is
// imported.
func OfAnswers(ctx context.Context, d *db.DB, ids []uint32) (map[uint32]Set, error) {
	srcs, err := d.NetSources(ctx)
	if err != nil || len(srcs) == 0 {
		return nil, err
	}
	lists := make(map[uint32][]uint32, len(ids))
	for _, id := range ids {
		lists[id] = []uint32{id}
	}
	return setsOf(ctx, d, lists)
}

// setsOf resolves the answer lists of each key (a name) to its Set.
func setsOf(ctx context.Context, d *db.DB, lists map[uint32][]uint32) (map[uint32]Set, error) {
	var all []uint32
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	addrs := map[uint32][]string{}
	seen := map[string]bool{}
	var distinct []string
	err := d.EachAnswer(ctx, all, func(id uint32, text []byte) {
		as := AnswerAddrs(string(text))
		addrs[id] = as
		for _, a := range as {
			if !seen[a] {
				seen[a] = true
				distinct = append(distinct, a)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	nets, err := Of(ctx, d, distinct)
	if err != nil {
		return nil, err
	}
	out := make(map[uint32]Set, len(lists))
	for name, l := range lists {
		var as []string
		for _, id := range l {
			for _, a := range addrs[id] {
				if !slices.Contains(as, a) {
					as = append(as, a)
				}
			}
		}
		if s := SetOf(as, nets); len(s) > 0 {
			out[name] = s
		}
	}
	return out, nil
}

// SetOf groups addresses by the network nets gives each (an address it
// does not know is left out).
func SetOf(addrs []string, nets map[string]Network) Set {
	var s Set
	for _, a := range addrs {
		n, ok := nets[a]
		if !ok {
			continue
		}
		if i := slices.IndexFunc(s, func(x Share) bool { return x.ASN == n.ASN }); i >= 0 {
			s[i].Addrs++
			continue
		}
		s = append(s, Share{Network: n, Addrs: 1})
	}
	sortSet(s)
	return s
}

// ParseASNs reads a list of AS numbers as an analyst types them:
// "AS15169, 13335 as16509", sorted and without repeats.
func ParseASNs(text string) ([]uint32, error) {
	var out []uint32
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToUpper(f), "AS"), 10, 32)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("%q is not an AS number (15169 or AS15169)", f)
		}
		out = append(out, uint32(n))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Owner is who runs a network, as far as its AS name tells: the first
// word of letters of its handle, upper-cased, past an "AS" or "ASN" that
// only says what it is (GOOGLE-2 and GOOGLE-IT are GOOGLE,
// CLOUDFLARENET-SFO05 is CLOUDFLARENET, AS-CHOOPA is CHOOPA); "AS" and the
// number when the name has none.
func Owner(n Network) string {
	handle, _, _ := strings.Cut(strings.TrimSpace(n.Name), " ")
	for _, w := range strings.FieldsFunc(handle, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if w = strings.ToUpper(w); w != "AS" && w != "ASN" {
			return w
		}
	}
	return "AS" + strconv.FormatUint(uint64(n.ASN), 10)
}
