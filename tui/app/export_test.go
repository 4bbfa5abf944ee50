package app

import "github.com/longtail/longtail/tui/common"

// Top is the view on top of the stack, for tests outside the package.
func (m *Model) Top() common.View { return m.top().view }

// Helping reports whether the help overlay is up.
func (m *Model) Helping() bool { return m.help }
