package dashboard

import (
	"slices"
	"testing"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/metric"
)

// A run under a fidelity schedule shows the epochs each child reached and
// its Hyperband bracket right after accuracy, as the report's tables do.
func TestColumnsShowFidelity(t *testing.T) {
	out := &engine.Outcome{Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}}, Trials: []engine.Trial{
		{Metrics: engine.Metrics{metric.Accuracy: 0.9, engine.EpochsMetric: 9, engine.BracketMetric: 0, metric.LatencyMs: 2, metric.Params: 100}},
		{Metrics: engine.Metrics{metric.Accuracy: 0.8, engine.EpochsMetric: 1, engine.BracketMetric: 2}},
	}}
	var keys []string
	for _, c := range columns(out) {
		keys = append(keys, c.Key)
	}
	if want := []string{metric.Accuracy, engine.EpochsMetric, engine.BracketMetric, metric.LatencyMs}; !slices.Equal(keys, want) {
		t.Errorf("columns %v, want %v", keys, want)
	}
}
