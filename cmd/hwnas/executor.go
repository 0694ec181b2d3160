package main

import (
	"context"
	"fmt"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/queue"
)

// workerCommand is the command line of a local worker process of the
// embedded executor: this binary (tests replace it).
var workerCommand = queue.WorkerProcess

// applyExecutor makes e's evaluations run where executor says (see
// queue.ApplyExecutor, which the kernel calls too); workers is --workers:
// local worker processes (embedded, 0 for one per core) or evaluations in
// flight (nats://). cleanup must be called once the run is over (it is
// never nil).
func applyExecutor(ctx context.Context, e *engine.Experiment, executor string, workers int) (cleanup func(), err error) {
	if workers < 0 {
		return func() {}, fmt.Errorf("--workers %d: want 0 (automatic) or more", workers)
	}
	return queue.ApplyExecutor(ctx, e, executor, queue.ExecutorOptions{Workers: workers, Name: "hwnas run " + e.Name, WorkerCommand: workerCommand})
}
