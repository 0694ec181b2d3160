// Package report renders the results of experiments: the trials as an aligned
// text table, CSV, JSON and HTML, the run summary, and the Pareto plot as SVG
// or PNG. The CLI and the Jupyter kernel both render through it, so every
// front end shows the same thing.
//
// report depends on engine's result types (Outcome, Trial) and on metric's
// labels; nothing below it depends on report.
package report
