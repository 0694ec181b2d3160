package nn

import (
	"context"
	"testing"

	"github.com/hwnas/hwnas/runtime/data"
)

// BenchmarkTrainReference trains the reference network on MNIST, batch 64,
// SGD with momentum; it reports training images per second.
func BenchmarkTrainReference(b *testing.B) {
	train, _, err := data.MNIST()
	if err != nil {
		b.Fatal(err)
	}
	const steps = 20
	var images int64
	var secs float64
	for b.Loop() {
		res, err := Train(context.Background(), Reference(), train, nil, nil,
			Config{Batch: 64, LR: 0.01, Optimizer: "sgd", Momentum: 0.9, MaxSteps: steps, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		images += res.Images
		secs += res.TrainTime.Seconds()
	}
	b.ReportMetric(float64(images)/secs, "images/s")
}
