package nn

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/hwnas/hwnas/runtime/data"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

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
	b.ReportMetric(float64(images)/cpu.Seconds(), "images/cpu-s")
}
