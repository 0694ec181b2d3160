package engine

import (
	"context"
	"fmt"
	"strings"

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
	// Checkpoint, when set, is a file a training evaluator resumes from and
	// saves to between the rungs of a fidelity schedule (see ASHA).
	Checkpoint string
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

// Remote is an evaluator that has another one, its Local, evaluate
// elsewhere (engine/queue's workers). The engine looks through it for what it
// does with its evaluator itself: train a supernet before the first trial,
// check a fidelity schedule, mark inherited trials. Via has the same place
// run another evaluator: the standalone training of an experiment's retrain.
type Remote interface {
	Evaluator
	Local() Evaluator
	Via(ev Evaluator) (Evaluator, error)
}

// localOf is ev, or the evaluator ev runs elsewhere when it is a Remote.
func localOf(ev Evaluator) Evaluator {
	if rm, ok := ev.(Remote); ok {
		return rm.Local()
	}
	return ev
}

// TablePrefix starts the Name of every evaluator that reads a benchmark
// table indexed by genome. Such a table gives cells that decode to the same
// network (isomorphic cells) rows of their own, so their accuracies are
// cached by genome as well as network (CacheNetworkKey): every trial gets its
// own cell's row whatever order, and --parallel, its trials finish in.
const TablePrefix = "table:"

func isTable(evaluator string) bool { return strings.HasPrefix(evaluator, TablePrefix) }

// CacheNetworkKey is the network part of the accuracy cache key of r
// evaluated by the evaluator called evaluator: the network's key, and for
// table evaluators (TablePrefix) the genome too. Anything that caches or
// shares evaluations (the engine, the queue) must key them by it.
func CacheNetworkKey(evaluator string, r Request) string {
	k := r.Network.Key()
	if isTable(evaluator) {
		k += fmt.Sprintf(" genome=%v", r.Genome)
	}
	return k
}
