package nn

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
)

// leNet5 is LeNet-5 (LeCun et al. 1998) with ReLU, max pooling and batch
// norm: conv(6, 5×5, same)-pool-conv(16, 5×5)-pool-dense(120)-dense(84)-dense(10).
func leNet5() *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	x := n.Append(arch.Layer{Op: arch.Conv, Kernel: 5, Stride: 1, Pad: 2, Out: 6, BN: true, Act: arch.ReLU}, arch.Input)
	x = n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2}, x)
	x = n.Append(arch.Layer{Op: arch.Conv, Kernel: 5, Stride: 1, Out: 16, BN: true, Act: arch.ReLU}, x)
	x = n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2}, x)
	x = n.Append(arch.Layer{Op: arch.Dense, Out: 120, Act: arch.ReLU}, x)
	x = n.Append(arch.Layer{Op: arch.Dense, Out: 84, Act: arch.ReLU}, x)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, x)
	return n
}

func mnist(t testing.TB) (train, test *data.Set) {
	t.Helper()
	train, test, err := data.MNIST()
	if err != nil {
		t.Fatal(err)
	}
	return train, test
}

// TestLeNet5MNIST is the accuracy requirement: at least 98.5% on the MNIST
// test set after 2 epochs.
func TestLeNet5MNIST(t *testing.T) {
	train, test := mnist(t)
	start := time.Now()
	res, err := Train(context.Background(), leNet5(), train, nil, test,
		Config{Epochs: 2, Batch: 64, LR: 0.05, Optimizer: "sgd", Momentum: 0.9, WeightDecay: 5e-4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test accuracy %.4f, loss per epoch %v, %d images in %v (%.0f images/s), wall %v",
		res.TestAccuracy, res.Loss, res.Images, res.TrainTime, float64(res.Images)/res.TrainTime.Seconds(), time.Since(start))
	if res.TestAccuracy < 0.985 {
		t.Errorf("test accuracy %.4f, want at least 0.985", res.TestAccuracy)
	}
	if len(res.Loss) != 2 || !(res.Loss[1] < res.Loss[0]) {
		t.Errorf("loss per epoch %v: want two falling values", res.Loss)
	}
}

// TestOptimizersLearn: every optimizer and schedule learns MNIST digits from
// 2,000 images in 3 epochs (dropout, a regulariser, learns more slowly).
func TestOptimizersLearn(t *testing.T) {
	train, test := mnist(t)
	tr, err := train.Subset(2000, 1)
	if err != nil {
		t.Fatal(err)
	}
	te, err := test.Subset(1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg  Config
		want float64
	}{
		{Config{Optimizer: "sgd", Schedule: "cosine"}, 0.9},
		{Config{Optimizer: "sgd", Schedule: "constant", LR: 0.02, WeightDecay: 1e-4}, 0.9},
		{Config{Optimizer: "adam", Schedule: "cosine"}, 0.9},
		{Config{Optimizer: "adamw", Schedule: "constant", WeightDecay: 0.05}, 0.9},
		{Config{Optimizer: "sgd", Schedule: "cosine", Dropout: 0.1}, 0.85},
	} {
		cfg := c.cfg
		t.Run(fmt.Sprintf("%s-%s-dropout%g", cfg.Optimizer, cfg.Schedule, cfg.Dropout), func(t *testing.T) {
			cfg.Epochs, cfg.Batch, cfg.Seed, cfg.Normalize = 3, 32, 1, true
			res, err := Train(context.Background(), leNet5(), tr, nil, te, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.TestAccuracy < c.want || !(res.Loss[2] < res.Loss[0]) {
				t.Errorf("test accuracy %.3f (want at least %g), loss per epoch %v", res.TestAccuracy, c.want, res.Loss)
			}
		})
	}
}
