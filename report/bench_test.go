package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// HW-NAS-Bench's metrics get a column with their unit when an objective or
// a constraint names them, like any metric.
func TestBenchMetricColumns(t *testing.T) {
	out := &engine.Outcome{Experiment: "nb",
		Objectives:  []engine.Objective{{Metric: metric.Accuracy, Maximize: true}, {Metric: metric.BenchFPGALatencyMs}},
		Constraints: []engine.Constraint{{Metric: metric.BenchRaspi4LatencyMs, Op: "<=", Value: 12, Hard: true}},
		Trials: []engine.Trial{{ID: 0, Status: store.Trained, Feasible: true, Network: "cell",
			Metrics: engine.Metrics{metric.Accuracy: 0.9, metric.BenchFPGALatencyMs: 4.25, metric.BenchRaspi4LatencyMs: 10.5, metric.BenchPixel3LatencyMs: 7}}},
	}
	var b bytes.Buffer
	if err := WriteTable(&b, out, out.Trials); err != nil {
		t.Fatal(err)
	}
	head := strings.Fields(strings.SplitN(b.String(), "\n", 2)[0])
	want := []string{"id", "status", "accuracy", "bench_fpga_latency", "(ms)", "bench_raspi4_latency", "(ms)", "network"}
	if strings.Join(head, " ") != strings.Join(want, " ") {
		t.Errorf("header %q, want %q", head, want)
	}
	if !strings.Contains(b.String(), "4.25") || !strings.Contains(b.String(), "10.5") {
		t.Errorf("table lacks the values:\n%s", b.String())
	}
}
