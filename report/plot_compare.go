package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// ParetoPlot overlays the Pareto fronts of several experiments on the axes
// PlotAxes picks for the first: each front as a line with markers in its
// experiment's colour, and the experiment's other trials near the fronts
// as faint dots (one per distinct point, its hover text the trial's id).
// The axes fit the fronts with a margin; trials far outside it are counted
// in the caption, not drawn, so that the fronts are not squashed into a
// corner by a few very bad networks.
func ParetoPlot(outs ...*engine.Outcome) *Figure {
	if len(outs) == 0 {
		return NewChart("no experiment", "", "").Figure()
	}
	x, y := PlotAxes(outs[0])
	c := NewChart("", metric.Label(x), metric.Label(y))
	names := runNames(outs)
	var fronts []*Series
	for i, out := range outs {
		front := &Series{Name: names[i] + " front", Color: palette[i%len(palette)], Marker: "circle", Line: true}
		for _, t := range frontSorted(out, x) {
			front.X, front.Y = append(front.X, t.Metrics[x]), append(front.Y, t.Metrics[y])
			front.Titles = append(front.Titles, out.Experiment+": "+trialTitle(out, &t))
		}
		fronts = append(fronts, front)
	}
	box := nearBox(fronts)
	away := 0
	for i, out := range outs {
		faint, n := otherTrials(out, x, y, box, names[i])
		faint.Color, away = fronts[i].Color, away+n
		c.Series = append(c.Series, faint)
	}
	c.Series = append(c.Series, fronts...)
	f := c.Figure()
	f.Title = "Pareto fronts: " + strings.Join(names, ", ")
	f.Caption = "faint dots: the other trials, in their experiment's colour"
	if away > 0 {
		f.Caption += fmt.Sprintf("; %s far from the fronts not drawn", count(away, "trial"))
	}
	return f
}

// nearBox is the range of the fronts' points, widened by half its span
// each way: [xlo, xhi, ylo, yhi]. With no front it is unbounded.
func nearBox(fronts []*Series) [4]float64 {
	var xs, ys []float64
	for _, f := range fronts {
		xs, ys = append(xs, f.X...), append(ys, f.Y...)
	}
	xlo, xhi, okx := bounds(xs)
	ylo, yhi, oky := bounds(ys)
	if !okx || !oky {
		return [4]float64{math.Inf(-1), math.Inf(1), math.Inf(-1), math.Inf(1)}
	}
	dx, dy := max((xhi-xlo)/2, math.Abs(xhi)/10), max((yhi-ylo)/2, math.Abs(yhi)/10)
	return [4]float64{xlo - dx, xhi + dx, ylo - dy, yhi + dy}
}

// otherTrials are the distinct points of out's trials off its front inside
// box, and the number of trials outside it.
func otherTrials(out *engine.Outcome, x, y string, box [4]float64, name string) (*Series, int) {
	s := &Series{Marker: "circle", Size: 2.5, Faint: true}
	seen := map[[2]float64]bool{}
	away := 0
	for j := range out.Trials {
		t := &out.Trials[j]
		xv, okx := t.Metrics[x]
		yv, oky := t.Metrics[y]
		switch {
		case !okx || !oky || slices.Contains(out.Pareto, t.ID) || seen[[2]float64{xv, yv}]:
		case xv < box[0] || xv > box[1] || yv < box[2] || yv > box[3]:
			away++
		default:
			seen[[2]float64{xv, yv}] = true
			s.X, s.Y = append(s.X, xv), append(s.Y, yv)
			s.Titles = append(s.Titles, fmt.Sprintf("%s: trial %d", name, t.ID))
		}
	}
	return s, away
}

// runNames names each outcome by its experiment, numbering repeats
// ("fnas", "fnas #2") so that legends tell them apart.
func runNames(outs []*engine.Outcome) []string {
	names := make([]string, len(outs))
	seen := map[string]int{}
	for i, out := range outs {
		seen[out.Experiment]++
		names[i] = out.Experiment
		if n := seen[out.Experiment]; n > 1 {
			names[i] = fmt.Sprintf("%s #%d", out.Experiment, n)
		}
	}
	return names
}

// frontSorted returns the Pareto trials of out sorted by the metric x.
func frontSorted(out *engine.Outcome, x string) []engine.Trial {
	front := out.Front()
	slices.SortStableFunc(front, func(a, b engine.Trial) int {
		return cmp.Compare(a.Metrics[x], b.Metrics[x])
	})
	return front
}

// BestSoFarPlot draws, for each experiment, its first objective's best
// feasible value after each trial as a line, and for a single experiment
// every trial's value as a dot under it: the optimisation history of Optuna
// and of NAS papers.
func BestSoFarPlot(outs ...*engine.Outcome) *Figure {
	y, maximize := metric.Accuracy, true
	if len(outs) > 0 && len(outs[0].Objectives) > 0 {
		y, maximize = outs[0].Objectives[0].Metric, outs[0].Objectives[0].Maximize
	}
	c := NewChart("", "trials", metric.Label(y))
	c.IntegerX = true
	names := runNames(outs)
	for i, out := range outs {
		color := palette[i%len(palette)]
		dots := &Series{Color: color, Marker: "circle", Size: 2.5, Faint: true}
		best := &Series{Name: names[i] + " best so far", Color: color, Line: true}
		cur := math.NaN()
		for n := range out.Trials {
			t := &out.Trials[n]
			v, ok := t.Metrics[y]
			if ok {
				dots.X, dots.Y = append(dots.X, float64(n+1)), append(dots.Y, v)
				dots.Titles = append(dots.Titles, trialTitle(out, t))
				if t.Feasible && (math.IsNaN(cur) || maximize && v > cur || !maximize && v < cur) {
					cur = v
				}
			}
			best.X, best.Y = append(best.X, float64(n+1)), append(best.Y, cur)
		}
		if len(outs) == 1 {
			c.Series = append(c.Series, dots)
		}
		c.Series = append(c.Series, best)
	}
	f := c.Figure()
	f.Title = "Best " + y + " so far: " + strings.Join(names, ", ")
	f.Caption = "line: the best feasible " + y + " after each trial"
	if len(outs) == 1 {
		f.Caption = "dots: each trial's " + y + " (pruned and failed trials have none); " + f.Caption
	}
	return f
}

// HypervolumePlot draws the hypervolume of the feasible trials after each
// trial, for groups of runs (a strategy over several seeds, say): the mean
// over a group's runs as a line, the band from the lowest to the highest.
// Every run is measured on the objectives of the first one
// (engine.FrontObjectives) against one reference point: just worse than
// the worst value any run saw (search.NadirRef, margin 10%).
func HypervolumePlot(groups map[string][]*engine.Outcome) *Figure {
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	slices.Sort(names)
	var objs []engine.Objective
	for _, n := range names {
		if len(groups[n]) > 0 && objs == nil {
			objs = engine.FrontObjectives(groups[n][0].Objectives, groups[n][0].Constraints)
		}
	}
	senses, ref := hvReference(groups, objs)
	c := NewChart("", "trials", "hypervolume")
	c.IntegerX = true
	for _, n := range names {
		addHVGroup(c, n, groups[n], objs, senses, ref)
	}
	f := c.Figure()
	f.Title = "Hypervolume against trials"
	f.Caption = hvCaption(objs, ref)
	return f
}

// objectivePoint returns t's values of objs, or false when t is infeasible
// or lacks one.
func objectivePoint(t *engine.Trial, objs []engine.Objective) ([]float64, bool) {
	if !t.Feasible {
		return nil, false
	}
	p := make([]float64, len(objs))
	for k, o := range objs {
		v, ok := t.Metrics[o.Metric]
		if !ok {
			return nil, false
		}
		p[k] = v
	}
	return p, true
}

// hvReference returns the senses of objs and the reference point over
// every feasible trial of every group (nil when there is none).
func hvReference(groups map[string][]*engine.Outcome, objs []engine.Objective) ([]search.Sense, []float64) {
	senses := make([]search.Sense, len(objs))
	for k, o := range objs {
		if o.Maximize {
			senses[k] = search.Maximize
		}
	}
	var pts [][]float64
	for _, runs := range groups {
		for _, out := range runs {
			for i := range out.Trials {
				if p, ok := objectivePoint(&out.Trials[i], objs); ok {
					pts = append(pts, p)
				}
			}
		}
	}
	return senses, search.NadirRef(pts, senses, 0.1)
}

// hvCurve is the hypervolume of out's feasible trials after each trial.
func hvCurve(out *engine.Outcome, objs []engine.Objective, senses []search.Sense, ref []float64) []float64 {
	var pts [][]float64
	curve := make([]float64, len(out.Trials))
	hv := 0.0
	for i := range out.Trials {
		if p, ok := objectivePoint(&out.Trials[i], objs); ok && ref != nil {
			pts = append(pts, p)
			if v, err := search.Hypervolume(pts, ref, senses); err == nil {
				hv = v
			}
		}
		curve[i] = hv
	}
	return curve
}

// addHVGroup adds a group's mean curve, and its band when it has several
// runs, over the trials every run of the group reached.
func addHVGroup(c *Chart, name string, runs []*engine.Outcome, objs []engine.Objective, senses []search.Sense, ref []float64) {
	if len(runs) == 0 {
		return
	}
	var curves [][]float64
	n := math.MaxInt
	for _, out := range runs {
		cv := hvCurve(out, objs, senses, ref)
		curves, n = append(curves, cv), min(n, len(cv))
	}
	s := &Series{Name: name, Line: true}
	if len(runs) > 1 {
		s.Name = fmt.Sprintf("%s (%d runs)", name, len(runs))
		s.Lo, s.Hi = make([]float64, n), make([]float64, n)
	}
	for i := range n {
		sum, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
		for _, cv := range curves {
			sum, lo, hi = sum+cv[i], math.Min(lo, cv[i]), math.Max(hi, cv[i])
		}
		s.X, s.Y = append(s.X, float64(i+1)), append(s.Y, sum/float64(len(curves)))
		if s.Lo != nil {
			s.Lo[i], s.Hi[i] = lo, hi
		}
	}
	c.add(s)
}

// hvCaption names the objectives and the reference point.
func hvCaption(objs []engine.Objective, ref []float64) string {
	if ref == nil {
		return "no feasible trial: the hypervolume is 0"
	}
	var parts []string
	for k, o := range objs {
		parts = append(parts, metric.Label(o.Metric)+" "+metric.Format(o.Metric, ref[k]))
	}
	return "reference point: " + strings.Join(parts, ", ") + "; band: lowest to highest run of a group"
}
