package runtime

import (
	"context"
	"testing"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/fpga"
)

// BenchmarkRunNB201 runs a 64-trial NAS-Bench-201 search with the table
// evaluator and the FPGA model on a ZCU102: the engine's own cost per trial
// (decode, hardware model and cache, store writes, strategy).
func BenchmarkRunNB201(b *testing.B) {
	p, err := fpga.Lookup("ZCU102")
	if err != nil {
		b.Fatal(err)
	}
	const trials = 64
	for b.Loop() {
		e := Experiment{Name: "bench", Space: nb201.Space{}, Evaluator: TableEvaluator{}, Hardware: PlatformHardware(p, fpga.Options{}),
			Objectives:  []Objective{{Accuracy, true}, {LatencyMs, false}},
			Constraints: []Constraint{{Metric: DSP, Op: "<=", Value: 2000, Hard: true}},
			Strategy:    StrategySpec{Kind: "nsga2", Params: map[string]float64{"population": 16}},
			Budget:      Budget{Trials: trials}, Parallel: 2, Seed: 1}
		if _, err := Run(context.Background(), e, Options{Store: openStore(b)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*trials), "µs/trial")
}

func BenchmarkParetoFront(b *testing.B) {
	out := fixture()
	var trials []Trial
	for i := 0; i < 500; i++ {
		for _, t := range out.Trials {
			t.ID = len(trials)
			t.NetworkKey += string(rune('a' + i%26))
			t.Metrics = t.Metrics.clone()
			t.Metrics[Accuracy] += float64(i%97) / 1000
			t.Metrics[LatencyMs] += float64(i%89) / 10
			trials = append(trials, t)
		}
	}
	for b.Loop() {
		ParetoFront(trials, out.Objectives)
	}
}
