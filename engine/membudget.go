package engine

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/nn"
)

// memoryBudget shares a training memory limit between concurrent
// trainings: each reserves what its network needs (nn.Memory) and waits
// while the others hold too much for it to fit.
type memoryBudget struct {
	mu      sync.Mutex
	used    int64
	changed chan struct{} // closed and replaced whenever used falls
}

// reserve waits until net, trained with cfg, fits beside the trainings
// already running, and returns the function that gives its memory back.
// A network over the whole limit is not waited for: nn.Train refuses it.
func (b *memoryBudget) reserve(ctx context.Context, net *arch.Network, cfg nn.Config) (release func(), err error) {
	limit := cfg.MemoryLimitBytes
	if limit <= 0 {
		return func() {}, nil
	}
	need, err := nn.Memory(net, cfg)
	if err != nil || need > limit {
		return func() {}, nil // nn.Train reports it
	}
	for {
		b.mu.Lock()
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		if b.used+need <= limit {
			b.used += need
			b.mu.Unlock()
			return func() { b.give(need) }, nil
		}
		wait := b.changed
		b.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the memory other trainings hold: %w", ctx.Err())
		}
	}
}

func (b *memoryBudget) give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	close(b.changed)
	b.changed = make(chan struct{})
}

// SmallestTooLarge returns the nn.MemoryError of the smallest network of
// e's space when even it is over the training memory limit, so that every
// trial would fail; nil otherwise, or when e does not train with
// TrainEvaluator. The smallest network is found one decision at a time (the
// choice that needs least with the others fixed, twice over), which finds
// it in chain spaces, where a decision's memory does not depend on another's.
func SmallestTooLarge(e Experiment) error {
	t, ok := e.Evaluator.(*TrainEvaluator)
	if !ok || e.Space == nil {
		return nil
	}
	cfg := nn.Config{Epochs: e.Fidelity.Epochs, Batch: e.Fidelity.Batch, LR: e.Fidelity.LR, Optimizer: e.Fidelity.Optimizer, Threads: 1}
	cfg.MemoryLimitBytes, cfg.MemoryLimitFrom = t.memoryLimit()
	if cfg.MemoryLimitBytes <= 0 {
		return nil
	}
	cards := arch.Cardinalities(e.Space)
	genome := make([]int, len(cards))
	need := func() (int64, *arch.Network) {
		net, err := e.Space.Decode(genome)
		if err != nil {
			return math.MaxInt64, nil
		}
		b, err := nn.Memory(net, cfg)
		if err != nil {
			return math.MaxInt64, nil
		}
		return b, net
	}
	best, net := need()
	for range 2 {
		for d, n := range cards {
			keep := genome[d]
			for c := range n {
				genome[d] = c
				if b, nt := need(); b < best {
					best, net, keep = b, nt, c
				}
			}
			genome[d] = keep
		}
	}
	if net == nil || best <= cfg.MemoryLimitBytes {
		return nil
	}
	batch := cfg.Batch
	if batch == 0 {
		batch = nn.Defaults().Batch
	}
	return &nn.MemoryError{Need: best, Limit: cfg.MemoryLimitBytes, Batch: batch, Params: net.Params(), From: cfg.MemoryLimitFrom}
}
