package report

import (
	"fmt"
	"math"
	"slices"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// A pcAxis is one vertical axis of a parallel-coordinates chart: a
// decision of the genome (its choices spread from bottom to top) or a
// metric (its range).
type pcAxis struct {
	name    string
	gene    int // index in the genome, or -1 for a metric
	choices []string
	metric  string
	lo, hi  float64
	clipLo  bool // values under lo are drawn at lo
	clipHi  bool
}

// DecisionsPlot draws what the search chose as parallel coordinates: one
// vertical axis per decision of the genome (named by decisions, the
// space's, when given; genes past them, such as co-exploration's hardware
// genes, are "gene N") and one per objective, and one line per trial
// through its choices and metrics. Pareto trials are drawn over the others;
// pruned (grey) and failed (pink) trials, which have no accuracy, stop
// before it. The
// marker on the first objective's axis carries the trial's id, status and
// metrics as hover text.
func DecisionsPlot(out *engine.Outcome, decisions []arch.Decision) *Figure {
	ax := pcAxes(out, decisions)
	c := NewChart("", "", "")
	c.HideYTicks = true
	c.YMin, c.YMax = 0, 1
	widest := 0
	for k, a := range ax {
		c.XTicks = append(c.XTicks, Tick{At: float64(k), Label: a.name})
		c.Rules = append(c.Rules, Rule{Vertical: true, At: float64(k), Color: "#999999"})
		widest = max(widest, len([]rune(a.name)))
		c.Notes = append(c.Notes, pcAxisNotes(k, a)...)
	}
	classes := []struct {
		name, color string
		pick        func(*engine.Trial) bool
	}{
		{string(store.Pruned), "#bbbbbb", func(t *engine.Trial) bool { return t.Status == store.Pruned }},
		{string(store.Failed), "#f4a6a6", func(t *engine.Trial) bool { return t.Status == store.Failed }},
		{"other trials", "#6baed6", func(t *engine.Trial) bool {
			return t.Status != store.Pruned && t.Status != store.Failed && !slices.Contains(out.Pareto, t.ID)
		}},
		{"Pareto front", "#ff7f0e", func(t *engine.Trial) bool { return slices.Contains(out.Pareto, t.ID) }},
	}
	for _, cl := range classes {
		addPCClass(c, out, ax, cl.name, cl.color, cl.pick)
	}
	f := c.Figure()
	f.Title = fmt.Sprintf("%s: the choices of %s", out.Experiment, count(len(out.Trials), "trial"))
	// room for each axis's name, within a notebook's width (names stagger
	// on two rows when they do not fit side by side)
	f.Width = min(max(520, float64(len(ax))*math.Min(math.Max(float64(widest)*charW+12, 70), 150)+60), 1100)
	return f
}

// pcAxes lists the axes of out's parallel-coordinates chart.
func pcAxes(out *engine.Outcome, decisions []arch.Decision) []pcAxis {
	genes := 0
	for _, t := range out.Trials {
		genes = max(genes, len(t.Genome))
	}
	var ax []pcAxis
	for g := range genes {
		a := pcAxis{name: fmt.Sprintf("gene %d", g), gene: g}
		if g < len(decisions) {
			a.name, a.choices = decisions[g].Name, decisions[g].Choices
		} else {
			hi := 0
			for _, t := range out.Trials {
				if g < len(t.Genome) {
					hi = max(hi, t.Genome[g])
				}
			}
			for v := range hi + 1 {
				a.choices = append(a.choices, fmt.Sprint(v))
			}
		}
		ax = append(ax, a)
	}
	for _, o := range engine.FrontObjectives(out.Objectives, out.Constraints) {
		var vs []float64
		for _, t := range out.Trials {
			if v, ok := t.Metrics[o.Metric]; ok {
				vs = append(vs, v)
			}
		}
		a := pcAxis{name: metric.Label(o.Metric), gene: -1, metric: o.Metric}
		a.lo, a.hi, a.clipLo, a.clipHi = robustRange(vs)
		ax = append(ax, a)
	}
	return ax
}

// pcValue is where t lies on a, from 0 (bottom) to 1 (top), or NaN.
func pcValue(t *engine.Trial, a pcAxis) float64 {
	if a.gene >= 0 {
		if a.gene >= len(t.Genome) || len(a.choices) == 0 {
			return math.NaN()
		}
		if len(a.choices) == 1 {
			return 0.5
		}
		return float64(t.Genome[a.gene]) / float64(len(a.choices)-1)
	}
	v, ok := t.Metrics[a.metric]
	switch {
	case !ok:
		return math.NaN()
	case a.hi == a.lo:
		return 0.5
	}
	return min(max((v-a.lo)/(a.hi-a.lo), 0), 1)
}

// robustRange is the range of a metric's axis: from the lowest to the
// highest value inside Tukey's far fences (3 interquartile ranges beyond
// the quartiles), so that a few outliers (networks that do not learn) do
// not squash every other line into a corner; the outliers are drawn at
// the axis's ends.
func robustRange(vs []float64) (lo, hi float64, clipLo, clipHi bool) {
	lo, hi, ok := bounds(vs)
	if !ok || len(vs) < 8 {
		return lo, hi, false, false
	}
	s := slices.Sorted(slices.Values(vs))
	q1, q3 := s[len(s)/4], s[3*len(s)/4]
	iqr := q3 - q1
	if iqr == 0 {
		return lo, hi, false, false
	}
	in := slices.DeleteFunc(s, func(v float64) bool { return v < q1-3*iqr || v > q3+3*iqr })
	return in[0], in[len(in)-1], in[0] > lo, in[len(in)-1] < hi
}

// pcAxisNotes labels an axis: its choices at their heights, or its
// metric's range at the bottom and top.
func pcAxisNotes(k int, a pcAxis) []Note {
	x := float64(k)
	if a.gene < 0 {
		if math.IsNaN(a.lo) || a.lo == 0 && a.hi == 0 {
			return nil
		}
		lo, hi := metric.Format(a.metric, a.lo), metric.Format(a.metric, a.hi)
		if a.clipLo {
			lo = "≤ " + lo
		}
		if a.clipHi {
			hi = "≥ " + hi
		}
		return []Note{{X: x, Y: 0, Text: lo, Below: true}, {X: x, Y: 1, Text: hi}}
	}
	var ns []Note
	for i, ch := range a.choices {
		y := 0.5
		if len(a.choices) > 1 {
			y = float64(i) / float64(len(a.choices)-1)
		}
		ns = append(ns, Note{X: x + 0.04, Y: y, Text: ch, Anchor: "start"})
	}
	return ns
}

// addPCClass adds a line per trial that pick selects, and markers with the
// trials' hover text on the first objective's axis. A trial whose line is
// already drawn (a network visited again) adds nothing.
func addPCClass(c *Chart, out *engine.Outcome, ax []pcAxis, name, color string, pick func(*engine.Trial) bool) {
	first := slices.IndexFunc(ax, func(a pcAxis) bool { return a.gene < 0 })
	marks := &Series{Color: color, Marker: "circle", Size: 3}
	drawn := map[string]bool{}
	for i := range out.Trials {
		t := &out.Trials[i]
		if !pick(t) {
			continue
		}
		s := &Series{Name: name, Color: color, Line: true, Width: 1.5}
		if name != "Pareto front" {
			s.Width = 1
		}
		for k, a := range ax {
			s.X, s.Y = append(s.X, float64(k)), append(s.Y, pcValue(t, a))
		}
		if key := fmt.Sprint(s.Y); drawn[key] {
			continue
		} else {
			drawn[key] = true
		}
		c.Series = append(c.Series, s)
		if first >= 0 && !math.IsNaN(s.Y[first]) {
			marks.X, marks.Y = append(marks.X, float64(first)), append(marks.Y, s.Y[first])
			marks.Titles = append(marks.Titles, shortTitle(t, titleMetrics(out)...))
		}
	}
	c.Series = append(c.Series, marks)
}
