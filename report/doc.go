// Package report renders the results of experiments: the trials as an aligned
// text table (WriteTable), CSV (WriteCSV), JSON (WriteJSON, ToJSON) and HTML
// (WriteHTML), the run summary (WriteSummary), and plots. The CLI, the
// Jupyter kernel and the dashboard all render through it, so every front end
// shows the same thing.
//
// Plots are drawn by one renderer of its own: a Figure (charts in a grid, one
// legend, a caption) is laid out once in pixels and written as SVG, where
// every trial's marker carries its id, network and metrics as a <title>
// shown on hover, or as PNG through gonum's raster canvas. The experiment
// plots are TrialsPlot (every trial by status, the front, the constraints;
// a matrix of 2-D projections for three or more objectives), ParetoPlot
// (fronts overlaid), BestSoFarPlot, HypervolumePlot (groups of runs, a band
// over seeds) and DecisionsPlot (parallel coordinates of the choices);
// NewChart with Scatter, Line, Band, VLine and HLine draws a reader's own
// data. Axes have ticks at round values, a margin round the data, and sane
// ranges for one point or none.
//
// report depends on engine's result types (Outcome, Trial), on arch's
// decisions, on search's hypervolume and on metric's labels; nothing below
// it depends on report.
package report
