package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/metric"
)

// cell names a NAS-Bench-201 genome as the engine does.
func cell(g ...int) string { return nb201.Space{}.Describe(g) }

// lookedUpFixture is a NAS-Bench-201 run: two cells looked up in the table
// (charged its simulated training time), one cached, and a re-scored trial
// that was never trained.
func lookedUpFixture() *engine.Outcome {
	out := &engine.Outcome{Experiment: "nb201", Hash: "fedcba9876543210", Seed: 3, Evaluator: engine.TablePrefix + "nasbench201:cifar10",
		Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}},
		Trials: []engine.Trial{
			{ID: 0, Genome: []int{3, 0, 1, 3, 3, 1}, Network: cell(3, 0, 1, 3, 3, 1),
				Status: store.Trained, LookedUp: true, EvalS: 1908, Metrics: engine.Metrics{metric.Accuracy: 0.8972, metric.TestAccuracy: 0.9243}},
			{ID: 1, Genome: []int{1, 2, 2, 0, 0, 0}, Network: cell(1, 2, 2, 0, 0, 0),
				Status: store.Trained, LookedUp: true, EvalS: 1321.5, Metrics: engine.Metrics{metric.Accuracy: 0.0971, metric.TestAccuracy: 0.1}},
			{ID: 2, Genome: []int{3, 0, 1, 3, 3, 1}, Network: cell(3, 0, 1, 3, 3, 1),
				Status: store.Cached, Metrics: engine.Metrics{metric.Accuracy: 0.8972, metric.TestAccuracy: 0.9243}},
			{ID: 3, Genome: []int{4, 4, 4, 4, 4, 4}, Network: cell(4, 4, 4, 4, 4, 4),
				Status: store.Untrained, Error: engine.UntrainedReason, Metrics: engine.Metrics{}},
		},
	}
	for i := range out.Trials {
		t := &out.Trials[i]
		t.Feasible = t.Status != store.Untrained
		out.Counts.Add(t)
	}
	out.Pareto = engine.ParetoFront(out.Trials, out.Objectives)
	return out
}

// TestLookedUpTrials: a NAS-Bench-201 run shows its trials as "looked up" in
// the text table, CSV and JSON alike (never "trained"), with the cell string
// and the simulated training time; a never-trained re-scored trial is
// "untrained", not "failed".
func TestLookedUpTrials(t *testing.T) {
	out := lookedUpFixture()
	var table bytes.Buffer
	if err := WriteTable(&table, out, out.Trials); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "table_lookedup.golden", table.String())
	for _, want := range []string{"looked up", "simulated train (s)", "1908.0", "#3477 |nor_conv_3x3~0|", "untrained"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	if strings.Contains(table.String(), " trained ") || strings.Contains(table.String(), "failed") {
		t.Errorf("table says trained or failed:\n%s", table.String())
	}

	var b bytes.Buffer
	if err := WriteCSV(&b, out); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, r := range rows[1:] {
		statuses = append(statuses, r[1])
	}
	if got := strings.Join(statuses, ","); got != "looked up,looked up,cached,untrained" || rows[0][8] != "eval_s" || rows[1][8] != "1908" {
		t.Errorf("CSV statuses %q, header %q, first row %q", got, rows[0], rows[1])
	}

	j := ToJSON(out)
	want := map[string]int{"trained": 0, "looked_up": 2, "pruned": 0, "failed": 0, "cached": 1, "untrained": 1, "resumed": 0}
	for k, v := range want {
		if j.Counts[k] != v {
			t.Errorf("JSON counts %v, want %v", j.Counts, want)
			break
		}
	}
	raw, err := json.Marshal(j.Trials[0])
	if err != nil || !strings.Contains(string(raw), `"status":"looked up"`) || !strings.Contains(string(raw), `"eval_s":1908`) {
		t.Errorf("JSON trial %s (%v)", raw, err)
	}
}

// TestTrainTimeLabel: the time column says simulated only when every timed
// trial was looked up, and is absent when no trial has a time.
func TestTrainTimeLabel(t *testing.T) {
	cases := []struct {
		trials []engine.Trial
		want   string
	}{
		{nil, ""},
		{[]engine.Trial{{EvalS: 0}}, ""},
		{[]engine.Trial{{EvalS: 2, LookedUp: true}, {}}, "simulated train (s)"},
		{[]engine.Trial{{EvalS: 2, LookedUp: true}, {EvalS: 1}}, "train time (s)"},
		{[]engine.Trial{{EvalS: 1}, {EvalS: 2, LookedUp: true}}, "train time (s)"},
	}
	for i, c := range cases {
		if got := trainTimeLabel(c.trials); got != c.want {
			t.Errorf("case %d: %q, want %q", i, got, c.want)
		}
	}
}
