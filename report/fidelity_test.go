package report

import (
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// Trials of a fidelity schedule show the epochs they reached beside their
// accuracy; other runs have no such column.
func TestTableShowsEpochs(t *testing.T) {
	out := &engine.Outcome{Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}}, Trials: []engine.Trial{
		{ID: 0, Status: store.Trained, Metrics: engine.Metrics{metric.Accuracy: 0.9, engine.EpochsMetric: 1}},
		{ID: 1, Status: store.Trained, Metrics: engine.Metrics{metric.Accuracy: 0.95, engine.EpochsMetric: 9}},
	}}
	var b strings.Builder
	if err := WriteTable(&b, out, out.Trials); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if !strings.Contains(lines[0], "accuracy  epochs") || !strings.Contains(lines[2], "0.9500    9") {
		t.Errorf("table:\n%s", b.String())
	}
	for i := range out.Trials {
		delete(out.Trials[i].Metrics, engine.EpochsMetric)
	}
	b.Reset()
	WriteTable(&b, out, out.Trials)
	if strings.Contains(b.String(), "epochs") {
		t.Errorf("a run without a schedule shows epochs:\n%s", b.String())
	}
}
