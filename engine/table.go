package engine

import (
	"context"
	"fmt"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch/nb201"
)

// TableEvaluator reads NAS-Bench-201 accuracies from the table embedded in
// arch/nb201 instead of training. Split is "cifar10" (default), "cifar100"
// or "ImageNet16-120".
//
// On cifar10, accuracy is the "valid" split accuracy (c10valid_valid_acc,
// what a search may look at) and test_accuracy the full-train-set test
// accuracy (c10_test_acc, the value to report), both as fractions. The other
// splits have only a test accuracy in the table, used for both. Every
// evaluation is charged the table's simulated training time
// (c10valid_train_time_s) so that time budgets mean what they would with
// real training. HW-NAS-Bench's measurements come along as the bench_*
// metrics of package metric (FPGA latency and energy, Eyeriss, Raspberry Pi 4
// and Pixel 3 latency).
type TableEvaluator struct {
	Split string
}

// Name is part of the accuracy cache key; its TablePrefix keys the cache by
// genome.
func (t TableEvaluator) Name() string { return TablePrefix + "nasbench201:" + t.split() }

func (t TableEvaluator) split() string {
	if t.Split == "" {
		return "cifar10"
	}
	return t.Split
}

// Evaluate looks the genome up.
func (t TableEvaluator) Evaluate(ctx context.Context, r Request) (Evaluation, error) {
	if err := ctx.Err(); err != nil {
		return Evaluation{}, err
	}
	if r.Space != (nb201.Space{}).Name() {
		return Evaluation{}, fmt.Errorf("the nasbench201 table only knows the %q space, not %q", (nb201.Space{}).Name(), r.Space)
	}
	row, err := nb201.LookupGenome(r.Genome)
	if err != nil {
		return Evaluation{}, fmt.Errorf("nasbench201 table: %w", err)
	}
	m := Metrics{metric.BenchFPGALatencyMs: row.FPGALatencyMs, metric.BenchFPGAEnergyMJ: row.FPGAEnergyMJ,
		metric.BenchEyerissLatencyMs: row.EyerissLatencyMs, metric.BenchRaspi4LatencyMs: row.Raspi4LatencyMs,
		metric.BenchPixel3LatencyMs: row.Pixel3LatencyMs}
	switch t.split() {
	case "cifar10":
		m[metric.Accuracy], m[metric.TestAccuracy] = row.C10ValidValidAcc/100, row.C10TestAcc/100
	case "cifar100":
		m[metric.Accuracy], m[metric.TestAccuracy] = row.C100TestAcc/100, row.C100TestAcc/100
	case "ImageNet16-120":
		m[metric.Accuracy], m[metric.TestAccuracy] = row.IN16TestAcc/100, row.IN16TestAcc/100
	default:
		return Evaluation{}, fmt.Errorf("nasbench201 table has no split %q (valid: cifar10, cifar100, ImageNet16-120)", t.Split)
	}
	return Evaluation{Metrics: m, ChargedS: row.C10ValidTrainTimeS}, nil
}
