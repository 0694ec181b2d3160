package runtime

import (
	"context"

	"github.com/hwnas/hwnas/arch"
)

// Request is one accuracy evaluation: a decoded network, the genome and
// space it came from (for table evaluators), the training setup and the
// cores it may use.
type Request struct {
	Network  *arch.Network
	Space    string
	Genome   []int // architecture genes only
	Fidelity Fidelity
	Threads  int // cores this evaluation may use; the engine shares them between concurrent ones
}

// Evaluation is what an evaluator measured.
type Evaluation struct {
	Metrics Metrics // accuracy (fraction), test_accuracy where known, anything else
	// ChargedS is the time the evaluation counts for in a time budget: the
	// wall time of real training, or the table's training time.
	ChargedS float64
}

// Evaluator measures a network's accuracy. Name is part of the accuracy
// cache key, so two evaluators never share results.
type Evaluator interface {
	Name() string
	Evaluate(ctx context.Context, r Request) (Evaluation, error)
}
