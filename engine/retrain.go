package engine

import (
	"context"

	"github.com/hwnas/hwnas/engine/nn"
)

// TrainedNetwork is a network trained again the way the train evaluator trained
// it during a run, with its weights kept.
type TrainedNetwork struct {
	Weights *nn.Weights
	// Mean and Std are the per-channel statistics of the training subset;
	// the network reads images normalised as (x − Mean)·(1/Std).
	Mean, Std []float32
	Metrics   Metrics // what Evaluate would have returned
}

// Retrain trains r.Network exactly as Evaluate does and keeps the weights.
// The training engine is deterministic for a seed whatever the thread count
// (engine/nn), so the same request gives bit-identical weights and metrics
// to the evaluation of a run on a machine with the same kernels (AVX2 or
// portable).
func (t *TrainEvaluator) Retrain(ctx context.Context, r Request) (TrainedNetwork, error) {
	var w nn.Weights
	ev, p, err := t.trainKeep(ctx, r, &w)
	if err != nil {
		return TrainedNetwork{}, err
	}
	return TrainedNetwork{Weights: &w, Mean: p.mean, Std: p.std, Metrics: ev.Metrics}, nil
}
