package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/metric"
)

// TrialsPlot draws every trial of out: y against x from PlotAxes, one
// marker per status (trialClassOf), the Pareto front as a line and a
// constraint on either axis as a dashed line. Pruned and failed trials have
// no accuracy: they are drawn on a row under the others. An experiment with
// three or more objectives is drawn as a matrix of its 2-D projections,
// the Pareto trials ringed.
func TrialsPlot(out *engine.Outcome) *Figure {
	f := &Figure{Title: fmt.Sprintf("%s: %s, %d on the Pareto front", out.Experiment, count(len(out.Trials), "trial"), len(out.Pareto))}
	objs := engine.FrontObjectives(out.Objectives, out.Constraints)
	if len(objs) < 3 {
		x, y := PlotAxes(out)
		c, note := trialsChart(out, x, y, true)
		f.Charts, f.Caption = []*Chart{c}, note
		if len(out.Trials) == 0 {
			f.Caption = "no trials yet"
		}
		return f
	}
	for i := range objs {
		for j := i + 1; j < len(objs); j++ {
			c, _ := trialsChart(out, objs[j].Metric, objs[i].Metric, false)
			f.Charts = append(f.Charts, c)
		}
	}
	f.Caption = "Pareto trials (on the front in all objectives) ringed; trials without a panel's y value (pruned or failed: never trained) on its bottom row"
	return f
}

// trialsChart draws the trials of out on x and y; line says whether the
// front is a line (two objectives) or ringed points (a projection). It
// returns the caption the chart needs.
func trialsChart(out *engine.Outcome, x, y string, line bool) (*Chart, string) {
	c := NewChart("", metric.Label(x), metric.Label(y))
	floor, anyY := floorOf(out, y)
	if !anyY && isFraction(y) {
		c.YMin, c.YMax = 0, 1
	}
	series := map[string]*Series{}
	var front [][2]float64
	var frontTitles []string
	noX, bottom := 0, map[string]int{}
	for i := range out.Trials {
		t := &out.Trials[i]
		xv, ok := t.Metrics[x]
		if !ok {
			noX++
			continue
		}
		yv := t.Metrics[y]
		if unmeasured(t, y) {
			yv = floor
			bottom[engine.StatusLabel(t)]++
		}
		cl := trialClassOf(t)
		s := series[cl.label]
		if s == nil {
			s = &Series{Name: cl.label, Color: cl.color, Marker: cl.marker}
			series[cl.label] = s
		}
		s.X, s.Y, s.Titles = append(s.X, xv), append(s.Y, yv), append(s.Titles, trialTitle(out, t))
		if slices.Contains(out.Pareto, t.ID) {
			front = append(front, [2]float64{xv, yv})
			frontTitles = append(frontTitles, s.Titles[len(s.Titles)-1])
		}
	}
	addClasses(c, series)
	addFront(c, front, frontTitles, line)
	addLimits(c, out.Constraints, x, y)
	return c, caption(x, y, noX, bottom)
}

// isFraction reports whether the metric is a fraction in [0, 1].
func isFraction(key string) bool {
	m, ok := metric.ByKey(key)
	return ok && m.Dim == metric.Fraction
}

// floorOf is where trials without y are drawn: a row 8% of the measured
// range under the lowest measured value (or 0 when nothing has y).
func floorOf(out *engine.Outcome, y string) (float64, bool) {
	var ys []float64
	for _, t := range out.Trials {
		if v, ok := t.Metrics[y]; ok {
			ys = append(ys, v)
		}
	}
	lo, hi, ok := bounds(ys)
	if !ok {
		return 0, false
	}
	span := hi - lo
	if span == 0 {
		span = math.Max(math.Abs(lo), 1)
	}
	return lo - 0.08*span, true
}

// classOrder is the order of the status classes in a legend.
var classOrder = []string{"trained", "looked up", "cached", "trained (infeasible)", "looked up (infeasible)", "cached (infeasible)", "failed", "pruned"}

// addClasses adds the series of each status class, in classOrder.
func addClasses(c *Chart, series map[string]*Series) {
	names := make([]string, 0, len(series))
	for n := range series {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		ia, ib := slices.Index(classOrder, a), slices.Index(classOrder, b)
		if ia < 0 || ib < 0 {
			return cmp.Or(cmp.Compare(ib, ia), strings.Compare(a, b)) // unknown words last
		}
		return cmp.Compare(ia, ib)
	})
	for _, n := range names {
		c.Series = append(c.Series, series[n])
	}
}

// addFront draws the front as a line through its points sorted by x, or
// as rings round them.
func addFront(c *Chart, front [][2]float64, titles []string, line bool) {
	if len(front) == 0 {
		return
	}
	s := &Series{Name: "Pareto front", Color: "#ff7f0e"}
	if line {
		idx := make([]int, len(front))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(front[a][0], front[b][0]) })
		for _, i := range idx {
			s.X, s.Y = append(s.X, front[i][0]), append(s.Y, front[i][1])
		}
		s.Line = true
	} else {
		for i, p := range front {
			s.X, s.Y, s.Titles = append(s.X, p[0]), append(s.Y, p[1]), append(s.Titles, titles[i])
		}
	}
	s.Marker, s.Size = "ring", 7                 // round the trial's own marker, which carries the hover text
	c.Series = append([]*Series{s}, c.Series...) // under the trials' markers
}

// addLimits draws the constraints on x or y as dashed lines.
func addLimits(c *Chart, cons []engine.Constraint, x, y string) {
	for _, k := range cons {
		switch k.Metric {
		case x:
			c.Rules = append(c.Rules, Rule{Vertical: true, At: k.Value, Label: k.String(), Dash: true})
		case y:
			c.Rules = append(c.Rules, Rule{At: k.Value, Label: k.String(), Dash: true})
		}
	}
}

// caption says what a trials chart leaves out or draws apart: the trials
// without y by status ("14 pruned and 1 failed trial without accuracy")
// and the number without x.
func caption(x, y string, noX int, bottom map[string]int) string {
	var parts, sts []string
	n := 0
	for _, st := range slices.Sorted(maps.Keys(bottom)) {
		sts, n = append(sts, fmt.Sprintf("%d %s", bottom[st], st)), n+bottom[st]
	}
	if n > 0 {
		trials := "trials"
		if n == 1 {
			trials = "trial"
		}
		parts = append(parts, fmt.Sprintf("%s %s without %s (never trained) on the bottom row", strings.Join(sts, " and "), trials, y))
	}
	if noX > 0 {
		parts = append(parts, fmt.Sprintf("%s without %s not drawn", count(noX, "trial"), x))
	}
	return strings.Join(parts, "; ")
}

// count writes n things: "1 trial", "3 trials".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
