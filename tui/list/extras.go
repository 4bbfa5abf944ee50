package list

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/score"
	"github.com/longtail/longtail/tui/common"
)

// Messages of the extras' commands.
type (
	// extrasMsg brings scores, annotations or both (nil: not read).
	extrasMsg struct {
		data *review.Dataset // what they were read for
		sc   *review.Scores
		an   *review.Annotations
		err  error
	}
	// rescoredMsg: a background rescoring finished; the scores it stored
	// are loaded.
	rescoredMsg struct {
		data *review.Dataset // sc is of it
		sc   *review.Scores
		took string
		err  error
	}
)

// loadExtras reads the scores, the annotations or both in a command.
func (m *Model) loadExtras(withScores, withAnnotations bool) tea.Cmd {
	if m.c.DB == nil {
		return nil // a list on data in memory (benchmarks)
	}
	d, ctx, data := m.c.DB, m.c.Ctx, m.data
	return func() tea.Msg {
		msg := extrasMsg{data: data}
		if withScores {
			if msg.sc, msg.err = review.LoadScores(ctx, d, data); msg.err != nil {
				return extrasMsg{err: fmt.Errorf("reading the scores: %w", msg.err)}
			}
		}
		if withAnnotations {
			if msg.an, msg.err = review.LoadAnnotations(ctx, d, data); msg.err != nil {
				return extrasMsg{err: fmt.Errorf("reading the ranks and snapshots: %w", msg.err)}
			}
		}
		return msg
	}
}

// rescore scores the workspace again in the background (the verdicts
// changed: known-good leaves the ranking and trains the model) and then
// reloads the column. One run at a time: a change during a run asks for
// another when it ends. Marks never wait for it.
func (m *Model) rescore() tea.Cmd {
	if m.c.DB == nil || m.data == nil {
		return nil
	}
	if m.scoring {
		m.rescoreAgain = true
		return nil
	}
	m.scoring, m.rescoreAgain = true, false
	d, ctx, data := m.c.DB, m.c.Ctx, m.data
	return func() tea.Msg {
		sum, err := score.Run(ctx, d)
		if err != nil {
			return rescoredMsg{err: err}
		}
		sc, err := review.LoadScores(ctx, d, data)
		return rescoredMsg{data: data, sc: sc, took: sum.Took.Round(100_000_000).String(), err: err}
	}
}

// rescored applies a finished rescoring, and starts the next one when the
// verdicts changed meanwhile.
func (m *Model) rescored(msg rescoredMsg) tea.Cmd {
	m.scoring = false
	var cmds []tea.Cmd
	if m.rescoreAgain {
		cmds = append(cmds, m.rescore())
	}
	if msg.err != nil {
		return tea.Batch(append(cmds, common.Error(fmt.Errorf("scoring: %w", msg.err)))...)
	}
	if msg.data != m.data {
		// Reloaded meanwhile: read the new scores for the new names.
		return tea.Batch(append(cmds, m.loadExtras(true, false))...)
	}
	m.sc = msg.sc
	m.why.subject = sparkKey{} // the panel reads the new contributions
	cmds = append(cmds, m.fetchWhy())
	cmds = append(cmds, m.recompute())
	return tea.Batch(cmds...)
}
