package list

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/categories"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/tui/chart"
	"github.com/longtail/longtail/tui/common"
)

// The categories of host names, from the imported category lists: a
// column of short names (the why panel has them all), a filter typed at a
// prompt ("hide cdn, update, ads" or "only adult, gambling"), and while it
// is typed, the tally of the shown rows by category above it: how many
// queries went to adult, gambling, malware. Category is a tally over the
// list's rows rather than a subject of its own (review.ByCategory says
// why).

// catWidth fits a short category and how many others ("publicite+1").
const catWidth = categories.ShortLen + 3

// withCategories adds the category column to a layout when the list has
// categories and the name keeps minName cells beside it: at narrow widths
// it is the first to go.
func (m *Model) withCategories(l layout) layout {
	if m.an == nil || m.an.Categories == nil {
		return l
	}
	cols := append(append([]column(nil), l.cols...), column{colCat, "category", catWidth})
	if nameWidth(l.width, cols) < minName {
		return l
	}
	l.cols, l.nameW = cols, nameWidth(l.width, cols)
	return l
}

// categoryText is a row's categories as the column shows them.
func (m *Model) categoryText(domain bool, idx int32) string {
	if m.an == nil || m.an.Categories == nil {
		return ""
	}
	c := m.an.Categories
	return c.Catalog.Short(c.Of(domain)[idx])
}

// rowCategories names all the categories of the row under the cursor, for
// the why panel.
func (m *Model) rowCategories() []string {
	if m.an == nil || m.an.Categories == nil || m.cursor >= len(m.res.Lines) {
		return nil
	}
	_, domain := m.rowAt(m.cursor)
	c := m.an.Categories
	return c.Catalog.Names(c.Of(domain)[m.res.Lines[m.cursor].Idx])
}

// categoryPrompt is the category filter's prompt.
const categoryPrompt = "categories (hide a,b · only c · empty: all): "

// openCategoryFilter opens the prompt with the filter as it is, and the
// tally of what the list shows now.
func (m *Model) openCategoryFilter() tea.Cmd {
	switch {
	case m.data != nil && !m.data.Subject.Hostname:
		return common.Status("categories are of host names: K or v lists DNS names or HTTP hosts")
	case m.an == nil:
		return common.Status("the categories are still loading")
	case m.an.Categories == nil:
		return common.Status("no categories: longtail import-list a UT1 folder, or a list with --category NAME")
	}
	m.tallyCategories()
	cmd := m.openInput(inputCategory, categoryPrompt, m.categoryFilterText())
	m.clamp() // the tally may take a row's line: the cursor stays in view
	return cmd
}

// tallyCategories counts what the list shows by category, for the prompt:
// when it opens, and again when a result comes while it is open (a
// filter changed just before it opened).
func (m *Model) tallyCategories() {
	m.catTally = review.ByCategory(m.data, m.an.Categories, m.res)
}

// setCategoryFilter applies what was typed at the prompt.
func (m *Model) setCategoryFilter(text string) tea.Cmd {
	m.catTally = nil
	if m.an == nil || m.an.Categories == nil {
		return nil
	}
	f, unknown := parseCategoryFilter(m.an.Categories.Catalog, text)
	if len(unknown) > 0 {
		return common.Status("no category " + strings.Join(unknown, ", ") + ": the tally above the prompt names them")
	}
	m.q.Category = f
	m.toTop = true
	return m.recompute()
}

// parseCategoryFilter reads "hide cdn, update, ads", "only adult" or both
// ("hide ads only gambling"); names before any word are hidden. It returns
// the names no category has.
func parseCategoryFilter(c *categories.Catalog, text string) (review.CategoryFilter, []string) {
	var f review.CategoryFilter
	var unknown []string
	set := &f.Hide
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return r == ',' || r == ' ' }) {
		switch w {
		case "hide":
			set = &f.Hide
			continue
		case "only", "show":
			set = &f.Only
			continue
		}
		s, bad := c.Parse(w)
		*set = set.Union(s)
		unknown = append(unknown, bad...)
	}
	return f, unknown
}

// categoryFilterText is the filter as the prompt and the status line
// write it: "hide cdn,ads only gambling".
func (m *Model) categoryFilterText() string {
	if m.an == nil || m.an.Categories == nil {
		return ""
	}
	c := m.an.Categories.Catalog
	var parts []string
	if names := c.Names(m.q.Category.Hide); len(names) > 0 {
		parts = append(parts, "hide "+strings.Join(names, ","))
	}
	if names := c.Names(m.q.Category.Only); len(names) > 0 {
		parts = append(parts, "only "+strings.Join(names, ","))
	}
	return strings.Join(parts, " ")
}

// categoryTally is the line above the prompt: the rows the list shows and
// their events, by category, the most events first.
func (m *Model) categoryTally() string {
	s := m.c.Styles
	if len(m.catTally) == 0 {
		return s.Dim.Render("no rows shown")
	}
	parts := make([]string, len(m.catTally))
	for i, c := range m.catTally {
		parts[i] = fmt.Sprintf("%s %s", c.Category, chart.Count(c.Events))
	}
	return s.Dim.Render("events by category: " + strings.Join(parts, " · "))
}
