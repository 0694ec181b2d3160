// Package report renders the results of experiments: the trials as an aligned
// text table (WriteTable), CSV (WriteCSV), JSON (WriteJSON, ToJSON) and HTML
// (WriteHTML), the run summary (WriteSummary), and the Pareto plot (Plot,
// WritePlot as SVG or PNG). The CLI and the Jupyter kernel both render
// through it, so every front end shows the same thing.
//
// report depends on engine's result types (Outcome, Trial) and on metric's
// labels; nothing below it depends on report.
package report
