package queue

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hwnas/hwnas/engine"
)

// rungsArg makes the test binary a command evaluator that trains in rungs
// (hwnastest.RungTrainer).
const rungsArg = "queue-test-rungs"

// A command evaluator under fidelity asha and hyperband through the
// embedded executor's worker processes gives the trials of a local run:
// each rung's program runs on a worker, and a child that goes on resumes
// from the checkpoint its previous rung's program saved on a worker
// (through HWNAS_CHECKPOINTS), as it does locally; no checkpoint is left.
func TestCommandRungsOnEmbeddedWorkers(t *testing.T) {
	for _, sched := range []engine.ASHA{{MinEpochs: 1, MaxEpochs: 3, Eta: 3}, {MinEpochs: 1, MaxEpochs: 4, Eta: 2, Hyperband: true}} {
		t.Run(fmt.Sprint(sched.Rungs(), sched.Hyperband), func(t *testing.T) {
			mk := func() engine.Experiment {
				e := ashaExperiment(1)
				e.Evaluator, e.ASHA, e.Budget.Trials = engine.CommandEvaluator{Argv: []string{os.Args[0], rungsArg}}, sched, 16
				return e
			}
			local := runIn(t, mk(), t.TempDir())
			e := mk()
			cleanup, err := ApplyExecutor(context.Background(), &e, "embedded", ExecutorOptions{Workers: 2, WorkerCommand: testWorkerCommand})
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			dir := t.TempDir()
			out := runIn(t, e, dir)
			sameTrials(t, out, local)
			resumed := 0
			for _, tr := range out.Trials {
				if tr.Status == "failed" {
					t.Fatalf("trial %d failed: %s", tr.ID, tr.Error)
				}
				if tr.Metrics["resumed_from"] > 0 {
					resumed++
				}
			}
			if resumed == 0 {
				t.Error("no child resumed from a checkpoint")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*")); len(left) > 0 {
				t.Errorf("checkpoints left: %v", left)
			}
		})
	}
}
