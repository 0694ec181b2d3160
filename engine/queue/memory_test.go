package queue

import (
	"context"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/data"
)

// convNet is one conv layer of filters filters on MNIST, then GAP and dense.
func convNet(filters int) *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	x := n.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: filters, Act: arch.ReLU}, arch.Input)
	x = n.Append(arch.Layer{Op: arch.GlobalAvgPool}, x)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, x)
	return n
}

// A network too large for the workers' memory (here: GOMEMLIMIT 1 GiB)
// used to kill every worker that took it, one after the other, and leave
// the run waiting: it now fails on each delivery with both numbers, comes
// back failed after MaxDeliver, and the worker evaluates the next request.
func TestTooLargeNetworkOnWorker(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(old)
	srv := startServer(t, ServerConfig{})
	local := &engine.TrainEvaluator{Source: "mnist", Load: data.MNIST}
	qe := queueEvaluator(t, srv.URL(), "", local, Config{AckWait: time.Second, MaxDeliver: 2, Poll: 100 * time.Millisecond})
	inProcessWorker(t, srv.URL(), "", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fid := engine.Fidelity{Dataset: "mnist", Train: 64, Test: 32, Epochs: 1, Batch: 64, Seed: 1}
	_, err := qe.Evaluate(ctx, engine.Request{Network: convNet(65536), Fidelity: fid, Threads: 1})
	if err == nil || !strings.Contains(err.Error(), "after 2 deliveries") || !strings.Contains(err.Error(), "over the memory limit of 768.0 MiB") {
		t.Fatalf("error %v", err)
	}
	if _, err := qe.Evaluate(ctx, engine.Request{Network: convNet(4), Fidelity: fid, Threads: 1}); err != nil {
		t.Fatalf("the worker did not go on: %v", err)
	}
}
