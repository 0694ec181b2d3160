package queue

import (
	"context"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// testWorkerCommand runs this test binary as a worker of the server that
// args name with --nats.
func testWorkerCommand(args ...string) (*exec.Cmd, error) {
	i := slices.Index(args, "--nats")
	if i < 0 || i+1 >= len(args) {
		return nil, exec.ErrNotFound
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+args[i+1])
	return cmd, nil
}

func tableExperiment(trials int) engine.Experiment {
	return engine.Experiment{Name: "exec", Spec: "experiment exec (test)", Space: nb201.Space{},
		Evaluator: engine.TableEvaluator{}, Fidelity: engine.Fidelity{Dataset: "nasbench201:cifar10"},
		Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}},
		Strategy:   engine.StrategySpec{Kind: "random"}, Budget: engine.Budget{Trials: trials}, Parallel: 1, Seed: 5}
}

func runExperiment(t *testing.T, e engine.Experiment) *engine.Outcome {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := engine.Run(ctx, e, engine.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestApplyExecutorEmbedded: the embedded executor's workers give the
// trials of a local run.
func TestApplyExecutorEmbedded(t *testing.T) {
	const trials = 10
	local := runExperiment(t, tableExperiment(trials))
	e := tableExperiment(trials)
	cleanup, err := ApplyExecutor(context.Background(), &e, "embedded", ExecutorOptions{Workers: 2, WorkerCommand: testWorkerCommand})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if _, ok := e.Evaluator.(*Evaluator); !ok || e.Parallel != 2 {
		t.Fatalf("evaluator %T, parallel %d: want the queue evaluator and 2", e.Evaluator, e.Parallel)
	}
	e.Parallel = 1 // keep the trained/cached split of isomorphic cells deterministic
	got := runExperiment(t, e)
	if len(got.Trials) != len(local.Trials) {
		t.Fatalf("%d trials, want %d", len(got.Trials), len(local.Trials))
	}
	for i, g := range got.Trials {
		if w := local.Trials[i]; !reflect.DeepEqual(g.Genome, w.Genome) || !reflect.DeepEqual(g.Metrics, w.Metrics) {
			t.Errorf("trial %d: %v %v, local %v %v", i, g.Genome, g.Metrics, w.Genome, w.Metrics)
		}
	}
}

func TestApplyExecutorErrors(t *testing.T) {
	for _, c := range []struct {
		executor string
		ev       engine.Evaluator
		want     string
	}{
		{"kubernetes", engine.TableEvaluator{}, `unknown executor "kubernetes"`},
		{"nats://127.0.0.1:1", engine.TableEvaluator{}, "connecting to NATS at nats://127.0.0.1:1"},
		{"embedded", nil, "no evaluator to run on workers"},
	} {
		e := tableExperiment(4)
		e.Evaluator = c.ev
		cleanup, err := ApplyExecutor(context.Background(), &e, c.executor, ExecutorOptions{WorkerCommand: testWorkerCommand})
		cleanup()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.executor, err, c.want)
		}
	}
	for _, local := range []string{"", "local"} {
		e := tableExperiment(4)
		cleanup, err := ApplyExecutor(context.Background(), &e, local, ExecutorOptions{Workers: 3})
		cleanup()
		if err != nil || e.Evaluator != (engine.TableEvaluator{}) || e.Parallel != 1 {
			t.Errorf("executor %q: %v, evaluator %T, parallel %d; want nothing changed", local, err, e.Evaluator, e.Parallel)
		}
	}
}
