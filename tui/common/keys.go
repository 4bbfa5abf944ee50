package common

import "charm.land/bubbles/v2/key"

// KeyMap is every binding of every view. Views match keys against it and the
// help overlay is rendered from it, so the two cannot disagree. The same key
// may mean different things in different views (e.g. `enter`), never two
// things in one view.
type KeyMap struct {
	Global   GlobalKeys
	Nav      NavKeys
	Search   SearchKeys
	List     ListKeys
	Filter   FilterKeys
	Mark     MarkKeys
	Drill    DrillKeys
	Events   EventsKeys
	Timeline TimelineKeys
	Rules    RulesKeys
	Prompt   PromptKeys
}

// GlobalKeys work in every view.
type GlobalKeys struct {
	Help      key.Binding
	Back      key.Binding
	Quit      key.Binding // back one level; quits from the list
	QuitAll   key.Binding // quits from anywhere
	ForceQuit key.Binding
	Messages  key.Binding // every status message, whole
	Copy      key.Binding // the value under the cursor, to the clipboard
	Export    key.Binding // the screen's rows as CSV, in $PAGER or a file
}

// NavKeys move the cursor in any list-like view.
type NavKeys struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	HalfUp, HalfDown key.Binding
	Top, Bottom      key.Binding
	Left, Right      key.Binding // scroll sideways / pan (timeline, heatmap)
}

// SearchKeys: `/` opens a search (substring; "re:" or "~" prefix: regex).
type SearchKeys struct {
	Search key.Binding
	Next   key.Binding
	Prev   key.Binding
}

// ListKeys are the frequency list's own keys.
type ListKeys struct {
	RollUp  key.Binding // FQDN ↔ registered domain
	Expand  key.Binding // toggle a domain's subdomains in place
	Open    key.Binding // expand (on a domain) — right arrow
	Close   key.Binding // collapse (on a domain or one of its names) — left arrow
	Sort    key.Binding // next sort column
	Reverse key.Binding // reverse the sort
	Select  key.Binding // toggle the row in the selection
	Visual  key.Binding // start/stop a visual range
	Rules   key.Binding // open the verdict-rules view
	Import  key.Binding // import a list from a file (path prompt)
	// SortScore sorts by score at once (also in Sort's cycle); Why opens
	// the panel of the score's reasons.
	SortScore key.Binding
	Why       key.Binding
	// Reload reads the workspace again (another process ingested into it).
	Reload key.Binding
	// Kind switches the kind of event listed (DNS, HTTP); By lists the
	// kind's next subject (HTTP: host → path → user agent → client ...).
	Kind key.Binding
	By   key.Binding
	// Logons opens the logon summary while the list shows logons.
	Logons key.Binding
	// Filters lists every filter with what it hides.
	Filters key.Binding
	// Tally opens the shown rows tallied by category or network
	// (tui/tally).
	Tally key.Binding
}

// FilterKeys toggle and tune the list's filters.
type FilterKeys struct {
	HideGood   key.Binding
	HideTop    key.Binding
	TopMore    key.Binding // N up
	TopLess    key.Binding // N down
	Rare       key.Binding // only what is rare (review.Query.Rare)
	RareMore   key.Binding // K up
	RareLess   key.Binding // K down
	Unreviewed key.Binding
	HideRanked key.Binding // hide what a popularity list ranks ≤ N
	RankMore   key.Binding // N up
	RankLess   key.Binding // N down
	Fresh      key.Binding // only what is new since the baseline snapshot
	Arrived    key.Binding // only what arrived since the screen opened
	HideASN    key.Binding // hide what is all in ASNs (a prompt)
	OnlyASN    key.Binding // only what is in the row's network (the pivot)
	Category   key.Binding // hide or show only categories of names (a prompt)
	Clear      key.Binding // all filters off
}

// MarkKeys set verdicts; in the list they act on the selection or the row.
type MarkKeys struct {
	Good       key.Binding // asks for the scope: ScopeName / ScopeDomain
	Suspicious key.Binding
	Bad        key.Binding
	Clear      key.Binding
	Note       key.Binding // the next mark asks for a note
	Undo       key.Binding
	// The scope answer after Good.
	ScopeName   key.Binding
	ScopeDomain key.Binding
}

// DrillKeys open the drill-down screens from a list or detail view.
type DrillKeys struct {
	Events   key.Binding // a name's requests
	Clients  key.Binding // who asked for it
	Pivot    key.Binding // what else this client asked for
	Timeline key.Binding
	Heatmap  key.Binding
	// The same screens for the whole workspace rather than the row.
	TimelineAll key.Binding
	HeatmapAll  key.Binding
}

// EventsKeys are the requests screen's own: they read other events than
// the newest, where / only narrows what is loaded.
type EventsKeys struct {
	Filter key.Binding // field=value: client, type, rcode (HTTP method, status)
	Jump   key.Binding // to the events at and before a time
}

// TimelineKeys: zoom is the bucket size.
type TimelineKeys struct {
	ZoomIn  key.Binding
	ZoomOut key.Binding
}

// RulesKeys are the rules view's own keys.
type RulesKeys struct {
	Delete   key.Binding
	EditNote key.Binding
	// The same keys as marking, worded for a rule.
	Good, Suspicious, Bad key.Binding
	Undo                  key.Binding
}

// PromptKeys answer a prompt or a text input.
type PromptKeys struct {
	Confirm key.Binding
	Cancel  key.Binding
}

func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// DefaultKeyMap returns the keymap.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Global: GlobalKeys{
			Help:      bind("?", "help", "?"),
			Back:      bind("esc", "back / cancel", "esc"),
			Quit:      bind("q", "back; on the list, quit", "q"),
			QuitAll:   bind("Q", "quit from anywhere", "Q"),
			ForceQuit: bind("ctrl+c", "quit now", "ctrl+c"),
			Messages:  bind("!", "every message, whole", "!"),
			Copy:      bind("Y", "copy the row's value", "Y"),
			Export:    bind("E", "rows as CSV: pager, file", "E"),
		},
		Nav: NavKeys{
			Up:       bind("↑/k", "up", "up", "k"),
			Down:     bind("↓/j", "down", "down", "j"),
			PageUp:   bind("pgup/ctrl+b", "page up", "pgup", "ctrl+b"),
			PageDown: bind("pgdn/ctrl+f", "page down", "pgdown", "ctrl+f"),
			HalfUp:   bind("ctrl+u", "half page up", "ctrl+u"),
			HalfDown: bind("ctrl+d", "half page down", "ctrl+d"),
			Top:      bind("g/home", "first row", "g", "home"),
			Bottom:   bind("G/end", "last row", "G", "end"),
			Left:     bind("←/h", "left / earlier", "left", "h"),
			Right:    bind("→/l", "right / later", "right", "l"),
		},
		Search: SearchKeys{
			Search: bind("/", "search (re: or ~ for regex)", "/"),
			Next:   bind("n", "next match", "n"),
			Prev:   bind("N", "previous match", "N"),
		},
		List: ListKeys{
			RollUp:  bind("d", "names ↔ registered domains", "d"),
			Expand:  bind("e", "expand/collapse domain", "e"),
			Open:    bind("→/l", "expand domain", "right", "l"),
			Close:   bind("←/h", "collapse domain", "left", "h"),
			Sort:    bind("o", "sort by the next column", "o"),
			Reverse: bind("O", "reverse sort", "O"),
			Select:  bind("space", "select the row, go to the next", "space"),
			Visual:  bind("V", "select a range (visual)", "V"),
			Rules:   bind("R", "verdict rules", "R"),
			Import:  bind("I", "import a list from a file", "I"),

			SortScore: bind("S", "sort by score, worst first", "S"),
			Why:       bind("y", "why: the score's reasons", "y"),
			Reload:    bind("ctrl+r", "reload the workspace", "ctrl+r"),
			Kind:      bind("K", "next kind of event (dns, http, logon)", "K"),
			By:        bind("v", "list by the next subject (host, path, agent, account…)", "v"),
			Logons:    bind("L", "logon summary (listing logons)", "L"),
			Filters:   bind("F", "the filters: what each hides", "F"),
			Tally:     bind("%", "tally by category or network", "%"),
		},
		Filter: FilterKeys{
			HideGood:   bind("H", "hide known-good", "H"),
			HideTop:    bind("T", "hide the N most visited", "T"),
			TopMore:    bind("]", "N up", "]"),
			TopLess:    bind("[", "N down", "["),
			Rare:       bind("r", "only rare: seen ≤ K times (domains: most names)", "r"),
			RareMore:   bind(">", "K up", ">", "."),
			RareLess:   bind("<", "K down", "<", ","),
			Unreviewed: bind("U", "only unreviewed", "U"),
			HideRanked: bind("P", "hide ranked ≤ N (popular)", "P"),
			RankMore:   bind("}", "rank N up", "}"),
			RankLess:   bind("{", "rank N down", "{"),
			Fresh:      bind("B", "only new since the snapshot", "B"),
			Arrived:    bind("+", "only what arrived while open (marked +)", "+"),
			HideASN:    bind("A", "hide what is all in AS… (a name's answers, an address)", "A"),
			OnlyASN:    bind("M", "only this row's network (again: all)", "M"),
			Category:   bind("C", "categories: hide some, or only some (a prompt)", "C"),
			Clear:      bind("0", "all filters off", "0"),
		},
		Mark: MarkKeys{
			Good:        bind("a", "known-good (allow), then scope", "a"),
			Suspicious:  bind("s", "suspicious", "s"),
			Bad:         bind("b", "bad", "b"),
			Clear:       bind("x", "clear verdict", "x"),
			Note:        bind("m", "next mark asks for a note", "m"),
			Undo:        bind("u", "undo the last mark or import", "u"),
			ScopeName:   bind("n", "this name only", "n", "enter"),
			ScopeDomain: bind("D", "whole registered domain", "D", "d"),
		},
		Drill: DrillKeys{
			Events:   bind("enter", "requests of this name or group", "enter"),
			Clients:  bind("c", "clients of this name or group", "c"),
			Pivot:    bind("p", "what else this client (a logon's source) did", "p"),
			Timeline: bind("t", "timeline", "t"),
			Heatmap:  bind("w", "day × hour heatmap", "w"),

			TimelineAll: bind("z", "timeline of all traffic", "z"),
			HeatmapAll:  bind("Z", "heatmap of all traffic", "Z"),
		},
		Events: EventsKeys{
			Filter: bind("f", "only client=… type=… rcode=… (method=… status=…)", "f"),
			Jump:   bind("@", "jump to a time (2024-03-04 08:40, 08:40)", "@"),
		},
		Timeline: TimelineKeys{
			ZoomIn:  bind("+", "zoom in (smaller buckets)", "+", "="),
			ZoomOut: bind("-", "zoom out (larger buckets)", "-", "_"),
		},
		Rules: RulesKeys{
			Delete:   bind("x/del", "delete rule", "x", "delete"),
			EditNote: bind("e", "edit note", "e"),

			Good:       bind("a", "make it known-good", "a"),
			Suspicious: bind("s", "make it suspicious", "s"),
			Bad:        bind("b", "make it bad", "b"),
			Undo:       bind("u", "undo last change", "u"),
		},
		Prompt: PromptKeys{
			Confirm: bind("enter", "confirm", "enter"),
			Cancel:  bind("esc", "cancel", "esc"),
		},
	}
}

// Navigation is the help section of NavKeys.
func (k *KeyMap) Navigation() HelpSection {
	n := k.Nav
	return HelpSection{"Move", []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.HalfUp, n.HalfDown, n.Top, n.Bottom}}
}

// Searching is the help section of SearchKeys.
func (k *KeyMap) Searching() HelpSection {
	return HelpSection{"Search", []key.Binding{k.Search.Search, k.Search.Next, k.Search.Prev}}
}

// General is the help section of GlobalKeys.
func (k *KeyMap) General() HelpSection {
	g := k.Global
	return HelpSection{"General", []key.Binding{g.Help, g.Messages, g.Copy, g.Export, g.Back, g.Quit, g.QuitAll, g.ForceQuit}}
}
