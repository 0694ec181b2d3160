package dashboard

import (
	"html/template"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/report"
)

// plots are the figures of an experiment's page, as inline SVG with hover
// titles: its trials and Pareto front, its best value so far and, with two
// or more objectives to trade, its hypervolume, against trials. This is the
// one place the dashboard calls the report package's renderer, so the CLI
// (hwnas plot), the notebook and the dashboard draw the same pictures.
func plots(out *engine.Outcome) []figure {
	figs := []figure{
		{Title: "trials and Pareto front", SVG: template.HTML(report.TrialsPlot(out).SVG())},
		{Title: "best so far", SVG: template.HTML(report.BestSoFarPlot(out).SVG())},
	}
	if len(engine.FrontObjectives(out.Objectives, out.Constraints)) >= 2 {
		hv := report.HypervolumePlot(map[string][]*engine.Outcome{out.Experiment: {out}})
		figs = append(figs, figure{Title: "hypervolume", SVG: template.HTML(hv.SVG())})
	}
	return figs
}
