package engine

import (
	"context"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
)

// wideSpace is one conv layer of 65535 or 65536 filters on MNIST: tens of
// GiB to train with batch 64, so far over any test machine's limit.
func wideSpace() *arch.ChainSpace {
	conv := arch.LayerAlt{Kind: "conv", Params: []arch.Param{{Name: "kernel", Values: []int{3}}, {Name: "filters", Values: []int{65535, 65536}}}}
	return &arch.ChainSpace{SpaceName: "wide", Input: arch.Shape{H: 28, W: 28, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{conv}}}}},
		Head:   []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
}

// A network too large for the machine (here: under GOMEMLIMIT 1 GiB) is
// a failed trial with both numbers, never an out-of-memory crash, and the
// run goes on to the next.
func TestTooLargeNetworkFails(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(old)
	tiny := &data.Set{Name: "tiny", Shape: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10, X: make([]float32, 2*784), Y: []uint8{1, 2}}
	tiny.X[0] = 1 // a pixel that varies, so that the set can be normalised
	ev := &TrainEvaluator{Source: "tiny", Load: func() (*data.Set, *data.Set, error) { return tiny, tiny, nil }}
	e := Experiment{Name: "wide", Space: wideSpace(), Evaluator: ev, Objectives: []Objective{{metric.Accuracy, true}},
		Strategy: StrategySpec{Kind: "random"}, Budget: Budget{Trials: 2}, Seed: 1, Fidelity: Fidelity{Batch: 64}}
	out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	if out.Counts.Failed != 2 {
		t.Fatalf("counts %+v, want 2 failed", out.Counts)
	}
	for _, tr := range out.Trials {
		if !strings.Contains(tr.Error, "GiB for batch 64") || !strings.Contains(tr.Error, "over the memory limit of 768.0 MiB (3/4 of GOMEMLIMIT 1.00 GiB)") {
			t.Errorf("trial %d: %q", tr.ID, tr.Error)
		}
	}
}

// Concurrent trainings share the limit: one that does not fit beside the
// others waits for their memory, and a cancelled wait says what it waited for.
func TestMemoryBudgetShared(t *testing.T) {
	net := nn.Reference()
	cfg := nn.Config{Batch: 64, Threads: 1}
	need, err := nn.Memory(net, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MemoryLimitBytes = need * 3 / 2
	var b memoryBudget
	release, err := b.reserve(context.Background(), net, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		r2, err := b.reserve(context.Background(), net, cfg)
		if err == nil {
			r2()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("the second training did not wait for the first's memory (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	release, _ = b.reserve(context.Background(), net, cfg)
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.reserve(ctx, net, cfg); err == nil || !strings.Contains(err.Error(), "waiting for the memory other trainings hold") {
		t.Errorf("cancelled wait: %v", err)
	}
}
