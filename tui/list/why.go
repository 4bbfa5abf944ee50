package list

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/tui/common"
)

// whyPanel is the "why" panel under the list: the score of the row under
// the cursor, each signal's contribution in words. It follows the cursor,
// so the analyst reads down the ranking with the reasons in view.
type whyPanel struct {
	open    bool
	subject sparkKey // the row it shows (or is reading)
	seq     int
	loaded  bool
	score   db.Score
	err     error // db.ErrNotFound: the row has no score
}

type whyMsg struct {
	seq   int
	score db.Score
	err   error
}

// whyHeight is the panel's height, 0 when closed: two fifths of the rows,
// enough for a tunnel's evidence at 80×24 while a dozen rows stay visible.
// On a screen too small for it and a row of the list, it is not shown.
func (m *Model) whyHeight() int {
	room := m.c.Height - 4 // the info bar, header and bottom bar, and one row
	if !m.why.open || room < 2 {
		return 0
	}
	return min(room, max(4, min(12, (m.c.Height-3)*2/5)))
}

// toggleWhy opens or closes the panel; opened on a subject the scorer
// leaves out, it also says so on the status line, in S's words: the
// panel has no reasons to show, and the line is where S said it.
func (m *Model) toggleWhy() tea.Cmd {
	m.why = whyPanel{open: !m.why.open, seq: m.why.seq}
	m.clamp()
	if m.why.open && m.unscored() {
		return tea.Batch(m.afterMove(), common.Status(m.notScored()))
	}
	return m.afterMove()
}

// fetchWhy reads the contributions of the row under the cursor when the
// panel shows another one.
func (m *Model) fetchWhy() tea.Cmd {
	r, domain := m.current()
	if !m.why.open || r == nil || m.c.DB == nil {
		return nil
	}
	k := sparkKey{domain, r.ID}
	if k == m.why.subject {
		return nil
	}
	m.why.seq++
	m.why.subject, m.why.loaded = k, false
	seq, d, ctx := m.why.seq, m.c.DB, m.c.Ctx
	subject := db.ScoreName
	if domain {
		subject = db.ScoreDomain
	}
	return func() tea.Msg {
		s, err := d.ScoreOf(ctx, subject, k.id)
		return whyMsg{seq, s, err}
	}
}

func (m *Model) gotWhy(msg whyMsg) {
	if msg.seq == m.why.seq {
		m.why.loaded, m.why.score, m.why.err = true, msg.score, msg.err
	}
}

// whyView renders the panel for the row under the cursor.
func (m *Model) whyView(w, h int) []string {
	r, _ := m.current()
	label := ""
	if r != nil {
		label = common.SafeName(r.Name)
	}
	st := whyState{label: label, none: r == nil, loaded: m.why.loaded, score: m.why.score, err: m.why.err, scoring: m.scoring,
		nets: m.answerNetworks(), cats: m.rowCategories()}
	if m.unscored() {
		st.unscored = m.notScored() + ": longtail scores other subjects of the kind (v: the next subject)"
	}
	return renderWhy(m.c.Styles, st, w, h)
}

// whyState is what the panel shows.
type whyState struct {
	label   string // the row's name, sanitised
	none    bool   // there is no row under the cursor (nothing is read)
	loaded  bool
	score   db.Score
	err     error
	scoring bool
	// unscored says the subject is one the scorer leaves out; "" when not.
	unscored string
	nets     string   // the networks of a DNS name's answers, "" when unknown
	cats     []string // the row's categories, every one (the column has the first)
}

// renderWhy draws the panel in exactly h lines of at most w cells: a rule
// with the score and the name, then one entry per signal that counts, the
// biggest first (the scorer stores them so), its words wrapped under it.
func renderWhy(s *common.Styles, st whyState, w, h int) []string {
	title := "why"
	if st.loaded && st.err == nil {
		title += " " + scoreText(float32(st.score.Score))
	}
	title += " · "
	// Cut the name at the left, as the list does: the registered domain
	// says which row this is.
	title += common.TruncateLeft(st.label, max(1, w-ansi.StringWidth(title)-2)) + " "
	out := []string{s.Header.Render(ansi.Truncate(title+strings.Repeat("─", max(0, w-ansi.StringWidth(title))), w, "…"))}
	var body []string
	switch {
	case st.none:
		body = []string{noRow}
	case st.err != nil && errors.Is(st.err, db.ErrNotFound) && st.unscored != "":
		body = strings.Split(ansi.Wrap(st.unscored, w, ""), "\n")
	case st.err != nil && errors.Is(st.err, db.ErrNotFound) && st.scoring:
		body = []string{"not scored yet: scoring…"}
	case st.err != nil && errors.Is(st.err, db.ErrNotFound):
		body = []string{"no score: known-good names leave the ranking, and a workspace is scored after each",
			"ingest and after marking (longtail score scores it by hand)"}
	case st.err != nil:
		body = []string{"cannot read the score: " + textsafe.String(st.err.Error())}
	case !st.loaded:
		body = []string{"reading…"}
	default:
		body = whyLines(st.score.Contribs, w)
	}
	if st.nets != "" {
		body = append([]string{s.Dim.Render(textsafe.String(st.nets))}, body...)
	}
	if len(st.cats) > 0 {
		body = append([]string{"category " + strings.Join(st.cats, ", ")}, body...)
	}
	if len(body) > h-1 {
		more := len(body) - (h - 2)
		body = append(body[:h-2], s.Dim.Render(fmt.Sprintf("    … %d more lines (a wider or taller terminal shows them)", more)))
	}
	for _, l := range body {
		out = append(out, ansi.Truncate(l, w, "…"))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out
}

// whyLines lays the contributions out: points, signal, words. Signals that
// add nothing are left out; their absence is the explanation.
func whyLines(cs []db.Contribution, w int) []string {
	const pointsW, signalW = 5, 8
	indent := strings.Repeat(" ", pointsW+signalW+2)
	textW := max(10, w-len(indent))
	var out []string
	for _, c := range cs {
		if c.Points < 0.05 && c.Signal != score.SigDiscounted { // a discount is 0 points and says why
			continue
		}
		words := textsafe.String(c.Why)
		if words == "" {
			words = signalWords[c.Signal] + " (a little)"
		}
		head := common.PadLeft("+"+points(c.Points), pointsW) + " " + common.PadRight(textsafe.Truncate(c.Signal, signalW), signalW) + " "
		for i, l := range strings.Split(ansi.Wrap(words, textW, ""), "\n") {
			if i == 0 {
				out = append(out, head+l)
			} else {
				out = append(out, indent+strings.TrimLeft(l, " "))
			}
		}
	}
	if len(out) == 0 {
		out = []string{"nothing stands out: every signal is at or near zero"}
	}
	return out
}

// signalWords say what a signal means, for the small contributions the
// scorer stores without evidence.
var signalWords = map[string]string{
	score.SigTunnel:   "subdomains like a DNS tunnel's",
	score.SigDGA:      "a label like a generated one",
	score.SigBeacon:   "asked at a regular rhythm",
	score.SigAnswers:  "answers that carry data",
	score.SigFailure:  "queries that fail",
	score.SigRelated:  "close to something marked bad",
	score.SigNew:      "first seen late in the workspace",
	score.SigRare:     "asked by few of the clients",
	score.SigNetworks: "answers in networks unlike its own or its domain's",
}

// points shows a contribution with a decimal only where it matters.
func points(p float64) string {
	if p >= 9.95 {
		return strconv.FormatFloat(p, 'f', 0, 64)
	}
	return strconv.FormatFloat(p, 'f', 1, 64)
}

// scoreText is a score as the column shows it: whole points.
func scoreText(v float32) string {
	if v < 0 {
		return ""
	}
	return strconv.FormatFloat(float64(v), 'f', 0, 32)
}
