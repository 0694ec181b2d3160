package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/nn"
)

// TrainEvaluator trains every network with the Go training engine
// (engine/nn) at the request's fidelity: Train images of the training split
// (after Val images are held out of it for validation), Epochs, Batch, LR.
// accuracy is the validation accuracy (the test accuracy when Val is 0) and
// test_accuracy the accuracy on Test images of the test split. Every random
// draw (subsets, initialisation, shuffles) comes from the fidelity's seed.
// With the fidelity's QuantBits, accuracy and test_accuracy are those of the
// network after post-training quantization to that width, and
// accuracy_fp32 and test_accuracy_fp32 those before.
type TrainEvaluator struct {
	Source string // what Load reads, for the cache key: "mnist", "idx:DIR", "cifar10:DIR"
	Load   func() (train, test *data.Set, err error)
	// MemoryLimit is the memory all its trainings at once may take: a
	// network needing more fails, and concurrent trainings wait for each
	// other's memory. 0 means nn.MachineMemoryLimit; negative, no limit.
	MemoryLimit int64

	mem   memoryBudget
	mu    sync.Mutex
	sets  map[string]*prepared
	load  sync.Once
	train *data.Set
	test  *data.Set
	err   error
}

type prepared struct {
	train, val, test *data.Set
	mean, std        []float32 // the training subset's statistics, which normalised the sets
}

// DatasetLoader returns the loader of a data source: "builtin" with name
// "mnist", "idx" (train-images-idx3-ubyte… in dir) or "cifar10" (the binary
// batches in dir).
func DatasetLoader(source, name, dir string) (string, func() (train, test *data.Set, err error), error) {
	switch source {
	case "builtin", "":
		if name != "mnist" {
			return "", nil, fmt.Errorf("no built-in data set %q (built in: mnist)", name)
		}
		return "mnist", data.MNIST, nil
	case "idx":
		return "idx:" + dir, func() (*data.Set, *data.Set, error) {
			tr, err := data.LoadIDX(filepath.Join(dir, "train-images-idx3-ubyte"), filepath.Join(dir, "train-labels-idx1-ubyte"))
			if err != nil {
				return nil, nil, err
			}
			te, err := data.LoadIDX(filepath.Join(dir, "t10k-images-idx3-ubyte"), filepath.Join(dir, "t10k-labels-idx1-ubyte"))
			return tr, te, err
		}, nil
	case "cifar10":
		return "cifar10:" + dir, func() (*data.Set, *data.Set, error) { return data.LoadCIFAR10(dir) }, nil
	}
	return "", nil, fmt.Errorf("unknown data source %q (valid: builtin, idx, cifar10)", source)
}

// Name is part of the accuracy cache key.
func (t *TrainEvaluator) Name() string { return "train:" + t.Source }

// prepare returns the train/val/test sets of a fidelity, prepared once.
func (t *TrainEvaluator) prepare(f Fidelity) (*prepared, error) {
	t.load.Do(func() {
		if t.Load == nil {
			t.err = fmt.Errorf("train evaluator for %q has no data loader", t.Source)
			return
		}
		t.train, t.test, t.err = t.Load()
	})
	if t.err != nil {
		return nil, fmt.Errorf("loading %s: %w", t.Source, t.err)
	}
	whole := f
	whole.Stop = 0 // the rungs of a fidelity schedule share their data
	key := fmt.Sprintf("%s seed=%d", whole.Key(), f.Seed)
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.sets[key]; ok {
		return p, nil
	}
	seed := uint64(f.Seed)
	p := &prepared{train: t.train, test: t.test}
	var err error
	if f.Val > 0 {
		if p.train, p.val, err = t.train.Split(f.Val, seed); err != nil {
			return nil, fmt.Errorf("validation split: %w", err)
		}
	}
	if f.Train > 0 {
		if p.train, err = p.train.Subset(f.Train, seed+1); err != nil {
			return nil, fmt.Errorf("training subset: %w", err)
		}
	}
	if f.Test > 0 {
		if p.test, err = t.test.Subset(f.Test, seed+2); err != nil {
			return nil, fmt.Errorf("test subset: %w", err)
		}
	}
	mean, std := p.train.Stats()
	p.mean, p.std = mean, std
	for _, s := range []**data.Set{&p.train, &p.val, &p.test} {
		if *s != nil {
			if *s, err = (*s).Normalize(mean, std); err != nil {
				return nil, fmt.Errorf("normalising: %w", err)
			}
		}
	}
	if t.sets == nil {
		t.sets = map[string]*prepared{}
	}
	t.sets[key] = p
	return p, nil
}

// memoryLimit is the limit MemoryLimit sets, and where it comes from.
func (t *TrainEvaluator) memoryLimit() (int64, string) {
	switch {
	case t.MemoryLimit < 0:
		return 0, ""
	case t.MemoryLimit > 0:
		return t.MemoryLimit, ""
	}
	return nn.MachineMemoryLimit()
}

// Evaluate trains r.Network.
func (t *TrainEvaluator) Evaluate(ctx context.Context, r Request) (Evaluation, error) {
	ev, _, err := t.trainKeep(ctx, r, nil)
	return ev, err
}

// trainKeep trains r.Network, copying the trained weights into keep when set.
func (t *TrainEvaluator) trainKeep(ctx context.Context, r Request, keep *nn.Weights) (Evaluation, *prepared, error) {
	p, err := t.prepare(r.Fidelity)
	if err != nil {
		return Evaluation{}, nil, err
	}
	f := r.Fidelity
	cfg := nn.Config{Epochs: f.Epochs, Batch: f.Batch, LR: f.LR, Optimizer: f.Optimizer, Seed: uint64(f.Seed), Threads: r.Threads,
		StopEpoch: f.Stop, Checkpoint: r.Checkpoint, Keep: keep}
	if f.QuantBits > 0 {
		cfg.Quantize = []int{f.QuantBits}
	}
	cfg.MemoryLimitBytes, cfg.MemoryLimitFrom = t.memoryLimit()
	release, err := t.mem.reserve(ctx, r.Network, cfg)
	if err != nil {
		return Evaluation{}, nil, err
	}
	res, err := nn.Train(ctx, r.Network, p.train, p.val, p.test, cfg)
	release()
	if err != nil {
		return Evaluation{}, nil, err
	}
	searched := func(val, test float64) float64 {
		if p.val == nil {
			return test
		}
		return val
	}
	m := Metrics{metric.Accuracy: searched(res.ValAccuracy, res.TestAccuracy), metric.TestAccuracy: res.TestAccuracy, "train_s": res.TrainTime.Seconds()}
	for _, q := range res.Quantized {
		m[metric.AccuracyFP32], m[metric.TestAccuracyFP32] = m[metric.Accuracy], m[metric.TestAccuracy]
		m[metric.Accuracy], m[metric.TestAccuracy] = searched(q.ValAccuracy, q.TestAccuracy), q.TestAccuracy
	}
	return Evaluation{Metrics: m}, p, nil
}
