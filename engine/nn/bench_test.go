package nn

import (
	"context"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine/data"
)

// BenchmarkTrainReference trains the reference network on MNIST, batch 64,
// SGD with momentum. It reports training images per second of wall time and
// per second of CPU time (which other processes on the machine disturb less).
func BenchmarkTrainReference(b *testing.B) {
	train, _, err := data.MNIST()
	if err != nil {
		b.Fatal(err)
	}
	const steps = 20
	var images int64
	var wall, cpu time.Duration
	for b.Loop() {
		c0 := cpuTime()
		res, err := Train(context.Background(), Reference(), train, nil, nil,
			Config{Batch: 64, LR: 0.01, Optimizer: "sgd", Momentum: 0.9, MaxSteps: steps, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
		images += res.Images
		wall += res.TrainTime
	}
	b.ReportMetric(float64(images)/wall.Seconds(), "images/s")
	if cpu > 0 {
		b.ReportMetric(float64(images)/cpu.Seconds(), "images/cpu-s")
	}
}

// BenchmarkStep times one training step, batch 64, on one thread: a steadier
// figure for comparing kernels on a busy machine (take the minimum over
// -count runs). It reports images per second of wall time and of CPU time.
func BenchmarkStep(b *testing.B) {
	for _, c := range []struct {
		name string
		net  func() *arch.Network
	}{{"reference", Reference}, {"lenet5", leNet5}, {"fnas", fnasNet}, {"fnas-large", fnasLarge}, {"nb201", nb201Net}, {"grouped", groupedNet}} {
		b.Run(c.name, func(b *testing.B) { benchStep(b, c.net(), 1) })
	}
	// The reference network on two threads, as `hwnas bench train --threads 2`
	// runs it: on a machine other processes load, compare images/cpu-s.
	b.Run("reference-2threads", func(b *testing.B) { benchStep(b, Reference(), 2) })
}

// fnasLarge is the heaviest child of an FNAS space with kernels up to 14 and
// up to 36 filters: four 14×14 convolutions of 36 filters.
func fnasLarge() *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	x := arch.Input
	for range 4 {
		x = n.Append(arch.Layer{Op: arch.Conv, Kernel: 14, Stride: 1, Pad: 6, Out: 36, Act: arch.ReLU}, x)
	}
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, n.Append(arch.Layer{Op: arch.GlobalAvgPool}, x))
	return n
}

// groupedNet is the reference network with its second convolution in 4
// groups (ResNeXt's grouped convolution, Xie et al., CVPR 2017).
func groupedNet() *arch.Network {
	n := Reference()
	n.Layers[2].Groups = 4
	_ = n.Infer()
	return n
}

// nb201Net is the NAS-Bench-201 network of a cell with every kind of edge.
func nb201Net() *arch.Network {
	n, err := nb201.Network("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
	if err != nil {
		panic(err)
	}
	return n
}

func benchStep(b *testing.B, net *arch.Network, threads int) {
	train, _, err := data.MNIST()
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Batch: 64, LR: 0.01, Momentum: 0.9, Threads: threads}
	if err := cfg.fill(); err != nil {
		b.Fatal(err)
	}
	m, err := build(net, 64, threads, 0, "sgd", false)
	if err != nil {
		b.Fatal(err)
	}
	m.init(1)
	idx := make([]int, 64)
	for i := range idx {
		idx[i] = i
	}
	if net.Input == train.Shape {
		train.Gather(idx, m.input, m.labels)
	} else {
		s := randomSet(net.Input, net.Classes, 64)
		s.Gather(idx, m.input, m.labels)
	}
	t := 0
	c0 := cpuTime()
	for b.Loop() {
		m.forward(64, true, 1, uint64(t))
		m.zeroGrads(64)
		m.softmaxLoss(64, m.labels, true)
		m.backward(64)
		t++
		m.step(&cfg, 0.01, t)
	}
	b.ReportMetric(64*float64(b.N)/b.Elapsed().Seconds(), "images/s")
	if cpu := cpuTime() - c0; cpu > 0 {
		b.ReportMetric(64*float64(b.N)/cpu.Seconds(), "images/cpu-s")
	}
}
