package runtime

import "testing"

// TestPlotAxesWithoutHardware: an experiment with one objective and no
// hardware has no latency; its plot puts the objective against MACs rather
// than drawing empty latency axes.
func TestPlotAxesWithoutHardware(t *testing.T) {
	acc := []Objective{{Metric: Accuracy, Maximize: true}}
	cases := []struct {
		name    string
		metrics []Metrics
		x       string
	}{
		{"latency measured", []Metrics{{Accuracy: 0.9, LatencyMs: 2, MACs: 1e6}}, LatencyMs},
		{"no hardware", []Metrics{{Accuracy: 0.9, MACs: 1e6, Params: 1e3}, {Accuracy: 0.8, MACs: 2e6}}, MACs},
		{"nothing measured", nil, LatencyMs},
	}
	for _, c := range cases {
		out := &Outcome{Experiment: "e", Objectives: acc}
		for i, m := range c.metrics {
			out.Trials = append(out.Trials, Trial{ID: i, Metrics: m, Status: "trained", Feasible: true})
		}
		if x, y := PlotAxes(out); x != c.x || y != Accuracy {
			t.Errorf("%s: axes %s, %s; want %s, accuracy", c.name, x, y, c.x)
		}
	}
}
