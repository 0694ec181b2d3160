package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// PlotAxes picks the plot's axes: y is the first objective; x is the second
// objective, else the metric of the first constraint, else latency_ms, or
// macs when no trial has a latency (an experiment without hardware).
func PlotAxes(out *engine.Outcome) (x, y string) {
	y = metric.Accuracy
	if len(out.Objectives) > 0 {
		y = out.Objectives[0].Metric
	}
	switch {
	case len(out.Objectives) > 1:
		x = out.Objectives[1].Metric
	case len(out.Constraints) > 0 && out.Constraints[0].Metric != y:
		x = out.Constraints[0].Metric
	case !measured(out, metric.LatencyMs) && measured(out, metric.MACs):
		x = metric.MACs
	default:
		x = metric.LatencyMs
	}
	return x, y
}

// measured reports whether any trial of out has the metric.
func measured(out *engine.Outcome, metric string) bool {
	return slices.ContainsFunc(out.Trials, func(t engine.Trial) bool { _, ok := t.Metrics[metric]; return ok })
}

// A trialClass is how a plot draws a trial: its legend word and marker.
type trialClass struct{ label, color, marker string }

// trialClassOf is the one place plots name a trial's status: the engine's
// status word (engine.StatusLabel: trained, looked up, cached, pruned,
// failed), and for a trained trial that breaks a soft constraint,
// "(infeasible)" after it.
func trialClassOf(t *engine.Trial) trialClass {
	label := engine.StatusLabel(t)
	switch t.Status {
	case store.Pruned:
		return trialClass{label, "#7f7f7f", "x"}
	case store.Failed:
		return trialClass{label, "#d62728", "triangle"}
	}
	if !t.Feasible {
		return trialClass{label + " (infeasible)", "#aaaaaa", "ring"}
	}
	if t.LookedUp || t.Status == store.Cached {
		return trialClass{label, "#17becf", "circle"}
	}
	return trialClass{label, "#1f77b4", "circle"}
}

// unmeasured reports whether t has no value of y: pruned and failed
// trials never get an accuracy.
func unmeasured(t *engine.Trial, y string) bool {
	_, ok := t.Metrics[y]
	return !ok
}

// trialTitle is a trial's hover text: id, status, network, the metrics the
// experiment optimises and constrains and, for a failed or pruned trial,
// why. (The table has the rest; a plot of hundreds of trials stays small.)
func trialTitle(out *engine.Outcome, t *engine.Trial) string {
	lines := []string{fmt.Sprintf("trial %d: %s", t.ID, trialClassOf(t).label)}
	if slices.Contains(out.Pareto, t.ID) {
		lines[0] += ", on the Pareto front"
	}
	if t.Network != "" {
		lines = append(lines, t.Network)
	}
	for _, c := range titleMetrics(out) {
		if v, ok := t.Metrics[c]; ok {
			lines = append(lines, metric.Label(c)+" "+metric.Format(c, v))
		}
	}
	if t.Error != "" && (t.Status == store.Failed || t.Status == store.Pruned) {
		lines = append(lines, string(t.Status)+": "+strings.ReplaceAll(t.Error, "\n", " "))
	}
	return strings.Join(lines, "\n")
}

// shortTitle is the hover text of a faint point among hundreds: the
// trial's id, status and the metrics drawn.
func shortTitle(t *engine.Trial, metrics ...string) string {
	s := fmt.Sprintf("trial %d: %s", t.ID, trialClassOf(t).label)
	for _, m := range metrics {
		if v, ok := t.Metrics[m]; ok {
			s += ", " + metric.Label(m) + " " + metric.Format(m, v)
		}
	}
	return s
}

// titleMetrics are the metrics of out's objectives (with the front's
// implied one) and constraints, each once.
func titleMetrics(out *engine.Outcome) []string {
	var ms []string
	for _, o := range engine.FrontObjectives(out.Objectives, out.Constraints) {
		ms = append(ms, o.Metric)
	}
	for _, c := range out.Constraints {
		ms = append(ms, c.Metric)
	}
	slices.Sort(ms)
	return slices.Compact(ms)
}

// WritePlot renders TrialsPlot(out) as "svg" or "png".
func WritePlot(w io.Writer, out *engine.Outcome, format string) error {
	if format != "svg" && format != "png" {
		return fmt.Errorf("plot format %q: want svg or png", format)
	}
	return TrialsPlot(out).Write(w, format)
}
