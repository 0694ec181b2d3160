package main

import (
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/metric"
)

func TestFNASBenchRendering(t *testing.T) {
	best, plainBest := 0.6825, 0.7410
	b := &fnasBench{Spec: "latency_ms <= 8", Budget: 12, Seed: 1, FNASReported: 11.13, Speedup: 2.54,
		Constrained: fnasArm{Name: "fnas", Constraints: []string{"latency_ms <= 8"}, Trials: 12, Trained: 5, Pruned: 7,
			WallS: 61.24, TrainS: 60.8, BestMeetingSpec: &best, BestTrial: 9},
		Plain: fnasArm{Name: "fnas_plain", Constraints: []string{}, Trials: 12, Trained: 12, WallS: 155.5, TrainS: 155.1,
			BestMeetingSpec: &plainBest, BestTrial: 3},
		Space: &fnasSpaceFigures{Networks: 6561, MeetSpec: 5135, ExpectedSpeedup: 1.93}}
	var sb strings.Builder
	writeFNASBench(&sb, b)
	golden.Check(t, "bench_fnas.golden", sb.String())
}

func TestMeets(t *testing.T) {
	cons := []engine.Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: 8, Hard: true}}
	for _, c := range []struct {
		m    engine.Metrics
		want bool
	}{
		{engine.Metrics{metric.LatencyMs: 7.9}, true},
		{engine.Metrics{metric.LatencyMs: 8}, true},
		{engine.Metrics{metric.LatencyMs: 8.1}, false},
		{engine.Metrics{}, false},
	} {
		if got := meets(c.m, cons); got != c.want {
			t.Errorf("meets(%v) = %v, want %v", c.m, got, c.want)
		}
	}
}

func TestBenchFNASBadBudget(t *testing.T) {
	_, err := runCLI(t, "bench", "fnas", "--budget", "0")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "--budget must be at least 1") {
		t.Fatalf("err = %v", err)
	}
}

// The demo's space under its spec, from the FPGA model alone: a lower and
// an upper bound keep the figure honest if the model changes.
func TestFNASSpaceFigures(t *testing.T) {
	spec, err := loadRunSpec("")
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.FromSpec(spec, "fnas")
	if err != nil {
		t.Fatal(err)
	}
	f := spaceFigures(e, e.Constraints)
	if f == nil || f.Networks != 6561 || f.MeetSpec <= 0 || f.MeetSpec >= 6561 || f.ExpectedSpeedup <= 1 {
		t.Fatalf("space figures %+v", f)
	}
}
