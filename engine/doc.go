// Package engine holds no code: its packages are everything longtail knows
// that is neither storage (db) nor screen (tui).
//
// They sit in two layers around db. Below it, what the workspace stores is
// defined: record (an event as a parser gives it), names (normalisation and
// the roll-up to registered domains), rules (a verdict rule, the one check
// every stored rule passes, and the matcher). Above it, what is done with a
// workspace: parse (formats and their detection), ingest (files into a
// workspace), score (the signals and their reasons), review (the review
// model that the screen and the headless commands share: the list, its
// filters, sorts and verdicts), lists (list formats in and out), verdicts
// (rules applied to a workspace: import, export, coverage, the baseline),
// gen (synthetic logs with planted anomalies), and the leaf helpers output,
// textsafe and atomicfile.
package engine
