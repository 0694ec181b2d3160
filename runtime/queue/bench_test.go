package queue

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/runtime"
)

// BenchmarkTableThroughput measures table evaluations through the queue
// (publish, worker pull, lookup, result, ack) with 1 and 4 workers, each
// on its own connection to an embedded server, 32 requests in flight.
func BenchmarkTableThroughput(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			srv := startServer(b, ServerConfig{})
			qe := queueEvaluatorTB(b, srv.URL(), runtime.TableEvaluator{})
			for range workers {
				inProcessWorker(b, srv.URL(), "", 1)
			}
			reqs := make([]runtime.Request, 256)
			for i := range reqs {
				reqs[i] = nb201Request(b, []int{i % 5, i / 5 % 5, i / 25 % 5, 1, 2, 3})
			}
			ctx := context.Background()
			sem := make(chan struct{}, 32)
			var wg sync.WaitGroup
			b.ResetTimer()
			t0 := time.Now()
			for i := range b.N {
				r := reqs[i%len(reqs)]
				r.Fidelity.Seed = int64(i) // a distinct cache key per request
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					if _, err := qe.Evaluate(ctx, r); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "req/s")
		})
	}
}

func queueEvaluatorTB(b testing.TB, url string, local runtime.Evaluator) *Evaluator {
	nc, err := Connect(ConnOptions{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	qe, err := NewEvaluator(context.Background(), nc, local, Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { qe.Close() })
	return qe
}

// smallCNN is a LeNet-sized MNIST network: conv 5×5×8, max pool, conv
// 3×3×16, global average pool, dense 10.
func smallCNN() *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	c1 := n.Append(arch.Layer{Op: arch.Conv, Kernel: 5, Stride: 1, Pad: 2, Out: 8, Act: arch.ReLU}, arch.Input)
	p := n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2}, c1)
	c2 := n.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 16, Act: arch.ReLU}, p)
	g := n.Append(arch.Layer{Op: arch.GlobalAvgPool}, c2)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, g)
	if err := n.Infer(); err != nil {
		panic(err)
	}
	return n
}

// BenchmarkTrainScaling measures a training-bound search through the queue
// on this machine with one worker process and with two, each training one
// network at a time on one thread: 4 trainings (MNIST, 2000 images, one
// epoch, different seeds) per iteration.
func BenchmarkTrainScaling(b *testing.B) {
	src, load, err := runtime.DatasetLoader("builtin", "mnist", "")
	if err != nil {
		b.Fatal(err)
	}
	train := &runtime.TrainEvaluator{Source: src, Load: load}
	net := smallCNN()
	for _, procs := range []int{1, 2} {
		b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
			srv := startServer(b, ServerConfig{})
			qe := queueEvaluatorTB(b, srv.URL(), train)
			ctx := context.Background()
			var ws []*proc
			for range procs {
				ws = append(ws, startWorker(b, srv.URL(), ""))
			}
			// Warm up: each worker loads MNIST once before timing.
			var wg sync.WaitGroup
			for i := range procs {
				wg.Go(func() {
					r := runtime.Request{Network: net, Fidelity: runtime.Fidelity{Dataset: src, Train: 64, Test: 64, Epochs: 1, Batch: 32, LR: 0.01, Seed: int64(-1 - i)}}
					if _, err := qe.Evaluate(ctx, r); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
			const perIter = 4
			b.ResetTimer()
			t0 := time.Now()
			for i := range b.N {
				for j := range perIter {
					wg.Go(func() {
						r := runtime.Request{Network: net, Fidelity: runtime.Fidelity{Dataset: src, Train: 2000, Test: 500,
							Epochs: 1, Batch: 32, LR: 0.01, Seed: int64(i*perIter + j)}}
						if _, err := qe.Evaluate(ctx, r); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			el := time.Since(t0).Seconds()
			b.ReportMetric(el/float64(b.N*perIter), "s/training")
			b.ReportMetric(float64(b.N*perIter)/el*60, "trainings/min")
		})
	}
}
