package queue

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
)

// BenchmarkTableThroughput measures table evaluations through the queue
// (publish, worker pull, lookup, result, ack) with 1 and 4 workers, each
// on its own connection to an embedded server, 32 requests in flight.
func BenchmarkTableThroughput(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			srv := startServer(b, ServerConfig{})
			qe := queueEvaluatorTB(b, srv.URL(), engine.TableEvaluator{})
			for range workers {
				inProcessWorker(b, srv.URL(), "", 1)
			}
			reqs := make([]engine.Request, 256)
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

func queueEvaluatorTB(b testing.TB, url string, local engine.Evaluator) *Evaluator {
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

// smallSpace is a small FNAS-like MNIST space: two conv layers of kernel
// {3, 5} and {4, 8} filters, a 2×2 max pool between them, GAP, dense 10.
func smallSpace() *arch.ChainSpace {
	conv := arch.ChainLayer{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{
		{Name: "kernel", Values: []int{3, 5}}, {Name: "filters", Values: []int{4, 8}}, {Name: "stride", Values: []int{1}}}}}}
	return &arch.ChainSpace{SpaceName: "bench_mnist", Input: arch.Shape{H: 28, W: 28, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 2, MaxRepeat: 2, Layers: []arch.ChainLayer{conv}}},
		Head:   []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
}

// BenchmarkTrainScaling measures a training-bound search through the queue
// on this machine with one worker process and with two, each training one
// network at a time on one thread: a random search of 8 trials per
// iteration (MNIST, 1,000 training images, one epoch, 2 in flight), a new
// seed each time so nothing is cached.
func BenchmarkTrainScaling(b *testing.B) {
	src, load, err := engine.DatasetLoader("builtin", "mnist", "")
	if err != nil {
		b.Fatal(err)
	}
	train := &engine.TrainEvaluator{Source: src, Load: load}
	const trials = 8
	for _, procs := range []int{1, 2} {
		b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
			srv := startServer(b, ServerConfig{})
			qe := queueEvaluatorTB(b, srv.URL(), train)
			ws := make([]*proc, procs)
			for i := range ws {
				ws[i] = startWorker(b, srv.URL(), "")
			}
			e := engine.Experiment{Name: "bench", Space: smallSpace(), Evaluator: qe,
				Fidelity:   engine.Fidelity{Dataset: src, Train: 1000, Test: 500, Epochs: 1, Batch: 32, LR: 0.01},
				Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}},
				Strategy:   engine.StrategySpec{Kind: "random"}, Budget: engine.Budget{Trials: trials}, Parallel: 2, Batch: 2}
			var trainS float64 // training wall time the workers measured
			search := func(seed int64) {
				st := hwnastest.OpenStore(b, b.TempDir())
				e.Seed = seed
				out, err := engine.Run(context.Background(), e, engine.Options{Store: st})
				if err != nil {
					b.Fatal(err)
				}
				if out.Counts.Failed > 0 {
					b.Fatalf("%d failed trials: %s", out.Counts.Failed, out.Trials[0].Error)
				}
				for _, t := range out.Trials {
					trainS += t.EvalS
				}
			}
			search(-1) // every worker loads MNIST once before timing
			trainS = 0
			b.ResetTimer()
			t0 := time.Now()
			for i := range b.N {
				search(int64(i))
			}
			el := time.Since(t0).Seconds()
			b.ReportMetric(el/float64(b.N), "s/search")
			b.ReportMetric(float64(b.N*trials)/el*60, "trials/min")
			b.ReportMetric(trainS/float64(b.N*trials), "s/training")
			// The share of the workers' time spent training: the rest is
			// the queue, the engine, and waiting for the other half of a batch.
			b.ReportMetric(100*trainS/(el*float64(procs)), "busy-%")
		})
	}
}

// BenchmarkObjectTransfer measures what the object stores add to a run on
// one machine: a round trip (put, get, delete) through an embedded server of
// the supernet of examples/oneshot_mnist.hwnas (1,559,921 bytes in the
// store after training; random bytes of that size here, as the transfer
// does not look at them) and of the checkpoint of the largest network of
// examples/fnas_mnist.hwnas (four 14×14 convolutions of 36 filters, Adam:
// weights, both moments and batch-norm statistics), which a rung of a
// fidelity schedule sends and receives once each.
func BenchmarkObjectTransfer(b *testing.B) {
	blob := make([]byte, 1559921)
	rand.Read(blob)
	b.Run("supernet", func(b *testing.B) { benchTransfer(b, blob) })
	b.Run("checkpoint", func(b *testing.B) { benchTransfer(b, fnasCheckpoint(b)) })
}

func benchTransfer(b *testing.B, blob []byte) {
	srv := startServer(b, ServerConfig{})
	qe := queueEvaluatorTB(b, srv.URL(), engine.TableEvaluator{})
	ctx := context.Background()
	if err := qe.buckets(ctx); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(blob)))
	b.ResetTimer()
	for i := range b.N {
		name := fmt.Sprint("bench.", i)
		if _, err := qe.checkpoints.PutBytes(ctx, name, blob); err != nil {
			b.Fatal(err)
		}
		got, err := qe.checkpoints.GetBytes(ctx, name)
		if err != nil || len(got) != len(blob) {
			b.Fatalf("got %d bytes, %v", len(got), err)
		}
		deleteObjects(qe.checkpoints, name)
	}
	b.ReportMetric(float64(len(blob))/1e6, "MB")
}

// fnasCheckpoint trains the largest network of the FNAS demo's space for
// one epoch of two on 64 images and returns its checkpoint.
func fnasCheckpoint(b *testing.B) []byte {
	conv := arch.ChainLayer{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{
		{Name: "kernel", Values: []int{14}}, {Name: "filters", Values: []int{36}}, {Name: "stride", Values: []int{1}}}}}}
	sp := &arch.ChainSpace{SpaceName: "fnas_mnist", Input: arch.Shape{H: 28, W: 28, C: 1}, BatchNorm: true,
		Blocks: []arch.ChainBlock{{MinRepeat: 4, MaxRepeat: 4, Layers: []arch.ChainLayer{conv}}},
		Head:   []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
	net, err := sp.Decode(make([]int, len(sp.Decisions())))
	if err != nil {
		b.Fatal(err)
	}
	src, load, err := engine.DatasetLoader("builtin", "mnist", "")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "rung.ckpt")
	f := engine.Fidelity{Dataset: src, Train: 64, Test: 32, Epochs: 2, Stop: 1, Batch: 32, LR: 0.003, Optimizer: "adam"}
	if _, err := (&engine.TrainEvaluator{Source: src, Load: load}).Evaluate(context.Background(),
		engine.Request{Network: net, Fidelity: f, Threads: 1, Checkpoint: path}); err != nil {
		b.Fatal(err)
	}
	blob, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return blob
}
