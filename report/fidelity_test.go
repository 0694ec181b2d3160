package report

import (
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/metric"
)

// hyperbandFixture is a run under `fidelity hyperband { max_epochs = 9 }`:
// children of brackets 2, 1 and 0, some stopped at their first rung, one
// pruned before training (no bracket, no epochs).
func hyperbandFixture() *engine.Outcome {
	rungs := func(bracket float64, accs ...float64) engine.Metrics {
		m := engine.Metrics{engine.BracketMetric: bracket}
		ep := []int{1, 3, 9}[2-int(bracket):]
		for i, a := range accs {
			m[engine.RungMetric(ep[i])], m[metric.Accuracy], m[engine.EpochsMetric] = a, a, float64(ep[i])
		}
		return m
	}
	out := &engine.Outcome{Experiment: "bohb", Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}},
		Constraints: []engine.Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: 8, Hard: true}},
		Trials: []engine.Trial{
			{ID: 0, Network: "4 layers", Status: store.Trained, EvalS: 2.1, Metrics: rungs(2, 0.81)},
			{ID: 1, Network: "4 layers", Status: store.Trained, EvalS: 11.7, Metrics: rungs(2, 0.88, 0.93, 0.97)},
			{ID: 2, Network: "5 layers", Status: store.Trained, EvalS: 5.2, Metrics: rungs(1, 0.90)},
			{ID: 3, Network: "6 layers", Status: store.Pruned, Error: "latency_ms = 9.1 breaks latency_ms <= 8", Metrics: engine.Metrics{metric.LatencyMs: 9.1}},
			{ID: 4, Network: "4 layers", Status: store.Trained, EvalS: 12.5, Metrics: rungs(0, 0.96)},
		}}
	for i := range out.Trials {
		t := &out.Trials[i]
		t.Feasible = t.Status != store.Pruned
		if t.Feasible {
			t.Metrics[metric.LatencyMs] = 2 + float64(i)
		}
		out.Counts.Add(t)
	}
	out.Pareto = engine.ParetoFront(out.Trials, out.Objectives)
	return out
}

// Trials of a Hyperband run show the epochs they reached and their bracket
// beside their accuracy, in the text table (`hwnas results`, the kernel's
// text) and the HTML one (the kernel's); a run without a schedule has
// neither column.
func TestTableShowsFidelity(t *testing.T) {
	out := hyperbandFixture()
	var b strings.Builder
	if err := WriteTable(&b, out, out.Trials); err != nil {
		t.Fatal(err)
	}
	b.WriteString("\n")
	if err := WriteHTML(&b, out, out.Trials); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "table_hyperband.golden", b.String())
	if lines := strings.Split(b.String(), "\n"); !strings.Contains(lines[0], "accuracy  epochs  bracket") {
		t.Errorf("table head %q, want accuracy, epochs and bracket side by side", lines[0])
	}
	for i := range out.Trials {
		delete(out.Trials[i].Metrics, engine.EpochsMetric)
		delete(out.Trials[i].Metrics, engine.BracketMetric)
	}
	b.Reset()
	WriteTable(&b, out, out.Trials)
	WriteHTML(&b, out, out.Trials)
	if strings.Contains(b.String(), "epochs") || strings.Contains(b.String(), "bracket") {
		t.Errorf("a run without a schedule shows epochs or bracket:\n%s", b.String())
	}
}
