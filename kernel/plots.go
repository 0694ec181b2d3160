package kernel

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/report"
)

// plotExports are the plot functions of the display package: the
// experiment plots by experiment name (this session's results first, then
// the store's), and NewChart and Plot for a reader's own data.
// Each shows an SVG whose points carry their trial on hover.
func plotExports(d *displayState) map[string]reflect.Value {
	return map[string]reflect.Value{
		"Plot":     reflect.ValueOf(d.plot),
		"NewChart": reflect.ValueOf(report.NewChart),
		"Trials": reflect.ValueOf(func(name string) error {
			return d.plotOutcomes("display.Trials", []string{name}, func(os []*engine.Outcome) *report.Figure { return report.TrialsPlot(os[0]) })
		}),
		"Pareto": reflect.ValueOf(func(names ...string) error {
			return d.plotOutcomes("display.Pareto", names, func(os []*engine.Outcome) *report.Figure { return report.ParetoPlot(os...) })
		}),
		"BestSoFar": reflect.ValueOf(func(names ...string) error {
			return d.plotOutcomes("display.BestSoFar", names, func(os []*engine.Outcome) *report.Figure { return report.BestSoFarPlot(os...) })
		}),
		"Probabilities": reflect.ValueOf(func(name string) error {
			return d.plotOutcomes("display.Probabilities", []string{name}, func(os []*engine.Outcome) *report.Figure {
				return report.ProbabilitiesPlot(os[0].Experiment, os[0].ArchHistory)
			})
		}),
		"Hypervolume": reflect.ValueOf(d.hypervolume),
		"Decisions":   reflect.ValueOf(d.decisions),

		"Chart":  reflect.ValueOf((*report.Chart)(nil)),
		"Series": reflect.ValueOf((*report.Series)(nil)),
	}
}

// plot shows a chart as SVG; a nil chart is said on stderr.
func (d *displayState) plot(c *report.Chart) {
	if c == nil {
		d.output().Stream("stderr", "display.Plot: the chart is nil (make one with display.NewChart)\n")
		return
	}
	d.showFigure(c.Figure())
}

// showFigure publishes f as SVG with a line of text beside it.
func (d *displayState) showFigure(f *report.Figure) {
	title := f.Title
	if title == "" && len(f.Charts) > 0 {
		title = f.Charts[0].Title
	}
	d.show("image/svg+xml", f.SVG(), fmt.Sprintf("<plot: %s>", title))
}

// outcomes finds each named experiment's latest results.
func (d *displayState) outcomes(fn string, names []string) ([]*engine.Outcome, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: name at least one experiment", fn)
	}
	if d.results == nil {
		return nil, fmt.Errorf("%s: no experiments in this kernel", fn)
	}
	var outs []*engine.Outcome
	for _, n := range names {
		o, err := d.results.find(n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn, err)
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// plotOutcomes shows the figure draw makes of the named experiments.
func (d *displayState) plotOutcomes(fn string, names []string, draw func([]*engine.Outcome) *report.Figure) error {
	outs, err := d.outcomes(fn, names)
	if err != nil {
		return err
	}
	d.showFigure(draw(outs))
	return nil
}

// hypervolume shows the hypervolume against trials of groups of
// experiments: a strategy's name to its runs (one per seed, say).
func (d *displayState) hypervolume(groups map[string][]string) error {
	if len(groups) == 0 {
		return fmt.Errorf("display.Hypervolume: give at least one group, e.g. map[string][]string{\"nsga2\": {\"by_nsga2\"}}")
	}
	runs := map[string][]*engine.Outcome{}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first group's first run sets the objectives
	for _, k := range keys {
		outs, err := d.outcomes("display.Hypervolume", groups[k])
		if err != nil {
			return err
		}
		runs[k] = outs
	}
	d.showFigure(report.HypervolumePlot(runs))
	return nil
}

// decisions shows what the search of an experiment chose, its axes named
// by the decisions of its space when this session declares it.
func (d *displayState) decisions(name string) error {
	outs, err := d.outcomes("display.Decisions", []string{name})
	if err != nil {
		return err
	}
	d.showFigure(report.DecisionsPlot(outs[0], d.results.decisions(name)))
	return nil
}

// find returns the results of the experiment called name: this session's
// last run, else the store's latest.
func (d *dslCells) find(name string) (*engine.Outcome, error) {
	if o, err := d.outcome(name); err == nil {
		return o, nil
	}
	o, err := d.load(name)
	if err != nil {
		return nil, fmt.Errorf("no results for experiment %q in this session or the store: %w", name, err)
	}
	return o, nil
}

// decisions returns the decisions of the genome of the experiment called
// name as this session declares it — its space's, then its hardware genes
// (co-exploration) — or nil.
func (d *dslCells) decisions(name string) []arch.Decision {
	d.mu.Lock()
	spec := d.sess.Spec()
	d.mu.Unlock()
	if spec == nil || spec.Experiments[name] == nil {
		return nil
	}
	e, err := engine.FromSpec(spec, name)
	if err != nil || e.Space == nil {
		return nil
	}
	return append(slices.Clone(e.Space.Decisions()), e.Hardware.Genes...)
}
