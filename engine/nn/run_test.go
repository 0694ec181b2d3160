package nn

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
)

// smallNet has every kind of node: BN, pools, a residual add, concat, GAP and
// dropout before the dense layer.
func smallNet() *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	a := n.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 2, Pad: 1, Out: 8, BN: true, Act: arch.ReLU}, arch.Input)
	b := n.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 8, BN: true, Act: arch.ReLU}, a)
	s := n.Append(arch.Layer{Op: arch.Add}, a, b)
	p := n.Append(arch.Layer{Op: arch.AvgPool, Kernel: 3, Stride: 1, Pad: 1}, s)
	c := n.Append(arch.Layer{Op: arch.Concat}, s, p)
	c = n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2}, c)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, n.Append(arch.Layer{Op: arch.GlobalAvgPool}, c))
	return n
}

func subset(t *testing.T, s *data.Set, n int) *data.Set {
	t.Helper()
	sub, err := s.Subset(n, 3)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// TestSameSeedSameResult: results are bit-identical for the same seed with
// 1, 2 and 3 threads (chunked reductions do not depend on the thread count),
// and differ for another seed.
func TestSameSeedSameResult(t *testing.T) {
	train, test := mnist(t)
	tr, te := subset(t, train, 700), subset(t, test, 200)
	run := func(threads int, seed uint64) Result {
		res, err := Train(context.Background(), smallNet(), tr, te, te,
			Config{Epochs: 2, Batch: 50, Optimizer: "adamw", LR: 0.01, WeightDecay: 0.01, Dropout: 0.2, Seed: seed, Threads: threads, LossEvery: 1})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ref := run(1, 42)
	if len(ref.Loss) != 28 {
		t.Fatalf("%d loss values, want 28 (14 steps × 2 epochs)", len(ref.Loss))
	}
	for _, th := range []int{2, 3} {
		got := run(th, 42)
		if !slices.Equal(got.Loss, ref.Loss) || got.TestAccuracy != ref.TestAccuracy {
			t.Errorf("%d threads: loss %v acc %v; 1 thread: loss %v acc %v", th, got.Loss, got.TestAccuracy, ref.Loss, ref.TestAccuracy)
		}
	}
	if other := run(2, 43); slices.Equal(other.Loss, ref.Loss) {
		t.Error("another seed gave the same loss curve")
	}
}

func TestCancelStopsWithinOneStep(t *testing.T) {
	train, _ := mnist(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	steps := 0
	_, err := Train(ctx, smallNet(), subset(t, train, 2000), nil, nil, Config{Batch: 32, Progress: func(p Progress) {
		steps = p.Step
		if p.Step == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || steps != 3 {
		t.Errorf("error %v after %d steps, want context.Canceled after 3", err, steps)
	}
}

func TestDivergenceFails(t *testing.T) {
	train, _ := mnist(t)
	_, err := Train(context.Background(), smallNet(), subset(t, train, 640), nil, nil,
		Config{Batch: 64, LR: 1e30, Optimizer: "sgd"})
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "loss is NaN") && !strings.Contains(err.Error(), "loss is +Inf") {
		t.Errorf("error %v, want ErrDiverged naming the loss", err)
	}
}

func TestMemoryBudget(t *testing.T) {
	train, _ := mnist(t)
	tr := subset(t, train, 64)
	need, err := Memory(Reference(), Config{Batch: 64, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(context.Background(), Reference(), tr, nil, nil, Config{Batch: 64, Threads: 2, MemoryLimitBytes: need})
	if err != nil || res.MemoryBytes != need {
		t.Fatalf("at the limit: %v, memory %d, estimate %d", err, res.MemoryBytes, need)
	}
	_, err = Train(context.Background(), Reference(), tr, nil, nil, Config{Batch: 64, Threads: 2, MemoryLimitBytes: need - 1})
	var me *MemoryError
	if !errors.As(err, &me) || me.Need != need || !strings.Contains(err.Error(), "over the memory limit") {
		t.Errorf("one byte under: %v", err)
	}
	big, _ := Memory(Reference(), Config{Batch: 512, Threads: 2})
	if big < 4*need {
		t.Errorf("batch 512 needs %d bytes, batch 64 %d: activations should dominate", big, need)
	}
}

func TestBadInputs(t *testing.T) {
	train, _ := mnist(t)
	tr := subset(t, train, 10)
	cifar := &data.Set{Name: "c", Shape: data.CIFARShape, Classes: 10, X: make([]float32, 3072), Y: []uint8{1}}
	bad := Reference()
	bad.Layers[2].In = []int{7}
	for _, c := range []struct {
		name string
		net  *arch.Network
		set  *data.Set
		cfg  Config
		want string
	}{
		{"optimizer", Reference(), tr, Config{Optimizer: "rmsprop"}, `optimizer "rmsprop": want sgd, adam or adamw`},
		{"schedule", Reference(), tr, Config{Schedule: "step"}, `schedule "step"`},
		{"dropout", Reference(), tr, Config{Dropout: 1}, "dropout 1: want at least 0 and below 1"},
		{"lr", Reference(), tr, Config{LR: math.Inf(1)}, "learning rate +Inf"},
		{"batch", Reference(), tr, Config{Batch: -2}, "batch -2"},
		{"shape", Reference(), cifar, Config{}, "images are 32x32x3, the network takes 28x28x1"},
		{"network", bad, tr, Config{}, "network: layer 2"},
		{"empty", Reference(), &data.Set{}, Config{}, "training set is empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Train(context.Background(), c.net, c.set, nil, nil, c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

// randomSet returns n random images of a shape with random labels.
func randomSet(shape arch.Shape, classes, n int) *data.Set {
	r := rand.New(rand.NewPCG(1, 1))
	s := &data.Set{Name: "random", Shape: shape, Classes: classes}
	for range int64(n) * shape.Size() {
		s.X = append(s.X, float32(r.NormFloat64()))
	}
	for range n {
		s.Y = append(s.Y, uint8(r.IntN(classes)))
	}
	return s
}

// TestNetworksOfTheSpaces trains a few steps of a NAS-Bench-201 cell network
// and an FNAS-style chain with large 'same' kernels.
func TestNetworksOfTheSpaces(t *testing.T) {
	cell := nb201Net()
	fnas := fnasNet()
	for _, c := range []struct {
		name string
		net  *arch.Network
	}{{"nb201", cell}, {"fnas", fnas}} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.net.Infer(); err != nil {
				t.Fatal(err)
			}
			set := randomSet(c.net.Input, 10, 16)
			res, err := Train(context.Background(), c.net, set, set, nil, Config{Batch: 8, Epochs: 2, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Steps != 4 || len(res.Loss) != 2 || res.ValAccuracy < 0 || res.ValAccuracy > 1 {
				t.Errorf("steps %d, loss %v, val accuracy %v", res.Steps, res.Loss, res.ValAccuracy)
			}
		})
	}
}

func TestReference(t *testing.T) {
	n := Reference()
	if err := n.Infer(); err != nil {
		t.Fatal(err)
	}
	// conv1 28·28·32·9 + conv2 14·14·64·288 + dense 3136·10 (arch counts MACs this way)
	if got, want := n.MACs(), int64(225792+3612672+31360); got != want {
		t.Errorf("MACs %d, want %d", got, want)
	}
}

// TestNormalizeOnTheFly: Config.Normalize trains exactly as on sets normalised
// beforehand with the training set's statistics.
func TestNormalizeOnTheFly(t *testing.T) {
	train, test := mnist(t)
	tr, te := subset(t, train, 300), subset(t, test, 100)
	mean, std := tr.Stats()
	ntr, _ := tr.Normalize(mean, std)
	nte, _ := te.Normalize(mean, std)
	cfg := Config{Batch: 50, Seed: 5, LossEvery: 1}
	a, err := Train(context.Background(), smallNet(), ntr, nil, nte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Normalize = true
	b, err := Train(context.Background(), smallNet(), tr, nil, te, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Loss {
		if math.Abs(float64(a.Loss[i]-b.Loss[i])) > 1e-4 {
			t.Fatalf("loss %v, normalised on the fly %v", a.Loss, b.Loss)
		}
	}
	if a.TestAccuracy != b.TestAccuracy {
		t.Errorf("test accuracy %v, on the fly %v", a.TestAccuracy, b.TestAccuracy)
	}
}

// fnasNet is an FNAS-style chain on MNIST: four convolutions with large
// 'same' kernels and 9 filters, global average pooling and a dense layer.
func fnasNet() *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	x := arch.Input
	for _, k := range []int{5, 14, 7, 14} {
		x = n.Append(arch.Layer{Op: arch.Conv, Kernel: k, Stride: 1, Pad: k / 2, Out: 9, Act: arch.ReLU}, x)
		if k%2 == 0 { // an even kernel with padding k/2 grows the map by one; crop it back
			x = n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 1}, x)
		}
	}
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, n.Append(arch.Layer{Op: arch.GlobalAvgPool}, x))
	return n
}

// TestConcurrentTrainings: trainings sharing one data set run side by side
// and each gives what it gives alone.
func TestConcurrentTrainings(t *testing.T) {
	train, _ := mnist(t)
	tr := subset(t, train, 256)
	cfg := Config{Batch: 32, Seed: 9, Threads: 1, LossEvery: 1}
	alone, err := Train(context.Background(), smallNet(), tr, nil, tr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	results := make([]Result, 3)
	errs := make([]error, 3)
	done := make(chan int)
	for i := range results {
		go func() {
			results[i], errs[i] = Train(context.Background(), smallNet(), tr, nil, tr, cfg)
			done <- i
		}()
	}
	for range results {
		<-done
	}
	for i, r := range results {
		if errs[i] != nil || !slices.Equal(r.Loss, alone.Loss) || r.TestAccuracy != alone.TestAccuracy {
			t.Errorf("training %d: %v, loss %v; alone %v", i, errs[i], r.Loss, alone.Loss)
		}
	}
}
