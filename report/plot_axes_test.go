package report

import (
	"testing"

	"github.com/hwnas/hwnas/engine"

	"github.com/hwnas/hwnas/metric"
)

// TestPlotAxesWithoutHardware: an experiment with one objective and no
// hardware has no latency; its plot puts the objective against MACs rather
// than drawing empty latency axes.
func TestPlotAxesWithoutHardware(t *testing.T) {
	acc := []engine.Objective{{Metric: metric.Accuracy, Maximize: true}}
	cases := []struct {
		name    string
		metrics []engine.Metrics
		x       string
	}{
		{"latency measured", []engine.Metrics{{metric.Accuracy: 0.9, metric.LatencyMs: 2, metric.MACs: 1e6}}, metric.LatencyMs},
		{"no hardware", []engine.Metrics{{metric.Accuracy: 0.9, metric.MACs: 1e6, metric.Params: 1e3}, {metric.Accuracy: 0.8, metric.MACs: 2e6}}, metric.MACs},
		{"nothing measured", nil, metric.LatencyMs},
	}
	for _, c := range cases {
		out := &engine.Outcome{Experiment: "e", Objectives: acc}
		for i, m := range c.metrics {
			out.Trials = append(out.Trials, engine.Trial{ID: i, Metrics: m, Status: "trained", Feasible: true})
		}
		if x, y := PlotAxes(out); x != c.x || y != metric.Accuracy {
			t.Errorf("%s: axes %s, %s; want %s, accuracy", c.name, x, y, c.x)
		}
	}
}
