package main

import "fmt"

// A goal is one of issue 15's targets as measured in this run: printed
// where it is measured and again, all together, as a table for the README.
type goal struct {
	figure   string // what is measured: "first load ÷ Go floor"
	measured string // this run's value with its unit: "1.83×"
	target   string // "≤ 2×"
	ok       bool
}

var goals []goal

// meet prints a measured figure with its target and whether it is met, and
// keeps it for the table.
func meet(figure, measured, target string, ok bool) {
	g := goal{figure, measured, target, ok}
	goals = append(goals, g)
	fmt.Printf("  %-34s %10s   target %-9s %s\n", figure, measured, target, g.verdict())
}

func (g goal) verdict() string {
	if g.ok {
		return "pass"
	}
	return "FAIL"
}

// printGoals prints every goal of the run as a Markdown table.
func printGoals() {
	if len(goals) == 0 {
		return
	}
	fmt.Printf("\ntargets of issue 15 in this run (Markdown, for the README):\n\n")
	fmt.Println("| figure | this run | target | |")
	fmt.Println("|---|---|---|---|")
	for _, g := range goals {
		fmt.Printf("| %s | %s | %s | %s |\n", g.figure, g.measured, g.target, g.verdict())
	}
}

// ratio formats a ratio the way the targets are written: "1.83×".
func ratio(r float64) string { return fmt.Sprintf("%.2f×", r) }

// mb formats bytes as whole megabytes: "412 MB".
func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }
