package engine_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// A random search of eight NAS-Bench-201 cells whose accuracy is looked up
// in the benchmark's table instead of trained. Every trial is stored as it
// finishes; running it again on the same store would resume them all.
func ExampleRun() {
	dir, err := os.MkdirTemp("", "hwnas-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	e := engine.Experiment{
		Name:       "nb201-random",
		Space:      nb201.Space{},
		Evaluator:  engine.TableEvaluator{Split: "cifar10"},
		Fidelity:   engine.Fidelity{Dataset: "nasbench201:cifar10"},
		Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}},
		Strategy:   engine.StrategySpec{Kind: "random"},
		Budget:     engine.Budget{Trials: 8},
		Seed:       1,
	}
	out, err := engine.Run(context.Background(), e, engine.Options{Store: st})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range out.Trials {
		fmt.Printf("trial %d %v %s accuracy %s\n", t.ID, t.Genome, engine.StatusOf(&t), metric.Format(metric.Accuracy, t.Metrics[metric.Accuracy]))
	}
	fmt.Println("counts:", out.Counts.String())
	fmt.Println("pareto front:", out.Pareto)
	// Output:
	// trial 0 [4 3 4 4 3 1] looked up accuracy 0.8340
	// trial 1 [4 3 4 1 1 4] looked up accuracy 0.7345
	// trial 2 [3 0 1 3 0 3] looked up accuracy 0.8969
	// trial 3 [2 0 1 3 3 1] looked up accuracy 0.8972
	// trial 4 [1 2 2 0 0 0] looked up accuracy 0.0971
	// trial 5 [3 4 2 1 4 0] looked up accuracy 0.8823
	// trial 6 [3 0 2 3 3 2] looked up accuracy 0.8978
	// trial 7 [4 3 3 4 0 3] looked up accuracy 0.8832
	// counts: 0 trained, 8 looked up, 0 pruned, 0 failed, 0 cached
	// pareto front: [6]
}
