package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hwnas/hwnas/engine"
)

// rungsArg makes the test binary a command evaluator that trains in rungs.
const rungsArg = "queue-test-rungs"

// fakeRungs is a command evaluator that trains in rungs: its accuracy
// after n epochs is base·(1 − 2^−n), base from the genome; it keeps the
// epochs it reached in the request's checkpoint and reports the epoch it
// resumed from (resumed_from), so a run whose checkpoints are lost on the
// way differs from one whose checkpoints arrive. A request with neither a
// checkpoint nor max_epochs trains its epochs at once.
func fakeRungs() int {
	var q engine.CommandRequest
	if err := json.NewDecoder(os.Stdin).Decode(&q); err != nil {
		fmt.Fprintln(os.Stderr, "bad request:", err)
		return 1
	}
	from := 0
	if b, err := os.ReadFile(q.Checkpoint); err == nil {
		from, _ = strconv.Atoi(string(b))
	}
	f := q.Fidelity
	whole := q.Checkpoint == "" && f.MaxEpochs == 0 // trained to the schedule's end at once (Hyperband's bracket 0)
	if !whole && (!filepath.IsAbs(q.Checkpoint) || f.MaxEpochs == 0 || from >= f.Epochs) {
		fmt.Fprintf(os.Stderr, "bad rung: checkpoint %q, epochs %d of %d, resuming from %d\n", q.Checkpoint, f.Epochs, f.MaxEpochs, from)
		return 4
	}
	if err := os.WriteFile(q.Checkpoint, []byte(strconv.Itoa(f.Epochs)), 0o644); !whole && err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 5
	}
	base := 0.5 + float64(q.Genome[0]+2*q.Genome[1]+q.Genome[3])/10
	fmt.Printf(`{"accuracy": %g, "resumed_from": %d}`+"\n", base*(1-math.Pow(2, -float64(f.Epochs))), from)
	return 0
}

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
