package list

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/tui/common"
)

// answerNetworks says where the answers of the DNS name (or domain) under
// the cursor point: every network, with how many of its answer addresses
// each holds; "" when no imported table knows them.
func (m *Model) answerNetworks() string {
	if m.data == nil || m.data.Subject.Code != subject.DNSName {
		return "" // an address's one network is in its column
	}
	return answerWords(m.cursorAnswers())
}

// answerWords is a Set in words: "answers in AS15169 GOOGLE US (3
// addresses), AS13335 CLOUDFLARENET US (1)".
func answerWords(s networks.Set) string {
	if len(s) == 0 {
		return ""
	}
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = fmt.Sprintf("%s (%d)", networks.Short(n.Network), n.Addrs)
	}
	unit := " addresses)"
	if s[0].Addrs == 1 {
		unit = " address)"
	}
	parts[0] = strings.TrimSuffix(parts[0], ")") + unit
	return "answers in " + strings.Join(parts, ", ")
}

// fitNet cuts a network cell to width, keeping the "+N" that ends an
// answer set's: how many other networks there are says more than the end
// of the owner's name.
func fitNet(s string, width int) string {
	s = textsafe.String(s)
	if ansi.StringWidth(s) <= width {
		return s
	}
	head, more, ok := strings.Cut(s, " +")
	if !ok || len(more)+2 >= width {
		return common.Fit(s, width)
	}
	return common.Fit(head, width-len(more)-2) + " +" + more
}
