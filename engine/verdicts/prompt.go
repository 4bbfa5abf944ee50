package verdicts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/rules"
)

// PromptSyntax is what ImportTyped accepts, for a prompt's help.
const PromptSyntax = "PATH [good|suspicious|bad|ranks]"

// ImportTyped is a list import typed at a prompt (the review screen's):
// "PATH", or "PATH good|suspicious|bad" to give the verdict that a plain
// list lacks, or "PATH ranks" for a popularity list in rank order (see
// PromptSyntax). A path that exists as typed is taken whole, so a file
// whose name ends in " bad" still imports. It returns the report as text,
// and keeps what takes the import back for the screen's undo (db.Undo).
func ImportTyped(ctx context.Context, d *db.DB, typed, author string) (string, error) {
	path, opt, err := parseTyped(strings.TrimSpace(typed))
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	opt.Origin, opt.Author, opt.Now = filepath.Base(path), author, time.Now().UTC()
	rep, err := Import(ctx, d, f, opt)
	if nv := (*NeedVerdictError)(nil); errors.As(err, &nv) {
		return "", errors.New("a " + string(nv.Format) + " list does not say what its names are: type its path followed by " +
			"good, suspicious or bad (or ranks if it is a popularity list, most popular first)")
	}
	if err != nil {
		return "", err
	}
	// What the screen imports as rules, its undo takes back; a failure to
	// keep the step does not undo the import, which is in the workspace.
	// The status line shows the first line: what it did, in one.
	text := rep.summary() + "\n" + rep.String()
	rep.Undo.At, rep.Undo.What = opt.Now, "the import of "+opt.Origin
	if err := d.PushUndo(ctx, rep.Undo); err != nil {
		text += "\nundo will not take it back: " + err.Error()
	}
	if rep.Ranks != nil {
		text += "\nundo does not take ranks back: longtail ranks clear " + opt.Origin + " removes them"
	}
	return text, nil
}

// CheckTyped says what is wrong with a typed import before it is made (a
// path that is not there, a word after it that is no verdict): the screen
// does not queue it as a write that then fails, which its quit reported
// as a change to make again. It returns the path typed, without the word.
func CheckTyped(typed string) (string, error) {
	path, _, err := parseTyped(strings.TrimSpace(typed))
	if err == nil {
		_, err = os.Stat(path)
	}
	return path, err
}

// parseTyped splits a typed "PATH [verdict|ranks]"; a path that starts
// with ~/ is in the home directory, as a shell would take it. A last word
// that is no verdict after a path that is there is a mistyped verdict.
func parseTyped(typed string) (string, ImportOptions, error) {
	var opt ImportOptions
	if rest, ok := strings.CutPrefix(typed, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			typed = filepath.Join(home, rest)
		}
	}
	if _, err := os.Stat(typed); err == nil {
		return typed, opt, nil
	}
	i := strings.LastIndexByte(typed, ' ')
	if i < 0 {
		return typed, opt, nil
	}
	path, word := strings.TrimSpace(typed[:i]), typed[i+1:]
	if strings.EqualFold(word, "ranks") {
		opt.AsRanks = true
		return path, opt, nil
	}
	v, err := rules.ParseVerdict(word)
	if _, serr := os.Stat(path); err != nil && serr == nil {
		return "", opt, fmt.Errorf("%q is not a verdict: type the path, then good, suspicious or bad (or ranks for a popularity list)", word)
	}
	if err != nil {
		return typed, opt, nil
	}
	opt.Verdict = v
	return path, opt, nil
}
